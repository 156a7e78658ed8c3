// flow-path: a `via` that names a firewall the flow's request does not cross (spec §6), so
// that the path is never silently shorter than the one written. A flow with this error is
// not simulated (cli.md).

import { type Diagnostic, diag } from '../core/diagnostic';
import { viaNotCrossed } from '../engine/simulate';
import type { Firewall, Flow, Model } from '../model/types';
import type { FlowDecl } from '../syntax/ast';
import type { AnalysisContext } from './context';
import { flowsOf } from '../model/ownership';

/** Why the request does not cross `fw`: both ends inside, or neither. */
function whyNotCrossed(flow: Flow, fw: Firewall): string {
  const clientIn = fw.inside.intersects(flow.client.addresses);
  const serverIn = fw.inside.intersects(flow.server.addresses);
  const ends =
    clientIn && serverIn
      ? `both \`${flow.client.label}\` and \`${flow.server.label}\` are inside \`${fw.name}\``
      : `neither \`${flow.client.label}\` nor \`${flow.server.label}\` is inside \`${fw.name}\``;
  return `${ends}, so the request does not cross it`;
}

/** The flow-path errors of one flow, on the `via` names. */
function flowPathDiagnostics(flow: Flow): Diagnostic[] {
  const names = flow.node.via.filter((n) => !!n);
  return viaNotCrossed(flow).map(({ index, firewall }) =>
    diag(
      'flow-path',
      names[index]?.span ?? flow.node.span,
      `\`via ${firewall.name}\`: ${whyNotCrossed(flow, firewall)}; name only firewalls on the flow's path, or leave \`via\` out`,
    ),
  );
}

/** Every flow-path error of the root file's flows. */
function flowPathsOf(model: Model): Diagnostic[] {
  return flowsOf(model).flatMap(flowPathDiagnostics);
}

export function checkFlowPaths(ctx: AnalysisContext): Diagnostic[] {
  return flowPathsOf(ctx.model);
}

// ---- refusal (spec §8.1 rule 5, cli.md `simulate`) ------------------------------------
// No verdict from a half-read file: an error that can change verdicts in a declaration or
// a firewall refuses every flow; one inside a flow statement (or its flow-path) refuses
// that flow only. Decided from the unsuppressed diagnostics, so `# fw-ignore` cannot
// silence a refusal.

/** Codes of the errors that make a verdict unreliable. */
function refusesVerdicts(d: Diagnostic): boolean {
  return (
    d.code.startsWith('invalid-') ||
    ['syntax', 'unknown-name', 'duplicate-name', 'rule-numbering', 'include-error', 'platform-unsupported', 'flow-path'].includes(d.code)
  );
}

interface Refusals {
  /** Errors outside every flow statement: no flow is simulated. */
  everything: Diagnostic[];
  /** Errors inside one flow statement, per statement: that flow is not simulated. */
  byFlow: Map<FlowDecl, Diagnostic[]>;
}

export function refusalsOf(model: Model, extra: Diagnostic[] = []): Refusals {
  const flows = model.ast.statements.filter((s): s is FlowDecl => s?.kind === 'flow');
  const everything: Diagnostic[] = [];
  const byFlow = new Map<FlowDecl, Diagnostic[]>();
  const seen = new Set<string>();
  for (const d of [...model.diagnostics, ...flowPathsOf(model), ...extra]) {
    if (!refusesVerdicts(d)) continue;
    const key = `${d.file ?? ''}\u0000${d.code}\u0000${d.span.start}\u0000${d.span.end}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const inFlow = d.file ? undefined : flows.find((s) => d.span.start >= s.span.start && d.span.start < s.span.end);
    if (inFlow) {
      const list = byFlow.get(inFlow) ?? [];
      list.push(d);
      byFlow.set(inFlow, list);
    } else everything.push(d);
  }
  const byPlace = (a: Diagnostic, b: Diagnostic) => (a.file ?? '').localeCompare(b.file ?? '') || a.span.start - b.span.start;
  everything.sort(byPlace);
  for (const list of byFlow.values()) list.sort(byPlace);
  return { everything, byFlow };
}

/** The errors that refuse this flow statement ([] when it may be simulated). */
export function refusalOf(r: Refusals, s: FlowDecl): Diagnostic[] {
  return [...r.everything, ...(r.byFlow.get(s) ?? [])];
}
