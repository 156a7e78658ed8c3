// Random small stateless firewalls written as .fw text, for the property tests. Addresses
// live in 10.0.0.0/27; the firewall protects 10.0.0.0/28. Allow rules are request rules
// (small destination port sets) or response rules (a server source port, a response-like
// destination range), often written in pairs; deny rules are anything. Every ephemeral
// range is response-like.

import fc from 'fast-check';

const DECLS = [
  'network inside 10.0.0.0/28',
  'network n1     10.0.0.8/29',
  'network o1     10.0.0.16/29',
  'network o2     10.0.0.24/29',
  'network mixed  10.0.0.12/30, 10.0.0.16/30',
  'ephemeral tight 20000-29999',
];
const HOSTS: [string, string][] = [
  ['a1', '10.0.0.2'],
  ['a2', '10.0.0.9'],
  ['b1', '10.0.0.17'],
  ['b2', '10.0.0.26'],
];
const EPHEMERAL = ['', ' ephemeral linux', ' ephemeral windows', ' ephemeral wide', ' ephemeral tight', ' ephemeral 40000-49999'];
const ENDPOINTS = ['inside', 'n1', 'o1', 'o2', 'mixed', 'a1', 'a2', 'b1', 'b2', 'any', ''];
const LITERALS = ['10.0.0.16/29', '10.0.0.4/30', '10.0.0.20'];
const isLiteral = (e: string) => /^\d/.test(e);
const REQUEST_PORTS = ['22', '80', '443', '53', '8080', '[80, 443]', 'https', '20-25'];
const CLIENT_PORTS = ['1024-65535', '40000-50000', 'ephemeral'];
const SERVER_PORTS = ['80', '443', '53', '[80, 443]', '22'];
const RESPONSE_PORTS = ['ephemeral', '1024-65535', '49152-65535', '32768-60999', '20000-29999'];
const ANY_PORTS = ['80', '443', '0-1023', '1024-65535', '32768-40000', '[22, 80]', '50000-65535'];

export interface RuleSpec {
  number: number;
  text: string;
}

const endpoint = fc.constantFrom(...ENDPOINTS);
const side = (ep: string, ports?: string) => (ep === '' ? (ports ? ` any port ${ports}` : '') : ` ${ep}${ports ? ` port ${ports}` : ''}`);
const from = (ep: string, ports?: string) => (ep === '' && !ports ? '' : ` from${side(ep, ports) || ' any'}`);
const to = (ep: string, ports?: string) => (ep === '' && !ports ? '' : ` to${side(ep, ports) || ' any'}`);

const direction = fc.constantFrom('inbound', 'outbound');
const proto = fc.constantFrom('tcp', 'tcp', 'udp');

const INSIDE = ['inside', 'n1', 'a1', 'a2', '10.0.0.4/30', 'mixed'];
const OUTSIDE = ['o1', 'o2', 'b1', 'b2', 'any', '', '10.0.0.16/29', '10.0.0.20', 'mixed'];

/** Mostly endpoints that make the rule cross the firewall in its direction. */
const requestParts = direction.chain((dir) => {
  const [src, dst] = dir === 'inbound' ? [OUTSIDE, INSIDE] : [INSIDE, OUTSIDE];
  const pick = (xs: string[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...xs) }, { weight: 1, arbitrary: endpoint });
  return fc.record({
    dir: fc.constant(dir),
    proto,
    from: pick(src),
    to: pick(dst),
    dport: fc.constantFrom(...REQUEST_PORTS),
    sport: fc.option(fc.constantFrom(...CLIENT_PORTS), { freq: 4 }),
  });
});

function requestText(r: { dir: string; proto: string; from: string; to: string; dport: string; sport: string | null }): string {
  const dport = r.proto === 'udp' && r.dport === 'https' ? '443' : r.dport;
  // A literal client with given ports would not be writable as a flow client.
  const sport = isLiteral(r.from) ? null : r.sport;
  return `${r.dir} allow ${r.proto}${from(r.from, sport ?? undefined)}${to(r.to, dport)}`;
}

const requestRule = requestParts.map((r) => [requestText(r)]);

/** A request and a response rule written for it, often not quite right. */
const pair = fc
  .record({
    request: requestParts,
    server: fc.option(endpoint, { freq: 3 }),
    client: fc.option(fc.oneof(endpoint, fc.constantFrom(...LITERALS)), { freq: 3 }),
    sport: fc.option(fc.constantFrom(...SERVER_PORTS), { freq: 3 }),
    dport: fc.constantFrom(...RESPONSE_PORTS),
  })
  .map((p) => {
    const r = p.request;
    const dir = r.dir === 'inbound' ? 'outbound' : 'inbound';
    const sport = p.sport ?? (r.proto === 'udp' && r.dport === 'https' ? '443' : r.dport);
    return [requestText(r), `${dir} allow ${r.proto}${from(p.server ?? r.to, sport)}${to(p.client ?? r.from, p.dport)}`];
  });

