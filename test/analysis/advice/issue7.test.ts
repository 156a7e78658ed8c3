// The cases of issue 7 ("advice you can trust"), each as it was reported: the advice around
// the engine must never open a hole, miss a response, or contradict itself (spec §7, §8.1).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { worseThan } from '../../../server/src/analysis/adviceGuard';
import { analyze } from '../../../server/src/analysis/analyze';
import { fixAll } from '../../../server/src/analysis/fixAll';
import { responseIndex } from '../../../server/src/analysis/responseIndex';
import { applyEdits } from '../../../server/src/core/edits';
import { buildModel } from '../../../server/src/model/resolve';
import { fixture } from '../responses/support';

const analyzeText = (t: string) => analyze(buildModel('/issue7/f.fw', t));
const codes = (t: string, code: string) => analyzeText(t).diagnostics.filter((d) => d.code === code);
const metOf = (t: string) => Object.fromEntries(analyzeText(t).flowResults.map((r) => [r.flow.text, r.met]));

describe('issue 7: --fix never opens a hole', () => {
  it('does not widen a response rule that has no source port (it would admit new connections)', () => {
    const text = `host web 10.0.1.10 ephemeral linux
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp to web port 443
  100 outbound allow tcp from web to any port 32768-65535
}
flow web -> 198.51.100.5 tcp 3306 expect deny
`;
    const partial = codes(text, 'partial-response');
    expect(partial).toHaveLength(1);
    expect(partial[0]!.fixes!.map((f) => f.title)).not.toContainEqual(expect.stringContaining('Widen'));
    const r = fixAll(text, analyzeText);
    expect(r.text).toContain('100 outbound allow tcp from web to any port 32768-65535');
    expect(metOf(r.text)['web -> 198.51.100.5 tcp 3306']).toBe(true);
    expect(worseThan(analyzeText(text), r.analysis)).toBeUndefined();
  });

  it('moves the deny a failing `expect deny` needs instead of deleting it as redundant', () => {
    const text = `host web 10.0.0.5
host scanner 198.51.100.66
firewall f stateless protects web {
  100 inbound  allow tcp to web port [22, 443]
  200 inbound  deny  tcp from scanner to web
  100 outbound allow tcp from web port [22, 443] to any port ephemeral
}
flow scanner -> web https expect deny
flow 198.51.100.7 -> web https expect allow
`;
    const redundant = codes(text, 'redundant-rule');
    expect(redundant.map((d) => d.fixes!.map((f) => f.title))).toEqual([
      ['Remove this redundant rule', 'Move above rule 100 (renumber to 90)'],
    ]);
    const r = fixAll(text, analyzeText);
    expect(r.text).toContain('  90 inbound  deny  tcp from scanner to web\n');
    expect(r.applied.map((f) => [f.code, f.because])).toEqual([['redundant-rule', ['scanner -> web https']]]);
    expect(r.analysis.flowResults.every((f) => f.met)).toBe(true);
  });

  it('takes no flow-guided fix from a half-read file: the flows there have no verdict (spec §8.1 rule 5)', () => {
    const text = `host web 10.0.0.5
host scanner 198.51.100.66
network typo 10.0.300.0/24
firewall f stateless protects web {
  100 inbound  allow tcp to web port [22, 443]
  200 inbound  deny  tcp from scanner to web
  100 outbound allow tcp from web port [22, 443] to any port ephemeral
}
flow scanner -> web https expect deny
`;
    expect(codes(text, 'invalid-address')).toHaveLength(1);
    const r = fixAll(text, analyzeText);
    expect(r.applied.filter((f) => f.because)).toEqual([]);
    expect(r.text).toContain('200 inbound  deny  tcp from scanner to web');
  });

  it('never reports a rule "redundant" and its partner "orphan" so that following both drops every response', () => {
    const text = `host web 10.0.1.10
firewall edge stateless protects 10.0.1.0/24 {
  inbound  allow tcp to web port 443
  outbound allow tcp from web port 443 to any port ephemeral
  outbound allow tcp from 10.0.1.0/25 port 443 to any port ephemeral
}
`;
    fixture(
      text.replace(
        '  outbound allow tcp from web port 443 to any port ephemeral\n',
        '  outbound allow tcp from web port 443 to any port ephemeral\n# ^ hint redundant-rule "would be allowed anyway, by the rule on line"\n',
      ),
      { ignore: [] },
    );
    // Following the advice (removing the redundant rule) keeps every response.
    const d = codes(text, 'redundant-rule')[0]!;
    const after = applyEdits(text, d.fixes![0]!.edits).text;
    expect(analyzeText(after).diagnostics).toEqual([]);
  });
});

