// The engine evaluates packet CLASSES; here every class answer is checked against a plain
// first-match loop over single packets (written independently in this test), on random small
// rule sets written as .fw text and run through the real parser and resolver.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../server/src/core/address';
import { decide } from '../../server/src/engine/firewall';
import { AddrSet, PortSet } from '../../server/src/core/intervals';
import { ICMP, TCP, UDP, makeBoxes, type Box } from '../../server/src/engine/packet';
import { simulateFlow } from '../../server/src/engine/simulate';
import { buildModel } from '../../server/src/model/resolve';
import type { Firewall, ResolvedRule } from '../../server/src/model/types';
import type { Direction } from '../../server/src/syntax/ast';

const ADDRS = ['10.0.0.1', '10.0.0.2', '10.0.0.5', '198.51.100.1', '198.51.100.9'];
const ENDPOINTS = ['any', 'a', 'b', 'out', '10.0.0.0/30', '198.51.100.0/28', '10.0.0.4/30'];
const PORTS = ['1', '2', '3', '1-2', '2-5', '[1, 4]', '1000-40000', 'ephemeral'];
const UNIVERSE_PORTS = [1, 2, 3, 4, 5, 999, 1000, 40000, 50000];

const addr = (t: string) => {
  const p = parseAddress(t);
  if (!p.ok) throw new Error(t);
  return p.lo;
};

const arbRule = fc.record({
  direction: fc.constantFrom('inbound', 'outbound'),
  action: fc.constantFrom('allow', 'deny'),
  proto: fc.constantFrom('tcp', 'udp', 'icmp', 'all'),
  from: fc.option(fc.constantFrom(...ENDPOINTS), { nil: undefined }),
  sport: fc.option(fc.constantFrom(...PORTS), { nil: undefined }),
  to: fc.option(fc.constantFrom(...ENDPOINTS), { nil: undefined }),
  dport: fc.option(fc.constantFrom(...PORTS), { nil: undefined }),
});

const arbFirewall = fc.record({
  rules: fc.array(arbRule, { minLength: 1, maxLength: 7 }),
  numbered: fc.boolean(),
  order: fc.array(fc.integer({ min: 1, max: 9999 }), { minLength: 7, maxLength: 7 }),
  stateful: fc.boolean(),
  defaultAllow: fc.boolean(),
});

type Fw = typeof arbFirewall extends fc.Arbitrary<infer T> ? T : never;

function fwText(f: Fw): string {
  const used = new Set<number>();
  const lines = f.rules.map((r, i) => {
    const ported = r.proto === 'tcp' || r.proto === 'udp';
    const from = r.from || (ported && r.sport) ? ` from ${r.from ?? 'any'}${ported && r.sport ? ` port ${r.sport}` : ''}` : '';
    const to = r.to || (ported && r.dport) ? ` to ${r.to ?? 'any'}${ported && r.dport ? ` port ${r.dport}` : ''}` : '';
    let n = f.order[i]!;
    while (used.has(n)) n++;
    used.add(n);
    return `  ${f.numbered ? `${n} ` : ''}${r.direction} ${r.action} ${r.proto}${from}${to}`;
  });
  return `host a 10.0.0.1
host b 10.0.0.5 ephemeral 1000-40000
host out 198.51.100.9
firewall f ${f.stateful ? 'stateful' : 'stateless'} protects 10.0.0.0/29 ${f.defaultAllow ? 'default allow ' : ''}{
${lines.join('\n')}
}
`;
}

interface Pkt {
  proto: number;
  src: bigint;
  sport: number;
  dst: bigint;
  dport: number;
}

/** The oracle: §5 for one packet, by hand. */
function oracle(fw: Firewall, p: Pkt): { direction?: Direction; action: string; rule?: ResolvedRule } {
  const sIn = fw.inside.contains(p.src);
  const dIn = fw.inside.contains(p.dst);
  if (sIn === dIn) return { action: 'not crossed' };
  const direction: Direction = dIn ? 'inbound' : 'outbound';
  let rules = fw.rules.filter((r) => r.direction === direction);
  if (rules.every((r) => r.number !== undefined)) rules = [...rules].sort((x, y) => x.number! - y.number!);
  for (const r of rules) {
    const protoOk =
      r.proto === 'all' ||
      (r.proto === 'tcp' && p.proto === TCP) ||
      (r.proto === 'udp' && p.proto === UDP) ||
      (r.proto === 'icmp' && p.proto === ICMP);
    if (!protoOk) continue;
    if (!r.from.addresses.contains(p.src) || !r.to.addresses.contains(p.dst)) continue;
    if (p.proto !== ICMP && (!r.sport.contains(p.sport) || !r.dport.contains(p.dport))) continue;
    return { direction, action: r.action, rule: r };
  }
  return { direction, action: fw.defaultAction };
}

