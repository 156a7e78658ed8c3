// Cross-check of shadowed-rule and redundant-rule against brute force. Random rule sets are
// written as .fw text over a tiny universe, then every concrete packet of that universe is
// evaluated by first match here in the test (not by the engine), and the diagnostics must agree:
//   - a rule reported shadowed decides no packet; one not reported decides at least one;
//   - a rule reported redundant can be removed without changing any verdict; a rule neither
//     shadowed nor reported redundant changes at least one verdict when removed;
//   - removing every rule whose redundant-rule fix is marked safe, all together, changes nothing.
//
// Why the small universe is enough: rules only name addresses in 10.0.0.0/29 (or `any`) and
// ports 1-8, so every address outside the /29 behaves like 192.0.2.1 for every rule and every
// `protects`, and every port outside 1-8 like port 9. IPv6 packets never cross (the inside is
// IPv4 only), so no rule ever decides one. Protocols: tcp, udp, icmp and "other" (only `all`).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../../../server/src/analysis/analyze';
import { LIMITS } from '../../../server/src/analysis/ruleCoverage';
import type { Diagnostic } from '../../../server/src/core/diagnostic';

type Dir = 'inbound' | 'outbound';
type Act = 'allow' | 'deny';
type Proto = 'tcp' | 'udp' | 'icmp' | 'all';
type PacketProto = 'tcp' | 'udp' | 'icmp' | 'other';

/** Address 0..7 is 10.0.0.i; 8 stands for every address outside the /29. */
const OUTSIDE = 8;
const ADDRS = [0, 1, 2, 3, 4, 5, 6, 7, OUTSIDE];
/** Port 9 stands for every port outside 1-8. */
const PORTS = [1, 2, 3, 4, 5, 6, 7, 8, 9];

interface Endpoint {
  text: string | undefined; // undefined: not written (any)
  addrs: Set<number>;
}

const DECLS = `host h1 10.0.0.1
host h6 10.0.0.6
network low 10.0.0.0/30
network odd 10.0.0.1, 10.0.0.3, 10.0.0.5, 10.0.0.7
network all8 10.0.0.0/29
`;

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}

/** Every aligned prefix inside 10.0.0.0/29, written as text. */
const PREFIXES: Endpoint[] = [];
for (const len of [29, 30, 31, 32]) {
  const size = 1 << (32 - len);
  for (let base = 0; base < 8; base += size) {
    PREFIXES.push({ text: len === 32 ? `10.0.0.${base}` : `10.0.0.${base}/${len}`, addrs: new Set(range(base, base + size - 1)) });
  }
}
const NAMED: Endpoint[] = [
  { text: 'h1', addrs: new Set([1]) },
  { text: 'h6', addrs: new Set([6]) },
  { text: 'low', addrs: new Set([0, 1, 2, 3]) },
  { text: 'odd', addrs: new Set([1, 3, 5, 7]) },
  { text: 'all8', addrs: new Set(range(0, 7)) },
];
const ANY: Endpoint = { text: 'any', addrs: new Set(ADDRS) };
const OMITTED: Endpoint = { text: undefined, addrs: new Set(ADDRS) };

const arbEndpoint: fc.Arbitrary<Endpoint> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(ANY, OMITTED) },
  { weight: 4, arbitrary: fc.constantFrom(...PREFIXES) },
  { weight: 2, arbitrary: fc.constantFrom(...NAMED) },
);

const INSIDES: Endpoint[] = [
  { text: '10.0.0.0/30', addrs: new Set([0, 1, 2, 3]) },
  { text: '10.0.0.4/30', addrs: new Set([4, 5, 6, 7]) },
  { text: '10.0.0.0/31', addrs: new Set([0, 1]) },
  { text: 'h1', addrs: new Set([1]) },
  { text: 'odd', addrs: new Set([1, 3, 5, 7]) },
  { text: '10.0.0.2, 10.0.0.5', addrs: new Set([2, 5]) },
  { text: 'low, h6', addrs: new Set([0, 1, 2, 3, 6]) },
];

