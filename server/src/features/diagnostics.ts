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

/**
 * The editor lists at most this many diagnostics of one code per file; one information
 * diagnostic of that code then says how many more there are (`fwlang check` lists them all).
 * A file of 600,000 duplicate declarations would otherwise publish 600,000 diagnostics.
 */
export const MAX_DIAGNOSTICS_PER_CODE = 100;

export function toLspDiagnostics(ctx: DocContext): LspDiagnostic[] {
  const out: LspDiagnostic[] = [];
  const listed = new Map<string, number>();
  /** Per code past its limit: how many were left out, and the first of them. */
  const unlisted = new Map<Diagnostic['code'], { count: number; first: Diagnostic }>();
  for (const d of ctx.analysis.diagnostics) {
    if (!isOwn(ctx.analysis.model, d)) continue;
    const sev = effectiveSeverity(d, ctx.settings.severity);
    if (sev === 'off') continue;
    const n = listed.get(d.code) ?? 0;
    if (n >= MAX_DIAGNOSTICS_PER_CODE) {
      const u = unlisted.get(d.code);
      if (u) u.count++;
      else unlisted.set(d.code, { count: 1, first: d });
      continue;
    }
    listed.set(d.code, n + 1);
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
  for (const [code, { count, first }] of unlisted) {
    out.push({
      range: toRange(ctx.lines, first.span),
      severity: DiagnosticSeverity.Information,
      code,
      codeDescription: { href: `${REPOSITORY}${docPage(code)}` },
      source: 'fwlang',
      message:
        `${count} more \`${code}\` diagnostic${count === 1 ? '' : 's'} in this file, from here on, not listed: ` +
        `the editor lists the first ${MAX_DIAGNOSTICS_PER_CODE} of each code (\`fwlang check\` lists them all)`,
    });
  }
  return out;
}