function* packets(): Generator<Pkt> {
  for (const proto of [TCP, UDP, ICMP])
    for (const s of ADDRS)
      for (const d of ADDRS)
        for (const sport of proto === ICMP ? [0] : UNIVERSE_PORTS)
          for (const dport of proto === ICMP ? [0] : [1, 2, 3, 1000, 50000]) yield { proto, src: addr(s), sport, dst: addr(d), dport };
}

function inBox(b: Box, p: Pkt): boolean {
  return (
    (b.protos & p.proto) !== 0 &&
    b.src.contains(p.src) &&
    b.dst.contains(p.dst) &&
    (p.proto === ICMP || (b.sport.contains(p.sport) && b.dport.contains(p.dport)))
  );
}

describe('class evaluation agrees with packet-by-packet first match', () => {
  it('decide() on the whole packet space, one direction at a time', () => {
    fc.assert(
      fc.property(arbFirewall, (f) => {
        const model = buildModel('/prop/f.fw', fwText(f));
        expect(model.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const fw = model.firewalls[0]!;
        const outside = AddrSet.ALL.subtract(fw.inside);
        const classes: Record<Direction, Box[]> = {
          inbound: makeBoxes(TCP | UDP | ICMP, outside, PortSet.ALL, fw.inside, PortSet.ALL),
          outbound: makeBoxes(TCP | UDP | ICMP, fw.inside, PortSet.ALL, outside, PortSet.ALL),
        };
        const decisions = { inbound: decide(fw, 'inbound', classes.inbound), outbound: decide(fw, 'outbound', classes.outbound) };
        for (const p of packets()) {
          const want = oracle(fw, p);
          if (!want.direction) continue;
          const hits = decisions[want.direction].filter((d) => inBox(d.box, p));
          // The pieces are disjoint and cover the class: exactly one holds the packet.
          expect(hits.length).toBe(1);
          expect(hits[0]!.action).toBe(want.action);
          expect(hits[0]!.rule).toBe(want.rule);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("a flow's verdict and client ports agree with sending every client port by hand", () => {
    fc.assert(
      fc.property(
        arbFirewall,
        fc.constantFrom(...ADDRS),
        fc.constantFrom(...ADDRS),
        fc.constantFrom('tcp 1', 'tcp 2', 'udp 3', 'tcp 1000'),
        (f, client, server, target) => {
          if (client === server) return;
          const text = `${fwText(f)}flow ${client}:1-5 -> ${server} ${target}\n`;
          const model = buildModel('/prop/f.fw', text);
          const flow = model.flows[0]!;
          const fw = model.firewalls[0]!;
          const r = simulateFlow(model, flow);
          const [proto, port] = target.split(' ');
          const pBit = proto === 'tcp' ? TCP : UDP;
          const allowed: number[] = [];
          for (let sport = 1; sport <= 5; sport++) {
            const req: Pkt = { proto: pBit, src: addr(client), sport, dst: addr(server), dport: Number(port) };
            const q = oracle(fw, req);
            if (q.direction && q.action !== 'allow') continue;
            if (q.direction && fw.mode === 'stateful') {
              allowed.push(sport);
              continue;
            }
            const resp = oracle(fw, { proto: pBit, src: req.dst, sport: req.dport, dst: req.src, dport: req.sport });
            if (!resp.direction || resp.action === 'allow') allowed.push(sport);
          }
          const expected = allowed.length === 5 ? 'allowed' : allowed.length === 0 ? 'blocked' : 'partial';
          expect(r.verdict).toBe(expected);
          if (r.response)
            expect(r.response.allowedClientPorts.toString()).toBe(
              PortSet.fromRanges(allowed.map((x) => [x, x] as [number, number])).toString(),
            );
          else expect(allowed).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
