// NAT gateways (spec §3 `nat`, §6.1): the declaration, flows `via` a gateway in two legs, the
// gateway's port as a dimension of the verdict, the JSON and text of the legs, and the
// `flow-path` errors of legs that cannot be formed. Expectations are computed by hand from the
// AWS VPC guide's public/private subnets: dbsrv (private subnet) fetches https from the
// internet through a NAT gateway in the public subnet.
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateFlow } from '../../server/src/engine/simulate';
import { buildModel } from '../../server/src/model/resolve';
import { analyze } from '../../server/src/analysis/analyze';
import { hover } from '../../server/src/features/hover';
import { cursor, docContext } from '../support/docContext';
import { verdictTitle } from '../../server/src/features/simulation';
import { completion } from '../../server/src/features/completion';
import { failureClauses, modelLines } from '../../server/src/report/flowReport';
import { removeTempFiles, runMain, tempFiles } from '../cli/support';

afterAll(removeTempFiles);

/** The public ACL's inbound rule for the responses coming back to the gateway's ports. */
const RETURN_TO_GATEWAY = '  140 inbound  allow tcp from internet to any port 1024-65535     # leg 2 reversed: back to the gateway\n';

function vpc(returnRule = RETURN_TO_GATEWAY, flow = 'flow dbsrv -> site https via natgw expect allow', nat = 'nat natgw 10.0.0.5'): string {
  return `network internet        0.0.0.0/0
network public-subnet   10.0.0.0/24
network private-subnet  10.0.1.0/24
host    dbsrv           10.0.1.10 ephemeral linux
host    site            203.0.113.80
${nat}

firewall public-acl stateless protects public-subnet {
  100 inbound  allow tcp from private-subnet to any port https    # leg 1: dbsrv's request reaches the gateway
${returnRule}  100 outbound allow tcp to internet port https                   # leg 2: the gateway to the site
  140 outbound allow tcp to private-subnet port 32768-60999       # leg 1 reversed: back to dbsrv
}

firewall private-acl stateless protects private-subnet {
  100 outbound allow tcp to internet port https
  100 inbound  allow tcp from internet to any port 32768-60999
}

${flow}
`;
}

function simulate(text: string) {
  const model = buildModel('/nat/vpc.fw', text);
  const errors = model.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => d.message)).toEqual([]);
  return simulateFlow(model, model.flows[0]!);
}

function simulateJson(text: string) {
  const file = path.join(tempFiles({ 'vpc.fw': text }), 'vpc.fw');
  const r = runMain(['simulate', file, '--json']);
  return { code: r.code, flow: (JSON.parse(r.out) as { flows: Record<string, unknown>[] }).flows[0]! };
}

describe('nat declaration (spec §3)', () => {
  it('declares a gateway at one address with the ports 1024-65535 unless `ports` says', () => {
    const model = buildModel('/nat/decl.fw', 'nat gw 10.0.0.5\nnat gw2 10.0.0.6 ports 30000-40000\n');
    expect(model.diagnostics).toEqual([]);
    const gw = model.symbols.get('gw');
    const gw2 = model.symbols.get('gw2');
    expect(gw?.kind === 'nat' && [gw.addressText, gw.ports.toString()]).toEqual(['10.0.0.5', '1024-65535']);
    expect(gw2?.kind === 'nat' && gw2.ports.toString()).toBe('30000-40000');
  });

  it('adds its ports to the ephemeral ranges in use (spec §6.1, §7)', () => {
    const model = buildModel('/nat/ranges.fw', 'nat gw 10.0.0.5 ports 30000-40000\n');
    expect(model.ephemeralRanges!.map((p) => p.toString())).toContain('30000-40000');
    expect(buildModel('/nat/none.fw', 'host a 10.0.0.1\n').ephemeralRanges!.map((p) => p.toString())).not.toContain('30000-40000');
  });

  it('reports a missing address, a prefix, a reversed range and `nat`/`ports` used as names', () => {
    const codes = (text: string) => buildModel('/nat/bad.fw', text).diagnostics.map((d) => `${d.code}: ${d.message}`);
    expect(codes('nat gw\nhost a 10.0.0.1\n')).toEqual([
      "syntax: expected the gateway's address (like 10.0.0.5) after the NAT gateway name, found `host`",
    ]);
    expect(codes('nat gw 10.0.0.0/24\n')[0]).toMatch(/^invalid-address: a host is one address/);
    expect(codes('nat gw 10.0.0.5 ports 2000-1000\n')[0]).toMatch(/^invalid-port: /);
    expect(codes('host ports 10.0.0.1\n')).toEqual(['syntax: `ports` is a keyword and cannot be used as a name']);
    expect(codes('host nat 10.0.0.1\n')).toEqual(['syntax: `nat` is a keyword and cannot be used as a name']);
  });

  it('is a declaration like the others: its name is taken once', () => {
    const d = buildModel('/nat/dup.fw', 'nat gw 10.0.0.5\nhost gw 10.0.0.6\n').diagnostics;
    expect(d.map((x) => x.code)).toEqual(['duplicate-name']);
  });
});

