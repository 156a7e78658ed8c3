// One firewall, one packet class: which packets cross it in which direction, and which
// rule (or the default) decides each of them — spec §5, computed exactly on boxes.

import type { Action, Direction } from '../syntax/ast';
import type { Firewall, ResolvedRule, SecurityGroupSet } from '../model/types';
import { AddrSet } from '../core/intervals';
import { type Box, type Packet, boxContains, intersectBox, makeBoxes, protoMask, pushDifference, subtractBoxes } from './packet';

export interface CompiledRule {
  rule: ResolvedRule;
  /** What the rule matches (empty for an invalid rule). */
  boxes: Box[];
  /** The security group the rule belongs to, when it is another group's of the same members (§10). */
  group?: Firewall;
}

/** A piece of a packet class and what decided it. `rule` undefined means the default. */
export interface Decision {
  box: Box;
  action: Action;
  rule?: ResolvedRule;
  /** The security group whose rule decided, when it is another of the same members (§10). */
  group?: Firewall;
}

const compiled = new WeakMap<Firewall, Record<Direction, CompiledRule[]>>();

export function ruleBoxes(rule: ResolvedRule): Box[] {
  if (!rule.valid) return [];
  return makeBoxes(protoMask(rule.proto), rule.from.addresses, rule.sport, rule.to.addresses, rule.dport);
}

/**
 * What a rule of `fw` matches at `fw`. AWS matches only the remote side of a platform's rule
 * (spec §10): an inside side that holds the whole inside matches every address (packets bound
 * for a NAT gateway inside carry the internet server as their destination). An inside side that
 * holds less is `platform-unsupported` and is kept as written.
 */
function rulePackets(fw: Firewall, rule: ResolvedRule): Box[] {
  if (!fw.platform || !rule.valid) return ruleBoxes(rule);
  const side = rule.direction === 'inbound' ? 'to' : 'from';
  if (!fw.inside.isSubsetOf(rule[side].addresses)) return ruleBoxes(rule);
  const from = side === 'from' ? AddrSet.ALL : rule.from.addresses;
  const to = side === 'to' ? AddrSet.ALL : rule.to.addresses;
  return makeBoxes(protoMask(rule.proto), from, rule.sport, to, rule.dport);
}

/** The rules of one direction in evaluation order: ascending number, else file order. */
export function orderedRules(fw: Firewall, direction: Direction): CompiledRule[] {
  let c = compiled.get(fw);
  if (!c) {
    const make = (d: Direction): CompiledRule[] => {
      const rules = fw.rules.filter((r) => r.direction === d);
      const numbered = rules.every((r) => r.number !== undefined);
      if (numbered) rules.sort((a, b) => a.number! - b.number! || a.index - b.index);
      return rules.map((rule) => ({ rule, boxes: rulePackets(fw, rule) }));
    };
    c = { inbound: make('inbound'), outbound: make('outbound') };
    compiled.set(fw, c);
  }
  return c[direction];
}

/**
 * The (source, destination) address pairs that cross `fw` in `direction` (§5.1), as boxes of
 * addresses. A generic firewall and an aws-nacl have insides (one per associated subnet for an
 * ACL): a packet crosses one inbound when its destination is in it and its source is not, and
 * outbound the other way round, so traffic between two subnets of one ACL crosses it twice.
 * An aws-sg's members each sit behind their own copy (§10): a packet to a member crosses inbound
 * and one from a member outbound, whoever is at the other end, so traffic between two members
 * crosses the group twice. (A member talking to its own address crosses nothing; that diagonal
 * is not a box and is left in: no flow goes from an address to itself.)
 */
export function crossingPairs(fw: Firewall, direction: Direction): { src: AddrSet; dst: AddrSet }[] {
  let c = pairs.get(fw);
  if (!c) {
    const make = (d: Direction) => {
      if (fw.platform === 'aws-sg') return [d === 'inbound' ? { src: AddrSet.ALL, dst: fw.inside } : { src: fw.inside, dst: AddrSet.ALL }];
      return fw.insides
        .filter((inside) => !inside.isEmpty())
        .map((inside) => {
          const outside = AddrSet.ALL.subtract(inside);
          return d === 'inbound' ? { src: outside, dst: inside } : { src: inside, dst: outside };
        });
    };
    c = { inbound: make('inbound'), outbound: make('outbound') };
    pairs.set(fw, c);
  }
  return c[direction];
}

