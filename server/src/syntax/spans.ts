// Every span of a piece of syntax, to move it: a chunk of the incremental parse or a kept rule
// whose place in the text changed, flows parsed apart and placed into a file (resolve.ts).

import type { Span } from '../core/diagnostic';

/** Every span object reachable from `roots`, each once (statements, comments, diagnostics). */
export function collectSpans(roots: unknown[]): Span[] {
  const seen = new Set<object>();
  const spans: Span[] = [];
  const visit = (o: unknown): void => {
    if (o === null || typeof o !== 'object' || seen.has(o)) return;
    seen.add(o);
    if (Array.isArray(o)) {
      for (const x of o) visit(x);
      return;
    }
    const r = o as Record<string, unknown>;
    if (typeof r['start'] === 'number' && typeof r['end'] === 'number') {
      spans.push(o as Span);
      return;
    }
    for (const k in r) {
      if (k === 'render' || k === 'message' || k === 'text') continue;
      visit(r[k]);
    }
  };
  for (const r of roots) visit(r);
  return spans;
}
