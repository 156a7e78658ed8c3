// The rules of one direction of one firewall, indexed so that "which rules can touch this
// packet class" costs far less than a scan of every rule. The first-match evaluation over
// those candidates gives exactly what the engine's decide() gives over all rules: a rule
// that meets no box of the class neither decides nor cuts anything.

import type { Action } from '../syntax/ast';
import { type CompiledRule, type Decision, firstMatch } from '../engine/firewall';
import { type Box, intersectBox, subtractBoxes } from '../engine/packet';

function bitLength(x: bigint): number {
  let n = 0;
  while (x >= 0x100000000n) {
    x >>= 32n;
    n += 32;
  }
  let y = Number(x);
  while (y > 0) {
    y = Math.floor(y / 2);
    n++;
  }
  return n;
}

/** The smallest aligned block [base, base + 2^level) holding [lo, hi]. */
function blockOf(lo: bigint, hi: bigint): { level: number; base: bigint } {
  const level = bitLength(lo ^ hi);
  return { level, base: (lo >> BigInt(level)) << BigInt(level) };
}

/**
 * Address hulls filed by their aligned block. Two aligned blocks either nest or are
 * disjoint, so the entries whose block meets a query block are its ancestors (one bucket
 * per level) and its descendants (a range of the entries sorted by their low end).
 */
class BlockIndex {
  private readonly byLevel = new Map<number, Map<bigint, number[]>>();
  private levels: number[] = [];
  private readonly items: { lo: bigint; level: number; id: number }[] = [];

  add(id: number, lo: bigint, hi: bigint): void {
    const { level, base } = blockOf(lo, hi);
    let m = this.byLevel.get(level);
    if (!m) this.byLevel.set(level, (m = new Map()));
    const bucket = m.get(base);
    if (bucket) bucket.push(id);
    else m.set(base, [id]);
    this.items.push({ lo: base, level, id });
  }

  finish(): void {
    this.items.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    this.levels = [...this.byLevel.keys()].sort((a, b) => a - b);
  }

  private firstAtLeast(x: bigint): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid]!.lo < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Visits every id whose block meets [lo, hi]'s block; returns how many (an upper bound if `visit` is absent). */
  query(lo: bigint, hi: bigint, visit?: (id: number) => void): number {
    const q = blockOf(lo, hi);
    let n = 0;
    for (const level of this.levels) {
      if (level < q.level) continue;
      const bucket = this.byLevel.get(level)!.get((q.base >> BigInt(level)) << BigInt(level));
      if (!bucket) continue;
      n += bucket.length;
      if (visit) for (const id of bucket) visit(id);
    }
    const end = q.base + (1n << BigInt(q.level));
    const from = this.firstAtLeast(q.base);
    const to = this.firstAtLeast(end);
    if (!visit) return n + (to - from);
    for (let i = from; i < to; i++) {
      const it = this.items[i]!;
      if (it.level < q.level) {
        visit(it.id);
        n++;
      }
    }
    return n;
  }
}

interface Entry {
  pos: number;
  protos: number;
  srcLo: bigint;
  srcHi: bigint;
  dstLo: bigint;
  dstHi: bigint;
  spLo: number;
  spHi: number;
  dpLo: number;
  dpHi: number;
}

function hull(b: Box): Omit<Entry, 'pos'> {
  return {
    protos: b.protos,
    srcLo: b.src.min()!,
    srcHi: b.src.max()!,
    dstLo: b.dst.min()!,
    dstHi: b.dst.max()!,
    spLo: b.sport.min()!,
    spHi: b.sport.max()!,
    dpLo: b.dport.min()!,
    dpHi: b.dport.max()!,
  };
}

function meets(e: Omit<Entry, 'pos'>, q: Omit<Entry, 'pos'>): boolean {
  return (
    (e.protos & q.protos) !== 0 &&
    e.dpLo <= q.dpHi &&
    q.dpLo <= e.dpHi &&
    e.spLo <= q.spHi &&
    q.spLo <= e.spHi &&
    e.srcLo <= q.srcHi &&
    q.srcLo <= e.srcHi &&
    e.dstLo <= q.dstHi &&
    q.dstLo <= e.dstHi
  );
}

/** The ordered rules of one direction, with a candidate index over their boxes. */
export class RuleSpace {
  private readonly entries: Entry[] = [];
  private readonly src = new BlockIndex();
  private readonly dst = new BlockIndex();

  constructor(readonly rules: readonly CompiledRule[]) {
    rules.forEach((cr, pos) => {
      for (const b of cr.boxes) {
        if (b.src.isEmpty() || b.dst.isEmpty() || b.sport.isEmpty() || b.dport.isEmpty()) continue;
        const id = this.entries.length;
        const e = { pos, ...hull(b) };
        this.entries.push(e);
        this.src.add(id, e.srcLo, e.srcHi);
        this.dst.add(id, e.dstLo, e.dstHi);
      }
    });
    this.src.finish();
    this.dst.finish();
  }

  /** Positions (evaluation order) of the rules before `before` that may meet some box of `boxes`. */
  candidates(boxes: Box[], before = Infinity): number[] {
    const hit = new Set<number>();
    for (const b of boxes) {
      const q = hull(b);
      const visit = (id: number) => {
        const e = this.entries[id]!;
        if (e.pos < before && !hit.has(e.pos) && meets(e, q)) hit.add(e.pos);
      };
      // Walk the more selective of the two address dimensions.
      const viaSrc = this.src.query(q.srcLo, q.srcHi);
      const viaDst = this.dst.query(q.dstLo, q.dstHi);
      if (viaSrc <= viaDst) this.src.query(q.srcLo, q.srcHi, visit);
      else this.dst.query(q.dstLo, q.dstHi, visit);
    }
    return [...hit].sort((a, b) => a - b);
  }

  /** First match wins over the rules at `positions` (ascending); what is left gets `fallback`. */
  decideAmong(positions: number[], boxes: Box[], fallback: Action): Decision[] {
    return firstMatch(
      positions.map((pos) => this.rules[pos]!),
      boxes,
      fallback,
    );
  }

  /** decide() of the engine, over the candidates only. */
  decide(boxes: Box[], fallback: Action): Decision[] {
    return this.decideAmong(this.candidates(boxes), boxes, fallback);
  }

  /** What the rule at `pos` really decides of `boxes` (the rules before it take their share first). */
  decidedBy(pos: number, boxes: Box[]): Box[] {
    let rest = boxes;
    for (const p of this.candidates(boxes, pos)) {
      if (rest.length === 0) return [];
      for (const rb of this.rules[p]!.boxes) rest = subtractBoxes(rest, rb);
    }
    const out: Box[] = [];
    for (const rb of this.rules[pos]!.boxes) {
      for (const b of rest) {
        const hit = intersectBox(b, rb);
        if (hit) out.push(hit);
      }
    }
    return out;
  }
}
