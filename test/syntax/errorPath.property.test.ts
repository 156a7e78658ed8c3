// What FwParser does on a syntax error (useOwnErrorPath in syntax/parser.ts: no Error built for
// an exception, no rule stack kept with it, what may follow found in a cache keyed by the
// grammar path's numbers, no walk of the grammar for a message; defineRule: an error leaves a
// rule through a `finally`, not a catch that throws it again) must be exactly what chevrotain
// does on its own: the same statements, the same errors in the same order (kind, message, token,
// previous token) and the same errors of our own. Checked against a parser on chevrotain's own
// steps, on every sample and fixture, on mutations of them, and on pastes of one broken
// statement (the shapes that were slow: a megabyte of `host a` lines).

import type { IToken } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { FwParser, followsKey } from '../../server/src/syntax/parser';
import { lex } from '../../server/src/syntax/tokens';
import { type CorpusFile, loadCorpus, mutate } from '../fuzz/mutate';
import { Random } from '../fuzz/random';

const CORPUS = loadCorpus();
const ours = new FwParser();
const chevrotains = new FwParser({ chevrotainErrors: true });

function token(t: IToken | undefined): unknown {
  return t && [t.startOffset, t.tokenType?.name, t.image, t.isInsertedInRecovery === true];
}

/** Everything a parse of `text` gives, as text; whether each error is an Error of its own class; how many of chevrotain's errors and of ours. */
function run(parser: FwParser, text: string): { result: string; classes: string[]; recognition: number; manual: number } {
  const lexed = lex(text);
  const statements = parser.parseFile(text, lexed.tokens);
  const recognition = parser.recognitionErrors;
  const errors = recognition.map((e) => ({
    name: e.name,
    message: e.message,
    token: token(e.token),
    previous: token((e as { previousToken?: IToken }).previousToken),
    resynced: e.resyncedTokens.map(token),
  }));
  const classes = recognition.map((e) => `${e.name} ${e instanceof Error} ${e.constructor.name}`);
  const manual = parser.manualErrors;
  const result = JSON.stringify({ statements, errors, manual });
  parser.release();
  return { result, classes, recognition: recognition.length, manual: manual.length };
}

function expectSame(text: string, label: string): { recognition: number; manual: number } {
  const a = run(ours, text);
  const b = run(chevrotains, text);
  expect(a.result, label).toBe(b.result);
  expect(a.classes, label).toEqual(b.classes);
  return { recognition: a.recognition, manual: a.manual };
}

function pastes(base: CorpusFile): string[] {
  const times = (line: string, n: number) => line.repeat(n);
  return [
    base.text + times('host a\n', 500),
    base.text + times('host\n', 500),
    base.text + times('flow a -> b\n', 500),
    base.text + times('service s\n', 200),
    base.text + times('ephemeral e 1-\n', 200) + times('service s tcp port\n', 200),
    base.text + times('network n 10.0.0.0/8, , ,\n', 100),
    `firewall f stateless {\n${times('  inbound allow tcp from a port\n', 300)}}\n`,
    `firewall f stateless {\n${times('  inbound allow tcp from 10.0.0.1 to\n', 300)}}\n${times('flow a ->\n', 100)}`,
  ];
}

describe('the parser on a syntax error: its own steps give what chevrotain gives', () => {
  it('on every sample and fixture as written', () => {
    for (const f of CORPUS) expectSame(f.text, f.name);
  });

  it('on 1,000 mutations of them (deletions, splices, random bytes, repeated lines, …)', () => {
    const r = new Random(4242);
    let errors = 0;
    for (let i = 0; i < 1000; i++) {
      const m = mutate(r, CORPUS);
      // chevrotain's own steps walk the grammar on every error: keep each text small enough.
      errors += expectSame(m.text.slice(0, 200_000), `mutation ${i} of ${m.base}: ${m.mutations.join(', ')}`).recognition;
    }
    // The mutations must reach chevrotain's error path, or the comparison says nothing.
    expect(errors).toBeGreaterThan(500);
  });

  it('on pastes of one broken statement, at the top level and in a firewall body', () => {
    const base = CORPUS.find((f) => f.name.endsWith('office.fw')) ?? CORPUS[0]!;
    for (const [i, text] of pastes(base).entries()) expect(expectSame(text, `paste ${i}`).recognition).toBeGreaterThanOrEqual(100);
  });
});

describe('the key of a grammar path in the follows cache', () => {
  it('is the same for two paths exactly when they are the same path', () => {
    // Every path of up to two rules over numbers that run together when a separator is
    // missing or misplaced (1 and 11, 11 and 1, 1 and 12, 11 and 2, …): 266,304 paths.
    const V = [0, 1, 2, 10, 11, 12, 21, 111];
    const frames: [number, number][][] = [[]];
    for (const r of V) for (const o of V) frames.push([[r, o]]);
    for (const [r1, o1] of frames.slice(1).map((f) => f[0]!))
      for (const r of V)
        for (const o of V)
          frames.push([
            [r1, o1],
            [r, o],
          ]);
    const keys = new Set<string>();
    let paths = 0;
    let stale = 0;
    for (const tok of V)
      for (const idx of V)
        for (const f of frames) {
          // chevrotain's stacks are longer than the path (they grow and are not cut): only `depth` counts.
          const key = followsKey(tok, idx, [...f.map((x) => x[0]), 99, 98], [...f.map((x) => x[1]), 97, 96], f.length);
          if (key !== followsKey(tok, idx, [...f.map((x) => x[0]), 5], [...f.map((x) => x[1]), 6], f.length)) stale++;
          keys.add(key);
          paths++;
        }
    expect(paths).toBe(8 * 8 * (1 + 64 + 64 * 64));
    expect(keys.size).toBe(paths);
    expect(stale).toBe(0);
  });
});
