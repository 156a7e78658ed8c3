// A run of more than 17 `{`, `}`, `]` or `-`, or of a short piece like `[a, ` or `- `, is lexed
// as its first 17 pieces, the rest of it between tokens as white space (syntax/tokens.ts,
// `RUN_TOKENS`): no parse uses more, so the parse must be exactly the parse with a token a
// bracket or dash. Checked on random runs put anywhere in every sample and fixture (in rules,
// port lists, comments, strings, between statements, by arrows and ranges), against a lexer
// without runs, which gives every bracket and dash as a token.

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from '../../server/src/syntax/parse';
import { RUN_TOKENS, lex, longRuns } from '../../server/src/syntax/tokens';
import { loadCorpus } from '../fuzz/mutate';

const CORPUS = loadCorpus();

/** Diagnostics, statements and comments: everything a parse gives; `split` false: a token a bracket. */
function parsed(text: string, split = true): string {
  longRuns.split = split;
  try {
    return JSON.stringify(parse(text));
  } finally {
    longRuns.split = true;
  }
}

function tokenCount(text: string): number {
  longRuns.split = false;
  try {
    return lex(text).tokens.length;
  } finally {
    longRuns.split = true;
  }
}

/** Places a run is put: anywhere, or just after a bracket, in a port list or a body. */
function places(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if ('[{]}'.includes(text[i]!)) out.push(i + 1);
    else if (text.startsWith('port ', i)) out.push(i + 5);
    // Dashes just before a flow's `->` or a range's `-`, and just after them.
    else if (text.startsWith('->', i)) out.push(i, i + 2);
    else if (text[i] === '-' && /[0-9]/.test(text[i + 1] ?? '')) out.push(i, i + 1);
  }
  return out;
}

/** What is repeated: one bracket or dash, a piece seen in the fuzz, or any short piece of bracket-ish or dash-ish text. */
const piece = fc.oneof(
  fc.constantFrom('{', '}', ']', '[a, ', '{ [', '] }', '[a],', '[[a,', '{a ', ']]}', '[80 ', '[to, '),
  fc.stringMatching(/^[[\]{}, a8]{2,4}$/),
  fc.constantFrom('-', '- ', '-, ', '--,', '-\t', '-8 ', '- >'),
  fc.stringMatching(/^[-, >8]{1,4}$/),
);

const run = fc.record({
  bracket: piece,
  // Mostly just past the limit, where one bracket more or less would show.
  length: fc.oneof(fc.integer({ min: RUN_TOKENS + 1, max: RUN_TOKENS + 6 }), fc.integer({ min: RUN_TOKENS + 1, max: 3000 })),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  nearBracket: fc.boolean(),
});

const RUNS = Number(process.env.FWLANG_LONG_RUNS ?? 300);