describe('a flow through a NAT gateway (spec §6.1)', () => {
  it('passes both legs both ways when the public ACL lets the responses back to the gateway', () => {
    const r = simulate(vpc());
    expect(r.verdict).toBe('allowed');
    expect(r.met).toBe(true);
    // Leg 1 crosses the private ACL out and the public ACL in (located at the gateway); leg 2 the public ACL out.
    expect(r.nat!.leg1.map((f) => f.name)).toEqual(['private-acl', 'public-acl']);
    expect(r.nat!.leg2.map((f) => f.name)).toEqual(['public-acl']);
    expect(r.nat!.allowedGatewayPorts.toString()).toBe('1024-65535');
    expect(r.nat!.blockedGatewayPorts.toString()).toBe('');
  });

  it('is blocked when the public ACL drops every response coming back to the gateway', () => {
    const r = simulate(vpc(''));
    expect(r.verdict).toBe('blocked');
    expect(r.met).toBe(false);
    expect(r.nat!.blockedGatewayPorts.toString()).toBe('1024-65535');
    expect(r.nat!.allowedGatewayPorts.toString()).toBe('');
    expect(r.response!.blockedClientPorts.toString()).toBe('32768-60999');
  });

  it('is partial when only some gateway ports get their responses back, and names them', () => {
    const r = simulate(vpc('  140 inbound allow tcp from internet to any port 32768-65535\n'));
    expect(r.verdict).toBe('partial');
    expect(r.nat!.blockedGatewayPorts.toString()).toBe('1024-32767');
    expect(r.nat!.allowedGatewayPorts.toString()).toBe('32768-65535');
    // Every client port fails with some gateway port: the gateway may pick any.
    expect(r.response!.blockedClientPorts.toString()).toBe('32768-60999');
    expect(r.response!.allowedClientPorts.toString()).toBe('');
  });

  it('does not cross the public ACL at all without the gateway (the mistake §6.1 is there to catch)', () => {
    const r = simulate(vpc('', 'flow dbsrv -> site https expect allow'));
    expect(r.path.map((f) => f.name)).toEqual(['private-acl']);
    expect(r.verdict).toBe('allowed');
  });

  it('reads the legs from `via` when it names firewalls: before the gateway leg 1, after it leg 2', () => {
    const r = simulate(vpc(RETURN_TO_GATEWAY, 'flow dbsrv -> site https via private-acl, public-acl, natgw, public-acl expect allow'));
    expect(r.verdict).toBe('allowed');
    expect(r.nat!.leg1.map((f) => f.name)).toEqual(['private-acl', 'public-acl']);
    expect(r.nat!.leg2.map((f) => f.name)).toEqual(['public-acl']);
    // Firewalls `via` does not name are not evaluated: leaving the public ACL out of leg 2 hides the missing rule.
    const fewer = simulate(vpc('', 'flow dbsrv -> site https via private-acl, public-acl, natgw expect allow'));
    expect(fewer.nat!.leg2).toEqual([]);
    expect(fewer.verdict).toBe('allowed');
  });

  it('uses the gateway`s own `ports`', () => {
    const r = simulate(
      vpc('  140 inbound allow tcp from internet to any port 32768-65535\n', undefined, 'nat natgw 10.0.0.5 ports 40000-50000'),
    );
    expect(r.verdict).toBe('allowed');
    expect(r.nat!.allowedGatewayPorts.toString()).toBe('40000-50000');
  });
});

