// The per-firewall analysis cache (AnalysisCache) on thousands of firewalls of the same text:
// each lookup searched every entry of that text, working out the firewall's line for each
// (fuzz sequence 9395 of seed 12012: 23,000 pasted headers; the editor stopped answering).
// Counted in line lookups, not timed.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnalysisCache, analyze } from '../../server/src/analysis/analyze';
import { LineIndex } from '../../server/src/core/text';
import { buildModel } from '../../server/src/model/resolve';

/** `n` copies of a firewall whose second rule is shadowed by its first (the message names a line). */
function copies(n: number): string {
  const fw = 'firewall f stateless protects 10.0.0.0/8 {\n  inbound allow tcp to a port 22\n  inbound allow tcp to a port 22\n}\n';
  return `host a 10.0.0.1\n${fw.repeat(n)}`;
}

/** Line lookups of the second analysis of `text` with a cache (the first fills it). */
function lookupsOfSecond(text: string): { lookups: number; hits: number; same: boolean } {
  const cache = new AnalysisCache();
  const first = analyze(buildModel('/x.fw', text), cache);
  const spy = vi.spyOn(LineIndex.prototype, 'position');
  const second = analyze(buildModel('/x.fw', text), cache);
  const lookups = spy.mock.calls.length;
  spy.mockRestore();
  const key = (a: typeof first) => JSON.stringify(a.diagnostics.map((d) => [d.code, d.span, d.message]));
  return { lookups, hits: cache.hits, same: key(first) === key(second) && key(second) === key(analyze(buildModel('/x.fw', text))) };
}

afterEach(() => vi.restoreAllMocks());

describe('analysis cache', () => {
  it('finds each of many identical firewalls with one lookup, and hands back what a fresh analysis says', () => {
    const small = lookupsOfSecond(copies(200));
    const large = lookupsOfSecond(copies(800));
    expect(small.same).toBe(true);
    expect(large.same).toBe(true);
    expect(large.hits).toBe(800);
    // Four times the firewalls: about four times the lookups, not sixteen.
    expect(large.lookups).toBeLessThan(6 * small.lookups);
  });
});
