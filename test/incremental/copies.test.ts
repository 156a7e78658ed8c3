// Within one analysis, a firewall whose text, values and environment equal an earlier one's
// takes that one's result (AnalysisCache): a file of many copies of a firewall (a paste, a file
// concatenated with itself) checks one copy. The results must be exactly a fresh analysis's.
import { describe, expect, it } from 'vitest';
import { AnalysisCache, analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/model/resolve';
import { baseTexts } from './edits';
import { PATH, fresh, observable } from './pipeline';

/** The text, then the same text again `copies - 1` times (line ends kept as they are). */
function repeated(text: string, copies: number): string {
  const sep = text.endsWith('\n') ? '' : '\n';
  return Array.from({ length: copies }, () => text).join(sep);
}

describe('copies of a firewall in one analysis', () => {
  const bases = baseTexts();

  it('give exactly what a fresh analysis gives, for every sample and fixture three times over', () => {
    expect(bases.length).toBeGreaterThan(20);
    for (const b of bases) {
      const text = repeated(b.text, 3);
      const cached = analyze(buildModel(PATH, text), new AnalysisCache());
      expect(observable(cached), b.name).toEqual(observable(fresh(text)));
    }
  });

  it('check each distinct firewall once', () => {
    const base = bases.find((b) => b.name === 'samples/web-and-db.fw') ?? bases.find((b) => /firewall/.test(b.text))!;
    const once = new AnalysisCache();
    analyze(buildModel(PATH, base.text), once);
    const many = new AnalysisCache();
    analyze(buildModel(PATH, repeated(base.text, 20)), many);
    expect(once.misses).toBeGreaterThan(0);
    expect(many.misses).toBe(once.misses);
    expect(many.hits).toBeGreaterThanOrEqual(19 * once.misses);
  });
});
