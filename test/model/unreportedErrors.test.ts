// Syntax errors past the diagnostics' limit (MAX_SYNTAX_DIAGNOSTICS) still make the rule they
// lie in half-read: a rule with junk after it took part in the analyses (a missing-response
// warning, with its quick fix) when a hundred errors came before it, and not when one did.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/model/resolve';
import { IncrementalParser } from '../../server/src/syntax/incremental';
import { MAX_SYNTAX_DIAGNOSTICS, parse } from '../../server/src/syntax/parse';

const junk = (n: number): string => '$$$\n'.repeat(n);
const firewall = [
  'firewall f stateless protects 10.0.0.0/24 {',
  '  100 inbound allow tcp from any to 10.0.0.1 port 80 $$$',
  '  110 inbound allow tcp from any to 10.0.0.2 port 443',
  '}',
  '',
].join('\n');

function rules(text: string) {
  const a = analyze(buildModel('/t/errors.fw', text));
  return {
    valid: a.model.firewalls[0]!.rules.map((r) => r.valid),
    missing: a.diagnostics.filter((d) => d.code === 'missing-response').map((d) => text.slice(d.span.start).split('\n')[0]),
  };
}

describe('syntax errors past the limit of the diagnostics', () => {
  it('are kept, in order, beside the diagnostics, by the whole and the incremental parse alike', () => {
    const text = junk(MAX_SYNTAX_DIAGNOSTICS + 20) + firewall;
    const p = parse(text);
    expect(p.diagnostics).toHaveLength(MAX_SYNTAX_DIAGNOSTICS + 1);
    expect(p.diagnostics.at(-1)!.message).toBe('too many syntax errors: 21 more not shown');
    expect(p.unreported).toHaveLength(21);
    expect(p.unreported![0]).toBe(p.diagnostics.at(-1)!.span.start);
    expect(p.unreported!.at(-1)).toBe(text.indexOf('$$$', text.indexOf('port 80')));
    expect([...p.unreported!].sort((a, b) => a - b)).toEqual(p.unreported);
    expect(new IncrementalParser().parse(text)).toEqual(p);
    // Within the limit there are none.
    expect(parse(junk(3) + firewall).unreported).toBeUndefined();
  });

  it('make the rule they lie in half-read, as one reported error does; the rule after stays whole', () => {
    const one = rules(junk(1) + firewall);
    const many = rules(junk(MAX_SYNTAX_DIAGNOSTICS + 20) + firewall);
    expect(one.valid).toEqual([false, true]);
    expect(many.valid).toEqual(one.valid);
    expect(one.missing).toEqual(['110 inbound allow tcp from any to 10.0.0.2 port 443']);
    expect(many.missing).toEqual(one.missing);
  });
});
