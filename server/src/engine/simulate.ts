// Flows (spec §6): the request crosses the path, the response comes back the other way.
// Everything is computed on exact packet classes; the hop traces follow one concrete packet.

import type { Action, Direction } from '../syntax/ast';
import type { Firewall, Flow, Model, ResolvedRule } from '../model/types';
import { formatAddrSet } from '../core/address';
import { AddrSet, PortSet } from '../core/intervals';
import { crossing, decide, decidePacket, packetDirection } from './firewall';
import { type Box, type Packet, ICMP, TCP, UDP, invertBox, makeBoxes } from './packet';

type Verdict = 'allowed' | 'blocked' | 'partial';

export interface Hop {
  firewall: Firewall;
  direction: Direction;
  action: Action;
  by: 'rule' | 'default' | 'state';
  rule?: ResolvedRule;
}

interface HalfResult {
  verdict: Verdict;
  hops: Hop[];
}

export interface FlowResult {
  flow: Flow;
  /** Firewalls in the order the request crosses them. */
  path: Firewall[];
  verdict: Verdict;
  met: boolean;
  request: HalfResult;
  /** Null when the request is blocked for every client. */
  response: (HalfResult & { allowedClientPorts: PortSet; blockedClientPorts: PortSet }) | null;
  /** The client addresses considered (those of a family the server has). */
  clientAddresses: AddrSet;
  /** Client addresses for which the flow passes for every client port, server address and port. */
  allowedClientAddresses: AddrSet;
  /** Client addresses for which no connection passes. */
  blockedClientAddresses: AddrSet;
  /** Client addresses for which some connections pass and some do not. */
  partialClientAddresses: AddrSet;
  /** The server addresses considered, split the same way. */
  serverAddresses: AddrSet;
  allowedServerAddresses: AddrSet;
  blockedServerAddresses: AddrSet;
  partialServerAddresses: AddrSet;
  /** The service's ports split into those whose connections all pass and the rest (tcp/udp). */
  allowedServerPorts: PortSet;
  blockedServerPorts: PortSet;
  /** Every connection that fails and every one that passes, as request packets. */
  failed: Box[];
  passed: Box[];
  /** The concrete request packet the response trace follows. */
  tracePacket?: Packet;
  /** Set when the flow could not be simulated meaningfully (e.g. no common address family). */
  note?: string;
}

function protoBit(p: Flow['proto']): number {
  return p === 'tcp' ? TCP : p === 'udp' ? UDP : ICMP;
}

function insideSize(fw: Firewall): bigint {
  return fw.inside.size();
}

/** The firewalls a request crosses, in order (§6 path inference), or the `via` list. */
function inferPath(model: Model, flow: Flow, request: Box[]): Firewall[] {
  if (flow.via) return flow.via;
  const crosses = (fw: Firewall, d: Direction) => request.some((b) => crossing(fw, d, b) !== undefined);
  const clientSide = model.firewalls.filter((fw) => fw.inside.intersects(flow.client.addresses) && crosses(fw, 'outbound'));
  const serverSide = model.firewalls.filter(
    (fw) => !clientSide.includes(fw) && fw.inside.intersects(flow.server.addresses) && crosses(fw, 'inbound'),
  );
  const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  clientSide.sort((a, b) => cmp(insideSize(a), insideSize(b)) || a.order - b.order);
  serverSide.sort((a, b) => cmp(insideSize(b), insideSize(a)) || a.order - b.order);
  return [...clientSide, ...serverSide];
}

/**
 * The firewalls of a flow's `via` that its request does not cross by §5.1 (for no client
 * and server address is one end inside and the other outside): spec §6 `flow-path`.
 */
export function viaNotCrossed(flow: Flow): { index: number; firewall: Firewall }[] {
  if (!flow.via) return [];
  const request = requestBoxes(flow);
  const out: { index: number; firewall: Firewall }[] = [];
  flow.via.forEach((fw, index) => {
    const crossed = request.some((b) => crossing(fw, 'inbound', b) !== undefined || crossing(fw, 'outbound', b) !== undefined);
    if (!crossed) out.push({ index, firewall: fw });
  });
  return out;
}

interface Pass {
  passed: Box[];
  dropped: Box[];
}

/** Runs a class through one firewall: what crosses is decided, the rest passes untouched. */
function throughFirewall(fw: Firewall, boxes: Box[], byState: boolean): Pass {
  const passed: Box[] = [];
  const dropped: Box[] = [];
  for (const b of boxes) {
    let rest: Box[] = [b];
    for (const d of ['inbound', 'outbound'] as const) {
      const next: Box[] = [];
      for (const r of rest) {
        const c = crossing(fw, d, r);
        if (!c) {
          next.push(r);
          continue;
        }
        if (byState) passed.push(c);
        else for (const dec of decide(fw, d, [c])) (dec.action === 'allow' ? passed : dropped).push(dec.box);
        // What did not cross in this direction stays for the other one.
        const notCrossing = subtractOne(r, c);
        for (const n of notCrossing) next.push(n);
      }
      rest = next;
    }
    for (const r of rest) passed.push(r);
  }
  return { passed, dropped };
}

