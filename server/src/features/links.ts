// Document links: `include "path"` opens the included file, resolved against the
// directory of the including document (as the model resolves it).

import * as nodePath from 'node:path';
import type { DocumentLink } from 'vscode-languageserver';
import { URI, Utils } from 'vscode-uri';
import { type DocContext, toRange } from './docContext';

/**
 * The longest include path that gets a link: Linux's PATH_MAX. No file has a longer path, and
 * a megabyte of unterminated string after `include "` made each go-to-definition and each
 * document-links request encode it as a URI (0.2 s a time, fuzz document 26620 of seed 12012).
 */
export const MAX_INCLUDE_PATH = 4096;

/** The URI an include path names, relative to the document; undefined when it cannot be formed. */
export function includeTarget(ctx: DocContext, relative: string): string | undefined {
  if (!relative.trim() || relative.length > MAX_INCLUDE_PATH) return undefined;
  try {
    const doc = URI.parse(ctx.uri);
    if (doc.scheme === 'file') return URI.file(nodePath.resolve(nodePath.dirname(doc.fsPath), relative)).toString();
    return Utils.resolvePath(Utils.dirname(doc), relative).toString();
  } catch {
    return undefined;
  }
}

export function documentLinks(ctx: DocContext): DocumentLink[] {
  const links: DocumentLink[] = [];
  for (const s of ctx.analysis.model.ast.statements) {
    if (s?.kind !== 'include' || !s.path) continue;
    const target = includeTarget(ctx, s.path.value);
    if (!target) continue;
    // The span holds the quotes; the link covers the path between them.
    const { start, end } = s.path.span;
    const quoted = ctx.text.charAt(start) === '"';
    const closed = end - start >= 2 && ctx.text.charAt(end - 1) === '"';
    const span = { start: quoted ? start + 1 : start, end: closed ? end - 1 : end };
    if (span.end <= span.start) continue;
    links.push({ range: toRange(ctx.lines, span), target, tooltip: `Open ${s.path.value}` });
  }
  return links;
}
