// The young generation touched after an open (server/src/lsp/pretouch.ts): how much it
// allocates, that it yields to waiting work, and that it makes the pages resident.

import { describe, expect, it } from 'vitest';
import { YoungGenerationToucher, youngGenerationBytes } from '../../server/src/lsp/pretouch';
import { runAlone } from '../support/runAlone';

const SLICE = 2 << 20;

describe('YoungGenerationToucher', () => {
  it('allocates twice the young generation, then stops', async () => {
    const young = youngGenerationBytes();
    const done = await new YoungGenerationToucher().touchIfGrown(() => false);
    expect(done).toBeGreaterThanOrEqual(2 * young);
    expect(done).toBeLessThan(2 * young + 2 * SLICE);
  });

  it('touches again only when the young generation has grown since its last whole touch', async () => {
    let size = 4 << 20;
    const toucher = new YoungGenerationToucher(() => size);
    expect(await toucher.touchIfGrown(() => false)).toBe(8 << 20);
    expect(await toucher.touchIfGrown(() => false)).toBe(0);
    size = 8 << 20;
    expect(await toucher.touchIfGrown(() => false)).toBe(16 << 20);
    size = 2 << 20;
    expect(await toucher.touchIfGrown(() => false)).toBe(0);
  });

  it('does nothing while work is waiting, and a touch cut short is not counted as made', async () => {
    const toucher = new YoungGenerationToucher(() => 4 << 20);
    expect(await toucher.touchIfGrown(() => true)).toBe(0);
    let turns = 0;
    expect(await toucher.touchIfGrown(() => ++turns > 2)).toBe(2 * SLICE);
    expect(await toucher.touchIfGrown(() => false)).toBe(8 << 20);
  });

  it('runs one touch at a time', async () => {
    const toucher = new YoungGenerationToucher(() => 4 << 20);
    const [a, b] = await Promise.all([toucher.touchIfGrown(() => false), toucher.touchIfGrown(() => false)]);
    expect([a, b]).toEqual([8 << 20, 0]);
  });

  it('makes the pages of a grown young generation resident before the work that needs them', async () => {
    // In a process of its own: grow the young generation (survivors make V8 enlarge it), then
    // count the page faults of the allocations an edit would make, with and without the touch.
    // Faults are the machine's count, which other work on it can disturb (one pair in about ten
    // runs of the protocol tests, all files at once): up to three pairs, one of which must show it.
    const pairs: [number, number][] = [];
    for (let i = 0; i < 3; i++) {
      const cold = await faultsAfterGrowth(false);
      const touched = await faultsAfterGrowth(true);
      pairs.push([cold, touched]);
      if (cold > 1000 && touched < cold / 4) break;
    }
    const [cold, touched] = pairs.at(-1)!;
    expect(cold, `cold / touched: ${JSON.stringify(pairs)}`).toBeGreaterThan(1000);
    expect(touched, `cold / touched: ${JSON.stringify(pairs)}`).toBeLessThan(cold / 4);
  });
});

const SCRIPT = `
import { YoungGenerationToucher, youngGenerationBytes } from '../../server/src/lsp/pretouch';
const keep: object[] = [];
for (let i = 0; i < 3e6; i++) {
  const o = { i, a: [i] };
  if (i % 4 === 0) keep.push(o);
}
(async () => {
  if (process.argv[2] === 'touch') await new YoungGenerationToucher().touchIfGrown(() => false);
  const before = process.resourceUsage().minorPageFault;
  let sink: unknown;
  for (let i = 0; i < 20000; i++) sink = new Array(1000).fill(i);
  console.log(process.resourceUsage().minorPageFault - before, keep.length, sink ? '' : '-');
})();
`;

/** The page faults of 160 MB of short-lived arrays after the young generation grew. */
async function faultsAfterGrowth(touch: boolean): Promise<number> {
  const out = await runAlone(SCRIPT, { resolveDir: __dirname, name: 'pretouch', args: [touch ? 'touch' : 'cold'] });
  return Number(out.split(' ')[0]);
}
