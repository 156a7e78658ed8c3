// Random small .fw files for the §8.1 property tests: one firewall `fw` (mostly stateless)
// protecting 10.0.0.0/28, sometimes a stateful `sg` around one host, and a few flows. Rules
// are written the way people write them, right and wrong: requests, responses for them
// (with or without a source port), both rules (`outbound allow all`, the return-traffic
// habit `to ... port 1024-65535`), denies in the way. Only the declarations a file uses are
// written, so that a shrunk counterexample reads like a hand-written case.

import fc from 'fast-check';

/** name → declaration line (the host lines get their ephemeral clause appended). */
const DECLARATIONS: [string, string][] = [
  ['inside', 'network inside 10.0.0.0/28'],
  ['office', 'network office 10.0.0.16/29'],
  ['a1', 'host a1 10.0.0.2'],
  ['a2', 'host a2 10.0.0.9'],
  ['b1', 'host b1 10.0.0.17'],
  ['b2', 'host b2 10.0.0.26'],
  ['tight', 'ephemeral tight 20000-29999'],
];
const HOSTS = ['a1', 'a2', 'b1', 'b2'];
const HOST_EPHEMERAL = ['', ' ephemeral linux', ' ephemeral windows', ' ephemeral wide', ' ephemeral tight', ' ephemeral 40000-49999'];

// Endpoints on each side of `fw` ('' = not written, i.e. any).
const INSIDE = ['a1', 'a2', 'inside', '10.0.0.0/29'];
const OUTSIDE = ['b1', 'b2', 'office', 'any', '', '10.0.0.24/29'];
const ANYWHERE = [...INSIDE, ...OUTSIDE];

const REQUEST_PORTS = ['80', '443', '53', '22', '8080', '[80, 443]', 'https', '10000-20000'];
const CLIENT_PORTS = ['1024-65535', '40000-50000', 'ephemeral', '0-65535'];
const RESPONSE_PORTS = ['ephemeral', '1024-65535', '32768-60999', '49152-65535', '20000-29999', '32768-65535'];
const DENY_PORTS = ['80', '443', '0-1023', '1024-65535', '32768-40000', '[22, 80]', '50000-65535'];

type Dir = 'inbound' | 'outbound';
const opposite = (d: Dir): Dir => (d === 'inbound' ? 'outbound' : 'inbound');

function side(kw: 'from' | 'to', ep: string, ports: string | null | undefined): string {
  if (ep === '' && !ports) return '';
  return ` ${kw} ${ep || 'any'}${ports ? ` port ${ports}` : ''}`;
}

/** A service name's protocol must match the rule's. */
const portFor = (proto: string, p: string) => (proto === 'udp' && p === 'https' ? '443' : p);

/** Endpoints that make a rule cross `fw` in `dir`, now and then any endpoint at all. */
function ends(dir: Dir) {
  const [src, dst] = dir === 'inbound' ? [OUTSIDE, INSIDE] : [INSIDE, OUTSIDE];
  const pick = (xs: string[]) =>
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...xs) }, { weight: 1, arbitrary: fc.constantFrom(...ANYWHERE) });
  return fc.record({ from: pick(src), to: pick(dst) });
}

const dir = fc.constantFrom<Dir>('inbound', 'outbound');

const request = dir.chain((d) =>
  fc.record({
    dir: fc.constant(d),
    proto: fc.constantFrom('tcp', 'tcp', 'udp'),
    ends: ends(d),
    dport: fc.constantFrom(...REQUEST_PORTS),
    sport: fc.option(fc.constantFrom(...CLIENT_PORTS), { freq: 4 }),
  }),
);
type Request = typeof request extends fc.Arbitrary<infer T> ? T : never;

const requestText = (r: Request) =>
  `${r.dir} allow ${r.proto}${side('from', r.ends.from, r.sport)}${side('to', r.ends.to, portFor(r.proto, r.dport))}`;

