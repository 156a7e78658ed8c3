// Simulation results as the plain data of cli.md (`fwlang simulate --json`) and as text
// for a person. Shared by the command line and the language server.

import type { Diagnostic } from '../core/diagnostic';
import { Lines } from '../core/text';
import { fileOf, isOwn, textOf } from '../model/ownership';
import { formatAddrSet } from '../core/address';
import { type FlowResult, type Hop, whereDropped } from '../engine/simulate';
import { AddrSet, PortSet } from '../core/intervals';
import type { Box } from '../engine/packet';
import type { Model } from '../model/types';

interface HopJson {
  firewall: string;
  direction: 'inbound' | 'outbound';
  action: 'allow' | 'deny';
  by: 'rule' | 'default' | 'state';
  rule: number | null;
  line: number | null;
  /**
   * The file of the deciding rule when it is not the model's root file (an included firewall's),
   * and only when asked (`FlowJsonOptions.hopFiles`): never in `fwlang simulate --json`.
   */
  file?: string;
  /** On a flow through a NAT gateway: the leg the hop is on (spec §6.1). */
  leg?: 1 | 2;
}

export interface FlowJsonOptions {
  /** Each hop decided by a rule of an included file names that file (`file`): the editor's pictures. */
  hopFiles?: boolean;
}

/**
 * A NAT gateway in the hops of a flow through it, between leg 1 and leg 2: its address, its
 * port range, and the port the trace follows.
 */
export interface NatHopJson {
  nat: string;
  address: string;
  ports: string;
  port: number | null;
}

export type AnyHopJson = HopJson | NatHopJson;

export function isNatHop(h: AnyHopJson): h is NatHopJson {
  return 'nat' in h;
}

export interface FlowJson {
  flow: string;
  /** The flow statement's line; null for a flow given on the command line or typed in the editor. */
  line: number | null;
  verdict: 'allowed' | 'blocked' | 'partial';
  expect: 'allow' | 'deny' | null;
  met: boolean;
  request: { verdict: string; hops: AnyHopJson[] };
  response: null | {
    verdict: string;
    allowedClientPorts: string;
    blockedClientPorts: string;
    allowedClientAddresses?: string;
    blockedClientAddresses?: string;
    hops: AnyHopJson[];
  };
  allowedClientAddresses?: string;
  blockedClientAddresses?: string;
  partialClientAddresses?: string;
  allowedServerPorts?: string;
  blockedServerPorts?: string;
  allowedGatewayPorts?: string;
  blockedGatewayPorts?: string;
  note?: string;
}

/**
 * Line numbers of spans in the root file and its includes, as the model read them: the line
 * indexes of a model's files, each built when first asked. Make one per task and
 * pass it on: a report per flow that made its own indexed the file once per flow (`fwlang
 * simulate` of 13,000 refused flows). Not kept per model: a WeakMap from each model to its
 * lines raised the language server's peak memory during edits by 10–20 MB (measured with the
 * bench's edits at 10,000 rules; why was not found).
 */
export function modelLines(model: Model): Lines {
  return new Lines((file) => textOf(model, file));
}

function hopJson(h: Hop, lines: Lines, files?: string): HopJson {
  const rule = h.by === 'rule' ? h.rule : undefined;
  return {
    firewall: h.firewall.name,
    direction: h.direction,
    action: h.action,
    by: h.by,
    rule: h.by === 'rule' ? (h.rule?.number ?? null) : null,
    line: rule ? lines.line(rule.file, rule.node.span.start) : null,
    ...(files !== undefined && rule && rule.file !== files ? { file: rule.file } : {}),
    ...(h.leg ? { leg: h.leg } : {}),
  };
}

/**
 * The hops of a flow through a NAT gateway (spec §6.1) in the order the packets meet them: the
 * request's leg-1 hops, the gateway, leg 2; the response's leg-2 hops, the gateway, leg 1.
 * The gateway stands between the legs only when the trace reaches it.
 */
function natHops(
  r: FlowResult,
  hops: Hop[],
  lines: Lines,
  phase: 'request' | 'response',
  port: number | undefined,
  files: string | undefined,
): AnyHopJson[] {
  const nat = r.nat!;
  const first = phase === 'request' ? 1 : 2;
  const before = hops.filter((h) => h.leg === first);
  const after = hops.filter((h) => h.leg !== first);
  const reached = !before.some((h) => h.action === 'deny');
  const gateway: NatHopJson = {
    nat: nat.gateway.name,
    address: nat.gateway.addressText,
    ports: nat.gateway.ports.toString(),
    port: r.flow.proto === 'icmp' ? null : (port ?? null),
  };
  const json = (list: Hop[]) => list.map((h) => hopJson({ ...h, leg: h.leg ?? 1 }, lines, files));
  return reached ? [...json(before), gateway, ...json(after)] : json(before);
}

