// Messages say exactly what fails (spec §6, cli.md): which server ports, which client
// addresses (as prefixes), which server addresses, and which firewall, direction and rule
// (with its line) or default drops them; a response is traced only for a request that passed.
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain, removeTempFiles, tempFiles } from './support';

afterAll(removeTempFiles);

const file = (text: string) => path.join(tempFiles({ 'm.fw': text }), 'm.fw');
const json = (f: string) => (JSON.parse(runMain(['simulate', f, '--json']).out) as { flows: Record<string, unknown>[] }).flows;

describe('a service with ports 80 and 443 where only 443 is answered', () => {
  const text = `host web 10.0.1.10
host bob 198.51.100.23
service web2 tcp [80, 443]
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp to web port [80, 443]
  110 outbound allow tcp from web port 443 to any port 1024-65535
}
flow bob -> web web2 expect allow
`;

  it('says port 80 fails and where, in text and in check', () => {
    const f = file(text);
    const r = runMain(['simulate', f]);
    expect(r.code).toBe(1);
    expect(r.lines).toContain('    the response from server port 80 is dropped at edge (outbound, by the default deny); port 443 passes');
    const c = runMain(['check', f]);
    expect(c.out).toMatch(
      /error flow-expectation: expected allow, but the flow is partial: the response from server port 80 is dropped at edge \(outbound, by the default deny\); port 443 passes/,
    );
  });

  it('JSON: allowedServerPorts / blockedServerPorts', () => {
    expect(json(file(text))[0]).toMatchObject({ verdict: 'partial', allowedServerPorts: '443', blockedServerPorts: '80' });
  });
});

describe('a flow to a network whose requests are denied for some addresses', () => {
  const text = `network web 10.0.1.0/24
firewall f stateless protects 10.0.1.0/24 {
  inbound allow tcp to 10.0.1.128/25 port 443
  outbound allow tcp from 10.0.1.128/25 port 443 to any port ephemeral
}
flow 198.51.100.7 -> web https expect allow
`;

  it('traces the response of a request that passed, never of the denied one', () => {
    const [flow] = json(file(text));
    expect(flow).toMatchObject({ verdict: 'partial', note: 'connections to 10.0.1.128/25 pass; to 10.0.1.0/25 none pass' });
    expect((flow!.request as { hops: unknown[] }).hops).toEqual([
      { firewall: 'f', direction: 'inbound', action: 'deny', by: 'default', rule: null, line: null },
    ]);
    expect((flow!.response as { hops: unknown[] }).hops).toEqual([
      { firewall: 'f', direction: 'outbound', action: 'allow', by: 'rule', rule: null, line: 4 },
    ]);
  });

  it('the text names the failing server addresses and where they are dropped', () => {
    const r = runMain(['simulate', file(text)]);
    expect(r.lines).toContain('    (the response below answers a request that gets through)');
    expect(r.lines).toContain(
      '    the request to server addresses 10.0.1.0/25 is dropped at f (inbound, by the default deny); 10.0.1.128/25 pass',
    );
  });
});

describe('a flow from a /24 whose upper /25 fails', () => {
  const text = `network office 198.51.100.0/24
host web 10.0.1.10
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from 198.51.100.0/25 to web port 22
  105 inbound  deny  tcp from 198.51.100.128/25 to web port 22
  110 outbound allow tcp from web port 22 to any port 1024-65535
  200 inbound  allow tcp to web port 443
  210 outbound allow tcp from web port 443 to 198.51.100.0/25 port 1024-65535
  220 outbound allow tcp from web port 443 to 198.51.100.128/25 port 32768-65535
}
flow office -> web tcp 22 expect allow
flow office -> web https expect allow
`;

  it('names the failing addresses as prefixes and the rule (with its line) that drops them, never "none"', () => {
    const f = file(text);
    const r = runMain(['simulate', f]);
    expect(r.out).not.toMatch(/: none\b/);
    expect(r.lines).toContain(
      '    the request from client addresses 198.51.100.128/25 is dropped at edge (inbound, by rule 105 on line 5); 198.51.100.0/25 pass',
    );
    expect(r.lines).toContain(
      '    for client addresses 198.51.100.128/25 client ports 1024-32767 fail: the response is dropped at edge (outbound, by the default deny); 198.51.100.0/25 pass',
    );
    const [ssh, https] = json(f);
    expect(ssh).toMatchObject({
      allowedClientAddresses: '198.51.100.0/25',
      blockedClientAddresses: '198.51.100.128/25',
      partialClientAddresses: '',
    });
    expect(https).toMatchObject({
      allowedClientAddresses: '198.51.100.0/25',
      blockedClientAddresses: '',
      partialClientAddresses: '198.51.100.128/25',
    });
  });
});
