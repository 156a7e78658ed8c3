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

/**
 * A copy of `roots` with every span moved by `by`, the originals untouched: what collectSpans
 * reaches is copied; what it does not look into (`render`, `message`, `text`, and anything not
 * an object) is taken as it is. For trees (statements, comments, pending diagnostics: nothing
 * in them is reached twice), so each object is copied where it is met.
 */
export function movedCopy<T extends unknown[]>(roots: T, by: number): T {
  const copy = (o: unknown): unknown => {
    if (o === null || typeof o !== 'object') return o;
    if (Array.isArray(o)) {
      const a: unknown[] = new Array<unknown>(o.length);
      for (let i = 0; i < o.length; i++) a[i] = copy(o[i]);
      return a;
    }
    const r = o as Record<string, unknown>;
    const c: Record<string, unknown> = { ...r };
    if (typeof r['start'] === 'number' && typeof r['end'] === 'number') {
      c['start'] = (r['start'] as number) + by;
      c['end'] = (r['end'] as number) + by;
      return c;
    }
    for (const k in c) {
      const v = c[k];
      if (v !== null && typeof v === 'object' && k !== 'render' && k !== 'message' && k !== 'text') c[k] = copy(v);
    }
    return c;
  };
  return roots.map(copy) as T;
}
