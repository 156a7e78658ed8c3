// Document formatting. Inside a firewall, each rule on its own line, indented by two
// spaces, its columns aligned (number, direction, action, protocol, `from` part, `to`
// part) and trailing comments lined up after the longest rule. Top-level statements start
// at column 0, one statement per line, one space between tokens; a block of declarations
// its author had lined up in columns stays lined up. Comments are kept; runs of blank lines
// become one. Idempotent. Nothing is done to a file with syntax errors.

import type { IToken } from 'chevrotain';
import type { FormattingOptions, TextEdit } from 'vscode-languageserver';
import type { Diagnostic } from '../core/diagnostic';
import type { FileAst, FirewallDecl, RuleNode, Statement } from '../syntax/ast';
import { parse } from '../syntax/parse';
import { type TokenKind, kindOfType } from '../syntax/tokenize';
import { lex, tokenEnd } from '../syntax/tokens';
import { type DocContext, toRange } from './docContext';

// The lexer's own tokens, read where they lie (a statement is a range of indices into them):
// no copy of each token and no list per statement (a megabyte to format has 300,000 tokens).

const INDENT = '  ';

/** One output line (or, for `verbatim`, several lines kept as written). */
interface Row {
  indent: string;
  /** Cells of an aligned row; `text` when the row is not aligned. */
  cells?: string[];
  text: string;
  comment?: string;
  blankBefore: boolean;
  /** Rows sharing cell widths. */
  cellGroup?: CellGroup;
  /** Rows whose trailing comments line up. */
  commentGroup?: Row[];
  verbatim?: boolean;
  /** A top-level declaration that could be aligned with its neighbours. */
  decl?: { aligned: boolean };
}

interface CellGroup {
  rows: Row[];
  /** Per column: pad on the left (numbers) or on the right. */
  rightAligned: boolean[];
}

const kindOf = (t: IToken): TokenKind => kindOfType(t.tokenType);

function isKeyword(t: IToken, word: string): boolean {
  return t.image === word && kindOf(t) === 'keyword';
}

function needsSpace(a: IToken, b: IToken): boolean {
  const kb = kindOf(b);
  if (kb === 'comma' || kb === 'rbracket' || kb === 'colon' || kb === 'dash') return false;
  const ka = kindOf(a);
  if (ka === 'lbracket' || ka === 'colon' || ka === 'dash') return false;
  return true;
}

/** Tokens `from` to `to` (not included) joined by the house spacing: `[http, https]`, `1024-65535`, `bob:51000`, `a -> b`. */
function render(toks: IToken[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) {
    if (i > from && needsSpace(toks[i - 1]!, toks[i]!)) out += ' ';
    out += toks[i]!.image;
  }
  return out;
}

