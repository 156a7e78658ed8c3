// fixAll's work is bounded (issue 12, fuzz seed 12012 document 13316: 3,000 copies of one deny
// rule took 20 rounds, each re-analysing the whole 150 KB file; 5.7 s): it analyses at most
// MAX_ANALYSED (300,000) characters of fixed versions and stops after MAX_ROUNDS, and then lists the safe
// fixes it did not try as not fixed, saying why.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { MAX_ANALYSED, fixAll } from '../../server/src/analysis/fixAll';
import { buildModel } from '../../server/src/model/resolve';

/** A firewall of `n` copies of a deny rule: the first is redundant (the default denies), the rest shadowed by it. */
function copies(n: number): string {
  return `firewall acl stateless protects 10.0.1.0/24 {\n${'  outbound deny tcp from 10.0.1.10 to 198.51.100.0/24\n'.repeat(n)}}\n`;
}

function run(text: string, maxAnalysed?: number) {
  let analysed = 0;
  let tries = 0;
  const r = fixAll(
    text,
    (t) => {
      if (t !== text) {
        analysed += t.length;
        tries++;
      }
      return analyze(buildModel('/x.fw', t));
    },
    maxAnalysed === undefined ? {} : { maxAnalysed },
  );
  return { r, analysed, tries };
}

describe('fixAll within bounds', () => {
  it('analyses at most maxAnalysed characters of fixed versions, however long the file', () => {
    const max = 20_000;
    // Each round removes one copy, and another becomes redundant: 20 rounds without the bound
    // (106,000 and 212,000 characters analysed).
    for (const n of [100, 200]) {
      const text = copies(n);
      const { r, analysed, tries } = run(text, max);
      expect(text.length * 20).toBeGreaterThan(5 * max);
      expect(analysed).toBeLessThanOrEqual(max);
      expect(tries).toBe(Math.floor(max / text.length));
      expect(r.applied.length).toBe(tries);
      // What it did is kept and true: the text lost one copy per fix, the analysis is of it.
      expect(r.text).toBe(copies(n - r.applied.length));
      expect(r.analysis.model.text).toBe(r.text);
      // What it left is said: the redundant rule still there, not tried, and why.
      expect(r.skipped.map((s) => [s.code, s.reason])).toEqual([
        ['redundant-rule', 'not tried: check --fix analyses at most 20,000 characters of fixed versions of a file (run it again to go on)'],
      ]);
      expect(r.analysis.diagnostics.filter((d) => d.code === 'redundant-rule')).toHaveLength(1);
    }
  });

  it('always makes its first try, even of a file longer than the bound', () => {
    const { r, tries } = run(copies(100), 1000);
    expect(tries).toBe(1);
    expect(r.applied).toHaveLength(1);
    expect(MAX_ANALYSED).toBe(300_000);
  });

  it('a file of a few rules gets its rounds; a fix left when they run out is reported', () => {
    const { r, tries } = run(copies(23));
    expect(tries).toBe(20);
    expect(r.applied).toHaveLength(20);
    expect(r.text).toBe(copies(3));
    expect(r.skipped.map((s) => [s.code, s.reason])).toEqual([
      ['redundant-rule', 'not tried: check --fix stops after 20 rounds of fixes (run it again to go on)'],
    ]);
    // Run again, it goes on to the end and says nothing is left.
    const again = run(r.text).r;
    expect(again.text).toBe(copies(0));
    expect(again.skipped).toEqual([]);
  });
});
