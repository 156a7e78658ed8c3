// "▶ Simulate": code lenses above flows and request rules, and the commands they run.
// The server remembers which lenses were run so their titles show the verdict.

import type { Lines } from '../core/text';
import type { CodeLens, Position } from 'vscode-languageserver';
import { CMD_SHOW_PICTURE, CMD_SIMULATE, CMD_SIMULATE_RULE, type LineArgs } from '../protocol';
import { flowForRule } from '../analysis/ruleFlow';
import { type FlowResult, simulateFlow } from '../engine/simulate';
import { resolveFlowText } from '../model/resolve';
import type { FileHost, Flow } from '../model/types';
import { type FlowJson, modelLines, expectMark, failureClauses, flowJson, flowText, refusalReason } from '../report/flowReport';
import { refusalHead, refusalOf, refusalOfAdded, refusalsOf } from '../analysis/flowPath';
import { flowStatementText } from '../model/flowStatementText';
import type { FlowDecl } from '../syntax/ast';
import type { DocContext } from './docContext';
import { classifyRule } from '../analysis/ruleKinds';
import { flowStatementsOf, rulesOf } from '../model/ownership';

export interface SimulationOutput {
  flow: FlowJson;
  /** The hop-by-hop trace for a person (the output channel shows it). */
  trace: string;
  /** The lens title after the run. */
  title: string;
}

/** Which lenses were run, per document: keys `flow:<text>` / `rule:<line>`. */
export class LensState {
  /** uri -> lens key -> the title of its last run (flows recompute theirs on every edit). */
  private readonly ran = new Map<string, Map<string, string>>();
  /** A short number per document, for the lenses resolved later (`LensData`). */
  private readonly ids = new Map<string, number>();
  private readonly uris: string[] = [];
  idOf(uri: string): number {
    let id = this.ids.get(uri);
    if (id === undefined) {
      id = this.uris.push(uri) - 1;
      this.ids.set(uri, id);
    }
    return id;
  }
  uriOf(id: number): string | undefined {
    return this.uris[id];
  }
  mark(uri: string, key: string, title = ''): void {
    let s = this.ran.get(uri);
    if (!s) this.ran.set(uri, (s = new Map()));
    s.set(key, title);
  }
  has(uri: string, key: string): boolean {
    return this.ran.get(uri)?.has(key) ?? false;
  }
  title(uri: string, key: string): string | undefined {
    return this.ran.get(uri)?.get(key);
  }
  forget(uri: string): void {
    this.ran.delete(uri);
  }
}

function blockedAt(r: FlowResult, lines: Lines): string {
  const hops = [...r.request.hops, ...(r.response?.hops ?? [])];
  const h = hops.find((x) => x.action === 'deny');
  if (!h) return '';
  const rule = h.rule;
  const where = rule
    ? `${h.firewall.name}#${rule.number ?? `line ${lines.line(rule.file, rule.node.span.start)}`}`
    : `${h.firewall.name} (default deny)`;
  return ` at ${where}${h.leg ? ` (leg ${h.leg})` : ''}`;
}

/**
 * The lens title after a run: the mark says whether the flow met its `expect` (✔ met,
 * ✘ not met, • none, as in cli.md), the words give the verdict and where it is dropped:
 * `✔ allowed`, `✔ blocked at edge (default deny)`, `✘ partial: client ports 32768-49151 dropped at edge#110`.
 */
export function verdictTitle(r: FlowResult, lines: Lines): string {
  const mark = expectMark(r.flow.expect, r.met);
  switch (r.verdict) {
    case 'allowed':
      return `${mark} allowed${r.path.length === 0 ? ' (no firewall crossed)' : ''}`;
    case 'blocked':
      return `${mark} blocked${blockedAt(r, lines)}`;
    case 'partial': {
      // Through a NAT gateway, the gateway ports that fail say more than the client ports (all fail with them).
      const gateway = r.nat && !r.nat.blockedGatewayPorts.isEmpty() && !r.nat.allowedGatewayPorts.isEmpty();
      const ports = gateway ? r.nat!.blockedGatewayPorts.toString() : r.response?.blockedClientPorts.toString();
      const which = gateway ? `gateway \`${r.nat!.gateway.name}\` ports` : 'client ports';
      return `${mark} partial${ports ? `: ${which} ${ports} dropped` : ''}${blockedAt(r, lines)}`;
    }
  }
}

