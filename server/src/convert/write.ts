// An Inventory as `.fw` text (spec §10): network ACLs as `aws-nacl` firewalls protecting their
// subnets, security groups as `aws-sg` firewalls protecting their members. What `.fw` cannot say
// is kept as a `# not expressed:` comment where it stood and listed, so nothing is dropped silently.

import { parseAddress } from '../core/address';
import type { Inventory, Member, Remote, Rule } from './inventory';
import { Namer } from './names';

export interface ImportResult {
  text: string;
  /** One line per item of the input that the text does not express, saying why. */
  unexpressed: string[];
}

type Family = 4 | 6;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The family of an address or prefix as `.fw` can write it, or undefined. */
function familyOf(text: string, prefix: boolean): Family | undefined {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  if (prefix !== (len !== undefined)) return undefined;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return undefined;
  if (IPV4.test(addr)) return len === undefined || Number(len) <= 32 ? 4 : undefined;
  // As the language reads it: `1e400f18:abcd:1200::` (a group of eight digits) was written, and the .fw had an error.
  const v6 = /^[0-9A-Fa-f:.]+$/.test(addr) ? parseAddress(addr) : undefined;
  if (v6?.ok && v6.family === 6) return len === undefined || Number(len) <= 128 ? 6 : undefined;
  return undefined;
}

const PROTOCOLS: Record<string, { word: 'all' | 'tcp' | 'udp' | 'icmp'; family?: Family }> = {
  '-1': { word: 'all' },
  all: { word: 'all' },
  '6': { word: 'tcp' },
  tcp: { word: 'tcp' },
  '17': { word: 'udp' },
  udp: { word: 'udp' },
  '1': { word: 'icmp', family: 4 },
  icmp: { word: 'icmp', family: 4 },
  '58': { word: 'icmp', family: 6 },
  icmpv6: { word: 'icmp', family: 6 },
};

const NO_SUBNET = 'no aws_subnet with that id';
const NO_MEMBERS = 'no aws_instance or aws_network_interface in it';
const GIVE_INTERFACES = 'give the JSON of aws ec2 describe-network-interfaces too';

/** Addresses as the prefixes of one address each, for a `network`. */
function asPrefixes(addrs: string[]): string {
  return addrs.map((a) => `${a}/${familyOf(a, false) === 4 ? 32 : 128}`).join(', ');
}

