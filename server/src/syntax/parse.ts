// The public entry points of the syntax layer: text in, AST and `syntax` diagnostics out.
// Neither function throws, whatever the input.

import type { IRecognitionException, IToken } from 'chevrotain';
import { diag, type Diagnostic, type Span } from '../core/diagnostic';
import type { Comment, FileAst, FlowDecl } from './ast';
import { EOF_MARK, MESSAGE_KEY, describeToken, fwParser, isEofToken, renderExpectedFound, startsLine, type ManualError } from './parser';
import { lex, tokenEnd, tokenStart, type LexOutput } from './tokens';

/** At most this many syntax diagnostics are reported per text (a binary file would give thousands). */
export const MAX_SYNTAX_DIAGNOSTICS = 100;

/** A parse: the syntax tree, and the syntax diagnostics reported. */
export interface ParseResult {
  ast: FileAst;
  diagnostics: Diagnostic[];
  /**
   * Where each syntax error past MAX_SYNTAX_DIAGNOSTICS starts, in order (one per position),
   * when there were more: reported as one "too many" diagnostic, yet each makes the rule or
   * header it lies in half-read for the resolver as much as a reported one does.
   */
  unreported?: number[];
}

export function parse(text: string): ParseResult {
  const src = typeof text === 'string' ? text : String(text ?? '');
  const unreadable = unreadableReason(src);
  if (unreadable) {
    return {
      ast: { statements: [], comments: [] },
      diagnostics: [diag('syntax', { start: 0, end: 0 }, `${unreadable}: nothing in it was read`)],
    };
  }
  const savedLimit = Error.stackTraceLimit;
  try {
    // Recognition errors are exceptions; their stack traces are never used and cost time.
    Error.stackTraceLimit = 0;
    const lexed = lex(src);
    const comments: Comment[] = lexed.comments.map((t) => ({ text: t.image, span: tokenSpan(t) }));
    const parser = fwParser();
    const statements = parser.parseFile(src, lexed.tokens);
    const unreported: number[] = [];
    const diagnostics = collectDiagnostics(src, lexed, parser.recognitionErrors, parser.manualErrors, 'the end of the file', unreported);
    parser.release();
    return unreported.length > 0
      ? { ast: { statements, comments }, diagnostics, unreported }
      : { ast: { statements, comments }, diagnostics };
  } catch (e) {
    return {
      ast: { statements: [], comments: [] },
      diagnostics: [diag('syntax', { start: 0, end: 0 }, `internal error in the parser: ${errorText(e)}`)],
    };
  } finally {
    Error.stackTraceLimit = savedLimit;
  }
}

/**
 * Parses one flow written without the `flow` keyword (a leading `flow` is accepted too),
 * e.g. `bob -> catogram https expect allow`. Spans are offsets into `text`.
 * `flow` is returned whenever anything was parsed, even with errors (check `diagnostics`).
 */
export function parseFlowText(text: string): { flow?: FlowDecl; diagnostics: Diagnostic[] } {
  const src = typeof text === 'string' ? text : String(text ?? '');
  const savedLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
    const lexed = lex(src);
    const parser = fwParser();
    const flow = parser.parseFlow(src, lexed.tokens);
    const diagnostics = collectDiagnostics(src, lexed, parser.recognitionErrors, parser.manualErrors, 'the end of the flow');
    parser.release();
    if (!flow) {
      diagnostics.push(diag('syntax', { start: 0, end: src.length }, 'expected a flow like `bob -> catogram https expect allow`'));
      return { diagnostics };
    }
    return { flow, diagnostics };
  } catch (e) {
    return {
      diagnostics: [diag('syntax', { start: 0, end: 0 }, `internal error in the parser: ${errorText(e)}`)],
    };
  } finally {
    Error.stackTraceLimit = savedLimit;
  }
}

// ------------------------------------------------------------------ binary or too large

/**
 * The most characters of text fwlang reads (16 MiB, ~230,000 rules). Past it a file is not
 * parsed at all: it would take minutes and gigabytes, past Node's heap, and crash the process
 * (20 MB of declarations needs 1.5 GB). The command line does not even read such a file, and an
 * include of one is an `include-error`.
 */
export const MAX_TEXT_LENGTH = 16 * 1024 * 1024;

/** A size in MB (of 2^20), as the too-large messages give it. */
export function megabytes(n: number): string {
  return `${+(n / 2 ** 20).toFixed(1)} MB`;
}

