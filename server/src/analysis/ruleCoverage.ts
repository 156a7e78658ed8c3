// First-match coverage of each rule by the rules around it, exactly on boxes: which packets
// a rule really decides (its crossing match minus every earlier rule of its direction), which
// earlier rules take the rest, and what would decide its packets if it were gone.
// Shared by shadowed-rule and redundant-rule; computed once per firewall and direction.

import { RecentCache, sameDeclaration } from '../core/recent';
import type { Action, Direction } from '../syntax/ast';
import type { Firewall, ResolvedRule } from '../model/types';
import { type CompiledRule, crossingPairs, crossings, orderedRules } from '../engine/firewall';
import type { AddrSet } from '../core/intervals';
import { type Box, intersectBox, protoMask, subtractBoxes } from '../engine/packet';

/**
 * How far the box arithmetic may go for one rule before it gives up on the exact piece set
 * (then only what can still be settled is reported; nothing is guessed). Tests shrink these
 * to drive the fallbacks.
 */
export const LIMITS = {
  /** Above this many pieces (after merging) a walk stops keeping them. */
  pieces: 2000,
  /** Pieces are first merged once a set grows past this. */
  mergeAt: 64,
  /** Work allowed for settling an overflowed rule piece by piece (see `settle`). */
  settleSteps: 200_000,
};

/**
 * Every rule's whole extent as plain numbers (addresses rounded to doubles, which keeps
 * their order), for a cheap "can these two rules meet at all" test before any box arithmetic.
 * Packed in typed arrays: the test runs for every pair of rules of a direction.
 */
class Hulls {
  private readonly protos: Int32Array;
  /** Per rule: srcLo, srcHi, dstLo, dstHi, sportLo, sportHi, dportLo, dportHi. */
  private readonly bounds: Float64Array;

  constructor(rules: readonly CompiledRule[]) {
    this.protos = new Int32Array(rules.length);
    this.bounds = new Float64Array(rules.length * 8);
    const n = (x: bigint | number | undefined, empty: number) => (x === undefined ? empty : Number(x));
    rules.forEach((cr, i) => {
      const r = cr.rule;
      // An invalid rule, or one that matches nothing, meets no rule.
      this.protos[i] = !r.valid || cr.boxes.length === 0 ? 0 : protoMask(r.proto);
      const sets = [r.from.addresses, r.to.addresses, r.sport, r.dport] as const;
      sets.forEach((set, k) => {
        this.bounds[i * 8 + 2 * k] = n(set.min(), Infinity);
        this.bounds[i * 8 + 2 * k + 1] = n(set.max(), -Infinity);
      });
    });
  }

  /**
   * False when no packet can be in both rules. A necessary condition only: the box arithmetic
   * that follows is exact. (Rounding keeps order, so a gap seen in doubles is a real gap.)
   */
  meet(i: number, j: number): boolean {
    if ((this.protos[i]! & this.protos[j]!) === 0) return false;
    const b = this.bounds;
    const a0 = i * 8;
    const b0 = j * 8;
    for (let k = 0; k < 8; k += 2) {
      if (b[a0 + k]! > b[b0 + k + 1]! || b[b0 + k]! > b[a0 + k + 1]!) return false;
    }
    return true;
  }
}

export interface RuleCoverage {
  rule: ResolvedRule;
  /** Position in evaluation order within its direction. */
  position: number;
  /** The packets the rule matches that cross the firewall in its direction (§5.1). */
  crossing: Box[];
  /** True when the rule matches some packet, crossing or not. */
  matchesSomething: boolean;
  /** Earlier rules that decide some packet of `crossing`, in evaluation order. */
  coveredBy: CompiledRule[];
  /** What the rule itself decides; undefined when there were too many pieces to keep. */
  decided: Box[] | undefined;
  /** Whether the rule decides some packet: known even when `decided` is not, unless undefined. */
  live: boolean | undefined;
}

export interface DirectionCoverage {
  firewall: Firewall;
  direction: Direction;
  rules: CompiledRule[];
  hulls: Hulls;
  coverage: RuleCoverage[];
}

// Only the last two firewalls' coverages are kept (see RecentCache): the one being looked at and
// one more. Kept for four, each of the coverages an open makes outlived a young-generation
// collection, so V8 made every later one in the old generation (allocation-site pretenuring),
// where each edit's stayed as garbage: 7–12 MB more at the peak of 50 edits at 10,000 rules.
const cache = new RecentCache<Firewall, Partial<Record<Direction, DirectionCoverage>>>(2, sameDeclaration);

