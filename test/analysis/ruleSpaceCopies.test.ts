// A firewall of many copies of a rule (fuzz seed 12012, documents 68440 and 91565: a pasted
// line copied 1,000 and 3,000 times). What each rule really allows was worked out for each copy
// by looking through every copy before it (quadratic); a copy of an earlier rule allows nothing.

import { afterEach, describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { RuleSpace } from '../../server/src/analysis/ruleSpace';
import { buildModel } from '../../server/src/model/resolve';

const candidates = RuleSpace.prototype.candidates;
afterEach(() => {
  RuleSpace.prototype.candidates = candidates;
});

/** The analysis of a firewall with `copies` copies of each of its rules, and the candidate rules looked at. */
function run(copies: number) {
  const rules = ['  inbound allow tcp from any to web port https\n', '  outbound allow tcp from web port https to any port 1024-65535\n'];
  const text = `host web 10.0.1.10\nfirewall edge stateless protects 10.0.1.0/24 {\n${rules.map((r) => r.repeat(copies)).join('')}}\n`;
  let looked = 0;
  RuleSpace.prototype.candidates = function (this: RuleSpace, ...a: Parameters<RuleSpace['candidates']>) {
    const out = candidates.apply(this, a);
    looked += out.length;
    return out;
  };
  const codes = analyze(buildModel('/t/x.fw', text)).diagnostics.map((d) => d.code);
  RuleSpace.prototype.candidates = candidates;
  return { looked, codes };
}

describe('a firewall of copies of its rules', () => {
  it('looks through the rules before each copy once, not once per copy', () => {
    const small = run(300);
    const large = run(600);
    // Each copy after the first is reported, and nothing else.
    for (const [r, n] of [
      [small, 300],
      [large, 600],
    ] as const) {
      expect(r.codes.filter((c) => c !== 'shadowed-rule')).toEqual([]);
      expect(r.codes).toHaveLength(2 * (n - 1));
    }
    expect(large.looked).toBeLessThanOrEqual(2.2 * small.looked + 10);
  });
});
