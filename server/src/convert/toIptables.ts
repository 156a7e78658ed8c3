// `fwlang export --to iptables` (cli.md): a plan (netfilterPlan.ts) as `iptables-restore` input
// for IPv4 and, when a firewall protects IPv6 addresses, `ip6tables-restore` input. Loading it
// replaces the filter table (and the nat table when a nat gateway is exported).
//
// iptables has one chain per hook for the whole table, so an ACCEPT would end every firewall's
// evaluation at once. Each firewall is a user chain instead, jumped to from the hook's chain:
// an allow RETURNs (the packet goes on to the next firewall), a deny DROPs, and the hook's
// policy ACCEPTs what every firewall let through — a packet must pass each of them (§6).

import { prefixesOf } from '../core/address';
import type { AddrSet, PortSet } from '../core/intervals';
import { ALL_PROTOS, ICMP, TCP, UDP } from '../engine/packet';
import { type Family, type NetfilterPlan, type NfDirection, type NfFirewall, type NfNat, type NfRule, familyAll } from './netfilterPlan';

/** iptables' longest chain name. */
const MAX_CHAIN = 28;
/** multiport's most ports (a range counts two). */
const MAX_MULTIPORT = 15;

function comment(text: string): string {
  let t = text.replace(/["\\\n\r]/g, "'");
  if (t.length > 250) t = t.slice(0, 249) + '…';
  return `-m comment --comment "${t}"`;
}

/** Port sets as `--sport`/`--dport` or multiport matches of at most 15 ports each. */
function portMatches(which: 's' | 'd', p: PortSet | undefined): string[] {
  if (!p) return [''];
  const ranges = [...p.ranges()];
  if (ranges.length === 1) {
    const [lo, hi] = ranges[0]!;
    return [`--${which}port ${lo === hi ? lo : `${lo}:${hi}`}`];
  }
  const chunks: string[] = [];
  let cur: string[] = [];
  let used = 0;
  for (const [lo, hi] of ranges) {
    const cost = lo === hi ? 1 : 2;
    if (used + cost > MAX_MULTIPORT) {
      chunks.push(cur.join(','));
      cur = [];
      used = 0;
    }
    cur.push(lo === hi ? `${lo}` : `${lo}:${hi}`);
    used += cost;
  }
  chunks.push(cur.join(','));
  return chunks.map((c) => `-m multiport --${which}ports ${c}`);
}

function addresses(a: AddrSet): string {
  return prefixesOf(a).join(',');
}

/** One plan rule as iptables rules of one family in `chain`. */
function ruleLines(chain: string, r: NfRule, family: Family): string[] {
  if (r.family !== 0 && r.family !== family) return [];
  const protos: (string | undefined)[] = [];
  if (r.protos === ALL_PROTOS) protos.push(undefined);
  else {
    if (r.protos & TCP) protos.push('tcp');
    if (r.protos & UDP) protos.push('udp');
    if (r.protos & ICMP) protos.push(family === 4 ? 'icmp' : 'ipv6-icmp');
    if (r.protos & ~(TCP | UDP | ICMP)) throw new Error('a rule of every protocol but some cannot be written for iptables');
  }
  const base: string[] = [];
  if (r.src) base.push(`-s ${addresses(r.src)}`);
  if (r.dst) base.push(`-d ${addresses(r.dst)}`);
  const verdict = r.action === 'allow' ? '-j RETURN' : '-j DROP';
  const note = comment(r.origins.join(', '));
  const out: string[] = [];
  for (const p of protos) {
    const head = [`-A ${chain}`, ...base, ...(p ? [`-p ${p}`] : [])];
    const ported = p === 'tcp' || p === 'udp';
    for (const sm of ported ? portMatches('s', r.sport) : ['']) {
      for (const dm of ported ? portMatches('d', r.dport) : ['']) {
        // the plain --sport/--dport first, after `-m tcp`: after a multiport match they could be read as its options
        const plain = [sm, dm].filter((m) => m.startsWith('--'));
        const multi = [sm, dm].filter((m) => m.startsWith('-m'));
        const parts = [...head, ...(plain.length ? [`-m ${p}`, ...plain] : []), ...multi, note, verdict];
        out.push(parts.join(' '));
      }
    }
  }
  return out;
}

interface Names {
  main: string;
  inbound: string;
  outbound: string;
  to: (k: number) => string;
  from: (k: number) => string;
}

function chainNames(plan: NetfilterPlan): Map<NfFirewall, Names> {
  const taken = new Set(['INPUT', 'OUTPUT', 'FORWARD', 'PREROUTING', 'POSTROUTING']);
  const out = new Map<NfFirewall, Names>();
  for (const fw of plan.firewalls) {
    // room for `fw-` and the longest suffix, `-from99`
    let short = fw.id.slice(0, MAX_CHAIN - 3 - 7);
    for (let k = 2; taken.has(short); k++) short = `${fw.id.slice(0, MAX_CHAIN - 3 - 7 - String(k).length - 1)}~${k}`;
    taken.add(short);
    const many = fw.crossings.length > 1;
    out.set(fw, {
      main: `fw-${short}`,
      inbound: `fw-${short}-in`,
      outbound: `fw-${short}-out`,
      to: (k) => `fw-${short}-to${many ? k + 1 : ''}`,
      from: (k) => `fw-${short}-from${many ? k + 1 : ''}`,
    });
  }
  return out;
}

function directionLines(chain: string, d: NfDirection, family: Family): string[] {
  const out: string[] = [];
  for (const r of d.rules) out.push(...ruleLines(chain, r, family));
  out.push(d.defaultAction === 'deny' ? `-A ${chain} ${comment('default deny')} -j DROP` : `# ${chain}: default allow (returns)`);
  return out;
}

function firewallLines(fw: NfFirewall, n: Names, family: Family, hooks: string[]): { chains: string[]; rules: string[] } {
  const chains = [n.main, n.inbound, n.outbound];
  const f = fw.firewall;
  const rules: string[] = [`# firewall ${f.name}: ${f.platform ?? f.mode}, protects ${f.insideLabel}, default ${f.defaultAction}`];
  for (const h of hooks) rules.push(`-A ${h} -j ${n.main}`);
  if (fw.stateful) rules.push(`-A ${n.main} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`);
  const subChains: string[] = [];
  const dispatch = (dir: 'outbound' | 'inbound') => {
    fw.crossings.forEach((c, k) => {
      const inside = c.inside.intersect(familyAll(family));
      if (inside.isEmpty()) return;
      const prefixes = prefixesOf(inside);
      const side = dir === 'inbound' ? '-d' : '-s';
      const other = dir === 'inbound' ? '-s' : '-d';
      if (c.kind === 'members') {
        for (const p of prefixes) rules.push(`-A ${n.main} ${side} ${p} -j ${dir === 'inbound' ? n.inbound : n.outbound}`);
        return;
      }
      // in: the destination inside and the source not — packets with both inside come back at once
      const sub = dir === 'inbound' ? n.to(k) : n.from(k);
      chains.push(sub);
      for (const p of prefixes) rules.push(`-A ${n.main} ${side} ${p} -j ${sub}`);
      for (const p of prefixes) subChains.push(`-A ${sub} ${other} ${p} -j RETURN`);
      subChains.push(`-A ${sub} -j ${dir === 'inbound' ? n.inbound : n.outbound}`);
    });
  };
  dispatch('outbound');
  dispatch('inbound');
  rules.push(...subChains);
  rules.push(...directionLines(n.inbound, fw.inbound, family), ...directionLines(n.outbound, fw.outbound, family));
  return { chains, rules };
}

function natLines(nats: NfNat[], family: Family): string[] {
  const mine = nats.filter((n) => n.family === family);
  if (mine.length === 0) return [];
  const out = ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]'];
  for (const n of mine) {
    const [lo, hi] = n.ports;
    out.push(`# nat ${n.nat.name} ${n.address} ports ${lo}-${hi}: connections forwarded through this router leave from its address`);
    for (const p of ['tcp', 'udp']) out.push(`-A POSTROUTING ! -s ${n.address} -p ${p} -j MASQUERADE --to-ports ${lo}-${hi}`);
    out.push(`-A POSTROUTING ! -s ${n.address} -j MASQUERADE`);
  }
  out.push('COMMIT');
  return out;
}

function familyText(plan: NetfilterPlan, family: Family, names: Map<NfFirewall, Names>): string {
  const tool = family === 4 ? 'iptables-restore' : 'ip6tables-restore';
  const hooks = plan.onHost ? ['INPUT', 'OUTPUT'] : ['FORWARD'];
  const firewalls = plan.firewalls.filter((fw) => fw.families.includes(family));
  const out = [
    `# ${plan.source}, exported by fwlang: ${tool} input (IPv${family}), ${firewalls.length} firewall(s) in ${hooks.join(' and ')}.`,
    '# Loading it replaces the filter table' + (plan.nats.some((n) => n.family === family) ? ' and the nat table.' : '.'),
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
  ];
  const bodies: string[] = [];
  for (const fw of firewalls) {
    const { chains, rules } = firewallLines(fw, names.get(fw)!, family, hooks);
    for (const c of chains) out.push(`:${c} - [0:0]`);
    bodies.push(...rules);
  }
  out.push(...bodies, 'COMMIT', ...natLines(plan.nats, family));
  return out.join('\n') + '\n';
}

/** The `iptables-restore` input, and the `ip6tables-restore` input when some firewall or nat gateway is IPv6. */
export function toIptables(plan: NetfilterPlan): { v4: string; v6?: string } {
  const names = chainNames(plan);
  const v6 = plan.firewalls.some((fw) => fw.families.includes(6)) || plan.nats.some((n) => n.family === 6);
  return { v4: familyText(plan, 4, names), ...(v6 ? { v6: familyText(plan, 6, names) } : {}) };
}