/** Small ids for set objects: pieces cut from one box share their untouched sets. */
class SetIds {
  private readonly ids = new Map<object, number>();

  of(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(o, id);
    }
    return id;
  }

  /** The box's identity in every dimension but `skip`. */
  key(b: Box, skip: number): string {
    return (
      (skip === 0 ? '' : b.protos) +
      '|' +
      (skip === 1 ? '' : this.of(b.src)) +
      '|' +
      (skip === 2 ? '' : this.of(b.sport)) +
      '|' +
      (skip === 3 ? '' : this.of(b.dst)) +
      '|' +
      (skip === 4 ? '' : this.of(b.dport))
    );
  }
}

function mergeInto(a: Box, b: Box, dim: number): Box {
  switch (dim) {
    case 0:
      return { ...a, protos: a.protos | b.protos };
    case 1:
      return { ...a, src: a.src.union(b.src) };
    case 2:
      return { ...a, sport: a.sport.union(b.sport) };
    case 3:
      return { ...a, dst: a.dst.union(b.dst) };
    default:
      return { ...a, dport: a.dport.union(b.dport) };
  }
}

/**
 * Merges disjoint boxes that agree in all but one dimension (their union is then one box).
 * Keeps the union of the set unchanged and the boxes disjoint. "Agree" is by object identity
 * of the sets (pieces cut from one box share them), which is cheap and enough in practice.
 */
function coalesce(boxes: Box[]): Box[] {
  let cur = boxes;
  const ids = new SetIds();
  for (let round = 0; round < 4; round++) {
    const before = cur.length;
    for (let dim = 0; dim < 5; dim++) {
      const groups = new Map<string, Box>();
      for (const b of cur) {
        const k = ids.key(b, dim);
        const g = groups.get(k);
        groups.set(k, g ? mergeInto(g, b, dim) : b);
      }
      if (groups.size < cur.length) cur = [...groups.values()];
    }
    if (cur.length === before) break;
  }
  return cur;
}

/** `rest` minus one rule's boxes; `hit` tells whether the rule met any of it. */
function subtractRule(rest: Box[], rule: CompiledRule): { rest: Box[]; hit: boolean } {
  let hit = false;
  let cur = rest;
  for (const rb of rule.boxes) {
    // subtractBoxes hands back its input when the box meets none of it.
    const next = subtractBoxes(cur, rb);
    if (next !== cur) hit = true;
    cur = next;
  }
  return { rest: cur, hit };
}

/**
 * Keeps the piece set of one walk small: merges pieces each time their number has doubled
 * since the last merge, and gives up (undefined) past `LIMITS.pieces`.
 */
class PieceBudget {
  private mergeAt = LIMITS.mergeAt;

  check(rest: Box[]): Box[] | undefined {
    if (rest.length <= this.mergeAt) return rest;
    const merged = coalesce(rest);
    if (merged.length > LIMITS.pieces) return undefined;
    this.mergeAt = Math.max(LIMITS.mergeAt, 2 * merged.length);
    return merged;
  }
}

/** The part of each box from `src` to `dst` (the engine's `crossing`, with the sides computed once). */
function crossingBoxes(src: AddrSet, dst: AddrSet, boxes: Box[]): Box[] {
  const out: Box[] = [];
  for (const b of boxes) {
    const c = intersectBox(b, { ...b, src, dst });
    if (c) out.push(c);
  }
  return out;
}

/**
 * What `packets` (decided by rule `at`) would get if rule `at` were removed: first match over
 * the rules after it, then the default. The walk stops at the first later rule that decides
 * some of them with another action than `action` (returned as `differs`).
 */
export function laterDecisions(
  dc: DirectionCoverage,
  at: number,
  packets: Box[],
  action: Action,
  skip?: ReadonlySet<number>,
): { deciders: CompiledRule[]; differs?: CompiledRule; byDefault: boolean; gaveUp?: boolean } {
  const deciders: CompiledRule[] = [];
  const budget = new PieceBudget();
  let rest = packets;
  for (let j = at + 1; j < dc.rules.length && rest.length > 0; j++) {
    const later = dc.rules[j]!;
    if (skip?.has(j) || !dc.hulls.meet(at, j)) continue;
    const r = subtractRule(rest, later);
    if (!r.hit) continue;
    if (later.rule.action !== action) return { deciders, differs: later, byDefault: false };
    deciders.push(later);
    const b = budget.check(r.rest);
    if (!b) return { deciders, byDefault: false, gaveUp: true };
    rest = b;
  }
  return { deciders, byDefault: rest.length > 0 };
}

