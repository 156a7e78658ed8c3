// Counts the calls of AddrSet's set operations while a function runs: the growth tests (issue 12's
// fuzz cases) compare the count for a file and for the file with twice the copies.
import { AddrSet } from '../../server/src/core/intervals';

const COUNTED = ['union', 'intersect', 'subtract', 'intersects'] as const;

/** `f`'s value and how many times it called AddrSet's union, intersect, subtract or intersects. */
export function countSetOps<T>(f: () => T): { n: number; value: T } {
  const proto = AddrSet.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const saved = COUNTED.map((k) => proto[k]!);
  let n = 0;
  COUNTED.forEach((k, i) => {
    proto[k] = function (this: unknown, ...a: unknown[]) {
      n++;
      return saved[i]!.apply(this, a);
    };
  });
  try {
    const value = f();
    return { n, value };
  } finally {
    COUNTED.forEach((k, i) => (proto[k] = saved[i]!));
  }
}
