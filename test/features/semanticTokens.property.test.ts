// Semantic tokens are written in one loop over the lexer's lists into an array made once
// (issue 12: an editor asks for them after every edit, 555,000 numbers at 10,000 rules), and
// an editor that holds the last result is sent only the edits to the new one. Checked here:
// - the tokens equal those of the rule written plainly (every token visited through
//   `eachToken`, each coloured token pushed), on every sample and fixture and on mutations of
//   them (junk, megabyte lines, deep nesting, line ends);
// - with the server's cache (each chunk lexed again only when its text changed), the same after
//   every edit of random edit sequences, and after a jump to an unrelated mutated document;
// - the edits from any result to any other, applied as an editor applies them, give the new one.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SemanticTokensEdit } from 'vscode-languageserver';
import { referencesOf } from '../../server/src/model/ownership';
import type { DocContext } from '../../server/src/features/docContext';
import { SEMANTIC_LEGEND, SemanticTokenCache, semanticTokens, semanticTokensEdits } from '../../server/src/features/semanticTokens';
import { eachToken } from '../../server/src/syntax/tokenize';
import { loadCorpus, mutate } from '../fuzz/mutate';
import { Random } from '../fuzz/random';
import { applyEdit, baseTexts, makeSequence } from '../incremental/edits';
import { docContext } from '../support/docContext';

const CORPUS = loadCorpus();
const TYPES = SEMANTIC_LEGEND.tokenTypes;
// The colours written out again here, not imported: a wrong entry in the server's table must fail.
const LITERAL: Record<string, string> = {
  keyword: 'keyword',
  number: 'number',
  address: 'number',
  string: 'string',
  comment: 'comment',
  arrow: 'operator',
  dash: 'operator',
  colon: 'operator',
};
const OF_SYMBOL: Record<string, string> = {
  host: 'variable',
  network: 'variable',
  service: 'function',
  profile: 'enumMember',
  ephemeral: 'enumMember',
  firewall: 'type',
};

/** The rule plainly: each token in text order, its type, line and character, relative to the last. */
function reference(ctx: DocContext): number[] {
  const { model } = ctx.analysis;
  const refs = new Map(referencesOf(model).map((r) => [r.span.start, r] as const));
  const declared = new Map<number, string>();
  for (const s of model.ast.statements) if (s && 'name' in s && s.name?.text) declared.set(s.name.span.start, s.kind);
  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  eachToken(ctx.text, (kind, start, end) => {
    let type: string | undefined;
    let modifiers = 0;
    if (kind === 'name') {
      const ref = refs.get(start);
      const decl = declared.get(start);
      const k = ref?.symbol?.kind ?? decl;
      type = k ? OF_SYMBOL[k] : undefined;
      if (ref?.declaration || decl) modifiers |= 1;
      if (ref?.symbol && 'builtin' in ref.symbol && ref.symbol.builtin) modifiers |= 2;
    } else type = LITERAL[kind];
    if (!type || end <= start) return;
    const at = ctx.lines.position(start);
    if (ctx.lines.position(end).line !== at.line) return;
    data.push(
      at.line - prevLine,
      at.line === prevLine ? at.character - prevChar : at.character,
      end - start,
      TYPES.indexOf(type),
      modifiers,
    );
    prevLine = at.line;
    prevChar = at.character;
  });
  return data;
}

/** What an editor does with a delta: the edits applied to the numbers it holds, from the last. */
function applyEdits(previous: readonly number[], edits: SemanticTokensEdit[]): number[] {
  const out = [...previous];
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out.splice(e.start, e.deleteCount, ...(e.data ?? []));
  return out;
}

describe('semantic tokens', () => {
  it('equal the plain rule on every sample and fixture', () => {
    for (const f of CORPUS) expect(semanticTokens(docContext(f.text)).data, f.name).toEqual(reference(docContext(f.text)));
  });

  it('equal the plain rule on mutated documents', () => {
    const r = new Random(1301);
    for (let i = 0; i < 150; i++) {
      const m = mutate(r, CORPUS);
      const ctx = docContext(m.text);
      expect(semanticTokens(ctx).data, `${m.base} ${m.mutations.join('+')}`).toEqual(reference(ctx));
    }
  });

  it('with the cache of the versions before, equal the plain rule after every edit', () => {
    const bases = baseTexts();
    for (let index = 0; index < 120; index++) {
      const seq = makeSequence(1301, index, bases);
      const cache = new SemanticTokenCache();
      let text = seq.start;
      semanticTokens(docContext(text), cache);
      for (const e of seq.edits) {
        text = applyEdit(text, e);
        const ctx = docContext(text);
        expect(semanticTokens(ctx, cache).data, `sequence ${index} of ${seq.base}`).toEqual(reference(ctx));
      }
    }
    const r = new Random(1302);
    const cache = new SemanticTokenCache();
    for (let i = 0; i < 80; i++) {
      const m = mutate(r, CORPUS);
      const ctx = docContext(m.text);
      expect(semanticTokens(ctx, cache).data, `${m.base} ${m.mutations.join('+')}`).toEqual(reference(ctx));
    }
  });

  it('edits from one result to the next give the next', () => {
    const numbers = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 });
    fc.assert(
      fc.property(numbers, numbers, numbers, numbers, (prefix, a, b, suffix) => {
        const previous = [...prefix, ...a, ...suffix];
        const next = [...prefix, ...b, ...suffix];
        const edits = semanticTokensEdits(previous, next);
        expect(applyEdits(previous, edits)).toEqual(next);
        // The server keeps and makes them as typed arrays: the same edits, plain numbers sent.
        expect(semanticTokensEdits(Int32Array.from(previous), Int32Array.from(next))).toEqual(edits);
        if (previous.join() === next.join()) expect(edits).toEqual([]);
        else {
          expect(edits).toHaveLength(1);
          // Only what lies between the common start and end is sent.
          expect(edits[0]!.data?.length ?? 0).toBeLessThanOrEqual(b.length + Math.min(prefix.length, suffix.length, 40));
        }
      }),
      { numRuns: 2000, seed: 1301 },
    );
  });

  it('an edit of a port in a big file is sent as a few numbers', () => {
    const rules = Array.from(
      { length: 2000 },
      (_, i) => `  ${10 * (i + 1)} inbound allow tcp from 10.1.${i % 250}.0/24 to web port ${1000 + i}`,
    );
    const text = `host web 10.0.0.1\nfirewall f stateless protects web {\n${rules.join('\n')}\n}\n`;
    const before = semanticTokens(docContext(text)).data;
    const after = semanticTokens(docContext(text.replace('port 1500', 'port 15000'))).data;
    const edits = semanticTokensEdits(before, after);
    expect(before.length).toBeGreaterThan(50_000);
    expect(applyEdits(before, edits)).toEqual(after);
    expect(edits).toHaveLength(1);
    expect(edits[0]!.data!.length).toBeLessThanOrEqual(5);
  });
});