/** Index of the first item starting at or after `offset` (items sorted by `startOf`). */
function lowerBound<T>(items: T[], offset: number, startOf: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (startOf(items[mid]!) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const tokenStart = (t: IToken): number => t.startOffset;
const spanStart = (s: { start: number }): number => s.start;

/**
 * The tokens (sorted, not overlapping) that lie within [start, end), among those from `lo` to
 * `hi`: the indices `[first, last + 1]`.
 */
function within(toks: IToken[], start: number, end: number, lo = 0, hi = toks.length): [number, number] {
  const from = Math.min(Math.max(lowerBound(toks, start, tokenStart), lo), hi);
  let to = from;
  while (to < hi && tokenEnd(toks[to]!) <= end) to++;
  return [from, to];
}

/** The tokens (comments, sorted) that start strictly inside (start, end). */
function startingInside(items: IToken[], start: number, end: number): IToken[] {
  const out: IToken[] = [];
  for (let i = lowerBound(items, start + 1, tokenStart); i < items.length && items[i]!.startOffset < end; i++) out.push(items[i]!);
  return out;
}

function hasLineBreak(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return true;
  }
  return false;
}

/** Whether the author padded between the tokens `from` to `to` of a one-line statement (to line things up). */
function padded(text: string, toks: IToken[], from: number, to: number): boolean {
  for (let i = from + 1; i < to; i++) {
    const gap = text.slice(tokenEnd(toks[i - 1]!), toks[i]!.startOffset);
    if (gap.length >= 2 && /^[ \t]+$/.test(gap)) return true;
  }
  return false;
}

/** The first index from `from` to `to` of the keyword `word`, or `to`. */
function keywordAt(toks: IToken[], word: string, from: number, to: number): number {
  for (let i = from; i < to; i++) if (isKeyword(toks[i]!, word)) return i;
  return to;
}

/** The columns of the rule of tokens `from` to `to`, or undefined when it has an unexpected shape. */
function ruleCells(toks: IToken[], from: number, to: number): string[] | undefined {
  let i = from;
  const number = i < to && kindOf(toks[i]!) === 'number' ? toks[i++]!.image : '';
  const [dir, action, proto] = [i < to ? toks[i] : undefined, i + 1 < to ? toks[i + 1] : undefined, i + 2 < to ? toks[i + 2] : undefined];
  if (!dir || !action || !proto || kindOf(dir) !== 'keyword' || kindOf(action) !== 'keyword' || kindOf(proto) !== 'keyword')
    return undefined;
  const rest = i + 3;
  const split = keywordAt(toks, 'to', rest, to);
  if (split > rest && !isKeyword(toks[rest]!, 'from')) return undefined;
  return [number, dir.image, action.image, proto.image, render(toks, rest, split), render(toks, split, to)];
}

/** The columns of a declaration of tokens `from` to `to`: keyword, name, value, `ephemeral` clause. */
function declCells(s: Statement, toks: IToken[], from: number, to: number): string[] | undefined {
  if (to - from < 2 || kindOf(toks[from + 1]!) !== 'name') return undefined;
  const rest = from + 2;
  if (s.kind === 'host' || s.kind === 'network') {
    const e = keywordAt(toks, 'ephemeral', rest, to);
    return [toks[from]!.image, toks[from + 1]!.image, render(toks, rest, e), render(toks, e, to)];
  }
  return [toks[from]!.image, toks[from + 1]!.image, render(toks, rest, to), ''];
}

function layoutCells(row: Row, widths: number[], right: boolean[]): string {
  const parts: string[] = [];
  row.cells!.forEach((c, i) => {
    const w = widths[i]!;
    if (w === 0) return;
    parts.push(right[i] ? c.padStart(w) : c.padEnd(w));
  });
  return parts.join(' ').trimEnd();
}

interface Comments {
  /** Comments by the offset of the token they follow on its line. */
  trailing: Map<number, IToken>;
  /** Comments on lines of their own. */
  standalone: IToken[];
}

/**
 * How much text is lexed at once: the tokens of one piece of the file die before the next is
 * lexed (a megabyte's 300,000 tokens, all alive at once, were most of formatting's time, in
 * the collector). Pieces are cut where a statement starts, as the incremental parser cuts them.
 */
const PIECE_CHARS = 16_384;

/**
 * Formats `text`; undefined when it should be left alone (it does not parse). `parsed` is
 * its syntax tree when already known to be free of syntax errors. `pieceChars`: how much is
 * lexed at once (any size gives the same text; the tests hold it).
 */
export function formatText(
  text: string,
  parsed: { ast: FileAst; diagnostics: Diagnostic[] } = parse(text),
  pieceChars = PIECE_CHARS,
): string | undefined {
  if (parsed.diagnostics.some((d) => d.code === 'syntax')) return undefined;
  const statements = parsed.ast.statements.filter((s): s is Statement => !!s).sort((a, b) => a.span.start - b.span.start);

  const rows: Row[] = [];
  let prevEnd = -1;
  /** Whether a blank line separated `offset` from the previous row's text. */
  const blankBefore = (offset: number) => {
    if (prevEnd < 0) return false;
    return /\r?\n[ \t]*\r?\n|\r[ \t]*\r/.test(text.slice(prevEnd, offset));
  };
  const commentText = (t: IToken) => t.image.trimEnd();
  const eol = text.includes('\r\n') ? '\r\n' : '\n';

  /**
   * The rows of the text from `base` to `end`: the statements `stmts` (all that start there),
   * and the comments. False when the text should be left alone.
   */
  const piece = (base: number, end: number, stmts: Statement[]): boolean => {
    let lexed: ReturnType<typeof lex>;
    try {
      lexed = lex(text.slice(base, end));
    } catch {
      return false;
    }
    if (lexed.unknown.length > 0) return false;
    const toks = lexed.tokens;
    for (const t of toks) t.startOffset += base;
    for (const t of lexed.comments) t.startOffset += base;

    // Every token must belong to a statement, or the tree does not cover the text.
    let covered = 0;
    for (const s of stmts) {
      const [from, to] = within(toks, s.span.start, s.span.end);
      covered += to - from;
    }
    if (covered !== toks.length) return false;

    // Classify comments: trailing (after a token on the same line) or on a line of their own.
    // A piece starts with a statement's first token (or the file), so the token a comment
    // follows is in the same piece.
    const comments: Comments = { trailing: new Map(), standalone: [] };
    const trailingSorted: IToken[] = [];
    {
      let j = 0;
      for (const c of lexed.comments) {
        while (j < toks.length && toks[j]!.startOffset < c.startOffset) j++;
        const prev = j > 0 ? toks[j - 1]! : undefined;
        if (prev && !hasLineBreak(text, tokenEnd(prev), c.startOffset)) {
          comments.trailing.set(tokenEnd(prev), c);
          trailingSorted.push(c);
        } else comments.standalone.push(c);
      }
    }

    // Standalone comments and statements in text order.
    type Item = { kind: 'comment'; token: IToken } | { kind: 'statement'; s: Statement };
    const items: Item[] = [
      ...comments.standalone.map((token) => ({ kind: 'comment' as const, token })),
      ...stmts.map((s) => ({ kind: 'statement' as const, s })),
    ].sort(
      (a, b) =>
        (a.kind === 'comment' ? a.token.startOffset : a.s.span.start) - (b.kind === 'comment' ? b.token.startOffset : b.s.span.start),
    );

    const statementStarts = stmts.map((s) => ({ start: s.span.start, s }));
    const insideStatement = (c: IToken) => {
      const i = lowerBound(statementStarts, c.startOffset, spanStart) - 1;
      const s = statementStarts[i]?.s;
      return s && s.span.start < c.startOffset && c.startOffset < s.span.end ? s : undefined;
    };

    for (const item of items) {
      if (item.kind === 'comment') {
        const owner = insideStatement(item.token);
        if (owner) continue; // Handled with its statement (firewall body or verbatim).
        rows.push({ indent: '', text: commentText(item.token), blankBefore: blankBefore(item.token.startOffset) });
        prevEnd = tokenEnd(item.token);
        continue;
      }
      const s = item.s;
      const [from, to] = within(toks, s.span.start, s.span.end);
      const end = to > from ? tokenEnd(toks[to - 1]!) : -1;
      const inner = startingInside(comments.standalone, s.span.start, s.span.end);
      const innerTrailing = startingInside(trailingSorted, s.span.start, end);
      const trailing = comments.trailing.get(end);
      if (s.kind === 'firewall') {
        const fwComments: Comments = {
          trailing: comments.trailing,
          standalone: inner,
        };
        const fwRows = firewallRows(text, s, toks, from, to, fwComments, [...inner, ...innerTrailing], blankBefore(s.span.start));
        if (fwRows) rows.push(block(fwRows, eol));
        else rows.push(verbatimRow(text, s, end, trailing, blankBefore(s.span.start)));
      } else if (inner.length > 0 || innerTrailing.length > 0) {
        rows.push(verbatimRow(text, s, end, trailing, blankBefore(s.span.start)));
      } else {
        const row: Row = { indent: '', text: render(toks, from, to), blankBefore: blankBefore(s.span.start) };
        if (trailing) row.comment = commentText(trailing);
        if (s.kind === 'host' || s.kind === 'network' || s.kind === 'service' || s.kind === 'ephemeral') {
          const cells = declCells(s, toks, from, to);
          if (cells) {
            row.cells = cells;
            row.decl = { aligned: padded(text, toks, from, to) };
          }
        }
        rows.push(row);
      }
      prevEnd = trailing ? tokenEnd(trailing) : end;
    }
    return true;
  };

  // Pieces of at least PIECE_CHARS (or the rest of the file), each from a statement's start
  // (the first from the file's) to the next piece's.
  let first = 0;
  let base = 0;
  for (;;) {
    let next = Math.min(first + 1, statements.length);
    while (next < statements.length && statements[next]!.span.start - base < pieceChars) next++;
    const end = next < statements.length ? statements[next]!.span.start : text.length;
    if (!piece(base, end, statements.slice(first, next))) return undefined;
    if (next >= statements.length) break;
    first = next;
    base = end;
  }

  groupTopLevel(rows);
  const out: string[] = [];
  for (const row of rows) {
    if (row.blankBefore && out.length > 0) out.push('');
    out.push(renderRow(row));
  }
  return out.length > 0 ? out.join(eol) + eol : text.trim() === '' ? '' : undefined;
}

/**
 * A firewall's rows written out at once, as one row kept as it is: they line up among
 * themselves only, and a file's 10,000 rules need not wait as rows for the end.
 */
function block(rs: Row[], eol: string): Row {
  const lines: string[] = [];
  rs.forEach((r, i) => {
    if (i > 0 && r.blankBefore) lines.push('');
    lines.push(renderRow(r));
  });
  return { indent: '', text: lines.join(eol), blankBefore: rs[0]!.blankBefore, verbatim: true };
}

/** A statement as written, to the end of its last token (`end`, or -1 when it has none). */
function verbatimRow(text: string, s: Statement, end: number, trailing: IToken | undefined, blank: boolean): Row {
  const row: Row = {
    indent: '',
    text: text.slice(s.span.start, end < 0 ? s.span.end : end).replace(/[ \t]+(\r?\n|\r)/g, '$1'),
    blankBefore: blank,
    verbatim: true,
  };
  if (trailing) row.comment = trailing.image.trimEnd();
  return row;
}

/** The rows of a firewall of tokens `from` to `to`: header, rules (aligned), body comments, closing brace. */
function firewallRows(
  text: string,
  s: FirewallDecl,
  toks: IToken[],
  from: number,
  to: number,
  comments: Comments,
  inside: IToken[],
  blank: boolean,
): Row[] | undefined {
  if (!s.body) return undefined;
  let openAt = from;
  while (openAt < to && kindOf(toks[openAt]!) !== 'lcurly') openAt++;
  const close = to > from ? toks[to - 1]! : undefined;
  if (openAt === to || !close || kindOf(close) !== 'rcurly') return undefined;
  const open = toks[openAt]!;
  const rules = s.rules.filter((r): r is RuleNode => !!r).sort((a, b) => a.span.start - b.span.start);
  // A comment inside the header or a rule: keep the firewall as written.
  // The spans are sorted and apart: the one a comment could be in is the last starting before it
  // (looking through all of them for each comment was quadratic: 5,000 rules with comments).
  const spans = [{ start: s.span.start, end: open.startOffset }, ...rules.map((r) => r.span)];
  if (
    inside.some((c) => {
      const sp = spans[lowerBound(spans, c.startOffset, spanStart) - 1];
      return sp !== undefined && c.startOffset < sp.end;
    })
  )
    return undefined;
  // Every body token (after the `{`, before the `}`) must belong to a rule.
  const ruleToks = rules.map((r) => within(toks, r.span.start, r.span.end, from, to));
  if (ruleToks.reduce((n, [a, b]) => n + b - a, 0) !== to - openAt - 2) return undefined;

  const rows: Row[] = [];
  // The header: the tokens to the `{` (sorted and apart, they are those that end by its end).
  const headerRow: Row = { indent: '', text: render(toks, from, openAt + 1), blankBefore: blank };
  const afterOpen = comments.trailing.get(tokenEnd(open));
  if (afterOpen) headerRow.comment = afterOpen.image.trimEnd();
  rows.push(headerRow);

  const group: CellGroup = { rows: [], rightAligned: [true, false, false, false, false, false] };
  const commentGroup: Row[] = [];
  let prevEnd = afterOpen ? tokenEnd(afterOpen) : tokenEnd(open);
  const blankBefore = (offset: number) => rows.length > 1 && /\r?\n[ \t]*\r?\n|\r[ \t]*\r/.test(text.slice(prevEnd, offset));

  type Item = { start: number; rule?: RuleNode; toks?: [number, number]; comment?: IToken };
  const items: Item[] = [
    ...rules.map((rule, i) => ({ start: rule.span.start, rule, toks: ruleToks[i]! })),
    ...startingInside(comments.standalone, open.startOffset, close.startOffset).map((comment) => ({ start: comment.startOffset, comment })),
  ].sort((a, b) => a.start - b.start);
  for (const it of items) {
    if (it.comment) {
      rows.push({ indent: INDENT, text: it.comment.image.trimEnd(), blankBefore: blankBefore(it.start) });
      prevEnd = tokenEnd(it.comment);
      continue;
    }
    const [a, b] = it.toks!;
    const end = b > a ? tokenEnd(toks[b - 1]!) : it.start;
    const row: Row = { indent: INDENT, text: render(toks, a, b), blankBefore: blankBefore(it.start) };
    const cells = ruleCells(toks, a, b);
    if (cells) {
      row.cells = cells;
      row.cellGroup = group;
      group.rows.push(row);
    }
    const trailing = comments.trailing.get(end);
    if (trailing) row.comment = trailing.image.trimEnd();
    row.commentGroup = commentGroup;
    commentGroup.push(row);
    rows.push(row);
    prevEnd = trailing ? tokenEnd(trailing) : end;
  }
  const closeRow: Row = { indent: '', text: '}', blankBefore: false };
  const afterClose = comments.trailing.get(tokenEnd(close));
  if (afterClose) closeRow.comment = afterClose.image.trimEnd();
  rows.push(closeRow);
  return rows;
}

/** Top-level runs (consecutive one-line rows): aligned declarations, lined-up comments. */
function groupTopLevel(rows: Row[]): void {
  let run: Row[] = [];
  const flush = () => {
    // Declarations its author lined up (any padded line) stay in columns.
    let decls: Row[] = [];
    const flushDecls = () => {
      if (decls.length >= 2 && decls.some((r) => r.decl?.aligned)) {
        const group: CellGroup = { rows: decls, rightAligned: [false, false, false, false] };
        for (const r of decls) r.cellGroup = group;
      }
      decls = [];
    };
    for (const r of run) {
      if (r.decl) decls.push(r);
      else flushDecls();
    }
    flushDecls();
    if (run.length > 1) for (const r of run) r.commentGroup = run;
    run = [];
  };
  for (const r of rows) {
    const oneLine = r.indent === '' && !r.verbatim && r.text !== '}' && !r.text.startsWith('#') && !r.text.endsWith('{');
    if (!oneLine || r.blankBefore) flush();
    if (oneLine) run.push(r);
  }
  flush();
}

const widthCache = new WeakMap<CellGroup, number[]>();

function groupWidths(g: CellGroup): number[] {
  let w = widthCache.get(g);
  if (!w) {
    w = [];
    for (const r of g.rows) r.cells!.forEach((c, i) => (w![i] = Math.max(w![i] ?? 0, c.length)));
    widthCache.set(g, w);
  }
  return w;
}

/** The row without its comment. */
function rowCode(row: Row): string {
  if (row.cells && row.cellGroup) return row.indent + layoutCells(row, groupWidths(row.cellGroup), row.cellGroup.rightAligned);
  if (row.verbatim) return row.text;
  return row.indent + row.text;
}

const commentColumns = new WeakMap<Row[], number>();

function lastLineLength(s: string): number {
  const i = Math.max(s.lastIndexOf('\n'), s.lastIndexOf('\r'));
  return s.length - i - 1;
}

function renderRow(row: Row): string {
  const code = rowCode(row);
  if (!row.comment) return code;
  if (!row.commentGroup) return `${code} ${row.comment}`;
  let col = commentColumns.get(row.commentGroup);
  if (col === undefined) {
    col = Math.max(...row.commentGroup.map((r) => lastLineLength(rowCode(r)))) + 1;
    commentColumns.set(row.commentGroup, col);
  }
  return code.padEnd(col) + row.comment;
}

/**
 * Whether the root file's `syntax` diagnostics outnumber those the resolver itself reports
 * under that code (one per firewall without `protects`, and an internal error while resolving):
 * then at least one of them is the parser's. Included files' errors are not among them (they
 * come as one `include-error`).
 */
function syntaxErrorsBeyondResolver(diagnostics: readonly Diagnostic[], ast: FileAst, root: string): boolean {
  let resolver = 0;
  for (const s of ast.statements) if (s?.kind === 'firewall' && s.name?.text && !s.protectsKeyword && s.protects.length === 0) resolver++;
  let syntax = 0;
  for (const d of diagnostics) {
    if (d.code !== 'syntax' || (d.file !== undefined && d.file !== root)) continue;
    if (d.message.startsWith('internal error while resolving')) resolver++;
    syntax++;
  }
  return syntax > resolver;
}

export function formatting(ctx: DocContext, _options?: FormattingOptions): TextEdit[] {
  const { model } = ctx.analysis;
  // The model's tree is reused unless some `syntax` diagnostic needs a closer look (the
  // resolver reports a few of its own under that code).
  const clean = !model.diagnostics.some((d) => d.code === 'syntax');
  // More of them than the resolver's own: the parse found an error, and a second parse (seconds
  // on a megabyte of brackets) would only say so again.
  if (!clean && syntaxErrorsBeyondResolver(model.diagnostics, model.ast, model.root)) return [];
  const formatted = clean ? formatText(ctx.text, { ast: model.ast, diagnostics: [] }) : formatText(ctx.text);
  if (formatted === undefined || formatted === ctx.text) return [];
  // One edit covering what differs between the common prefix and suffix.
  const a = ctx.text;
  const b = formatted;
  let start = 0;
  while (start < a.length && start < b.length && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  // Keep the edit from splitting a \r\n pair.
  if (start > 0 && a.charCodeAt(start - 1) === 13 && a.charCodeAt(start) === 10) start--;
  if (endA > start && a.charCodeAt(endA - 1) === 13 && a.charCodeAt(endA) === 10) {
    endA++;
    endB++;
  }
  return [{ range: toRange(ctx.lines, { start, end: endA }), newText: b.slice(start, endB) }];
}
