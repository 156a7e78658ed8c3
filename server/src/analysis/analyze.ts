// analyze(): every diagnostic of a model — structural ones from resolution, the semantic
// checks of spec §7–§8, suppressions — plus the simulation of every flow. Never throws.
//
// The per-firewall checks depend only on a firewall's own text, the declarations and where
// the firewall starts; an AnalysisCache keeps their results between edits, so typing in one
// firewall re-analyses that firewall only (the editor passes one cache per document).

import { type Diagnostic, type Span, diag } from '../core/diagnostic';
import { LineIndex } from '../core/text';
import { type FlowResult, simulateFlow } from '../engine/simulate';
import { buildModel } from '../model/resolve';
import type { FileHost, Firewall, Model } from '../model/types';
import type { AnalysisContext, FileCheck, FirewallCheck } from './context';
import { checkFlowExpectations } from './flowExpectation';
import { checkFlowPaths } from './flowPath';
import { checkResponses } from './responses';
import { checkShadowing } from './shadowing';
import { applySuppressions } from './suppress';

export interface Analysis {
  model: Model;
  diagnostics: Diagnostic[];
  flowResults: FlowResult[];
}

/** Every check, in the order their diagnostics are collected. */
const CHECKS: readonly ({ per: 'firewall'; check: FirewallCheck } | { per: 'file'; check: FileCheck })[] = [
  { per: 'firewall', check: checkResponses },
  { per: 'firewall', check: checkShadowing },
  { per: 'file', check: checkFlowExpectations },
  { per: 'file', check: checkFlowPaths },
];
const FIREWALL_CHECKS = CHECKS.flatMap((c) => (c.per === 'firewall' ? [c.check] : []));
const FILE_CHECKS = CHECKS.flatMap((c) => (c.per === 'file' ? [c.check] : []));

function guarded<T>(f: () => T, fallback: T, onError: (e: unknown) => void): T {
  try {
    return f();
  } catch (e) {
    onError(e);
    return fallback;
  }
}

interface CachedFirewall {
  /** Diagnostics with every span relative to the firewall's start. */
  diagnostics: Diagnostic[];
}

/** Per-firewall results kept between analyses of one document. */
export class AnalysisCache {
  private entries = new Map<string, CachedFirewall>();
  private used = new Map<string, CachedFirewall>();
  hits = 0;
  misses = 0;

  get(key: string): CachedFirewall | undefined {
    const e = this.entries.get(key);
    if (e) {
      this.hits++;
      this.used.set(key, e);
    } else this.misses++;
    return e;
  }

  set(key: string, e: CachedFirewall): void {
    this.used.set(key, e);
  }

  /** Keeps only what the last analysis used. */
  endRound(): void {
    this.entries = this.used;
    this.used = new Map();
  }
}

/** What every firewall's checks depend on besides the firewall itself. */
function declarationsFingerprint(model: Model): string {
  const parts: string[] = [model.root, model.defaultEphemeral.toString()];
  for (const s of model.ast.statements) {
    if (!s || s.kind === 'firewall' || s.kind === 'flow') continue;
    parts.push(model.text.slice(s.span.start, s.span.end));
  }
  for (const inc of model.includes) parts.push(inc.path, inc.text);
  // Firewall names resolve too (a name used as an endpoint that is a firewall).
  for (const fw of model.firewalls) parts.push(fw.name);
  return parts.join('\u0000');
}

function shiftSpan(s: Span, by: number): Span {
  return { start: s.start + by, end: s.end + by };
}

function shiftDiagnostic(d: Diagnostic, by: number): Diagnostic {
  return {
    ...d,
    span: shiftSpan(d.span, by),
    related: d.related?.map((r) => ({ ...r, span: shiftSpan(r.span, by) })),
    fixes: d.fixes?.map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, span: shiftSpan(e.span, by) })) })),
  };
}

/** True when every span of `d` is in the root file within `outer` (so it moves with it). */
function containedIn(d: Diagnostic, outer: Span): boolean {
  const inside = (s: Span) => s.start >= outer.start && s.end <= outer.end;
  if (d.file || !inside(d.span)) return false;
  if (d.related?.some((r) => r.file || !inside(r.span))) return false;
  if (d.fixes?.some((f) => f.edits.some((e) => e.file || !inside(e.span)))) return false;
  return true;
}

/** What a failed check leaves: an `internal` error where it happened. */
function internalError(what: string, e: unknown, span: Span = { start: 0, end: 0 }): Diagnostic {
  return diag('internal', span, `internal error in ${what}: ${(e as Error)?.message ?? String(e)}`);
}

function firewallDiagnostics(
  ctx: AnalysisContext,
  fw: Firewall,
  cache: AnalysisCache | undefined,
  fingerprint: string,
  internal: Diagnostic[],
): Diagnostic[] {
  const model = ctx.model;
  const span = fw.node.span;
  let key: string | undefined;
  if (cache) {
    // Messages name lines ("the rule on line 12"), so where the firewall starts is part of the key.
    key =
      `${fingerprint}\u0001${(ctx.lines ?? new LineIndex(model.text)).position(span.start).line}\u0001` +
      `${model.text.slice(span.start, span.end)}`;
    const hit = cache.get(key);
    if (hit) return hit.diagnostics.map((d) => shiftDiagnostic(d, span.start));
  }
  const found: Diagnostic[] = [];
  let failed = false;
  for (const check of FIREWALL_CHECKS) {
    // One firewall's trouble must not hide the other firewalls' diagnostics.
    found.push(
      ...guarded(
        () => check(ctx, fw),
        [],
        (e) => {
          failed = true;
          internal.push(internalError(`${check.name || 'a check'} of \`${fw.name}\``, e, fw.node.name.span));
        },
      ),
    );
  }
  // A failure is not kept: the next analysis tries again (and reports it again).
  if (cache && key !== undefined && !failed && found.every((d) => containedIn(d, span))) {
    cache.set(key, { diagnostics: found.map((d) => shiftDiagnostic(d, -span.start)) });
  }
  return found;
}

export function analyze(model: Model, cache?: AnalysisCache): Analysis {
  const internal: Diagnostic[] = [];
  const fail = (what: string) => (e: unknown) => internal.push(internalError(what, e));
  const flowResults: FlowResult[] = [];
  for (const f of model.flows) {
    const r = guarded(() => simulateFlow(model, f), undefined, fail('the simulation'));
    if (r) flowResults.push(r);
  }
  const ctx: AnalysisContext = { model, flowResults, lines: new LineIndex(model.text) };
  const found: Diagnostic[] = [...model.diagnostics];
  const fingerprint = cache ? declarationsFingerprint(model) : '';
  for (const fw of model.firewalls) {
    if (fw.file !== model.root) continue;
    found.push(...firewallDiagnostics(ctx, fw, cache, fingerprint, internal));
  }
  cache?.endRound();
  for (const check of FILE_CHECKS) found.push(...guarded(() => check(ctx), [], fail(check.name || 'a check')));
  const diagnostics = guarded(() => applySuppressions(model.ast, model.text, found), found, fail('fw-ignore'));
  diagnostics.push(...internal);
  diagnostics.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { model, diagnostics, flowResults };
}

/** Parse, resolve and analyse one file. */
export function check(path: string, text: string, host?: FileHost): Analysis {
  return analyze(buildModel(path, text, host));
}
