// The rules of one direction of one firewall, indexed so that "which rules can touch this
// packet class" costs far less than a scan of every rule. The first-match evaluation over
// those candidates gives exactly what the engine's decide() gives over all rules: a rule
// that meets no box of the class neither decides nor cuts anything.

import type { Action } from '../syntax/ast';
import { type CompiledRule, type Decision, boxesKey, firstMatch } from '../engine/firewall';
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

/**
 * Up to `scanMax` boxes in a direction, candidates are found by one scan of the packed hulls
 * (a few comparisons of doubles per box, no allocation); above it, through the block indexes.
 * Tests set it to 0 to drive the indexes on small firewalls.
 */
export const SPACE_LIMITS = { scanMax: 1024 };

/** The hull of a box as doubles (rounding keeps order, so a gap seen in doubles is a real gap). */
function hullInto(out: Float64Array, at: number, b: Box): void {
  out[at] = Number(b.src.min()!);
  out[at + 1] = Number(b.src.max()!);
  out[at + 2] = Number(b.dst.min()!);
  out[at + 3] = Number(b.dst.max()!);
  out[at + 4] = b.sport.min()!;
  out[at + 5] = b.sport.max()!;
  out[at + 6] = b.dport.min()!;
  out[at + 7] = b.dport.max()!;
}

/** The ordered rules of one direction, with a candidate index over their boxes. */
export class RuleSpace {
  /** Per box: the position of its rule (ascending), its protocols and its hull (8 doubles). */
  private readonly pos: Int32Array;
  private readonly protos: Int32Array;
  private readonly hulls: Float64Array;
  private readonly size: number;
  private readonly src?: BlockIndex;
  private readonly dst?: BlockIndex;
  /** Rule positions already seen in the current candidates() call. */
  private readonly seen: Uint32Array;
  private stamp = 0;
  private readonly q = new Float64Array(8);
  /** Per rule: 1 when a rule before it has the same boxes (it then decides nothing); made when first asked. */
  private repeated?: Uint8Array;

  constructor(readonly rules: readonly CompiledRule[]) {
    let n = 0;
    for (const cr of rules) n += cr.boxes.length;
    this.pos = new Int32Array(n);
    this.protos = new Int32Array(n);
    this.hulls = new Float64Array(n * 8);
    this.seen = new Uint32Array(rules.length);
    const indexed = n > SPACE_LIMITS.scanMax;
    if (indexed) {
      this.src = new BlockIndex();
      this.dst = new BlockIndex();
    }
    let id = 0;
    rules.forEach((cr, pos) => {
      for (const b of cr.boxes) {
        if (b.src.isEmpty() || b.dst.isEmpty() || b.sport.isEmpty() || b.dport.isEmpty()) continue;
        this.pos[id] = pos;
        this.protos[id] = b.protos;
        hullInto(this.hulls, id * 8, b);
        this.src?.add(id, b.src.min()!, b.src.max()!);
        this.dst?.add(id, b.dst.min()!, b.dst.max()!);
        id++;
      }
    });
    this.size = id;
    this.src?.finish();
    this.dst?.finish();
  }

  /** Whether box `id` may meet the query box (protocols `protos`, hull in this.q). */
  private meets(id: number, protos: number): boolean {
    if ((this.protos[id]! & protos) === 0) return false;
    const h = this.hulls;
    const q = this.q;
    const at = id * 8;
    for (let k = 0; k < 8; k += 2) if (h[at + k]! > q[k + 1]! || q[k]! > h[at + k + 1]!) return false;
    return true;
  }

  /** Positions (evaluation order) of the rules before `before` that may meet some box of `boxes`. */
  candidates(boxes: Box[], before = Infinity): number[] {
    const out: number[] = [];
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const seen = this.seen;
    for (const b of boxes) {
      if (b.src.isEmpty() || b.dst.isEmpty() || b.sport.isEmpty() || b.dport.isEmpty()) continue;
      hullInto(this.q, 0, b);
      const protos = b.protos;
      const visit = (id: number) => {
        const pos = this.pos[id]!;
        if (pos < before && seen[pos] !== stamp && this.meets(id, protos)) {
          seen[pos] = stamp;
          out.push(pos);
        }
      };
      if (!this.src || !this.dst) {
        for (let id = 0; id < this.size && this.pos[id]! < before; id++) visit(id);
        continue;
      }
      // Walk the more selective of the two address dimensions.
      const srcLo = b.src.min()!;
      const srcHi = b.src.max()!;
      const dstLo = b.dst.min()!;
      const dstHi = b.dst.max()!;
      if (this.src.query(srcLo, srcHi) <= this.dst.query(dstLo, dstHi)) this.src.query(srcLo, srcHi, visit);
      else this.dst.query(dstLo, dstHi, visit);
    }
    // One box scanned in order gives ascending positions already.
    if (boxes.length > 1 || this.src) out.sort((x, y) => x - y);
    return out;
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
    // The rule before it with the same boxes takes all of them: a pasted rule's thousand copies
    // each looked through the copies before it.
    if (!this.repeated) {
      const repeated = new Uint8Array(this.rules.length);
      const keys = new Set<string>();
      this.rules.forEach((cr, p) => {
        const k = boxesKey(cr);
        if (keys.has(k)) repeated[p] = 1;
        else keys.add(k);
      });
      this.repeated = repeated;
    }
    if (this.repeated[pos]) return [];
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
