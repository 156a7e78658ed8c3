// The language server's garbage-collection policy (server/src/lsp/heapPolicy.ts).
// 1. What the flag does, in a process of its own: a live heap the size of an open 10,000-rule
//    file and edits that each leave a few MB of garbage in the old generation. V8's own factor
//    lets the old generation grow about fourfold before collecting it; with the lean factor it
//    is collected as it grows by 20 %; set back to 0, V8 picks its own factor again.
// 2. The server sets it as documents open, change and close: lean unless one is big.

import { describe, expect, it, vi } from 'vitest';
import { HEAP_GROWING_PERCENT, HeapPolicy, LEAN_UP_TO_CHARS, growingFlag } from '../../server/src/lsp/heapPolicy';
import { runAlone } from '../support/runAlone';
import { inProcessServer } from './inProcess';

const SCRIPT = `
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { HeapPolicy } from '../../server/src/lsp/heapPolicy';
const policy = new HeapPolicy();
if (process.argv[2] === 'lean') policy.fit(0);
// Lean first, then V8's own again (the policy for a big open document).
if (process.argv[2] === 'big') { policy.fit(0); policy.fit(1e9); }
// What an open leaves alive: tens of MB of small objects (a 10,000-rule file keeps ~50 MB).
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

async function run(mode: 'lean' | 'default' | 'big'): Promise<{ majors: number; peakMb: number }> {
  return JSON.parse(await runAlone(SCRIPT, { resolveDir: __dirname, name: 'heap-policy', args: [mode] })) as {
    majors: number;
    peakMb: number;
  };
}

describe('the server heap policy', () => {
  it('collects the old generation as edits leave garbage in it, where V8 alone lets it grow', async () => {
    const lean = await run('lean');
    const own = await run('default');
    const big = await run('big');
    const all = JSON.stringify({ lean, own, big });
    expect(lean.majors, all).toBeGreaterThan(own.majors);
    expect(lean.peakMb, all).toBeLessThan(own.peakMb * 0.75);
    // Set back for a big document: V8's own factor, the garbage piles up again.
    expect(big.majors, all).toBeLessThan(lean.majors);
    expect(big.peakMb, all).toBeGreaterThan(lean.peakMb * 1.3);
  });

  it('is lean up to LEAN_UP_TO_CHARS, V8 own past it, and sets the flag only when it changes', () => {
    const set: string[] = [];
    const policy = new HeapPolicy((f) => set.push(f));
    policy.fit(0);
    policy.fit(LEAN_UP_TO_CHARS);
    policy.fit(LEAN_UP_TO_CHARS + 1);
    policy.fit(10 * LEAN_UP_TO_CHARS);
    policy.fit(100);
    expect(set).toEqual([growingFlag(HEAP_GROWING_PERCENT), growingFlag(0), growingFlag(HEAP_GROWING_PERCENT)]);
  });

  it('the server fits it when it starts and as documents open, change and close', async () => {
    const policy = new HeapPolicy(() => undefined);
    const fits: number[] = [];
    const real = policy.fit.bind(policy);
    vi.spyOn(policy, 'fit').mockImplementation((n) => {
      fits.push(n);
      real(n);
    });
    const { toServer, client } = inProcessServer(undefined, { heap: policy });
    const published: string[] = [];
    client.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number }) =>
      published.push(`${p.uri}@${p.version ?? '-'}`),
    );
    client.listen();
    await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
    await client.sendNotification('initialized', {});
    expect(fits).toEqual([0]);
    const small = 'host a 10.0.0.1\n';
    const big = `# ${'x'.repeat(LEAN_UP_TO_CHARS)}\nhost b 10.0.0.2\n`;
    const open = async (uri: string, text: string) => {
      await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'fw', version: 1, text } });
      await vi.waitFor(() => expect(published).toContain(`${uri}@1`), { timeout: 20_000, interval: 5 });
    };
    await open('file:///heap/small.fw', small);
    expect(fits.at(-1)).toBe(small.length);
    await open('file:///heap/big.fw', big);
    expect(fits.at(-1)).toBe(big.length);
    await client.sendNotification('textDocument/didClose', { textDocument: { uri: 'file:///heap/big.fw' } });
    await vi.waitFor(() => expect(fits.at(-1)).toBe(small.length), { timeout: 5_000, interval: 5 });
    // An edit that makes the small document big: fitted when the change arrives.
    const pasted = big.length + small.length;
    await client.sendNotification('textDocument/didChange', {
      textDocument: { uri: 'file:///heap/small.fw', version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: big }],
    });
    await vi.waitFor(() => expect(fits.at(-1)).toBe(pasted), { timeout: 5_000, interval: 5 });
    // Its diagnostics out before the client goes (no run left in flight).
    await vi.waitFor(() => expect(published).toContain('file:///heap/small.fw@2'), { timeout: 20_000, interval: 5 });
    client.dispose();
    toServer.end();
  });
});
