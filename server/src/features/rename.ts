// Rename: a declared host, network, service, profile or firewall, everywhere it is used in
// this file, the files it includes and the files that include the name's file. Built-ins
// and keywords are not renamed, and the new name must be a free, valid name. Refusals are
// returned as `{ error }` for the LSP layer.

import type { Position, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { BUILTIN_PROFILES, BUILTIN_SERVICES, KEYWORDS } from '../model/builtins';
import type { NameReference } from '../model/types';
import { tokenize } from '../syntax/tokenize';
import { type DocContext, linesOf, toRange, uriOf } from './docContext';
import { offsetAt, referenceAt, symbolKey } from './definition';
import { sameSymbol } from './references';

interface Refusal {
  error: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** No keyword is looked for in a line longer than this. */
const MAX_LINE = 10_000;
const KEYWORD_SET = new Set<string>(KEYWORDS);

/** The keyword under `offset`, if the cursor is on one. */
function keywordAt(ctx: DocContext, offset: number): string | undefined {
  const { line } = ctx.lines.position(offset);
  const start = ctx.lines.lineStart(line);
  const text = ctx.lines.lineText(line);
  // A line that long is data (as for completion): lexing 95 KB of brackets for each rename asked
  // on it took 40-80 ms (fuzz document 6108 of seed 2203).
  if (text.length > MAX_LINE) return undefined;
  const t = tokenize(text).find((x) => x.start + start <= offset && offset <= x.end + start);
  return t?.kind === 'keyword' ? t.text : undefined;
}

function describe(ref: NameReference): string {
  switch (ref.symbol?.kind) {
    case 'service':
      return 'service';
    case 'profile':
      return 'ephemeral profile';
    default:
      return ref.symbol?.kind ?? 'name';
  }
}

/** What can be renamed at `position`: the name and its range, or why not. */
function target(ctx: DocContext, position: Position): { ref: NameReference } | Refusal | null {
  const offset = offsetAt(ctx, position);
  const ref = referenceAt(ctx, offset);
  if (!ref) {
    const kw = keywordAt(ctx, offset);
    return kw ? { error: `\`${kw}\` is a keyword of the language; it cannot be renamed` } : null;
  }
  if (ref.symbol && !ref.symbol.origin) {
    return {
      error: `\`${ref.name}\` is a built-in ${describe(ref)}; it cannot be renamed (declare your own ${describe(ref)} to use another name)`,
    };
  }
  if (!symbolKey(ref)) return { error: `\`${ref.name}\` is not declared, so there is nothing to rename` };
  return { ref };
}

export function prepareRename(ctx: DocContext, position: Position): { range: Range; placeholder: string } | Refusal | null {
  const t = target(ctx, position);
  if (!t || 'error' in t) return t;
  return { range: toRange(ctx.lines, t.ref.span), placeholder: t.ref.name };
}

/** Names that are taken: declared in these documents or the files they include, built-ins. */
function takenNames(docs: DocContext[]): Set<string> {
  const taken = new Set<string>();
  for (const ctx of docs) {
    for (const n of ctx.analysis.model.symbols.keys()) taken.add(n);
    for (const s of ctx.analysis.model.ast.statements) {
      if (s && 'name' in s && s.name?.text) taken.add(s.name.text);
    }
  }
  for (const n of Object.keys(BUILTIN_SERVICES)) taken.add(n);
  for (const n of Object.keys(BUILTIN_PROFILES)) taken.add(n);
  return taken;
}

/** `others`: other analysed files; those that include the name's file are renamed too. */
export function rename(ctx: DocContext, position: Position, newName: string, others: DocContext[] = []): WorkspaceEdit | Refusal | null {
  const t = target(ctx, position);
  if (!t || 'error' in t) return t ?? { error: 'there is no name here to rename' };
  const { ref } = t;
  if (newName === ref.name) return { changes: {} };
  if (!NAME.test(newName)) {
    return { error: `\`${newName}\` is not a valid name: a name is a letter or \`_\`, then letters, digits, \`_\` or \`-\`` };
  }
  if (KEYWORD_SET.has(newName)) return { error: `\`${newName}\` is a keyword and cannot be used as a name` };
  const found = sameSymbol(ctx, ref, others);
  if (takenNames([...new Set([ctx, ...found.map((f) => f.ctx)])]).has(newName)) {
    const builtin = newName in BUILTIN_SERVICES || newName in BUILTIN_PROFILES;
    return { error: `\`${newName}\` is already ${builtin ? 'a built-in name' : 'declared'}; choose another name` };
  }
  const changes: Record<string, TextEdit[]> = {};
  for (const { ctx: doc, ref: r } of found) {
    (changes[uriOf(doc, r.file)] ??= []).push({ range: toRange(linesOf(doc, r.file), r.span), newText: newName });
  }
  return { changes };
}