interface Ports {
  text: string;
  ports: Set<number>;
}

const arbPortItem: fc.Arbitrary<Ports> = fc.oneof(
  fc.integer({ min: 1, max: 8 }).map((p) => ({ text: `${p}`, ports: new Set([p]) })),
  fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })).map(([a, b]) => {
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    return { text: `${lo}-${hi}`, ports: new Set(range(lo, hi)) };
  }),
);
const arbPorts: fc.Arbitrary<Ports | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: arbPortItem },
  {
    weight: 1,
    arbitrary: fc.array(arbPortItem, { minLength: 2, maxLength: 3 }).map((items) => ({
      text: `[${items.map((i) => i.text).join(', ')}]`,
      ports: new Set(items.flatMap((i) => [...i.ports])),
    })),
  },
);

interface Rule {
  direction: Dir;
  action: Act;
  proto: Proto;
  from: Endpoint;
  sport: Ports | undefined;
  to: Endpoint;
  dport: Ports | undefined;
}

const arbRule: fc.Arbitrary<Rule> = fc
  .record({
    direction: fc.constantFrom<Dir>('inbound', 'outbound'),
    action: fc.constantFrom<Act>('allow', 'deny'),
    proto: fc.constantFrom<Proto>('tcp', 'udp', 'tcp', 'udp', 'icmp', 'all'),
    from: arbEndpoint,
    sport: arbPorts,
    to: arbEndpoint,
    dport: arbPorts,
  })
  .map((r) => (r.proto === 'tcp' || r.proto === 'udp' ? r : { ...r, sport: undefined, dport: undefined }));

interface Scenario {
  inside: Endpoint;
  /** An `aws-nacl` (spec §10): these subnets, each its own inside (`inside` is unused). */
  subnets?: Endpoint[];
  defaultAction: Act;
  rules: Rule[];
  /** Rule numbers (file order), or undefined for unnumbered rules. */
  numbers: number[] | undefined;
}

const arbScenario: fc.Arbitrary<Scenario> = fc
  .record({
    inside: fc.constantFrom(...INSIDES),
    defaultAction: fc.constantFrom<Act>('deny', 'allow', 'deny'),
    rules: fc.array(arbRule, { minLength: 1, maxLength: 7 }),
    numbered: fc.boolean(),
    seed: fc.array(fc.integer({ min: 1, max: 99 }), { minLength: 7, maxLength: 7 }),
  })
  .map(({ inside, defaultAction, rules, numbered, seed }) => {
    let numbers: number[] | undefined;
    if (numbered) {
      // Unique per direction, in no particular file order.
      const used: Record<Dir, Set<number>> = { inbound: new Set(), outbound: new Set() };
      numbers = rules.map((r, i) => {
        let n = seed[i]! * 10;
        while (used[r.direction].has(n)) n += 1;
        used[r.direction].add(n);
        return n;
      });
    }
    return { inside, defaultAction, rules, numbers };
  });

function endpointText(kw: 'from' | 'to', e: Endpoint, p: Ports | undefined): string {
  if (e.text === undefined && !p) return '';
  return ` ${kw} ${e.text ?? 'any'}${p ? ` port ${p.text}` : ''}`;
}

function render(s: Scenario): string {
  const lines = s.rules.map((r, i) => {
    const n = s.numbers ? `${s.numbers[i]} ` : '';
    return `  ${n}${r.direction} ${r.action} ${r.proto}${endpointText('from', r.from, r.sport)}${endpointText('to', r.to, r.dport)}`;
  });
  const head = s.subnets
    ? `aws-nacl protects ${s.subnets.map((x) => x.text).join(', ')}`
    : `stateless protects ${s.inside.text} default ${s.defaultAction}`;
  return `${DECLS}\nfirewall fw ${head} {\n${lines.join('\n')}\n}\n`;
}

