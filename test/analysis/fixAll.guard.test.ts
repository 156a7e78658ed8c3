// The advice guard's work per try of check --fix (issue 12, fuzz seed 12012: a 458 KB document
// spent 0.9 s in the guard for one fix, deciding every firewall's packets before and after it;
// every try counted the refusals of the flows six times, each flow copying every error outside
// the flows). Counted, not timed: how many firewalls the guard decides, and how often refusals
// are counted, must not grow with the firewalls and flows a fix leaves alone.

import { describe, expect, it, vi } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { reliableFlows, worseThan } from '../../server/src/analysis/adviceGuard';
import { fixAll } from '../../server/src/analysis/fixAll';
import { buildModel } from '../../server/src/model/resolve';

const counts = vi.hoisted(() => ({ decide: 0, refusals: 0 }));

vi.mock('../../server/src/engine/firewall', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../server/src/engine/firewall')>();
  return {
    ...m,
    decide: (...a: Parameters<typeof m.decide>) => {
      counts.decide++;
      return m.decide(...a);
    },
  };
});

vi.mock('../../server/src/analysis/flowPath', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../server/src/analysis/flowPath')>();
  return {
    ...m,
    refusalsOf: (...a: Parameters<typeof m.refusalsOf>) => {
      counts.refusals++;
      return m.refusalsOf(...a);
    },
  };
});

/** `n` firewalls; the first has a missing response rule (a safe fix), the others (stateful) nothing to fix. */
function firewalls(n: number): string {
  let t = 'host web 10.0.0.5\nfirewall f0 stateless protects web {\n  inbound allow tcp to web port 443\n}\n';
  for (let i = 1; i < n; i++) {
    t += `firewall f${i} stateful protects 10.${i >> 8}.${i & 255}.0/24 {\n  inbound allow tcp to any port 443\n}\n`;
  }
  return t;
}

const analyzeText = (t: string) => analyze(buildModel('/x.fw', t));

describe('the advice guard per try', () => {
  it('decides only the firewalls a fix changed', () => {
    const decided: number[] = [];
    for (const n of [20, 40]) {
      const text = firewalls(n);
      const r = fixAll(text, analyzeText);
      expect(r.applied.map((f) => f.code)).toEqual(['missing-response']);
      const [before, after] = [analyzeText(text), analyzeText(r.text)];
      counts.decide = 0;
      expect(worseThan(before, after)).toBeUndefined();
      decided.push(counts.decide);
    }
    // f0 outbound (the response rule), before and after; not its inbound, nor a firewall left alone.
    expect(decided).toEqual([2, 2]);
  });

  it('still decides a changed firewall exactly: a fix that opens a request is refused', () => {
    const text = firewalls(5);
    const opened = text.replace(
      '  inbound allow tcp to any port 443\n}\nfirewall f2',
      '  inbound allow tcp to any port [443, 22]\n}\nfirewall f2',
    );
    expect(opened).not.toBe(text);
    expect(worseThan(analyzeText(text), analyzeText(opened))).toMatch(/would open packets of `f1` \(inbound\) that are no responses/);
  });

  it('compares a firewall declared twice with its own earlier version, not the last of the name', () => {
    // The second `f` already allows ssh; opening ssh in the first is still a new request.
    const text =
      'firewall f stateful protects 10.0.1.0/24 {\n  inbound allow tcp to any port 443\n}\n' +
      'firewall f stateful protects 10.0.1.0/24 {\n  inbound allow tcp to any port [443, 22]\n}\n';
    const opened = text.replace('port 443\n', 'port [443, 22]\n');
    expect(opened).not.toBe(text);
    expect(worseThan(analyzeText(text), analyzeText(opened))).toMatch(/would open packets of `f` \(inbound\) that are no responses/);
  });

  it('decides none of the copies a fix left alone', () => {
    // 200 empty copies of a header (a mangled paste) and one firewall with a rule, all one name.
    const copy = 'firewall f stateless protects 10.0.0.0/8 {\n}\n';
    const text = `${copy.repeat(200)}firewall f stateless protects 10.0.0.0/8 {\n  inbound allow tcp to any port 443\n}\n`;
    const changed = text.replace('port 443', 'port 444');
    expect(changed).not.toBe(text);
    counts.decide = 0;
    expect(worseThan(analyzeText(text), analyzeText(changed))).toMatch(/would open packets of `f` \(inbound\)/);
    // The changed firewall, before and after; none of the copies, which are judged alike.
    expect(counts.decide).toBe(2);
  });

  it('still sees what a firewall without rules allows by default', () => {
    const text = 'firewall f stateless protects 10.0.1.0/24 {\n}\n';
    const opened = 'firewall f stateless protects 10.0.1.0/24 default allow {\n}\n';
    expect(worseThan(analyzeText(text), analyzeText(opened))).toMatch(/would open packets of `f`/);
    expect(worseThan(analyzeText(opened), analyzeText(text))).toBeUndefined();
  });

  it('counts the refusals of the flows once per analysis in the guard', () => {
    // Errors outside every flow (unknown names) refuse every flow; many flows.
    const flows = Array.from({ length: 300 }, () => 'flow web -> web https expect allow').join('\n');
    const text = `${firewalls(3)}firewall bad stateless protects nosuch {\n}\n${flows}\n`;
    const a = analyzeText(text);
    counts.refusals = 0;
    expect(reliableFlows(a)).toEqual([]);
    expect(reliableFlows(a)).toEqual([]);
    expect(worseThan(a, a)).toBeUndefined();
    expect(counts.refusals).toBe(1);
    let analyses = 0;
    counts.refusals = 0;
    fixAll(text, (t) => {
      analyses++;
      return analyzeText(t);
    });
    // Two in each analysis (before its simulations, and its flow checks), one in the guard.
    expect(counts.refusals).toBeLessThanOrEqual(3 * analyses);
  });
});
