// The netfilter plan gives every packet the verdict §5 gives it: a small evaluator of the plan,
// written here the way netfilter runs it (the dispatch of each crossing, first match, accept /
// return / drop, the default), against the engine's own per-packet decision, on random
// firewalls of every kind (stateless, stateful, an aws-nacl of two subnets, two aws-sg groups
// sharing a member), both families, merged and unmerged. The kernel oracle (npm run
// test:oracle) then proves the renderings of the plan in Linux.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../server/src/core/address';
import { AddrSet } from '../../server/src/core/intervals';
import { EXACT_PEERS_MAX, type NfFirewall, type NfRule, mergeRules, planNetfilter } from '../../server/src/convert/netfilterPlan';
import { decidePacket, packetDirections } from '../../server/src/engine/firewall';
import { ICMP, type Packet, TCP, UDP } from '../../server/src/engine/packet';
import { buildModel } from '../../server/src/model/resolve';
import type { Firewall } from '../../server/src/model/types';
import { countSetOps } from '../support/setOps';

const OTHER = 8;

const addr = (s: string): bigint => {
  const p = parseAddress(s);
  if (!p.ok) throw new Error(`bad address ${s}`);
  return p.lo;
};

const DECLS = [
  'host a 10.1.0.5',
  'host b 10.2.0.7',
  'host a6 2001:db8:1::5',
  'host b6 2001:db8:2::7',
  'network lan 10.1.0.0/24, 2001:db8:1::/64',
  'network dmz 10.2.0.0/24, 2001:db8:2::/64',
  'network wan 192.0.2.0/24, 2001:db8:99::/48',
];
const ENDPOINTS = ['a', 'b', 'a6', 'b6', 'lan', 'dmz', 'wan', 'any', '10.1.0.0/25', '10.2.0.128/25', '2001:db8:1::/80', '192.0.2.7'];
const PORTS = ['80', '443', '[80, 443]', '22', '1024-65535', '32768-60999', '0-1023', 'ephemeral', '53', '[22, 80-90]'];

const ruleArb = fc
  .record({
    dir: fc.constantFrom('inbound', 'outbound'),
    action: fc.constantFrom('allow', 'allow', 'deny'),
    proto: fc.constantFrom('tcp', 'tcp', 'udp', 'icmp', 'all'),
    from: fc.option(fc.constantFrom(...ENDPOINTS), { freq: 2 }),
    to: fc.option(fc.constantFrom(...ENDPOINTS), { freq: 2 }),
    sport: fc.option(fc.constantFrom(...PORTS), { freq: 3 }),
    dport: fc.option(fc.constantFrom(...PORTS), { freq: 1 }),
  })
  .map((r) => {
    const ported = r.proto === 'tcp' || r.proto === 'udp';
    const side = (kw: string, ep: string | null, p: string | null) =>
      ep === null && !(ported && p) ? '' : ` ${kw} ${ep ?? 'any'}${ported && p ? ` port ${p}` : ''}`;
    return `${r.dir} ${r.action} ${r.proto}${side('from', r.from, r.sport)}${side('to', r.to, r.dport)}`;
  });

/** Runs of one action and protocol over neighbouring ports: what the merge joins. */
const runArb = fc
  .record({
    dir: fc.constantFrom('inbound', 'outbound'),
    action: fc.constantFrom('allow', 'deny'),
    proto: fc.constantFrom('tcp', 'udp'),
    from: fc.constantFrom('wan', 'any', 'b', 'lan'),
    ports: fc.array(fc.constantFrom('80', '81', '443', '8080', '1000-2000'), { minLength: 2, maxLength: 4 }),
  })
  .map((r) => r.ports.map((p) => `${r.dir} ${r.action} ${r.proto} from ${r.from} to any port ${p}`));

