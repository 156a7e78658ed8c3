// Spec §7: which allow rules are requests, which are responses, which are both, and the
// inverse of a rule (the packet class of its responses). Hovers and the response analyses
// share these definitions.

import type { Direction } from '../syntax/ast';
import type { Firewall, NatSymbol, ResolvedRule } from '../model/types';
import type { PortSpec } from '../syntax/ast';
import { BUILTIN_PROFILES } from '../model/builtins';
import { PortSet } from '../core/intervals';
import { crossing, ruleBoxes } from '../engine/firewall';
import { type Box, PORTED } from '../engine/packet';

export type RuleKind = 'request' | 'response' | 'both';

const LOW_PORTS = PortSet.range(0, 1023);
const BUILTIN_RANGES: PortSet[] = Object.values(BUILTIN_PROFILES).map(([lo, hi]) => PortSet.range(lo, hi));

/** The ephemeral ranges in use for a firewall (§7): the built-in profiles and what its file declares or writes. */
export function rangesOf(fw: Pick<Firewall, 'ephemeralRanges'> | undefined): readonly PortSet[] {
  return fw?.ephemeralRanges ?? BUILTIN_RANGES;
}

/**
 * §7: a destination port set is response-like when it holds at least half of some ephemeral
 * range in use (it could be somebody's ephemeral range). `port 10000-20000` (RTP) is not.
 */
function isResponseLike(ports: PortSet, ranges: readonly PortSet[] = BUILTIN_RANGES): boolean {
  for (const r of ranges) {
    const size = r.size();
    if (size > 0 && ports.intersect(r).size() * 2 >= size) return true;
  }
  return false;
}

/** True when a port spec names only services (`port rtp`, `port [http, https]`): "requests go here". */
function namesServicesOnly(spec: PortSpec | undefined): boolean {
  if (!spec) return false;
  if (spec.kind === 'service') return true;
  if (spec.kind === 'list') return spec.items.length > 0 && spec.items.every((i) => namesServicesOnly(i));
  return false;
}

/** Whether the rule's destination ports are response-like (§7), a service name never being so. */
export function hasResponseLikeDestination(rule: ResolvedRule, ranges: readonly PortSet[] = BUILTIN_RANGES): boolean {
  if (rule.proto !== 'tcp' && rule.proto !== 'udp') return false;
  if (rule.dportGiven && namesServicesOnly(rule.node.to?.ports)) return false;
  return isResponseLike(rule.dport, ranges);
}

/** §7 for one rule; undefined for deny rules and rules with errors. */
export function classifyRule(rule: ResolvedRule, ranges: readonly PortSet[] = BUILTIN_RANGES): RuleKind | undefined {
  if (rule.action !== 'allow' || !rule.valid) return undefined;
  if (rule.proto !== 'tcp' && rule.proto !== 'udp') return 'both';
  const responseLike = hasResponseLikeDestination(rule, ranges);
  if (responseLike && !rule.sport.isAll()) return 'response';
  if (!responseLike && !rule.dport.isAll()) return 'request';
  return 'both';
}

/**
 * §7: a both rule is general when it is `all` or `icmp`, or its destination ports hold a port
 * below 1024: its request half is meant, so its inverse must be served like a request's.
 */
export function isGeneralBoth(rule: ResolvedRule): boolean {
  if (rule.proto !== 'tcp' && rule.proto !== 'udp') return true;
  return rule.dport.intersects(LOW_PORTS);
}

export function oppositeDirection(d: Direction): Direction {
  return d === 'inbound' ? 'outbound' : 'inbound';
}

/**
 * The NAT gateways on the client side of a request (or both) rule (spec §6.1): those whose
 * address its `from` holds, when it names no source ports. The responses to a gateway's
 * address go to the gateway's `ports`, whatever the clients behind it use.
 */
export function gatewaysOf(fw: Pick<Firewall, 'nats'> | undefined, rule: ResolvedRule): NatSymbol[] {
  if (rule.sportGiven) return [];
  return (fw?.nats ?? []).filter((n) => n.address.intersects(rule.from.addresses));
}

/**
 * The client side's ports of a request (or both) rule: its source ports if it names them,
 * else the ephemeral range of its `from` endpoint (§3), with the ports of the NAT gateways
 * among its addresses (§6.1) when `fw` is given.
 */
export function clientPortsOf(rule: ResolvedRule, fw?: Pick<Firewall, 'nats'>): PortSet {
  if (rule.sportGiven) return rule.sport;
  const gateways = gatewaysOf(fw, rule);
  let rest = rule.from.addresses;
  let ports = PortSet.EMPTY;
  for (const g of gateways) {
    ports = ports.union(g.ports);
    rest = rest.subtract(g.address);
  }
  return rest.isEmpty() ? ports : ports.union(rule.from.ephemeral);
}