const pairs = new WeakMap<Firewall, Record<Direction, { src: AddrSet; dst: AddrSet }[]>>();

/** The part of a box that crosses `fw` in `direction` (§5.1), exactly: disjoint pieces. */
export function crossings(fw: Firewall, direction: Direction, box: Box): Box[] {
  let out: Box[] = [];
  for (const pair of crossingPairs(fw, direction)) {
    const hit = intersectBox(box, { ...box, ...pair });
    if (!hit) continue;
    // Subnets that overlap (`protects 10.0.0.0/16, 10.0.1.0/24`) give overlapping pieces.
    out = subtractBoxes(out, hit).concat([hit]);
  }
  return out;
}

/**
 * Whether some of a (non-empty) box crosses `fw` in `direction` (§5.1): `crossings` is not
 * empty. Asked of every firewall for every flow, so the outsides are not made: some source
 * outside an inside is a source set not within it.
 */
export function crossesSome(fw: Firewall, direction: Direction, box: Box): boolean {
  const inbound = direction === 'inbound';
  if (fw.platform === 'aws-sg') return (inbound ? box.dst : box.src).intersects(fw.inside);
  return fw.insides.some((inside) =>
    inbound ? box.dst.intersects(inside) && !box.src.isSubsetOf(inside) : box.src.intersects(inside) && !box.dst.isSubsetOf(inside),
  );
}

/**
 * The part of a box that crosses `fw` in `direction` (§5.1) as one box: exact for a firewall
 * with one inside and for an aws-sg; for an ACL of several subnets, the smallest box holding
 * the exact pieces (`crossings`), which is what the per-rule analyses need.
 */
export function crossing(fw: Firewall, direction: Direction, box: Box): Box | undefined {
  const pieces = crossings(fw, direction, box);
  if (pieces.length <= 1) return pieces[0];
  const src = pieces.reduce((a, b) => a.union(b.src), AddrSet.EMPTY);
  const dst = pieces.reduce((a, b) => a.union(b.dst), AddrSet.EMPTY);
  return { ...pieces[0]!, src, dst };
}

const grouped = new WeakMap<Firewall, Record<Direction, CompiledRule[]>>();
const asPeer = new WeakMap<Firewall, Record<Direction, CompiledRule[]>>();

/** The other aws-sg firewalls that share members with `fw` (spec §10), in declaration order. */
export function peersOf(fw: Firewall): Firewall[] {
  return fw.securityGroups?.members.filter((m) => m !== fw) ?? [];
}

/** The rules of the aws-sg `group` as another group of its members judges with them: each kept to its members. */
function peerRules(group: Firewall, direction: Direction): CompiledRule[] {
  let c = asPeer.get(group);
  if (!c) {
    const make = (d: Direction): CompiledRule[] => {
      const member = d === 'inbound' ? 'dst' : 'src';
      return orderedRules(group, d).map((cr) => {
        const boxes = cr.boxes.flatMap((b) => {
          const m = b[member].intersect(group.inside);
          return m.isEmpty() ? [] : [{ ...b, [member]: m }];
        });
        return { rule: cr.rule, boxes, group };
      });
    };
    c = { inbound: make('inbound'), outbound: make('outbound') };
    asPeer.set(group, c);
  }
  return c[direction];
}

/**
 * Calls `f` with each of judgingRules(fw, direction), in order, without making or keeping the
 * list: an export writes each group's rules once (a thousand groups on one address would keep
 * a thousand lists of a thousand groups' rules).
 */
export function eachJudgingRule(fw: Firewall, direction: Direction, f: (cr: CompiledRule) => void): void {
  for (const cr of orderedRules(fw, direction)) f(cr);
  if (!fw.securityGroups) return;
  for (const group of peersOf(fw)) for (const cr of peerRules(group, direction)) f(cr);
}

