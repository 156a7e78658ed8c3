// Go to definition: from a name to where it is declared (in this file or an included one),
// from an `include "path"` to the included file. Also the name lookups that references
// and rename share: which symbol a name means, and every name that means it.

import * as nodePath from 'node:path';
import type { Location, Position } from 'vscode-languageserver';
import type { Span } from '../core/diagnostic';
import { referenceAt as referenceIn, referencesOf } from '../model/ownership';
import { buildModel } from '../model/resolve';
import type { FileHost, FilePath, Model, NameReference } from '../model/types';
import { type DocContext, rangeIn, uriOf } from './docContext';
import { includeTarget } from './links';

/**
 * One identity per symbol, stable across separately built models (a declaration is known
 * by its file and offset, a built-in by its kind and name).
 */
export function symbolKey(ref: NameReference): string | undefined {
  const s = ref.symbol;
  if (s) {
    if (s.origin) return `${s.origin.file}\0${s.origin.nameSpan.start}`;
    return `builtin\0${s.kind}\0${s.name}`;
  }
  if (ref.declaration) return `${ref.file}\0${ref.span.start}`;
  return undefined;
}

function contains(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}

/** The name (use or declaration) of the document under `offset`. */
export function referenceAt(ctx: DocContext, offset: number): NameReference | undefined {
  return referenceIn(ctx.analysis.model, ctx.analysis.model.root, offset);
}

export function offsetAt(ctx: DocContext, position: Position): number {
  return ctx.lines.offset(position);
}

export function locationOf(ctx: DocContext, file: FilePath, span: Span): Location {
  return { uri: uriOf(ctx, file), range: rangeIn(ctx, file, span) };
}

/** A file host over the texts the model already read: no IO. */
function includesHost(ctx: DocContext): FileHost {
  const texts = new Map(ctx.analysis.model.includes.map((i) => [i.path, i.text]));
  return {
    readFile: (p) => texts.get(p),
    resolve: (from, rel) => nodePath.resolve(nodePath.dirname(from), rel),
  };
}

/**
 * Every name of the root file and of the files it includes (the model keeps only the root
 * file's names, so included files are resolved again from the texts already read).
 */
export function allReferences(ctx: DocContext): readonly NameReference[] {
  const { model } = ctx.analysis;
  if (model.includes.length === 0) return referencesOf(model);
  // Once per version: each references or rename request built every included file again (an
  // include of a megabyte, fuzz seed 1144 case 82915: 0.3 s a request).
  let out = includedReferences.get(model);
  if (!out) {
    const all = [...referencesOf(model)];
    const host = includesHost(ctx);
    for (const inc of model.includes) for (const r of referencesOf(buildModel(inc.path, inc.text, host))) all.push(r);
    includedReferences.set(model, (out = Object.freeze(all)));
  }
  return out;
}

const includedReferences = new WeakMap<Model, readonly NameReference[]>();

/** The file where the name under `position` is declared (rename and references also search the files including it). */
export function declarationFileAt(ctx: DocContext, position: Position): FilePath | undefined {
  const ref = referenceAt(ctx, offsetAt(ctx, position));
  return ref ? declarationOf(ref)?.file : undefined;
}

/** The declaration site of the symbol `ref` names, if it has one. */
export function declarationOf(ref: NameReference): { file: string; span: Span } | undefined {
  if (ref.symbol?.origin) return { file: ref.symbol.origin.file, span: ref.symbol.origin.nameSpan };
  if (ref.declaration) return { file: ref.file, span: ref.span };
  return undefined;
}

export function definition(ctx: DocContext, position: Position): Location[] | null {
  const offset = offsetAt(ctx, position);
  const ref = referenceAt(ctx, offset);
  if (ref) {
    const decl = declarationOf(ref);
    return decl ? [locationOf(ctx, decl.file, decl.span)] : null;
  }
  for (const s of ctx.analysis.model.ast.statements) {
    if (s?.kind !== 'include' || !s.path || !contains(s.path.span, offset)) continue;
    const target = includeTarget(ctx, s.path.value);
    if (!target) return null;
    const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return [{ uri: target, range: zero }];
  }
  return null;
}