// ---- brute force ----------------------------------------------------------------------

interface Packet {
  proto: PacketProto;
  src: number;
  sport: number;
  dst: number;
  dport: number;
}

function allPackets(): Packet[] {
  const out: Packet[] = [];
  for (const src of ADDRS) {
    for (const dst of ADDRS) {
      for (const proto of ['tcp', 'udp'] as const) {
        for (const sport of PORTS) for (const dport of PORTS) out.push({ proto, src, sport, dst, dport });
      }
      for (const proto of ['icmp', 'other'] as const) out.push({ proto, src, sport: 0, dst, dport: 0 });
    }
  }
  return out;
}
const PACKETS = allPackets();

function direction(inside: Set<number>, p: Packet): Dir | undefined {
  const s = inside.has(p.src);
  const d = inside.has(p.dst);
  if (s === d) return undefined;
  return d ? 'inbound' : 'outbound';
}

/**
 * The directions in which `p` crosses the firewall (§5.1): at most one for a firewall of one
 * inside; for an ACL of several subnets (§10) a packet from one subnet to another crosses twice,
 * out of the first and into the second, and each crossing is judged.
 */
function crossingDirections(s: Scenario, p: Packet): Dir[] {
  if (!s.subnets) {
    const d = direction(s.inside.addrs, p);
    return d ? [d] : [];
  }
  const out: Dir[] = [];
  if (s.subnets.some((i) => i.addrs.has(p.src) && !i.addrs.has(p.dst))) out.push('outbound');
  if (s.subnets.some((i) => i.addrs.has(p.dst) && !i.addrs.has(p.src))) out.push('inbound');
  return out;
}

function matches(r: Rule, p: Packet): boolean {
  if (r.proto !== 'all' && r.proto !== p.proto) return false;
  if (!r.from.addrs.has(p.src) || !r.to.addrs.has(p.dst)) return false;
  if (p.proto === 'tcp' || p.proto === 'udp') {
    if (r.sport && !r.sport.ports.has(p.sport)) return false;
    if (r.dport && !r.dport.ports.has(p.dport)) return false;
  }
  return true;
}

/** Rule indices (file order) of one direction in evaluation order. */
function evaluationOrder(s: Scenario, d: Dir, skip: ReadonlySet<number>): number[] {
  const idx = s.rules.map((_, i) => i).filter((i) => s.rules[i]!.direction === d && !skip.has(i));
  if (s.numbers) idx.sort((a, b) => s.numbers![a]! - s.numbers![b]!);
  return idx;
}

/** For each crossing packet: the deciding rule index (or -1 for the default) and the verdict. */
function evaluate(s: Scenario, skip: ReadonlySet<number> = new Set()): { rule: number; action: Act }[] {
  const order: Record<Dir, number[]> = { inbound: evaluationOrder(s, 'inbound', skip), outbound: evaluationOrder(s, 'outbound', skip) };
  return PACKETS.flatMap((p) => {
    const ds = crossingDirections(s, p);
    if (ds.length === 0) return [{ rule: -2, action: 'allow' as Act }]; // does not cross: not evaluated
    return ds.map((d) => {
      for (const i of order[d]) if (matches(s.rules[i]!, p)) return { rule: i, action: s.rules[i]!.action };
      return { rule: -1, action: s.defaultAction };
    });
  });
}

function sameVerdicts(a: { action: Act }[], b: { action: Act }[]): boolean {
  return a.every((x, i) => x.action === b[i]!.action);
}

// ---- the property ---------------------------------------------------------------------

function diagnosticsByRule(text: string): { byRule: Map<number, Diagnostic[]>; all: Diagnostic[] } {
  const a = check('/prop/test.fw', text);
  const fw = a.model.firewalls[0]!;
  const byRule = new Map<number, Diagnostic[]>();
  for (const d of a.diagnostics) {
    const r = fw.rules.find((x) => x.node.span.start === d.span.start && x.node.span.end === d.span.end);
    if (!r) continue;
    byRule.set(r.index, [...(byRule.get(r.index) ?? []), d]);
  }
  return { byRule, all: a.diagnostics };
}

