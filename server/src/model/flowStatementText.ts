// A flow statement as text, the way cli.md prints it: as written, without `flow` and the
// `expect` clause, white space folded.

import type { FlowDecl } from '../syntax/ast';

/** The flow as written, without `flow` and the `expect` clause, white space folded. */
export function flowStatementText(text: string, s: FlowDecl): string {
  // From right after `flow` (a bracketed IPv6 client starts with `[`, before the client's span).
  const start = s.keyword.end > s.span.start ? s.keyword.end : s.span.start;
  let end = s.span.end;
  if (s.expect) {
    // Cut at the `expect` keyword: the last occurrence before the action.
    const upto = text.slice(start, s.expect.span.start);
    const k = upto.lastIndexOf('expect');
    end = k >= 0 ? start + k : s.expect.span.start;
  }
  return stripComments(text.slice(start, end)).replace(/\s+/g, ' ').trim();
}

function stripComments(s: string): string {
  return s.replace(/#[^\n\r]*/g, ' ');
}
