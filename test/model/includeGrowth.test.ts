// An include of many firewalls (fuzz seed 1144 case 82915: a megabyte of firewall headers in
// an included file) is listed in work linear in its firewalls: each firewall of an include was
// looked for in the list of those before it (1 s for 23,000). Counted as the elements array
// searches look at, for N and 2N firewalls; the list itself is checked too.
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../server/src/model/resolve';
import type { FileHost, Model } from '../../server/src/model/types';

function build(root: string, firewalls: number): Model {
  const inc = 'firewall f stateless protects 10.0.0.0/8 {\n}\n'.repeat(firewalls) + 'firewall g stateless protects 10.1.0.0/16 {\n}\n';
  const host: FileHost = { readFile: (p) => (p === '/g/inc.fw' ? inc : undefined), resolve: (_from, rel) => `/g/${rel}` };
  return buildModel('/g/root.fw', root, host);
}

/** `f()`, counting the elements every Array.prototype.includes call looks at. */
function scanned(f: () => void): number {
  const real = Array.prototype.includes;
  let n = 0;
  Array.prototype.includes = function (this: unknown[], ...args: [unknown, number?]) {
    n += this.length;
    return real.apply(this, args);
  };
  try {
    f();
  } finally {
    Array.prototype.includes = real;
  }
  return n;
}

describe('an include of many firewalls', () => {
  it('lists each firewall once, in order, own ones and included ones alike', () => {
    const m = build('firewall own stateless protects 10.2.0.0/16 {\n}\ninclude "inc.fw"\n', 3);
    expect(m.firewalls.map((f) => f.name)).toEqual(['own', 'f', 'f', 'f', 'g']);
    expect(new Set(m.firewalls).size).toBe(5);
  });

  it('takes work linear in its firewalls', () => {
    const work = (n: number) => scanned(() => expect(build('include "inc.fw"\n', n).firewalls).toHaveLength(n + 1));
    const [a, b] = [work(1000), work(2000)];
    expect(b, `${a} elements looked at for 1,000 firewalls, ${b} for 2,000`).toBeLessThan(2.5 * a + 10_000);
  });
});
