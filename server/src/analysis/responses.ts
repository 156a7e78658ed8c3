// The response analyses of spec §7–§8 over one firewall, registered in analyze(): one index
// per firewall (responseIndex.ts), then one check per diagnostic code, sharing that index and
// the rule numbers their fixes hand out.

import type { Diagnostic } from '../core/diagnostic';
import { LineIndex } from '../core/text';
import type { Firewall, Model } from '../model/types';
import type { AnalysisContext } from './context';
import { checkBroadResponses } from './broadResponse';
import { checkMissingResponses } from './missingResponse';
import { checkOrphanResponses } from './orphanResponse';
import { checkPartialResponses } from './partialResponse';
import type { ResponseContext } from './responseFix';
import { responseIndex } from './responseIndex';
import { checkStatefulResponses } from './statefulResponse';

const CODES = [checkMissingResponses, checkPartialResponses, checkBroadResponses, checkOrphanResponses, checkStatefulResponses];

/** The line ending fixes write, per text: read once, not once per firewall (a file may hold 50,000). */
const EOLS = new WeakMap<Model, string>();
function eolOf(model: Model): string {
  let eol = EOLS.get(model);
  if (eol === undefined) EOLS.set(model, (eol = model.text.includes('\r\n') ? '\r\n' : '\n'));
  return eol;
}

export function checkResponses(actx: AnalysisContext, fw: Firewall): Diagnostic[] {
  if (!fw.valid) return [];
  const model = actx.model;
  const ctx: ResponseContext = {
    model,
    text: model.text,
    lines: actx.lines ?? new LineIndex(model.text),
    eol: eolOf(model),
    numbers: new Map(),
  };
  const ix = responseIndex(fw);
  return CODES.flatMap((check) => check(ctx, fw, ix));
}