export function flowJson(r: FlowResult, model: Model, lines = modelLines(model), options?: FlowJsonOptions): FlowJson {
  // The root file, against which hops name their rule's file; undefined: they name none.
  const files = options?.hopFiles ? model.root : undefined;
  const out: FlowJson = {
    flow: r.flow.text,
    line: r.flow.adHoc ? null : lines.line(r.flow.file, r.flow.node.span.start),
    verdict: r.verdict,
    expect: r.flow.expect ?? null,
    met: r.met,
    request: {
      verdict: r.request.verdict,
      hops: r.nat
        ? natHops(r, r.request.hops, lines, 'request', r.nat.requestGatewayPort, files)
        : r.request.hops.map((h) => hopJson(h, lines, files)),
    },
    response: r.response && {
      verdict: r.response.verdict,
      allowedClientPorts: r.response.allowedClientPorts.toString(),
      blockedClientPorts: r.response.blockedClientPorts.toString(),
      hops: r.nat
        ? natHops(r, r.response.hops, lines, 'response', r.nat.responseGatewayPort, files)
        : r.response.hops.map((h) => hopJson(h, lines, files)),
    },
  };
  if (r.flow.clientIsNetwork) {
    const addrs = {
      allowedClientAddresses: formatAddrSet(r.allowedClientAddresses),
      blockedClientAddresses: formatAddrSet(r.blockedClientAddresses),
    };
    Object.assign(out, addrs);
    if (out.response) Object.assign(out.response, addrs);
    out.partialClientAddresses = formatAddrSet(r.partialClientAddresses);
  }
  if (r.flow.proto !== 'icmp' && r.flow.serverPorts.size() > 1) {
    out.allowedServerPorts = r.allowedServerPorts.toString();
    out.blockedServerPorts = r.blockedServerPorts.toString();
  }
  if (r.nat && r.flow.proto !== 'icmp') {
    out.allowedGatewayPorts = r.nat.allowedGatewayPorts.toString();
    out.blockedGatewayPorts = r.nat.blockedGatewayPorts.toString();
  }
  if (r.note) out.note = r.note;
  return out;
}

/**
 * The mark that starts a flow's line (cli.md): whether it met its `expect` — `✔` met,
 * `✘` not met, `•` no expect — never the verdict itself (a blocked flow may be what was
 * expected).
 */
export function expectMark(expect: 'allow' | 'deny' | null | undefined, met: boolean): string {
  if (!expect) return '•';
  return met ? '✔' : '✘';
}

function hopLine(kind: string, h: AnyHopJson, width: number): string {
  if (isNatHop(h)) {
    const port = h.port !== null ? `:${h.port}` : '';
    const what =
      kind === 'request'
        ? `source rewritten to ${h.address}${port} (gateway ports ${h.ports})`
        : `destination ${h.address}${port} rewritten back to the client's`;
    return `    ${kind.padEnd(8)} ${h.nat.padEnd(width)} NAT      ${what}`;
  }
  const by =
    h.by === 'state'
      ? 'by connection tracking (stateful)'
      : h.by === 'default'
        ? 'by the default (no rule matched)'
        : h.rule !== null
          ? `by rule ${h.rule}${h.line !== null ? ` (line ${h.line})` : ''}`
          : `by the rule on line ${h.line}`;
  const leg = h.leg ? ` (leg ${h.leg})` : '';
  return `    ${kind.padEnd(8)} ${h.firewall.padEnd(width)} ${h.direction.padEnd(8)} ${h.action.toUpperCase().padEnd(5)} ${by}${leg}`;
}

/**
 * The text form: one line per flow with its verdict, then one line per hop, then (given
 * `failureClauses`) what fails and where.
 */
