// Formatting changes only the space between tokens. Checked on every sample and fixture, on
// each of them messed up (the spaces and tabs between tokens of a line changed, blank lines and
// trailing blanks added, line ends changed) and on mutated documents:
// - the formatted text has the same tokens in the same order (comments by their text without
//   trailing blanks), so it means what the text meant;
// - its analysis has the same diagnostics, code and message (what they are on moves);
// - it is formatted already: formatting it again changes nothing;
// - a text with a syntax error is left alone;
// - lexed in pieces of any size (one statement each, or the whole file at once), the same text.

import { describe, expect, it } from 'vitest';
import type { TextEdit } from 'vscode-languageserver';
import type { DocContext } from '../../server/src/features/docContext';
import { formatText, formatting } from '../../server/src/features/formatting';
import { parse } from '../../server/src/syntax/parse';
import { eachToken } from '../../server/src/syntax/tokenize';
import { loadCorpus, MUTATORS, mutate } from '../fuzz/mutate';
import { Random } from '../fuzz/random';
import { docContext } from '../support/docContext';

const CORPUS = loadCorpus();

function apply(ctx: DocContext, edits: TextEdit[]): string {
  let text = ctx.text;
  for (const e of [...edits].sort((a, b) => ctx.lines.offset(b.range.start) - ctx.lines.offset(a.range.start))) {
    text = text.slice(0, ctx.lines.offset(e.range.start)) + e.newText + text.slice(ctx.lines.offset(e.range.end));
  }
  return text;
}

/** The tokens of `text` as words: kind and text, comments without their trailing blanks. */
function words(text: string): string[] {
  const out: string[] = [];
  eachToken(text, (kind, _start, _end, image) => out.push(`${kind} ${kind === 'comment' ? image.trimEnd() : image}`));
  return out;
}

function diagnostics(ctx: DocContext): string[] {
  // A message may name the line of another rule; blank lines removed move it.
  return ctx.analysis.diagnostics
    .map((d) => `${d.file ?? ''} ${d.code} ${d.message.replace(/\blines? \d+(?:(?:,| and) \d+)*/g, 'line …')}`)
    .sort();
}

const hasSyntaxError = (ctx: DocContext) => ctx.analysis.diagnostics.some((d) => d.code === 'syntax' && !d.message.includes('protects'));

/** Checks the properties on `text`; whether formatting changed it. */
function check(text: string, label: string): boolean {
  const ctx = docContext(text);
  const edits = formatting(ctx, { tabSize: 2, insertSpaces: true });
  if (edits.length === 0) return false;
  expect(hasSyntaxError(ctx), `${label}: formatted despite a syntax error`).toBe(false);
  const formatted = apply(ctx, edits);
  expect(words(formatted), `${label}: tokens`).toEqual(words(text));
  const again = docContext(formatted);
  expect(diagnostics(again), `${label}: diagnostics`).toEqual(diagnostics(ctx));
  expect(formatting(again, { tabSize: 2, insertSpaces: true }), `${label}: formatting the formatted text`).toEqual([]);
  return true;
}

/** `text` with the blanks between the tokens of each line changed, blank lines and trailing blanks added. */
function messUp(r: Random, text: string): string {
  const blanks = () => r.pick([' ', '  ', '\t', ' \t ', '    ']);
  const eol = r.pick(['\n', '\r\n']);
  return text
    .split(/\r?\n/)
    .map((line) => {
      const hash = line.indexOf('#');
      const code = hash < 0 ? line : line.slice(0, hash);
      const comment = hash < 0 ? '' : line.slice(hash);
      const messed = code.replace(/[ \t]+/g, () => blanks()).replace(/^/, () => (r.chance(0.3) ? blanks() : ''));
      return messed + (comment && !messed.endsWith(' ') && messed !== '' ? ' ' : '') + comment + (r.chance(0.1) ? blanks() : '');
    })
    .flatMap((line) => (r.chance(0.05) ? ['', line] : [line]))
    .join(eol);
}

describe('formatting keeps the tokens and is idempotent', () => {
  it('on every sample and fixture', () => {
    let changed = 0;
    for (const f of CORPUS) if (check(f.text, f.name)) changed++;
    // Most of the corpus is written by hand, not formatted: the check must have had work to do.
    expect(changed).toBeGreaterThan(CORPUS.length / 4);
  });

  it('on every sample and fixture messed up', () => {
    const r = new Random(2801);
    let changed = 0;
    for (const f of CORPUS) {
      for (let i = 0; i < 2; i++) if (check(messUp(r, f.text), `${f.name} messed up (${i})`)) changed++;
    }
    expect(changed).toBeGreaterThan(CORPUS.length);
  });

  it('on mutated documents', () => {
    const r = new Random(2802);
    let changed = 0;
    for (let i = 0; i < 250; i++) {
      const m = mutate(r, CORPUS);
      if (m.text.length > 300_000) continue;
      if (check(m.text, `${m.base} ${m.mutations.join('+')} (${i})`)) changed++;
    }
    // Line ends, repeated lines, swapped lines and moved blanks mostly keep a text free of errors.
    expect(changed).toBeGreaterThan(20);
  });

  it('on files whose line ends are mixed or a lone \\r', () => {
    const r = new Random(2803);
    let changed = 0;
    for (const f of CORPUS) if (check(MUTATORS.lineEnds!(r, f.text, CORPUS), `${f.name} line ends`)) changed++;
    expect(changed).toBeGreaterThan(CORPUS.length / 4);
  });

  it('lexed a statement at a time, a piece or the whole file at once: the same text', () => {
    const r = new Random(2804);
    const texts = CORPUS.map((f) => f.text);
    for (let i = 0; i < 150; i++) texts.push(mutate(r, CORPUS).text);
    // Files of many pieces: the corpus one after another, messed up, and its line ends changed.
    // (Those without syntax errors, so that the whole is formatted.)
    const all = CORPUS.filter((f) => formatText(f.text) !== undefined)
      .map((f) => f.text)
      .join('\n');
    expect(formatText(all)).toBeDefined();
    texts.push(all, messUp(r, all), MUTATORS.lineEnds!(r, all, CORPUS));
    let formatted = 0;
    for (const text of texts) {
      if (text.length > 300_000) continue;
      const parsed = parse(text);
      const whole = formatText(text, parsed, Infinity);
      if (whole !== undefined && whole !== text) formatted++;
      expect(formatText(text, parsed, 1)).toBe(whole);
      expect(formatText(text, parsed, 4096)).toBe(whole);
      expect(formatText(text, parsed)).toBe(whole);
    }
    expect(formatted).toBeGreaterThan(CORPUS.length / 4);
    expect(all.length).toBeGreaterThan(2 * 16_384);
  });
});
