// `fwlang simulate` in-process (cli.md): the JSON shape field by field, on the spec's §1
// example and on flows that exercise each optional part (no expect, blocked request,
// network clients, partial ports), and the text form.
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SPEC_EXAMPLE, runMain, tempFiles, removeTempFiles } from './support';

afterAll(removeTempFiles);

const specFile = () => path.join(tempFiles({ 'catogram.fw': SPEC_EXAMPLE }), 'catogram.fw');

const BOB_TO_CATOGRAM = {
  flow: 'bob -> catogram https',
  line: 22,
  verdict: 'allowed',
  expect: 'allow',
  met: true,
  request: {
    verdict: 'allowed',
    hops: [
      { firewall: 'edge', direction: 'inbound', action: 'allow', by: 'rule', rule: 100, line: 10 },
      { firewall: 'catogram-sg', direction: 'inbound', action: 'allow', by: 'rule', rule: null, line: 18 },
    ],
  },
  response: {
    verdict: 'allowed',
    allowedClientPorts: '32768-60999',
    blockedClientPorts: '',
    hops: [
      { firewall: 'catogram-sg', direction: 'outbound', action: 'allow', by: 'state', rule: null, line: null },
      { firewall: 'edge', direction: 'outbound', action: 'allow', by: 'rule', rule: 110, line: 11 },
    ],
  },
};

function simulateJson(file: string, ...extra: string[]) {
  const r = runMain(['simulate', file, ...extra, '--json']);
  return { code: r.code, json: JSON.parse(r.out) as { flows: Record<string, unknown>[] } };
}

describe('fwlang simulate --json on the spec example', () => {
  it("--flow 'bob -> catogram https': every field as cli.md shows it", () => {
    const { code, json } = simulateJson(specFile(), '--flow', 'bob -> catogram https');
    expect(code).toBe(0);
    expect(json).toEqual({ flows: [BOB_TO_CATOGRAM] });
  });

  it('every flow of the file, in order, all met', () => {
    const { code, json } = simulateJson(specFile());
    expect(code).toBe(0);
    expect(json.flows).toHaveLength(3);
    expect(json.flows[0]).toEqual(BOB_TO_CATOGRAM);
    expect(json.flows[1]).toMatchObject({
      flow: 'catogram -> updates https',
      line: 23,
      verdict: 'allowed',
      expect: 'allow',
      met: true,
      request: {
        verdict: 'allowed',
        hops: [
          { firewall: 'catogram-sg', direction: 'outbound', action: 'allow', by: 'rule', rule: null, line: 19 },
          { firewall: 'edge', direction: 'outbound', action: 'allow', by: 'rule', rule: 120, line: 12 },
        ],
      },
      response: {
        verdict: 'allowed',
        // catogram has no ephemeral clause and the file no default: `wide`.
        allowedClientPorts: '1024-65535',
        blockedClientPorts: '',
        hops: [
          { firewall: 'edge', direction: 'inbound', action: 'allow', by: 'rule', rule: 130, line: 13 },
          { firewall: 'catogram-sg', direction: 'inbound', action: 'allow', by: 'state', rule: null, line: null },
        ],
      },
    });
    // The request is dropped for every client port: no response at all.
    expect(json.flows[2]).toEqual({
      flow: 'bob:51000 -> catogram tcp 22',
      line: 24,
      verdict: 'blocked',
      expect: 'deny',
      met: true,
      request: {
        verdict: 'blocked',
        hops: [{ firewall: 'edge', direction: 'inbound', action: 'deny', by: 'default', rule: null, line: null }],
      },
      response: null,
    });
  });

  it('a host client has no address fields', () => {
    const { json } = simulateJson(specFile());
    for (const f of json.flows) {
      expect(f).not.toHaveProperty('allowedClientAddresses');
      expect(f).not.toHaveProperty('blockedClientAddresses');
    }
  });
});

