// Words for the response analyses: rules, ports, addresses and directions named the way the
// person wrote them, from the firewall's side ("outbound from 10.0.1.0/24").

import type { Direction } from '../syntax/ast';
import type { Firewall, Model, NatSymbol, ResolvedEndpoint, ResolvedRule } from '../model/types';
import { type Box, PORTED } from '../engine/packet';
import type { LineIndex } from '../core/text';
import type { RelatedInfo } from '../core/diagnostic';
import { AddrSet, PortSet } from '../core/intervals';
import { formatAddrSet } from '../core/address';
import { BUILTIN_PROFILES } from '../model/builtins';
import { diagnosticFile } from '../model/ownership';

/** `inbound rule 100`, or `the rule on line 12` when the firewall has no numbers. */
export function ruleName(rule: ResolvedRule, lines: LineIndex): string {
  if (rule.number !== undefined) return `${rule.direction} rule ${rule.number}`;
  return `the ${rule.direction} rule on line ${lines.position(rule.node.span.start).line + 1}`;
}

/**
 * `inbound rule 100 and the outbound rule on line 12`; past four rules, the first three and how
 * many more (only the rules shown are named: a request may be served by thousands).
 */
export function ruleList(rules: ResolvedRule[], lines: LineIndex): string {
  if (rules.length > 4)
    return `${rules
      .slice(0, 3)
      .map((r) => ruleName(r, lines))
      .join(', ')} and ${rules.length - 3} more`;
  return listText(rules.map((r) => ruleName(r, lines)));
}

/** `a`, `a and b`, `a, b and c`. */
export function listText(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `port 443`, `ports 1024-65535`, `any port`. */
export function portsPhrase(ports: PortSet): string {
  if (ports.isAll()) return 'any port';
  return ports.size() === 1 ? `port ${ports}` : `ports ${ports}`;
}

/** `outbound from 10.0.1.0/24` / `inbound to 10.0.1.0/24`: a direction from the firewall's side. */
export function perspective(fw: Firewall, direction: Direction): string {
  const inside = listText(fw.insideLabel.split(', '));
  return direction === 'inbound' ? `inbound to ${inside}` : `outbound from ${inside}`;
}

/** `tcp`, `udp`, `icmp`, `packets of every protocol`. */
function protoWord(rule: ResolvedRule): string {
  return rule.proto === 'all' ? 'packets of every protocol' : rule.proto;
}

export function isPorted(rule: ResolvedRule): boolean {
  return rule.proto === 'tcp' || rule.proto === 'udp';
}

/**
 * Names `set`, a part of endpoint `ep`: the endpoint's name when it is all of what is at
 * stake (`whole`), else the addresses themselves (or a count when they are many).
 */
export function addressPhrase(set: AddrSet, ep: ResolvedEndpoint, whole: AddrSet): string {
  if (whole.isSubsetOf(set)) return ep.label;
  const v4 = whole.intersect(AddrSet.V4);
  const v6 = whole.intersect(AddrSet.V6);
  if (!v4.isEmpty() && !v6.isEmpty()) {
    if (set.equals(v4)) return `the IPv4 addresses of ${ep.label}`;
    if (set.equals(v6)) return `the IPv6 addresses of ${ep.label}`;
  }
  const text = formatAddrSet(set);
  const parts = text.split(',');
  if (parts.length <= 4) return parts.join(', ');
  return `${parts.slice(0, 3).join(', ')} and ${parts.length - 3} more ranges of ${ep.label}`;
}

/**
 * The responses of a request rule in words:
 * `outbound from 10.0.1.0/24, tcp from catogram port 443 to internet ports 1024-65535`.
 */
export function responsesPhrase(fw: Firewall, rule: ResolvedRule, clientPorts: PortSet, direction: Direction): string {
  const ported = isPorted(rule);
  const server = `${rule.to.label}${ported && !rule.dport.isAll() ? ` ${portsPhrase(rule.dport)}` : ''}`;
  const client = `${rule.from.label}${ported ? ` ${portsPhrase(clientPorts)}` : ''}`;
  return `${perspective(fw, direction)}, ${protoWord(rule)} from ${server} to ${client}`;
}

/** The request class of a response rule in words (the requests it would answer). */
export function requestsPhrase(fw: Firewall, rule: ResolvedRule, direction: Direction): string {
  const ported = isPorted(rule);
  const client = `${rule.to.label}${ported && !rule.dport.isAll() ? ` (${portsPhrase(rule.dport)})` : ''}`;
  const server = `${rule.from.label}${ported && !rule.sport.isAll() ? ` ${portsPhrase(rule.sport)}` : ''}`;
  return `${perspective(fw, direction)}, ${protoWord(rule)} from ${client} to ${server}`;
}

/** `the default deny drops them`, `outbound rule 90 drops them`, or both. */
export function whoDrops(deniedBy: ResolvedRule[], byDefault: boolean, lines: LineIndex): string {
  const names = deniedBy.map((r) => ruleName(r, lines));
  const rules = names.length === 0 ? '' : `${listText(names)} ${names.length === 1 ? 'drops' : 'drop'}`;
  if (rules && byDefault) return `${rules} part of them and the default deny drops the rest`;
  if (rules) return `${rules} them`;
  return 'the default deny drops them';
}

export function relatedRule(model: Model, rule: ResolvedRule, message: string): RelatedInfo {
  return { file: diagnosticFile(model, rule.file), span: rule.node.span, message };
}

const PROFILE_WORDS: Record<string, string> = { linux: 'Linux', windows: 'Windows', macos: 'macOS' };

/**
 * "Linux clients use 32768-60999; responses to ports 32768-49151 are dropped" for each
 * common client OS whose range lies within the client ports and loses some of them.
 */
export function profileHurts(model: Model, clientPorts: PortSet, droppedPorts: PortSet): string[] {
  const groups = new Map<string, { names: string[]; ports: PortSet }>();
  for (const name of Object.keys(PROFILE_WORDS)) {
    const sym = model.symbols.get(name);
    let ports: PortSet;
    if (sym?.kind === 'profile') ports = sym.ports;
    else {
      const r = BUILTIN_PROFILES[name];
      if (!r) continue;
      ports = PortSet.range(r[0], r[1]);
    }
    const key = ports.toString();
    const g = groups.get(key);
    if (g) g.names.push(PROFILE_WORDS[name]!);
    else groups.set(key, { names: [PROFILE_WORDS[name]!], ports });
  }
  const out: string[] = [];
  for (const g of groups.values()) {
    if (g.ports.isEmpty() || !g.ports.isSubsetOf(clientPorts)) continue;
    const hurt = g.ports.intersect(droppedPorts);
    if (hurt.isEmpty()) continue;
    out.push(`${listText(g.names)} clients use ${g.ports}; responses to ${portsPhrase(hurt)} are dropped`);
  }
  return out;
}

/**
 * Spec §6.1: the responses to a NAT gateway go to the gateway's ports, whatever the clients
 * behind it use. `. These include the responses coming back to the NAT gateway natgw, ports
 * 1024-65535, whatever the private clients' OS` for each gateway some of `boxes` go to.
 */
export function gatewayNote(gateways: readonly NatSymbol[], boxes: readonly Box[]): string {
  return gateways
    .filter((g) => boxes.some((b) => (b.protos & PORTED) !== 0 && b.dst.intersects(g.address)))
    .map(
      (g) => `. These include the responses coming back to the NAT gateway ${g.name}, ports ${g.ports}, whatever the private clients' OS`,
    )
    .join('');
}
