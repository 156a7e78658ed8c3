// Find references: every use of the name under the cursor in this file, the files it
// includes and the files that include the name's file (open, or in the workspace folders),
// with its declaration when asked.

import type { Location, Position } from 'vscode-languageserver';
import type { NameReference } from '../model/types';
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
  const seen = new Set<string>();
  const out: FoundReference[] = [];
  for (const doc of [ctx, ...includersOf(ctx, ref, others)]) {
    for (const r of allReferences(doc)) {
      if (symbolKey(r) !== key) continue;
      const id = `${r.file}\0${r.span.start}`;
      if (seen.has(id)) continue;
      seen.add(id);
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
