// After any sequence of edits, the editor's incremental analysis (incremental parse, resolve
// cache, per-firewall analysis cache) equals a fresh analysis of the final text: diagnostics,
// flows' verdicts and reports, references. FWLANG_INCREMENTAL_RUNS sets the number of
// sequences (npm run test:fuzz runs 10,000 through its `incremental` suite).
import { describe, expect, it } from 'vitest';
import { generate } from '../../bench/generate';
import { applyEdit, baseTexts, makeSequence } from './edits';
import { Pipeline, fresh, observable } from './pipeline';

const RUNS = Number(process.env['FWLANG_INCREMENTAL_RUNS'] ?? 150);
const SEED = Number(process.env['FWLANG_INCREMENTAL_SEED'] ?? 12);

describe('incremental analysis', () => {
  const bases = baseTexts();

  it(`equals a fresh analysis after each edit of ${RUNS} random sequences`, () => {
    for (let i = 0; i < RUNS; i++) {
      const s = makeSequence(SEED, i, bases);
      const p = new Pipeline();
      let text = s.start;
      expect(observable(p.analyze(text)), `sequence ${SEED}/${i} (${s.base}) before any edit`).toEqual(observable(fresh(text)));
      s.edits.forEach((e, k) => {
        text = applyEdit(text, e);
        expect(observable(p.analyze(text)), `sequence ${SEED}/${i} (${s.base}) after edit ${k + 1}: ${JSON.stringify(e)}`).toEqual(
          observable(fresh(text)),
        );
      });
    }
  });

  it('resolves and analyses only the firewall an edit touches', () => {
    let text = generate(10, 40).text;
    const p = new Pipeline();
    p.analyze(text);
    const at = text.indexOf('port 8003-8103');
    text = `${text.slice(0, at + 5)}8004${text.slice(at + 9)}`;
    const [h, m, ah, am] = [p.resolveCache.hits, p.resolveCache.misses, p.analysisCache.hits, p.analysisCache.misses];
    expect(observable(p.analyze(text))).toEqual(observable(fresh(text)));
    expect([p.resolveCache.hits - h, p.resolveCache.misses - m]).toEqual([9, 1]);
    expect([p.analysisCache.hits - ah, p.analysisCache.misses - am]).toEqual([9, 1]);
  });
});
