// Core diagnostics -> LSP diagnostics: ranges, severities (with the user's overrides),
// code links to docs/, related information and tags.

import { type Diagnostic as LspDiagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver';
import type { Diagnostic, Severity } from '../core/diagnostic';
import { type DocContext, rangeIn, toRange, uriOf } from './docContext';
import { isOwn } from '../model/ownership';
import { docPage } from '../core/codes';

/** Where the repository's files are read on the web: a code's link is its doc page there (as in SARIF). */
const REPOSITORY = 'https://github.com/fwlang/fwlang/blob/main/';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function effectiveSeverity(d: Diagnostic, overrides: Record<string, string>): Severity | 'off' {
  const o = overrides[d.code];
  if (o === 'off' || o === 'error' || o === 'warning' || o === 'info' || o === 'hint') return o;
  return d.severity;
}

export function toLspDiagnostics(ctx: DocContext): LspDiagnostic[] {
  const out: LspDiagnostic[] = [];
  for (const d of ctx.analysis.diagnostics) {
    if (!isOwn(ctx.analysis.model, d)) continue;
    const sev = effectiveSeverity(d, ctx.settings.severity);
    if (sev === 'off') continue;
    const lsp: LspDiagnostic = {
      range: toRange(ctx.lines, d.span),
      severity: SEVERITY[sev],
      code: d.code,
      codeDescription: { href: `${REPOSITORY}${docPage(d.code)}` },
      source: 'fwlang',
      message: d.message,
    };
    if (d.tags?.includes('unnecessary')) lsp.tags = [DiagnosticTag.Unnecessary];
    if (d.related?.length) {
      lsp.relatedInformation = d.related.map((r) => ({
        location: { uri: uriOf(ctx, r.file), range: rangeIn(ctx, r.file, r.span) },
        message: r.message,
      }));
    }
    out.push(lsp);
  }
  return out;
}
