// The `incremental` suite of npm run test:fuzz (10,000 sequences; `--incremental N`): random
// edit sequences (./edits.ts) through the editor's incremental pipeline, each version's
// result compared with a fresh analysis of its text (diagnostics, flows, references), and
// the incremental parse with parse(). A failing sequence is saved and replays from its case.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from '../../server/src/syntax/parse';
import type { FuzzOptions, FuzzSuite, SuiteResult } from '../fuzz/suites';
import { type Sequence, applyEdit, baseTexts, makeSequence } from './edits';
import { Pipeline, fresh, observable } from './pipeline';

/** JSON's view: what an editor sees (undefined fields dropped). */
const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

/** The first version at which the incremental result differs from a fresh one, if any. */
export function checkSequence(s: Sequence): { step: string; error: string } | undefined {
  const p = new Pipeline();
  let text = s.start;
  for (let k = 0; k <= s.edits.length; k++) {
    if (k > 0) text = applyEdit(text, s.edits[k - 1]!);
    const step = k === 0 ? 'open' : `edit ${k}: ${JSON.stringify(s.edits[k - 1])}`;
    try {
      const got = plain(observable(p.analyze(text)));
      const want = plain(observable(fresh(text)));
      if (!isDeepStrictEqual(got, want)) return { step, error: 'the incremental analysis differs from a fresh one' };
      if (!isDeepStrictEqual(plain(p.parser.parse(text)), plain(parse(text))))
        return { step, error: 'the incremental parse differs from parse()' };
    } catch (e) {
      return { step, error: (e as Error)?.stack ?? String(e) };
    }
  }
  return undefined;
}

function run(o: FuzzOptions, sequences: Iterable<Sequence>): Promise<SuiteResult> {
  const t0 = performance.now();
  const reports: SuiteResult['reports'] = [];
  let ran = 0;
  for (const s of sequences) {
    ran++;
    const failure = checkSequence(s);
    if (failure) {
      fs.mkdirSync(o.saveDir, { recursive: true });
      const saved = path.join(o.saveDir, `incremental-${s.seed}-${s.index}.json`);
      fs.writeFileSync(saved, JSON.stringify({ suite: 'incremental', case: s, failure }, null, 1));
      reports.push({ kind: 'failure', case: { seed: s.seed, index: s.index, base: s.base, saved }, failures: [failure] });
      o.log(`incremental #${s.index}: ${failure.step}: ${failure.error.split('\n')[0]} → ${saved}`);
    }
    if (ran % 1000 === 0) o.log(`incremental: ${ran} sequences (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  return Promise.resolve({ suite: 'incremental', ran, ms: performance.now() - t0, reports });
}

export const incrementalSuite: FuzzSuite = {
  name: 'incremental',
  option: '--incremental',
  count: 10_000,
  run(o) {
    const bases = baseTexts();
    function* sequences() {
      for (let i = 0; i < o.count; i++) yield makeSequence(o.seed, i, bases);
    }
    return run(o, sequences());
  },
  replay(saved, o) {
    return run(o, [(saved as { case: Sequence }).case]);
  },
};
