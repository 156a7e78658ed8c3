// Exact packet sets for the §8.1 property tests, written from the spec (§5, §7) on top of the
// engine's boxes: what a firewall allows in each direction, what a change newly allows, the
// inverse of a rule, and the responses to what a firewall allows. Failures name one packet.

import { analyze, type Analysis } from '../../../server/src/analysis/analyze';
import type { Diagnostic, Fix } from '../../../server/src/core/diagnostic';
import { applyEdits } from '../../../server/src/core/edits';
import { formatAddress } from '../../../server/src/core/address';
import { crossings, decide } from '../../../server/src/engine/firewall';
import { PortSet } from '../../../server/src/core/intervals';
import {
  type Box,
  PORTED,
  intersectBox,
  makeBoxes,
  protoMask,
  protoName,
  subtractBoxes,
  universeBoxes,
} from '../../../server/src/engine/packet';
import { buildModel } from '../../../server/src/model/resolve';
import type { Firewall, Model, ResolvedRule } from '../../../server/src/model/types';
import type { Direction } from '../../../server/src/syntax/ast';

export const PATH = '/prop/advice.fw';
export const DIRECTIONS: Direction[] = ['inbound', 'outbound'];
export const opposite = (d: Direction): Direction => (d === 'inbound' ? 'outbound' : 'inbound');

export const model = (text: string): Model => buildModel(PATH, text);
export const analyzeText = (text: string): Analysis => analyze(model(text));

/** Every packet crossing `fw` in `d` (exactly: an ACL of several subnets crosses in pieces), cut by what decides it (§5). */
function decisions(fw: Firewall, d: Direction) {
  const space = universeBoxes().flatMap((b) => crossings(fw, d, b));
  return decide(fw, d, space);
}

export function allowed(fw: Firewall, d: Direction): Box[] {
  return decisions(fw, d)
    .filter((x) => x.action === 'allow')
    .map((x) => x.box);
}

export function denied(fw: Firewall, d: Direction): Box[] {
  return decisions(fw, d)
    .filter((x) => x.action === 'deny')
    .map((x) => x.box);
}

function intersectAll(a: Box[], b: Box[]): Box[] {
  const out: Box[] = [];
  for (const x of a)
    for (const y of b) {
      const c = intersectBox(x, y);
      if (c) out.push(c);
    }
  return out;
}

/** The packets `after` allows in `d` that `before` denied (both see the same inside). */
export function newlyAllowed(before: Firewall, after: Firewall, d: Direction): Box[] {
  if (!before.inside.equals(after.inside)) throw new Error(`the inside of ${after.name} changed`);
  return intersectAll(allowed(after, d), denied(before, d));
}

/** What of `inner` lies outside `outer`. */
export function outside(inner: Box[], outer: Box[]): Box[] {
  let rest = inner;
  for (const o of outer) {
    if (rest.length === 0) break;
    rest = subtractBoxes(rest, o);
  }
  return rest;
}

/** One packet of a box, readable: `tcp 10.0.0.2:80 -> 10.0.0.17:1024`. */
export function samplePacket(b: Box): string {
  const proto = protoName(b.protos & -b.protos);
  const ports = (b.protos & PORTED) !== 0;
  const at = (a: bigint, p: number | undefined) => `${formatAddress(a)}${ports ? `:${p}` : ''}`;
  return `${proto} ${at(b.src.min()!, b.sport.min())} -> ${at(b.dst.min()!, b.dport.min())}`;
}

export function describeBoxes(boxes: Box[], max = 3): string {
  const shown = boxes
    .slice(0, max)
    .map(
      (b) =>
        `${protoName(b.protos)} from ${b.src.count === 1 && b.src.min() === b.src.max() ? formatAddress(b.src.min()!) : rangesText(b.src)} port ${b.sport} to ${rangesText(b.dst)} port ${b.dport}`,
    );
  return shown.join('; ') + (boxes.length > max ? `; … (${boxes.length} pieces)` : '');
}

function rangesText(s: Box['src']): string {
  return [...s.ranges()].map(([lo, hi]) => (lo === hi ? formatAddress(lo) : `${formatAddress(lo)}-${formatAddress(hi)}`)).join(',');
}

// ---- §7 ---------------------------------------------------------------------------------

const BUILTIN_PROFILES: [number, number][] = [
  [32768, 60999],
  [49152, 65535],
  [1024, 65535],
];

/** The ephemeral ranges in use (§7): the built-in profiles and every range the file writes in an `ephemeral` declaration or clause. */
function rangesInUse(text: string): PortSet[] {
  const out = BUILTIN_PROFILES.map(([lo, hi]) => PortSet.range(lo, hi));
  for (const m of text.matchAll(/\bephemeral\s+(?:[A-Za-z_][\w-]*\s+)?(\d+)-(\d+)/g)) out.push(PortSet.range(Number(m[1]), Number(m[2])));
  return out;
}

function responseLike(rule: ResolvedRule, text: string): boolean {
  if (rule.node.to?.ports?.kind === 'service') return false;
  return rangesInUse(text).some((r) => 2 * rule.dport.intersect(r).size() >= r.size());
}

export type Kind = 'request' | 'response' | 'both';

/** §7 for an allow rule: request, response or both (undefined for deny and invalid rules). */
export function kindOf(rule: ResolvedRule, text: string): Kind | undefined {
  if (rule.action !== 'allow' || !rule.valid) return undefined;
  if (rule.proto !== 'tcp' && rule.proto !== 'udp') return 'both';
  const rl = responseLike(rule, text);
  if (rl && !rule.sport.isAll()) return 'response';
  if (!rl && !rule.dport.isAll()) return 'request';
  return 'both';
}

