// flow-expectation: a flow whose verdict differs from its `expect` is an error on the flow;
// met expectations and flows without `expect` are silent (spec §6, §8).
import { describe, expect, it } from 'vitest';
import { check } from '../../server/src/analysis/analyze';
import { expectFixture } from '../support/fixture';
import { RESPONSE_CODES, fixtureFiles } from '../support/fixtureFiles';

describe('flow-expectation fixtures', () => {
  it.each(fixtureFiles('flow-expectation'))('%s', (name, text) => {
    expectFixture(text, { path: `/fixtures/${name}`, ignore: RESPONSE_CODES });
  });
});

describe('flow-expectation', () => {
  const text = `host web 10.0.1.10
firewall sg stateful protects web {
  inbound allow tcp to web port 443
  inbound deny tcp to web port 22
}
flow 198.51.100.1 -> web https expect deny
flow 198.51.100.1 -> web ssh expect allow
flow 198.51.100.1 -> web https
`;
  const a = check('/t.fw', text);
  const diags = a.diagnostics.filter((d) => d.code === 'flow-expectation');

  it('is an error on the whole flow statement, one per unmet flow', () => {
    expect(diags.map((d) => [d.severity, text.slice(d.span.start, d.span.end)])).toEqual([
      ['error', 'flow 198.51.100.1 -> web https expect deny'],
      ['error', 'flow 198.51.100.1 -> web ssh expect allow'],
    ]);
  });

  it('points at the rule that decided against the expectation', () => {
    const rel = (i: number) => diags[i]!.related!.map((r) => text.slice(r.span.start, r.span.end));
    expect(rel(0)).toEqual(['inbound allow tcp to web port 443']);
    expect(rel(1)).toEqual(['inbound deny tcp to web port 22']);
  });

  it('agrees with the simulation: met flows have no diagnostic', () => {
    expect(a.flowResults.map((r) => [r.verdict, r.met])).toEqual([
      ['allowed', false],
      ['blocked', false],
      ['allowed', true],
    ]);
  });
});
