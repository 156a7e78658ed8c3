// Code actions: every quick fix the analyses attach to their diagnostics, plus
// "Add a flow that tests this rule" on a rule.

import { type CodeAction, CodeActionKind, type CodeActionParams, type TextEdit as LspEdit } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { flowForRule } from '../analysis/ruleFlow';
import type { Diagnostic } from '../core/diagnostic';
import { LineIndex } from '../core/text';
import { type DocContext, toRange } from '../lsp/docContext';
import { toLspDiagnostics } from './diagnostics';

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export function codeActions(ctx: DocContext, params: CodeActionParams): CodeAction[] {
  const want = params.context.only;
  const allows = (kind: string) => !want || want.some((w) => kind === w || kind.startsWith(`${w}.`));
  const range = { start: ctx.lines.offset(params.range.start), end: ctx.lines.offset(params.range.end) };
  const actions: CodeAction[] = [];
  if (allows(CodeActionKind.QuickFix)) {
    const lspDiags = toLspDiagnostics(ctx);
    const { model } = ctx.analysis;
    ctx.analysis.diagnostics.forEach((d: Diagnostic) => {
      if ((d.file && d.file !== model.root) || !d.fixes?.length || !overlaps(d.span, range)) return;
      const lspDiag = lspDiags.find((x) => x.code === d.code && x.message === d.message);
      for (const fix of d.fixes) {
        const changes: Record<string, LspEdit[]> = {};
        for (const e of fix.edits) {
          const file = e.file ?? d.file ?? model.root;
          const uri = file === model.root ? ctx.uri : URI.file(file).toString();
          const lines = file === model.root ? ctx.lines : new LineIndex(model.includes.find((i) => i.path === file)?.text ?? '');
          (changes[uri] ??= []).push({ range: toRange(lines, e.span), newText: e.newText });
        }
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: lspDiag ? [lspDiag] : undefined,
          isPreferred: fix.preferred,
          edit: { changes },
        });
      }
    });
  }
  if (allows(CodeActionKind.Refactor)) {
    for (const fw of ctx.analysis.model.firewalls) {
      if (fw.file !== ctx.analysis.model.root) continue;
      for (const rule of fw.rules) {
        if (!overlaps(rule.node.span, range) || rule.action !== 'allow') continue;
        const flow = flowForRule(rule, ctx.text);
        if (!flow) continue;
        const end = ctx.text.length;
        const sep = ctx.text.endsWith('\n') || end === 0 ? '' : '\n';
        actions.push({
          title: 'Add a flow that tests this rule',
          kind: CodeActionKind.Refactor,
          edit: {
            changes: {
              [ctx.uri]: [{ range: toRange(ctx.lines, { start: end, end }), newText: `${sep}flow ${flow} expect allow\n` }],
            },
          },
        });
      }
    }
  }
  return actions;
}