/**
 * Why a flow statement gets no verdict, or undefined when it can be simulated (spec §8.1
 * rule 5): anything in the editor that shows a flow's verdict asks this first.
 */
export function flowRefusal(ctx: DocContext, s: FlowDecl): { error: string } | undefined {
  const model = ctx.analysis.model;
  const { errors, count } = refusalHead(refusalsOf(model, ctx.analysis.diagnostics), s);
  const resolved = model.flows.some((f) => f.node === s);
  if (count === 0 && resolved) return undefined;
  const lines = modelLines(model);
  const text = flowStatementText(model.text, s);
  return { error: `\`${text}\` is not simulated: ${refusalReason(errors, lines, model, false, count)}` };
}

function flowKey(f: Flow): string {
  return `flow:${f.text}`;
}

/** Which lens a lens is, until it is resolved. */
export const LensKind = { Flow: 0, Rule: 1, Picture: 2 } as const;
export type LensKind = (typeof LensKind)[keyof typeof LensKind];

/**
 * What a lens holds until it is resolved: its document (`LensState.idOf`), its line, which lens,
 * and the version of the document it was made for.
 */
export type LensData = [doc: number, line: number, kind: LensKind, version: number];

function isLensData(x: unknown): x is LensData {
  return (
    Array.isArray(x) &&
    x.length === 4 &&
    x.slice(0, 3).every((n) => Number.isSafeInteger(n) && n >= 0) &&
    Number.isSafeInteger(x[3]) &&
    (x[2] === LensKind.Flow || x[2] === LensKind.Rule || x[2] === LensKind.Picture)
  );
}

/**
 * The lenses of a document, each with its range and `LensData` only: the editor asks for the
 * command of the lenses it shows (codeLens/resolve, `resolveCodeLens`). A file of 10,000 rules
 * has 5,000 request rules, and one of 50,000 flows as many flows, each with a lens: with their
 * commands, titles and the document's URI they were 1.1 MB and 10 MB of JSON after every edit.
 * `pictures`: the client shows pictures, so each flow that gets a verdict also has a "Show
 * picture" lens beside its "▶ Simulate" (a client command: other clients get none).
 */
export function codeLenses(ctx: DocContext, state: LensState, options: { pictures?: boolean } = {}): CodeLens[] {
  const lenses: CodeLens[] = [];
  const { model } = ctx.analysis;
  const refusals = refusalsOf(model, ctx.analysis.diagnostics);
  const results = resultsByNode(ctx.analysis);
  const doc = state.idOf(ctx.uri);
  const at = (offset: number, kind: LensKind): CodeLens => {
    const position = ctx.lines.position(offset);
    return { range: { start: position, end: position }, data: [doc, position.line, kind, ctx.version] satisfies LensData };
  };
  for (const s of model.ast.statements) {
    if (s?.kind !== 'flow') continue;
    lenses.push(at(s.span.start, LensKind.Flow));
    // A flow given no verdict (an error refuses it, §8.1 rule 5) has no picture.
    if (options.pictures && results.has(s) && refusalHead(refusals, s).count === 0) lenses.push(at(s.span.start, LensKind.Picture));
  }
  for (const { firewall, rule } of rulesOf(model)) {
    if (!firewall.valid || classifyRule(rule) !== 'request') continue;
    lenses.push(at(rule.node.span.start, LensKind.Rule));
  }
  return lenses;
}

const resultMaps = new WeakMap<DocContext['analysis'], Map<FlowDecl, FlowResult>>();

