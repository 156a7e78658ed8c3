// `# fw-ignore CODE` on the line above a statement or rule silences CODE for it (spec §8);
// a suppression that silences nothing is reported as a hint. The comment must be on a line
// of its own: a trailing `# fw-ignore` after a rule would otherwise silence the next rule.

import { type Diagnostic, type DiagnosticCode, DIAGNOSTIC_CODES, type Span, diag } from '../core/diagnostic';
import { LineIndex } from '../core/text';
import { closestName } from '../model/suggest';
import type { FileAst } from '../syntax/ast';

interface Suppression {
  code: string;
  span: Span;
  /** The statement or rule it applies to. */
  target?: Span;
  used: boolean;
  /** True when it is the only code of its comment (removing it removes the comment). */
  only: boolean;
  /** The whole comment. */
  comment: Span;
}

const IGNORE = /^#\s*fw-ignore\b(.*)$/;

function targets(ast: FileAst): Span[] {
  const spans: Span[] = [];
  for (const s of ast.statements) {
    if (!s) continue;
    spans.push(s.span);
    if (s.kind === 'firewall') for (const r of s.rules) if (r) spans.push(r.span);
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** What to delete to remove a whole comment: its line too when the comment is alone on it. */
function commentDeletion(text: string, span: Span): Span {
  let start = span.start;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  const alone = start === 0 || text[start - 1] === '\n' || text[start - 1] === '\r';
  if (!alone) return { start, end: span.end };
  let end = span.end;
  if (text[end] === '\r' && text[end + 1] === '\n') end += 2;
  else if (text[end] === '\n' || text[end] === '\r') end += 1;
  return { start, end };
}

export function applySuppressions(ast: FileAst, text: string, diagnostics: Diagnostic[]): Diagnostic[] {
  const comments = ast.comments.filter((c) => IGNORE.test(c.text));
  if (comments.length === 0) return diagnostics;
  const lines = LineIndex.of(text);
  const nodes = targets(ast);
  const byLine = new Map<number, Span>();
  for (const n of nodes) {
    const l = lines.position(n.start).line;
    if (!byLine.has(l)) byLine.set(l, n);
  }
  const ruleSpans = new Set<number>();
  for (const st of ast.statements) if (st?.kind === 'firewall') for (const r of st.rules) if (r) ruleSpans.add(r.span.start);
  const sups: Suppression[] = [];
  const out: Diagnostic[] = [];
  // "Did you mean" once per word: a megabyte comment of `# fw-ignore` repeats a few words 100,000 times.
  const nearest = new Map<string, string>();
  for (const c of comments) {
    const m = IGNORE.exec(c.text)!;
    const pos = lines.position(c.span.start);
    // Only a comment on a line of its own speaks about the statement below it.
    const trailing = lines.lineText(pos.line).slice(0, pos.character).trim() !== '';
    const target = trailing ? undefined : byLine.get(pos.line + 1);
    const codes = m[1]!.split(/[\s,]+/).filter(Boolean);
    if (trailing) {
      out.push(
        diag(
          'unused-suppression',
          c.span,
          '`# fw-ignore` silences nothing here: put it on a line of its own, right above the statement or rule it is for',
          {
            tags: ['unnecessary'],
          },
        ),
      );
      continue;
    }
    if (codes.length === 0) {
      out.push(diag('unused-suppression', c.span, '`# fw-ignore` needs the code to silence, e.g. `# fw-ignore missing-response`'));
    }
    let offset = c.text.indexOf('fw-ignore') + 'fw-ignore'.length;
    for (const code of codes) {
      const at = c.text.indexOf(code, offset);
      offset = at + code.length;
      const span = { start: c.span.start + at, end: c.span.start + at + code.length };
      if (!(DIAGNOSTIC_CODES as readonly string[]).includes(code)) {
        let near = nearest.get(code);
        if (near === undefined) nearest.set(code, (near = closestName(code, DIAGNOSTIC_CODES) ?? ''));
        out.push(
          diag('unused-suppression', span, `\`${code}\` is not a diagnostic code${near ? `; did you mean \`${near}\`?` : ''}`, {
            fixes: near ? [{ title: `Change to \`${near}\``, edits: [{ span, newText: near }], safe: false, preferred: true }] : [],
          }),
        );
        continue;
      }
      sups.push({ code, span, target, used: false, only: codes.length === 1, comment: c.span });
    }
  }
  for (const d of diagnostics) {
    let s: Suppression | undefined;
    if (!d.file) {
      // The innermost statement or rule wins (a rule's suppression before its firewall's).
      for (const x of sups) {
        if (x.code !== d.code || !x.target || d.span.start < x.target.start || d.span.start >= x.target.end) continue;
        if (!s || x.target.end - x.target.start < s.target!.end - s.target!.start) s = x;
      }
    }
    if (s) s.used = true;
    else out.push(d);
  }
  for (const s of sups) {
    if (s.used) continue;
    const what = s.target && ruleSpans.has(s.target.start) ? 'rule' : 'statement';
    out.push(
      diag(
        'unused-suppression',
        s.span,
        s.target
          ? `\`fw-ignore ${s.code}\` silences nothing: the ${what} below has no \`${s.code}\` diagnostic`
          : `\`fw-ignore ${s.code}\` silences nothing: no statement starts on the next line`,
        {
          tags: ['unnecessary'],
          fixes: [
            {
              title: 'Remove this suppression',
              edits: [{ span: s.only ? commentDeletion(text, s.comment) : s.span, newText: '' }],
              safe: false,
            },
          ],
        },
      ),
    );
  }
  return out;
}

export type { DiagnosticCode };
