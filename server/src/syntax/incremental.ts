// Incremental parsing for the editor: the text is cut into chunks where a statement starts
// (a line beginning with a statement keyword: the parser's recovery always stops there), and
// a chunk whose text and lookahead are unchanged since the last parse is not lexed nor parsed
// again: its statements, comments and syntax errors are reused, moved to where the chunk is
// now. The result is exactly parse(text)'s (test/syntax/incremental.property.test.ts).
//
// Reused AST nodes are the same objects as in the last result, their spans moved in place:
// a model built from an older result must not be used after a newer parse. A `copying()` parser
// (check --fix's versions, whose earlier analyses are kept) copies a chunk that moved, its spans
// moved in the copy, and keeps no rule between parses: every earlier result stays as it was.

import type { IToken } from 'chevrotain';
import { diag, type Span } from '../core/diagnostic';
import { ownCopy } from '../core/text';
import type { Comment, Statement } from './ast';
import {
  errorText,
  finishDiagnostics,
  parse,
  pendingOf,
  type ParseResult,
  type Pending,
  type PendingGroups,
  unreadableReason,
} from './parse';
import { fwParser, MESSAGE_KEY } from './parser';
import { RuleMemo, type RuleOwner } from './ruleMemo';
import { collectSpans, movedCopy } from './spans';
import { LCurly, RCurly, lex, tokenEnd, type LexOutput } from './tokens';

/** The characters of a `copying()` parser's chunk, about (coarseStarts). */
const COPYING_CHUNK_CHARS = 16_384;
/** Tokens of the following chunks a chunk's parse may look at (the parser looks at most 3 ahead). */
const LOOKAHEAD_TOKENS = 4;
/** About one declaration in this many starts a chunk of its own (firewalls always do). */
const DECLARATIONS_PER_CHUNK = 64;
/**
 * A firewall that starts less than this many characters after the last firewall's start (the
 * one before is small: a header, a rule or two) goes on in that firewall's chunk, unless its
 * line hashes to a chunk start. A paste of 23,000 firewall headers was 23,000 chunks, each
 * lexed, parsed and looked ahead of on its own: the incremental parse of that megabyte took
 * 0.73 s warm, three times a whole parse (fuzz sequence 7162 of seed 1401).
 */
const SMALL_FIREWALL_CHARS = 512;

/**
 * Where a hard statement keyword (the ones recovery stops at) starts a line; `firewall`
 * unless the firewall before it is small (SMALL_FIREWALL_CHARS), the others when their line
 * hashes to a chunk start (so a file of many declarations is not cut into one chunk per line,
 * and the cuts do not move with edits: each depends on its own line and, for a firewall, on
 * where the firewall before it starts).
 */
const LINE_START_KEYWORD = /(?:^|[\n\r])[ \t\v\f\u00a0\ufeff]*(host|network|service|firewall|flow|include|nat)(?![A-Za-z0-9_]|-(?!>))/g;

interface Parsed {
  /** The text of the following tokens the parse saw ('' + EOF flag for the last chunk). */
  lookahead: string;
  /** False: a statement read past the chunk's end; the chunk is joined with the next. */
  clean: boolean;
  statements: Statement[];
  comments: Comment[];
  pending: PendingGroups;
  /** Every span object of the above, each once (to move them; found when first needed). */
  spans?: Span[];
  /** The offset the spans are relative to now. */
  base: number;
  /**
   * Its rules kept for the next parse (ruleMemo.ts). A separate object: the rules kept point at
   * it, and must not keep this whole result (its spans, its errors) alive once it is dropped.
   */
  rules: RuleOwner;
}

interface Entry {
  text: string;
  /** Its tokens (offsets relative to the chunk's start), kept only until it is parsed. */
  lexed?: LexOutput;
  /** Its first LOOKAHEAD_TOKENS tokens (what the chunks before it look at). */
  head: IToken[];
  /** braceAfter[i]: its first `{` or `}` token at index i or later (i ≤ LOOKAHEAD_TOKENS). */
  braceAfter: (IToken | undefined)[];
  parsed?: Parsed;
}