/**
 * The property itself, for one scenario. `exact`: diagnostics iff brute force says so.
 * Otherwise only soundness: whatever is reported is true (for the piece-budget fallbacks,
 * which may leave a rule unjudged but must never judge it wrongly).
 */
function agreesWithBruteForce(s: Scenario, exact = true): void {
  const text = render(s);
  const { byRule, all } = diagnosticsByRule(text);
  const errors = all.filter((d) => d.severity === 'error');
  expect(errors, text).toEqual([]);
  const base = evaluate(s);
  // Spec §8: redundant rules are decided in rule order, each one already reported counting
  // as removed, so that removing every reported rule at once changes nothing.
  const removed = new Set<number>();
  const order = [...evaluationOrder(s, 'inbound', new Set()), ...evaluationOrder(s, 'outbound', new Set())];
  // Rules that decide nothing (shadowed) count as absent: nothing is redundant for their sake.
  const shadowedRules = s.rules.map((_, i) => i).filter((i) => !base.some((x) => x.rule === i));
  for (const i of order) {
    const codes = (byRule.get(i) ?? []).map((d) => d.code);
    const decidesSome = base.some((x) => x.rule === i);
    const shadowed = codes.includes('shadowed-rule');
    if (exact || shadowed) expect(shadowed, `rule on line ${i + 8} shadowed?\n${text}`).toBe(!decidesSome);
    if (shadowed) {
      expect(codes, text).not.toContain('redundant-rule');
      continue;
    }
    const unchanged =
      sameVerdicts(base, evaluate(s, new Set([...removed, i]))) &&
      sameVerdicts(base, evaluate(s, new Set([...removed, ...shadowedRules, i])));
    const redundant = codes.includes('redundant-rule');
    if (exact || redundant) expect(redundant, `rule on line ${i + 8} redundant (with ${[...removed]} removed)?\n${text}`).toBe(unchanged);
    if (redundant) {
      removed.add(i);
      expect((byRule.get(i) ?? []).find((x) => x.code === 'redundant-rule')!.fixes![0]!.safe, text).toBe(true);
    }
  }
  // Every reported rule, removed at once, changes no verdict.
  expect(sameVerdicts(base, evaluate(s, removed)), `redundant ${[...removed]}\n${text}`).toBe(true);
  expect(sameVerdicts(base, evaluate(s, new Set([...removed, ...shadowedRules]))), `redundant ${[...removed]} + shadowed\n${text}`).toBe(
    true,
  );
}

/**
 * Chains of same-action rules over overlapping port ranges, where rules are often redundant
 * one by one but not all together (the case the safe-fix marking must get right).
 */
const arbChainScenario: fc.Arbitrary<Scenario> = fc
  .record({
    inside: fc.constantFrom(...INSIDES.slice(0, 3)),
    sameDefault: fc.constantFrom(true, false, false, false),
    action: fc.constantFrom<Act>('allow', 'deny'),
    ports: fc.array(arbPortItem, { minLength: 2, maxLength: 6 }),
    flips: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  })
  .map(({ inside, sameDefault, action, ports, flips }) => ({
    inside,
    defaultAction: sameDefault ? action : action === 'allow' ? ('deny' as Act) : ('allow' as Act),
    numbers: undefined,
    rules: ports.map((p, i) => ({
      direction: 'inbound' as Dir,
      // Mostly one action, now and then the other.
      action: flips[i] && i % 3 === 2 ? (action === 'allow' ? 'deny' : 'allow') : action,
      proto: 'tcp' as Proto,
      from: OMITTED,
      sport: undefined,
      to: i % 2 === 0 ? OMITTED : inside,
      dport: p,
    })),
  }));