/** Why a file of `length` bytes (or a text of that many characters) is not read: too large. */
export function tooLargeReason(length: number, unit: 'bytes' | 'characters' = 'bytes'): string | undefined {
  if (length <= MAX_TEXT_LENGTH) return undefined;
  const limit = megabytes(MAX_TEXT_LENGTH);
  // Just past the limit, MB would round to the limit itself: the exact size then.
  const size = megabytes(length) === limit ? `${length.toLocaleString('en')} ${unit}` : megabytes(length);
  return `too large (${size}; fwlang reads files of at most ${limit})`;
}

/**
 * Why `text` is not read as `.fw` text, if it is not: "not a text file (...)" or "too large
 * (...)". Every reader says then that nothing in it was read, once.
 */
export function unreadableReason(text: string): string | undefined {
  const large = tooLargeReason(text.length, 'characters');
  if (large) return large;
  const binary = binaryReason(text);
  return binary ? `not a text file (${binary})` : undefined;
}

/** How much of the start of a text is looked at for control characters. */
const BINARY_SAMPLE = 8192;
/** Share of control characters in that sample above which a text is taken for binary data. */
const BINARY_CONTROL_SHARE = 0.3;

/**
 * Why `text` is not a text file, if it is not: it holds a NUL (as git decides), or more than
 * 30% of its first 8,192 characters are control characters other than white space (or
 * U+FFFD, what undecodable bytes became). One diagnostic then, not one per character.
 */
export function binaryReason(text: string): string | undefined {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return `it holds NUL characters, the first at offset ${nul}`;
  const n = Math.min(text.length, BINARY_SAMPLE);
  if (n === 0) return undefined;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 11 && c !== 12 && c !== 13) || (c >= 0x7f && c <= 0x9f) || c === 0xfffd) control++;
  }
  if (control > n * BINARY_CONTROL_SHARE) {
    return `${Math.round((100 * control) / n)}% of its first ${n} characters are control characters`;
  }
  return undefined;
}

// ------------------------------------------------------------------ diagnostics

