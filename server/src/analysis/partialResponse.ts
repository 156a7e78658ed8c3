// partial-response (spec §8): in a stateless firewall, a request rule — or a both rule that
// serves no request rule — whose responses are allowed back only in part.

import { type Diagnostic, diag } from '../core/diagnostic';
import type { Firewall } from '../model/types';
import { AddrSet, PortSet } from '../core/intervals';
import { type Box, ICMP, PORTED, TCP, UDP, protoName } from '../engine/packet';
import { type ResponseContext, insertInverseFix, widenFix } from './responseFix';
import type { ResponseCheck, ResponseIndex } from './responseIndex';
import { oppositeDirection } from './ruleKinds';
import {
  addressPhrase,
  gatewayNote,
  listText,
  portsPhrase,
  profileHurts,
  relatedRule,
  responsesPhrase,
  ruleName,
  whoDrops,
} from './responseText';
import { whatIsChecked } from './missingResponse';
import { isOwn } from '../model/ownership';

interface Projection {
  protos: number;
  servers: AddrSet;
  serverPorts: PortSet;
  clients: AddrSet;
  clientPorts: PortSet;
}

function project(boxes: Box[]): Projection {
  const p: Projection = {
    protos: 0,
    servers: AddrSet.EMPTY,
    serverPorts: PortSet.EMPTY,
    clients: AddrSet.EMPTY,
    clientPorts: PortSet.EMPTY,
  };
  for (const b of boxes) {
    p.protos |= b.protos;
    p.servers = p.servers.union(b.src);
    p.clients = p.clients.union(b.dst);
    if (b.protos & PORTED) {
      p.serverPorts = p.serverPorts.union(b.sport);
      p.clientPorts = p.clientPorts.union(b.dport);
    }
  }
  return p;
}

/** Merges boxes that agree in all but one dimension, comparing the sets by value. */
function mergeByValue(boxes: Box[]): Box[] {
  type Dim = 'protos' | 'src' | 'sport' | 'dst' | 'dport';
  const dims: Dim[] = ['dport', 'sport', 'dst', 'src', 'protos'];
  // Each set's text once (pieces of one box share their sets), not once per box and dimension.
  const texts = new Map<AddrSet | PortSet, string>();
  const textOf = (b: Box, d: Dim): string => {
    if (d === 'protos') return String(b.protos);
    const set = b[d];
    let t = texts.get(set);
    if (t === undefined) {
      t = d === 'src' || d === 'dst' ? [...set.ranges()].map(([lo, hi]) => `${lo}-${hi}`).join(',') : String(set);
      texts.set(set, t);
    }
    return t;
  };
  let cur = boxes;
  for (let round = 0; round < 3; round++) {
    const before = cur.length;
    for (const dim of dims) {
      const others = dims.filter((d) => d !== dim);
      const groups = new Map<string, Box>();
      for (const b of cur) {
        let key = textOf(b, others[0]!);
        for (let k = 1; k < others.length; k++) key += '|' + textOf(b, others[k]!);
        const g = groups.get(key);
        if (!g) groups.set(key, b);
        else if (dim === 'protos') groups.set(key, { ...g, protos: g.protos | b.protos });
        else groups.set(key, { ...g, [dim]: (g[dim] as AddrSet & PortSet).union(b[dim] as AddrSet & PortSet) } as Box);
      }
      cur = [...groups.values()];
    }
    if (cur.length === before) break;
  }
  return cur;
}

function protoWords(mask: number): string {
  if ((mask & ~(TCP | UDP | ICMP)) === 0) return protoName(mask);
  const named = protoName(mask & (TCP | UDP | ICMP));
  return named ? `${named} and protocols other than tcp, udp and icmp` : 'protocols other than tcp, udp and icmp';
}

/**
 * The responses left out, as they are — address and port pairs, not two projections that
 * overstate the gap: `tcp from catogram port 443 to 10.0.0.128/25 ports 1024-65535`.
 */
function leftOut(c: ResponseCheck, all: Projection, dropped: Box[]): string {
  const r = c.rule;
  const low = (b: Box) => b.dst.min() ?? 0n;
  const pieces = mergeByValue(dropped).sort((a, b) => (low(a) < low(b) ? -1 : low(a) > low(b) ? 1 : 0));
  const shown = pieces.slice(0, 3).map((b) => {
    const ported = (b.protos & PORTED) !== 0 && (b.protos & ~PORTED) === 0;
    // Each piece names what differs from the responses as a whole, pair by pair.
    let t = b.protos !== all.protos ? `those of ${protoWords(b.protos)}` : 'those';
    const serverPortsDiffer = ported && !all.serverPorts.isSubsetOf(b.sport);
    if (!all.servers.isSubsetOf(b.src) || serverPortsDiffer) {
      t += ` from ${addressPhrase(b.src, r.to, all.servers)}`;
      if (serverPortsDiffer) t += ` ${portsPhrase(b.sport)}`;
    }
    t += ` to ${addressPhrase(b.dst, r.from, all.clients)}`;
    if (ported) t += ` ${portsPhrase(b.dport)}`;
    return t;
  });
  const more = pieces.length > 3 ? `, and ${pieces.length - 3} more such part${pieces.length - 3 === 1 ? '' : 's'}` : '';
  return `${listText(shown)}${more}`;
}

export function checkPartialResponses(ctx: ResponseContext, fw: Firewall, ix: ResponseIndex): Diagnostic[] {
  if (fw.mode !== 'stateless') return [];
  const out: Diagnostic[] = [];
  for (const c of ix.checks) {
    const r = c.rule;
    if (!isOwn(ctx.model, r) || c.allowed.length === 0 || c.dropped.length === 0) continue;
    const all = project(c.responses);
    const dropped = project(c.dropped);
    const phrase = responsesPhrase(fw, r, c.clientPorts, oppositeDirection(r.direction));
    const who = whoDrops(c.deniedBy, c.defaultDenies, ctx.lines);
    const allowers = c.servedBy.map((s) => ruleName(s, ctx.lines));
    if (c.defaultAllows) allowers.push('the default allow');
    const rest = allowers.length ? ` (${listText(allowers)} ${allowers.length === 1 ? 'allows' : 'allow'} the rest)` : '';
    // The OS ranges matter when ports are left out, not when whole addresses are.
    const portsShort = !dropped.clientPorts.isEmpty() && !all.clientPorts.isSubsetOf(dropped.clientPorts);
    const hints = portsShort ? profileHurts(ctx.model, c.clientPorts, dropped.clientPorts) : [];
    const message =
      `only part of the responses of ${whatIsChecked(c)} get back: ${fw.name} is stateless, and the responses go ${phrase}, ` +
      `but ${leftOut(c, all, c.dropped)} are left out: ${who}${rest}` +
      gatewayNote(c.gateways, c.dropped) +
      hints.map((h) => `. ${h}`).join('');
    const fixes = [widenFix(ctx, ix, c), insertInverseFix(ctx, fw, c, true)].filter((f) => f !== undefined);
    if (fixes.length > 1) fixes[1]!.preferred = false;
    out.push(
      diag('partial-response', r.node.span, message, {
        related: [
          ...c.deniedBy.map((d) => relatedRule(ctx.model, d, `this rule drops part of the responses of ${ruleName(r, ctx.lines)}`)),
          ...c.servedBy.map((s) => relatedRule(ctx.model, s, `this rule allows the other responses of ${ruleName(r, ctx.lines)}`)),
        ],
        fixes,
      }),
    );
  }
  return out;
}
