// safeFixEdits chooses the first fix of each diagnostic that overlaps none chosen before it.
// It finds overlaps through sorted spans (a file with 11,000 fixes took 0.2 s with a list
// searched for each): the choice must be exactly the list's, on any spans.
import { describe, expect, it } from 'vitest';
import type { Diagnostic, TextEdit } from '../../server/src/core/diagnostic';
import { safeFixEdits } from '../../server/src/core/edits';
import { Random } from '../fuzz/random';

/** The choice as it was made with a list of the spans taken, each looked at. */
function byList(diagnostics: Diagnostic[]): Diagnostic[] {
  const fixed: Diagnostic[] = [];
  const taken: { start: number; end: number }[] = [];
  for (const d of diagnostics) {
    const fix = d.fixes?.find((f) => f.safe);
    if (!fix) continue;
    const overlaps = fix.edits.some((e) =>
      taken.some(
        (t) =>
          (e.span.start < t.end && t.start < e.span.end) ||
          (e.span.start === t.start && e.span.end === t.end && e.span.start !== e.span.end),
      ),
    );
    if (overlaps) continue;
    for (const e of fix.edits) taken.push(e.span);
    fixed.push(d);
  }
  return fixed;
}

function randomDiagnostics(r: Random, size: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  const n = r.int(1, 40);
  for (let i = 0; i < n; i++) {
    const edits: TextEdit[] = [];
    const m = r.int(1, 3);
    for (let k = 0; k < m; k++) {
      const start = r.int(0, size);
      // Empty spans (insertions) often: they meet other spans' ends and each other.
      const end = r.chance(0.4) ? start : Math.min(size, start + r.int(1, 6));
      edits.push({ span: { start, end }, newText: 'x' });
    }
    out.push({
      code: 'redundant-rule',
      severity: 'warning',
      message: `d${i}`,
      span: edits[0]!.span,
      fixes: [{ title: 'fix', safe: r.chance(0.9), edits }],
    } as Diagnostic);
  }
  return out;
}

describe('safeFixEdits', () => {
  it('chooses exactly the fixes a list of the spans taken chooses (2,000 random sets)', () => {
    let chosen = 0;
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const r = Random.of(41, i);
      const ds = randomDiagnostics(r, r.int(5, 60));
      const expected = byList(ds);
      const got = safeFixEdits(ds).fixed;
      expect(
        got.map((d) => d.message),
        `set ${i}`,
      ).toEqual(expected.map((d) => d.message));
      chosen += got.length;
      refused += ds.filter((d) => d.fixes![0]!.safe).length - got.length;
    }
    // Both outcomes were exercised many times.
    expect(chosen).toBeGreaterThan(5_000);
    expect(refused).toBeGreaterThan(5_000);
  });

  it('an insertion inside a chosen span is refused, at its edge it is not', () => {
    const d = (start: number, end: number, message: string) =>
      ({
        code: 'redundant-rule',
        severity: 'warning',
        message,
        span: { start, end },
        fixes: [{ title: 't', safe: true, edits: [{ span: { start, end }, newText: '' }] }],
      }) as Diagnostic;
    const got = safeFixEdits([
      d(2, 6, 'a'),
      d(4, 4, 'inside'),
      d(2, 2, 'at start'),
      d(6, 6, 'at end'),
      d(6, 6, 'again'),
      d(5, 8, 'overlaps'),
      d(1, 3, 'overlaps too'),
    ]);
    expect(got.fixed.map((x) => x.message)).toEqual(['a', 'at start', 'at end', 'again']);
  });
});
