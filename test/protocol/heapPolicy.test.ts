// The language server's garbage-collection policy (server/src/lsp/heapPolicy.ts): in a process
// of its own, a live heap the size of an open 10,000-rule file and edits that each leave a few
// MB of garbage in the old generation. V8's own factor lets the old generation grow about
// fourfold before collecting it; with the policy it is collected as it grows by 20 %.

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';

const SCRIPT = `
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { leanOldGeneration } from '../../server/src/lsp/heapPolicy';
if (process.argv[2] === 'lean') leanOldGeneration();
// What an open leaves alive: ~40 MB of small objects.
const live: object[] = [];
for (let i = 0; i < 200_000; i++) live.push({ i, name: 'n' + i, span: { start: i, end: i + 1 }, list: [i, i + 1] });
let majors = 0;
let peak = 0;
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) if ((e as unknown as { detail: { kind: number } }).detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
}).observe({ entryTypes: ['gc'] });
(async () => {
  // Settle the open (V8 sets its limit from the live size at a full collection).
  await new Promise((r) => setTimeout(r, 200));
  majors = 0;
  // 60 edits: each makes ~2 MB that lives through the next three (long enough to be promoted).
  const recent: object[][] = [];
  for (let e = 0; e < 60; e++) {
    const made: object[] = [];
    for (let i = 0; i < 25_000; i++) made.push({ e, i, span: { start: i, end: i }, list: [i] });
    recent.push(made);
    if (recent.length > 3) recent.shift();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 50));
  console.log(JSON.stringify({ majors, peakMb: Math.round(peak / 2 ** 20), live: live.length }));
})();
`;

let bundled: string | undefined;

async function run(mode: 'lean' | 'default'): Promise<{ majors: number; peakMb: number }> {
  if (!bundled) {
    const dir = mkdtempSync(join(tmpdir(), 'fwlang-heap-'));
    bundled = join(dir, 'heap.cjs');
    await esbuild.build({
      stdin: { contents: SCRIPT, resolveDir: __dirname, loader: 'ts', sourcefile: 'heap-script.ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundled,
      logLevel: 'error',
    });
  }
  const r = spawnSync(process.execPath, [bundled, mode], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { majors: number; peakMb: number };
}

describe('the server heap policy (leanOldGeneration)', () => {
  it('collects the old generation as edits leave garbage in it, where V8 alone lets it grow', async () => {
    const lean = await run('lean');
    const own = await run('default');
    expect(lean.majors, JSON.stringify({ lean, own })).toBeGreaterThan(own.majors);
    expect(lean.peakMb, JSON.stringify({ lean, own })).toBeLessThan(own.peakMb * 0.75);
  });
});
