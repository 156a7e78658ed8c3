// Flows (spec §6): the request crosses the path, the response comes back the other way.
// Everything is computed on exact packet classes; the hop traces follow one concrete packet.

import type { Action, Direction } from '../syntax/ast';
import type { Firewall, Flow, Model, NatSymbol, ResolvedRule } from '../model/types';
import { formatAddrSet } from '../core/address';
import { AddrSet, PortSet } from '../core/intervals';
import { crossesSome, crossing, crossings, decide, decidePacket, judgedAsGroup, noneJudged, packetDirections } from './firewall';
import { type Box, type Packet, ICMP, TCP, UDP, invertBox, makeBoxes, subtractBoxes } from './packet';

type Verdict = 'allowed' | 'blocked' | 'partial';

export interface Hop {
  firewall: Firewall;
  direction: Direction;
  action: Action;
  by: 'rule' | 'default' | 'state';
  rule?: ResolvedRule;
  /** On a flow through a NAT gateway: the leg the hop is on (spec §6.1). */
  leg?: 1 | 2;
}

/** A flow through a NAT gateway: its two legs and the gateway's ports split by verdict (spec §6.1). */
export interface NatResult {
  gateway: NatSymbol;
  /** Firewalls of leg 1 (client to gateway) and leg 2 (gateway to server), in the order the request crosses them. */
  leg1: Firewall[];
  leg2: Firewall[];
  /** Gateway ports for which every connection passes / the rest (empty for icmp). */
  allowedGatewayPorts: PortSet;
  blockedGatewayPorts: PortSet;
  /** The gateway ports the request and the response traces follow. */
  requestGatewayPort?: number;
  responseGatewayPort?: number;
  /** Leg-2 connections (gateway address and port to server) that fail one way or the other. */
  leg2Failed: Box[];
}

interface HalfResult {
  verdict: Verdict;
  hops: Hop[];
}