/** The verdict of each flow statement of an analysis, by its node (one map per analysis). */
function resultsByNode(analysis: DocContext['analysis']): Map<FlowDecl, FlowResult> {
  let m = resultMaps.get(analysis);
  if (!m) resultMaps.set(analysis, (m = new Map(analysis.flowResults.map((x) => [x.flow.node, x]))));
  return m;
}

const flowLists = new WeakMap<DocContext['analysis']['model'], FlowDecl[]>();
const lineIndexes = new WeakMap<DocContext['analysis']['model'], Lines>();

/**
 * The line indexes of a model's files, one set per model: each lens resolved names a line, and an
 * index made per lens indexed the file again for each (15 s for the lenses of a fuzzed 2 MB file).
 */
function linesOfModel(model: DocContext['analysis']['model']): Lines {
  let lines = lineIndexes.get(model);
  if (!lines) lineIndexes.set(model, (lines = modelLines(model)));
  return lines;
}

/** The flow statement of the document that starts on `line`, if any (a binary search). */
function flowOnLine(ctx: DocContext, line: number): FlowDecl | undefined {
  const { model } = ctx.analysis;
  let flows = flowLists.get(model);
  if (!flows) flowLists.set(model, (flows = flowStatementsOf(model)));
  let lo = 0;
  let hi = flows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const l = ctx.lines.position(flows[mid]!.span.start).line;
    if (l < line) lo = mid + 1;
    else if (l > line) hi = mid - 1;
    else return flows[mid];
  }
  return undefined;
}

/** The document of a flow's lens that is not resolved yet (its verdict needs its analysis). */
export function lensDocument(lens: CodeLens, state: LensState): string | undefined {
  return !lens.command && isLensData(lens.data) && lens.data[2] === LensKind.Flow ? state.uriOf(lens.data[0]) : undefined;
}

/**
 * A lens with its command (codeLens/resolve). A flow's: "▶ Simulate", its last run's verdict, or
 * why it is not simulated, from `ctx`, the newest analysis of its document; a request rule's:
 * "▶ Simulate a request like this", or its last run's title; a flow's "Show picture". A lens the
 * server did not make, or one that has its command, comes back as it was. Each runs what is on
 * its line when it runs (and says so when nothing is there). A flow's lens made for an older
 * version than `ctx`'s is only "▶ Simulate": its line may hold another flow now (an edit above
 * it moved the lines), whose verdict it must not show; the editor asks for new lenses anyway.
 */
export function resolveCodeLens(lens: CodeLens, state: LensState, ctx?: DocContext): CodeLens {
  if (lens.command || !isLensData(lens.data)) return lens;
  const [doc, line, kind, version] = lens.data;
  const uri = state.uriOf(doc) ?? '';
  const args = [{ uri, line } satisfies LineArgs];
  const command = (title: string, name: string): CodeLens => ({ range: lens.range, command: { title, command: name, arguments: args } });
  switch (kind) {
    case LensKind.Rule: {
      const title = state.title(uri, `rule:${line}`);
      return command(title ? `${title} · ▶ Simulate again` : '▶ Simulate a request like this', CMD_SIMULATE_RULE);
    }
    case LensKind.Picture:
      return command('Show picture', CMD_SHOW_PICTURE);
    case LensKind.Flow: {
      const s = ctx?.uri === uri && ctx.version === version ? flowOnLine(ctx, line) : undefined;
      if (!ctx || !s) return command('▶ Simulate', CMD_SIMULATE);
      const { model } = ctx.analysis;
      const r = resultsByNode(ctx.analysis).get(s);
      const { errors, count } = refusalHead(refusalsOf(model, ctx.analysis.diagnostics), s);
      // No verdict from a half-read file: the lens says which error, on which line.
      if (!r || count > 0)
        return command(`⚠ Not simulated: ${refusalReason(errors, linesOfModel(model), model, true, count)}`, CMD_SIMULATE);
      const ran = state.has(uri, flowKey(r.flow));
      return command(ran ? `${verdictTitle(r, linesOfModel(model))} · ▶ Simulate again` : '▶ Simulate', CMD_SIMULATE);
    }
  }
}