const isBrace = (t: IToken): boolean => t.tokenType === LCurly || t.tokenType === RCurly;

function newEntry(text: string): Entry {
  const lexed = lex(text);
  const tokens = lexed.tokens;
  const braceAfter: (IToken | undefined)[] = [];
  let next = tokens.find((t, k) => k >= LOOKAHEAD_TOKENS && isBrace(t));
  braceAfter[LOOKAHEAD_TOKENS] = next;
  for (let i = LOOKAHEAD_TOKENS - 1; i >= 0; i--) {
    const t = tokens[i];
    if (t && isBrace(t)) next = t;
    braceAfter[i] = next;
  }
  // Copies: the parse retypes misspelt keywords in place, and these are looked at as they were lexed.
  const copy = (t: IToken | undefined): IToken | undefined => t && { ...t };
  return { text, lexed, head: tokens.slice(0, LOOKAHEAD_TOKENS).map((t) => ({ ...t })), braceAfter: braceAfter.map(copy) };
}

/** Chunk starts: 0 and each line start where a statement keyword begins a new chunk. */
export function chunkStarts(text: string): number[] {
  const starts = [0];
  LINE_START_KEYWORD.lastIndex = 0;
  let afterFirewall = false;
  /** Where the last firewall started, while no other statement has started since. */
  let lastFirewall = -1;
  /** Small firewalls joined to the chunk since it started: at most DECLARATIONS_PER_CHUNK. */
  let joined = 0;
  for (let m = LINE_START_KEYWORD.exec(text); m; m = LINE_START_KEYWORD.exec(text)) {
    const at = m.index === 0 && !/[\n\r]/.test(text[0] ?? '') ? 0 : m.index + 1;
    const kw = m[1]!;
    const isFirewall = kw === 'firewall';
    let cut: boolean;
    if (isFirewall) {
      // (Counted, not hashed alone: a paste of one header many times hashes alike throughout.)
      cut =
        lastFirewall < 0 ||
        at - lastFirewall >= SMALL_FIREWALL_CHARS ||
        ++joined >= DECLARATIONS_PER_CHUNK ||
        lineHash(text, at) % DECLARATIONS_PER_CHUNK === 0;
    } else cut = afterFirewall || lineHash(text, at) % DECLARATIONS_PER_CHUNK === 0;
    if (at > 0 && cut) {
      starts.push(at);
      joined = 0;
    }
    afterFirewall = isFirewall;
    lastFirewall = isFirewall ? at : -1;
  }
  return starts;
}

/**
 * Fewer, larger chunks: of `starts` (chunkStarts), 0 and the first at or after each multiple of
 * `size`. The cuts are placed by offset, not by what comes before them: an edit that moves the
 * text after it moves a cut only where a statement start passes a multiple of `size`, and the
 * chunks after the next multiple are cut as before.
 */
export function coarseStarts(starts: number[], size: number): number[] {
  const out = [0];
  let next = size;
  for (const s of starts) {
    if (s < next) continue;
    out.push(s);
    next = (Math.floor(s / size) + 1) * size;
  }
  return out;
}

function lineHash(text: string, from: number): number {
  let h = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) break;
    h = (h * 31 + c) | 0;
  }
  return h >>> 0;
}

function errorResult(e: unknown): ParseResult {
  return {
    ast: { statements: [], comments: [] },
    diagnostics: [diag('syntax', { start: 0, end: 0 }, `internal error in the parser: ${errorText(e)}`)],
  };
}

/**
 * Parses successive versions of one document, reusing the chunks that did not change.
 * `parse(text)` of a new text gives exactly what the function `parse` gives.
 */
