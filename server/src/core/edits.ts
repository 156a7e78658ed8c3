// Applying text edits: the same code serves `fwlang check --fix` and the tests of quick fixes.

import type { Diagnostic, TextEdit } from './diagnostic';

/** Applies non-overlapping edits (overlapping ones after the first are skipped). */
export function applyEdits(text: string, edits: TextEdit[]): { text: string; applied: TextEdit[] } {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  const applied: TextEdit[] = [];
  let lastEnd = -1;
  for (const e of sorted) {
    if (e.span.start < lastEnd) continue;
    // Two insertions at one point are both kept, in order.
    applied.push(e);
    lastEnd = Math.max(lastEnd, e.span.end);
  }
  let out = '';
  let pos = 0;
  for (const e of applied) {
    out += text.slice(pos, e.span.start) + e.newText;
    pos = e.span.end;
  }
  out += text.slice(pos);
  return { text: out, applied };
}

/**
 * The safe fixes of a file's diagnostics, at most one per diagnostic, skipping any fix that
 * overlaps one already chosen (they are re-derived on the next round).
 */
export function safeFixEdits(diagnostics: Diagnostic[], file?: string): { edits: TextEdit[]; fixed: Diagnostic[] } {
  const edits: TextEdit[] = [];
  const fixed: Diagnostic[] = [];
  const taken: { start: number; end: number }[] = [];
  for (const d of diagnostics) {
    const fix = d.fixes?.find((f) => f.safe);
    if (!fix) continue;
    const mine = fix.edits.filter((e) => (e.file ?? d.file) === file);
    if (mine.length !== fix.edits.length) continue;
    const overlaps = mine.some((e) =>
      taken.some(
        (t) =>
          (e.span.start < t.end && t.start < e.span.end) ||
          (e.span.start === t.start && e.span.end === t.end && e.span.start !== e.span.end),
      ),
    );
    if (overlaps) continue;
    for (const e of mine) taken.push(e.span);
    edits.push(...mine);
    fixed.push(d);
  }
  return { edits, fixed };
}
