// "▶ Simulate": code lenses above flows and request rules, and the commands they run.
// The server remembers which lenses were run so their titles show the verdict.

import type { CodeLens } from 'vscode-languageserver';
import { CMD_SIMULATE, CMD_SIMULATE_RULE, CMD_SIMULATE_TEXT } from '../protocol';
import { flowForRule } from '../analysis/ruleFlow';
import { type FlowResult, simulateFlow } from '../engine/simulate';
import { resolveFlowText } from '../model/resolve';
import type { FileHost, Flow } from '../model/types';
import { type FlowJson, Lines, flowJson, flowText } from '../report/flowReport';
import { type DocContext, toRange } from '../lsp/docContext';
import { classifyRule } from '../analysis/ruleKinds';

export { CMD_SIMULATE, CMD_SIMULATE_RULE, CMD_SIMULATE_TEXT };
export const SERVER_COMMANDS = [CMD_SIMULATE, CMD_SIMULATE_RULE, CMD_SIMULATE_TEXT];

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
  return ` at ${where}`;
}

/** ✔ allowed / ✘ blocked at edge#100 / ◐ partial: client ports 32768-49151 dropped at edge#110 */
export function verdictTitle(r: FlowResult, lines: Lines): string {
  switch (r.verdict) {
    case 'allowed':
      return `✔ allowed${r.path.length === 0 ? ' (no firewall crossed)' : ''}`;
    case 'blocked':
      return `✘ blocked${blockedAt(r, lines)}`;
    case 'partial': {
      const ports = r.response?.blockedClientPorts.toString();
      return `◐ partial${ports ? `: client ports ${ports} dropped` : ''}${blockedAt(r, lines)}`;
    }
  }
}

function flowKey(f: Flow): string {
  return `flow:${f.text}`;
}

export function codeLenses(ctx: DocContext, state: LensState): CodeLens[] {
  const lenses: CodeLens[] = [];
  const { model, flowResults } = ctx.analysis;
  const lines = new Lines(model);
  for (const r of flowResults) {
    const f = r.flow;
    if (f.file !== model.root) continue;
    const line = ctx.lines.position(f.node.span.start).line;
    const ran = state.has(ctx.uri, flowKey(f));
    const range = toRange(ctx.lines, { start: f.node.span.start, end: f.node.span.start });
    lenses.push({
      range,
      command: {
        title: ran ? `${verdictTitle(r, lines)} · ▶ Simulate again` : '▶ Simulate',
        command: CMD_SIMULATE,
        arguments: [{ uri: ctx.uri, line }],
      },
    });
  }
  for (const fw of model.firewalls) {
    if (fw.file !== model.root || !fw.valid) continue;
    for (const rule of fw.rules) {
      if (classifyRule(rule) !== 'request') continue;
      const line = ctx.lines.position(rule.node.span.start).line;
      const key = `rule:${line}`;
      const title = state.title(ctx.uri, key);
      lenses.push({
        range: toRange(ctx.lines, { start: rule.node.span.start, end: rule.node.span.start }),
        command: {
          title: title ? `${title} · ▶ Simulate again` : '▶ Simulate a request like this',
          command: CMD_SIMULATE_RULE,
          arguments: [{ uri: ctx.uri, line }],
        },
      });
    }
  }
  return lenses;
}

function output(ctx: DocContext, r: FlowResult, model = ctx.analysis.model): SimulationOutput {
  const lines = new Lines(model);
  const json = flowJson(r, model, lines);
  return { flow: json, trace: flowText(json, ctx.path), title: verdictTitle(r, lines) };
}

/** Runs the flow that starts on `line`. */
export function simulateFlowAt(ctx: DocContext, line: number, state: LensState): SimulationOutput | { error: string } {
  const r = ctx.analysis.flowResults.find((x) => ctx.lines.position(x.flow.node.span.start).line === line)
    ?? ctx.analysis.flowResults.find((x) => {
      const s = ctx.lines.position(x.flow.node.span.start).line;
      const e = ctx.lines.position(x.flow.node.span.end).line;
      return s <= line && line <= e;
    });
  if (!r) {
    const stmt = ctx.analysis.model.ast.statements.find(
      (s) => s?.kind === 'flow' && ctx.lines.position(s.span.start).line <= line && line <= ctx.lines.position(s.span.end).line,
    );
    return { error: stmt ? 'this flow has errors; fix them to simulate it' : 'there is no flow on this line' };
  }
  state.mark(ctx.uri, flowKey(r.flow));
  return output(ctx, r);
}

/** Runs a request like the rule on `line`. */
export function simulateRuleAt(ctx: DocContext, line: number, state: LensState, host?: FileHost): SimulationOutput | { error: string } {
  for (const fw of ctx.analysis.model.firewalls) {
    for (const rule of fw.rules) {
      if (ctx.lines.position(rule.node.span.start).line !== line) continue;
      const text = flowForRule(rule, ctx.text);
      if (!text) return { error: 'no flow can be made from this rule' };
      const res = simulateText(ctx, text, host);
      if ('flow' in res) {
        state.mark(ctx.uri, `rule:${line}`, res.title);
      }
      return res;
    }
  }
  return { error: 'there is no rule on this line' };
}

/** Runs a flow typed by the user (`bob -> catogram https`). */
export function simulateText(ctx: DocContext, text: string, host?: FileHost): SimulationOutput | { error: string } {
  const r = resolveFlowText(ctx.analysis.model, text, host, { defaultEphemeral: ctx.settings.defaultEphemeral || undefined });
  if (!r.flow) return { error: r.diagnostics[0]?.message ?? 'the flow does not parse' };
  const result = simulateFlow(r.model, r.flow);
  return output(ctx, result, r.model);
}
