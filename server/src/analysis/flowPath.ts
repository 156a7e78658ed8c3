// flow-path: a `via` that names a firewall the flow's request does not cross (spec §6), so
// that the path is never silently shorter than the one written. A flow with this error is
// not simulated (cli.md).

import { type Diagnostic, diag } from '../core/diagnostic';
import { natViaNotCrossed, viaNotCrossed } from '../engine/simulate';
import type { Firewall, Flow, Model } from '../model/types';
import type { FlowDecl } from '../syntax/ast';
import type { AnalysisContext } from './context';
import { flowsOf } from '../model/ownership';
import { AddrSet } from '../core/intervals';

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

/**
 * Why a flow's `via` cannot be split into the two legs of spec §6.1, on the name of the NAT
 * gateway at fault: a second gateway, or a gateway of an address family the client or the
 * server does not have.
 */
function natLegErrors(flow: Flow): Diagnostic[] {
  const gateways = (flow.hops ?? []).flatMap((h) => (h.kind === 'nat' ? [h] : []));
  const out: Diagnostic[] = [];
  for (const [i, h] of gateways.entries()) {
    if (i > 0) {
      out.push(
        diag(
          'flow-path',
          h.name.span,
          `\`via ${h.nat.name}\`: a flow goes through one NAT gateway (\`${gateways[0]!.nat.name}\` is already on its path); ` +
            `write one flow per gateway`,
        ),
      );
      continue;
    }
    const family = AddrSet.V4.intersects(h.nat.address) ? AddrSet.V4 : AddrSet.V6;
    const none = [
      { label: flow.client.label, set: flow.client.addresses },
      { label: flow.server.label, set: flow.server.addresses },
    ].find((e) => !e.set.intersects(family));
    if (none) {
      out.push(
        diag(
          'flow-path',
          h.name.span,
          `\`via ${h.nat.name}\`: the gateway's address ${h.nat.addressText} and \`${none.label}\` are of different address ` +
            `families, so no leg of the connection can be formed through it`,
        ),
      );
    }
  }
  return out;
}

/** The flow-path errors of one flow through a NAT gateway: its legs, then the firewalls each leg does not cross. */
function natFlowPathDiagnostics(model: Model, flow: Flow): Diagnostic[] {
  const legErrors = natLegErrors(flow);
  if (legErrors.length > 0) return legErrors;
  const names = (flow.hops ?? []).flatMap((h) => (h.kind === 'firewall' ? [h.name] : []));
  const gw = flow.nat!;
  return natViaNotCrossed(model, flow).map(({ index, leg, firewall }) => {
    const ends =
      leg === 1
        ? `from \`${flow.client.label}\` to the gateway \`${gw.name}\` (${gw.addressText})`
        : `from \`${gw.name}\` to \`${flow.server.label}\``;
    return diag(
      'flow-path',
      names[index]?.span ?? flow.node.span,
      `\`via ${firewall.name}\`: it stands in leg ${leg} of the connection through the NAT gateway \`${gw.name}\`, ${ends}, ` +
        `and that leg does not cross it; name each firewall in the leg it lies on (before the gateway for leg 1, after it ` +
        `for leg 2), or name only the gateway`,
    );
  });
}

