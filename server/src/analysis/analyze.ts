// analyze(): every diagnostic of a model — structural ones from resolution, the semantic
// checks of spec §7–§8, suppressions — plus the simulation of every flow. Never throws.
//
// The per-firewall checks depend only on a firewall's own text, what the names it uses stand
// for, a few things of the whole file (environmentKey) and, when a message names a line,
// where the firewall starts; an AnalysisCache keeps their results between edits, so typing in
// one firewall re-analyses that firewall only (the editor passes one cache per document).

import { type Diagnostic, type Span, diag } from '../core/diagnostic';
import { LineIndex, ownCopy } from '../core/text';
import { type FlowResult, simulateFlow } from '../engine/simulate';
import { buildModel, settledSymbol } from '../model/resolve';
import type { FileHost, Firewall, Model, ModelSymbol } from '../model/types';
import type { EndpointRef, FirewallDecl, PortSpec } from '../syntax/ast';
import type { AnalysisContext, FileCheck, FirewallCheck } from './context';
import { checkFlowExpectations } from './flowExpectation';
import { checkFlowPaths, refusalsOf } from './flowPath';
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
  /** What the firewall's checks depended on besides its text (environmentKey, firewallValues). */
  environment: string;
  values: string;
  /**
   * Where the firewall started (line and column), when its checks asked for line numbers
   * (messages name "the rule on line 12"): then the entry serves only a firewall there.
   */
  at?: string;
  /** Where the firewall started when `diagnostics` were made (their spans are absolute). */
  base: number;
  /** Its diagnostics, with spans of their own (not the AST's, which move). */
  diagnostics: Diagnostic[];
}

/**
 * The entries of one firewall text, by its values: the one that holds wherever the firewall
 * starts, and those that hold only where it starts (their messages name lines). Keyed without
 * joining strings: the values of a big firewall are kilobytes, asked for at every edit.
 */
interface Slot {
  anywhere?: CachedFirewall;
  at?: Map<string, CachedFirewall>;
}
type Slots = Map<string, Slot>;

/** Per-firewall results kept between analyses of one document. */
export class AnalysisCache {
  /**
   * By the firewall's text, then by its values and (for entries that hold line numbers) where it
   * starts: one lookup per firewall. A list searched per firewall was quadratic when thousands of
   * firewalls have the same text (23,000 pasted `firewall f … {` lines: the editor stopped
   * answering, fuzz sequence 9395 of seed 12012). Within one analysis every entry has its
   * environment; an equal key holds equal results, so the last one set serves.
   */
  private entries = new Map<string, Slots>();
  private used = new Map<string, Slots>();
  /** The last environment key: an equal one is replaced by it, so entries compare it by identity. */
  private environment = '';
  hits = 0;
  misses = 0;

  /** `environment`, or the equal string the cache already holds. */
  sameEnvironment(environment: string): string {
    if (environment === this.environment) return this.environment;
    this.environment = environment;
    return environment;
  }

  get(text: string, environment: string, values: string, at: () => string): CachedFirewall | undefined {
    // This round's entries first: a file of many copies of a firewall (a paste, a file
    // concatenated with itself) checks one copy, and the others take its result.
    const e = found(this.used.get(text)?.get(values), environment, at) ?? found(this.entries.get(text)?.get(values), environment, at);
    if (e) {
      this.hits++;
      this.set(text, e);
      return e;
    }
    this.misses++;
    return undefined;
  }

  set(text: string, e: CachedFirewall): void {
    let slots = this.used.get(text);
    if (!slots) this.used.set(text, (slots = new Map()));
    let slot = slots.get(e.values);
    if (!slot) slots.set(e.values, (slot = {}));
    if (e.at === undefined) slot.anywhere = e;
    else (slot.at ??= new Map()).set(e.at, e);
  }

  /** Keeps only what the last analysis used. */
  endRound(): void {
    this.entries = this.used;
    this.used = new Map();
  }
}

function found(slot: Slot | undefined, environment: string, at: () => string): CachedFirewall | undefined {
  let e = slot?.anywhere;
  if (e?.environment !== environment) e = slot?.at?.get(at());
  return e?.environment === environment ? e : undefined;
}

/** The text of a firewall, once per node (a node's text never changes; its span may move). */
const textOfNode = new WeakMap<FirewallDecl, string>();

function firewallText(model: Model, node: FirewallDecl): string {
  let t = textOfNode.get(node);
  if (t === undefined) {
    // Its own copy: the node (and this text, the cache's key) outlives the version it was cut from.
    t = ownCopy(model.text.slice(node.span.start, node.span.end));
    textOfNode.set(node, t);
  }
  return t;
}

/** The names a firewall's text uses (endpoints, services), computed once per node. */
const namesOfNode = new WeakMap<FirewallDecl, string[]>();

