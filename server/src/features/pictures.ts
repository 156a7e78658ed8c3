// `fwlang/picture` (the editor's webview beside a .fw file, issue 11): the flow picture of the flow
// on a line, the ports picture of a stateless firewall on one of its response rules, or the
// topology of the file, as SVG from the document's newest analysis. What is clickable and
// written in an included file carries `data-file` (its path) beside `data-line`. A flow that gets no verdict
// gets no picture either: the answer says why, in the words of its lens.

import { responseIndex } from '../analysis/responseIndex';
import { refusalsOf } from '../analysis/flowPath';
import type { Firewall, Flow, ResolvedRule } from '../model/types';
import { flowStatementsOf, ruleAt, rulesOf } from '../model/ownership';
import { firewallModes, flowSvg } from '../pictures/flow';
import { portsSvg } from '../pictures/ports';
import { topologySvg } from '../pictures/topology';
import type { PictureAnswer, PictureParams } from '../protocol';
import { flowJson, modelLines } from '../report/flowReport';
import { type Hover, MarkupContent } from 'vscode-languageserver';
import { type DocContext, toRange } from './docContext';
import { flowRefusal, verdictTitle } from './simulation';

/** True for a response rule (§7, as the hover and the checks read it) of a stateless firewall. */
function isStatelessResponse(fw: Firewall, rule: ResolvedRule): boolean {
  return fw.mode === 'stateless' && rule.action === 'allow' && responseIndex(fw).kindOf(rule) === 'response';
}

/** Ports pictures drawn for an analysis: every hover on a response rule wants its firewall's. */
const PORTS_PICTURES = new WeakMap<object, Map<Firewall, string>>();

/**
 * The same pictures as Markdown images (base64 of the SVG), for the hovers: encoding the picture of
 * a firewall of 2,000 response rules took 0.2 s a hover (fuzz document 70980 of seed 12012).
 */
const HOVER_IMAGES = new WeakMap<object, Map<Firewall, string>>();

/** The ports picture of `fw`, with the analysis's reading of which rules are response rules. */
function portsPicture(ctx: DocContext, fw: Firewall): string {
  let drawn = PORTS_PICTURES.get(ctx.analysis);
  if (!drawn) PORTS_PICTURES.set(ctx.analysis, (drawn = new Map()));
  let svg = drawn.get(fw);
  if (svg === undefined) {
    const ix = responseIndex(fw);
    drawn.set(fw, (svg = portsSvg(ctx.analysis.model, fw, { isResponse: (r) => ix.kindOf(r) === 'response', files: true })));
  }
  return svg;
}

/** The picture of what is on `line`: a flow's, else a stateless firewall's ports on a response rule. */
export function pictureAt(ctx: DocContext, line: number): PictureAnswer {
  const { model } = ctx.analysis;
  const lineOf = (offset: number) => ctx.lines.position(offset).line;
  const covers = (span: { start: number; end: number }) => lineOf(span.start) <= line && line <= lineOf(span.end);
  const stmt = flowStatementsOf(model).find((s) => covers(s.span));
  if (stmt) {
    const start = lineOf(stmt.span.start);
    const refused = flowRefusal(ctx, stmt);
    const r = ctx.analysis.flowResults.find((x) => x.flow.node === stmt);
    if (refused || !r) return { kind: 'flow', line: start, error: refused?.error ?? 'this flow has errors; fix them to simulate it' };
    const lines = modelLines(model);
    // A hop decided by an included firewall's rule names its file: a click opens that file.
    const json = flowJson(r, model, lines, { hopFiles: true });
    return {
      kind: 'flow',
      line: start,
      svg: flowSvg(json, { modes: firewallModes(model) }),
      caption: `flow ${json.flow}: ${verdictTitle(r, lines)}`,
    };
  }
  const hit = rulesOf(model).find(({ rule }) => covers(rule.node.span));
  if (hit && isStatelessResponse(hit.firewall, hit.rule)) {
    return {
      kind: 'ports',
      line: lineOf(hit.rule.node.span.start),
      svg: portsPicture(ctx, hit.firewall),
      caption: `ports of \`${hit.firewall.name}\` (stateless): what its response rules open`,
    };
  }
  return { error: 'there is no flow or response rule on this line', nothing: true };
}

/** The topology of the file; flows that get no verdict are drawn as not simulated. */
export async function topologyPicture(ctx: DocContext): Promise<PictureAnswer> {
  const { model, diagnostics } = ctx.analysis;
  const refusals = refusalsOf(model, diagnostics);
  const refused = (f: Flow) => refusals.everything.length > 0 || (refusals.byFlow.get(f.node)?.length ?? 0) > 0;
  const svg = await topologySvg(model, { refused, files: true });
  const n = refusals.everything.length;
  const caption = n > 0 ? `topology (flows not simulated: the file has errors)` : 'topology';
  return { kind: 'topology', line: null, svg, caption };
}

export async function picture(ctx: DocContext, p: PictureParams): Promise<PictureAnswer> {
  if (p.what === 'topology') return topologyPicture(ctx);
  if (p.what !== 'at') return { error: `unknown picture ${String(p.what)}` };
  if (typeof p.line !== 'number' || !Number.isInteger(p.line) || p.line < 0) return { error: 'missing line' };
  return pictureAt(ctx, p.line);
}

/** Base64 of the UTF-8 bytes of `s` (no Node Buffer: features stay pure). */
function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/**
 * The ports picture as a Markdown image, for the hover of a response rule of a stateless firewall.
 * VS Code renders `data:` images in hovers, but inside an `<img>` the SVG's `--vscode-*` variables
 * are not defined: it falls back to its own colours, made for a white background, so it gets one.
 */
export function withPortsPicture(ctx: DocContext, offset: number, h: Hover | null): Hover | null {
  const hit = ruleAt(ctx.analysis.model, ctx.analysis.model.root, offset);
  if (!h || !hit || !isStatelessResponse(hit.firewall, hit.rule) || !MarkupContent.is(h.contents)) return h;
  // Only the hover of the rule itself (not of its direction or a port in it).
  const whole = toRange(ctx.lines, hit.rule.node.span);
  if (!h.range || h.range.start.line !== whole.start.line || h.range.start.character !== whole.start.character) return h;
  if (h.range.end.line !== whole.end.line || h.range.end.character !== whole.end.character) return h;
  let images = HOVER_IMAGES.get(ctx.analysis);
  if (!images) HOVER_IMAGES.set(ctx.analysis, (images = new Map()));
  let image = images.get(hit.firewall);
  if (image === undefined) {
    const svg = portsPicture(ctx, hit.firewall).replace(/<style>/, '<rect width="100%" height="100%" fill="#ffffff"/>\n<style>');
    image = `![ports of ${hit.firewall.name}: what its response rules open](data:image/svg+xml;base64,${base64(svg)})`;
    images.set(hit.firewall, image);
  }
  return { ...h, contents: { kind: h.contents.kind, value: `${h.contents.value}\n\n${image}` } };
}
