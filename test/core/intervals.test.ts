import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddrSet, PortSet } from '../../server/src/core/intervals';

// Small universe so the property tests can compare with explicit sets of numbers.
const MAX = 40;
const arbSet = fc
  .array(fc.tuple(fc.integer({ min: 0, max: MAX }), fc.integer({ min: 0, max: MAX })), { maxLength: 6 })
  .map((pairs) => PortSet.fromRanges(pairs.map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [number, number])));

function members(s: PortSet): Set<number> {
  const out = new Set<number>();
  for (let p = 0; p <= MAX + 1; p++) if (s.contains(p)) out.add(p);
  return out;
}

function canonical(s: PortSet): boolean {
  const b = s.bounds;
  for (let i = 0; i < b.length; i += 2) {
    if (b[i]! > b[i + 1]!) return false;
    if (i > 0 && b[i]! <= b[i - 1]! + 1) return false;
  }
  return true;
}

describe('PortSet', () => {
  it('prints ports and ranges as cli.md wants', () => {
    expect(
      PortSet.fromRanges([
        [1024, 65535],
        [22, 22],
        [80, 80],
      ]).toString(),
    ).toBe('22,80,1024-65535');
    expect(PortSet.EMPTY.toString()).toBe('');
    expect(PortSet.range(5, 4).isEmpty()).toBe(true);
  });

  it('merges adjacent ranges', () => {
    expect(PortSet.range(1, 5).union(PortSet.range(6, 9)).toString()).toBe('1-9');
    expect(PortSet.range(1, 9).subtract(PortSet.of(5)).toString()).toBe('1-4,6-9');
  });

  it('set algebra agrees with explicit sets', () => {
    fc.assert(
      fc.property(arbSet, arbSet, (a, b) => {
        const A = members(a);
        const B = members(b);
        const u = a.union(b);
        const i = a.intersect(b);
        const d = a.subtract(b);
        expect(canonical(u) && canonical(i) && canonical(d)).toBe(true);
        expect(members(u)).toEqual(new Set([...A, ...B]));
        expect(members(i)).toEqual(new Set([...A].filter((x) => B.has(x))));
        expect(members(d)).toEqual(new Set([...A].filter((x) => !B.has(x))));
        expect(a.intersects(b)).toBe(!i.isEmpty());
        expect(a.isSubsetOf(b)).toBe([...A].every((x) => B.has(x)));
        expect(a.size()).toBe(A.size);
      }),
    );
  });

  it('laws: commutativity, absorption, De Morgan within the universe', () => {
    const U = PortSet.range(0, MAX);
    fc.assert(
      fc.property(arbSet, arbSet, arbSet, (a, b, c) => {
        expect(a.union(b).equals(b.union(a))).toBe(true);
        expect(a.intersect(b).equals(b.intersect(a))).toBe(true);
        expect(a.union(a.intersect(b)).equals(a)).toBe(true);
        expect(
          a
            .union(b)
            .union(c)
            .equals(a.union(b.union(c))),
        ).toBe(true);
        expect(U.subtract(a.union(b)).equals(U.subtract(a).intersect(U.subtract(b)))).toBe(true);
        expect(a.intersect(b.union(c)).equals(a.intersect(b).union(a.intersect(c)))).toBe(true);
      }),
    );
  });
});

describe('AddrSet', () => {
  it('holds IPv4 and IPv6 apart and together in `ALL`', () => {
    expect(AddrSet.V4.intersects(AddrSet.V6)).toBe(false);
    expect(AddrSet.V4.union(AddrSet.V6).equals(AddrSet.ALL)).toBe(true);
    expect(AddrSet.ALL.size()).toBe((1n << 32n) + (1n << 128n));
  });

  it('bigint set algebra agrees with PortSet on the same numbers', () => {
    fc.assert(
      fc.property(arbSet, arbSet, (a, b) => {
        const big = (s: PortSet) => AddrSet.fromRanges([...s.ranges()].map(([x, y]) => [BigInt(x), BigInt(y)] as [bigint, bigint]));
        const back = (s: AddrSet) => PortSet.fromRanges([...s.ranges()].map(([x, y]) => [Number(x), Number(y)] as [number, number]));
        expect(back(big(a).union(big(b))).equals(a.union(b))).toBe(true);
        expect(back(big(a).subtract(big(b))).equals(a.subtract(b))).toBe(true);
        expect(back(big(a).intersect(big(b))).equals(a.intersect(b))).toBe(true);
      }),
    );
  });
});
