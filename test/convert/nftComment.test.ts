// The nftables export's comments (at most 128 bytes) on a rule many rules were merged into
// (fuzz seed 12012, documents 44429 and 84215: 3,000 copies of a rule; the comment naming
// them all was cut one character at a time, measuring the whole text each time: quadratic).

import { afterEach, describe, expect, it } from 'vitest';
import { exportDocument } from '../../server/src/features/exportDocument';
import { docContext } from '../support/docContext';

const byteLength = Buffer.byteLength;
afterEach(() => {
  Buffer.byteLength = byteLength;
});

/** The nftables export of a firewall with `copies` copies of one rule, and the bytes Buffer.byteLength measured. */
function exported(copies: number): { text: string; measured: number } {
  const rules = '  inbound allow tcp from any to web port https   # the shop\n'.repeat(copies);
  const ctx = docContext(`host web 10.0.1.10\nfirewall edge stateful protects web {\n${rules}}\n`);
  let measured = 0;
  Buffer.byteLength = ((s: string) => {
    measured += s.length;
    return byteLength(s);
  }) as typeof Buffer.byteLength;
  const r = exportDocument(ctx, { uri: ctx.uri, target: 'nftables' });
  Buffer.byteLength = byteLength;
  if (!('text' in r)) throw new Error(JSON.stringify(r));
  return { text: r.text, measured };
}

describe('nftables comments', () => {
  it('a comment naming thousands of rules is cut to 128 bytes at once', () => {
    const small = exported(400);
    const large = exported(800);
    for (const { text } of [small, large]) {
      const comments = [...text.matchAll(/comment "([^"]*)"/g)].map((m) => m[1]!);
      expect(comments.length).toBeGreaterThan(0);
      for (const c of comments) expect(byteLength(c)).toBeLessThanOrEqual(128);
      expect(comments.some((c) => c.endsWith('…'))).toBe(true);
    }
    expect(large.text).toBe(small.text);
    // What is measured grows with the comment's length (it grew with its square).
    expect(large.measured).toBeLessThanOrEqual(2.2 * small.measured);
  });
});