/** The flow-path errors of one flow, on the `via` names. */
function flowPathDiagnostics(model: Model, flow: Flow): Diagnostic[] {
  if (flow.nat) return natFlowPathDiagnostics(model, flow);
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
  return flowsOf(model).flatMap((f) => flowPathDiagnostics(model, f));
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
export function refusesVerdicts(d: Diagnostic): boolean {
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

/** Refusals by model and `extra` (the same analysis asks again for each lens, hover and command). */
const refusalMemo = new WeakMap<Model, WeakMap<Diagnostic[], Refusals>>();
const NO_EXTRA: Diagnostic[] = [];

/**
 * The errors that refuse the flows of `model`: its own diagnostics and its flows' paths are all
 * it needs, since no analysis check reports a code that refuses (test/analysis/refusals.test.ts
 * holds this), so `fwlang simulate` and `graph` do not analyse the file. `extra`: more
 * diagnostics to look through (the editor passes its analysis's; an error in both counts once).
 */
export function refusalsOf(model: Model, extra: Diagnostic[] = NO_EXTRA): Refusals {
  let byExtra = refusalMemo.get(model);
  if (!byExtra) refusalMemo.set(model, (byExtra = new WeakMap()));
  let r = byExtra.get(extra);
  if (!r) byExtra.set(extra, (r = computeRefusals(model, extra)));
  return r;
}

function computeRefusals(model: Model, extra: Diagnostic[]): Refusals {
  // By start, for a binary search: a file of 50,000 errors and 50,000 flows is not quadratic.
  const flows = model.ast.statements.filter((s): s is FlowDecl => s?.kind === 'flow').sort((a, b) => a.span.start - b.span.start);
  const flowAt = (offset: number): FlowDecl | undefined => {
    let lo = 0;
    let hi = flows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (flows[mid]!.span.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    const f = flows[lo];
    return f && f.span.start <= offset && offset < f.span.end ? f : undefined;
  };
  const everything: Diagnostic[] = [];
  const byFlow = new Map<FlowDecl, Diagnostic[]>();
  const seen = new SeenDiagnostics();
  for (const d of [...model.diagnostics, ...flowPathsOf(model), ...extra]) {
    if (!refusesVerdicts(d) || seen.has(d)) continue;
    const inFlow = d.file ? undefined : flowAt(d.span.start);
    if (inFlow) {
      const list = byFlow.get(inFlow) ?? [];
      list.push(d);
      byFlow.set(inFlow, list);
    } else everything.push(d);
  }
  everything.sort(byPlace);
  for (const list of byFlow.values()) list.sort(byPlace);
  return { everything, byFlow };
}

/**
 * Diagnostics seen, by place and words (the same error reported twice counts once): by start,
 * compared field by field, with no key text made for each (200,000 errors, each twice: the
 * file's and the analysis's). A start with many becomes a set of such texts.
 */
class SeenDiagnostics {
  private readonly byStart = new Map<number, Diagnostic[] | Set<string>>();

  private static key(d: Diagnostic): string {
    return `${d.file ?? ''}\u0000${d.code}\u0000${d.span.end}\u0000${d.message}`;
  }

  /** Whether a diagnostic like `d` was seen; records it when not. */
  has(d: Diagnostic): boolean {
    const at = this.byStart.get(d.span.start);
    if (!at) {
      this.byStart.set(d.span.start, [d]);
      return false;
    }
    if (at instanceof Set) {
      const k = SeenDiagnostics.key(d);
      if (at.has(k)) return true;
      at.add(k);
      return false;
    }
    for (const e of at) {
      if (e === d || (e.code === d.code && e.span.end === d.span.end && (e.file ?? '') === (d.file ?? '') && e.message === d.message)) {
        return true;
      }
    }
    if (at.length < 16) at.push(d);
    else this.byStart.set(d.span.start, new Set([...at, d].map(SeenDiagnostics.key)));
    return false;
  }
}

function byPlace(a: Diagnostic, b: Diagnostic): number {
  return (a.file ?? '').localeCompare(b.file ?? '') || a.span.start - b.span.start;
}

/**
 * refusalOf(refusalsOf(extended, extra), s) for a model `extended` made from `model` by flow
 * statements written after its text (resolveFlowText's: `added` are their statements, the
 * diagnostics of their parse and resolution, and the flows resolved), from the refusals of
 * `model`: a typed flow does not go through the file's errors again (100,000 in a fuzzed file).
 */
export function refusalOfAdded(
  model: Model,
  extra: Diagnostic[],
  extended: Model,
  added: { statements: FlowDecl[]; diagnostics: Diagnostic[]; flows: Flow[] },
  s: FlowDecl,
): readonly Diagnostic[] {
  const base = refusalsOf(model, extra);
  const start = model.text.length;
  const inside = (d: Diagnostic, f: FlowDecl) => f.span.start <= d.span.start && d.span.start < f.span.end;
  const outside: Diagnostic[] = [];
  const own: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const d of [...added.diagnostics, ...added.flows.flatMap((f) => flowPathDiagnostics(extended, f))]) {
    if (!refusesVerdicts(d)) continue;
    // What was added lies after the file's text: it meets nothing of the file's refusals.
    if (d.file || d.span.start < start) return refusalOf(refusalsOf(extended, extra), s);
    const key = `${d.code}\u0000${d.span.start}\u0000${d.span.end}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const inFlow = added.statements.find((f) => inside(d, f));
    if (!inFlow) outside.push(d);
    else if (inFlow === s) own.push(d);
  }
  const everything = outside.length ? [...base.everything, ...outside].sort(byPlace) : base.everything;
  return [...everything, ...own.sort(byPlace)];
}

/**
 * The errors that refuse this flow statement, in the lists they are kept in (none when it may
 * be simulated): the file's, one list that every flow shares, then the flow's own; refusalOf
 * joins them. What keeps the errors of every refused flow keeps these, not a copy of the
 * file's errors per flow (3,000 flows with errors of their own and 6,000 of the file's were
 * 144 MB and 2 s of `fwlang simulate`: fuzz document 18973 of seed 1145).
 */
export function refusalParts(r: Refusals, s: FlowDecl): (readonly Diagnostic[])[] {
  const own = r.byFlow.get(s);
  const parts: (readonly Diagnostic[])[] = [];
  if (r.everything.length) parts.push(r.everything);
  if (own?.length) parts.push(own);
  return parts;
}

/**
 * Why this flow statement is refused, without joining the lists: the list its first error is in
 * (`refusalReason` names that first one) and how many errors there are in all (0: it may be
 * simulated). What asks this of every flow must not join them: with 64,000 errors outside the
 * flows and 6,600 flows with errors of their own, the code lenses copied the 64,000 for each,
 * 65 s (fuzz document 18100 of seed 2203).
 */
export function refusalHead(r: Refusals, s: FlowDecl): { errors: readonly Diagnostic[]; count: number } {
  const own = r.byFlow.get(s) ?? [];
  return { errors: r.everything.length ? r.everything : own, count: r.everything.length + own.length };
}

/**
 * The errors that refuse this flow statement ([] when it may be simulated). Shared, not copied,
 * when only one of the two lists has any: a lens per flow copied every error outside the flows
 * (3,000 flows and as many errors of a fuzzed file: 0.6–0.9 s of code lenses, in process).
 */
export function refusalOf(r: Refusals, s: FlowDecl): readonly Diagnostic[] {
  const own = r.byFlow.get(s);
  if (!own?.length) return r.everything;
  if (r.everything.length === 0) return own;
  return [...r.everything, ...own];
}
