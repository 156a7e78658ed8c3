// partial-response (spec §8): in a stateless firewall, a request rule — or a both rule that
// serves no request rule — whose responses are allowed back only in part.

import { type Diagnostic, diag } from '../core/diagnostic';
import type { Firewall } from '../model/types';
import { AddrSet, PortSet } from '../engine/intervals';
import { type Box, PORTED, protoName } from '../engine/packet';
import { type ResponseContext, insertInverseFix, widenFix } from './responseFix';
import type { ResponseCheck, ResponseIndex } from './responseIndex';
import { oppositeDirection } from './ruleKinds';
import {
  addressPhrase,
  listText,
  portsPhrase,
  profileHurts,
  relatedRule,
  responsesPhrase,
  ruleName,
  whoDrops,
} from './responseText';
import { whatIsChecked } from './missingResponse';

interface Projection {
  protos: number;
  servers: AddrSet;
  serverPorts: PortSet;
  clients: AddrSet;
  clientPorts: PortSet;
}

function project(boxes: Box[]): Projection {
  const p: Projection = { protos: 0, servers: AddrSet.EMPTY, serverPorts: PortSet.EMPTY, clients: AddrSet.EMPTY, clientPorts: PortSet.EMPTY };
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

/** `those to internet ports 1024-49151`, `those from 10.0.1.20 to 10.0.0.128/25 ports 1024-65535`. */
function leftOut(c: ResponseCheck, all: Projection, dropped: Projection): string {
  const r = c.rule;
  let s = 'those';
  if (dropped.protos !== all.protos) s += ` of ${protoName(dropped.protos)}`;
  const serversDiffer = !all.servers.isSubsetOf(dropped.servers);
  const serverPortsDiffer = !all.serverPorts.isSubsetOf(dropped.serverPorts);
  if (serversDiffer || serverPortsDiffer) {
    s += ` from ${addressPhrase(dropped.servers, r.to, all.servers)}`;
    if (serverPortsDiffer) s += ` ${portsPhrase(dropped.serverPorts)}`;
  }
  s += ` to ${addressPhrase(dropped.clients, r.from, all.clients)}`;
  if (!dropped.clientPorts.isEmpty()) s += ` ${portsPhrase(dropped.clientPorts)}`;
  return s;
}

export function checkPartialResponses(ctx: ResponseContext, fw: Firewall, ix: ResponseIndex): Diagnostic[] {
  if (fw.mode !== 'stateless') return [];
  const out: Diagnostic[] = [];
  for (const c of ix.checks) {
    const r = c.rule;
    if (r.file !== ctx.model.root || c.allowed.length === 0 || c.dropped.length === 0) continue;
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
      `but ${leftOut(c, all, dropped)} are left out: ${who}${rest}` +
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