/**
 * Calls `f` with the rules of every group of `set` as its peers judge with them (each kept to its
 * own members), the groups in declaration order. For a group of the set, these and its own rules
 * judge exactly as judgingRules does: its own rules kept to its members come after its own rules
 * unchanged, and match nothing those did not (allow rules only: order does not matter).
 */
export function eachGroupRule(set: SecurityGroupSet, direction: Direction, f: (cr: CompiledRule) => void): void {
  for (const group of set.members) for (const cr of peerRules(group, direction)) f(cr);
}

/**
 * The rules that judge packets crossing `fw`: its own, and for an aws-sg those of the other
 * groups of the same members, each kept to its own members (spec §10: one group whose rules are
 * the union of theirs; allow rules only, so their order does not matter).
 */
export function judgingRules(fw: Firewall, direction: Direction): CompiledRule[] {
  if (!fw.securityGroups) return orderedRules(fw, direction);
  let c = grouped.get(fw);
  if (!c) {
    // A group's rules as a peer are made once, not once per group it is a peer of.
    const make = (d: Direction): CompiledRule[] => [...orderedRules(fw, d), ...peersOf(fw).flatMap((group) => peerRules(group, d))];
    c = { inbound: make('inbound'), outbound: make('outbound') };
    grouped.set(fw, c);
  }
  return c[direction];
}

const deciding = new WeakMap<Firewall, Record<Direction, CompiledRule[]>>();
const peerKeys = new WeakMap<CompiledRule[], string>();

/**
 * What a rule matches, as text: two rules with the same key match the same packets. Not kept:
 * its callers keep what they work out from it, and a key per compiled rule, kept for the rule's
 * life, was 4 MB of strings at 10,000 rules.
 */
export function boxesKey(cr: CompiledRule): string {
  return keyOfBoxes(cr.boxes);
}

/** Some boxes as text: the same text, the same boxes in the same order. */
export function keyOfBoxes(boxes: readonly Box[]): string {
  return boxes
    .map((b) => `${b.protos}/${b.src.bounds.join(',')}/${b.sport.bounds.join(',')}/${b.dst.bounds.join(',')}/${b.dport.bounds.join(',')}`)
    .join(';');
}

const judgedKeys = new WeakMap<Firewall, Partial<Record<Direction, string>>>();
const headKeys = new WeakMap<Firewall, string>();

/**
 * Its platform, default and insides, as text: made once per firewall (both directions and
 * ownKey start with it; written out, an address set's bounds are bigints turned to text).
 */
function headKey(fw: Firewall): string {
  let k = headKeys.get(fw);
  if (k === undefined) {
    const inside = fw.inside.bounds.join(',');
    const parts = [fw.platform ?? '', fw.defaultAction, inside, ...fw.insides.map((i) => (i === fw.inside ? inside : i.bounds.join(',')))];
    k = parts.join('|');
    headKeys.set(fw, k);
  }
  return k;
}

/**
 * Everything the crossings and decisions of `fw` in `direction` are computed from, as a string:
 * which pairs cross (the insides), the rules that judge them in order (each one's action and
 * packets, as compiled) and the default. Two firewalls with equal keys decide every packet of
 * that direction alike (a copy of a group pasted a hundred times is one group to look at).
 */
export function judgedKey(fw: Firewall, direction: Direction): string {
  let keys = judgedKeys.get(fw);
  if (!keys) judgedKeys.set(fw, (keys = {}));
  let k = keys[direction];
  if (k === undefined) {
    const parts: string[] = [headKey(fw)];
    const rules = judgingRules(fw, direction);
    keyWork.rules += rules.length;
    for (const cr of rules) parts.push(`${cr.rule.action}:${boxesKey(cr)}`);
    k = parts.join('\n');
    keys[direction] = k;
  }
  return k;
}

/** Rule keys written by the keys below (for the tests that count how that work grows). */
export const keyWork = { rules: 0 };

const judgedRulesKeys = new WeakMap<CompiledRule[], string>();

/** `rules` as text, one line per rule: its action and what it matches (made once per list). */
function judgedRulesKey(rules: CompiledRule[]): string {
  let k = judgedRulesKeys.get(rules);
  if (k === undefined) {
    keyWork.rules += rules.length;
    k = rules.map((cr) => `${cr.rule.action}:${boxesKey(cr)}`).join('\n');
    judgedRulesKeys.set(rules, k);
  }
  return k;
}

