// flow-expectation: a flow whose simulated verdict differs from its `expect` (spec §6).

import { type Diagnostic, diag } from '../core/diagnostic';
import type { FlowResult } from '../engine/simulate';
import type { AnalysisContext } from './context';
import { refusalHead, refusalsOf } from './flowPath';
import type { Lines } from '../core/text';
import { dropWords, failureClauses, modelLines } from '../report/flowReport';
import { diagnosticFile } from '../model/ownership';

/** A one-sentence summary of what fails and where: which ports and addresses, and which
 * firewall, direction and rule or default drops them. */
function dropSummary(r: FlowResult, lines: Lines): string {
  return failureClauses(r, lines).join('; ') || `the verdict is ${r.verdict}`;
}

export function checkFlowExpectations(ctx: AnalysisContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = modelLines(ctx.model);
  // A flow that is not simulated (spec §8.1 rule 5) has no verdict to hold against its expect.
  const refused = refusalsOf(ctx.model);
  for (const r of ctx.flowResults) {
    if (r.met || !r.flow.expect) continue;
    if (refusalHead(refused, r.flow.node).count > 0) continue;
    const why =
      r.verdict === 'allowed'
        ? r.request.hops.length
          ? `it passes ${[...r.request.hops, ...(r.response?.hops ?? [])].map((h) => dropWords(h, lines)).join(', then ')}`
          : 'it crosses no firewall'
        : dropSummary(r, lines);
    out.push(
      diag('flow-expectation', r.flow.node.span, `expected ${r.flow.expect}, but the flow is ${r.verdict}: ${why}`, {
        related: [...r.request.hops, ...(r.response?.hops ?? [])]
          .filter((h) => h.rule && h.action === (r.flow.expect === 'allow' ? 'deny' : 'allow'))
          .map((h) => ({
            file: diagnosticFile(ctx.model, h.rule!.file),
            span: h.rule!.node.span,
            message: `${h.firewall.name}: this rule ${h.action === 'deny' ? 'drops' : 'allows'} it`,
          })),
      }),
    );
  }
  return out;
}