export class IncrementalParser {
  private entries = new Map<string, Entry[]>();
  /** The rules of the chunks edited last, taken by the next parse where unchanged. */
  private memo = new RuleMemo();
  private parses = 0;
  /** Chunks parsed (not reused) by the last parse, for tests and the benchmark. */
  parsedChunks = 0;
  reusedChunks = 0;
  /** Of the reused chunks, those that had moved (copied by a `copying()` parser). */
  movedChunks = 0;
  /** The most chunks holding their tokens at once during the last parse (lexed, not yet parsed). */
  tokensHeldPeak = 0;
  /** Rules of the last parse taken from the one before (not parsed), and rules it kept for the next. */
  get replayedRules(): number {
    return this.memo.replayed;
  }
  get keptRules(): number {
    return this.memo.recorded;
  }
  get examinedRules(): number {
    return this.memo.examined;
  }

  /**
   * Never changes an earlier result: its nodes are reused only where they did not move (a chunk
   * that moved is copied, its spans moved in the copy), and no rules are kept between parses (a
   * kept rule is moved in place). False for the editor's parser (`new IncrementalParser()`).
   */
  readonly copies: boolean = false;
  /** A `copying()` parser's chunks: about this many characters each (coarseStarts). */
  private chunkChars = 0;

  /**
   * A parser whose results stay as they were (`copies`), for versions whose analyses are kept
   * (check --fix's). Its chunks are larger than the editor's (coarseStarts): it parses a whole
   * file first and then a few versions, each changed in a few places, so what counts is the cost
   * of each chunk (thousands of small ones made the first parse a third slower than a whole one).
   */
  static copying({ chunkChars = COPYING_CHUNK_CHARS }: { chunkChars?: number } = {}): IncrementalParser & { readonly copies: true } {
    const p = new IncrementalParser();
    (p as { copies: boolean }).copies = true;
    p.chunkChars = chunkChars;
    return p as IncrementalParser & { readonly copies: true };
  }

  parse(input: string): ParseResult {
    const text = typeof input === 'string' ? input : String(input ?? '');
    // A binary or too large text is one diagnostic, and nothing in it is lexed (parse says so).
    if (unreadableReason(text)) return parse(text);
    const savedLimit = Error.stackTraceLimit;
    try {
      Error.stackTraceLimit = 0;
      return this.parseChunks(text);
    } catch (e) {
      this.entries = new Map();
      this.memo = new RuleMemo();
      return errorResult(e);
    } finally {
      Error.stackTraceLimit = savedLimit;
    }
  }

