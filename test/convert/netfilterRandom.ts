// Random small netfilter rule sets for the import's property tests, written as iptables-save text
// and as `nft -j` JSON, and a plain evaluator of them written here, independently of the importer:
// first match, jumps that come back, gotos that do not, RETURN, the policy, connection tracking.
import fc from 'fast-check';

/** A target: a verdict, RETURN, a jump to a user chain (`sub`, `sub2`) or a goto (`g:sub`). */
export type Target = 'ACCEPT' | 'DROP' | 'REJECT' | 'RETURN' | 'sub' | 'sub2' | 'g:sub';

export interface PRule {
  src?: { addr: string; neg: boolean };
  dst?: { addr: string; neg: boolean };
  proto?: 'tcp' | 'udp' | 'icmp';
  sport?: { r: [number, number]; neg: boolean };
  dport?: { r: [number, number]; neg: boolean };
  target: Target;
}

/** A host (INPUT and OUTPUT, protecting HOST) or a router (FORWARD, protecting INSIDE). */
export interface PSet {
  kind: 'host' | 'forward';
  /** INPUT, or FORWARD. */
  first: PRule[];
  /** OUTPUT; unused for a router. */
  second: PRule[];
  sub: PRule[];
  sub2: PRule[];
  firstPolicy: 'ACCEPT' | 'DROP';
  secondPolicy: 'ACCEPT' | 'DROP';
  stateful: boolean;
}

export const HOST = '10.99.2.2';
export const INSIDE = '10.99.2.0/24';
const OUTSIDE = ['198.51.100.7', '198.51.100.200', '203.0.113.9'];
const INSIDERS = ['10.99.2.5', '10.99.2.200'];
const PREFIXES = ['198.51.100.0/24', '198.51.100.0/25', '203.0.113.0/24', '10.99.2.2/32', '10.99.2.0/25', '10.99.2.0/24', '192.0.2.0/24'];
const PORTS: [number, number][] = [
  [22, 22],
  [443, 443],
  [53, 53],
  [1024, 65535],
  [40000, 40000],
  [0, 1023],
];
const FLOW_PORTS = [22, 443, 53];
const CLIENT_PORTS = [40000, 1000];

const arbAddr = fc.option(fc.record({ addr: fc.constantFrom(...PREFIXES), neg: fc.boolean() }), { nil: undefined });
const arbPorts = fc.option(fc.record({ r: fc.constantFrom(...PORTS), neg: fc.boolean() }), { nil: undefined });
const arbRule = (targets: Target[]): fc.Arbitrary<PRule> =>
  fc.record({
    src: arbAddr,
    dst: arbAddr,
    proto: fc.option(fc.constantFrom<'tcp' | 'udp' | 'icmp'>('tcp', 'udp', 'icmp'), { nil: undefined }),
    sport: arbPorts,
    dport: arbPorts,
    target: fc.constantFrom(...targets),
  });
