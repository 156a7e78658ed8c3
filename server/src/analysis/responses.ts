// The response analyses of spec §7–§8 over every firewall of the root file: one index per
// firewall (responseIndex.ts), then one check per diagnostic code.

import { type Diagnostic, diag } from '../core/diagnostic';
import { LineIndex } from '../core/text';
import type { AnalysisContext } from './context';
import { checkBroadResponses } from './broadResponse';
import { checkMissingResponses } from './missingResponse';
import { checkOrphanResponses } from './orphanResponse';
import { checkPartialResponses } from './partialResponse';
import type { ResponseContext } from './responseFix';
import { responseIndex } from './responseIndex';
import { checkStatefulResponses } from './statefulResponse';

const CODES = [checkMissingResponses, checkPartialResponses, checkBroadResponses, checkOrphanResponses, checkStatefulResponses];

export function checkResponses(actx: AnalysisContext): Diagnostic[] {
  const model = actx.model;
  const ctx: ResponseContext = {
    model,
    text: model.text,
    lines: actx.lines ?? new LineIndex(model.text),
    eol: model.text.includes('\r\n') ? '\r\n' : '\n',
    numbers: new Map(),
  };
  const out: Diagnostic[] = [];
  for (const fw of model.firewalls) {
    if (!fw.valid || fw.file !== model.root) continue;
    // One firewall's trouble must not hide the others' diagnostics.
    try {
      const ix = responseIndex(fw);
      for (const check of CODES) out.push(...check(ctx, fw, ix));
    } catch (e) {
      out.push(diag('internal', fw.node.name.span, `internal error in the response analyses of \`${fw.name}\`: ${(e as Error)?.message ?? String(e)}`));
    }
  }
  return out;
}