  private parseChunks(text: string): ParseResult {
    this.parsedChunks = 0;
    this.reusedChunks = 0;
    this.movedChunks = 0;
    this.tokensHeldPeak = 0;
    this.memo.begin();
    // The document's first parse keeps no rules: only the chunks parsed again are being edited.
    const keepRules = this.parses++ > 0 && !this.copies;
    const starts = this.copies ? coarseStarts(chunkStarts(text), this.chunkChars) : chunkStarts(text);
    const n = starts.length;
    const used = new Map<string, Entry[]>();
    const holding = new Set<Entry>();
    const take = (s: string): Entry => {
      const list = this.entries.get(s);
      // An entry serves one chunk per parse (two equal chunks have their own nodes). Its text
      // is its own copy, and the key kept is that copy (not a cut of this version's text).
      let e = list?.pop();
      if (!e) {
        e = newEntry(ownCopy(s));
        holding.add(e);
        this.tokensHeldPeak = Math.max(this.tokensHeldPeak, holding.size);
      }
      const u = used.get(e.text);
      if (u) u.push(e);
      else used.set(e.text, [e]);
      return e;
    };
    // Chunks are taken (and new ones lexed) when the parse first reaches them, not all before
    // it starts: a new entry holds its tokens until it is parsed, so lexing a whole file first
    // kept every token alive at once, and V8, seeing the token objects survive its young-
    // generation collections while a large file was opened, allocated every later token
    // straight in the old generation (allocation-site pretenuring), where each edit's tokens
    // stayed as garbage until the next full collection (issue 12: memory during edits).
    const chunks = new LazyChunks(n, (k) => take(text.slice(starts[k]!, k + 1 < n ? starts[k + 1]! : text.length)));

    const statements: Statement[] = [];
    const comments: Comment[] = [];
    const groups: PendingGroups[] = [];
    let i = 0;
    while (i < n) {
      // A chunk, joined with the next ones while a statement reads past its end.
      let j = i + 1;
      let entry = chunks.at(i);
      /** The chunk's statements, comments and pending diagnostics where it is now. */
      let here: Pick<Parsed, 'statements' | 'comments' | 'pending'>;
      for (;;) {
        const la = lookahead(text, starts, chunks, j);
        const start = starts[i]!;
        const p = entry.parsed;
        if (p && !p.rules.dead && p.lookahead === la.key) {
          this.reusedChunks++;
          this.memo.reuse(p.rules);
          here = p;
          if (p.base !== start) {
            this.movedChunks++;
            const by = start - p.base;
            if (this.copies) {
              // A copy where the chunk is now; the earlier result keeps its own spans.
              const [statements, comments, recognition, manual] = movedCopy(
                [p.statements, p.comments, p.pending.recognition, p.pending.manual],
                by,
              );
              const unknown = p.pending.unknown.map((t) => ({ ...t, startOffset: t.startOffset + by }));
              here = { statements, comments, pending: { unknown, recognition, manual } };
            } else {
              // Found on the first move only: most chunks never move, or once.
              p.spans ??= collectSpans([p.statements, p.comments, p.pending.recognition, p.pending.manual]);
              for (const s of p.spans) {
                s.start += by;
                s.end += by;
              }
              // The runs of unknown characters are the lexer's tokens (their offset is the file's).
              for (const t of p.pending.unknown) t.startOffset += by;
              p.base = start;
            }
          }
        } else {
          this.parsedChunks++;
          here = entry.parsed = parseChunk(entry, la, start, this.memo, keepRules);
          holding.delete(entry);
        }
        if (entry.parsed!.clean || j >= n) break;
        // Join with the next chunks (as its own entry, so the join is remembered too): as many
        // again as are joined already. One more at a time lexed and parsed the whole join again
        // for each: a paste of 6,000 lines that a statement reads on through took minutes and
        // 4 GB (fuzz sequence 5495 of seed 12012); doubling keeps it within twice the text.
        j = Math.min(n, j + (j - i));
        entry = take(text.slice(start, j < n ? starts[j]! : text.length));
      }
      // No spread: a chunk may hold 450,000 statements (more arguments than the stack takes).
      for (const st of here.statements) statements.push(st);
      for (const c of here.comments) comments.push(c);
      groups.push(here.pending);
      i = j;
    }
    // Chunks read only as part of a join keep no tokens: lexed again if ever parsed alone.
    for (const e of holding) e.lexed = undefined;
    this.entries = used;
    const unknown: IToken[] = [];
    const pending: Pending[] = [];
    for (const g of groups) for (const x of g.unknown) unknown.push(x);
    for (const g of groups) for (const x of g.recognition) pending.push(x);
    for (const g of groups) for (const x of g.manual) pending.push(x);
    const unreported: number[] = [];
    const diagnostics = finishDiagnostics(text.length, unknown, pending, unreported);
    return unreported.length > 0
      ? { ast: { statements, comments }, diagnostics, unreported }
      : { ast: { statements, comments }, diagnostics };
  }
}

/** The chunks of one parse, each taken when first asked for. */
class LazyChunks {
  private readonly entries: (Entry | undefined)[];
  /** braceAt[k]: the first chunk at or after k that holds a brace (n: none), once found. */
  private readonly braceAt: (number | undefined)[] = [];

  constructor(
    private readonly n: number,
    private readonly take: (k: number) => Entry,
  ) {
    this.entries = new Array<Entry | undefined>(n);
  }

  at(k: number): Entry {
    return (this.entries[k] ??= this.take(k));
  }

  braceFrom(k: number): number {
    let m = k;
    while (m < this.n && this.braceAt[m] === undefined && !this.at(m).braceAfter[0]) m++;
    const found = m < this.n ? (this.braceAt[m] ?? m) : this.n;
    for (let x = k; x < m; x++) this.braceAt[x] = found;
    this.braceAt[m] = found;
    return found;
  }
}

