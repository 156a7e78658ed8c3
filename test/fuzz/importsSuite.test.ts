// The imports suite of `npm run test:fuzz` catches a broken importer: with the readers made to
// throw, or the writers made to write a `.fw` with an error, the same cases that pass with the
// real importer are reported, each with the step that failed. (Without this, a suite that
// checked nothing would pass as well.)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { importsSuite } from './suites';

type Mode = 'real' | 'throw' | 'invalid';
const broken = vi.hoisted(() => ({ mode: 'real' as Mode }));

/** What a broken writer adds to the `.fw` it writes: a prefix no address family has. */
const INVALID = '\nnetwork broken 10.0.0.0/33\n';

vi.mock('../../server/src/convert/iptables', async (original) => {
  const real = await original<typeof import('../../server/src/convert/iptables')>();
  return {
    ...real,
    readIptables: (...a: Parameters<typeof real.readIptables>) => {
      if (broken.mode === 'throw') throw new TypeError("Cannot read properties of undefined (reading 'rules')");
      return real.readIptables(...a);
    },
  };
});
vi.mock('../../server/src/convert/nftables', async (original) => {
  const real = await original<typeof import('../../server/src/convert/nftables')>();
  return {
    ...real,
    readNftables: (...a: Parameters<typeof real.readNftables>) => {
      if (broken.mode === 'throw') throw new TypeError("Cannot read properties of undefined (reading 'expr')");
      return real.readNftables(...a);
    },
  };
});
vi.mock('../../server/src/convert/chains', async (original) => {
  const real = await original<typeof import('../../server/src/convert/chains')>();
  return {
    ...real,
    writeRuleset: (...a: Parameters<typeof real.writeRuleset>) => {
      const r = real.writeRuleset(...a);
      return broken.mode === 'invalid' && 'text' in r ? { ...r, text: r.text + INVALID } : r;
    },
  };
});
vi.mock('../../server/src/convert/write', async (original) => {
  const real = await original<typeof import('../../server/src/convert/write')>();
  return {
    ...real,
    writeFw: (...a: Parameters<typeof real.writeFw>) => {
      const r = real.writeFw(...a);
      return broken.mode === 'invalid' ? { ...r, text: r.text + INVALID } : r;
    },
  };
});

/** Where the suite saves the cases it reports (the broken runs report many): removed after. */
const saveDir = path.join(os.tmpdir(), `fwlang-imports-suite-${process.pid}`);

const run = (mode: Mode) => {
  broken.mode = mode;
  return importsSuite.run({
    seed: 7,
    count: 60,
    budgetMs: 60_000,
    saveDir,
    log: () => undefined,
    jobs: 1,
  });
};

afterEach(() => {
  broken.mode = 'real';
});

afterAll(() => fs.rmSync(saveDir, { recursive: true, force: true }));

describe('the imports fuzz suite', () => {
  it('passes the real importer, and reports a reader that throws', async () => {
    const real = await run('real');
    expect(real.ran).toBe(60);
    expect(real.reports).toEqual([]);
    const threw = await run('throw');
    const steps = threw.reports.map((r) => r.failures[0]?.step);
    // The netfilter inputs among the 60 (iptables-save and nft -j) fail; AWS and Terraform do not.
    expect(threw.reports.length).toBeGreaterThan(5);
    expect(threw.reports.length).toBeLessThan(60);
    expect(new Set(steps)).toEqual(new Set(['import']));
    expect(threw.reports[0]!.failures[0]!.error).toMatch(/^threw: TypeError/);
  });

  it('reports a writer whose .fw has an error, for every format', async () => {
    const invalid = await run('invalid');
    const failed = invalid.reports.filter((r) => r.failures.some((f) => f.step === 'imported'));
    expect(failed.length).toBeGreaterThan(10);
    expect(failed[0]!.failures[0]!.error).toMatch(/10\.0\.0\.0\/33/);
    const bases = new Set(failed.map((r) => (r.case as { base: string }).base.replace(/^.*\./, '')));
    expect(bases.size).toBeGreaterThan(1);
  });
});