const responseRule = fc
  .record({
    dir: direction,
    proto,
    from: endpoint,
    to: endpoint,
    sport: fc.constantFrom(...SERVER_PORTS),
    dport: fc.constantFrom(...RESPONSE_PORTS),
  })
  .map((r) => [`${r.dir} allow ${r.proto}${from(r.from, r.sport)}${to(r.to, r.dport)}`]);

const denyRule = direction.chain((dir) => {
  const [src, dst] = dir === 'inbound' ? [OUTSIDE, INSIDE] : [INSIDE, OUTSIDE];
  const pick = (xs: string[]) => fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...xs) }, { weight: 1, arbitrary: endpoint });
  return fc
    .record({
      proto: fc.constantFrom('tcp', 'udp', 'all'),
      from: pick(src),
      to: pick(dst),
      sport: fc.option(fc.constantFrom(...ANY_PORTS), { freq: 3 }),
      dport: fc.option(fc.constantFrom(...ANY_PORTS), { freq: 2 }),
    })
    .map((r) => {
      const ported = r.proto !== 'all';
      return [
        `${dir} deny  ${r.proto}${from(r.from, ported ? (r.sport ?? undefined) : undefined)}${to(r.to, ported ? (r.dport ?? undefined) : undefined)}`,
      ];
    });
});

/** A request with a deny in the way of its responses, and sometimes a response rule, in any order. */
const requestWithDeny = fc
  .record({
    request: requestParts,
    client: fc.option(endpoint, { freq: 3 }),
    dport: fc.option(fc.constantFrom('32768-40000', '50000-65535', '1024-65535', '20000-25000'), { freq: 4 }),
    response: fc.option(fc.constantFrom(...RESPONSE_PORTS), { freq: 2 }),
    order: fc.integer({ min: 0, max: 5 }),
  })
  .map((p) => {
    const r = p.request;
    const dir = r.dir === 'inbound' ? 'outbound' : 'inbound';
    const proto = r.proto;
    const deny = `${dir} deny  ${proto}${to(p.client ?? r.from, p.dport ?? undefined) || ' to any'}`;
    const rules = [requestText(r), deny];
    if (p.response) {
      const sport = r.proto === 'udp' && r.dport === 'https' ? '443' : r.dport;
      rules.push(`${dir} allow ${proto}${from(r.to, sport)}${to(r.from, p.response)}`);
    }
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [2, 1, 0],
      [1, 2, 0],
      [2, 0, 1],
    ][p.order]!;
    return orders.filter((i) => i < rules.length).map((i) => rules[i]!);
  });

export const firewallText = fc
  .record({
    ephemeral: fc.array(fc.constantFrom(...EPHEMERAL), { minLength: HOSTS.length, maxLength: HOSTS.length }),
    defaultEphemeral: fc.constantFrom('', 'default ephemeral linux', 'default ephemeral wide', 'default ephemeral tight'),
    rules: fc
      .array(
        fc.oneof(
          { weight: 2, arbitrary: requestRule },
          { weight: 3, arbitrary: pair },
          { weight: 1, arbitrary: responseRule },
          { weight: 2, arbitrary: denyRule },
          { weight: 2, arbitrary: requestWithDeny },
        ),
        { minLength: 1, maxLength: 5 },
      )
      .map((groups) => groups.flat().slice(0, 8)),
    numbered: fc.boolean(),
    numbers: fc.uniqueArray(fc.integer({ min: 10, max: 200 }), { minLength: 8, maxLength: 8 }),
    shuffle: fc.boolean(),
  })
  .map((g) => {
    // Numbered rules are often written out of order.
    if (g.numbered && !g.shuffle) g.numbers.sort((a, b) => a - b);
    const lines = [...DECLS, ...HOSTS.map(([n, a], i) => `host ${n} ${a}${g.ephemeral[i]}`)];
    if (g.defaultEphemeral) lines.push(g.defaultEphemeral);
    lines.push('firewall fw stateless protects inside {');
    g.rules.forEach((r, i) => lines.push(`  ${g.numbered ? `${g.numbers[i]} ` : ''}${r}`));
    lines.push('}', '');
    return lines.join('\n');
  });
