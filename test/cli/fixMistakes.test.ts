// `fwlang check --fix` on the classic mistakes: the safe fixes, then the fixes that make a
// failing flow meet its `expect` — and the flows of samples/mistakes.fw all meet theirs after.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { fixAll } from '../../server/src/analysis/fixAll';
import { buildModel } from '../../server/src/model/resolve';
import { ROOT, removeTempFiles, runMain, tempFiles } from './support';

afterAll(removeTempFiles);

describe('fwlang check --fix on samples/mistakes.fw', () => {
  it('turns it into a file whose flows all meet their expect', () => {
    const text = fs.readFileSync(path.join(ROOT, 'samples', 'mistakes.fw'), 'utf8');
    const dir = tempFiles({ 'mistakes.fw': text });
    const file = path.join(dir, 'mistakes.fw');
    expect(runMain(['simulate', file]).code).toBe(1);
    const r = runMain(['check', file, '--fix']);
    expect(r.out).toMatch(/fixed missing-response: Add the response rule `outbound allow tcp from web1 port https to any port ephemeral`/);
    expect(r.out).toMatch(/fixed broad-response: .*\(so that `web3:443 -> mirror smtp` meets its expect\)/);
    expect(r.out).toMatch(/fixed shadowed-rule: Move above .*\(so that `scanner -> web5 https` meets its expect\)/);
    expect(r.code).toBe(0);
    const sim = runMain(['simulate', file, '--json']);
    expect(sim.code).toBe(0);
    const flows = JSON.parse(sim.out).flows as { flow: string; met: boolean }[];
    expect(flows.length).toBeGreaterThanOrEqual(10);
    expect(flows.filter((f) => !f.met)).toEqual([]);
  });
});

describe('fixAll', () => {
  const analyzeText = (t: string) => analyze(buildModel('/fixture/f.fw', t));

  it('does not take an unsafe fix that would make another flow fail', () => {
    // Moving the deny above the allow would make `scanner -> web` meet its `expect deny`,
    // but also block `scanner -> web http`, which the author expects to pass.
    const text = `host web 10.0.0.5
host scanner 198.51.100.66
firewall f stateless protects web {
  inbound allow tcp to web port [80, 443]
  inbound deny tcp from scanner to web port [80, 443]
  outbound allow tcp from web port [80, 443] to any port ephemeral
}
flow scanner -> web https expect deny
flow scanner -> web http expect allow
`;
    const r = fixAll(text, analyzeText);
    expect(r.applied.filter((f) => f.because)).toEqual([]);
    expect(r.analysis.flowResults.map((f) => f.met)).toEqual([false, true]);
  });

  it('takes an unsafe fix that makes a failing flow meet its expect and hurts nothing', () => {
    const text = `host web 10.0.0.5
host scanner 198.51.100.66
firewall f stateless protects web {
  inbound allow tcp to web port 443
  inbound deny tcp from scanner to web port 443
  outbound allow tcp from web port 443 to any port ephemeral
}
flow scanner -> web https expect deny
flow 198.51.100.7 -> web https expect allow
`;
    const r = fixAll(text, analyzeText);
    expect(r.applied.map((f) => [f.code, f.because])).toEqual([['shadowed-rule', ['scanner -> web https']]]);
    expect(r.text).toContain('  inbound deny tcp from scanner to web port 443\n  inbound allow tcp to web port 443\n');
    expect(r.analysis.flowResults.every((f) => f.met)).toBe(true);
  });

  it('tries the same fix in each firewall: one refused does not leave the others untried and unsaid', () => {
    // f0 protects web: its response rule would let scanner's https through (the flow expects deny).
    const fw = (i: number, net: string) => `firewall f${i} stateless protects ${net} {\n  inbound allow tcp to any port 443\n}\n`;
    const text = `host web 10.0.0.5\nhost scanner 198.51.100.66\n${fw(0, '10.0.0.0/24')}${fw(1, '10.1.0.0/24')}${fw(2, '10.2.0.0/24')}flow scanner -> web https expect deny\n`;
    const r = fixAll(text, analyzeText);
    expect(r.applied.map((f) => f.code)).toEqual(['missing-response', 'missing-response']);
    expect(r.skipped.map((f) => [f.code, f.reason])).toEqual([
      ['missing-response', 'flow `scanner -> web https` would no longer meet its expect'],
    ]);
    const left = r.analysis.diagnostics.filter((d) => d.code === 'missing-response');
    expect(left.map((d) => d.message)).toEqual([expect.stringContaining('f0 is stateless')]);
  });

  it('changes nothing in a file without problems', () => {
    const text = fs.readFileSync(path.join(ROOT, 'samples', 'catogram.fw'), 'utf8');
    const r = fixAll(text, analyzeText);
    expect(r.applied).toEqual([]);
    expect(r.text).toBe(text);
  });
});

describe('fwlang check --fix within its bounds', () => {
  it('says which safe fixes the 20 rounds did not come to, and a second run goes on', () => {
    // One redundant copy removed per round (the others shadowed by it): 23 rounds' worth.
    const rules = (n: number) =>
      `firewall acl stateless protects 10.0.1.0/24 {\n${'  outbound deny tcp from 10.0.1.10 to 198.51.100.0/24\n'.repeat(n)}}\n`;
    const dir = tempFiles({ 'dup.fw': rules(23) });
    const file = path.join(dir, 'dup.fw');
    const r = runMain(['check', file, '--fix']);
    expect(r.out.split('\n').filter((l) => / fixed redundant-rule/.test(l) && !/not fixed/.test(l))).toHaveLength(20);
    expect(r.out).toContain(
      `${file}:2: not fixed redundant-rule: Remove this redundant rule: not tried: check --fix stops after 20 rounds of fixes (run it again to go on)`,
    );
    expect(r.out).toMatch(/; 20 fixed; 1 not fixed \(see why above\)/);
    expect(fs.readFileSync(file, 'utf8')).toBe(rules(3));
    const again = runMain(['check', file, '--fix']);
    expect(again.out).not.toMatch(/not fixed/);
    expect(fs.readFileSync(file, 'utf8')).toBe(rules(0));
  });
});
