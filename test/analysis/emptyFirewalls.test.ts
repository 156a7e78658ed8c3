// Thousands of empty firewall headers (fuzz seed 1131: `firewall f stateless protects
// 10.0.0.0/8 {` pasted 23,000 times into a sample) cost their checks' set-up each: 0.35 s of a
// 0.9 s check. A firewall without rules has nothing for the checks to find. Counted, not timed.

import { describe, expect, it, vi } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/model/resolve';

const counts = vi.hoisted(() => ({ indexes: 0 }));

vi.mock('../../server/src/analysis/responseIndex', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../server/src/analysis/responseIndex')>();
  return {
    ...m,
    responseIndex: (...a: Parameters<typeof m.responseIndex>) => {
      counts.indexes++;
      return m.responseIndex(...a);
    },
  };
});

describe('empty firewalls', () => {
  it('are not checked, and the firewall with rules still is', () => {
    const empty = 'firewall f stateless protects 10.0.0.0/8 {\n'.repeat(500);
    const text = `host web 10.0.0.5\nfirewall edge stateless protects web {\n  inbound allow tcp to web port 443\n}\n${empty}`;
    counts.indexes = 0;
    const a = analyze(buildModel('/empty.fw', text));
    expect(a.model.firewalls).toHaveLength(501);
    expect(a.diagnostics.filter((d) => d.code === 'missing-response')).toHaveLength(1);
    expect(counts.indexes).toBe(1);
  });
});
