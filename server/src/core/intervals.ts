// Exact sets of integers as sorted, disjoint, non-adjacent closed intervals.
// PortSet holds ports (numbers); AddrSet holds addresses in one bigint space where
// IPv4 a.b.c.d is 0..2^32-1 and IPv6 x is 2^32 + x (see address.ts).

type Num = number | bigint;

function sameBounds<T extends Num>(x: readonly T[], y: readonly T[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

abstract class Intervals<T extends Num, S extends Intervals<T, S>> {
  /** Flat [lo0, hi0, lo1, hi1, ...], sorted, disjoint, with gaps between. */
  protected constructor(readonly bounds: readonly T[]) {}

  protected abstract make(bounds: T[]): S;
  protected abstract inc(x: T): T;
  protected abstract dec(x: T): T;

  isEmpty(): boolean {
    return this.bounds.length === 0;
  }

  /** Number of intervals. */
  get count(): number {
    return this.bounds.length / 2;
  }

  *ranges(): Iterable<[T, T]> {
    for (let i = 0; i < this.bounds.length; i += 2) yield [this.bounds[i]!, this.bounds[i + 1]!];
  }

  min(): T | undefined {
    return this.bounds[0];
  }

  max(): T | undefined {
    return this.bounds[this.bounds.length - 1];
  }

  contains(x: T): boolean {
    const b = this.bounds;
    let lo = 0;
    let hi = b.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (x < b[2 * mid]!) hi = mid - 1;
      else if (x > b[2 * mid + 1]!) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** The empty set of this kind (shared). */
  protected abstract empty(): S;

  // The operations below return one of their operands (never a copy) whenever the result
  // equals it, and the shared empty set for an empty result: most set algebra in the
  // analyses cuts a set by a superset or a disjoint one, and then allocates nothing.

  union(other: S): S {
    const a = this.bounds;
    const b = other.bounds;
    if (b.length === 0) return this as unknown as S;
    if (a.length === 0) return other;
    const aLo = a[0]!;
    const aHi = a[a.length - 1]!;
    const bLo = b[0]!;
    const bHi = b[b.length - 1]!;
    // One interval holding the whole of the other set.
    if (a.length === 2 && aLo <= bLo && bHi <= aHi) return this as unknown as S;
    if (b.length === 2 && bLo <= aLo && aHi <= bHi) return other;
    const out: T[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      let lo: T;
      let hi: T;
      if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
        lo = a[i]!;
        hi = a[i + 1]!;
        i += 2;
      } else {
        lo = b[j]!;
        hi = b[j + 1]!;
        j += 2;
      }
      const n = out.length;
      if (n > 0 && lo <= this.inc(out[n - 1]!)) {
        if (hi > out[n - 1]!) out[n - 1] = hi;
      } else {
        out.push(lo, hi);
      }
    }
    if (sameBounds(out, a)) return this as unknown as S;
    if (sameBounds(out, b)) return other;
    return this.make(out);
  }

  intersect(other: S): S {
    const a = this.bounds;
    const b = other.bounds;
    if (a.length === 0) return this as unknown as S;
    if (b.length === 0) return other;
    const aLo = a[0]!;
    const aHi = a[a.length - 1]!;
    const bLo = b[0]!;
    const bHi = b[b.length - 1]!;
    if (aHi < bLo || bHi < aLo) return this.empty();
    // One interval holding the whole of the other set.
    if (b.length === 2 && bLo <= aLo && aHi <= bHi) return this as unknown as S;
    if (a.length === 2) {
      if (aLo <= bLo && bHi <= aHi) return other;
      if (b.length === 2) return this.make([aLo > bLo ? aLo : bLo, aHi < bHi ? aHi : bHi]);
    }
    const out: T[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const lo = a[i]! > b[j]! ? a[i]! : b[j]!;
      const hi = a[i + 1]! < b[j + 1]! ? a[i + 1]! : b[j + 1]!;
      if (lo <= hi) out.push(lo, hi);
      if (a[i + 1]! < b[j + 1]!) i += 2;
      else j += 2;
    }
    if (out.length === 0) return this.empty();
    if (sameBounds(out, a)) return this as unknown as S;
    if (sameBounds(out, b)) return other;
    return this.make(out);
  }

  subtract(other: S): S {
    const a = this.bounds;
    const b = other.bounds;
    if (a.length === 0 || b.length === 0) return this as unknown as S;
    const aLo = a[0]!;
    const aHi = a[a.length - 1]!;
    const bLo = b[0]!;
    const bHi = b[b.length - 1]!;
    if (aHi < bLo || bHi < aLo) return this as unknown as S;
    if (b.length === 2 && bLo <= aLo && aHi <= bHi) return this.empty();
    const out: T[] = [];
    let j = 0;
    for (let i = 0; i < a.length; i += 2) {
      let lo = a[i]!;
      const hi = a[i + 1]!;
      while (j < b.length && b[j + 1]! < lo) j += 2;
      let k = j;
      while (k < b.length && b[k]! <= hi) {
        if (b[k]! > lo) out.push(lo, this.dec(b[k]!));
        const next = b[k + 1]!;
        if (next >= hi) {
          lo = this.inc(hi);
          break;
        }
        lo = this.inc(next);
        k += 2;
      }
      if (lo <= hi) out.push(lo, hi);
    }
    if (out.length === 0) return this.empty();
    if (sameBounds(out, a)) return this as unknown as S;
    return this.make(out);
  }

  intersects(other: S): boolean {
    const a = this.bounds;
    const b = other.bounds;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      if (a[i + 1]! < b[j]!) i += 2;
      else if (b[j + 1]! < a[i]!) j += 2;
      else return true;
    }
    return false;
  }

  /** Every member of this set is in `other` (no set is built). */
  isSubsetOf(other: S): boolean {
    const a = this.bounds;
    const b = other.bounds;
    let j = 0;
    for (let i = 0; i < a.length; i += 2) {
      const lo = a[i]!;
      // The interval of `other` that could hold lo: the first one ending at or after it.
      while (j < b.length && b[j + 1]! < lo) j += 2;
      if (j >= b.length || b[j]! > lo || b[j + 1]! < a[i + 1]!) return false;
    }
    return true;
  }

  equals(other: S): boolean {
    const a = this.bounds;
    const b = other.bounds;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
}

const PORT_MAX = 65535;

export class PortSet extends Intervals<number, PortSet> {
  private constructor(bounds: readonly number[]) {
    super(bounds);
  }
  protected make(bounds: number[]): PortSet {
    return bounds.length === 0 ? PortSet.EMPTY : new PortSet(bounds);
  }
  protected empty(): PortSet {
    return PortSet.EMPTY;
  }
  protected inc(x: number): number {
    return x + 1;
  }
  protected dec(x: number): number {
    return x - 1;
  }

  static readonly EMPTY = new PortSet([]);
  static readonly ALL = new PortSet([0, PORT_MAX]);

  static range(lo: number, hi: number): PortSet {
    return lo <= hi ? new PortSet([lo, hi]) : PortSet.EMPTY;
  }
  static of(...ports: number[]): PortSet {
    return ports.reduce((s, p) => s.union(PortSet.range(p, p)), PortSet.EMPTY);
  }
  static fromRanges(ranges: Iterable<[number, number]>): PortSet {
    let s = PortSet.EMPTY;
    for (const [lo, hi] of ranges) s = s.union(PortSet.range(lo, hi));
    return s;
  }

  isAll(): boolean {
    return this.equals(PortSet.ALL);
  }

  size(): number {
    let n = 0;
    for (let i = 0; i < this.bounds.length; i += 2) n += this.bounds[i + 1]! - this.bounds[i]! + 1;
    return n;
  }

  /** `22,80,1024-65535` (cli.md's form); '' when empty. */
  toString(): string {
    const parts: string[] = [];
    for (const [lo, hi] of this.ranges()) parts.push(lo === hi ? `${lo}` : `${lo}-${hi}`);
    return parts.join(',');
  }
}

export const V4_SIZE = 1n << 32n;
const V6_SIZE = 1n << 128n;
export const V4_MAX = V4_SIZE - 1n;
export const V6_MIN = V4_SIZE;
export const V6_MAX = V4_SIZE + V6_SIZE - 1n;

export class AddrSet extends Intervals<bigint, AddrSet> {
  private constructor(bounds: readonly bigint[]) {
    super(bounds);
  }
  protected make(bounds: bigint[]): AddrSet {
    return bounds.length === 0 ? AddrSet.EMPTY : new AddrSet(bounds);
  }
  protected empty(): AddrSet {
    return AddrSet.EMPTY;
  }
  protected inc(x: bigint): bigint {
    return x + 1n;
  }
  protected dec(x: bigint): bigint {
    return x - 1n;
  }

  static readonly EMPTY = new AddrSet([]);
  static readonly V4 = new AddrSet([0n, V4_MAX]);
  static readonly V6 = new AddrSet([V6_MIN, V6_MAX]);
  /** Every IPv4 and IPv6 address: the built-in endpoint `any`. */
  static readonly ALL = new AddrSet([0n, V6_MAX]);

  static range(lo: bigint, hi: bigint): AddrSet {
    return lo <= hi ? new AddrSet([lo, hi]) : AddrSet.EMPTY;
  }
  static fromRanges(ranges: Iterable<[bigint, bigint]>): AddrSet {
    let s = AddrSet.EMPTY;
    for (const [lo, hi] of ranges) s = s.union(AddrSet.range(lo, hi));
    return s;
  }

  size(): bigint {
    let n = 0n;
    for (let i = 0; i < this.bounds.length; i += 2) n += this.bounds[i + 1]! - this.bounds[i]! + 1n;
    return n;
  }

  isAll(): boolean {
    return this.equals(AddrSet.ALL);
  }
}
