// The syntax diagnostics of a parse are its pending errors clamped into the text, sorted by
// position (stable: the lexer's runs of unknown characters, then the parser's errors, then its
// own), one per position, at most MAX_SYNTAX_DIAGNOSTICS and a last one that counts the rest.
// `finishDiagnostics` merges the lexer's runs as they are (tokens in text order, no pending
// object each: a megabyte of junk is hundreds of thousands of them) with the parser's errors.
// Checked against that rule written out plainly: every error one pending, all sorted at once.

import type { IToken } from 'chevrotain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diag, type Diagnostic, type Span } from '../../server/src/core/diagnostic';
import { MAX_SYNTAX_DIAGNOSTICS, finishDiagnostics, parse, type Pending } from '../../server/src/syntax/parse';
import { IncrementalParser } from '../../server/src/syntax/incremental';

/** The rule, plainly: one list, a stable sort, one per position, the cap. */
function reference(n: number, unknown: readonly IToken[], pending: readonly Pending[], message: (chars: string) => string): Diagnostic[] {
  const clampStart = (s: Span) => Math.min(Math.max(0, Number.isNaN(s.start) ? 0 : s.start), n);
  const clamp = (s: Span): Span => {
    const start = clampStart(s);
    return { start, end: Math.min(Math.max(start, Number.isNaN(s.end) ? start : s.end), n) };
  };
  const all: { span: Span; message: string; p?: Pending }[] = [
    ...unknown.map((t) => ({ span: { start: t.startOffset, end: t.startOffset + t.image.length }, message: message(t.image) })),
    ...pending.map((p) => ({ span: p.span, message: p.message ?? p.render?.() ?? '', p })),
  ];
  const sorted = all.map((x, i) => ({ x, i })).sort((a, b) => clampStart(a.x.span) - clampStart(b.x.span) || a.i - b.i);
  const out: Diagnostic[] = [];
  const seen = new Set<number>();
  let dropped = 0;
  let firstDropped: Span | undefined;
  for (const { x } of sorted) {
    const start = clampStart(x.span);
    if (seen.has(start)) continue;
    seen.add(start);
    if (out.length >= MAX_SYNTAX_DIAGNOSTICS) {
      dropped++;
      firstDropped ??= clamp(x.span);
      continue;
    }
    const extra: Parameters<typeof diag>[3] = {};
    if (x.p?.related) extra.related = x.p.related.map((r) => ({ ...r, span: clamp(r.span) }));
    if (x.p?.fixes) extra.fixes = x.p.fixes;
    out.push(diag('syntax', clamp(x.span), x.message, extra));
  }
  if (dropped > 0) out.push(diag('syntax', firstDropped!, `too many syntax errors: ${dropped} more not shown`));
  return out;
}

/** What finishDiagnostics says of a lone run (the message of an unknown character). */
function messageOfRun(chars: string): string {
  return finishDiagnostics(chars.length, [run(0, chars)], [])[0]!.message;
}

function run(startOffset: number, image: string): IToken {
  return { image, startOffset } as IToken;
}

const offset = fc.oneof(fc.integer({ min: -5, max: 320 }), fc.constant(Number.NaN));
const pendingArb: fc.Arbitrary<Pending> = fc
  .record({ start: offset, len: fc.integer({ min: -3, max: 20 }), kind: fc.integer({ min: 0, max: 2 }), text: fc.string({ maxLength: 4 }) })
  .map(({ start, len, kind, text }) => {
    const span = { start, end: start + len };
    if (kind === 0) return { span, message: `manual ${text}` };
    if (kind === 1) return { span, render: () => `rendered ${text}` };
    return { span, message: `related ${text}`, related: [{ span: { start: start - 1, end: start + 400 }, message: 'here' }] };
  });
/** Runs in text order: distinct starts, often the same as a parser error's. */
const runsArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 260 })
  .chain((starts) =>
    fc.tuple(
      fc.constant([...starts].sort((a, b) => a - b)),
      fc.array(fc.constantFrom('$', ';;', 'é', '\u0001', '\u00a0x', '💥'), { minLength: starts.length, maxLength: starts.length }),
    ),
  )
  .map(([starts, images]) => starts.map((s, i) => run(s, images[i]!)));

describe('syntax diagnostics: the lexer’s runs merged with the parser’s errors', () => {
  it('equal one stable sort of every error, one per position, capped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 310 }), runsArb, fc.array(pendingArb, { maxLength: 200 }), (n, unknown, pending) => {
        const before = JSON.stringify([unknown, pending.map((p) => p.span)]);
        expect(finishDiagnostics(n, unknown, pending)).toEqual(reference(n, unknown, pending, messageOfRun));
        expect(JSON.stringify([unknown, pending.map((p) => p.span)])).toBe(before);
      }),
      { numRuns: 400, seed: 1301 },
    );
  });

  it('sorts runs given out of order with the rest', () => {
    fc.assert(
      fc.property(runsArb, fc.array(pendingArb, { maxLength: 50 }), fc.integer({ min: 0, max: 1000 }), (unknown, pending, seed) => {
        fc.pre(unknown.length >= 2);
        const shuffled = [...unknown].sort((a, b) => ((a.startOffset * 7919 + seed) % 101) - ((b.startOffset * 7919 + seed) % 101));
        expect(finishDiagnostics(300, shuffled, pending)).toEqual(reference(300, shuffled, pending, messageOfRun));
      }),
      { numRuns: 200, seed: 1302 },
    );
  });

  it('a megabyte of junk: 100 diagnostics and the count of the rest, the same parsed whole or by chunks', () => {
    const piece = 'BO xT坶N>;("u雉​4o,𝔉E\\%`﻿u3k<r.k~V>k`C"2\n';
    // The junk in the firewall's chunk, which the incremental parse moves (not parsed again).
    const text = `host a 10.0.0.1\nfirewall f stateless protects a {\n  100 inbound allow tcp from a to a port 80\n}\n${piece.repeat(Math.ceil(1_000_000 / piece.length))}`;
    const whole = parse(text);
    expect(whole.diagnostics).toHaveLength(MAX_SYNTAX_DIAGNOSTICS + 1);
    expect(whole.diagnostics.filter((d) => d.message.startsWith('unexpected character')).length).toBeGreaterThan(50);
    expect(whole.diagnostics.at(-1)!.message).toMatch(/^too many syntax errors: \d{5,} more not shown$/);
    const inc = new IncrementalParser();
    inc.parse(`# moved\n${text}`);
    expect(inc.parse(text)).toEqual(whole);
    expect(inc.reusedChunks).toBeGreaterThan(0);
  });
});