/** A request rule and a response rule written for it, often not quite right. */
const pair = fc
  .record({
    request,
    server: fc.option(fc.constantFrom(...ANYWHERE), { freq: 3 }),
    client: fc.option(fc.constantFrom(...ANYWHERE), { freq: 3 }),
    // null: no source port at all (the stateless habit that also admits new connections).
    sport: fc.oneof(
      { weight: 3, arbitrary: fc.constant('same') },
      { weight: 1, arbitrary: fc.constantFrom('80', '443', '[80, 443]', '22') },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
    dport: fc.constantFrom(...RESPONSE_PORTS),
    after: fc.boolean(),
  })
  .map((p) => {
    const r = p.request;
    const sport = p.sport === 'same' ? portFor(r.proto, r.dport) : p.sport;
    const response = `${opposite(r.dir)} allow ${r.proto}${side('from', p.server ?? r.ends.to, sport)}${side('to', p.client ?? r.ends.from, p.dport)}`;
    return p.after ? [requestText(r), response] : [response, requestText(r)];
  });

/** Allow rules that are requests and responses at once. */
const both = dir.chain((d) =>
  fc
    .record({
      proto: fc.constantFrom('all', 'tcp', 'udp', 'icmp'),
      ends: ends(d),
      sport: fc.option(fc.constantFrom('443', '80', '0-65535'), { freq: 4 }),
      dport: fc.option(fc.constantFrom('1024-65535', '32768-65535', 'ephemeral', '0-65535'), { freq: 2 }),
    })
    .map((b) => {
      const ported = b.proto === 'tcp' || b.proto === 'udp';
      return [
        `${d} allow ${b.proto}${side('from', b.ends.from, ported ? b.sport : null)}${side('to', b.ends.to, ported ? b.dport : null)}`,
      ];
    }),
);

const deny = dir.chain((d) =>
  fc
    .record({
      proto: fc.constantFrom('tcp', 'udp', 'all'),
      ends: ends(d),
      sport: fc.option(fc.constantFrom(...DENY_PORTS), { freq: 3 }),
      dport: fc.option(fc.constantFrom(...DENY_PORTS), { freq: 2 }),
    })
    .map((r) => {
      const ported = r.proto !== 'all';
      return [`${d} deny ${r.proto}${side('from', r.ends.from, ported ? r.sport : null)}${side('to', r.ends.to, ported ? r.dport : null)}`];
    }),
);

/**
 * Rules of one action over overlapping ports, then often a broader rule of the other action:
 * each may be redundant only while another is there (what removing them together must respect).
 */
const CHAIN_PORTS = ['80', '80-81', '81', '80-82', '82', '[80, 82]'];
const chain = dir.chain((d) =>
  fc
    .record({
      action: fc.constantFrom('allow', 'deny'),
      proto: fc.constantFrom('tcp', 'udp'),
      ends: ends(d),
      ports: fc.array(fc.constantFrom(...CHAIN_PORTS), { minLength: 2, maxLength: 4 }),
      closing: fc.boolean(),
    })
    .map((c) => {
      const out = c.ports.map((p) => `${d} ${c.action} ${c.proto}${side('from', c.ends.from, null)}${side('to', c.ends.to, p)}`);
      if (c.closing)
        out.push(
          `${d} ${c.action === 'allow' ? 'deny' : 'allow'} ${c.proto}${side('from', c.ends.from, null)}${side('to', c.ends.to, null)}`,
        );
      return out;
    }),
);

const rules = (max: number, chains = 1) =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: request.map((r) => [requestText(r)]) },
        { weight: 4, arbitrary: pair },
        { weight: 2, arbitrary: both },
        { weight: 2, arbitrary: deny },
        { weight: chains, arbitrary: chain },
      ),
      { minLength: 1, maxLength: max },
    )
    .map((groups) => groups.flat().slice(0, max));

const FLOW_CLIENTS = ['a1', 'a2', 'b1', 'b2', 'office', 'b1:40000-40010'];
const FLOW_SERVERS = ['a1', 'a2', 'b1', 'b2'];
const FLOW_TARGETS = ['http', 'https', 'dns', 'ssh', 'tcp 8080', 'udp 443', 'tcp 3306', 'udp 15000', 'icmp'];

