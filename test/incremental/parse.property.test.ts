// The incremental parser gives exactly parse()'s result after any sequence of edits: the
// same statements, comments and syntax diagnostics, span for span (FWLANG_INCREMENTAL_RUNS
// sequences; npm run test:fuzz runs many more through the whole analysis).
import { describe, expect, it } from 'vitest';
import { IncrementalParser, chunkStarts, coarseStarts } from '../../server/src/syntax/incremental';
import { parse, type ParseResult } from '../../server/src/syntax/parse';
import { generate } from '../../bench/generate';
import { applyEdit, baseTexts, makeSequence } from './edits';

const RUNS = Number(process.env['FWLANG_INCREMENTAL_RUNS'] ?? 300);
const SEED = Number(process.env['FWLANG_INCREMENTAL_SEED'] ?? 12);

describe('IncrementalParser', () => {
  const bases = baseTexts();

  it(`equals a fresh parse after each edit of ${RUNS} random sequences`, () => {
    let replayed = 0;
    for (let i = 0; i < RUNS; i++) {
      const s = makeSequence(SEED, i, bases);
      const p = new IncrementalParser();
      let text = s.start;
      expect(p.parse(text), `sequence ${SEED}/${i} (${s.base}) before any edit`).toEqual(parse(text));
      s.edits.forEach((e, k) => {
        text = applyEdit(text, e);
        expect(p.parse(text), `sequence ${SEED}/${i} (${s.base}) after edit ${k + 1}: ${JSON.stringify(e)}`).toEqual(parse(text));
        replayed += p.replayedRules;
      });
    }
    // The sequences go through the rules kept between parses (ruleMemo.ts), not only around them.
    expect(replayed).toBeGreaterThan(RUNS);
  });

  it(`a copying parser (check --fix's) equals a fresh parse and leaves every earlier result as it was, over ${RUNS} sequences`, () => {
    // check --fix keeps the analyses of earlier versions (their spans are the offsets of their
    // fixes): a copying parser copies a chunk that moved instead of moving its nodes in place.
    let copied = 0;
    for (let i = 0; i < RUNS; i++) {
      const s = makeSequence(SEED, i, bases);
      // Chunks of about 200 characters (its own are of 16 KB), so that these small files have several.
      const p = IncrementalParser.copying({ chunkChars: 200 });
      const versions: [string, ParseResult][] = [];
      let text = s.start;
      versions.push([text, p.parse(text)]);
      s.edits.forEach((e, k) => {
        text = applyEdit(text, e);
        const r = p.parse(text);
        expect(r, `sequence ${SEED}/${i} (${s.base}) after edit ${k + 1}: ${JSON.stringify(e)}`).toEqual(parse(text));
        versions.push([text, r]);
        copied += p.movedChunks;
      });
      versions.forEach(([t, r], k) => expect(r, `sequence ${SEED}/${i} (${s.base}): version ${k} after the last parse`).toEqual(parse(t)));
    }
    // Chunks were reused where an edit before them had moved them (copied, not moved in place).
    expect(copied).toBeGreaterThan(RUNS);
  });

  it("a copying parser's chunks are of about 16 KB, cut by offset: an edit moves few of their cuts", () => {
    // check --fix's parser parses the whole file first: thousands of small chunks made that a
    // third slower than a whole parse. Its chunks are cut at the first statement start past
    // each multiple of 16 KB, so a fix that moves the text after it changes few of them.
    let text = generate(50, 40).text;
    const fine = chunkStarts(text);
    const coarse = coarseStarts(fine, 16_384);
    expect(coarse.every((s) => fine.includes(s))).toBe(true);
    expect(coarse.length).toBeGreaterThanOrEqual(Math.floor(text.length / 16_384));
    expect(coarse.length).toBeLessThanOrEqual(Math.ceil(text.length / 16_384) + 1);
    const p = IncrementalParser.copying();
    expect(p.parse(text)).toEqual(parse(text));
    expect(p.parsedChunks).toBe(coarse.length);
    // A port one digit longer near the top: the text after it moves by one character.
    const at = text.indexOf('port ') + 5;
    text = `${text.slice(0, at)}1${text.slice(at)}`;
    expect(p.parse(text)).toEqual(parse(text));
    expect(p.parsedChunks).toBeLessThanOrEqual(3);
    expect(p.movedChunks).toBeGreaterThan(coarse.length - 4);
  });

  it('parses only the chunk an edit touches', () => {
    let text = generate(10, 50).text;
    const p = new IncrementalParser();
    p.parse(text);
    const at = text.indexOf('port 8003-8103');
    text = `${text.slice(0, at + 5)}8004${text.slice(at + 9)}`;
    expect(p.parse(text)).toEqual(parse(text));
    expect(p.parsedChunks).toBe(1);
    expect(p.reusedChunks).toBeGreaterThan(10);
    // A character typed at the top moves every chunk after it, and parses one.
    text = `# x${text}`;
    expect(p.parse(text)).toEqual(parse(text));
    expect(p.parsedChunks).toBe(1);
  });

  it('cuts a run of small firewalls every 64 of them, not before each, and an edit in one parses its chunk', () => {
    // A paste of one firewall header a thousand times (fuzz sequence 7162 of seed 1401 pasted
    // 23,000): each header was a chunk of its own, lexed, parsed and looked ahead of alone.
    const header = 'firewall f stateless protects 10.0.0.0/8 {\n';
    let text = `host a 10.0.0.1\n${header.repeat(1000)}host b 10.0.0.2\n`;
    // The first host's chunk, one chunk per 64 headers (the last one shorter), the last host's.
    const starts = chunkStarts(text);
    expect(starts).toHaveLength(1 + Math.ceil(1000 / 64) + 1);
    expect(starts[2]! - starts[1]!).toBe(64 * header.length);
    const p = new IncrementalParser();
    expect(p.parse(text)).toEqual(parse(text));
    const at = text.indexOf(header, header.length * 500) + header.indexOf('/8');
    text = `${text.slice(0, at)}/9${text.slice(at + 2)}`;
    expect(p.parse(text)).toEqual(parse(text));
    expect(p.parsedChunks).toBe(1);
    // Firewalls with rules still start a chunk each.
    const big = generate(10, 50).text;
    const firewalls = [...big.matchAll(/^firewall /gm)].map((m) => m.index);
    expect(firewalls).toHaveLength(10);
    expect(chunkStarts(big)).toEqual(expect.arrayContaining(firewalls));
  });

  it('lexes each chunk as the parse reaches it, not the whole file first', () => {
    // A chunk holds its tokens from its lexing to its parse. Lexed all at once, every token of
    // a large file was alive together, and V8, seeing the token objects survive its young
    // collections, went on to allocate every later token (each edit's) in the old generation.
    const text = generate(50, 40).text;
    const p = new IncrementalParser();
    expect(p.parse(text)).toEqual(parse(text));
    expect(p.parsedChunks).toBeGreaterThan(50);
    expect(p.tokensHeldPeak).toBeLessThanOrEqual(3);
  });
});
