// NAT gateways in the response analyses (spec §6.1 last paragraph, §7, §8, §8.1): the responses
// coming back to a gateway go to the gateway's `ports`, whatever the clients behind it use.
// Expectations are computed by hand on the AWS VPC guide's public/private subnets (aws-nacl
// ACLs, every endpoint Linux: 32768-60999), with a NAT gateway natgw 10.0.0.5 (ports
// 1024-65535) in the public subnet through which dbsrv (private) fetches https.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../server/src/model/resolve';
import { analyze } from '../../server/src/analysis/analyze';
import { worseThan } from '../../server/src/analysis/adviceGuard';
import { simulateFlow } from '../../server/src/engine/simulate';
import { hover } from '../../server/src/features/hover';
import type { Diagnostic } from '../../server/src/core/diagnostic';
import { docContext } from '../support/docContext';
import { removeTempFiles, runMain, tempFiles } from '../cli/support';

afterAll(removeTempFiles);

const RETURN_140 = '  140 inbound  allow tcp from internet to public port 32768-65535   # "Linux and Windows clients"\n';
const PRIVATE_RETURN = '  110 inbound  allow tcp from internet to private port 32768-60999\n';

function vpc(returnRule = RETURN_140, privateReturn = PRIVATE_RETURN, kind = 'aws-nacl'): string {
  return `default ephemeral linux
network internet  0.0.0.0/0
network public    10.0.0.0/24
network private   10.0.1.0/24
host    dbsrv     10.0.1.10
host    site      203.0.113.80
nat     natgw     10.0.0.5

firewall public-acl ${kind} protects public {
  100 inbound  allow tcp from private to public port https
  110 outbound allow tcp from public to internet port https
  120 outbound allow tcp to private port 32768-60999
${returnRule}}

firewall private-acl ${kind} protects private {
  100 outbound allow tcp to internet port https
${privateReturn}}

flow dbsrv -> site https via natgw expect allow
`;
}