/**
 * After an overflow at earlier rule `from - 1`: walks each remaining piece on its own through
 * the earlier rules `from..at-1`. Any piece left over proves the rule live; all pieces covered
 * proves it shadowed. Adds the rules that take some piece to `coveredBy`. Undefined when the
 * work budget runs out first.
 */
function settle(
  rules: CompiledRule[],
  hulls: Hulls,
  at: number,
  from: number,
  pieces: Box[],
  coveredBy: CompiledRule[],
): boolean | undefined {
  const seen = new Set(coveredBy);
  let steps = 0;
  for (const piece of pieces) {
    const budget = new PieceBudget();
    let rest: Box[] | undefined = [piece];
    for (let j = from; j < at && rest && rest.length > 0; j++) {
      if (!hulls.meet(at, j)) continue;
      steps += rest.length;
      if (steps > LIMITS.settleSteps) return undefined;
      const r = subtractRule(rest, rules[j]!);
      if (!r.hit) continue;
      if (!seen.has(rules[j]!)) {
        seen.add(rules[j]!);
        coveredBy.push(rules[j]!);
      }
      rest = budget.check(r.rest);
    }
    if (rest === undefined) return undefined;
    if (rest.length > 0) return true;
  }
  coveredBy.sort((x, y) => rules.indexOf(x) - rules.indexOf(y));
  return false;
}

/** Coverage of every rule of one direction of `fw`, in evaluation order. */
export function directionCoverage(fw: Firewall, direction: Direction): DirectionCoverage {
  let perFw = cache.get(fw);
  if (!perFw) {
    perFw = {};
    cache.set(fw, perFw);
  }
  const hit = perFw[direction];
  if (hit) return hit;
  const rules = orderedRules(fw, direction);
  const hulls = new Hulls(rules);
  // §5.1/§10: what crosses, as the engine says. One pair (a firewall of one inside, a security
  // group): the sides made once. An ACL of several subnets has one pair per subnet (a packet
  // between two of them crosses out of one and into the other): the engine's exact pieces.
  const pairs = crossingPairs(fw, direction);
  const one = pairs.length === 1 ? pairs[0]! : undefined;
  const coverage: RuleCoverage[] = rules.map((cr, i) => {
    const cross = one ? crossingBoxes(one.src, one.dst, cr.boxes) : cr.boxes.flatMap((b) => crossings(fw, direction, b));
    const coveredBy: CompiledRule[] = [];
    const budget = new PieceBudget();
    let rest: Box[] = cross;
    let overflow: { from: number; pieces: Box[] } | undefined;
    for (let j = 0; j < i && rest.length > 0; j++) {
      if (!hulls.meet(i, j)) continue;
      const r = subtractRule(rest, rules[j]!);
      if (!r.hit) continue;
      coveredBy.push(rules[j]!);
      const kept = budget.check(r.rest);
      if (!kept) {
        overflow = { from: j + 1, pieces: r.rest };
        break;
      }
      rest = kept;
    }
    const live = overflow ? settle(rules, hulls, i, overflow.from, overflow.pieces, coveredBy) : rest.length > 0;
    return {
      rule: cr.rule,
      position: i,
      crossing: cross,
      matchesSomething: cr.boxes.length > 0,
      coveredBy,
      decided: overflow ? (live === false ? [] : undefined) : rest,
      live,
    };
  });
  const dc: DirectionCoverage = { firewall: fw, direction, rules, hulls, coverage };
  perFw[direction] = dc;
  return dc;
}

/** True when no rule after `at` can meet it (so only the default would take its packets). */
export function nothingLaterMeets(dc: DirectionCoverage, at: number): boolean {
  for (let j = at + 1; j < dc.rules.length; j++) if (dc.hulls.meet(at, j)) return false;
  return true;
}

/**
 * What rule `at` decides when the rules in `removed` (earlier ones) are gone: its crossing
 * match minus the remaining earlier rules. Undefined when the analysis gives up.
 */
export function decidedWithout(dc: DirectionCoverage, at: number, removed: ReadonlySet<number>): Box[] | undefined {
  const budget = new PieceBudget();
  let rest: Box[] | undefined = dc.coverage[at]!.crossing;
  for (let j = 0; j < at && rest && rest.length > 0; j++) {
    if (removed.has(j)) continue;
    const earlier = dc.rules[j]!;
    if (!dc.hulls.meet(at, j)) continue;
    const r = subtractRule(rest, earlier);
    if (r.hit) rest = budget.check(r.rest);
  }
  return rest;
}
