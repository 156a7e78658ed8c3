// Spec §8.1 rule 4 and §10: on an aws-nacl the advice fits the platform. The AWS VPC guide's
// public/private subnet example, written as aws-nacl and aws-sg: no fix writes what AWS cannot
// express, and the return-traffic rule's broad-response (c) is info when the security groups
// behind the ACL deny the new connections it admits.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { fixAll } from '../../server/src/analysis/fixAll';
import { applyEdits } from '../../server/src/core/edits';
import type { Diagnostic } from '../../server/src/core/diagnostic';
import { buildModel } from '../../server/src/model/resolve';

const analyzeText = (text: string) => analyze(buildModel('/aws.fw', text));
const lineOf = (text: string, d: Diagnostic) => text.slice(0, d.span.start).split('\n').length;
const lineText = (text: string, d: Diagnostic) => text.split('\n')[lineOf(text, d) - 1]!.trim();

const AWS = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'aws-vpc-guide.fw'), 'utf8');

describe("the AWS guide's example as aws-nacl / aws-sg", () => {
  const a = analyzeText(AWS);

  it('every flow meets its expect and nothing is platform-unsupported', () => {
    expect(a.diagnostics.filter((d) => d.severity === 'error').map((d) => `${lineOf(AWS, d)}: ${d.message}`)).toEqual([]);
    expect(a.flowResults.map((r) => r.verdict)).toEqual(['allowed', 'allowed', 'allowed', 'allowed', 'blocked', 'blocked']);
  });

  it("the ACLs' return-traffic rules: broad-response (c) is info, and names the group that closes the hole", () => {
    const c = a.diagnostics.filter((d) => d.code === 'broad-response' && d.message.includes('no source port'));
    expect(c.map((d) => [lineText(AWS, d), d.severity, d.message.match(/`[a-z-]+-sg`/)?.[0]])).toEqual([
      ['140 inbound  allow tcp from internet to public port 1024-65535', 'info', '`public-sg`'],
      // New connections out of the public subnet to high ports: its own group's copy drops them.
      ['140 outbound allow tcp to internet port 32768-65535', 'info', '`public-sg`'],
      ['120 outbound allow tcp to public port 32768-65535', 'info', '`public-sg`'],
    ]);
    for (const d of c) {
      expect(d.message).toContain('denies those new connections');
      expect(d.fixes ?? []).toEqual([]);
    }
  });

  it('no quick fix writes what AWS cannot express', () => {
    let fixes = 0;
    for (const d of a.diagnostics) {
      for (const f of d.fixes ?? []) {
        fixes++;
        const after = analyzeText(applyEdits(AWS, f.edits).text);
        expect(
          after.diagnostics.filter((x) => x.code === 'platform-unsupported').map((x) => x.message),
          f.title,
        ).toEqual([]);
      }
    }
    expect(fixes).toBeGreaterThan(0);
  });
});

describe('broad-response (c) on an aws-nacl', () => {
  const file = (sg: string) => `network internet 0.0.0.0/0
network public 10.0.0.0/24
default ephemeral 32768-65535
firewall acl aws-nacl protects public {
  100 outbound allow tcp to internet port 443
  100 inbound  allow tcp from internet to public port 32768-65535
}
${sg}
`;
  const c = (text: string) => analyzeText(text).diagnostics.filter((d) => d.code === 'broad-response');

  it('is a warning, with no source-port fix, when nothing behind the ACL denies those connections', () => {
    const ds = c(file(''));
    expect(ds.map((d) => d.severity)).toEqual(['warning']);
    expect(ds[0]!.message).toContain('an AWS network ACL cannot match a source port');
    expect(ds[0]!.fixes ?? []).toEqual([]);
    // The same rule in a generic stateless firewall gets the source-port fix.
    const generic = c(file('').replace('aws-nacl', 'stateless'));
    expect(generic[0]!.fixes?.map((f) => f.title)).toEqual(["Allow only responses from port 443 (the served requests' server ports)"]);
  });

  it('is a warning when a group covers only part of the addresses, or lets some of the connections in', () => {
    expect(c(file('firewall sg aws-sg protects 10.0.0.0/25 { }')).map((d) => d.severity)).toEqual(['warning']);
    expect(
      c(file('firewall sg aws-sg protects public {\n  inbound allow tcp from internet to public port 40000\n}')).map((d) => d.severity),
    ).toEqual(['warning']);
  });

  it('is info when a stateful firewall or several groups together deny them all', () => {
    expect(c(file('firewall host-fw stateful protects public { }')).map((d) => [d.severity, d.message.includes('`host-fw`')])).toEqual([
      ['info', true],
    ]);
    const two = c(file('firewall sg1 aws-sg protects 10.0.0.0/25 { }\nfirewall sg2 aws-sg protects 10.0.0.128/25 { }'));
    expect(two.map((d) => d.severity)).toEqual(['info']);
    expect(two[0]!.message).toContain('`sg1` and `sg2` deny');
  });
});

describe('missing-response on an aws-nacl', () => {
  it('the response rule it inserts has no source port, and says it also admits new connections', () => {
    const text = `network internet 0.0.0.0/0
network public 10.0.0.0/24
firewall acl aws-nacl protects public {
  100 inbound allow tcp from internet to public port 443
}
`;
    const d = analyzeText(text).diagnostics.find((x) => x.code === 'missing-response')!;
    const fix = d.fixes![0]!;
    expect(fix.safe).toBe(false);
    expect(fix.title).toContain('`110 outbound allow tcp from public to internet port ephemeral`');
    expect(fix.title).toContain('cannot match the server');
    const after = analyzeText(applyEdits(text, fix.edits).text);
    expect(after.diagnostics.filter((x) => x.code === 'platform-unsupported' || x.code === 'missing-response')).toEqual([]);
  });

  it('check --fix applies it only when a failing flow needs it; the broad-response (c) it brings is allowed', () => {
    const text = `network internet 0.0.0.0/0
network public 10.0.0.0/24
host web 10.0.0.10
host bob 203.0.113.7
firewall acl aws-nacl protects public {
  100 inbound allow tcp from internet to public port 443
}
`;
    expect(fixAll(text, analyzeText).applied).toEqual([]);
    const r = fixAll(`${text}flow bob -> web https expect allow\n`, analyzeText);
    expect(r.applied.map((f) => [f.code, f.because])).toEqual([['missing-response', ['bob -> web https']]]);
    expect(r.text).toContain('  110 outbound allow tcp from public to internet port ephemeral\n');
    expect(r.analysis.flowResults.map((f) => f.met)).toEqual([true]);
    expect(r.analysis.diagnostics.map((d) => [d.code, d.severity])).toEqual([['broad-response', 'warning']]);
  });
});
