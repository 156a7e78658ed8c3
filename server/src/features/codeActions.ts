// Code actions: every quick fix the analyses attach to their diagnostics, plus
// "Add a flow that tests this rule" on a rule.

import { type CodeAction, CodeActionKind, type CodeActionParams, type TextEdit as LspEdit } from 'vscode-languageserver';
import { flowForRule } from '../analysis/ruleFlow';
import type { Diagnostic } from '../core/diagnostic';
import { type DocContext, rangeIn, toRange, uriOf } from './docContext';
import { isOwn, rulesOf } from '../model/ownership';
import { effectiveSeverity, toLspDiagnostics } from './diagnostics';

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
      if (!isOwn(model, d) || !d.fixes?.length || !overlaps(d.span, range)) return;
      if (effectiveSeverity(d, ctx.settings.severity) === 'off') return; // no fix for what the user turned off
      const lspDiag = lspDiags.find((x) => x.code === d.code && x.message === d.message);
      for (const fix of d.fixes) {
        const changes: Record<string, LspEdit[]> = {};
        for (const e of fix.edits) {
          const file = e.file ?? d.file;
          (changes[uriOf(ctx, file)] ??= []).push({ range: rangeIn(ctx, file, e.span), newText: e.newText });
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
    for (const { rule } of rulesOf(ctx.analysis.model)) {
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
  return actions;
}