describe('issue 7: the AWS VPC guide public subnet ACL', () => {
  const text = `network internet  0.0.0.0/0
network home      192.0.2.0/24
network public    10.0.0.0/24
network private   10.0.1.0/24
host    web       10.0.0.10
host    db        10.0.1.20
firewall public-acl stateless protects public {
  100 inbound  allow tcp from internet to public port 80
  110 inbound  allow tcp from internet to public port 443
  120 inbound  allow tcp from home to public port 22
  130 inbound  allow tcp from home to public port 3389
  140 inbound  allow tcp from internet to public port 1024-65535
  100 outbound allow tcp from public to internet port 80
  110 outbound allow tcp from public to internet port 443
  120 outbound allow tcp from public to private port 1433
  140 outbound allow tcp from public to internet port 32768-65535
  150 outbound allow tcp from public to private port 22
}
flow 198.51.100.7 -> web http expect allow
flow web -> 203.0.113.9 tcp 3306 expect deny
flow web -> 203.0.113.9 tcp 8080 expect deny
flow web -> db tcp 1433 expect allow
`;

  it('keeps RDP: a rule is not "redundant" because of the 1024-65535 rule broad-response asks to narrow', () => {
    expect(codes(text, 'redundant-rule')).toEqual([]);
  });

  it('--fix adds narrow response rules, opens no new connection, and every flow ends met', () => {
    const r = fixAll(text, analyzeText);
    expect(r.applied.map((f) => f.title)).toEqual([
      'Add the response rule `141 outbound allow tcp from public port 80 to internet port ephemeral`',
      'Add the response rule `142 outbound allow tcp from public port 443 to internet port ephemeral`',
      'Add the response rule `143 outbound allow tcp from public port 22 to home port ephemeral`',
      'Add the response rule `144 outbound allow tcp from public port 3389 to home port ephemeral`',
    ]);
    expect(r.text).toContain('130 inbound  allow tcp from home to public port 3389');
    expect(r.text).toContain('120 outbound allow tcp from public to private port 1433');
    expect(worseThan(analyzeText(text), r.analysis)).toBeUndefined();
    expect(r.analysis.flowResults.map((f) => [f.flow.text, f.met])).toEqual([
      ['198.51.100.7 -> web http', true],
      ['web -> 203.0.113.9 tcp 3306', true],
      ['web -> 203.0.113.9 tcp 8080', true],
      ['web -> db tcp 1433', true],
    ]);
    // No round reports what an earlier round inserted.
    expect(r.analysis.diagnostics.map((d) => d.code)).toEqual(['broad-response', 'broad-response']);
  });
});

describe('issue 7: no missed responses (spec §7)', () => {
  it('an application port range (RTP 10000-20000) is a request, and its missing response is reported', () => {
    const text = `host pbx 10.0.2.5
firewall voice stateless protects 10.0.2.0/24 {
  100 inbound  allow udp to pbx port 5060
  110 inbound  allow udp to pbx port 10000-20000
  100 outbound allow udp from pbx port 5060 to any port ephemeral
}
`;
    const missing = codes(text, 'missing-response');
    expect(missing.map((d) => text.slice(d.span.start, d.span.end))).toEqual(['110 inbound  allow udp to pbx port 10000-20000']);
    expect(missing[0]!.fixes!.map((f) => f.title)).toEqual([
      'Add the response rule `120 outbound allow udp from pbx port 10000-20000 to any port ephemeral`',
    ]);
    const r = fixAll(text, analyzeText);
    expect(r.analysis.diagnostics).toEqual([]);
  });

  it('a service name is never response-like: `port rtp` names where requests go', () => {
    fixture(`service rtp udp 10000-60000
host pbx 10.0.2.5
firewall voice stateless protects 10.0.2.0/24 {
  inbound allow udp to pbx port rtp
# ^ warning missing-response "udp from pbx ports 10000-60000 to any ports 1024-65535"
}
`);
  });

  it('response-like is judged against the ranges in use: a declared range makes its half response-like', () => {
    const rules = `firewall edge stateless protects 10.0.1.0/24 {
  outbound allow tcp from 10.0.1.10 to 203.0.113.9 port 443
  inbound  allow tcp from 203.0.113.9 port 443 to 10.0.1.10 port 20000-25000
}
`;
    const kind = (t: string) => {
      const fw = buildModel('/issue7/f.fw', t).firewalls[0]!;
      return responseIndex(fw).kindOf(fw.rules[1]!);
    };
    // 20000-25000 holds no half of a built-in range: an application's ports, a request rule.
    expect(kind(rules)).toBe('request');
    // Somebody's clients use 20000-29999: now the same rule is a response rule.
    expect(kind(`ephemeral appliance 20000-29999\n${rules}`)).toBe('response');
    expect(kind(`host box 10.0.1.10 ephemeral 20000-29999\n${rules}`)).toBe('response');
  });

  it('a general both rule (`outbound allow all`) is checked as a request, even though it serves another rule (spec §7 example)', () => {
    fixture(`firewall nacl stateless protects 10.0.0.0/16 {
  100 inbound  allow tcp from 162.243.144.192 to any port 3306
  100 outbound allow all
# ^ warning partial-response "only part of the responses of the new connections this rule admits" "(inbound rule 100 allows the rest)"
}
`);
  });

  it('`port 0-65535` is no port: treated like an omitted port, no "narrow to 1-65535" advice', () => {
    const a = `host web 10.0.1.10
firewall edge stateless protects 10.0.1.0/24 {
  inbound  allow tcp to web port 443
  outbound allow tcp from web port 443 to any port ephemeral
  inbound  allow tcp from any port 0-65535 to web port 1024-65535
}
`;
    const b = a.replace('from any port 0-65535 to', 'from any to');
    const summary = (t: string) => analyzeText(t).diagnostics.map((d) => `${d.code}: ${d.message}`);
    expect(summary(a)).toEqual(summary(b));
    const titles = analyzeText(a)
      .diagnostics.flatMap((d) => d.fixes ?? [])
      .map((f) => f.title);
    expect(titles).not.toContainEqual(expect.stringContaining('1-65535'));
  });
});

