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
 * The spans of the fixes chosen so far, to find in O(log n) whether a new span overlaps one:
 * the non-empty ones as sorted intervals (those that overlap merged: a span overlaps the
 * merged interval exactly when it overlaps one of those in it), and the empty ones' points.
 * Two empty spans at one point do not overlap; an empty span overlaps a non-empty one
 * strictly around it.
 */
class TakenSpans {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly points: number[] = [];

  overlaps({ start, end }: { start: number; end: number }): boolean {
    // The first interval that ends after `start` is the only one that may overlap.
    const i = firstAbove(this.ends, start);
    if (i < this.ends.length && this.starts[i]! < (end > start ? end : start)) return true;
    if (end === start) return false;
    const j = firstAbove(this.points, start);
    return j < this.points.length && this.points[j]! < end;
  }

  add({ start, end }: { start: number; end: number }): void {
    if (end === start) {
      this.points.splice(firstAbove(this.points, start), 0, start);
      return;
    }
    const i = firstAbove(this.ends, start);
    let j = i;
    for (; j < this.ends.length && this.starts[j]! < end; j++) {
      start = Math.min(start, this.starts[j]!);
      end = Math.max(end, this.ends[j]!);
    }
    this.starts.splice(i, j - i, start);
    this.ends.splice(i, j - i, end);
  }
}

/** The index of the first element of sorted `xs` above `x` (xs.length: none). */
function firstAbove(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The safe fixes of a file's diagnostics, at most one per diagnostic, skipping any fix that
 * overlaps one already chosen (they are re-derived on the next round).
 */
export function safeFixEdits(diagnostics: Diagnostic[], file?: string): { edits: TextEdit[]; fixed: Diagnostic[] } {
  const edits: TextEdit[] = [];
  const fixed: Diagnostic[] = [];
  const taken = new TakenSpans();
  for (const d of diagnostics) {
    const fix = d.fixes?.find((f) => f.safe);
    if (!fix) continue;
    const mine = fix.edits.filter((e) => (e.file ?? d.file) === file);
    if (mine.length !== fix.edits.length) continue;
    if (mine.some((e) => taken.overlaps(e.span))) continue;
    for (const e of mine) taken.add(e.span);
    edits.push(...mine);
    fixed.push(d);
  }
  return { edits, fixed };
}
