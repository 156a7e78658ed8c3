// Folding: firewall bodies, statements written over several lines, and runs of
// whole-line comments.

import { type FoldingRange, FoldingRangeKind } from 'vscode-languageserver';
import type { DocContext } from './docContext';

export function foldingRanges(ctx: DocContext): FoldingRange[] {
  const out: FoldingRange[] = [];
  const { lines, text } = ctx;
  const lineOf = (offset: number) => lines.position(offset).line;

  for (const s of ctx.analysis.model.ast.statements) {
    if (!s) continue;
    if (s.kind === 'firewall' && s.body) {
      const start = lineOf(s.body.start);
      const closed = text.charAt(s.body.end - 1) === '}';
      const lastLine = lineOf(Math.max(s.body.start, s.body.end - 1));
      // Keep the closing brace visible when it is on its own line.
      const end = closed && lastLine > start ? lastLine - 1 : lastLine;
      if (end > start) out.push({ startLine: start, endLine: end });
      continue;
    }
    const start = lineOf(s.span.start);
    const end = lineOf(s.span.end);
    if (end > start) out.push({ startLine: start, endLine: end });
  }

  // Runs of comments that have their line to themselves.
  let runStart = -1;
  let runEnd = -1;
  const flush = () => {
    if (runStart >= 0 && runEnd > runStart) out.push({ startLine: runStart, endLine: runEnd, kind: FoldingRangeKind.Comment });
    runStart = runEnd = -1;
  };
  for (const c of ctx.analysis.model.ast.comments) {
    const line = lineOf(c.span.start);
    const before = text.slice(lines.lineStart(line), c.span.start);
    if (before.trim() !== '') continue;
    if (runStart >= 0 && line === runEnd + 1) runEnd = line;
    else {
      flush();
      runStart = runEnd = line;
    }
  }
  flush();
  return out.sort((a, b) => a.startLine - b.startLine);
}