/** Disjoint subnets of the /29 for an ACL, each its own inside. */
const SUBNETS: Endpoint[][] = [
  [{ text: '10.0.0.0/30', addrs: new Set([0, 1, 2, 3]) }],
  [
    { text: '10.0.0.0/30', addrs: new Set([0, 1, 2, 3]) },
    { text: '10.0.0.4/30', addrs: new Set([4, 5, 6, 7]) },
  ],
  [
    { text: '10.0.0.0/31', addrs: new Set([0, 1]) },
    { text: '10.0.0.2/31', addrs: new Set([2, 3]) },
    { text: '10.0.0.6/31', addrs: new Set([6, 7]) },
  ],
  [
    { text: '10.0.0.1/32', addrs: new Set([1]) },
    { text: '10.0.0.4/30', addrs: new Set([4, 5, 6, 7]) },
  ],
];

/**
 * An `aws-nacl` (§10): numbered rules, no source port, the inside side not written (it matches
 * every address), default deny; a packet between two of its subnets is judged twice.
 */
const arbAclScenario: fc.Arbitrary<Scenario> = fc
  .record({
    subnets: fc.constantFrom(...SUBNETS),
    // A random rule as an ACL says it: its remote side kept, no source port, the inside side
    // not written (arbRule already leaves out the ports of protocols without them).
    rules: fc.array(
      arbRule.map((r): Rule =>
        r.direction === 'inbound' ? { ...r, sport: undefined, to: OMITTED } : { ...r, sport: undefined, from: OMITTED },
      ),
      { minLength: 1, maxLength: 7 },
    ),
    order: fc.array(fc.integer({ min: 1, max: 99 }), { minLength: 7, maxLength: 7 }),
  })
  .map(({ subnets, rules, order }) => {
    const used = new Set<string>();
    const numbers = rules.map((r, i) => {
      let n = order[i]! * 10;
      while (used.has(`${r.direction}${n}`)) n += 1;
      used.add(`${r.direction}${n}`);
      return n;
    });
    return { inside: subnets[0]!, subnets, defaultAction: 'deny' as Act, rules, numbers };
  });

describe('shadowed-rule and redundant-rule agree with brute force', () => {
  it('on random rule sets over a closed small universe', () => {
    fc.assert(
      fc.property(arbScenario, (s) => agreesWithBruteForce(s)),
      { numRuns: 400 },
    );
  });

  it('on network ACLs of several subnets, where a packet between two subnets crosses twice', () => {
    fc.assert(
      fc.property(arbAclScenario, (s) => agreesWithBruteForce(s)),
      { numRuns: 200 },
    );
  });

  it('on chains of overlapping port ranges', () => {
    fc.assert(
      fc.property(arbChainScenario, (s) => agreesWithBruteForce(s)),
      { numRuns: 300 },
    );
  });

  it('soundly when the piece budget is tiny (the fallbacks: merging, settling piece by piece, giving up)', () => {
    const saved = { ...LIMITS };
    try {
      for (const [pieces, mergeAt, settleSteps] of [
        [2, 1, 1_000_000],
        [3, 1, 40],
        [1, 0, 0],
      ] as const) {
        Object.assign(LIMITS, { pieces, mergeAt, settleSteps });
        fc.assert(
          fc.property(arbScenario, (s) => agreesWithBruteForce(s, false)),
          { numRuns: 150 },
        );
        fc.assert(
          fc.property(arbChainScenario, (s) => agreesWithBruteForce(s, false)),
          { numRuns: 100 },
        );
      }
    } finally {
      Object.assign(LIMITS, saved);
    }
  });

  it('the universe is closed: every generated rule is valid and the scenario parses', () => {
    fc.assert(
      fc.property(arbScenario, (s) => {
        const a = check('/prop/test.fw', render(s));
        const fw = a.model.firewalls[0]!;
        expect(fw.valid).toBe(true);
        expect(fw.rules.length).toBe(s.rules.length);
        expect(fw.rules.every((r) => r.valid)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});