function subtractOne(a: Box, c: Box): Box[] {
  // c ⊆ a and differs only in src/dst, so cutting src then dst is enough.
  const out: Box[] = [];
  const srcOut = a.src.subtract(c.src);
  if (!srcOut.isEmpty()) out.push({ ...a, src: srcOut });
  const dstOut = a.dst.subtract(c.dst);
  if (!dstOut.isEmpty()) out.push({ ...a, src: c.src, dst: dstOut });
  return out;
}

function projectSrc(boxes: Box[]): AddrSet {
  return boxes.reduce((s, b) => s.union(b.src), AddrSet.EMPTY);
}
function projectDst(boxes: Box[]): AddrSet {
  return boxes.reduce((s, b) => s.union(b.dst), AddrSet.EMPTY);
}

function projectDport(boxes: Box[]): PortSet {
  return boxes.reduce((s, b) => s.union(b.dport), PortSet.EMPTY);
}

function verdictOf(passed: Box[], failed: Box[]): Verdict {
  if (failed.length === 0) return 'allowed';
  if (passed.length === 0) return 'blocked';
  return 'partial';
}

/** The request packets for a flow: client × client ports → server × service ports. */
export function requestBoxes(flow: Flow): Box[] {
  return makeBoxes(protoBit(flow.proto), flow.client.addresses, flow.clientPorts, flow.server.addresses, flow.serverPorts);
}

export function simulateFlow(model: Model, flow: Flow): FlowResult {
  const request = requestBoxes(flow);
  const path = inferPath(model, flow, request);
  const ported = flow.proto !== 'icmp';

  // Request, hop by hop.
  let live = request;
  let reqDropped: Box[] = [];
  for (const fw of path) {
    const r = throughFirewall(fw, live, false);
    live = r.passed;
    reqDropped = reqDropped.concat(r.dropped);
  }
  const requestPassed = live;

  // Response: the inverse of what got through, back along the path.
  let resp = requestPassed.map(invertBox);
  let respDropped: Box[] = [];
  for (const fw of [...path].reverse()) {
    const r = throughFirewall(fw, resp, fw.mode === 'stateful');
    resp = r.passed;
    respDropped = respDropped.concat(r.dropped);
  }
  const passed = resp.map(invertBox);
  const respFailed = respDropped.map(invertBox);
  const failed = reqDropped.concat(respFailed);

  // Split each dimension into the values for which every connection passes, none, or some.
  const clientAddresses = projectSrc(request);
  const allowedClientAddresses = clientAddresses.subtract(projectSrc(failed));
  const blockedClientAddresses = clientAddresses.subtract(projectSrc(passed));
  const partialClientAddresses = clientAddresses.subtract(allowedClientAddresses).subtract(blockedClientAddresses);
  const serverAddresses = projectDst(request);
  const allowedServerAddresses = serverAddresses.subtract(projectDst(failed));
  const blockedServerAddresses = serverAddresses.subtract(projectDst(passed));
  const partialServerAddresses = serverAddresses.subtract(allowedServerAddresses).subtract(blockedServerAddresses);
  const allowedServerPorts = ported ? flow.serverPorts.subtract(projectDport(failed)) : PortSet.EMPTY;
  const blockedServerPorts = ported ? flow.serverPorts.subtract(allowedServerPorts) : PortSet.EMPTY;

  const verdict: Verdict = request.length === 0 ? 'blocked' : verdictOf(passed, failed);
  const met = flow.expect === undefined || (flow.expect === 'allow' ? verdict === 'allowed' : verdict === 'blocked');

  const a0 = clientAddresses.min();
  const result: FlowResult = {
    flow,
    path,
    verdict,
    met,
    request: { verdict: request.length === 0 ? 'blocked' : verdictOf(requestPassed, reqDropped), hops: [] },
    response: null,
    clientAddresses,
    allowedClientAddresses,
    blockedClientAddresses,
    partialClientAddresses,
    serverAddresses,
    allowedServerAddresses,
    blockedServerAddresses,
    partialServerAddresses,
    allowedServerPorts,
    blockedServerPorts,
    failed,
    passed,
  };
  if (path.length === 0) result.note = 'no firewall is crossed between the client and the server';
  else if ([allowedServerAddresses, blockedServerAddresses, partialServerAddresses].filter((x) => !x.isEmpty()).length > 1) {
    // §6: when the verdict differs between server addresses, say for which.
    const parts: string[] = [];
    if (!allowedServerAddresses.isEmpty()) parts.push(`connections to ${formatAddrSet(allowedServerAddresses)} pass`);
    if (!partialServerAddresses.isEmpty()) parts.push(`to ${formatAddrSet(partialServerAddresses)} only some pass`);
    if (!blockedServerAddresses.isEmpty()) parts.push(`to ${formatAddrSet(blockedServerAddresses)} none pass`);
    result.note = parts.join('; ');
  }
  if (a0 === undefined) {
    result.note = 'the client and the server have no address family in common, so no packet can go between them';
    return result;
  }
  const atA0 = (boxes: Box[]) => boxes.filter((b) => b.src.contains(a0));
  const firstPacket = (boxes: Box[]): Packet | undefined => {
    let best: Box | undefined;
    for (const b of boxes) if (!best || b.sport.min()! < best.sport.min()!) best = b;
    if (!best) return undefined;
    return { proto: protoBit(flow.proto), src: a0, sport: best.sport.min()!, dst: best.dst.min()!, dport: best.dport.min()! };
  };

  // Request trace: from the lowest client port.
  const reqPacket = firstPacket(atA0(request));
  if (reqPacket) result.request.hops = traceRequest(path, reqPacket).hops;

  if (requestPassed.length > 0) {
    const portsFailedA0 = atA0(failed).reduce((s, b) => s.union(b.sport), PortSet.EMPTY);
    const blockedClientPorts = ported ? portsFailedA0.intersect(flow.clientPorts) : PortSet.EMPTY;
    const allowedClientPorts = ported ? flow.clientPorts.subtract(blockedClientPorts) : PortSet.EMPTY;
    // cli.md: the response to the lowest blocked port whose request passed, else to the lowest
    // client port — always of a request that passed: a denied request has no response.
    const tracePacket = firstPacket(atA0(respFailed)) ?? firstPacket(atA0(requestPassed));
    result.tracePacket = tracePacket;
    result.response = {
      verdict: verdictOf(passed, respFailed),
      allowedClientPorts,
      blockedClientPorts,
      hops: tracePacket ? traceResponse(path, tracePacket) : [],
    };
  }
  return result;
}