const fileArb = fc
  .record({
    kind: fc.constantFrom('stateless', 'stateful', 'stateless', 'aws-nacl', 'aws-sg'),
    protects: fc.constantFrom('lan', 'dmz', 'a', 'lan, b', 'a6', 'dmz, a6'),
    dflt: fc.constantFrom('', ' default allow', ' default deny'),
    rules: fc.array(fc.oneof({ weight: 3, arbitrary: ruleArb.map((r) => [r]) }, { weight: 1, arbitrary: runArb }), {
      minLength: 1,
      maxLength: 6,
    }),
  })
  .map(({ kind, protects, dflt, rules }) => {
    const flat = rules.flat();
    const lines = [...DECLS];
    if (kind === 'aws-nacl') {
      // two subnets, numbered rules, no source ports (spec §10)
      const body = flat.map((r, i) => `  ${(i + 1) * 10} ${r.replace(/ port [^ ]+( to)/, '$1').replace(/from (\S+) port \S+/, 'from $1')}`);
      lines.push(`firewall fw aws-nacl protects 10.1.0.0/24, 10.2.0.0/24 {`, ...body, '}');
    } else if (kind === 'aws-sg') {
      const allows = flat.filter((r) => / allow /.test(r)).map((r) => r.replace(/from (\S+) port \S+/, 'from $1'));
      lines.push(`firewall fw aws-sg protects a, b {`, ...allows.map((r) => `  ${r}`), '}');
      lines.push(`firewall peer aws-sg protects b {`, '  inbound allow tcp from wan to b port 22', '}');
    } else lines.push(`firewall fw ${kind} protects ${protects}${dflt} {`, ...flat.map((r) => `  ${r}`), '}');
    return lines.join('\n') + '\n';
  });

// ---------------------------------------------------------------- the evaluator ----

interface Pkt {
  family: 4 | 6;
  proto: number;
  src: bigint;
  dst: bigint;
  sport: number;
  dport: number;
}

function matches(r: NfRule, p: Pkt): boolean {
  if (r.family !== 0 && r.family !== p.family) return false;
  if (!(r.protos & p.proto)) return false;
  if (r.src && !r.src.contains(p.src)) return false;
  if (r.dst && !r.dst.contains(p.dst)) return false;
  const ported = p.proto === TCP || p.proto === UDP;
  if ((r.sport || r.dport) && !ported) return false;
  if (r.sport && !r.sport.contains(p.sport)) return false;
  if (r.dport && !r.dport.contains(p.dport)) return false;
  return true;
}

/** netfilter's walk of one firewall's chains for a new packet. */
function planVerdict(fw: NfFirewall, p: Pkt): 'allow' | 'deny' {
  const chains: ('inbound' | 'outbound')[] = [];
  for (const dir of ['outbound', 'inbound'] as const) {
    for (const c of fw.crossings) {
      const sIn = c.inside.contains(p.src);
      const dIn = c.inside.contains(p.dst);
      if (c.kind === 'members') {
        if (dir === 'inbound' ? dIn : sIn) chains.push(dir);
      } else if (dir === 'inbound' ? dIn && !sIn : sIn && !dIn) chains.push(dir);
    }
  }
  for (const dir of chains) {
    const d = fw[dir];
    const hit = d.rules.find((r) => matches(r, p));
    const action = hit ? hit.action : d.defaultAction;
    if (action === 'deny') return 'deny';
    if (!fw.twice) return 'allow'; // accept ends the base chain
  }
  return 'allow';
}

function engineVerdict(fw: Firewall, p: Pkt): 'allow' | 'deny' {
  const packet: Packet = { proto: p.proto, src: p.src, sport: p.sport, dst: p.dst, dport: p.dport };
  for (const d of packetDirections(fw, packet)) if (decidePacket(fw, d, packet).action === 'deny') return 'deny';
  return 'allow';
}

const V4 = ['10.1.0.5', '10.1.0.200', '10.2.0.7', '10.2.0.130', '192.0.2.7', '192.0.2.99', '198.51.100.1'];
const V6 = ['2001:db8:1::5', '2001:db8:1::1:0:0:9', '2001:db8:2::7', '2001:db8:99::1', '2001:db8:77::1'];
const SAMPLE_PORTS = [0, 21, 22, 53, 79, 80, 81, 90, 91, 443, 1000, 1023, 1024, 2000, 8080, 32767, 32768, 50000, 60999, 61000, 65535];

const pktArb = fc
  .record({
    v6: fc.boolean(),
    proto: fc.constantFrom(TCP, UDP, ICMP, OTHER),
    s: fc.nat(V4.length * 10),
    d: fc.nat(V4.length * 10),
    sport: fc.constantFrom(...SAMPLE_PORTS),
    dport: fc.constantFrom(...SAMPLE_PORTS),
  })
  .map(({ v6, proto, s, d, sport, dport }): Pkt => {
    const pool = v6 ? V6 : V4;
    return {
      family: v6 ? 6 : 4,
      proto,
      src: addr(pool[s % pool.length]!),
      dst: addr(pool[d % pool.length]!),
      sport: proto === TCP || proto === UDP ? sport : 0,
      dport: proto === TCP || proto === UDP ? dport : 0,
    };
  });

