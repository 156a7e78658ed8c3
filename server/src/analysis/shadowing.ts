// The rule-order analyses of one firewall, registered in analyze(): shadowed-rule and
// redundant-rule (one file each), over one shared first-match coverage per firewall and
// direction (ruleCoverage.ts).
import type { Diagnostic } from '../core/diagnostic';
import { LineIndex } from '../core/text';
import type { Firewall } from '../model/types';
import type { AnalysisContext } from './context';
import { checkRedundantRules } from './redundantRule';
import { checkShadowedRules } from './shadowedRule';

export function checkShadowing(ctx: AnalysisContext, fw: Firewall): Diagnostic[] {
  const withLines = ctx.lines ? ctx : { ...ctx, lines: new LineIndex(ctx.model.text) };
  return [...checkShadowedRules(withLines, fw), ...checkRedundantRules(withLines, fw)];
}