/**
 * The responses to a class of request packets: addresses and ports swapped, the client
 * side limited to `clientPorts`, except the responses to a NAT gateway's address, which go
 * to the gateway's ports (§6.1). Port-less protocols (icmp, others) keep every port.
 */
export function responsesOf(requests: Box[], clientPorts: PortSet, gateways: readonly NatSymbol[] = []): Box[] {
  const out: Box[] = [];
  for (const b of requests) {
    const ported = b.protos & PORTED;
    const portless = b.protos & ~PORTED;
    if (ported) {
      let rest = b.src;
      for (const g of gateways) {
        const at = rest.intersect(g.address);
        if (at.isEmpty()) continue;
        rest = rest.subtract(g.address);
        const dport = b.sport.intersect(g.ports);
        if (!dport.isEmpty()) out.push({ protos: ported, src: b.dst, sport: b.dport, dst: at, dport });
      }
      const dport = b.sport.intersect(clientPorts);
      if (!rest.isEmpty() && !dport.isEmpty()) out.push({ protos: ported, src: b.dst, sport: b.dport, dst: rest, dport });
    }
    if (portless) out.push({ protos: portless, src: b.dst, sport: PortSet.ALL, dst: b.src, dport: PortSet.ALL });
  }
  return out;
}

interface Inverse {
  direction: Direction;
  clientPorts: PortSet;
  /** The packets of the inverse that cross the firewall (every packet of the rule's match that crosses, inverted). */
  boxes: Box[];
}

/**
 * The inverse of a rule as written (§7), restricted to what crosses `fw`: opposite direction,
 * from/to and ports swapped, client ports per clientPortsOf. Earlier rules are not taken
 * into account here; see responseIndex for what the firewall really allows.
 */
export function inverseOf(fw: Firewall, rule: ResolvedRule): Inverse {
  const requests: Box[] = [];
  for (const b of ruleBoxes(rule)) {
    const c = crossing(fw, rule.direction, b);
    if (c) requests.push(c);
  }
  const clientPorts = clientPortsOf(rule, fw);
  return {
    direction: oppositeDirection(rule.direction),
    clientPorts,
    boxes: responsesOf(requests, rule.sportGiven ? rule.sport : rule.from.ephemeral, gatewaysOf(fw, rule)),
  };
}

// ---- the inverse rule as text ----------------------------------------------------------

function slice(text: string, span: { start: number; end: number } | undefined): string | undefined {
  return span ? text.slice(span.start, span.end) : undefined;
}

/**
 * The inverse rule written in the language with the names as written in `rule`, e.g.
 * `outbound allow tcp from catogram port https to internet port ephemeral`. The client side
 * gets `port ephemeral` (the `from` endpoint's range) unless the rule names its source ports.
 * `text` is the text of the rule's file.
 */
export function inverseRuleText(
  rule: ResolvedRule,
  text: string,
  number?: number,
  protoOverride?: 'tcp' | 'udp' | 'icmp',
  client?: { endpoint?: string; ports: string },
  noSourcePort = false,
): string {
  const n = rule.node;
  const proto = protoOverride ?? rule.proto;
  const ported = proto === 'tcp' || proto === 'udp';
  const serverText = slice(text, n.to?.endpoint?.span) ?? 'any';
  const clientText = client?.endpoint ?? slice(text, n.from?.endpoint?.span) ?? 'any';
  // `port 0-65535` is no port (§4): the server side then has every port, and says none.
  // An AWS network ACL cannot match a source port (spec §10): there the response rule names none.
  const serverPorts = ported && rule.dportGiven && !noSourcePort ? slice(text, n.to?.ports?.span) : undefined;
  const clientPorts = ported ? (client?.ports ?? (rule.sportGiven ? slice(text, n.from?.ports?.span) : 'ephemeral')) : undefined;
  const parts: string[] = [];
  if (number !== undefined) parts.push(String(number));
  parts.push(oppositeDirection(rule.direction), 'allow', proto, 'from', serverText);
  if (serverPorts) parts.push('port', serverPorts);
  parts.push('to', clientText);
  if (clientPorts) parts.push('port', clientPorts);
  return parts.join(' ');
}

/** A port set written in the language: `443`, `1024-65535`, `[22, 1024-65535]`. */
export function portSetText(ports: PortSet): string {
  const parts: string[] = [];
  for (const [lo, hi] of ports.ranges()) parts.push(lo === hi ? `${lo}` : `${lo}-${hi}`);
  return parts.length === 1 ? parts[0]! : `[${parts.join(', ')}]`;
}