const setKeys = new WeakMap<SecurityGroupSet, Partial<Record<Direction, string>>>();
const setPlaces = new WeakMap<SecurityGroupSet, Map<Firewall, number>>();
const setsAlike = new WeakMap<SecurityGroupSet, WeakMap<SecurityGroupSet, Partial<Record<Direction, boolean>>>>();

/** Every member's rules as a peer (judgingRules of the others), in the set's order, as text. */
function setKey(set: SecurityGroupSet, direction: Direction): string {
  let keys = setKeys.get(set);
  if (!keys) setKeys.set(set, (keys = {}));
  return (keys[direction] ??= set.members.map((m) => judgedRulesKey(peerRules(m, direction))).join('\n\u0001'));
}

function placeIn(set: SecurityGroupSet, fw: Firewall): number {
  let places = setPlaces.get(set);
  if (!places) setPlaces.set(set, (places = new Map(set.members.map((m, i) => [m, i]))));
  return places.get(fw) ?? -1;
}

function sameSets(a: SecurityGroupSet, b: SecurityGroupSet, direction: Direction): boolean {
  let byB = setsAlike.get(a);
  if (!byB) setsAlike.set(a, (byB = new WeakMap()));
  let r = byB.get(b);
  if (!r) byB.set(b, (r = {}));
  return (r[direction] ??= setKey(a, direction) === setKey(b, direction));
}