function namesUsed(node: FirewallDecl): string[] {
  let names = namesOfNode.get(node);
  if (names) return names;
  const set = new Set<string>();
  const endpoint = (e: EndpointRef | undefined) => {
    if (e?.kind === 'name' && e.name?.text) set.add(e.name.text);
  };
  const ports = (p: PortSpec | undefined): void => {
    if (!p) return;
    if (p.kind === 'service' && p.name?.text) set.add(p.name.text);
    else if (p.kind === 'list') for (const q of p.items) ports(q);
  };
  for (const e of node.protects ?? []) endpoint(e);
  for (const r of node.rules ?? []) {
    if (!r) continue;
    endpoint(r.from?.endpoint);
    ports(r.from?.ports);
    endpoint(r.to?.endpoint);
    ports(r.to?.ports);
  }
  names = [...set];
  namesOfNode.set(node, names);
  return names;
}

const symbolValues = new WeakMap<ModelSymbol, string>();

/** What a symbol stands for, as far as the checks of a firewall that names it can tell. */
function symbolValue(sym: ModelSymbol | undefined): string {
  if (!sym) return '-';
  // Once per symbol that never changes (the resolver keeps those of unchanged declarations).
  if (!settledSymbol(sym)) return symbolValueOf(sym);
  let v = symbolValues.get(sym);
  if (v === undefined) symbolValues.set(sym, (v = symbolValueOf(sym)));
  return v;
}

function symbolValueOf(sym: ModelSymbol): string {
  switch (sym.kind) {
    case 'host':
    case 'network':
      return [sym.kind, sym.addresses.bounds.join(','), sym.texts.join(','), sym.ephemeral.bounds.join(','), sym.ephemeralSource].join('|');
    case 'service':
      return `service|${sym.proto}|${sym.ports.bounds.join(',')}|${sym.builtin}`;
    case 'profile':
      return `profile|${sym.ports.bounds.join(',')}`;
    case 'nat':
      return `nat|${sym.addressText}|${sym.address.bounds.join(',')}|${sym.ports.bounds.join(',')}`;
    case 'firewall':
      return 'firewall';
  }
}

/** firewallValues's last answer per firewall, with the symbols it was made from. */
const valuesOf = new WeakMap<Firewall, { symbols: (ModelSymbol | undefined)[]; valid: boolean[]; values: string }>();

/**
 * A firewall as its checks see it besides its text: what the names it uses stand for, whether
 * it and each of its rules are valid (syntax errors, unknown names), its kind. The same string
 * while its names stand for the same symbols and its rules' validity holds (a firewall kept
 * from the last version is asked again at every edit).
 */
function firewallValues(model: Model, fw: Firewall): string {
  const names = namesUsed(fw.node);
  const known = valuesOf.get(fw);
  if (
    known &&
    known.symbols.length === names.length &&
    names.every((n, i) => model.symbols.get(n) === known.symbols[i]) &&
    known.valid.length === fw.rules.length &&
    fw.rules.every((r, i) => r.valid === known.valid[i])
  ) {
    return known.values;
  }
  const parts: string[] = [fw.mode, fw.platform ?? '', String(fw.valid)];
  const symbols = names.map((n) => model.symbols.get(n));
  names.forEach((n, i) => parts.push(n, symbolValue(symbols[i])));
  let valid = '';
  for (const r of fw.rules) valid += r.valid ? '1' : '0';
  parts.push(valid);
  const values = parts.join('\u0001');
  valuesOf.set(fw, { symbols, valid: fw.rules.map((r) => r.valid), values });
  return values;
}

/**
 * What every firewall's checks depend on besides the firewall: the file, its line ends (of
 * the fixes' text), the ephemeral ranges in use and the NAT gateways (spec §7), the
 * profiles whose clients the messages name, and the stateful firewalls (which close what a
 * stateless one opens too broadly; security groups on one address act together).
 */