export function flowText(j: FlowJson, path?: string, failures?: string[]): string {
  const expect = j.expect ? ` (expect ${j.expect}: ${j.met ? 'met' : 'NOT met'})` : '';
  const where = j.line === null ? (path ? `${path}: ` : '') : path ? `${path}:${j.line}: ` : `line ${j.line}: `;
  const lines = [`${where}${expectMark(j.expect, j.met)} ${j.flow} — ${j.verdict}${expect}`];
  if (j.note) lines.push(`    note: ${j.note}`);
  else if (j.request.hops.length === 0) lines.push('    no firewall is crossed');
  const width = Math.max(0, ...[...j.request.hops, ...(j.response?.hops ?? [])].map((h) => (isNatHop(h) ? h.nat : h.firewall).length));
  for (const h of j.request.hops) lines.push(hopLine('request', h, width));
  if (j.response) {
    // The traced request was dropped: the response shown answers another one, that got through.
    if (j.response.hops.length > 0 && j.request.hops.some((h) => !isNatHop(h) && h.action === 'deny')) {
      lines.push('    (the response below answers a request that gets through)');
    }
    for (const h of j.response.hops) lines.push(hopLine('response', h, width));
  } else if (j.request.hops.length > 0) {
    lines.push('    response: none (the request never gets through)');
  }
  if (failures) for (const f of failures) lines.push(`    ${f}`);
  else if (j.verdict !== 'allowed') {
    // Without the result at hand: the parts of the JSON that say what fails, never "none".
    const ports = j.response && j.response.allowedClientPorts && j.response.blockedClientPorts;
    if (ports) lines.push(`    client ports passing: ${j.response!.allowedClientPorts}; failing: ${j.response!.blockedClientPorts}`);
    if (j.allowedServerPorts && j.blockedServerPorts)
      lines.push(`    server ports passing: ${j.allowedServerPorts}; failing: ${j.blockedServerPorts}`);
    if (j.blockedGatewayPorts)
      lines.push(`    gateway ports passing: ${j.allowedGatewayPorts || 'none'}; failing: ${j.blockedGatewayPorts}`);
    const addrs = [
      j.allowedClientAddresses && `passing: ${j.allowedClientAddresses}`,
      j.blockedClientAddresses && `failing: ${j.blockedClientAddresses}`,
      j.partialClientAddresses && `failing for some connections: ${j.partialClientAddresses}`,
    ].filter((x) => !!x);
    if (addrs.length > 1) lines.push(`    client addresses ${addrs.join('; ')}`);
  }
  return lines.join('\n');
}

/** `edge (outbound, by rule 110 on line 11)` / `sg (inbound, by the rule on line 18)` / `edge (outbound, by the default deny)` */
export function dropWords(h: Hop, lines: Lines): string {
  const line = h.rule ? lines.line(h.rule.file, h.rule.node.span.start) : undefined;
  const by =
    h.by === 'state'
      ? 'by connection tracking'
      : h.by === 'default' || !h.rule
        ? `by the default ${h.action}`
        : h.rule.number !== undefined
          ? `by rule ${h.rule.number} on line ${line}`
          : `by the rule on line ${line}`;
  return `${h.firewall.name} (${h.leg ? `leg ${h.leg}, ` : ''}${h.direction}, ${by})`;
}

const plural = (n: number | bigint, one: string, many: string) => (n === 1 || n === 1n ? one : many);

/**
 * What fails in a flow and where, one clause per dimension whose values fare differently
 * (spec §6: which client ports, client addresses as prefixes, server ports and server
 * addresses), each naming the firewall, direction and rule or default that drops them.
 * Empty for an allowed flow.
 */
