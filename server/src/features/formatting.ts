// Document formatting. Inside a firewall, each rule on its own line, indented by two
// spaces, its columns aligned (number, direction, action, protocol, `from` part, `to`
// part) and trailing comments lined up after the longest rule. Top-level statements start
// at column 0, one statement per line, one space between tokens; a block of declarations
// its author had lined up in columns stays lined up. Comments are kept; runs of blank lines
// become one. Idempotent. Nothing is done to a file with syntax errors.

import type { FormattingOptions, TextEdit } from 'vscode-languageserver';
import type { Diagnostic } from '../core/diagnostic';
import type { FileAst, FirewallDecl, RuleNode, Statement } from '../syntax/ast';
import { parse } from '../syntax/parse';
import { type Token, tokenize } from '../syntax/tokenize';
import { type DocContext, toRange } from './docContext';

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

function needsSpace(a: Token, b: Token): boolean {
  if (b.kind === 'comma' || b.kind === 'rbracket' || b.kind === 'colon' || b.kind === 'dash') return false;
  if (a.kind === 'lbracket' || a.kind === 'colon' || a.kind === 'dash') return false;
  return true;
}

/** Tokens joined by the house spacing: `[http, https]`, `1024-65535`, `bob:51000`, `a -> b`. */
function render(toks: Token[]): string {
  let out = '';
  toks.forEach((t, i) => {
    if (i > 0 && needsSpace(toks[i - 1]!, t)) out += ' ';
    out += t.text;
  });
  return out;
}