function environmentKey(model: Model): string {
  const parts: string[] = [model.root, model.text.includes('\r\n') ? 'crlf' : 'lf', model.defaultEphemeral.bounds.join(',')];
  for (const r of model.ephemeralRanges ?? []) parts.push(r.bounds.join(','));
  for (const s of model.symbols.values()) if (s.kind === 'nat') parts.push(s.name, symbolValue(s));
  for (const name of ['linux', 'windows', 'macos']) parts.push(symbolValue(model.symbols.get(name)));
  for (const fw of model.firewalls) {
    if (fw.mode === 'stateful') parts.push(fw.name, fw.file, String(fw.order), firewallText(model, fw.node), firewallValues(model, fw));
  }
  return parts.join('\u0002');
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

/**
 * A copy of `d` to keep across versions: its texts are copies too, since a message or an
 * edit's text made from a piece of the document would keep that version of it alive.
 */
function keptDiagnostic(d: Diagnostic): Diagnostic {
  return {
    ...d,
    message: ownCopy(d.message),
    span: shiftSpan(d.span, 0),
    related: d.related?.map((r) => ({ ...r, message: ownCopy(r.message), span: shiftSpan(r.span, 0) })),
    fixes: d.fixes?.map((f) => ({
      ...f,
      title: ownCopy(f.title),
      edits: f.edits.map((e) => ({ ...e, newText: ownCopy(e.newText), span: shiftSpan(e.span, 0) })),
    })),
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
  environment: string,
  internal: Diagnostic[],
): Diagnostic[] {
  // Every firewall check reports on rules: a firewall without any has nothing to find (and
  // thousands of empty headers, a pasted or mangled file, cost nothing per firewall).
  if (fw.rules.length === 0) return [];
  const model = ctx.model;
  const span = fw.node.span;
  const lines = ctx.lines ?? new LineIndex(model.text);
  const at = () => {
    const p = lines.position(span.start);
    return `${p.line}:${p.character}`;
  };
  let text: string | undefined;
  let values = '';
  let checkCtx = ctx;
  let linesUsed = false;
  if (cache) {
    text = firewallText(model, fw.node);
    values = firewallValues(model, fw);
    const hit = cache.get(text, environment, values, at);
    if (hit) {
      if (hit.base !== span.start) {
        hit.diagnostics = hit.diagnostics.map((d) => shiftDiagnostic(d, span.start - hit.base));
        hit.base = span.start;
      }
      return hit.diagnostics;
    }
    // Whether the checks ask for line numbers: if not, the result holds wherever the firewall moves.
    const watched = new Proxy(lines, {
      get(target, prop) {
        linesUsed = true;
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    checkCtx = { ...ctx, lines: watched };
  }
  const found: Diagnostic[] = [];
  let failed = false;
  for (const check of FIREWALL_CHECKS) {
    // One firewall's trouble must not hide the other firewalls' diagnostics.
    found.push(
      ...guarded(
        () => check(checkCtx, fw),
        [],
        (e) => {
          failed = true;
          internal.push(internalError(`${check.name || 'a check'} of \`${fw.name}\``, e, fw.node.name.span));
        },
      ),
    );
  }
  // A failure is not kept: the next analysis tries again (and reports it again).
  if (cache && text !== undefined && !failed && found.every((d) => containedIn(d, span))) {
    // Copies: the checks' diagnostics may hold the AST's spans, which move with later edits.
    const entry: CachedFirewall = { environment, values, base: span.start, diagnostics: found.map(keptDiagnostic) };
    if (linesUsed) entry.at = at();
    cache.set(text, entry);
  }
  return found;
}

export function analyze(model: Model, cache?: AnalysisCache): Analysis {
  const internal: Diagnostic[] = [];
  const fail = (what: string) => (e: unknown) => internal.push(internalError(what, e));
  const flowResults: FlowResult[] = [];
  // A flow refused a verdict (spec §8.1 rule 5) is not simulated: nothing shows its result (the
  // hover, lens, picture and flow-expectation say why instead), and in a file of errors, such
  // as a paste of thousands of firewall headers, simulation was most of the analysis.
  const refusals = guarded(() => refusalsOf(model), undefined, fail('the refusals'));
  for (const f of model.flows) {
    if (!refusals || refusals.everything.length > 0 || refusals.byFlow.get(f.node)?.length) continue;
    const r = guarded(() => simulateFlow(model, f), undefined, fail('the simulation'));
    if (r) flowResults.push(r);
  }
  const ctx: AnalysisContext = { model, flowResults, lines: LineIndex.of(model.text) };
  const found: Diagnostic[] = [...model.diagnostics];
  const environment = cache ? cache.sameEnvironment(environmentKey(model)) : '';
  for (const fw of model.firewalls) {
    if (fw.file !== model.root) continue;
    for (const d of firewallDiagnostics(ctx, fw, cache, environment, internal)) found.push(d);
  }
  cache?.endRound();
  // Loops, not push(...): a file of 300,000 flows has more diagnostics than a call has arguments.
  for (const check of FILE_CHECKS) for (const d of guarded(() => check(ctx), [], fail(check.name || 'a check'))) found.push(d);
  const diagnostics = guarded(() => applySuppressions(model.ast, model.text, found), found, fail('fw-ignore'));
  for (const d of internal) diagnostics.push(d);
  diagnostics.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { model, diagnostics, flowResults };
}

/** Parse, resolve and analyse one file. */
export function check(path: string, text: string, host?: FileHost): Analysis {
  return analyze(buildModel(path, text, host));
}