export interface FlowResult {
  flow: Flow;
  /** Firewalls in the order the request crosses them (through a NAT: leg 1's, then leg 2's). */
  path: Firewall[];
  /** Set for a flow through a NAT gateway. */
  nat?: NatResult;
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

/**
 * The firewalls of a model that §6 path inference cannot tell apart: those with the same
 * platform kind and the same inside (and insides). Whether a request crosses a firewall, and
 * where it sorts on a path, depends on nothing else, so inference decides once per group: a
 * file of 20,000 copies of one firewall header asks one question per flow, not 20,000.
 */
interface InsideGroup {
  /** A firewall of the group, for the crossing test (engine/firewall.ts crossesSome). */
  first: Firewall;
  /** How many addresses the inside holds: paths sort by it. */
  size: bigint;
  /** The group's firewalls, by `order`. */
  firewalls: Firewall[];
}

interface PathIndex {
  groups: InsideGroup[];
  /** Paths made so far, by which groups are on the client side and which on the server side. */
  paths: Map<string, Firewall[]>;
}

const pathIndexes = new WeakMap<readonly Firewall[], PathIndex>();

function pathIndex(model: Model): PathIndex {
  let index = pathIndexes.get(model.firewalls);
  if (index) return index;
  const byKey = new Map<string, InsideGroup>();
  for (const fw of model.firewalls) {
    const key = insideKey(fw);
    const g = byKey.get(key);
    if (g) g.firewalls.push(fw);
    else byKey.set(key, { first: fw, size: fw.inside.size(), firewalls: [fw] });
  }
  const groups = [...byKey.values()];
  for (const g of groups) g.firewalls.sort((a, b) => a.order - b.order);
  pathIndexes.set(model.firewalls, (index = { groups, paths: new Map() }));
  return index;
}

const insideKeys = new WeakMap<Firewall, string>();

/** What path inference reads of a firewall, as a string (once per firewall object). */
function insideKey(fw: Firewall): string {
  let key = insideKeys.get(fw);
  if (key === undefined) {
    const sets = fw.platform === 'aws-sg' ? ['sg', fw.inside] : [fw.inside, ...fw.insides];
    key = sets.map((s) => (typeof s === 'string' ? s : s.bounds.join(','))).join(';');
    insideKeys.set(fw, key);
  }
  return key;
}

/** The firewalls a request crosses, in order (§6 path inference), or the `via` list. */
function inferPath(model: Model, flow: Flow, request: Box[]): Firewall[] {
  if (flow.via) return flow.via;
  return inferFirewalls(model, flow.client.addresses, flow.server.addresses, request);
}

/**
 * §6 path inference for requests `request` (located as §5.1 sees them) from `client` to
 * `server`: the firewalls on the client's side, smallest inside first, then those on the
 * server's side, largest first (declaration order between equals). One array per path and
 * model, shared by the flows that take it (not to be changed).
 */
function inferFirewalls(model: Model, client: AddrSet, server: AddrSet, request: Box[]): Firewall[] {
  const { groups, paths } = pathIndex(model);
  // Whether, not how: no pieces are made (20,000 firewalls on a path made that most of a flow's cost).
  const crosses = (fw: Firewall, d: Direction) => request.some((b) => crossesSome(fw, d, b));
  const clientSide: InsideGroup[] = [];
  const serverSide: InsideGroup[] = [];
  const clientIds: number[] = [];
  const serverIds: number[] = [];
  groups.forEach((g, i) => {
    if (g.first.inside.intersects(client) && crosses(g.first, 'outbound')) {
      clientSide.push(g);
      clientIds.push(i);
    } else if (g.first.inside.intersects(server) && crosses(g.first, 'inbound')) {
      serverSide.push(g);
      serverIds.push(i);
    }
  });
  const selection = `${clientIds.join(',')}|${serverIds.join(',')}`;
  let path = paths.get(selection);
  if (path) return path;
  const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  clientSide.sort((a, b) => cmp(a.size, b.size) || a.firewalls[0]!.order - b.firewalls[0]!.order);
  serverSide.sort((a, b) => cmp(b.size, a.size) || a.firewalls[0]!.order - b.firewalls[0]!.order);
  path = [...inOrder(clientSide), ...inOrder(serverSide)];
  paths.set(selection, path);
  return path;
}

/** The firewalls of groups sorted by size: groups of one size merged by declaration order. */
function inOrder(groups: InsideGroup[]): Firewall[] {
  const out: Firewall[] = [];
  for (let i = 0; i < groups.length;) {
    let j = i + 1;
    while (j < groups.length && groups[j]!.size === groups[i]!.size) j++;
    const run = groups.slice(i, j).flatMap((g) => g.firewalls);
    if (j - i > 1) run.sort((a, b) => a.order - b.order);
    for (const fw of run) out.push(fw);
    i = j;
  }
  return out;
}

/**
 * The firewalls of a flow's `via` that its request does not cross by §5.1 (for no client
 * and server address is one end inside and the other outside): spec §6 `flow-path`.
 */
export function viaNotCrossed(flow: Flow): { index: number; firewall: Firewall }[] {
  if (!flow.via || flow.nat) return [];
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

/**
 * Where §5.1 places a leg-1 packet of a NAT flow (spec §6.1): its destination (request) or
 * source (response) is taken to be the gateway's address; the rules still see the real one.
 */
interface Locate {
  side: 'src' | 'dst';
  at: AddrSet;
}

/** The pieces of `box` that cross `fw` in `direction` (engine/firewall.ts `crossings`), placed as `locate` says. */
function crossingsAt(fw: Firewall, direction: Direction, box: Box, locate?: Locate): Box[] {
  if (!locate) return crossings(fw, direction, box);
  const pieces = crossings(fw, direction, { ...box, [locate.side]: locate.at });
  return pieces.map((c) => (locate.side === 'dst' ? { ...box, src: c.src } : { ...box, dst: c.dst }));
}

/** The part of `box` that crosses `fw` in `direction`, placed as `locate` says. */
function crossingAt(fw: Firewall, direction: Direction, box: Box, locate?: Locate): Box | undefined {
  if (!locate) return crossing(fw, direction, box);
  const c = crossing(fw, direction, { ...box, [locate.side]: locate.at });
  if (!c) return undefined;
  return locate.side === 'dst' ? { ...box, src: c.src } : { ...box, dst: c.dst };
}

/** Runs a class through one firewall: what crosses is decided, the rest passes untouched. */
function throughFirewall(fw: Firewall, boxes: Box[], byState: boolean, locate?: Locate): Pass {
  const passed: Box[] = [];
  const dropped: Box[] = [];
  for (const b of boxes) {
    let rest: Box[] = [b];
    // Out of the sender's side first, then into the receiver's: traffic between two subnets of
    // an aws-nacl or two members of an aws-sg crosses it both ways (spec §10), what passes the
    // first way going on to the second.
    for (const d of ['outbound', 'inbound'] as const) {
      const next: Box[] = [];
      for (const r of rest) {
        const cs = crossingsAt(fw, d, r, locate);
        for (const c of cs) {
          if (byState) next.push(c);
          else for (const dec of decide(fw, d, [c])) (dec.action === 'allow' ? next : dropped).push(dec.box);
        }
        // What did not cross this way stays for the other one.
        for (const n of cs.reduce((left, c) => subtractBoxes(left, c), [r])) next.push(n);
      }
      rest = next;
    }
    for (const r of rest) passed.push(r);
  }
  return { passed, dropped };
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

/** Firewalls and NAT gateways by identity, as numbers for a memo key. */
const ids = new WeakMap<object, number>();
let nextId = 0;

function idOf(o: object): number {
  let n = ids.get(o);
  if (n === undefined) ids.set(o, (n = nextId++));
  return n;
}

const pathIdLists = new WeakMap<readonly Firewall[], string>();

/** The ids of a path's firewalls (once per path array: inferFirewalls shares them between flows). */
function pathIds(path: readonly Firewall[]): string {
  let ids = pathIdLists.get(path);
  if (ids === undefined) pathIdLists.set(path, (ids = path.map(idOf).join(',')));
  return ids;
}

/**
 * Everything a flow's simulation reads of the flow: its protocol, addresses and ports, and the
 * firewalls and NAT gateway `via` names. Two flows of one model with the same key have the same
 * result but for `flow` and `met` (its `expect`).
 */
function simulationKey(flow: Flow): string {
  const parts = [
    flow.proto,
    flow.client.addresses.bounds.join(','),
    flow.clientPorts.bounds.join(','),
    flow.server.addresses.bounds.join(','),
    flow.serverPorts.bounds.join(','),
  ];
  if (flow.via) parts.push(`via ${flow.via.map(idOf).join(',')}`);
  if (flow.nat) {
    parts.push(
      `nat ${idOf(flow.nat)}`,
      (flow.hops ?? []).map((h) => (h.kind === 'firewall' ? `f${idOf(h.firewall)}` : `n${idOf(h.nat)}`)).join(','),
    );
  }
  return parts.join('|');
}

/**
 * Results by simulationKey, per model (its firewalls: a model made from another with one more
 * flow, resolveFlowText's, shares them). A file of hundreds of copies of a flow simulates it once.
 */
const simulated = new WeakMap<readonly Firewall[], Map<string, FlowResult>>();

function metBy(flow: Flow, verdict: Verdict): boolean {
  return flow.expect === undefined || (flow.expect === 'allow' ? verdict === 'allowed' : verdict === 'blocked');
}

/**
 * Results of flows without NAT by simulationKey and path, kept from one model to the next: the
 * firewall objects a new version of a document reuses (model/resolve.ts reuseFirewall: same
 * rules, same environment) decide as before, so after an edit only the flows through the edited
 * firewall are simulated again. Kept under the path's first firewall, dropped with it.
 */
const byPath = new WeakMap<Firewall, Map<string, FlowResult>>();
/** Results kept per firewall at most (a document whose flows keep changing). */
const BY_PATH_MAX = 1024;

/** The same result for another flow with the same simulationKey (nothing changes a result once made). */
function copyFor(flow: Flow, done: FlowResult): FlowResult {
  return done.flow === flow ? done : { ...done, flow, met: metBy(flow, done.verdict) };
}

/** The request and response of `flow` through the firewalls of `model` (spec §6). */
export function simulateFlow(model: Model, flow: Flow): FlowResult {
  let byKey = simulated.get(model.firewalls);
  if (!byKey) simulated.set(model.firewalls, (byKey = new Map()));
  const key = simulationKey(flow);
  const done = byKey.get(key);
  // The same result objects (hops, boxes, sets) for every copy: nothing changes a result once made.
  if (done) return copyFor(flow, done);
  let r: FlowResult;
  if (flow.nat) r = simulateNatFlow(model, flow, flow.nat);
  else {
    const request = requestBoxes(flow);
    const path = inferPath(model, flow, request);
    const first = path[0];
    if (!first) r = simulateOnce(flow, request, path);
    else {
      const pathKey = `${key}|path ${pathIds(path)}`;
      let kept = byPath.get(first);
      const known = kept?.get(pathKey);
      if (known) r = copyFor(flow, known);
      else {
        r = simulateOnce(flow, request, path);
        if (!kept) byPath.set(first, (kept = new Map()));
        if (kept.size >= BY_PATH_MAX) kept.clear();
        kept.set(pathKey, r);
      }
    }
  }
  byKey.set(key, r);
  return r;
}

function simulateOnce(flow: Flow, request: Box[], path: Firewall[]): FlowResult {
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

  return summarize(
    flow,
    path,
    { request, requestPassed, reqDropped, passed, respFailed },
    {
      request: (p) => traceRequest(path, p).hops,
      response: (p) => traceResponse(path, p),
    },
  );
}

/** What a flow's simulation found, as request packets (a class of connections each). */
interface Outcome {
  request: Box[];
  requestPassed: Box[];
  reqDropped: Box[];
  /** Connections that pass both ways. */
  passed: Box[];
  /** Connections whose request passed and whose response is dropped. */
  respFailed: Box[];
}

/** How to follow one request packet, and the response to one, hop by hop. */
interface Tracer {
  request(p: Packet): Hop[];
  response(p: Packet): Hop[];
}

/** The verdict and its splits by dimension (spec §6), and the traces (cli.md) of an outcome. */
function summarize(flow: Flow, path: Firewall[], o: Outcome, tracer: Tracer): FlowResult {
  const { request, requestPassed, reqDropped, passed, respFailed } = o;
  const ported = flow.proto !== 'icmp';
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
  const met = metBy(flow, verdict);

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
  if (reqPacket) result.request.hops = tracer.request(reqPacket);

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
      hops: tracePacket ? tracer.response(tracePacket) : [],
    };
  }
  return result;
}

/** Where §5.1 places one leg-1 packet (see Locate): the gateway's address on one side. */
interface LocatePacket {
  side: 'src' | 'dst';
  at: bigint;
  leg: 1 | 2;
}

function placed(p: Packet, at?: LocatePacket): Packet {
  return at ? { ...p, [at.side]: at.at } : p;
}

function legOf(at?: LocatePacket): { leg?: 1 | 2 } {
  return at ? { leg: at.leg } : {};
}

/** Follows one request packet along the path; stops at the first firewall that drops it. */
function traceRequest(path: Firewall[], p: Packet, at?: LocatePacket): { hops: Hop[]; passed: boolean } {
  const hops: Hop[] = [];
  const judged = noneJudged();
  for (const fw of path) {
    for (const direction of packetDirections(fw, placed(p, at))) {
      // Several aws-sg of one address are one group (§10): crossed once; the hop names the group whose rule decided.
      if (judgedAsGroup(fw, direction, judged)) continue;
      judged[direction].add(fw);
      const d = decidePacket(fw, direction, p);
      const by = d.rule ? 'rule' : 'default';
      hops.push({ firewall: d.group ?? fw, direction, action: d.action, by, rule: d.rule, ...legOf(at) });
      if (d.action === 'deny') return { hops, passed: false };
    }
  }
  return { hops, passed: true };
}

/** Follows the response to request `p` back along the path. */
function traceResponse(path: Firewall[], p: Packet, at?: LocatePacket): Hop[] {
  const r: Packet = { proto: p.proto, src: p.dst, sport: p.dport, dst: p.src, dport: p.sport };
  const where = at && { ...at, side: at.side === 'dst' ? ('src' as const) : ('dst' as const) };
  const hops: Hop[] = [];
  const judged = noneJudged();
  for (const fw of [...path].reverse()) {
    for (const direction of packetDirections(fw, placed(r, where))) {
      if (judgedAsGroup(fw, direction, judged)) continue;
      judged[direction].add(fw);
      if (fw.mode === 'stateful') {
        hops.push({ firewall: fw, direction, action: 'allow', by: 'state', ...legOf(at) });
        continue;
      }
      const d = decidePacket(fw, direction, r);
      hops.push({ firewall: d.group ?? fw, direction, action: d.action, by: d.rule ? 'rule' : 'default', rule: d.rule, ...legOf(at) });
      if (d.action === 'deny') return hops;
    }
  }
  return hops;
}

// ---- flows through a NAT gateway (spec §6.1) -------------------------------------------

/** One leg's outcome, as its request packets. */
interface LegOutcome {
  requestPassed: Box[];
  reqDropped: Box[];
  passed: Box[];
  respFailed: Box[];
}

/** Runs requests along `path` and their responses back; `locate` places leg-1 requests for §5.1. */
function runLeg(path: Firewall[], request: Box[], locate?: Locate): LegOutcome {
  let live = request;
  let reqDropped: Box[] = [];
  for (const fw of path) {
    const r = throughFirewall(fw, live, false, locate);
    live = r.passed;
    reqDropped = reqDropped.concat(r.dropped);
  }
  const back = locate && { ...locate, side: locate.side === 'dst' ? ('src' as const) : ('dst' as const) };
  let resp = live.map(invertBox);
  let respDropped: Box[] = [];
  for (const fw of [...path].reverse()) {
    const r = throughFirewall(fw, resp, fw.mode === 'stateful', back);
    resp = r.passed;
    respDropped = respDropped.concat(r.dropped);
  }
  return { requestPassed: live, reqDropped, passed: resp.map(invertBox), respFailed: respDropped.map(invertBox) };
}

/** The leg-1 connections of `boxes` whose server address and port some leg-2 box of `leg2` has. */
function joined(boxes: Box[], leg2: Box[]): Box[] {
  const out: Box[] = [];
  for (const b of boxes) {
    for (const c of leg2) {
      const dst = b.dst.intersect(c.dst);
      const dport = b.dport.intersect(c.dport);
      if (!dst.isEmpty() && !dport.isEmpty()) out.push({ ...b, dst, dport });
    }
  }
  return out;
}

/**
 * The firewalls of each leg: those `via` names before and after the gateway, or, when `via`
 * names only NAT gateways, those §6 infers between the client and the gateway's address and
 * between the gateway and the server.
 */
export function natLegs(model: Model, flow: Flow, gateway: NatSymbol): { leg1: Firewall[]; leg2: Firewall[] } {
  const hops = flow.hops ?? [];
  if (hops.some((h) => h.kind === 'firewall')) {
    const at = hops.findIndex((h) => h.kind === 'nat');
    const fws = (list: typeof hops) => list.flatMap((h) => (h.kind === 'firewall' ? [h.firewall] : []));
    return { leg1: fws(hops.slice(0, at)), leg2: fws(hops.slice(at + 1)) };
  }
  const proto = protoBit(flow.proto);
  const toGateway = requestBoxes(flow).map((b) => ({ ...b, dst: gateway.address }));
  const fromGateway = makeBoxes(proto, gateway.address, gatewayPorts(flow, gateway), flow.server.addresses, flow.serverPorts);
  return {
    leg1: inferFirewalls(model, flow.client.addresses, gateway.address, toGateway),
    leg2: inferFirewalls(model, gateway.address, flow.server.addresses, fromGateway),
  };
}

function gatewayPorts(flow: Flow, gateway: NatSymbol): PortSet {
  return flow.proto === 'icmp' ? PortSet.ALL : gateway.ports;
}

/**
 * The firewalls a NAT flow's `via` names that their leg's request does not cross by §5.1
 * (leg 1 located at the gateway's address), with their position among the firewalls `via` names.
 */
export function natViaNotCrossed(model: Model, flow: Flow): { index: number; leg: 1 | 2; firewall: Firewall }[] {
  const gateway = flow.nat;
  if (!gateway || !flow.hops?.some((h) => h.kind === 'firewall')) return [];
  const { leg1, leg2 } = natLegs(model, flow, gateway);
  const toGateway: Locate = { side: 'dst', at: gateway.address };
  const one = requestBoxes(flow);
  const two = makeBoxes(protoBit(flow.proto), gateway.address, gatewayPorts(flow, gateway), flow.server.addresses, flow.serverPorts);
  const crossed = (fw: Firewall, boxes: Box[], at?: Locate) =>
    boxes.some((b) => crossingAt(fw, 'inbound', b, at) !== undefined || crossingAt(fw, 'outbound', b, at) !== undefined);
  const out: { index: number; leg: 1 | 2; firewall: Firewall }[] = [];
  leg1.forEach((fw, i) => {
    if (!crossed(fw, one, toGateway)) out.push({ index: i, leg: 1, firewall: fw });
  });
  leg2.forEach((fw, i) => {
    if (!crossed(fw, two)) out.push({ index: leg1.length + i, leg: 2, firewall: fw });
  });
  return out;
}

function simulateNatFlow(model: Model, flow: Flow, gateway: NatSymbol): FlowResult {
  const proto = protoBit(flow.proto);
  const ported = flow.proto !== 'icmp';
  const g = gateway.address.min()!;
  const gwPorts = gatewayPorts(flow, gateway);
  const { leg1, leg2 } = natLegs(model, flow, gateway);
  const request = requestBoxes(flow);
  const request2 = makeBoxes(proto, gateway.address, gwPorts, flow.server.addresses, flow.serverPorts);
  const one = runLeg(leg1, request, { side: 'dst', at: gateway.address });
  const two = runLeg(leg2, request2);

  // A connection with a given gateway port passes when leg 1 passes for it and leg 2 for that
  // gateway port and its server address and port: "passed" holds the connections that pass
  // for some gateway port, "failed" those that fail for some.
  const requestPassed = joined(one.requestPassed, two.requestPassed);
  const reqDropped = one.reqDropped.concat(joined(one.requestPassed, two.reqDropped));
  const passed = joined(one.passed, two.passed);
  const respFailed = joined(one.respFailed, two.requestPassed).concat(joined(one.requestPassed, two.respFailed));
  const leg2Failed = two.reqDropped.concat(two.respFailed);

  const at1: LocatePacket = { side: 'dst', at: g, leg: 1 };
  const at2 = (p: Packet, gp: number): Packet => ({ proto: p.proto, src: g, sport: gp, dst: p.dst, dport: p.dport });
  const lowest = (boxes: Box[], p: Packet) =>
    boxes
      .filter((b) => b.dst.contains(p.dst) && b.dport.contains(p.dport))
      .reduce<number | undefined>((m, b) => (m === undefined || b.sport.min()! < m ? b.sport.min()! : m), undefined);
  const nat: NatResult = { gateway, leg1, leg2, allowedGatewayPorts: PortSet.EMPTY, blockedGatewayPorts: PortSet.EMPTY, leg2Failed };
  const result = summarize(
    flow,
    [...leg1, ...leg2],
    { request, requestPassed, reqDropped, passed, respFailed },
    {
      request: (p) => {
        const first = traceRequest(leg1, p, at1);
        if (!first.passed) return first.hops;
        const gp = gwPorts.min()!;
        nat.requestGatewayPort = gp;
        return [...first.hops, ...traceRequest(leg2, at2(p, gp)).hops.map((h) => ({ ...h, leg: 2 as const }))];
      },
      response: (p) => {
        // The gateway port of the lowest leg-2 response that fails, else of the lowest that passes.
        const gp = lowest(two.respFailed, p) ?? lowest(two.requestPassed, p) ?? gwPorts.min()!;
        nat.responseGatewayPort = gp;
        const back2 = traceResponse(leg2, at2(p, gp)).map((h) => ({ ...h, leg: 2 as const }));
        if (back2.some((h) => h.action === 'deny')) return back2;
        return [...back2, ...traceResponse(leg1, p, at1)];
      },
    },
  );
  const a0 = result.clientAddresses.min();
  if (ported && a0 !== undefined) {
    const leg1FailsAtA0 = one.reqDropped.concat(one.respFailed).some((b) => b.src.contains(a0));
    const gwFailed = leg2Failed.reduce((acc, b) => acc.union(b.sport), PortSet.EMPTY).intersect(gwPorts);
    nat.blockedGatewayPorts = leg1FailsAtA0 ? gwPorts : gwFailed;
    nat.allowedGatewayPorts = gwPorts.subtract(nat.blockedGatewayPorts);
  }
  result.nat = nat;
  if (result.note === 'no firewall is crossed between the client and the server') {
    result.note = `no firewall is crossed between the client, the NAT gateway \`${gateway.name}\` and the server`;
  }
  return result;
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
  if (r.nat) return whereNatDropped(r.nat, p);
  const req = traceRequest(r.path, p);
  if (!req.passed) return { phase: 'request', hop: req.hops[req.hops.length - 1]! };
  const hop = traceResponse(r.path, p).find((h) => h.action === 'deny');
  return hop && { phase: 'response', hop };
}

/** whereDropped through a NAT gateway: leg 1, then leg 2 with the lowest gateway port that fails there. */
function whereNatDropped(nat: NatResult, p: Packet): Drop | undefined {
  const g = nat.gateway.address.min()!;
  const at1: LocatePacket = { side: 'dst', at: g, leg: 1 };
  const req1 = traceRequest(nat.leg1, p, at1);
  if (!req1.passed) return { phase: 'request', hop: req1.hops[req1.hops.length - 1]! };
  // The lowest gateway port whose leg 2 fails for this server address and port, if one does.
  const failing = nat.leg2Failed.filter((b) => b.dst.contains(p.dst) && b.dport.contains(p.dport));
  if (failing.length > 0) {
    const gp = failing.reduce((m, b) => Math.min(m, b.sport.min()!), Number.MAX_SAFE_INTEGER);
    const q: Packet = { proto: p.proto, src: g, sport: gp, dst: p.dst, dport: p.dport };
    const req2 = traceRequest(nat.leg2, q);
    if (!req2.passed) return { phase: 'request', hop: { ...req2.hops[req2.hops.length - 1]!, leg: 2 } };
    const back2 = traceResponse(nat.leg2, q).find((h) => h.action === 'deny');
    if (back2) return { phase: 'response', hop: { ...back2, leg: 2 } };
  }
  const back1 = traceResponse(nat.leg1, p, at1).find((h) => h.action === 'deny');
  return back1 && { phase: 'response', hop: back1 };
}
