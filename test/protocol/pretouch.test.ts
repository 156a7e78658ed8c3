// The young generation touched after an open (server/src/lsp/pretouch.ts): how much it
// allocates, that it yields to waiting work, and that it makes the pages resident.

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { pretouchYoungGeneration } from '../../server/src/lsp/pretouch';

const youngBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

describe('pretouchYoungGeneration', () => {
  it('allocates twice the young generation, then stops', async () => {
    const goal = 2 * youngBytes();
    const done = await pretouchYoungGeneration(() => false);
    expect(done).toBeGreaterThanOrEqual(goal);
    expect(done).toBeLessThan(goal + (4 << 20));
  });

  it('does nothing while work is waiting', async () => {
    expect(await pretouchYoungGeneration(() => true)).toBe(0);
  });

  it('stops at the first turn work is waiting', async () => {
    const slice = 2 << 20;
    // Two slices, unless the young generation is so small that fewer fill it twice.
    const expected = Math.min(2, Math.ceil((2 * youngBytes()) / slice)) * slice;
    let turns = 0;
    const done = await pretouchYoungGeneration(() => ++turns > 2);
    expect(done).toBe(expected);
  });

  it('makes the pages of a grown young generation resident before the work that needs them', async () => {
    // In a process of its own: grow the young generation (survivors make V8 enlarge it), then
    // count the page faults of the allocations an edit would make, with and without the touch.
    const cold = await faultsAfterGrowth(false);
    const touched = await faultsAfterGrowth(true);
    expect(cold).toBeGreaterThan(1000);
    expect(touched).toBeLessThan(cold / 4);
  });
});

const SCRIPT = `
import { pretouchYoungGeneration } from '../../server/src/lsp/pretouch';
const keep: object[] = [];
for (let i = 0; i < 3e6; i++) {
  const o = { i, a: [i] };
  if (i % 4 === 0) keep.push(o);
}
(async () => {
  if (process.argv[2] === 'touch') await pretouchYoungGeneration(() => false);
  const before = process.resourceUsage().minorPageFault;
  let sink: unknown;
  for (let i = 0; i < 20000; i++) sink = new Array(1000).fill(i);
  console.log(process.resourceUsage().minorPageFault - before, keep.length, sink ? '' : '-');
})();
`;

let bundled: string | undefined;

/** The page faults of 160 MB of short-lived arrays after the young generation grew. */
async function faultsAfterGrowth(touch: boolean): Promise<number> {
  if (!bundled) {
    const dir = mkdtempSync(join(tmpdir(), 'fwlang-pretouch-'));
    bundled = join(dir, 'pretouch.cjs');
    await esbuild.build({
      stdin: { contents: SCRIPT, resolveDir: __dirname, loader: 'ts', sourcefile: 'pretouch-script.ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundled,
      logLevel: 'error',
    });
  }
  const r = spawnSync(process.execPath, [bundled, touch ? 'touch' : 'cold'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return Number(r.stdout.split(' ')[0]);
}