describe('simulate JSON and text of the legs (cli.md)', () => {
  it('gives every hop its leg, the gateway between the legs, and the gateway ports', () => {
    const { code, flow } = simulateJson(vpc());
    expect(code).toBe(0);
    expect(flow).toMatchObject({ verdict: 'allowed', allowedGatewayPorts: '1024-65535', blockedGatewayPorts: '' });
    const gateway = { nat: 'natgw', address: '10.0.0.5', ports: '1024-65535', port: 1024 };
    expect((flow.request as { hops: unknown[] }).hops).toEqual([
      { firewall: 'private-acl', direction: 'outbound', action: 'allow', by: 'rule', rule: 100, line: 16, leg: 1 },
      { firewall: 'public-acl', direction: 'inbound', action: 'allow', by: 'rule', rule: 100, line: 9, leg: 1 },
      gateway,
      { firewall: 'public-acl', direction: 'outbound', action: 'allow', by: 'rule', rule: 100, line: 11, leg: 2 },
    ]);
    expect((flow.response as { hops: unknown[] }).hops).toEqual([
      { firewall: 'public-acl', direction: 'inbound', action: 'allow', by: 'rule', rule: 140, line: 10, leg: 2 },
      gateway,
      { firewall: 'public-acl', direction: 'outbound', action: 'allow', by: 'rule', rule: 140, line: 12, leg: 1 },
      { firewall: 'private-acl', direction: 'inbound', action: 'allow', by: 'rule', rule: 100, line: 17, leg: 1 },
    ]);
  });

  it('stops the response at the leg-2 drop and names the gateway ports that fail', () => {
    const { code, flow } = simulateJson(vpc(''));
    expect(code).toBe(1);
    expect(flow).toMatchObject({ verdict: 'blocked', allowedGatewayPorts: '', blockedGatewayPorts: '1024-65535' });
    expect((flow.response as { hops: unknown[] }).hops).toEqual([
      { firewall: 'public-acl', direction: 'inbound', action: 'deny', by: 'default', rule: null, line: null, leg: 2 },
    ]);
  });

  it('prints the legs and what fails in the text form', () => {
    const file = path.join(tempFiles({ 'vpc.fw': vpc('  140 inbound allow tcp from internet to any port 32768-65535\n') }), 'vpc.fw');
    const r = runMain(['simulate', file]);
    expect(r.code).toBe(1);
    expect(r.lines.slice(0, 7)).toEqual([
      `${file}:20: ✘ dbsrv -> site https via natgw — partial (expect allow: NOT met)`,
      '    request  private-acl outbound ALLOW by rule 100 (line 16) (leg 1)',
      '    request  public-acl  inbound  ALLOW by rule 100 (line 9) (leg 1)',
      '    request  natgw       NAT      source rewritten to 10.0.0.5:1024 (gateway ports 1024-65535)',
      '    request  public-acl  outbound ALLOW by rule 100 (line 11) (leg 2)',
      '    response public-acl  inbound  DENY  by the default (no rule matched) (leg 2)',
      '    connections through gateway `natgw` ports 1024-32767 fail: the response is dropped at public-acl ' +
        '(leg 2, inbound, by the default deny); ports 32768-65535 pass',
    ]);
  });
});

describe('completion after `via`', () => {
  it('offers the NAT gateways with the firewalls', () => {
    const text = vpc(RETURN_TO_GATEWAY, 'flow dbsrv -> site https via ');
    const { text: t, offset } = cursor(text.trimEnd() + ' <|>\n');
    const ctx = docContext(t);
    const items = completion(ctx, ctx.lines.position(offset));
    expect(items.map((i) => i.label).sort()).toEqual(['natgw', 'private-acl', 'public-acl']);
    expect(items.find((i) => i.label === 'natgw')!.detail).toBe('NAT gateway at 10.0.0.5, ports 1024-65535');
  });
});

describe('the lens title of a flow through a gateway', () => {
  it('names the gateway ports that fail and the leg where they are dropped', () => {
    const model = buildModel('/nat/vpc.fw', vpc('  140 inbound allow tcp from internet to any port 32768-65535\n'));
    const r = simulateFlow(model, model.flows[0]!);
    expect(verdictTitle(r, modelLines(model))).toBe(
      '✘ partial: gateway `natgw` ports 1024-32767 dropped at public-acl (default deny) (leg 2)',
    );
    const none = buildModel('/nat/vpc.fw', vpc(''));
    expect(verdictTitle(simulateFlow(none, none.flows[0]!), modelLines(none))).toBe('✘ blocked at public-acl (default deny) (leg 2)');
  });
});

