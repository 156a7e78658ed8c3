// Find references: every use of the name under the cursor in this file and the files it
// includes, with its declaration when asked.

import type { Location, Position } from 'vscode-languageserver';
import type { NameReference } from '../model/types';
import type { DocContext } from '../lsp/docContext';
import { allReferences, locationOf, offsetAt, referenceAt, symbolKey } from './definition';

/** The names that mean the same symbol as `ref`, declaration included, in text order per file. */
export function sameSymbol(ctx: DocContext, ref: NameReference): NameReference[] {
  const key = symbolKey(ref);
  if (!key) return [ref];
  const seen = new Set<string>();
  const out: NameReference[] = [];
  for (const r of allReferences(ctx)) {
    if (symbolKey(r) !== key) continue;
    const id = `${r.file}\0${r.span.start}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(r);
  }
  return out;
}

export function references(ctx: DocContext, position: Position, includeDeclaration: boolean): Location[] {
  const ref = referenceAt(ctx, offsetAt(ctx, position));
  if (!ref) return [];
  return sameSymbol(ctx, ref)
    .filter((r) => includeDeclaration || !r.declaration)
    .map((r) => locationOf(ctx, r.file, r.span));
}
