// The bounded slice of `npm run test:fuzz` that runs with the unit tests: a few hundred fuzzed
// documents through parse, analyse, every feature, fixAll and the command line, fuzzed inputs
// of `fwlang import`, and a few edit sequences through the real server over stdio.
// FWLANG_FUZZ_SEED picks another slice; a failing case is saved under test-results/fuzz/ and
// replays with `node scripts/fuzz.mjs --replay FILE`.

import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { overBudget, readLength } from './documents';
import { ROOT } from './mutate';
import { includesAny } from './sequences';
import { type FuzzOptions, documentsSuite, importsSuite, sequencesSuite } from './suites';

const SEED = Number(process.env.FWLANG_FUZZ_SEED ?? 20250101);

function options(count: number): FuzzOptions {
  return {
    seed: SEED,
    count,
    // Not a speed check (timings belong to npm run bench): only a case that hangs counts here.
    // The full run (npm run test:fuzz) reports every document over 1 s.
    budgetMs: 60_000,
    saveDir: path.join(ROOT, 'test-results', 'fuzz', `ci-${SEED}`),
    log: () => undefined,
    jobs: 1,
  };
}

const described = (r: { reports: { kind: string; case: unknown; failures: { step: string; error: string }[]; saved?: string }[] }) =>
  r.reports.map(
    (x) => `${x.kind} ${JSON.stringify(x.case)}: ${x.failures.map((f) => `${f.step}: ${f.error.split('\n')[0]}`).join('; ')} (${x.saved})`,
  );

describe(`fuzz slice (seed ${SEED})`, () => {
  it('fuzzed documents: no throw, no internal error, no span outside the text, no hang', async () => {
    const r = await documentsSuite.run(options(Number(process.env.FWLANG_FUZZ_DOCS ?? 150)));
    expect(described(r)).toEqual([]);
  }, 120_000);

  it('fuzzed imports (iptables-save, nft -j, aws, terraform): no throw, exit 0, 1 or 2, valid .fw written, no hang', async () => {
    const r = await importsSuite.run(options(Number(process.env.FWLANG_FUZZ_IMPORTS ?? 150)));
    expect(described(r)).toEqual([]);
  }, 120_000);

  it('edit sequences over stdio: every version gets its diagnostics, the server answers and logs no error', async () => {
    const r = await sequencesSuite.run(options(Number(process.env.FWLANG_FUZZ_SEQUENCES ?? 20)));
    expect(described(r)).toEqual([]);
  }, 120_000);
});

describe('the budget of a fuzzed document (npm run test:fuzz)', () => {
  it('is 1 s a megabyte, at least 1 s; the fixed text fixAll made is judged by its own', () => {
    expect(overBudget({ ms: 900 }, 500_000, 1000)).toBe(false);
    expect(overBudget({ ms: 1100 }, 500_000, 1000)).toBe(true);
    expect(overBudget({ ms: 1900 }, 2_000_000, 1000)).toBe(false);
    // The document within its budget, the fixed text over its own: slow.
    expect(overBudget({ ms: 900, fixed: { ms: 1100, length: 500_000 } }, 500_000, 1000)).toBe(true);
    // Each within its own, though together over one: not slow.
    expect(overBudget({ ms: 900, fixed: { ms: 900, length: 500_000 } }, 500_000, 1000)).toBe(false);
    // The command line on it (its own process) over the document's budget: slow.
    expect(overBudget({ ms: 900, cli: { ms: 1100 } }, 500_000, 1000)).toBe(true);
    expect(overBudget({ ms: 900, cli: { ms: 900 } }, 500_000, 1000)).toBe(false);
  });

  it('counts the included files made for the case: what the analysis reads', () => {
    expect(readLength({ text: 'x'.repeat(4000), includes: {} })).toBe(4000);
    expect(readLength({ text: 'x'.repeat(4000), includes: { '/fuzz/a.fw': 'y'.repeat(1_800_000), '/fuzz/b.fw': 'z' } })).toBe(1_804_001);
  });
});

describe('which edit-sequence versions are compared with a text made afresh (npm run test:fuzz)', () => {
  // Sequence 7737 of seed 1601: `include` misspelt `in443clude` is still read as an include
  // (with a "did you mean"), which the server resolves from its workspace and a text made
  // afresh cannot: a search of the text for the word let that version be compared, and fail.
  it('those that include nothing, as the parser reads them', () => {
    expect(includesAny('in443clude "common/inventory.fw"\nhost a 10.0.0.1\n')).toBe(true);
    expect(includesAny('include "common/inventory.fw"\n')).toBe(true);
    // The word in a comment includes nothing: such a version is compared.
    expect(includesAny('# include "common/inventory.fw"\nhost a 10.0.0.1\n')).toBe(false);
    expect(includesAny('host a 10.0.0.1\n')).toBe(false);
  });
});