function output(ctx: DocContext, r: FlowResult, model = ctx.analysis.model): SimulationOutput {
  const lines = modelLines(model);
  const json = flowJson(r, model, lines);
  return { flow: json, trace: flowText(json, ctx.path, failureClauses(r, lines)), title: verdictTitle(r, lines) };
}

/** Runs the flow that starts on `line`. */
export function simulateFlowAt(ctx: DocContext, line: number, state: LensState): SimulationOutput | { error: string } {
  const flows = flowStatementsOf(ctx.analysis.model);
  const stmt =
    flows.find((s) => ctx.lines.position(s.span.start).line === line) ??
    flows.find((s) => ctx.lines.position(s.span.start).line <= line && line <= ctx.lines.position(s.span.end).line);
  if (!stmt) return { error: 'there is no flow on this line' };
  const refused = flowRefusal(ctx, stmt);
  if (refused) return { error: refused.error };
  const r = ctx.analysis.flowResults.find((x) => x.flow.node === stmt);
  if (!r) return { error: 'this flow has errors; fix them to simulate it' };
  state.mark(ctx.uri, flowKey(r.flow));
  return output(ctx, r);
}

/** Runs a request like the rule of this document that starts on `line`. */
export function simulateRuleAt(ctx: DocContext, line: number, state: LensState, host?: FileHost): SimulationOutput | { error: string } {
  // Only this document's rules: an included file's offsets mean nothing in this text.
  const at = rulesOf(ctx.analysis.model).find(({ rule }) => ctx.lines.position(rule.node.span.start).line === line);
  if (!at) return { error: 'there is no rule on this line' };
  const text = flowForRule(at.rule, ctx.text);
  if (!text) return { error: 'no flow can be made from this rule' };
  const res = simulateText(ctx, text, host);
  if ('flow' in res) state.mark(ctx.uri, `rule:${line}`, res.title);
  return res;
}

/**
 * Runs what is under the cursor: the flow statement on its line (a flow may span lines),
 * else a request like the rule there. On an empty or comment line, the statement just above.
 */
export function simulateAt(ctx: DocContext, position: Position, state: LensState, host?: FileHost): SimulationOutput | { error: string } {
  const model = ctx.analysis.model;
  let line = position.line;
  const blank = (l: number) => !ctx.lines.lineText(l).replace(/#.*/, '').trim();
  if (line > 0 && line < ctx.lines.lineCount && blank(line)) line--;
  const covers = (span: { start: number; end: number }) =>
    ctx.lines.position(span.start).line <= line && line <= ctx.lines.position(span.end).line;
  const flow = flowStatementsOf(model).find((s) => covers(s.span));
  if (flow) return simulateFlowAt(ctx, ctx.lines.position(flow.span.start).line, state);
  const rule = rulesOf(model).find(({ rule }) => covers(rule.node.span));
  if (rule) return simulateRuleAt(ctx, ctx.lines.position(rule.rule.node.span.start).line, state, host);
  return { error: 'there is no flow or rule on this line' };
}

/** Runs a flow typed by the user (`bob -> catogram https`). */
export function simulateText(ctx: DocContext, text: string, host?: FileHost): SimulationOutput | { error: string } {
  const r = resolveFlowText(ctx.analysis.model, text, host, { defaultEphemeral: ctx.settings.defaultEphemeral || undefined });
  if (!r.flow) return { error: r.diagnostics[0]?.message ?? 'the flow does not parse' };
  // A typed flow is refused like a written one: errors in the file, or its own flow-path.
  const errors = r.added
    ? refusalOfAdded(ctx.analysis.model, ctx.analysis.diagnostics, r.model, r.added, r.flow.node)
    : refusalOf(refusalsOf(r.model, ctx.analysis.diagnostics), r.flow.node);
  if (errors.length > 0) return { error: `\`${r.flow.text}\` is not simulated: ${refusalReason(errors, modelLines(r.model), r.model)}` };
  const result = simulateFlow(r.model, r.flow);
  return output(ctx, result, r.model);
}