describe('fwlang simulate --json, the optional parts', () => {
  const text = `network office 198.51.100.0/30
host web 10.0.2.20
host bob 198.51.100.23
firewall sg stateful protects web {
  inbound allow tcp from 198.51.100.0/31 to web port 443
  inbound allow tcp to web port 80
}
firewall edge stateless protects 10.0.2.0/24 {
  100 inbound  allow tcp to web port [80, 443]
  110 outbound allow tcp from web port 80 to any port 32768-60999
  120 outbound allow tcp from web port 443 to any port ephemeral
}
flow   office  ->   web     https      # white space folded
flow office -> web tcp 22 expect deny
flow bob -> web http expect allow
`;
  const file = () => path.join(tempFiles({ 'opt.fw': text }), 'opt.fw');

  it('a flow without expect: expect null, met true; a network client lists its addresses', () => {
    const { json } = simulateJson(file());
    expect(json.flows[0]).toEqual({
      flow: 'office -> web https',
      line: 13,
      verdict: 'partial',
      expect: null,
      met: true,
      request: {
        verdict: 'partial',
        hops: [
          { firewall: 'edge', direction: 'inbound', action: 'allow', by: 'rule', rule: 100, line: 9 },
          { firewall: 'sg', direction: 'inbound', action: 'allow', by: 'rule', rule: null, line: 5 },
        ],
      },
      response: {
        verdict: 'allowed',
        allowedClientPorts: '1024-65535',
        blockedClientPorts: '',
        allowedClientAddresses: '198.51.100.0/31',
        blockedClientAddresses: '198.51.100.2/31',
        hops: [
          { firewall: 'sg', direction: 'outbound', action: 'allow', by: 'state', rule: null, line: null },
          { firewall: 'edge', direction: 'outbound', action: 'allow', by: 'rule', rule: 120, line: 11 },
        ],
      },
      allowedClientAddresses: '198.51.100.0/31',
      blockedClientAddresses: '198.51.100.2/31',
      partialClientAddresses: '',
    });
  });

  it('a network client whose request is always blocked: response null, addresses still given', () => {
    const { json } = simulateJson(file());
    expect(json.flows[1]).toMatchObject({
      flow: 'office -> web tcp 22',
      verdict: 'blocked',
      expect: 'deny',
      met: true,
      response: null,
      allowedClientAddresses: '',
      blockedClientAddresses: '198.51.100.0/30',
    });
  });

  it('partial by client port: the port strings, the trace to the lowest blocked port, exit 1', () => {
    const { code, json } = simulateJson(file());
    expect(code).toBe(1);
    expect(json.flows[2]).toEqual({
      flow: 'bob -> web http',
      line: 15,
      verdict: 'partial',
      expect: 'allow',
      met: false,
      request: {
        verdict: 'allowed',
        hops: [
          { firewall: 'edge', direction: 'inbound', action: 'allow', by: 'rule', rule: 100, line: 9 },
          { firewall: 'sg', direction: 'inbound', action: 'allow', by: 'rule', rule: null, line: 6 },
        ],
      },
      // Traced to the lowest client port whose response is dropped (1024).
      response: {
        verdict: 'partial',
        allowedClientPorts: '32768-60999',
        blockedClientPorts: '1024-32767,61000-65535',
        hops: [
          { firewall: 'sg', direction: 'outbound', action: 'allow', by: 'state', rule: null, line: null },
          { firewall: 'edge', direction: 'outbound', action: 'deny', by: 'default', rule: null, line: null },
        ],
      },
    });
  });

  it('--flow with a flow that is not in the file: expect null', () => {
    const { code, json } = simulateJson(file(), '--flow', 'bob:40000 -> web http');
    expect(code).toBe(0);
    expect(json.flows).toHaveLength(1);
    expect(json.flows[0]).toMatchObject({ flow: 'bob:40000 -> web http', verdict: 'allowed', expect: null, met: true });
    expect((json.flows[0]!.response as { allowedClientPorts: string }).allowedClientPorts).toBe('40000');
  });
});

describe('fwlang simulate, text', () => {
  it('one line per flow with its verdict, then one indented line per hop naming rule and line', () => {
    const r = runMain(['simulate', specFile(), '--flow', 'bob -> catogram https']);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/catogram\.fw:22: .*bob -> catogram https — allowed \(expect allow: met\)$/);
    const hops = r.lines.slice(1, 5);
    expect(hops.every((l) => l.startsWith('    '))).toBe(true);
    expect(hops[0]).toMatch(/request +edge +inbound +ALLOW +by rule 100 \(line 10\)/);
    expect(hops[1]).toMatch(
      /request +catogram-sg +inbound +ALLOW +by the rule on line 18|request +catogram-sg +inbound +ALLOW +by rule +\(line 18\)/,
    );
    expect(hops[2]).toMatch(/response +catogram-sg +outbound +ALLOW +by connection tracking/);
    expect(hops[3]).toMatch(/response +edge +outbound +ALLOW +by rule 110 \(line 11\)/);
    expect(r.lines[r.lines.length - 1]).toMatch(/1 flow simulated/);
  });
});