/** The client side's ports (§7): the rule's source ports if it names them (`port 0-65535` names none, §4), else its `from` endpoint's ephemeral range. */
export function clientPorts(rule: ResolvedRule): PortSet {
  return rule.sport.isAll() ? rule.from.ephemeral : rule.sport;
}

/** Responses to the packets of `requests`, the client side limited to `ports`; port-less protocols keep every port. */
function responsesTo(requests: Box[], ports: PortSet): Box[] {
  const out: Box[] = [];
  for (const b of requests) {
    if (b.protos & PORTED) {
      const dport = b.sport.intersect(ports);
      if (!dport.isEmpty()) out.push({ protos: b.protos & PORTED, src: b.dst, sport: b.dport, dst: b.src, dport });
    }
    if (b.protos & ~PORTED) out.push({ protos: b.protos & ~PORTED, src: b.dst, sport: PortSet.ALL, dst: b.src, dport: PortSet.ALL });
  }
  return out;
}

/** The inverse of a rule as written (§7), in the opposite direction of the rule. */
export function inverse(rule: ResolvedRule): Box[] {
  if (!rule.valid) return [];
  return responsesTo(makeBoxes(protoMask(rule.proto), rule.from.addresses, rule.sport, rule.to.addresses, rule.dport), clientPorts(rule));
}

/**
 * The responses to the requests `fw` allows in the direction opposite to `d`: each allowed
 * packet that a request or both allow rule matches, inverted, the client port within that
 * rule's client ports. (Any such rule, not only the one that decides the packet: when an
 * `all` rule comes first, a later `port 80` rule still says which ports its clients use.)
 * What `default allow` lets through has no rule to name client ports: any port.
 */
export function responsesToAllowed(fw: Firewall, d: Direction, text: string): Box[] {
  const out: Box[] = [];
  const requests = decisions(fw, opposite(d)).filter((x) => x.action === 'allow');
  for (const x of requests) if (!x.rule) out.push(...responsesTo([x.box], PortSet.ALL));
  const boxes = requests.map((x) => x.box);
  for (const q of fw.rules) {
    if (q.direction !== opposite(d)) continue;
    const kind = kindOf(q, text);
    if (kind !== 'request' && kind !== 'both') continue;
    const matched = intersectAll(boxes, makeBoxes(protoMask(q.proto), q.from.addresses, q.sport, q.to.addresses, q.dport));
    out.push(...responsesTo(matched, clientPorts(q)));
  }
  return out;
}

/**
 * `boxes` from any source port: on a platform that cannot match source ports (§10, an
 * aws-nacl) the only possible response rule also takes every port of the server's side
 * (§8.1 rule 1).
 */
export function anySourcePort(fw: Firewall, boxes: Box[]): Box[] {
  if (fw.platform !== 'aws-nacl') return boxes;
  return boxes.map((b) => ((b.protos & PORTED) !== 0 ? { ...b, sport: PortSet.ALL } : b));
}

/** The inverses (§7, as written) of the request and both allow rules of `fw` in the direction opposite to `d`. */
export function inversesOfRequests(fw: Firewall, d: Direction, text: string): Box[] {
  return fw.rules
    .filter((q) => q.direction === opposite(d) && ['request', 'both'].includes(kindOf(q, text) ?? ''))
    .flatMap((q) => inverse(q));
}

// ---- diagnostics, fixes, texts ------------------------------------------------------------

/** The rule a diagnostic is on (its span lies within the rule's), with its firewall. */
export function ruleOf(m: Model, d: Diagnostic): { fw: Firewall; rule: ResolvedRule } | undefined {
  if (d.file && d.file !== m.root) return undefined;
  for (const fw of m.firewalls) {
    for (const rule of fw.rules) {
      if (rule.file === m.root && rule.node.span.start <= d.span.start && d.span.end <= rule.node.span.end) return { fw, rule };
    }
  }
  return undefined;
}

export function applyFix(text: string, fix: Fix): string {
  return applyEdits(text, fix.edits).text;
}

export function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

export function numbered(text: string): string {
  return text
    .split('\n')
    .map((l, i) => `${String(i + 1).padStart(2)}| ${l}`)
    .join('\n');
}

/** Errors other than failing flows: a file that has them is not the file that was meant. */
export function errors(ds: Diagnostic[]): Diagnostic[] {
  return ds.filter((d) => d.severity === 'error' && d.code !== 'flow-expectation');
}

/**
 * Checks that everything each firewall of `after` newly allows (against `before`) lies in
 * `allowedNew(fw, d)`; returns a readable complaint for the first packet that does not.
 */
export function opensOnly(before: Model, after: Model, allowedNew: (fw: Firewall, d: Direction) => Box[]): string | undefined {
  for (const fa of after.firewalls) {
    const fb = before.firewalls.find((f) => f.name === fa.name);
    if (!fb) return `firewall ${fa.name} is new`;
    for (const d of DIRECTIONS) {
      const fresh = newlyAllowed(fb, fa, d);
      if (fresh.length === 0) continue;
      const bad = outside(fresh, allowedNew(fb, d));
      if (bad.length > 0)
        return `${fa.name} newly allows ${d} ${samplePacket(bad[0]!)} (newly allowed and not permitted: ${describeBoxes(bad)})`;
    }
  }
  return undefined;
}
