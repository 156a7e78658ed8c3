// `fwlang export --to nftables` (cli.md): a plan (netfilterPlan.ts) as an `nft -f` script that
// replaces the table `inet fwlang` and touches nothing else. Each firewall gets its own base
// chain, so an accept there is that firewall's verdict only: a packet must pass every firewall's
// chain, as it must pass every firewall on its path (§6).

import { prefixesOf } from '../core/address';
import type { AddrSet, PortSet } from '../core/intervals';
import { ALL_PROTOS, ICMP, OTHER, TCP, UDP } from '../engine/packet';
import {
  type Crossing,
  type Family,
  type NetfilterPlan,
  type NfDirection,
  type NfFirewall,
  type NfNat,
  type NfRule,
  familyAll,
} from './netfilterPlan';

const TABLE = 'inet fwlang';

/** `{ a, b }` or the one element alone. */
function set(items: string[]): string {
  return items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`;
}

export function nftAddresses(a: AddrSet): string {
  return set(prefixesOf(a));
}

function nftPorts(p: PortSet): string {
  return set([...p.ranges()].map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)));
}

const ipOf = (f: Family) => (f === 4 ? 'ip' : 'ip6');
const icmpOf = (f: Family) => (f === 4 ? 'icmp' : 'ipv6-icmp');

function protoNames(mask: number, family: Family | 0): string[] {
  const names: string[] = [];
  if (mask & TCP) names.push('tcp');
  if (mask & UDP) names.push('udp');
  if (mask & ICMP) names.push(family === 0 ? 'icmp' : icmpOf(family));
  return names;
}

/** A comment nft keeps (at most 128 bytes, no double quote). */
function comment(text: string): string {
  let t = text.replace(/["\\\n\r]/g, "'");
  if (Buffer.byteLength(t) > 128) {
    // Every character is a byte or more, so no cut longer than 125 characters and `…` fits: the
    // cuts start there (one character at a time from the end of a 300,000-character rule was quadratic).
    t = t.slice(0, Math.min(t.length - 2, 125)) + '…';
    while (Buffer.byteLength(t) > 128) t = t.slice(0, -2) + '…';
  }
  return `comment "${t}"`;
}

/** The match and verdict of one rule. */
export function nftRule(r: NfRule, allow: 'accept' | 'return', oneFamily: boolean): string {
  const m: string[] = [];
  if (r.family !== 0) {
    const ip = ipOf(r.family);
    if (r.src) m.push(`${ip} saddr ${nftAddresses(r.src)}`);
    if (r.dst) m.push(`${ip} daddr ${nftAddresses(r.dst)}`);
    // only packets of the firewall's one family reach its chains
    if (!r.src && !r.dst && !oneFamily) m.push(`meta nfproto ${r.family === 4 ? 'ipv4' : 'ipv6'}`);
  }
  const ported = r.sport || r.dport;
  if (r.protos === TCP || r.protos === UDP) {
    const p = r.protos === TCP ? 'tcp' : 'udp';
    if (!ported) m.push(`meta l4proto ${p}`);
    if (r.sport) m.push(`${p} sport ${nftPorts(r.sport)}`);
    if (r.dport) m.push(`${p} dport ${nftPorts(r.dport)}`);
  } else if (r.protos !== ALL_PROTOS) {
    if (r.protos & OTHER) {
      // Every protocol but some: `all` less what no rule-box of it holds.
      const missing = protoNames(ALL_PROTOS & ~r.protos & ~OTHER, r.family);
      m.push(`meta l4proto != ${set(missing)}`);
    } else m.push(`meta l4proto ${set(protoNames(r.protos, r.family))}`);
    if (r.sport) m.push(`th sport ${nftPorts(r.sport)}`);
    if (r.dport) m.push(`th dport ${nftPorts(r.dport)}`);
  }
  m.push(r.action === 'allow' ? allow : 'drop');
  m.push(comment(r.origins.length === 1 ? r.origins[0]! : `${r.origins.join(', ')}`));
  return m.join(' ');
}

function setName(fw: NfFirewall, family: Family, k: number): string {
  return `${fw.id}_inside${family}${fw.crossings.length > 1 ? `_${k + 1}` : ''}`;
}

/** The lines that send each crossing packet to its direction's chain (§5.1): out of the sender's side first. */
function dispatch(fw: NfFirewall): string[] {
  const out: string[] = [];
  const lines = (c: Crossing, k: number, dir: 'outbound' | 'inbound') => {
    for (const f of fw.families) {
      if (c.inside.intersect(familyAll(f)).isEmpty()) continue;
      const ip = ipOf(f);
      const s = `@${setName(fw, f, k)}`;
      const chain = `${fw.id}_${dir}`;
      if (c.kind === 'members') out.push(dir === 'inbound' ? `${ip} daddr ${s} jump ${chain}` : `${ip} saddr ${s} jump ${chain}`);
      else if (dir === 'inbound') out.push(`${ip} saddr != ${s} ${ip} daddr ${s} jump ${chain}`);
      else out.push(`${ip} saddr ${s} ${ip} daddr != ${s} jump ${chain}`);
    }
  };
  fw.crossings.forEach((c, k) => lines(c, k, 'outbound'));
  fw.crossings.forEach((c, k) => lines(c, k, 'inbound'));
  return out;
}

function directionChain(fw: NfFirewall, d: NfDirection): string[] {
  const allow = fw.twice ? 'return' : 'accept';
  const out = [`  chain ${fw.id}_${d.direction} {`];
  for (const r of d.rules) out.push(`    ${nftRule(r, allow, fw.families.length === 1)}`);
  if (d.defaultAction === 'deny') out.push(`    drop ${comment('default deny')}`);
  else out.push(`    ${allow} ${comment('default allow')}`);
  out.push('  }');
  return out;
}

/** The chains of the rules: inbound first, as people read a firewall. */
function ruleChains(fw: NfFirewall): string[] {
  return [...directionChain(fw, fw.inbound), ...directionChain(fw, fw.outbound)];
}

function describe(fw: NfFirewall): string {
  const f = fw.firewall;
  const kind = f.platform ?? f.mode;
  return `firewall ${f.name}: ${kind}, protects ${f.insideLabel}, default ${f.defaultAction}`;
}

function firewallText(fw: NfFirewall, onHost: boolean): string[] {
  const out = [`  # ${describe(fw)}`];
  fw.crossings.forEach((c, k) => {
    for (const f of fw.families) {
      const inside = c.inside.intersect(familyAll(f));
      if (inside.isEmpty()) continue;
      out.push(`  set ${setName(fw, f, k)} {`);
      out.push(`    type ${f === 4 ? 'ipv4_addr' : 'ipv6_addr'}; flags interval;`);
      out.push(`    elements = { ${prefixesOf(inside).join(', ')} }`);
      out.push('  }');
    }
  });
  const hooks = onHost ? ['input', 'output'] : ['forward'];
  for (const hook of hooks) {
    out.push(`  chain ${fw.id}${onHost ? `_${hook}` : ''} {`);
    out.push(`    type filter hook ${hook} priority filter; policy accept;`);
    if (fw.stateful) out.push('    ct state established,related accept');
    for (const l of dispatch(fw)) out.push(`    ${l}`);
    out.push('  }');
  }
  out.push(...ruleChains(fw));
  return out;
}

function natText(n: NfNat): string[] {
  const ip = ipOf(n.family);
  const [lo, hi] = n.ports;
  return [
    `  # nat ${n.nat.name} ${n.address} ports ${lo}-${hi}: connections forwarded through this router leave from its address`,
    `  chain ${n.id} {`,
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    meta l4proto { tcp, udp } ${ip} saddr != ${n.address} masquerade to :${lo}-${hi}`,
    `    ${ip} saddr != ${n.address} masquerade`,
    '  }',
  ];
}

/** The `nft -f` script of a plan. */
export function toNftables(plan: NetfilterPlan): string {
  const where = plan.onHost ? 'the input and output hooks of the host' : 'the forward hook of the router';
  const out = [
    '#!/usr/sbin/nft -f',
    `# ${plan.source}, exported by fwlang: ${plan.firewalls.length} firewall(s) in ${where}` +
      (plan.nats.length ? `, ${plan.nats.length} nat gateway(s)` : '') +
      '.',
    `# Loading it replaces the table ${TABLE} and touches nothing else.`,
    `table ${TABLE} {}`,
    `delete table ${TABLE}`,
    `table ${TABLE} {`,
  ];
  plan.firewalls.forEach((fw, i) => {
    if (i > 0) out.push('');
    out.push(...firewallText(fw, plan.onHost));
  });
  plan.nats.forEach((n, i) => out.push(...(i > 0 || plan.firewalls.length > 0 ? [''] : []), ...natText(n)));
  out.push('}');
  return out.join('\n') + '\n';
}

/** The first lines of one firewall's rules as `fwlang export --to nftables` writes them, for a hover. */
export function nftablesPreview(plan: NetfilterPlan, lines: number): string {
  const fw = plan.firewalls[0];
  if (!fw) return '';
  const all = ruleChains(fw).map((l) => l.slice(2));
  return all.length > lines ? [...all.slice(0, lines), '…'].join('\n') : all.join('\n');
}