describe('the netfilter plan decides every packet as §5 does', () => {
  it('on random firewalls, merged and unmerged', () => {
    let exported = 0;
    fc.assert(
      fc.property(fileArb, fc.array(pktArb, { minLength: 40, maxLength: 40 }), (text, packets) => {
        const m = buildModel('/x.fw', text);
        if (m.diagnostics.some((d) => d.severity === 'error')) return; // export refuses such files
        exported++;
        for (const merge of [true, false]) {
          const plan = planNetfilter(m, { merge });
          for (const nf of plan.firewalls) {
            for (const p of packets) {
              if (p.src === p.dst) continue;
              expect(
                planVerdict(nf, p),
                `${merge ? 'merged' : 'unmerged'} ${nf.firewall.name}: ${JSON.stringify(p, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}\n${text}`,
              ).toBe(engineVerdict(nf.firewall, p));
            }
          }
        }
      }),
      { numRuns: 300, seed: 20261129 },
    );
    expect(exported).toBeGreaterThan(150);
  });
});

describe('merging', () => {
  const plan = (rules: string[]) =>
    planNetfilter(
      buildModel('/x.fw', `${DECLS.join('\n')}\nfirewall fw stateless protects lan {\n${rules.map((r) => `  ${r}\n`).join('')}}\n`),
    ).firewalls[0]!;

  it('joins consecutive rules of one action that differ in one field into one set', () => {
    const fw = plan([
      'inbound allow tcp from wan to a port 80',
      'inbound allow tcp from wan to a port 443',
      'inbound allow tcp from wan to a port 8080',
    ]);
    // both families of `wan` meet only `a`'s IPv4 address: one IPv4 rule
    expect(fw.inbound.rules).toHaveLength(1);
    expect(fw.inbound.rules[0]!.dport!.toString()).toBe('80,443,8080');
    expect(fw.inbound.rules[0]!.origins).toEqual(['line 9', 'line 10', 'line 11']);
  });

  it('keeps rules apart that differ in two fields, or in action', () => {
    expect(plan(['inbound allow tcp from wan to a port 80', 'inbound allow tcp from b to a port 443']).inbound.rules).toHaveLength(2);
    expect(plan(['inbound allow tcp to a port 80', 'inbound deny tcp to a port 443']).inbound.rules).toHaveLength(2);
  });

  it('joins protocols only where no port is named', () => {
    expect(plan(['inbound allow tcp to a port 53', 'inbound allow udp to a port 53']).inbound.rules).toHaveLength(1);
    expect(plan(['inbound allow tcp to a', 'inbound allow icmp to a']).inbound.rules).toHaveLength(1);
    expect(plan(['inbound allow tcp to a port 53', 'inbound allow icmp to a']).inbound.rules).toHaveLength(2);
  });

  it('an `all` rule is one rule again, not its ported and port-less halves', () => {
    const fw = plan(['outbound allow all to 192.0.2.0/24']);
    expect(fw.outbound.rules).toHaveLength(1);
    expect(fw.outbound.rules[0]!.protos).toBe(TCP | UDP | ICMP | OTHER);
  });

  it('mergeRules is a union: a rule absorbs a copy of itself', () => {
    const fw = plan(['inbound allow tcp to a port 80']);
    const r = fw.inbound.rules[0]!;
    expect(mergeRules([r, { ...r, origins: ['line 99'] }])).toEqual([{ ...r, origins: [...r.origins, 'line 99'] }]);
    expect(AddrSet.V4.contains(addr('10.1.0.5'))).toBe(true);
  });

  it('mergeRules gathers the origins of a run of merges once each, in order', () => {
    const fw = plan(['inbound allow tcp to a port 80']);
    const r = fw.inbound.rules[0]!;
    const copies = ['sg1 line 7', 'sg2 line 8', 'sg1 line 7', 'sg3 line 9'].map((o) => ({ ...r, origins: [o] }));
    const merged = mergeRules([r, ...copies, { ...r, action: 'deny' as const, origins: ['line 10'] }, { ...r, origins: ['line 11'] }]);
    expect(merged.map((m) => [m.action, m.origins])).toEqual([
      ['allow', [...r.origins, 'sg1 line 7', 'sg2 line 8', 'sg3 line 9']],
      ['deny', ['line 10']],
      ['allow', ['line 11']],
    ]);
    // The rules given are not changed.
    expect(r.origins).toHaveLength(1);
  });
});