/** Follows one request packet along the path; stops at the first firewall that drops it. */
function traceRequest(path: Firewall[], p: Packet): { hops: Hop[]; passed: boolean } {
  const hops: Hop[] = [];
  for (const fw of path) {
    const direction = packetDirection(fw, p);
    if (!direction) continue;
    const d = decidePacket(fw, direction, p);
    hops.push({ firewall: fw, direction, action: d.action, by: d.rule ? 'rule' : 'default', rule: d.rule });
    if (d.action === 'deny') return { hops, passed: false };
  }
  return { hops, passed: true };
}

/** Follows the response to request `p` back along the path. */
function traceResponse(path: Firewall[], p: Packet): Hop[] {
  const r: Packet = { proto: p.proto, src: p.dst, sport: p.dport, dst: p.src, dport: p.sport };
  const hops: Hop[] = [];
  for (const fw of [...path].reverse()) {
    const direction = packetDirection(fw, r);
    if (!direction) continue;
    if (fw.mode === 'stateful') {
      hops.push({ firewall: fw, direction, action: 'allow', by: 'state' });
      continue;
    }
    const d = decidePacket(fw, direction, r);
    hops.push({ firewall: fw, direction, action: d.action, by: d.rule ? 'rule' : 'default', rule: d.rule });
    if (d.action === 'deny') break;
  }
  return hops;
}

export function simulateAll(model: Model): FlowResult[] {
  return model.flows.map((f) => simulateFlow(model, f));
}

/** Where a connection fails: the firewall, direction and rule or default that drops it. */
interface Drop {
  phase: 'request' | 'response';
  hop: Hop;
}

/**
 * Where the failing connections that `within` keeps are dropped: the lowest of them (by
 * client address, client port, server address, server port) traced hop by hop.
 */
export function whereDropped(r: FlowResult, within: (b: Box) => Box | undefined = (b) => b): Drop | undefined {
  let best: Box | undefined;
  const key = (b: Box): [bigint, number, bigint, number] => [b.src.min()!, b.sport.min()!, b.dst.min()!, b.dport.min()!];
  const less = (a: Box, b: Box) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < 4; i++) if (ka[i]! !== kb[i]!) return ka[i]! < kb[i]!;
    return false;
  };
  for (const f of r.failed) {
    const b = within(f);
    if (b && (!best || less(b, best))) best = b;
  }
  if (!best) return undefined;
  const [src, sport, dst, dport] = key(best);
  const p: Packet = { proto: protoBit(r.flow.proto), src, sport, dst, dport };
  const req = traceRequest(r.path, p);
  if (!req.passed) return { phase: 'request', hop: req.hops[req.hops.length - 1]! };
  const hop = traceResponse(r.path, p).find((h) => h.action === 'deny');
  return hop && { phase: 'response', hop };
}