export function failureClauses(r: FlowResult, lines: Lines): string[] {
  if (r.verdict === 'allowed' || r.failed.length === 0) return [];
  const at = (within?: (b: Box) => Box | undefined) => {
    const d = whereDropped(r, within);
    return d ? { phase: d.phase, where: dropWords(d.hop, lines) } : undefined;
  };
  const out: string[] = [];
  const ported = r.flow.proto !== 'icmp';

  // Server ports of a service with several.
  if (ported && r.flow.serverPorts.size() > 1 && !r.blockedServerPorts.isEmpty() && !r.allowedServerPorts.isEmpty()) {
    const bad = r.blockedServerPorts;
    const d = at((b) => restrict(b, { dport: bad }));
    const ports = `server ${plural(bad.size(), 'port', 'ports')} ${bad.toString()}`;
    const ok =
      `${plural(r.allowedServerPorts.size(), 'port', 'ports')} ${r.allowedServerPorts.toString()} ` +
      `${plural(r.allowedServerPorts.size(), 'passes', 'pass')}`;
    out.push(
      d ? `the ${d.phase} ${d.phase === 'request' ? 'to' : 'from'} ${ports} is dropped at ${d.where}; ${ok}` : `${ports} fail; ${ok}`,
    );
  }
  // Client addresses, then server addresses: the prefixes that fail, for every connection or some.
  const addressClauses = (side: 'client' | 'server', all: AddrSet, ok: AddrSet, none: AddrSet, some: AddrSet) => {
    if (ok.equals(all) || none.equals(all) || some.equals(all)) return;
    const cut = (set: AddrSet) => (b: Box) => restrict(b, side === 'client' ? { src: set } : { dst: set });
    const towards = (phase: 'request' | 'response') => ((side === 'client') === (phase === 'request') ? 'from' : 'to');
    const noun = (set: AddrSet) => `${side} ${plural(set.size(), 'address', 'addresses')} ${formatAddrSet(set)}`;
    const parts: string[] = [];
    if (!none.isEmpty()) {
      const d = at(cut(none));
      parts.push(d ? `the ${d.phase} ${towards(d.phase)} ${noun(none)} is dropped at ${d.where}` : `${noun(none)} fail`);
    }
    if (!some.isEmpty()) {
      const d = at(cut(some));
      // Name the client ports that fail there when that is what differs.
      const ports = r.failed.reduce((acc, b) => (cut(some)(b) ? acc.union(b.sport) : acc), PortSet.EMPTY);
      const which =
        side === 'client' && ported && !ports.equals(r.flow.clientPorts)
          ? `client ${plural(ports.size(), 'port', 'ports')} ${ports.toString()} fail`
          : 'some connections fail';
      parts.push(`for ${noun(some)} ${which}${d ? `: the ${d.phase} is dropped at ${d.where}` : ''}`);
    }
    if (!ok.isEmpty()) parts.push(`${formatAddrSet(ok)} ${plural(ok.size(), 'passes', 'pass')}`);
    out.push(parts.join('; '));
  };
  if (r.flow.clientIsNetwork) {
    addressClauses('client', r.clientAddresses, r.allowedClientAddresses, r.blockedClientAddresses, r.partialClientAddresses);
  }
  addressClauses('server', r.serverAddresses, r.allowedServerAddresses, r.blockedServerAddresses, r.partialServerAddresses);
  // Client ports, at the client address the trace follows.
  if (r.response && !r.response.blockedClientPorts.isEmpty() && !r.response.allowedClientPorts.isEmpty()) {
    const a0 = r.clientAddresses.min()!;
    const bad = r.response.blockedClientPorts;
    const d = at((b) => restrict(b, { src: AddrSet.range(a0, a0), sport: bad }));
    const ports = `client ${plural(bad.size(), 'port', 'ports')} ${bad.toString()}`;
    const ok =
      `${plural(r.response.allowedClientPorts.size(), 'port', 'ports')} ${r.response.allowedClientPorts.toString()} ` +
      `${plural(r.response.allowedClientPorts.size(), 'passes', 'pass')}`;
    out.push(
      d ? `the ${d.phase} ${d.phase === 'request' ? 'from' : 'to'} ${ports} is dropped at ${d.where}; ${ok}` : `${ports} fail; ${ok}`,
    );
  }
  // Gateway ports of a flow through a NAT gateway (spec §6.1), when leg 2 is where some fail:
  // a connection dropped on leg 1 fails whatever port the gateway would pick.
  if (r.nat && ported && !r.nat.blockedGatewayPorts.isEmpty() && r.nat.leg2Failed.length > 0) {
    const bad = r.nat.blockedGatewayPorts;
    const ok = r.nat.allowedGatewayPorts;
    const d = at();
    const ports = `gateway \`${r.nat.gateway.name}\` ${plural(bad.size(), 'port', 'ports')} ${bad.toString()}`;
    const rest = ok.isEmpty()
      ? 'no gateway port passes'
      : `${plural(ok.size(), 'port', 'ports')} ${ok.toString()} ${plural(ok.size(), 'passes', 'pass')}`;
    out.push(d ? `connections through ${ports} fail: the ${d.phase} is dropped at ${d.where}; ${rest}` : `${ports} fail; ${rest}`);
  }
  if (out.length === 0) {
    const d = at();
    if (d) out.push(`the ${d.phase} is dropped at ${d.where}`);
  }
  return out;
}

function restrict(b: Box, cut: Partial<Pick<Box, 'src' | 'sport' | 'dst' | 'dport'>>): Box | undefined {
  const src = cut.src ? b.src.intersect(cut.src) : b.src;
  const sport = cut.sport ? b.sport.intersect(cut.sport) : b.sport;
  const dst = cut.dst ? b.dst.intersect(cut.dst) : b.dst;
  const dport = cut.dport ? b.dport.intersect(cut.dport) : b.dport;
  if (src.isEmpty() || sport.isEmpty() || dst.isEmpty() || dport.isEmpty()) return undefined;
  return { ...b, src, sport, dst, dport };
}

/**
 * Why a flow gets no verdict (spec §8.1 rule 5), for a person: the first error behind the
 * refusal with its line, and how many more there are.
 */
export function refusalReason(errors: readonly Diagnostic[], lines: Lines, model: Model, brief = false, count = errors.length): string {
  const first = errors[0];
  if (!first) return 'it does not parse';
  const file = fileOf(model, first);
  const where = `${isOwn(model, first) ? '' : `${baseName(file)}, `}line ${lines.line(file, first.span.start)}`;
  const more = count > 1 ? ` (and ${count - 1} more error${count > 2 ? 's' : ''})` : '';
  return brief ? `${first.code} error on ${where}${more}` : `${first.code} error on ${where}: ${first.message}${more}`;
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
