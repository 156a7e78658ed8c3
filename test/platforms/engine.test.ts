// Spec §5.1 and §10: an aws-nacl has one inside per associated subnet, an aws-sg's members each
// sit behind their own copy. Flows through the real parser, resolver and engine.

import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../server/src/core/address';
import { PortSet } from '../../server/src/core/intervals';
import { decide } from '../../server/src/engine/firewall';
import { TCP, makeBoxes } from '../../server/src/engine/packet';
import { simulateFlow } from '../../server/src/engine/simulate';
import { buildModel } from '../../server/src/model/resolve';

function run(text: string) {
  const m = buildModel('/t.fw', text);
  expect(m.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return m.flows.map((f) => {
    const r = simulateFlow(m, f);
    const hops = (h: { firewall: { name: string }; direction: string; action: string; rule?: { number?: number } }[]) =>
      h.map((x) => `${x.firewall.name} ${x.direction} ${x.action}${x.rule?.number ? ` ${x.rule.number}` : ''}`);
    return { verdict: r.verdict, path: r.path.map((fw) => fw.name), request: hops(r.request.hops), response: hops(r.response?.hops ?? []) };
  });
}

const NAMES = `network internet 0.0.0.0/0
network public   10.0.0.0/24
network private  10.0.1.0/24
host    web      10.0.0.10
host    web2     10.0.0.11
host    db       10.0.1.5
host    bob      198.51.100.7 ephemeral linux
service https    tcp 443
`;

describe('an aws-nacl: each associated subnet is its own inside', () => {
  const acl = (rules: string) => `${NAMES}
firewall acl aws-nacl protects public, private {
${rules}
}
flow web -> db postgres
flow web -> web2 https
flow bob -> web https
`;

  it('traffic between two subnets crosses it twice: out of one, into the other, and back', () => {
    const [between, within, outside] = run(
      acl(`  100 outbound allow tcp to private port 5432
  110 inbound  allow tcp from public to 0.0.0.0/0 port 5432
  120 outbound allow tcp to public port 1024-65535
  130 inbound  allow tcp from private to 0.0.0.0/0 port 1024-65535`),
    );
    expect(between).toEqual({
      verdict: 'allowed',
      path: ['acl'],
      request: ['acl outbound allow 100', 'acl inbound allow 110'],
      response: ['acl outbound allow 120', 'acl inbound allow 130'],
    });
    // Inside one subnet: nothing is crossed, so nothing is denied.
    expect(within).toMatchObject({ verdict: 'allowed', path: [], request: [] });
    // From the internet: only into the public subnet; the ACL allows nothing from there.
    expect(outside).toMatchObject({ verdict: 'blocked', path: ['acl'], request: ['acl inbound deny'] });
  });

  it('either crossing can drop it: the leaving one and the entering one are both evaluated', () => {
    const [outOnly] = run(acl(`  100 outbound allow all\n  110 inbound deny tcp from public port 0-65535 to 0.0.0.0/0 port 5432`));
    expect(outOnly).toMatchObject({ verdict: 'blocked', request: ['acl outbound allow 100', 'acl inbound deny 110'] });
    const [inOnly] = run(acl(`  100 inbound allow all`));
    expect(inOnly).toMatchObject({ verdict: 'blocked', request: ['acl outbound deny'] });
  });

  it('a generic stateless firewall protecting the same two subnets is crossed by neither', () => {
    const [between] = run(`${NAMES}
firewall f stateless protects public, private { }
flow web -> db postgres
`);
    expect(between).toMatchObject({ verdict: 'allowed', path: [] });
  });
});

describe('an aws-sg: each member behind its own copy', () => {
  it('traffic between two members crosses the group twice; the response comes back by connection tracking', () => {
    const [between, fromOut, toOut] = run(`${NAMES}
firewall sg aws-sg protects web, web2 {
  inbound  allow tcp from public to 0.0.0.0/0 port 443
  outbound allow tcp to 0.0.0.0/0 port 443
}
flow web -> web2 https
flow bob -> web https
flow web -> bob https
`);
    expect(between).toEqual({
      verdict: 'allowed',
      path: ['sg'],
      request: ['sg outbound allow', 'sg inbound allow'],
      response: ['sg outbound allow', 'sg inbound allow'],
    });
    expect(fromOut).toMatchObject({ verdict: 'blocked', request: ['sg inbound deny'] });
    expect(toOut).toMatchObject({ verdict: 'allowed', request: ['sg outbound allow'], response: ['sg inbound allow'] });
  });

  it("the receiver's copy judges traffic from another member like any other", () => {
    const [between] = run(`${NAMES}
firewall sg aws-sg protects web, web2 {
  outbound allow tcp to 0.0.0.0/0 port 443
}
flow web -> web2 https
`);
    expect(between).toMatchObject({ verdict: 'blocked', request: ['sg outbound allow', 'sg inbound deny'] });
  });

  it('a member of a network: each address is a member', () => {
    const [between] = run(`${NAMES}
firewall sg aws-sg protects public {
  outbound allow all
}
flow web -> web2 https
`);
    expect(between).toMatchObject({ verdict: 'blocked', request: ['sg outbound allow', 'sg inbound deny'] });
  });
});

describe('several aws-sg on one address act as one group (spec §10)', () => {
  it('the union of their rules decides, the hop names the group whose rule decided, and the group is crossed once', () => {
    const [https, ssh, none, other] = run(`${NAMES}
firewall web-sg aws-sg protects web, web2 {
  inbound allow tcp from internet to 0.0.0.0/0 port 443
}
firewall admin-sg aws-sg protects web {
  inbound allow tcp from 198.51.100.0/24 to web port 22
}
flow bob -> web https
flow bob -> web ssh
flow bob -> web tcp 8080
flow bob -> web2 ssh
`);
    expect(https).toMatchObject({ verdict: 'allowed', path: ['web-sg', 'admin-sg'], request: ['web-sg inbound allow'] });
    expect(ssh).toMatchObject({ verdict: 'allowed', request: ['admin-sg inbound allow'], response: ['admin-sg outbound allow'] });
    expect(none).toMatchObject({ verdict: 'blocked', request: ['web-sg inbound deny'] });
    // admin-sg's rule is for its own member only.
    expect(other).toMatchObject({ verdict: 'blocked', path: ['web-sg'], request: ['web-sg inbound deny'] });
  });
});

describe('an ACL rule matches only the remote side (spec §10)', () => {
  // What a NAT gateway inside the subnet relays carries the internet server as its destination.
  const m = buildModel(
    '/t.fw',
    `${NAMES}
firewall acl aws-nacl protects public {
  100 inbound  allow tcp from private to public port 443
  110 inbound  allow tcp from private to web port 80
}
firewall gen stateless protects public {
  100 inbound  allow tcp from private to public port 443
}
`,
  );
  const server = parseAddress('203.0.113.9');
  const client = parseAddress('10.0.1.5');
  if (!server.ok || !client.ok) throw new Error('address');
  const packet = (dport: number) => makeBoxes(TCP, client.set, PortSet.of(40000), server.set, PortSet.of(dport));
  const [acl, gen] = m.firewalls;

  it('an inside side that holds the whole inside matches every address', () => {
    expect(decide(acl!, 'inbound', packet(443)).map((d) => [d.action, d.rule?.number])).toEqual([['allow', 100]]);
    // A generic firewall matches both sides as written.
    expect(decide(gen!, 'inbound', packet(443)).map((d) => [d.action, d.rule?.number])).toEqual([['deny', undefined]]);
  });

  it('an inside side that holds less (platform-unsupported) is kept as written', () => {
    expect(decide(acl!, 'inbound', packet(80)).map((d) => [d.action, d.rule?.number])).toEqual([['deny', undefined]]);
  });
});
