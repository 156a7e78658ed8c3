// The bounded slice of `npm run test:fuzz` that runs with the unit tests: a few hundred fuzzed
// documents through parse, analyse, every feature, fixAll and the command line, fuzzed inputs
// of `fwlang import`, and a few edit sequences through the real server over stdio.
// FWLANG_FUZZ_SEED picks another slice; a failing case is saved under test-results/fuzz/ and
// replays with `node scripts/fuzz.mjs --replay FILE`.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { overBudget, readLength } from './documents';
import { ROOT } from './mutate';
import { freshTokens } from './sequences';
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

describe("an edit sequence's semantic tokens made afresh (npm run test:fuzz)", () => {
  // Sequence 7737 of seed 1601: `include` misspelt `in443clude` is still read as an include
  // (with a "did you mean"). The server resolves it from its workspace folder; the tokens made
  // afresh to compare with must too, and must refuse what the server refuses.
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-fresh-'));
  fs.mkdirSync(path.join(folder, 'common'));
  fs.writeFileSync(path.join(folder, 'common', 'inventory.fw'), 'network admins 10.20.0.0/24\n');
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-outside-'));
  fs.writeFileSync(path.join(outside, 'inventory.fw'), 'network admins 10.20.0.0/24\n');
  afterAll(() => {
    fs.rmSync(folder, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });
  const body = 'host srv 10.0.0.1\nfirewall f stateless protects srv {\n  inbound allow tcp from admins to srv port 22\n}\n';
  /** The token on the word `admins` of the rule: [line, character, length], or undefined. */
  const adminsToken = (include: string) => {
    const text = `${include}\n${body}`;
    const data = freshTokens(text, path.join(folder, 'doc.fw'), folder);
    const at = text.lastIndexOf('admins');
    const line = text.slice(0, at).split('\n').length - 1;
    const character = at - text.lastIndexOf('\n', at) - 1;
    let l = 0;
    let c = 0;
    for (let i = 0; i < data.length; i += 5) {
      if (data[i] !== 0) c = 0;
      l += data[i]!;
      c += data[i + 1]!;
      if (l === line && c === character) return [l, c, data[i + 2]];
    }
    return undefined;
  };

  it('reads the includes from the folder, a misspelt include too', () => {
    expect(adminsToken('include "common/inventory.fw"')).toBeDefined();
    expect(adminsToken('in443clude "common/inventory.fw"')).toBeDefined();
  });

  it('resolves nothing it does not include, and nothing from outside the folder', () => {
    expect(adminsToken('# include "common/inventory.fw"')).toBeUndefined();
    expect(adminsToken(`include "${path.join(outside, 'inventory.fw')}"`)).toBeUndefined();
  });
});