const flow = fc
  .record({
    client: fc.constantFrom(...FLOW_CLIENTS),
    server: fc.constantFrom(...FLOW_SERVERS),
    target: fc.constantFrom(...FLOW_TARGETS),
    expect: fc.constantFrom('allow', 'deny', 'allow', null),
  })
  .filter((f) => f.client.split(':')[0] !== f.server && !(f.target === 'icmp' && f.client.includes(':')))
  .map((f) => `flow ${f.client} -> ${f.server} ${f.target}${f.expect ? ` expect ${f.expect}` : ''}`);

const FLOW_ENDS = new Set(['a1', 'a2', 'b1', 'b2', 'office']);

/** A flow through an allow rule with one server port, `expect` as given: the flows whose verdicts fixes change. */
function flowThrough(rule: string, expect: string | null): string | undefined {
  const m = /^(?:\d+ )?(?:inbound|outbound) allow (tcp|udp) from (\S+)(?: port \S+)? to (\S+) port (\d+)$/.exec(rule);
  if (!m || !FLOW_ENDS.has(m[2]!) || !FLOW_ENDS.has(m[3]!) || m[2] === m[3]) return undefined;
  return `flow ${m[2]} -> ${m[3]} ${m[1]} ${m[4]}${expect ? ` expect ${expect}` : ''}`;
}

export interface Options {
  /** Weight of a stateful `fw` against 3 for a stateless one. */
  stateful?: number;
  /** Allow `default allow` (whose requests have no rule to say their client ports). */
  defaultAllow?: boolean;
  maxRules?: number;
  /** Weight of chains of overlapping same-action rules (against 11 for the other kinds). */
  chains?: number;
}

/** The text of a random .fw file. */
export function fwFile(opts: Options = {}): fc.Arbitrary<string> {
  const maxRules = opts.maxRules ?? 6;
  return fc
    .record({
      mode: fc.oneof(
        { weight: 3, arbitrary: fc.constant('stateless') },
        { weight: opts.stateful ?? 1, arbitrary: fc.constant('stateful') },
      ),
      defaultAllow: opts.defaultAllow ? fc.constantFrom(false, false, false, true) : fc.constant(false),
      ephemeral: fc.array(fc.constantFrom(...HOST_EPHEMERAL), { minLength: HOSTS.length, maxLength: HOSTS.length }),
      defaultEphemeral: fc.constantFrom('', '', 'default ephemeral linux', 'default ephemeral tight'),
      rules: rules(maxRules, opts.chains ?? 1),
      numbered: fc.boolean(),
      numbers: fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { minLength: maxRules, maxLength: maxRules }),
      sg: fc.option(rules(3), { freq: 3 }),
      flows: fc.array(flow, { maxLength: 3 }),
      through: fc.array(fc.constantFrom('allow', 'deny', null), { maxLength: 2 }),
    })
    .map((g) => {
      const numbers = g.numbers.map((n) => n * 10);
      const body = g.rules.map((r, i) => `  ${g.numbered ? `${numbers[i]} ` : ''}${r}`);
      const blocks = [`firewall fw ${g.mode} protects inside${g.defaultAllow ? ' default allow' : ''} {`, ...body, '}'];
      if (g.sg) blocks.push('firewall sg stateful protects a1 {', ...g.sg.map((r) => `  ${r}`), '}');
      blocks.push(...g.flows);
      const through = [...g.rules, ...(g.sg ?? [])]
        .map((r, i) => flowThrough(r, g.through[i % Math.max(1, g.through.length)] ?? null))
        .filter((f) => f !== undefined);
      blocks.push(...through.slice(0, g.through.length));
      if (g.defaultEphemeral) blocks.unshift(g.defaultEphemeral);
      const used = blocks.join('\n');
      const mentions = (name: string) => new RegExp(`(^|[^\\w-])${name}([^\\w-]|$)`, 'm').test(used);
      const decls: string[] = [];
      for (const [name, line] of DECLARATIONS) {
        const h = HOSTS.indexOf(name);
        if (h >= 0 && mentions(name)) decls.push(`${line}${g.ephemeral[h]}`);
        else if (name === 'tight' ? mentions(name) || decls.some((l) => l.endsWith(' tight')) : mentions(name)) decls.push(line);
      }
      return [...decls, ...blocks, ''].join('\n');
    });
}