describe('more security groups on one address than EXACT_PEERS_MAX', () => {
  // Past EXACT_PEERS_MAX groups of one set, each group's chain ends with the rules of the whole set
  // (its own among them), made once: the same verdicts as each group with its peers' rules.
  const PEERS = EXACT_PEERS_MAX + 2;
  // Allow rules that name only the remote side (§10: the member side omitted or `any`).
  const allowArb = fc
    .record({
      dir: fc.constantFrom('inbound', 'outbound'),
      proto: fc.constantFrom('tcp', 'tcp', 'udp', 'icmp', 'all'),
      remote: fc.constantFrom(...ENDPOINTS),
      port: fc.option(fc.constantFrom(...PORTS), { freq: 3 }),
    })
    .map(({ dir, proto, remote, port }) => {
      const p = (proto === 'tcp' || proto === 'udp') && port ? ` port ${port}` : '';
      return dir === 'inbound'
        ? `inbound allow ${proto} from ${remote}${p ? ` to any${p}` : ''}`
        : `outbound allow ${proto} to ${remote}${p}`;
    });
  const manyArb = fc
    .record({ own: fc.array(allowArb, { maxLength: 4 }), peers: fc.array(allowArb, { minLength: PEERS, maxLength: PEERS }) })
    .map(({ own, peers }) => {
      const lines = [...DECLS, 'firewall fw aws-sg protects a, b {', ...own.map((r) => `  ${r}`), '}'];
      // Most groups on b (fw's member too), some on a6: two sets of groups.
      peers.forEach((r, i) => lines.push(`firewall peer${i} aws-sg protects ${i % 9 === 0 ? 'a6, b' : 'b'} {`, `  ${r}`, '}'));
      return lines.join('\n') + '\n';
    });

  it('gives every packet the verdict of §5, merged and unmerged', () => {
    let exported = 0;
    fc.assert(
      fc.property(manyArb, fc.array(pktArb, { minLength: 30, maxLength: 30 }), (text, packets) => {
        const m = buildModel('/x.fw', text);
        if (m.diagnostics.some((d) => d.severity === 'error')) return;
        exported++;
        expect(m.firewalls[1]!.securityGroups!.members.length).toBeGreaterThan(EXACT_PEERS_MAX);
        for (const merge of [true, false]) {
          for (const nf of planNetfilter(m, { merge }).firewalls) {
            for (const p of packets) {
              if (p.src === p.dst) continue;
              expect(planVerdict(nf, p), `${merge ? 'merged' : 'unmerged'} ${nf.firewall.name}\n${text}`).toBe(
                engineVerdict(nf.firewall, p),
              );
            }
          }
        }
      }),
      { numRuns: 40, seed: 20261130 },
    );
    expect(exported).toBeGreaterThan(30);
  });

  it("makes the set's rules once, not once per group: work grows with the groups, not their square", () => {
    const text = (n: number) =>
      `host web 10.0.1.10\n` +
      Array.from(
        { length: n },
        (_, i) => `firewall sg${i} aws-sg protects web {\n  inbound allow tcp from 10.${i % 200}.0.0/16 to web port 443\n}\n`,
      ).join('');
    const run = (n: number) => {
      const m = buildModel('/x.fw', text(n));
      const { n: ops, value: plan } = countSetOps(() => planNetfilter(m));
      // Each chain: its own rule, then the set's rules merged into one (the sources joined).
      const sg0 = plan.firewalls[0]!.inbound.rules;
      expect(sg0).toHaveLength(2);
      expect(sg0[1]!.origins[0]).toBe('sg0 line 3');
      expect(sg0[1]!.origins).toHaveLength(n);
      return ops;
    };
    const small = run(200);
    const large = run(400);
    expect(large).toBeLessThanOrEqual(2.2 * small);
  });
});
