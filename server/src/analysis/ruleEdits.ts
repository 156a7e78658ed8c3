// How the rule analyses name rules in messages ("rule 100", "the rule on line 12") and the
// text edits of their quick fixes (remove a rule with its line, move it above another).

import type { Span, TextEdit } from '../core/diagnostic';
import type { LineIndex } from '../core/text';
import type { ResolvedRule } from '../model/types';

/** `rule 100`, or `the rule on line 12` for an unnumbered rule. */
export function ruleName(r: ResolvedRule, lines: LineIndex): string {
  return r.number !== undefined ? `rule ${r.number}` : `the rule on line ${lines.position(r.node.span.start).line + 1}`;
}

function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `rule 100`, `rules 100 and 110`, `the rules on lines 3 and 4`, mixed forms when mixed. */
export function ruleNames(rules: ResolvedRule[], lines: LineIndex, max = 6): string {
  if (rules.length === 1) return ruleName(rules[0]!, lines);
  const shown = rules.slice(0, max);
  const more = rules.length - shown.length;
  const tail = more > 0 ? [`${more} more`] : [];
  if (shown.every((r) => r.number !== undefined)) return `rules ${joinWords([...shown.map((r) => String(r.number)), ...tail])}`;
  if (shown.every((r) => r.number === undefined)) {
    return `the rules on lines ${joinWords([...shown.map((r) => String(lines.position(r.node.span.start).line + 1)), ...tail])}`;
  }
  return joinWords([...shown.map((r) => ruleName(r, lines)), ...tail]);
}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';
const isEol = (c: string | undefined) => c === '\n' || c === '\r';

/**
 * The text to delete to remove a rule: its whole line(s) with the newline and a trailing
 * comment, plus `# fw-ignore` lines right above it, when the rule is alone on its lines;
 * else just the rule and the blanks after it. `whole` tells which.
 */
function ruleDeletion(text: string, span: Span): { span: Span; whole: boolean } {
  let start = span.start;
  while (start > 0 && isBlank(text[start - 1])) start--;
  const atLineStart = start === 0 || isEol(text[start - 1]);
  let end = span.end;
  while (end < text.length && isBlank(text[end])) end++;
  if (text[end] === '#') while (end < text.length && !isEol(text[end])) end++;
  const atLineEnd = end === text.length || isEol(text[end]);
  if (!atLineStart || !atLineEnd) {
    let e = span.end;
    while (e < text.length && isBlank(text[e])) e++;
    return { span: { start: span.start, end: e }, whole: false };
  }
  if (text[end] === '\r' && text[end + 1] === '\n') end += 2;
  else if (end < text.length) end += 1;
  // `# fw-ignore` lines right above belong to the rule.
  for (;;) {
    if (start === 0) break;
    let prevEnd = start - 1;
    if (text[prevEnd] === '\n' && text[prevEnd - 1] === '\r') prevEnd--;
    let prevStart = prevEnd;
    while (prevStart > 0 && !isEol(text[prevStart - 1])) prevStart--;
    if (!/^\s*#\s*fw-ignore\b/.test(text.slice(prevStart, prevEnd))) break;
    start = prevStart;
  }
  return { span: { start, end }, whole: true };
}

/** Edits that remove a rule. */
export function removeRuleEdits(text: string, rule: ResolvedRule): TextEdit[] {
  return [{ span: ruleDeletion(text, rule.node.span).span, newText: '' }];
}

/**
 * Edits that move `rule` (unnumbered, alone on its lines) to just above `target` (alone on
 * its line too), or undefined when the text does not allow it.
 */
export function moveAboveEdits(text: string, rule: ResolvedRule, target: ResolvedRule): TextEdit[] | undefined {
  const del = ruleDeletion(text, rule.node.span);
  const at = ruleDeletion(text, target.node.span);
  if (!del.whole || !at.whole || at.span.start >= del.span.start) return undefined;
  let moved = text.slice(del.span.start, del.span.end);
  if (!isEol(moved[moved.length - 1])) moved += text.includes('\r\n') ? '\r\n' : '\n';
  return [
    { span: { start: at.span.start, end: at.span.start }, newText: moved },
    { span: del.span, newText: '' },
  ];
}

/**
 * A free rule number that puts a rule just before `target` in evaluation order: above the
 * number of the rule before `target` (`below`, if any) and under `target`'s. Prefers round numbers.
 */
export function numberBefore(targetNumber: number, below: number | undefined): number | undefined {
  const lo = (below ?? 0) + 1;
  const hi = targetNumber - 1;
  if (lo > hi) return undefined;
  for (const step of [100, 10, 5]) {
    const n = Math.floor(hi / step) * step;
    if (n >= lo) return n;
  }
  return hi;
}