describe('long runs of brackets and dashes', () => {
  afterEach(() => {
    longRuns.split = true;
  });

  it('parse as a token a bracket would (random runs in every sample and fixture)', () => {
    fc.assert(
      fc.property(fc.nat(CORPUS.length - 1), fc.array(run, { minLength: 1, maxLength: 3 }), (file, runs) => {
        let text = CORPUS[file]!.text;
        for (const r of runs) {
          const near = places(text);
          const at = r.nearBracket && near.length ? near[Math.floor(r.at * near.length) % near.length]! : Math.floor(r.at * text.length);
          text = text.slice(0, at) + r.bracket.repeat(r.length) + text.slice(at);
        }
        const split = parsed(text);
        expect(split).toBe(parsed(text, false));
        // A run split (not in a comment or a string) is always an error: nothing (the formatter)
        // rewrites a file around the part of it left out.
        if (lex(text).tokens.length < tokenCount(text)) {
          expect((JSON.parse(split) as ReturnType<typeof parse>).diagnostics.some((d) => d.code === 'syntax')).toBe(true);
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.FWLANG_LONG_RUNS_SEED ?? 1712) },
    );
  });

  it('parse as a token a bracket would where all 16 list levels are open', () => {
    const rule = (ports: string) => `host a 10.0.0.1\nfirewall f stateless protects a {\n  inbound allow tcp to a port ${ports}\n}\n`;
    for (const n of [RUN_TOKENS + 1, RUN_TOKENS + 2, 100]) {
      for (const ports of [`${'['.repeat(16)}80${']'.repeat(n)}`, `${'[a, '.repeat(n)}80`, `[1, ${'[[a,'.repeat(n)}`]) {
        expect(parsed(rule(ports))).toBe(parsed(rule(ports), false));
      }
    }
  });

  it('leave a piece that closes what it opens alone: repeated, it can be a list of lists', () => {
    const text = `host a 10.0.0.1\nservice a tcp 80\nfirewall f stateless protects a {\n  inbound allow tcp to a port [${'[a],'.repeat(40)}[a]]\n}\n`;
    const split = JSON.parse(parsed(text)) as ReturnType<typeof parse>;
    expect(split.diagnostics).toEqual([]);
    expect(JSON.stringify(split)).toBe(parsed(text, false));
  });

  it('are the first 17 brackets as tokens however long, the rest left out', () => {
    const header = 'firewall f stateless protects 10.0.0.0/8 ';
    const tokens = lex(header + '{'.repeat(1_000_000) + ' }').tokens;
    expect(tokens).toHaveLength(5 + RUN_TOKENS + 1);
    expect(tokens.slice(5, 5 + RUN_TOKENS).map((t) => [t.image, t.startOffset, t.tokenType.name])).toEqual(
      Array.from({ length: RUN_TOKENS }, (_, k) => ['{', header.length + k, 'LCurly']),
    );
    expect([tokens.at(-1)!.image, tokens.at(-1)!.startOffset]).toEqual(['}', header.length + 1_000_000 + 1]);
    // 18 or more make a run; 17 are 17 tokens as always.
    expect(lex('}'.repeat(17)).tokens).toHaveLength(17);
    expect(lex(']'.repeat(18)).tokens).toHaveLength(RUN_TOKENS);
    // A piece: the tokens of its first 17, where they stand.
    const pieces = lex('port ' + '[a, '.repeat(250_000)).tokens;
    expect(pieces.map((t) => t.image).join('')).toBe('port' + '[a,'.repeat(RUN_TOKENS));
    expect(pieces.at(-1)!.startOffset).toBe(5 + 4 * (RUN_TOKENS - 1) + 2);
  });

  it('are the first 17 dashes as tokens, and never take the dash of a `->`', () => {
    const flow = 'flow a ';
    const images = (text: string) => lex(text).tokens.map((t) => `${t.tokenType.name}:${t.image}@${t.startOffset}`);
    const dashes = (n: number, from: number) => Array.from({ length: n }, (_, k) => `Dash:-@${from + k}`);
    // A megabyte of dashes, then the flow's arrow: 17 dashes, the arrow where it stands.
    expect(images(flow + '-'.repeat(1_000_000) + '> b')).toEqual([
      'Kw_flow:flow@0',
      'Identifier:a@5',
      ...dashes(RUN_TOKENS, flow.length),
      `Arrow:->@${flow.length + 999_999}`,
      `Identifier:b@${flow.length + 1_000_002}`,
    ]);
    // 18 dashes before a `>` are 17 and an arrow, as ever; 19 make a run.
    expect(images('-'.repeat(18) + '>')).toEqual([...dashes(17, 0), 'Arrow:->@17']);
    expect(images('-'.repeat(19) + '>')).toEqual([...dashes(17, 0), 'Arrow:->@18']);
    // A piece of dashes and blanks: its first 17 pieces' tokens.
    const pieces = lex('port 80' + '-, '.repeat(300_000) + '90').tokens;
    expect(pieces.map((t) => t.image).join('')).toBe('port80' + '-,'.repeat(RUN_TOKENS) + '90');
    // Ranges, names with dashes and (unsupported) address ranges lex as they did.
    expect(images('80-90 a-b 10.0.0.1-10.0.0.9')).toEqual([
      'Number:80@0',
      'Dash:-@2',
      'Number:90@3',
      'Identifier:a-b@6',
      'IPv4:10.0.0.1@10',
      'Dash:-@18',
      'IPv4:10.0.0.9@19',
    ]);
  });
});
