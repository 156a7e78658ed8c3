// Find references: every use of the name under the cursor in this file, the files it
// includes and the files that include the name's file (open, or in the workspace folders),
// with its declaration when asked.

import type { Location, Position } from 'vscode-languageserver';
import type { FilePath, ModelSymbol, NameReference } from '../model/types';
import type { DocContext } from './docContext';
import { allReferences, declarationOf, locationOf, offsetAt, referenceAt, symbolKey } from './definition';

/** A name, with the analysed document through which it was read (for its URI and lines). */
interface FoundReference {
  ctx: DocContext;
  ref: NameReference;
}

/**
 * The documents among `others` that see the declaration of `ref`: its own file or one that
 * includes it (directly or through another include).
 */
function includersOf(ctx: DocContext, ref: NameReference, others: DocContext[]): DocContext[] {
  const file = declarationOf(ref)?.file;
  if (!file) return [];
  return others.filter((o) => o.uri !== ctx.uri && (o.path === file || o.analysis.model.includes.some((i) => i.path === file)));
}

/**
 * The names that mean the same symbol as `ref`, declaration included, in text order per
 * file: in `ctx` and its includes, then in the documents of `others` that include the
 * symbol's file (each file once).
 */
export function sameSymbol(ctx: DocContext, ref: NameReference, others: DocContext[] = []): FoundReference[] {
  const key = symbolKey(ref);
  if (!key) return [{ ctx, ref }];
  // A name's key is its symbol's while it has one: made once per symbol here, not once per
  // use (a megabyte line of one name, fuzz seed 1144 case 24431: 250,000 uses, 0.6 s).
  const keys = new Map<ModelSymbol, string | undefined>();
  const keyOf = (r: NameReference): string | undefined => {
    const s = r.symbol;
    if (!s) return symbolKey(r);
    if (!keys.has(s)) keys.set(s, symbolKey(r));
    return keys.get(s);
  };
  const seen = new Map<FilePath, Set<number>>();
  const out: FoundReference[] = [];
  for (const doc of [ctx, ...includersOf(ctx, ref, others)]) {
    for (const r of allReferences(doc)) {
      if (keyOf(r) !== key) continue;
      let starts = seen.get(r.file);
      if (!starts) seen.set(r.file, (starts = new Set()));
      if (starts.has(r.span.start)) continue;
      starts.add(r.span.start);
      out.push({ ctx: doc, ref: r });
    }
  }
  return out;
}

/** `others`: other analysed files (the LSP layer gives those that include the name's file). */
export function references(ctx: DocContext, position: Position, includeDeclaration: boolean, others: DocContext[] = []): Location[] {
  const ref = referenceAt(ctx, offsetAt(ctx, position));
  if (!ref) return [];
  return sameSymbol(ctx, ref, others)
    .filter((f) => includeDeclaration || !f.ref.declaration)
    .map((f) => locationOf(f.ctx, f.ref.file, f.ref.span));
}