function tokenSpan(t: IToken): Span {
  return { start: tokenStart(t), end: tokenEnd(t) };
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

/** A diagnostic before sorting and capping; messages are made lazily (only if reported). */
export interface Pending {
  span: Span;
  message?: string;
  /** For parser errors: makes the message. */
  render?: () => string;
  related?: ManualError['related'];
  fixes?: ManualError['fixes'];
}

/** The pending diagnostics of one lexed and parsed text, in the order they are reported: lexer, parser, parser's own. */
export interface PendingGroups {
  /**
   * The lexer's runs of unknown characters themselves, in text order (offsets the file's): a
   * megabyte of junk is hundreds of thousands of them, and 100 diagnostics are reported, so
   * no pending object is made for each (issue 12: fuzzed documents).
   */
  unknown: IToken[];
  recognition: Pending[];
  manual: Pending[];
}

/**
 * The pending diagnostics of a parse (spans are the tokens' offsets); `text` is the parsed
 * text from offset `textOffset` on.
 */
export function pendingOf(
  text: string,
  lexed: LexOutput,
  recognition: IRecognitionException[],
  manual: ManualError[],
  eofWord: string,
  textOffset = 0,
): PendingGroups {
  const last = lexed.tokens[lexed.tokens.length - 1];
  const eofOffset = last ? tokenEnd(last) : 0;
  const out: PendingGroups = { unknown: lexed.unknown, recognition: [], manual: [] };

  for (const e of recognition) {
    const found = e.token as IToken | undefined;
    let span: Span;
    if (isEofToken(found)) {
      const prev = (e as { previousToken?: IToken }).previousToken;
      const at = prev && !isEofToken(prev) ? tokenEnd(prev) : eofOffset;
      span = { start: at, end: at };
    } else {
      span = tokenSpan(found!);
    }
    out.recognition.push({ span, render: () => recognitionMessage(e, eofWord, text, textOffset) });
  }

  for (const m of manual) {
    const p: Pending = { span: m.span, message: m.message.includes(EOF_MARK) ? m.message.split(EOF_MARK).join(eofWord) : m.message };
    if (m.related) p.related = m.related;
    if (m.fixes) p.fixes = m.fixes;
    out.manual.push(p);
  }
  return out;
}

function collectDiagnostics(
  text: string,
  lexed: LexOutput,
  recognition: IRecognitionException[],
  manual: ManualError[],
  eofWord: string,
  unreported?: number[],
): Diagnostic[] {
  const g = pendingOf(text, lexed, recognition, manual, eofWord);
  return finishDiagnostics(text.length, g.unknown, [...g.recognition, ...g.manual], unreported);
}

/**
 * Clamps into a text of length `n`, sorts by position (stable: lexer, then parser order),
 * keeps one diagnostic per position and at most MAX_SYNTAX_DIAGNOSTICS. `unknown` (the lexer's
 * runs of unknown characters, in text order) come before `pending` at the same position.
 * Neither is changed. The starts of the errors not reported go into `unreported`, in order.
 */
export function finishDiagnostics(n: number, unknown: readonly IToken[], pending: readonly Pending[], unreported?: number[]): Diagnostic[] {
  const clampOffset = (x: number): number => Math.min(Math.max(0, x === x ? x : 0), n);
  const clampStart = (s: Span): number => clampOffset(s.start);
  const clamp = (s: Span): Span => {
    const start = clampStart(s);
    const end = Math.min(Math.max(start, s.end === s.end ? s.end : start), n);
    return { start, end };
  };
  const unknownSpan = (t: IToken): Span => clamp(tokenSpan(t));
  // The lexer gives its runs in text order; anything else is sorted with the rest.
  for (let i = 1; i < unknown.length; i++) {
    if (!(unknown[i]!.startOffset > unknown[i - 1]!.startOffset)) {
      const all: Pending[] = unknown.map((t) => ({ span: tokenSpan(t), message: unexpectedCharacters(t.image) }));
      for (const p of pending) all.push(p);
      return finishDiagnostics(n, [], all, unreported);
    }
  }
  // Starts and order in typed arrays, the spans made only for what is reported: a megabyte of
  // junk is hundreds of thousands of pending errors, and 100 are reported (issue 12).
  const m = pending.length;
  const starts = new Float64Array(m);
  const order = new Int32Array(m);
  let sorted = true;
  for (let i = 0; i < m; i++) {
    starts[i] = clampStart(pending[i]!.span);
    order[i] = i;
    if (i > 0 && starts[i]! < starts[i - 1]!) sorted = false;
  }
  if (!sorted) order.sort((a, b) => starts[a]! - starts[b]! || a - b);

  const out: Diagnostic[] = [];
  let lastStart = -1;
  let dropped = 0;
  let firstDropped: Span | undefined;
  // Merged by position, the unknown runs first where both start at once.
  let u = 0;
  let k = 0;
  while (u < unknown.length || k < m) {
    const su = u < unknown.length ? clampOffset(unknown[u]!.startOffset) : Infinity;
    const sp = k < m ? starts[order[k]!]! : Infinity;
    const run = su <= sp ? unknown[u++]! : undefined;
    const p = run ? undefined : pending[order[k++]!]!;
    const start = run ? su : sp;
    if (start === lastStart) continue;
    lastStart = start;
    if (out.length >= MAX_SYNTAX_DIAGNOSTICS) {
      dropped++;
      firstDropped ??= run ? unknownSpan(run) : clamp(p!.span);
      unreported?.push(start);
      continue;
    }
    if (run) {
      out.push(diag('syntax', unknownSpan(run), unexpectedCharacters(run.image)));
      continue;
    }
    const span = clamp(p!.span);
    const message = p!.message ?? (p!.render ? p!.render() : '');
    const extra: Parameters<typeof diag>[3] = {};
    if (p!.related) extra.related = p!.related.map((r) => ({ ...r, span: clamp(r.span) }));
    if (p!.fixes) extra.fixes = p!.fixes;
    out.push(diag('syntax', span, message, extra));
  }
  if (dropped > 0 && firstDropped) {
    out.push(diag('syntax', firstDropped, `too many syntax errors: ${dropped} more not shown`));
  }
  return out;
}

function recognitionMessage(e: IRecognitionException, eofWord: string, text: string, textOffset = 0): string {
  const found = e.token as IToken | undefined;
  const prev = (e as { previousToken?: IToken }).previousToken;
  if (e.message.startsWith(MESSAGE_KEY)) {
    const key = e.message.slice(MESSAGE_KEY.length);
    return key === 'not-all-input'
      ? `unexpected ${describeToken(found, eofWord)} after the end of the input`
      : renderExpectedFound(key, found, prev, eofWord, found !== undefined && startsLine(text, found.startOffset - textOffset));
  }
  return `${e.message}, found ${describeToken(found, eofWord)}`;
}

function unexpectedCharacters(s: string): string {
  const chars = Array.from(s);
  const printable = chars.every((c) => {
    const cp = c.codePointAt(0)!;
    return cp > 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp <= 0xa0) && !(cp >= 0xd800 && cp <= 0xdfff) && cp !== 0xfffd;
  });
  const shown = chars.length > 20 ? chars.slice(0, 20) : chars;
  const more = chars.length > 20 ? '…' : '';
  if (printable) {
    const q = shown.join('') + more;
    return chars.length === 1 ? `unexpected character '${q}'` : `unexpected characters '${q}'`;
  }
  const codes = shown.map((c) => 'U+' + c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')).join(' ') + more;
  return chars.length === 1 ? `unexpected character ${codes}` : `unexpected characters ${codes}`;
}
