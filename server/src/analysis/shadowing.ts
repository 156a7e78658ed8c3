// The rule-order analyses, wired into analyze(): shadowed-rule and redundant-rule (one file
// each), over one shared first-match coverage per firewall and direction (ruleCoverage.ts).
import type { Diagnostic } from '../core/diagnostic';
import { LineIndex } from '../core/text';
import type { AnalysisContext } from './context';
import { checkRedundantRules } from './redundantRule';
import { checkShadowedRules } from './shadowedRule';

export function checkShadowing(ctx: AnalysisContext): Diagnostic[] {
  const lines = ctx.lines ?? new LineIndex(ctx.model.text);
  return [...checkShadowedRules(ctx, lines), ...checkRedundantRules(ctx, lines)];
}
