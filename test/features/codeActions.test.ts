// Quick fixes go with the diagnostics the user sees: none for a code set to `off`.
import { describe, expect, it } from 'vitest';
import { CodeActionKind } from 'vscode-languageserver';
import { codeActions } from '../../server/src/features/codeActions';
import { toLspDiagnostics } from '../../server/src/features/diagnostics';
import { docContext } from '../support/docContext';

// A request rule whose response is missing and a rule that the one before it shadows: each
// has its quick fixes.
const TEXT = `host web 10.0.1.10
firewall edge stateless protects 10.0.1.0/24 {
  inbound allow tcp to web port 443
  inbound allow tcp from 198.51.100.0/24 to web port 443
}
`;

/** The titles of the quick fixes offered over the whole text, with these severity settings. */
function quickFixes(severity: Record<string, string>): string[] {
  const ctx = { ...docContext(TEXT), settings: { defaultEphemeral: '', severity } };
  const actions = codeActions(ctx, {
    textDocument: { uri: ctx.uri },
    range: { start: { line: 0, character: 0 }, end: ctx.lines.position(TEXT.length) },
    context: { diagnostics: toLspDiagnostics(ctx), only: [CodeActionKind.QuickFix] },
  });
  return actions.map((a) => a.title).sort();
}

/** The titles of the fixes the analysis attaches to diagnostics of these codes. */
function fixesOf(...codes: string[]): string[] {
  return docContext(TEXT)
    .analysis.diagnostics.filter((d) => codes.includes(d.code))
    .flatMap((d) => d.fixes?.map((f) => f.title) ?? [])
    .sort();
}

describe('quick fixes and the fwlang.severity setting', () => {
  it('are offered for every code that is shown, whatever its severity', () => {
    expect(fixesOf('missing-response').length).toBeGreaterThan(0);
    expect(fixesOf('shadowed-rule').length).toBeGreaterThan(0);
    expect(quickFixes({ 'missing-response': 'hint' })).toEqual(fixesOf('missing-response', 'shadowed-rule'));
  });

  it('are not offered for a code set to off (its diagnostic is not shown)', () => {
    expect(quickFixes({ 'missing-response': 'off' })).toEqual(fixesOf('shadowed-rule'));
    expect(quickFixes({ 'shadowed-rule': 'off' })).toEqual(fixesOf('missing-response'));
    expect(quickFixes({ 'missing-response': 'off', 'shadowed-rule': 'off' })).toEqual([]);
  });
});