// Base chains may do anything; sub2 jumps or goes to sub; sub only decides or returns (no loops).
const BASE: Target[] = ['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'sub', 'sub2', 'g:sub', 'ACCEPT', 'DROP'];
const policy = fc.constantFrom<'ACCEPT' | 'DROP'>('ACCEPT', 'DROP');

/**
 * Rules where, half the time, a jump is repeated further down the chain, unchanged or on other
 * packets: the importer skips a repeat of the same jump on the same packets (chains.ts,
 * repeatedJumps), which must change no verdict.
 */
const withRepeats = (rules: fc.Arbitrary<PRule[]>): fc.Arbitrary<PRule[]> =>
  fc.tuple(rules, fc.nat(), fc.nat(), fc.option(arbRule(['sub']), { nil: undefined })).map(([rs, a, b, other]) => {
    const jumps = rs.flatMap((r, i) => (r.target === 'sub' || r.target === 'sub2' ? [i] : []));
    if (jumps.length === 0 || a % 2 === 0) return rs;
    const i = jumps[a % jumps.length]!;
    const at = i + 1 + (b % (rs.length - i));
    const copy = a % 3 === 0 && other ? { ...other, target: rs[i]!.target } : { ...rs[i]! };
    return [...rs.slice(0, at), copy, ...rs.slice(at)];
  });

export const arbSet = (kind: 'host' | 'forward'): fc.Arbitrary<PSet> =>
  fc.record({
    kind: fc.constant(kind),
    first: withRepeats(fc.array(arbRule(BASE), { maxLength: 6 })),
    second: kind === 'host' ? withRepeats(fc.array(arbRule(BASE), { maxLength: 6 })) : fc.constant([]),
    sub: fc.array(arbRule(['ACCEPT', 'DROP', 'RETURN']), { maxLength: 3 }),
    sub2: withRepeats(fc.array(arbRule(['ACCEPT', 'DROP', 'RETURN', 'sub', 'g:sub']), { maxLength: 3 })),
    firstPolicy: policy,
    secondPolicy: policy,
    stateful: fc.boolean(),
  });

const chainNames = (s: PSet): [string, string] => (s.kind === 'host' ? ['INPUT', 'OUTPUT'] : ['FORWARD', 'OUTPUT']);

// --- As iptables-save text.

function ruleLine(chain: string, r: PRule): string {
  const a: string[] = [`-A ${chain}`];
  if (r.src) a.push(`${r.src.neg ? '! ' : ''}-s ${r.src.addr}`);
  if (r.dst) a.push(`${r.dst.neg ? '! ' : ''}-d ${r.dst.addr}`);
  if (r.proto) a.push(`-p ${r.proto}`);
  if (r.proto === 'tcp' || r.proto === 'udp') {
    if (r.sport || r.dport) a.push(`-m ${r.proto}`);
    if (r.sport) a.push(`${r.sport.neg ? '! ' : ''}--sport ${r.sport.r[0]}:${r.sport.r[1]}`);
    if (r.dport) a.push(`${r.dport.neg ? '! ' : ''}--dport ${r.dport.r[0]}:${r.dport.r[1]}`);
  }
  a.push(r.target.startsWith('g:') ? `-g ${r.target.slice(2)}` : `-j ${r.target}`);
  return a.join(' ');
}

export function iptablesSave(s: PSet): string {
  const [first, second] = chainNames(s);
  const est = (c: string) => (s.stateful ? [`-A ${c} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`] : []);
  const policies =
    s.kind === 'host'
      ? { INPUT: s.firstPolicy, FORWARD: 'ACCEPT', OUTPUT: s.secondPolicy }
      : { INPUT: 'ACCEPT', FORWARD: s.firstPolicy, OUTPUT: 'ACCEPT' };
  return [
    '# Generated by iptables-save v1.8.9 (nf_tables)',
    '*filter',
    ...Object.entries(policies).map(([c, p]) => `:${c} ${p} [0:0]`),
    ':sub - [0:0]',
    ':sub2 - [0:0]',
    ...est(first),
    ...s.first.map((r) => ruleLine(first, r)),
    ...(s.kind === 'host' ? [...est(second), ...s.second.map((r) => ruleLine(second, r))] : []),
    ...s.sub.map((r) => ruleLine('sub', r)),
    ...s.sub2.map((r) => ruleLine('sub2', r)),
    'COMMIT',
    '',
  ].join('\n');
}

// --- As the JSON of `nft -j list ruleset` (a table ip t).

const match = (left: unknown, right: unknown, neg: boolean) => ({ match: { op: neg ? '!=' : '==', left, right } });
const prefix = (p: string) => {
  const [addr, len] = p.split('/');
  return len === '32' ? addr : { prefix: { addr, len: Number(len) } };
};

function ruleExpr(r: PRule): unknown[] {
  const e: unknown[] = [];
  if (r.src) e.push(match({ payload: { protocol: 'ip', field: 'saddr' } }, prefix(r.src.addr), r.src.neg));
  if (r.dst) e.push(match({ payload: { protocol: 'ip', field: 'daddr' } }, prefix(r.dst.addr), r.dst.neg));
  if (r.proto) e.push(match({ meta: { key: 'l4proto' } }, r.proto, false));
  if (r.proto === 'tcp' || r.proto === 'udp')
    for (const [field, q] of [
      ['sport', r.sport],
      ['dport', r.dport],
    ] as const)
      if (q) e.push(match({ payload: { protocol: r.proto, field } }, q.r[0] === q.r[1] ? q.r[0] : { range: q.r }, q.neg));
  e.push({ counter: { packets: 0, bytes: 0 } });
  const t = r.target;
  e.push(
    t === 'ACCEPT'
      ? { accept: null }
      : t === 'DROP'
        ? { drop: null }
        : t === 'REJECT'
          ? { reject: null }
          : t === 'RETURN'
            ? { return: null }
            : t.startsWith('g:')
              ? { goto: { target: t.slice(2) } }
              : { jump: { target: t } },
  );
  return e;
}

export function nftJson(s: PSet): string {
  const items: unknown[] = [{ metainfo: { version: '1.0.6', json_schema_version: 1 } }, { table: { family: 'ip', name: 't', handle: 1 } }];
  let handle = 2;
  const chain = (name: string, hook?: string, pol?: string) =>
    items.push({
      chain: {
        family: 'ip',
        table: 't',
        name,
        handle: handle++,
        ...(hook ? { type: 'filter', hook, prio: 0, policy: pol!.toLowerCase() } : {}),
      },
    });
  const rules = (name: string, rs: PRule[], est: boolean) => {
    if (est)
      items.push({
        rule: {
          family: 'ip',
          table: 't',
          chain: name,
          handle: handle++,
          expr: [{ match: { op: 'in', left: { ct: { key: 'state' } }, right: ['established', 'related'] } }, { accept: null }],
        },
      });
    for (const r of rs) items.push({ rule: { family: 'ip', table: 't', chain: name, handle: handle++, expr: ruleExpr(r) } });
  };
  if (s.kind === 'host') {
    chain('input', 'input', s.firstPolicy);
    chain('output', 'output', s.secondPolicy);
  } else chain('forward', 'forward', s.firstPolicy);
  chain('sub');
  chain('sub2');
  if (s.kind === 'host') {
    rules('input', s.first, s.stateful);
    rules('output', s.second, s.stateful);
  } else rules('forward', s.first, s.stateful);
  rules('sub', s.sub, false);
  rules('sub2', s.sub2, false);
  return JSON.stringify({ nftables: items });
}

// --- The evaluator.

interface Pkt {
  src: string;
  dst: string;
  proto: 'tcp' | 'udp' | 'icmp';
  sport: number;
  dport: number;
}

const ip = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
function inPrefix(addr: string, p: string): boolean {
  const [net, len] = p.split('/');
  const size = 2 ** (32 - Number(len));
  return Math.floor(ip(addr) / size) === Math.floor(ip(net!) / size);
}

function matches(r: PRule, p: Pkt): boolean {
  if (r.src && inPrefix(p.src, r.src.addr) === r.src.neg) return false;
  if (r.dst && inPrefix(p.dst, r.dst.addr) === r.dst.neg) return false;
  if (r.proto && r.proto !== p.proto) return false;
  if (r.proto === 'tcp' || r.proto === 'udp') {
    const inR = (x: number, q: { r: [number, number]; neg: boolean }) => (x >= q.r[0] && x <= q.r[1]) !== q.neg;
    if (r.sport && !inR(p.sport, r.sport)) return false;
    if (r.dport && !inR(p.dport, r.dport)) return false;
  }
  return true;
}

/** First match; a jump comes back when the chain returns (RETURN or its end), a goto does not. undefined: undecided. */
function run(s: PSet, chain: PRule[], p: Pkt): boolean | undefined {
  for (const r of chain) {
    if (!matches(r, p)) continue;
    switch (r.target) {
      case 'ACCEPT':
        return true;
      case 'DROP':
      case 'REJECT':
        return false;
      case 'RETURN':
        return undefined;
      case 'g:sub':
        return run(s, s.sub, p);
      default: {
        const v = run(s, r.target === 'sub' ? s.sub : s.sub2, p);
        if (v !== undefined) return v;
      }
    }
  }
  return undefined;
}

/** Connections to check and whether the rules let each through: the request by its chain, the response by state or by its chain. */
export function expectations(s: PSet): { flows: string[]; expected: string[] } {
  const flows: string[] = [];
  const expected: string[] = [];
  const pass = (inbound: boolean, p: Pkt) => {
    const [chain, pol] = s.kind === 'forward' ? [s.first, s.firstPolicy] : inbound ? [s.first, s.firstPolicy] : [s.second, s.secondPolicy];
    return run(s, chain, p) ?? pol === 'ACCEPT';
  };
  const pairs: [string, string, boolean][] =
    s.kind === 'host'
      ? OUTSIDE.flatMap((o): [string, string, boolean][] => [
          [o, HOST, true],
          [HOST, o, false],
        ])
      : OUTSIDE.flatMap((o) =>
          INSIDERS.flatMap((i): [string, string, boolean][] => [
            [o, i, true],
            [i, o, false],
          ]),
        );
  for (const [client, server, inbound] of pairs)
    for (const proto of ['tcp', 'udp', 'icmp'] as const)
      for (const port of proto === 'icmp' ? [0] : FLOW_PORTS)
        for (const cport of proto === 'icmp' ? [0] : CLIENT_PORTS) {
          const req: Pkt = { src: client, dst: server, proto, sport: cport, dport: port };
          const res: Pkt = { src: server, dst: client, proto, sport: port, dport: cport };
          const ok = pass(inbound, req) && (s.stateful || pass(!inbound, res));
          flows.push(proto === 'icmp' ? `${client} -> ${server} icmp` : `${client}:${cport} -> ${server} ${proto} ${port}`);
          expected.push(ok ? 'allowed' : 'blocked');
        }
  return { flows, expected };
}