/** Index of the first item starting at or after `offset` (items sorted by start). */
function lowerBound(items: { start: number }[], offset: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The tokens (sorted, not overlapping) that lie within [start, end). */
function within(toks: Token[], start: number, end: number): Token[] {
  const out: Token[] = [];
  for (let i = lowerBound(toks, start); i < toks.length && toks[i]!.end <= end; i++) out.push(toks[i]!);
  return out;
}

/** The items (sorted by start) that start strictly inside (start, end). */
function startingInside<T extends { start: number }>(items: T[], start: number, end: number): T[] {
  const out: T[] = [];
  for (let i = lowerBound(items, start + 1); i < items.length && items[i]!.start < end; i++) out.push(items[i]!);
  return out;
}

function hasLineBreak(text: string, from: number, to: number): boolean {
  return /[\r\n]/.test(text.slice(from, to));
}

/** Whether the author padded between the tokens of a one-line statement (to line things up). */
function padded(text: string, toks: Token[]): boolean {
  for (let i = 1; i < toks.length; i++) {
    const gap = text.slice(toks[i - 1]!.end, toks[i]!.start);
    if (gap.length >= 2 && /^[ \t]+$/.test(gap)) return true;
  }
  return false;
}

/** The columns of a rule, or undefined when it has an unexpected shape. */
function ruleCells(rule: Token[]): string[] | undefined {
  let i = 0;
  const number = rule[0]?.kind === 'number' ? rule[i++]!.text : '';
  const [dir, action, proto] = [rule[i], rule[i + 1], rule[i + 2]];
  if (!dir || !action || !proto || dir.kind !== 'keyword' || action.kind !== 'keyword' || proto.kind !== 'keyword') return undefined;
  const rest = rule.slice(i + 3);
  const to = rest.findIndex((t) => t.kind === 'keyword' && t.text === 'to');
  const fromPart = to < 0 ? rest : rest.slice(0, to);
  const toPart = to < 0 ? [] : rest.slice(to);
  if (fromPart.length > 0 && !(fromPart[0]!.kind === 'keyword' && fromPart[0]!.text === 'from')) return undefined;
  return [number, dir.text, action.text, proto.text, render(fromPart), render(toPart)];
}

/** The columns of a declaration: keyword, name, value, `ephemeral` clause. */
function declCells(s: Statement, toks: Token[]): string[] | undefined {
  if (toks.length < 2 || toks[1]!.kind !== 'name') return undefined;
  const rest = toks.slice(2);
  if (s.kind === 'host' || s.kind === 'network') {
    const e = rest.findIndex((t) => t.kind === 'keyword' && t.text === 'ephemeral');
    const value = e < 0 ? rest : rest.slice(0, e);
    const clause = e < 0 ? [] : rest.slice(e);
    return [toks[0]!.text, toks[1]!.text, render(value), render(clause)];
  }
  return [toks[0]!.text, toks[1]!.text, render(rest), ''];
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
  trailing: Map<number, Token>;
  /** Comments on lines of their own. */
  standalone: Token[];
}

/**
 * Formats `text`; undefined when it should be left alone (it does not parse). `parsed` is
 * its syntax tree when already known to be free of syntax errors.
 */
function formatText(text: string, parsed: { ast: FileAst; diagnostics: Diagnostic[] } = parse(text)): string | undefined {
  if (parsed.diagnostics.some((d) => d.code === 'syntax')) return undefined;
  const all = tokenize(text);
  if (all.some((t) => t.kind === 'unknown')) return undefined;
  const toks = all.filter((t) => t.kind !== 'comment');
  const statements = parsed.ast.statements.filter((s): s is Statement => !!s).sort((a, b) => a.span.start - b.span.start);

  // Every token must belong to a statement, or the tree does not cover the text.
  let covered = 0;
  for (const s of statements) covered += within(toks, s.span.start, s.span.end).length;
  if (covered !== toks.length) return undefined;

  // Classify comments: trailing (after a token on the same line) or on a line of their own.
  const comments: Comments = { trailing: new Map(), standalone: [] };
  {
    let j = -1;
    for (const t of all) {
      if (t.kind !== 'comment') {
        j++;
        continue;
      }
      const prev = toks[j];
      if (prev && !hasLineBreak(text, prev.end, t.start)) comments.trailing.set(prev.end, t);
      else comments.standalone.push(t);
    }
  }
  const commentText = (t: Token) => t.text.trimEnd();
  const lastEnd = (ts: Token[]) => ts[ts.length - 1]?.end ?? -1;

  const rows: Row[] = [];
  let prevEnd = -1;
  /** Whether a blank line separated `offset` from the previous row's text. */
  const blankBefore = (offset: number) => {
    if (prevEnd < 0) return false;
    return /\r?\n[ \t]*\r?\n|\r[ \t]*\r/.test(text.slice(prevEnd, offset));
  };

  // Standalone comments and statements in text order.
  type Item = { kind: 'comment'; token: Token } | { kind: 'statement'; s: Statement };
  const items: Item[] = [
    ...comments.standalone.map((token) => ({ kind: 'comment' as const, token })),
    ...statements.map((s) => ({ kind: 'statement' as const, s })),
  ].sort((a, b) => (a.kind === 'comment' ? a.token.start : a.s.span.start) - (b.kind === 'comment' ? b.token.start : b.s.span.start));

  const statementStarts = statements.map((s) => ({ start: s.span.start, s }));
  const insideStatement = (c: Token) => {
    const i = lowerBound(statementStarts, c.start) - 1;
    const s = statementStarts[i]?.s;
    return s && s.span.start < c.start && c.start < s.span.end ? s : undefined;
  };
  const trailingSorted = [...comments.trailing.values()].sort((a, b) => a.start - b.start);

  for (const item of items) {
    if (item.kind === 'comment') {
      const owner = insideStatement(item.token);
      if (owner) continue; // Handled with its statement (firewall body or verbatim).
      rows.push({ indent: '', text: commentText(item.token), blankBefore: blankBefore(item.token.start) });
      prevEnd = item.token.end;
      continue;
    }
    const s = item.s;
    const stoks = within(toks, s.span.start, s.span.end);
    const end = lastEnd(stoks);
    const inner = startingInside(comments.standalone, s.span.start, s.span.end);
    const innerTrailing = startingInside(trailingSorted, s.span.start, end);
    const trailing = comments.trailing.get(end);
    if (s.kind === 'firewall') {
      const fwComments: Comments = {
        trailing: comments.trailing,
        standalone: inner,
      };
      const fwRows = firewallRows(text, s, stoks, fwComments, [...inner, ...innerTrailing], blankBefore(s.span.start));
      if (fwRows) rows.push(...fwRows);
      else rows.push(verbatimRow(text, s, stoks, trailing, blankBefore(s.span.start)));
    } else if (inner.length > 0 || innerTrailing.length > 0) {
      rows.push(verbatimRow(text, s, stoks, trailing, blankBefore(s.span.start)));
    } else {
      const row: Row = { indent: '', text: render(stoks), blankBefore: blankBefore(s.span.start) };
      if (trailing) row.comment = commentText(trailing);
      if (s.kind === 'host' || s.kind === 'network' || s.kind === 'service' || s.kind === 'ephemeral') {
        const cells = declCells(s, stoks);
        if (cells) {
          row.cells = cells;
          row.decl = { aligned: padded(text, stoks) };
        }
      }
      rows.push(row);
    }
    prevEnd = trailing?.end ?? end;
  }

  groupTopLevel(rows);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  for (const row of rows) {
    if (row.blankBefore && out.length > 0) out.push('');
    out.push(renderRow(row));
  }
  return out.length > 0 ? out.join(eol) + eol : text.trim() === '' ? '' : undefined;
}

function verbatimRow(text: string, s: Statement, stoks: Token[], trailing: Token | undefined, blank: boolean): Row {
  const end = stoks[stoks.length - 1]?.end ?? s.span.end;
  const row: Row = {
    indent: '',
    text: text.slice(s.span.start, end).replace(/[ \t]+(\r?\n|\r)/g, '$1'),
    blankBefore: blank,
    verbatim: true,
  };
  if (trailing) row.comment = trailing.text.trimEnd();
  return row;
}

/** The rows of a firewall: header, rules (aligned), body comments, closing brace. */
function firewallRows(
  text: string,
  s: FirewallDecl,
  stoks: Token[],
  comments: Comments,
  inside: Token[],
  blank: boolean,
): Row[] | undefined {
  if (!s.body) return undefined;
  const open = stoks.find((t) => t.kind === 'lcurly');
  const close = stoks[stoks.length - 1];
  if (!open || close?.kind !== 'rcurly') return undefined;
  const rules = s.rules.filter((r): r is RuleNode => !!r).sort((a, b) => a.span.start - b.span.start);
  const header = stoks.filter((t) => t.end <= open.end);
  // A comment inside the header or a rule: keep the firewall as written.
  // The spans are sorted and apart: the one a comment could be in is the last starting before it
  // (looking through all of them for each comment was quadratic: 5,000 rules with comments).
  const spans = [{ start: s.span.start, end: open.start }, ...rules.map((r) => r.span)];
  if (
    inside.some((c) => {
      const sp = spans[lowerBound(spans, c.start) - 1];
      return sp !== undefined && c.start < sp.end;
    })
  )
    return undefined;
  // Every body token must belong to a rule.
  const bodyToks = stoks.filter((t) => t.start > open.start && t !== close);
  const ruleToks = rules.map((r) => within(stoks, r.span.start, r.span.end));
  if (ruleToks.reduce((n, r) => n + r.length, 0) !== bodyToks.length) return undefined;

  const rows: Row[] = [];
  const headerRow: Row = { indent: '', text: render(header), blankBefore: blank };
  const afterOpen = comments.trailing.get(open.end);
  if (afterOpen) headerRow.comment = afterOpen.text.trimEnd();
  rows.push(headerRow);

  const group: CellGroup = { rows: [], rightAligned: [true, false, false, false, false, false] };
  const commentGroup: Row[] = [];
  let prevEnd = afterOpen?.end ?? open.end;
  const blankBefore = (offset: number) => rows.length > 1 && /\r?\n[ \t]*\r?\n|\r[ \t]*\r/.test(text.slice(prevEnd, offset));

  type Item = { start: number; rule?: RuleNode; toks?: Token[]; comment?: Token };
  const items: Item[] = [
    ...rules.map((rule, i) => ({ start: rule.span.start, rule, toks: ruleToks[i]! })),
    ...startingInside(comments.standalone, open.start, close.start).map((comment) => ({ start: comment.start, comment })),
  ].sort((a, b) => a.start - b.start);
  for (const it of items) {
    if (it.comment) {
      rows.push({ indent: INDENT, text: it.comment.text.trimEnd(), blankBefore: blankBefore(it.start) });
      prevEnd = it.comment.end;
      continue;
    }
    const toks = it.toks!;
    const end = toks[toks.length - 1]?.end ?? it.start;
    const row: Row = { indent: INDENT, text: render(toks), blankBefore: blankBefore(it.start) };
    const cells = ruleCells(toks);
    if (cells) {
      row.cells = cells;
      row.cellGroup = group;
      group.rows.push(row);
    }
    const trailing = comments.trailing.get(end);
    if (trailing) row.comment = trailing.text.trimEnd();
    row.commentGroup = commentGroup;
    commentGroup.push(row);
    rows.push(row);
    prevEnd = trailing?.end ?? end;
  }
  const closeRow: Row = { indent: '', text: '}', blankBefore: false };
  const afterClose = comments.trailing.get(close.end);
  if (afterClose) closeRow.comment = afterClose.text.trimEnd();
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