function analysis(text: string) {
  const model = buildModel('/nat/vpc.fw', text);
  expect(model.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return analyze(model);
}

/** The diagnostics of the response codes, as `code line`. */
function responseCodes(text: string): string[] {
  const lines = text.split('\n');
  const lineOf = (d: Diagnostic) => text.slice(0, d.span.start).split('\n').length;
  return analysis(text)
    .diagnostics.filter((d) => /-response$/.test(d.code))
    .map((d) => `${d.code} ${lines[lineOf(d) - 1]!.trim()}`);
}

function diagnosticOn(text: string, code: string, ruleText: string): Diagnostic {
  const at = text.indexOf(ruleText);
  const d = analysis(text).diagnostics.find((x) => x.code === code && x.span.start === at);
  expect(d, `${code} on ${ruleText}`).toBeDefined();
  return d!;
}

function applyFix(text: string, d: Diagnostic): string {
  const fix = d.fixes![0]!;
  let out = text;
  for (const e of [...fix.edits].sort((a, b) => b.span.start - a.span.start)) {
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  }
  return out;
}

function verdict(text: string): string {
  const model = buildModel('/nat/vpc.fw', text);
  return simulateFlow(model, model.flows[0]!).verdict;
}

describe('the responses coming back to a NAT gateway go to its ports (spec §6.1)', () => {
  it('(a) the public ACL opens only 32768-65535 back: partial-response names the gateway and its ports 1024-32767', () => {
    const text = vpc();
    expect(verdict(text)).toBe('partial');
    const d = diagnosticOn(text, 'partial-response', '110 outbound allow tcp from public to internet port https');
    expect(d.severity).toBe('warning');
    // Responses to the other public addresses go to Linux's 32768-60999: rule 140 takes them all.
    expect(d.message).toContain(
      'but those to 10.0.0.5 ports 1024-32767 are left out: the default deny drops them (inbound rule 140 allows the rest)',
    );
    expect(d.message).toContain(
      "These include the responses coming back to the NAT gateway natgw, ports 1024-65535, whatever the private clients' OS",
    );
    // No other response diagnostic is about the gateway: the private side is Linux throughout.
    expect(responseCodes(text).filter((c) => c.startsWith('partial') || c.startsWith('missing'))).toEqual([
      'partial-response 110 outbound allow tcp from public to internet port https',
    ]);
  });

  it('(a) fix: a rule for the gateway ports 1024-65535, to the whole subnet (an ACL names no less); the NAT flow then passes', () => {
    const text = vpc();
    const d = diagnosticOn(text, 'partial-response', '110 outbound allow tcp from public to internet port https');
    expect(d.fixes!.map((f) => [f.title.split(' — ')[0], f.safe])).toEqual([
      ['Add the response rule `141 inbound allow tcp from internet to public port 1024-65535`', false],
    ]);
    const after = applyFix(text, d);
    // Numbered rules: it goes right after the request rule.
    expect(after).toBe(
      text.replace(
        '  110 outbound allow tcp from public to internet port https\n',
        '  110 outbound allow tcp from public to internet port https\n  141 inbound allow tcp from internet to public port 1024-65535\n',
      ),
    );
    expect(verdict(after)).toBe('allowed');
    expect(responseCodes(after).filter((c) => !c.startsWith('broad-response'))).toEqual([]);
  });

  it('(a) no return rule at all: missing-response, and its fix opens the gateway ports 1024-65535', () => {
    const text = vpc('');
    expect(verdict(text)).toBe('blocked');
    const d = diagnosticOn(text, 'missing-response', '110 outbound allow tcp from public to internet port https');
    expect(d.message).toContain('The responses go inbound to public, tcp from internet port 443 to public ports 1024-65535');
    expect(d.message).toContain(
      "These include the responses coming back to the NAT gateway natgw, ports 1024-65535, whatever the private clients' OS",
    );
    expect(d.fixes!.map((f) => f.title.split(' — ')[0])).toEqual([
      'Add the response rule `120 inbound allow tcp from internet to public port 1024-65535`',
    ]);
    const after = applyFix(text, d);
    expect(after).toBe(
      text.replace(
        '  110 outbound allow tcp from public to internet port https\n',
        '  110 outbound allow tcp from public to internet port https\n  120 inbound allow tcp from internet to public port 1024-65535\n',
      ),
    );
    expect(verdict(after)).toBe('allowed');
  });

  it('without the gateway the same ACL is fine for its Linux clients (the NAT is what needs 1024-32767)', () => {
    const text = vpc().replace('nat     natgw     10.0.0.5\n', '').replace(' via natgw', '');
    expect(responseCodes(text).filter((c) => c.startsWith('partial') || c.startsWith('missing'))).toEqual([]);
  });

  it('a rule that names its source ports keeps them: the gateway changes nothing', () => {
    // (A plain stateless firewall: an AWS network ACL cannot name a source port.)
    const text = vpc(RETURN_140, PRIVATE_RETURN, 'stateless').replace(
      '110 outbound allow tcp from public to internet port https',
      '110 outbound allow tcp from public port 32768-60999 to internet port https',
    );
    expect(responseCodes(text).filter((c) => c.startsWith('partial') || c.startsWith('missing'))).toEqual([]);
  });

  it('(b) the private ACL drops its clients responses: the usual partial-response, and its fix makes the NAT flow pass', () => {
    const text = vpc(
      RETURN_140.replace('32768-65535', '1024-65535'),
      '  110 inbound  allow tcp from internet to private port 49152-65535\n',
    );
    expect(verdict(text)).toBe('partial');
    const d = diagnosticOn(text, 'partial-response', '100 outbound allow tcp to internet port https');
    // dbsrv's responses come back from site to its own Linux ports: 32768-49151 are left out.
    expect(d.message).toContain('ports 32768-49151 are left out: the default deny drops them (inbound rule 110 allows the rest)');
    expect(d.message).not.toContain('NAT gateway');
    const after = applyFix(text, d);
    expect(after).not.toBe(text);
    expect(verdict(after)).toBe('allowed');
  });

  it('on a plain stateless firewall the fix writes one rule to the gateway address and one for the other clients', () => {
    const text = vpc('', PRIVATE_RETURN, 'stateless').replace(
      '100 inbound  allow tcp from private to public port https',
      '100 inbound  allow tcp from private to any port https',
    );
    const d = diagnosticOn(text, 'missing-response', '110 outbound allow tcp from public to internet port https');
    expect(d.fixes!.map((f) => [f.title, f.safe])).toEqual([
      [
        'Add the response rules `120 inbound allow tcp from internet port https to 10.0.0.5 port 1024-65535`, ' +
          '`121 inbound allow tcp from internet port https to public port ephemeral`',
        true,
      ],
    ]);
    const after = applyFix(text, d);
    expect(verdict(after)).toBe('allowed');
    expect(responseCodes(after).filter((c) => c.startsWith('partial') || c.startsWith('missing'))).toEqual([]);
  });

  it('the hover of the request rule says where the responses to the gateway go', () => {
    const text = vpc();
    const at = text.indexOf('110 outbound allow tcp from public') + 1;
    const value = (hover(docContext(text), at)!.contents as { value: string }).value;
    expect(value).toContain('the responses to the NAT gateway `natgw` (10.0.0.5) go to its ports 1024-65535');
  });
});

describe('check --fix on the AWS NAT mistakes (spec §8.1 rule 3)', () => {
  for (const [name, text] of [
    ['public ACL returns only 32768-65535', vpc()],
    ['public ACL returns nothing', vpc('')],
  ] as const) {
    it(`${name}: the NAT flow passes after --fix, and no flow or diagnostic is worse`, () => {
      const file = path.join(tempFiles({ 'vpc.fw': text }), 'vpc.fw');
      const r = runMain(['check', '--fix', file]);
      const fixed = fs.readFileSync(file, 'utf8');
      expect(r.out).toContain('1 fixed');
      expect(verdict(fixed)).toBe('allowed');
      expect(worseThan(analysis(text), analysis(fixed))).toBeUndefined();
      expect(analysis(fixed).diagnostics.filter((d) => d.code === 'flow-expectation')).toEqual([]);
    });
  }
});
