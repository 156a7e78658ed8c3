// The incremental parser joins chunks while a statement reads past a chunk's end. Joining one
// chunk at a time lexed and parsed the whole join again for each chunk: quadratic in the text
// (fuzz sequence 5495 of seed 12012: a paste of 6,000 lines into an open firewall body took
// minutes and 4 GB). Counted in chunk parses, not timed.

import { describe, expect, it } from 'vitest';
import { IncrementalParser } from '../../server/src/syntax/incremental';
import { parse } from '../../server/src/syntax/parse';
import { fwParser } from '../../server/src/syntax/parser';
import { lex } from '../../server/src/syntax/tokens';

/** A firewall body that stays open over `hosts` declarations (each on its own line) to its `}`. */
function openBody(hosts: number): string {
  const lines = Array.from({ length: hosts }, (_, i) => `host h${i} 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  return `host a 10.0.0.1\nfirewall f stateless protects 10.0.0.0/8 {\n  inbound allow tcp to a port 22\n${lines.join('\n')}\n}\n`;
}

function chunkParses(text: string): number {
  const p = new IncrementalParser();
  const r = p.parse(text);
  expect(JSON.stringify(r)).toBe(JSON.stringify(parse(text)));
  return p.parsedChunks;
}

describe('incremental parser joins', () => {
  it('a statement reading on through many chunks costs chunk parses that grow with the log of them', () => {
    const small = chunkParses(openBody(1_500));
    const large = chunkParses(openBody(6_000));
    // Four times the chunks: a few more parses (each join doubles), not four times as many.
    expect(small).toBeGreaterThan(3);
    expect(large).toBeLessThan(2 * small);
  });

  it('an edit in the open body parses the result exactly as parse() does', () => {
    const p = new IncrementalParser();
    const text = openBody(2_000);
    p.parse(text);
    const at = text.indexOf('host h1000 ');
    const edited = text.slice(0, at) + 'host x 10.9.9.9\n' + text.slice(at);
    expect(JSON.stringify(p.parse(edited))).toBe(JSON.stringify(parse(edited)));
  });
});

describe("a chunk's parse", () => {
  it("makes no error object for the tokens that follow the chunk (its end is the input's end)", () => {
    // chevrotain reports the tokens a top rule leaves unread with an exception object. A chunk's
    // parse always leaves the tokens after it (lookahead only): one such object per chunk,
    // thousands in a file of small firewalls, each dropped at once.
    const chunk = 'host a 10.0.0.1\n';
    const after = 'host b 10.0.0.2\n';
    const { tokens } = lex(chunk + after);
    const stopAt = tokens.findIndex((t) => t.startOffset >= chunk.length);
    expect(stopAt).toBeGreaterThan(0);
    const parser = fwParser();
    const r = parser.parseChunk(chunk + after, 0, tokens, stopAt);
    expect(r.clean).toBe(true);
    expect(r.statements.map((s) => s.kind)).toEqual(['host']);
    expect(parser.recognitionErrors).toEqual([]);
    parser.release();
  });
});