describe('issue 7: the stateless habit in a stateful firewall (spec §8 stateful-response)', () => {
  it('warns on `inbound allow tcp to web port 1024-65535` in a security group, and removing it closes only new connections', () => {
    const text = `host web 10.0.1.10
firewall sg stateful protects web {
  inbound allow tcp to web port 443
  inbound allow tcp to web port 1024-65535
}
`;
    fixture(
      text.replace(
        'port 1024-65535\n',
        'port 1024-65535\n# ^ warning stateful-response "admits NEW connections from any to ports 1024-65535 of web"\n',
      ),
    );
    const d = codes(text, 'stateful-response')[0]!;
    expect(d.severity).toBe('warning');
    expect(d.fixes![0]!.safe).toBe(false);
    expect(applyEdits(text, d.fixes![0]!.edits).text).not.toContain('1024-65535');
  });
});

describe('issue 7: messages say what is left out, as it is', () => {
  it('partial-response names address and port pairs, not two projections that overstate the gap', () => {
    fixture(`host web 10.0.1.10
network clients 10.9.0.0/24
firewall edge stateless protects 10.0.1.0/24 {
  inbound  allow tcp from clients to web port 80
# ^ warning partial-response "those to 10.9.0.0/25 ports 1024-39999 and those to 10.9.0.128/25 ports 40000-65535 are left out"
  outbound allow tcp from web port 80 to 10.9.0.0/25 port 40000-65535
  outbound allow tcp from web port 80 to 10.9.0.128/25 port 1024-39999
}
`);
  });
});

describe('issue 7: check --fix on every sample leaves no flow worse and opens nothing but responses', () => {
  const dir = path.resolve(__dirname, '..', '..', '..', 'samples');
  const samples = fs.readdirSync(dir).filter((f) => f.endsWith('.fw'));
  it.each(samples)('%s', (name) => {
    const file = path.join(dir, name);
    const text = fs.readFileSync(file, 'utf8');
    const host = {
      readFile: (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined),
      resolve: (from: string, rel: string) => path.resolve(path.dirname(from), rel),
    };
    const an = (t: string) => analyze(buildModel(file, t, host));
    const original = an(text);
    const r = fixAll(text, an);
    expect(worseThan(original, r.analysis) ?? 'no worse').toBe('no worse');
  });
});

describe('issue 7: --fix says what it left alone, and why', () => {
  it('a structural fix that would open new connections is not applied, and the reason is given', () => {
    const text = `host web 10.0.1.5
network lan 10.0.1.7/24
firewall fw stateful protects lan {
  inbound allow tcp to web port 443
}
`;
    const r = fixAll(text, analyzeText);
    expect(r.applied).toEqual([]);
    expect(r.skipped.map((f) => [f.code, f.reason])).toEqual([
      ['invalid-address', 'it would open packets of `fw` (inbound) that are no responses'],
    ]);
    expect(r.text).toBe(text);
  });
});

describe('issue 7: --fix mends errors first', () => {
  it('a reversed port range is swapped before any fix answers for the rule it breaks', () => {
    const text = `host web 10.0.1.10
firewall fw stateless protects 10.0.1.0/24 {
  inbound allow tcp to web port 443
  outbound allow tcp from web port 443 to any port 65535-1024
}
`;
    const r = fixAll(text, analyzeText);
    expect(r.applied.map((f) => f.code)).toEqual(['invalid-port']);
    expect(r.text).toBe(text.replace('65535-1024', '1024-65535'));
    expect(r.analysis.diagnostics).toEqual([]);
  });
});