describe('what fails, in words', () => {
  it('names the gateway ports only when leg 2 is where connections fail', () => {
    const clauses = (text: string) => {
      const model = buildModel('/nat/vpc.fw', text);
      return failureClauses(simulateFlow(model, model.flows[0]!), modelLines(model));
    };
    // Leg 1 drops the responses to client ports the public ACL does not send back to: the gateway's port does not matter.
    expect(clauses(vpc(RETURN_TO_GATEWAY, 'flow private-subnet -> site https via natgw'))).toEqual([
      'the response to client ports 1024-32767,61000-65535 is dropped at public-acl (leg 1, outbound, by the default deny); ' +
        'ports 32768-60999 pass',
    ]);
    expect(clauses(vpc(''))).toEqual([
      'connections through gateway `natgw` ports 1024-65535 fail: the response is dropped at public-acl ' +
        '(leg 2, inbound, by the default deny); no gateway port passes',
    ]);
  });
});

describe('flow-path for NAT legs (spec §6.1, §8)', () => {
  const flowPath = (text: string) =>
    analyze(buildModel('/nat/path.fw', text))
      .diagnostics.filter((d) => d.code === 'flow-path')
      .map((d) => d.message);

  it('reports a firewall named in a leg that the leg does not cross', () => {
    // The private ACL lies on leg 1 only: named after the gateway it is on leg 2, which it is not on.
    expect(flowPath(vpc(RETURN_TO_GATEWAY, 'flow dbsrv -> site https via public-acl, natgw, private-acl'))).toEqual([
      '`via private-acl`: it stands in leg 2 of the connection through the NAT gateway `natgw`, from `natgw` to `site`, and ' +
        'that leg does not cross it; name each firewall in the leg it lies on (before the gateway for leg 1, after it for leg 2), ' +
        'or name only the gateway',
    ]);
    expect(flowPath(vpc())).toEqual([]);
  });

  it('reports a second gateway and a gateway of another address family', () => {
    const two = vpc(RETURN_TO_GATEWAY, 'flow dbsrv -> site https via natgw, gw6', 'nat natgw 10.0.0.5\nnat gw6 2001:db8::5');
    expect(flowPath(two)).toEqual([
      '`via gw6`: a flow goes through one NAT gateway (`natgw` is already on its path); write one flow per gateway',
    ]);
    const v6 = vpc(RETURN_TO_GATEWAY, 'flow dbsrv -> site https via gw6', 'nat natgw 10.0.0.5\nnat gw6 2001:db8::5');
    expect(flowPath(v6)).toEqual([
      "`via gw6`: the gateway's address 2001:db8::5 and `dbsrv` are of different address families, so no leg of the " +
        'connection can be formed through it',
    ]);
  });

  it('refuses to simulate a flow whose legs cannot be formed', () => {
    const file = path.join(tempFiles({ 'vpc.fw': vpc(RETURN_TO_GATEWAY, 'flow dbsrv -> site https via natgw, natgw') }), 'vpc.fw');
    const r = runMain(['simulate', file]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('flow-path');
  });
});

describe('hover on a NAT gateway (spec §9)', () => {
  it('says where it lives, its ports, and how flows cross it', () => {
    const text = vpc();
    const at = text.indexOf('via natgw') + 'via n'.length;
    const { text: t, offset } = cursor(text.slice(0, at) + '<|>' + text.slice(at));
    const h = hover(docContext(t), offset);
    const value = (h!.contents as { value: string }).value;
    expect(value).toContain('**nat `natgw`** = 10.0.0.5, ports 1024-65535');
    expect(value).toContain('Leg 1, client to gateway');
  });

  it('explains the `nat` and `ports` words of a declaration with the resolved address and range', () => {
    const text = vpc(RETURN_TO_GATEWAY, undefined, 'nat natgw 10.0.0.5 ports 40000-50000');
    for (const needle of ['nat natgw', 'ports 40000']) {
      const at = text.indexOf(needle) + 1;
      const { text: t, offset } = cursor(text.slice(0, at) + '<|>' + text.slice(at));
      const value = (hover(docContext(t), offset)!.contents as { value: string }).value;
      expect(value).toContain('**nat `natgw`** = 10.0.0.5, ports 40000-50000');
    }
  });
});