interface Lookahead {
  key: string;
  /** Tokens after the chunk, offsets relative to the chunk's end. */
  tokens: IToken[];
  /** The text from the chunk's end to the end of those tokens. */
  text: string;
}

/**
 * The first LOOKAHEAD_TOKENS tokens after chunk j-1 (from chunks j, j+1, …), and the first
 * brace after them: inside a firewall's body, a statement on its own line is read as part of
 * the body when the next brace is a `}` (parser.ts nextBraceIsClose).
 */
function lookahead(text: string, starts: number[], chunks: LazyChunks, j: number): Lookahead {
  const n = starts.length;
  const from = j < n ? starts[j]! : text.length;
  const tokens: IToken[] = [];
  let end = from;
  let k = j;
  let taken = 0;
  for (; k < n && tokens.length < LOOKAHEAD_TOKENS; k++) {
    const ts = chunks.at(k).head;
    for (taken = 0; taken < ts.length && tokens.length < LOOKAHEAD_TOKENS; taken++) {
      const t = ts[taken]!;
      const at = starts[k]! - from + t.startOffset;
      tokens.push({ ...t, startOffset: at });
      end = from + at + t.image.length;
    }
  }
  const eof = tokens.length < LOOKAHEAD_TOKENS;
  const laText = ownCopy(text.slice(from, end));
  let key = eof ? `${laText}\u0000EOF` : laText;
  if (!eof && !tokens.some(isBrace)) {
    // The last chunk read from is k-1, up to token `taken`; the brace is there or later.
    const last = k - 1;
    let bk = last;
    let brace = chunks.at(last).braceAfter[taken];
    if (!brace && last + 1 < n && chunks.braceFrom(last + 1) < n) {
      bk = chunks.braceFrom(last + 1);
      brace = chunks.at(bk).braceAfter[0];
    }
    if (brace) {
      tokens.push({ ...brace, startOffset: starts[bk]! - from + brace.startOffset });
      key += `\u0000${brace.image}`;
    } else key += '\u0000none';
  }
  return { key, tokens, text: laText };
}

/** Parses one chunk (at `start` in the text) with the tokens that follow it. */
function parseChunk(entry: Entry, la: Lookahead, start: number, memo: RuleMemo, keepRules: boolean): Parsed {
  const chunkText = entry.text;
  const lexed = entry.lexed ?? lex(chunkText);
  entry.lexed = undefined;
  // Parsed where the chunk is: the AST's offsets are the file's (the parser retypes misspelt
  // keywords in place; these tokens are dropped after the parse).
  for (const t of lexed.tokens) t.startOffset += start;
  const end = start + chunkText.length;
  const laTokens = la.tokens.map((t) => ({ ...t, startOffset: t.startOffset + end }));
  const parseText = chunkText + la.text;
  const tokens = lexed.tokens.concat(laTokens);
  const parser = fwParser();
  memo.startChunk(keepRules);
  parser.ruleMemo = memo;
  let r: { statements: Statement[]; clean: boolean };
  try {
    r = parser.parseChunk(parseText, start, tokens, lexed.tokens.length);
  } finally {
    parser.ruleMemo = undefined;
  }
  const recognition = parser.recognitionErrors.filter((e) => e.message !== `${MESSAGE_KEY}not-all-input`);
  for (const t of lexed.unknown) t.startOffset += start;
  const pending = pendingOf(parseText, { ...lexed, tokens }, recognition, parser.manualErrors, 'the end of the file', start);
  parser.release();
  const comments: Comment[] = lexed.comments.map((t) => ({
    text: t.image,
    span: { start: start + t.startOffset, end: start + tokenEnd(t) },
  }));
  const rules: RuleOwner = {};
  memo.endChunk(rules);
  return { lookahead: la.key, clean: r.clean, statements: r.statements, comments, pending, base: start, rules };
}