/** The same bounds: the same set of addresses or ports. */
function sameBounds(a: readonly (number | bigint)[], b: readonly (number | bigint)[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * headKey(a) === headKey(b), compared without writing either: the same platform, default,
 * inside and insides (all that headKey writes: an aws-nacl's insides come from the texts of
 * what it protects, so they are compared besides the inside, not taken for its parts). check
 * --fix asks it of every firewall of each version it tries, and writing the firewalls' text (an
 * address set's bigints among it) was a quarter of the guard's time (fuzz document 309 of seed
 * 3101).
 */
function sameHead(a: Firewall, b: Firewall): boolean {
  if ((a.platform ?? '') !== (b.platform ?? '') || a.defaultAction !== b.defaultAction) return false;
  if (!sameBounds(a.inside.bounds, b.inside.bounds) || a.insides.length !== b.insides.length) return false;
  for (let i = 0; i < a.insides.length; i++) if (!sameBounds(a.insides[i]!.bounds, b.insides[i]!.bounds)) return false;
  return true;
}

/** judgedRulesKey(a) === judgedRulesKey(b), compared rule by rule, to the first difference. */
function sameRules(a: readonly CompiledRule[], b: readonly CompiledRule[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.rule.action !== y.rule.action || x.boxes.length !== y.boxes.length) return false;
    for (let j = 0; j < x.boxes.length; j++) {
      const p = x.boxes[j]!;
      const q = y.boxes[j]!;
      if (p === q) continue;
      if (p.protos !== q.protos) return false;
      if (!sameBounds(p.src.bounds, q.src.bounds) || !sameBounds(p.sport.bounds, q.sport.bounds)) return false;
      if (!sameBounds(p.dst.bounds, q.dst.bounds) || !sameBounds(p.dport.bounds, q.dport.bounds)) return false;
    }
  }
  return true;
}

/**
 * judgedKey(a, direction) === judgedKey(b, direction) when this is true (it may be false for
 * two that are judged alike): the same platform, default and insides, the same own rules, and
 * for security groups the same place in sets whose members' rules are the same, in order (so
 * the peers, every member but itself, are the same). A set's text is written and compared once,
 * not within each member's key: a thousand groups on one address wrote a thousand keys of a
 * thousand groups' rules to compare each version of a fix (fuzz document 30150 of seed 1136).
 */
export function judgedAlike(a: Firewall, b: Firewall, direction: Direction): boolean {
  if (!sameHead(a, b)) return false;
  const sa = a.securityGroups;
  const sb = b.securityGroups;
  if (!sa !== !sb) return judgedKey(a, direction) === judgedKey(b, direction);
  if (!sameRules(orderedRules(a, direction), orderedRules(b, direction))) return false;
  if (!sa || !sb) return true;
  return placeIn(sa, a) === placeIn(sb, b) && sameSets(sa, sb, direction);
}

const ownKeys = new WeakMap<Firewall, string>();
const kindKeys = new WeakMap<Firewall, string>();

/** A firewall as written (its insides, default and own rules both ways), as a string. */
function ownKey(fw: Firewall): string {
  let k = ownKeys.get(fw);
  if (k === undefined) {
    const rules = (d: Direction) => orderedRules(fw, d).map((cr) => `${cr.rule.action}:${boxesKey(cr)}`);
    k = [`${fw.mode}|${headKey(fw)}`, ...rules('inbound'), '', ...rules('outbound')].join('\n');
    ownKeys.set(fw, k);
  }
  return k;
}

/**
 * Two firewalls with the same kind decide every packet alike, both ways: the same as written,
 * and (security groups, spec §10) the same kinds of groups beside them on the same members,
 * whose allow rules join theirs. Not judgedKey: that spells out every peer's rules, and a group
 * pasted 600 times has 599 peers (600 keys of 599 groups' rules each).
 */
export function decisionKind(fw: Firewall): string {
  let k = kindKeys.get(fw);
  if (k === undefined) {
    k = ownKey(fw);
    const set = fw.securityGroups;
    if (set) k += `\n\u0000${peerKinds(set, k)}`;
    kindKeys.set(fw, k);
  }
  return k;
}

/** Per set of groups: how many members have each own key, and the keys sorted and joined (with and without one). */
const setKinds = new WeakMap<SecurityGroupSet, { counts: Map<string, number>; sorted: string[]; joined: Map<string, string> }>();

/**
 * The distinct own keys of the peers of a member whose own key is `own`, sorted and joined:
 * the set's keys, less `own` when that member is the only one with it. Worked out per set,
 * not per member (a thousand copies of a group would each list the other 999).
 */
function peerKinds(set: SecurityGroupSet, own: string): string {
  let s = setKinds.get(set);
  if (!s) {
    const counts = new Map<string, number>();
    for (const m of set.members) {
      const key = ownKey(m);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    s = { counts, sorted: [...counts.keys()].sort(), joined: new Map() };
    setKinds.set(set, s);
  }
  const without = s.counts.get(own) === 1 ? own : '';
  let j = s.joined.get(without);
  if (j === undefined) {
    j = (without ? s.sorted.filter((key) => key !== without) : s.sorted).join('\n\u0001');
    s.joined.set(without, j);
  }
  return j;
}

/** The keys of a list of rules, in order. */
function rulesKey(rules: CompiledRule[]): string {
  let k = peerKeys.get(rules);
  if (k === undefined) {
    k = rules.map(boxesKey).join('\n');
    peerKeys.set(rules, k);
  }
  return k;
}

/**
 * judgingRules less each rule whose boxes are those of a rule before it: first match gives that
 * rule nothing, whatever its action, so every decision is the same without it. Hundreds of copies
 * of a security group are each other's peers (every decision went through every copy's rules),
 * and a pasted rule may be there a thousand times.
 */
function decidingRules(fw: Firewall, direction: Direction): CompiledRule[] {
  let c = deciding.get(fw);
  if (!c) {
    const make = (d: Direction): CompiledRule[] => {
      const own = orderedRules(fw, d);
      const seen = new Set<string>();
      const out: CompiledRule[] = [];
      for (const cr of own) {
        const k = boxesKey(cr);
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(cr);
      }
      if (!fw.securityGroups) return out.length === own.length ? own : out;
      // Then the rules of the groups it shares members with, as the set of groups has them.
      // Its own among them (kept to its members) come after its own rules and never decide.
      for (const cr of groupRules(fw.securityGroups, d)) if (!seen.has(cr.key)) out.push(cr.rule);
      return out;
    };
    c = { inbound: make('inbound'), outbound: make('outbound') };
    deciding.set(fw, c);
  }
  return c[direction];
}

const setRules = new WeakMap<SecurityGroupSet, Record<Direction, { rule: CompiledRule; key: string }[]>>();

/**
 * The rules of every group of `set`, each kept to its members, less those with the boxes of
 * a rule before them (first match gives them nothing) and a group with the rules of one
 * before it: once per set, for all its members (a thousand copies of a group on one address
 * are each other's peers).
 */
function groupRules(set: SecurityGroupSet, direction: Direction): { rule: CompiledRule; key: string }[] {
  let c = setRules.get(set);
  if (!c) {
    const make = (d: Direction) => {
      const seen = new Set<string>();
      const groupsSeen = new Set<string>();
      const out: { rule: CompiledRule; key: string }[] = [];
      for (const group of set.members) {
        const rules = peerRules(group, d);
        const k = rulesKey(rules);
        if (groupsSeen.has(k)) continue;
        groupsSeen.add(k);
        for (const cr of rules) {
          const key = boxesKey(cr);
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({ rule: cr, key });
        }
      }
      return out;
    };
    c = { inbound: make('inbound'), outbound: make('outbound') };
    setRules.set(set, c);
  }
  return c[direction];
}

/** First match wins over `rules` (in order); what no rule takes gets `fallback`. */
export function firstMatch(rules: Iterable<CompiledRule>, boxes: Box[], fallback: Action): Decision[] {
  const out: Decision[] = [];
  let rest = boxes;
  for (const cr of rules) {
    if (rest.length === 0) break;
    for (const rb of cr.boxes) {
      const next: Box[] = [];
      for (const b of rest) {
        const hit = intersectBox(b, rb);
        if (!hit) {
          next.push(b);
          continue;
        }
        out.push(
          cr.group
            ? { box: hit, action: cr.rule.action, rule: cr.rule, group: cr.group }
            : { box: hit, action: cr.rule.action, rule: cr.rule },
        );
        pushDifference(next, b, rb, hit);
      }
      rest = next;
    }
  }
  for (const b of rest) out.push({ box: b, action: fallback });
  return out;
}

/** §5 for a class of packets crossing `fw` in `direction`: the ordered rules, then the default. */
export function decide(fw: Firewall, direction: Direction, boxes: Box[]): Decision[] {
  return firstMatch(decidingRules(fw, direction), boxes, fw.defaultAction);
}

/** The rule (or default) that decides one concrete packet in one direction. */
export function decidePacket(fw: Firewall, direction: Direction, p: Packet): { action: Action; rule?: ResolvedRule; group?: Firewall } {
  for (const cr of decidingRules(fw, direction)) {
    if (cr.boxes.some((b) => boxContains(b, p))) return { action: cr.rule.action, rule: cr.rule, ...(cr.group ? { group: cr.group } : {}) };
  }
  return { action: fw.defaultAction };
}

/**
 * The ways this packet crosses `fw`, in the order it does: out of the sender's side first, then
 * into the receiver's. Two for traffic between two subnets of one ACL or two members of one
 * security group (§10); at most one for a generic firewall.
 */
export function packetDirections(fw: Firewall, p: Packet): Direction[] {
  const crosses = (d: Direction) => crossingPairs(fw, d).some((pair) => pair.src.contains(p.src) && pair.dst.contains(p.dst));
  if (fw.platform === 'aws-sg' && p.src === p.dst) return [];
  return (['outbound', 'inbound'] as const).filter(crosses);
}

/** The firewalls a trace has judged a packet at so far, by direction. */
export type Judged = Record<Direction, Set<Firewall>>;

export function noneJudged(): Judged {
  return { inbound: new Set(), outbound: new Set() };
}

/**
 * Whether `fw` is an aws-sg already judged, as one group, in the same direction by another of
 * the same members earlier on a trace (`judged`): the group is crossed once, not once per group.
 * (A set per direction: 600 copies of a group on a path of 1,500 firewalls made a list quadratic.)
 */
export function judgedAsGroup(fw: Firewall, direction: Direction, judged: Judged): boolean {
  const set = fw.securityGroups;
  if (!set) return false;
  for (const p of judged[direction]) if (p !== fw && set.has.has(p)) return true;
  return false;
}

/** Does this packet cross `fw`, and which way (the first way, when it crosses twice)? */
export function packetDirection(fw: Firewall, p: Packet): Direction | undefined {
  return packetDirections(fw, p)[0];
}
