// flow-expectation: a flow whose simulated verdict differs from its `expect` (spec §6).

import { type Diagnostic, diag } from '../core/diagnostic';
import type { FlowResult, Hop } from '../engine/simulate';
import type { AnalysisContext } from './context';
import { refusalOf, refusalsOf } from './flowPath';
import { Lines } from '../report/flowReport';

/** `edge, inbound, by rule 100` / `catogram-sg, outbound, by the rule on line 18` / `edge, outbound, by the default deny` */
export function hopText(h: Hop, lines: Lines): string {
  const by =
    h.by === 'state'
      ? 'by connection tracking'
      : h.by === 'default'
        ? `by the default ${h.action}`
        : h.rule?.number !== undefined
          ? `by rule ${h.rule.number}`
          : `by the rule on line ${h.rule ? lines.line(h.rule.file, h.rule.node.span.start) : '?'}`;
  return `${h.firewall.name} (${h.direction}, ${by})`;
}

/** A one-sentence summary of where a flow is dropped. */
export function dropSummary(r: FlowResult, lines: Lines): string {
  const reqDrop = r.request.hops.find((h) => h.action === 'deny');
  if (r.request.verdict === 'blocked' && reqDrop) {
    return `the request is dropped at ${hopText(reqDrop, lines)}`;
  }
  const parts: string[] = [];
  if (r.request.verdict !== 'allowed' && reqDrop) parts.push(`some requests are dropped at ${hopText(reqDrop, lines)}`);
  if (r.response) {
    const respDrop = r.response.hops.find((h) => h.action === 'deny');
    if (r.response.verdict !== 'allowed' && respDrop) {
      const ports = r.response.blockedClientPorts.toString();
      parts.push(
        `the response${ports ? ` to client ports ${ports}` : ''} is dropped at ${hopText(respDrop, lines)}`,
      );
    }
  }
  return parts.join('; ') || `the verdict is ${r.verdict}`;
}

export function checkFlowExpectations(ctx: AnalysisContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = new Lines(ctx.model);
  // A flow that is not simulated (spec §8.1 rule 5) has no verdict to hold against its expect.
  const refused = refusalsOf(ctx.model);
  for (const r of ctx.flowResults) {
    if (r.met || !r.flow.expect) continue;
    if (refusalOf(refused, r.flow.node).length > 0) continue;
    const why =
      r.verdict === 'allowed'
        ? r.request.hops.length
          ? `it passes ${[...r.request.hops, ...(r.response?.hops ?? [])].map((h) => hopText(h, lines)).join(', then ')}`
          : 'it crosses no firewall'
        : dropSummary(r, lines);
    out.push(
      diag(
        'flow-expectation',
        r.flow.node.span,
        `expected ${r.flow.expect}, but the flow is ${r.verdict}: ${why}`,
        {
          related: [...r.request.hops, ...(r.response?.hops ?? [])]
            .filter((h) => h.rule && h.action === (r.flow.expect === 'allow' ? 'deny' : 'allow'))
            .map((h) => ({
              file: h.rule!.file === ctx.model.root ? undefined : h.rule!.file,
              span: h.rule!.node.span,
              message: `${h.firewall.name}: this rule ${h.action === 'deny' ? 'drops' : 'allows'} it`,
            })),
        },
      ),
    );
  }
  return out;
}