/** One comment line's text: no line breaks. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}

export function writeFw(inv: Inventory): ImportResult {
  const names = new Namer();
  const unexpressed = [...inv.unexpressed];
  // Declarations in three groups: subnets, the members' own endpoints, the groups' member networks.
  const subnetDecls: string[] = [];
  const memberDecls: string[] = [];
  const groupDecls: string[] = [];
  // What stands for an unknown inside: documentation addresses (RFC 5737, RFC 3849), one of each
  // family so that no rule of either family looks dead.
  let placeholders = 0;
  const placeholder = () => {
    placeholders++;
    return `192.0.2.${placeholders % 256}/32, 2001:db8::${placeholders.toString(16)}/128`;
  };

  // Addresses `.fw` cannot write are left out of their subnet or member, and said.
  for (const sn of inv.subnets)
    for (const c of sn.cidrs) if (familyOf(c, true) === undefined) unexpressed.push(`${sn.id}: ${c} is not a CIDR block; left out`);
  for (const m of inv.members)
    for (const a of m.addresses) if (familyOf(a, false) === undefined) unexpressed.push(`${m.id}: ${a} is not an address; left out`);

  // Subnets, named once each.
  const subnetName = new Map<string, string>();
  const declareSubnet = (id: string, why: string): string => {
    const known = subnetName.get(id);
    if (known) return known;
    const s = inv.subnets.find((x) => x.id === id);
    const cidrs = (s?.cidrs ?? []).filter((c) => familyOf(c, true) !== undefined);
    const name = names.name(s?.name, id);
    subnetName.set(id, name);
    if (cidrs.length > 0) subnetDecls.push(`network ${name} ${cidrs.join(', ')}${s?.name ? ` # ${id}` : ''}`);
    else {
      const p = placeholder();
      const reason = !s
        ? `its CIDR is not in the input (${inv.from === 'aws' ? 'give the JSON of aws ec2 describe-subnets too' : NO_SUBNET})`
        : 'the input gives it no CIDR';
      subnetDecls.push(`network ${name} ${p} # placeholder for ${id}: ${reason}`);
      unexpressed.push(`${id} (${why}): ${reason}; ${p} stand for it`);
    }
    return name;
  };

  // Security-group members: one endpoint per interface, and one network per group a rule names.
  const memberName = new Map<string, string>();
  const declareMember = (m: Member): string | undefined => {
    const addrs = m.addresses.filter((a) => familyOf(a, false) !== undefined);
    if (addrs.length === 0) return undefined;
    const known = memberName.get(m.id);
    if (known) return known;
    const name = names.name(m.name, m.id);
    memberName.set(m.id, name);
    const note = m.name ? ` # ${m.id}` : '';
    if (addrs.length === 1) memberDecls.push(`host ${name} ${addrs[0]}${note}`);
    else memberDecls.push(`network ${name} ${asPrefixes(addrs)}${note}`);
    return name;
  };
  const membersOf = (group: string) => inv.members.filter((m) => m.groups.includes(group));
  const groupNetwork = new Map<string, { name: string; families: Set<Family> }>();
  const groupLabel = (id: string) => inv.groups.find((g) => g.id === id)?.name ?? id;
  const declareGroupMembers = (id: string, note?: string) => {
    const known = groupNetwork.get(id);
    if (known) return known;
    const addrs = membersOf(id).flatMap((m) => m.addresses.filter((a) => familyOf(a, false) !== undefined));
    const name = names.name(`${groupLabel(id)}-members`, `${id}-members`);
    let entry: { name: string; families: Set<Family> };
    if (addrs.length > 0) {
      const fams = new Set(addrs.map((a) => familyOf(a, false)!));
      groupDecls.push(`network ${name} ${asPrefixes(addrs)} # the members of ${id}`);
      entry = { name, families: fams };
    } else {
      const p = placeholder();
      const reason = !inv.haveMembers
        ? `its members are not in the input (${inv.from === 'aws' ? GIVE_INTERFACES : NO_MEMBERS})`
        : `none of the ${inv.from === 'aws' ? 'network interfaces' : 'instances and network interfaces'} in the input is a member of it` +
          (note ? ` (${note})` : '');
      groupDecls.push(`network ${name} ${p} # placeholder for the members of ${id}: ${reason}`);
      unexpressed.push(`${id}: ${reason}; ${p} stand for them`);
      entry = { name, families: new Set() }; // unknown: said already
    }
    groupNetwork.set(id, entry);
    return entry;
  };

  /** The text of a rule, or why `.fw` cannot say it. */
  const ruleText = (r: Rule, numbered: boolean): { text: string } | { why: string } => {
    const proto = PROTOCOLS[r.protocol.toLowerCase()];
    if (!proto) return { why: `protocol ${r.protocol} has no word in .fw (only tcp, udp, icmp and all)` };
    let remote: string;
    let families: Set<Family>;
    const rem: Remote = r.remote;
    if ('prefixList' in rem) return { why: `prefix list ${rem.prefixList}: its CIDRs are not in the input` };
    if ('cidr' in rem) {
      const f = familyOf(rem.cidr, true);
      if (!f) return { why: rem.cidr ? `${rem.cidr} is not a CIDR block` : 'no CIDR block' };
      remote = rem.cidr;
      families = new Set([f]);
    } else {
      const g = declareGroupMembers(rem.group, rem.note);
      remote = g.name;
      families = g.families;
    }
    if (proto.word === 'icmp') {
      if (r.icmp && r.icmp.type !== -1)
        return { why: `one ICMP type (${r.icmp.type}, code ${r.icmp.code}): a .fw icmp rule matches every ICMP type and code` };
      if ([...families].some((f) => f !== proto.family))
        return {
          why:
            `${proto.family === 4 ? 'ICMP' : 'ICMPv6'} with IPv${proto.family === 4 ? 6 : 4} addresses: ` +
            'a .fw icmp rule means ICMP for IPv4 and ICMPv6 for IPv6',
        };
    }
    let port = '';
    if ((proto.word === 'tcp' || proto.word === 'udp') && r.ports) {
      const [lo, hi] = r.ports;
      if (lo < 0 || hi > 65535 || lo > hi) return { why: `port range ${lo}-${hi} is not one .fw can write` };
      if (!(lo === 0 && hi === 65535)) port = ` port ${lo === hi ? lo : `${lo}-${hi}`}`;
    }
    const num = numbered && r.number !== undefined ? `${r.number} ` : '';
    const head = `${num}${r.direction} ${r.action} ${proto.word}`;
    const body = r.direction === 'inbound' ? ` from ${remote}${port ? ` to any${port}` : ''}` : ` to ${remote}${port}`;
    return { text: head + body };
  };

  const awsText = (r: Rule) => {
    const rem = 'cidr' in r.remote ? r.remote.cidr : 'group' in r.remote ? r.remote.group : r.remote.prefixList;
    const ports = r.ports ? (r.ports[0] === r.ports[1] ? ` port ${r.ports[0]}` : ` ports ${r.ports[0]}-${r.ports[1]}`) : '';
    const icmp = r.icmp ? ` ICMP type ${r.icmp.type} code ${r.icmp.code}` : '';
    return `${r.direction} ${r.action} protocol ${r.protocol}${ports}${icmp} ${r.direction === 'inbound' ? 'from' : 'to'} ${rem}`;
  };
  const notExpressed = (r: Rule, why: string, body: string[]) => {
    body.push(`  # not expressed: ${oneLine(`${r.number !== undefined ? `${r.number} ` : ''}${awsText(r)}: ${why}`)}`);
    unexpressed.push(oneLine(`${r.origin}: ${awsText(r)}: ${why}`));
  };
  const withDescription = (line: string, r: Rule) => (r.description ? `${line} # ${oneLine(r.description)}` : line);

  // The insides first, so that subnets and members get their own names before the firewalls do.
  const aclInside = new Map<string, string[]>();
  for (const acl of inv.acls) {
    let inside: string[];
    if (acl.subnetIds.length > 0) inside = acl.subnetIds.map((s) => declareSubnet(s, `associated with ${acl.id}`));
    else {
      const p = placeholder();
      const n = names.name(`${acl.name ?? acl.id}-subnets`);
      const why = acl.noSubnets ?? 'it is associated with no subnet, so it filters nothing';
      subnetDecls.push(`network ${n} ${p} # placeholder: ${acl.id}: ${why}`);
      unexpressed.push(`${acl.id}: ${why}; ${p} stand for its subnets`);
      inside = [n];
    }
    aclInside.set(acl.id, inside);
  }
  const groupMembers = new Map(inv.groups.map((g) => [g.id, membersOf(g.id).flatMap((m) => declareMember(m) ?? [])]));

  const firewalls: string[] = [];
  for (const acl of inv.acls) {
    const name = names.name(acl.name, acl.id);
    const body: string[] = [];
    const rules = [...acl.rules].sort((a, b) =>
      a.direction === b.direction ? (a.number ?? 0) - (b.number ?? 0) : a.direction === 'inbound' ? -1 : 1,
    );
    const numbers = new Set<string>();
    for (const r of rules) {
      if (r.number !== undefined && r.number > 32766) {
        const everything =
          r.action === 'deny' &&
          PROTOCOLS[r.protocol]?.word === 'all' &&
          'cidr' in r.remote &&
          ['0.0.0.0/0', '::/0'].includes(r.remote.cidr);
        if (everything) continue; // the `*` entry: the firewall's default deny
        notExpressed(r, 'an entry numbered above 32766 other than the final `*` deny', body);
        continue;
      }
      if (r.number === undefined || r.number < 1) {
        notExpressed(r, 'no rule number from 1 to 32766', body);
        continue;
      }
      // A network ACL holds one entry per number and direction; an input with two is not one
      // AWS would give (the .fw would have a rule-numbering error): the first is kept.
      const numbered = `${r.direction} ${r.number}`;
      if (numbers.has(numbered)) {
        notExpressed(
          r,
          `${r.direction} entry ${r.number} is in the input twice (a network ACL has one per number); the first is kept`,
          body,
        );
        continue;
      }
      numbers.add(numbered);
      const t = ruleText(r, true);
      if ('why' in t) notExpressed(r, t.why, body);
      else body.push(`  ${withDescription(t.text, r)}`);
    }
    const inside = aclInside.get(acl.id)!;
    firewalls.push(
      `# ${oneLine(acl.about.join(' '))}; the final * entries (32767, 32768) are its default deny`,
      `firewall ${name} aws-nacl protects ${inside.join(', ')} default deny {`,
      ...body,
      '}',
      '',
    );
  }
  for (const g of inv.groups) {
    const name = names.name(g.name, g.id);
    const body: string[] = [];
    const rules = [...g.rules].sort((a, b) => (a.direction === b.direction ? 0 : a.direction === 'inbound' ? -1 : 1));
    for (const r of rules) {
      const t = ruleText(r, false);
      if ('why' in t) notExpressed(r, t.why, body);
      else body.push(`  ${withDescription(t.text, r)}`);
    }
    const members = groupMembers.get(g.id)!;
    const inside = members.length > 0 ? members : [declareGroupMembers(g.id).name];
    firewalls.push(
      `# ${oneLine(g.about.join(' '))}`,
      `firewall ${name} aws-sg protects ${inside.join(', ')} default deny {`,
      ...body,
      '}',
      '',
    );
  }

  const header = [
    `# Imported by \`fwlang import --from ${inv.from}\`: ${inv.acls.length} network ACL${inv.acls.length === 1 ? '' : 's'}, ` +
      `${inv.groups.length} security group${inv.groups.length === 1 ? '' : 's'}.`,
  ];
  if (unexpressed.length > 0)
    header.push(
      `# ${unexpressed.length} item${unexpressed.length === 1 ? '' : 's'} could not be expressed: ` +
        'see the "not expressed" and "placeholder" comments.',
    );
  const decls = [...subnetDecls, ...memberDecls, ...groupDecls];
  const text = [...header, '', ...(decls.length ? [...decls, ''] : []), ...firewalls].join('\n').replace(/\n+$/, '\n');
  return { text, unexpressed };
}