const OFFICE = DECLARATIONS.find(([name]) => name === 'office')![1];

const RULE_TEXT =
  /^(\d+ )?(inbound|outbound) (allow|deny) (\w+)(?: from (\S+)(?: port (\[[^\]]*\]|\S+))?)?(?: to (\S+)(?: port (\[[^\]]*\]|\S+))?)?$/;

/**
 * A rule of `fw` as an AWS platform can say it (spec §10): no source port, the inside side not
 * written (it would have to hold the whole inside; not written, it matches every address), the
 * remote side and the destination port as they were; numbered when `number` is given (an ACL).
 */
function platformRule(rule: string, number?: number): string {
  const m = RULE_TEXT.exec(rule);
  if (!m) throw new Error(`not a rule of the arbitrary: ${rule}`);
  const [, , dir, action, proto, from, , to, dport] = m;
  const ported = proto === 'tcp' || proto === 'udp';
  const remote = dir === 'inbound' ? from : to;
  const toSide = dir === 'inbound' ? side('to', '', ported ? dport : null) : side('to', remote ?? '', ported ? dport : null);
  const fromSide = dir === 'inbound' ? side('from', remote ?? '', null) : '';
  return `${number === undefined ? '' : `${number} `}${dir} ${action} ${proto}${fromSide}${toSide}`;
}

/**
 * The files of `fwFile` with `fw` an `aws-nacl` (spec §10): its rules as an ACL can say them
 * (platformRule), numbered in file order, default deny. The stateful `sg` and the flows stay. One
 * file in three, the ACL is associated with `office` too: two subnets, each its own inside,
 * so what goes between them crosses the ACL twice.
 */
export function aclFile(opts: Options = {}): fc.Arbitrary<string> {
  return fc.tuple(fwFile({ ...opts, stateful: 0, defaultAllow: false }), fc.constantFrom(false, false, true)).map(([text, two]) => {
    const lines = text.split('\n');
    const open = lines.findIndex((l) => l.startsWith('firewall fw '));
    const close = lines.indexOf('}', open);
    lines[open] = `firewall fw aws-nacl protects inside${two ? ', office' : ''} {`;
    for (let i = open + 1; i < close; i++) lines[i] = `  ${platformRule(lines[i]!.trim(), 10 * (i - open))}`;
    if (two && !lines.includes(OFFICE)) lines.unshift(OFFICE);
    return lines.join('\n');
  });
}

/**
 * The files of `fwFile` with `fw` an `aws-sg` (spec §10): allow rules only, unnumbered, no
 * source port, the inside side not written; every member (each address of `inside`) sits
 * behind its own copy. Denies are left out (a group cannot say them); a file left with no rule
 * keeps one request rule.
 */
export function sgFile(opts: Options = {}): fc.Arbitrary<string> {
  return fwFile({ ...opts, stateful: 0, defaultAllow: false }).map((text) => {
    const lines = text.split('\n');
    const open = lines.findIndex((l) => l.startsWith('firewall fw '));
    const close = lines.indexOf('}', open);
    const body = lines
      .slice(open + 1, close)
      .map((l) => l.trim())
      .filter((l) => !/^(\d+ )?(inbound|outbound) deny /.test(l))
      .map((l) => `  ${platformRule(l)}`);
    if (body.length === 0) body.push('  inbound allow tcp from any to any port 443');
    lines.splice(open, close - open, 'firewall fw aws-sg protects inside {', ...body);
    return lines.join('\n');
  });
}
