// Helpers for the picture tests: a flow's JSON from .fw text through the real parser and engine,
// and an SVG read back as XML (fast-xml-parser), with the elements and texts it holds.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { simulateFlow } from '../../server/src/engine/simulate';
import { buildModel } from '../../server/src/model/resolve';
import type { Model } from '../../server/src/model/types';
import { type FlowJson, flowJson, modelLines } from '../../server/src/report/flowReport';

export function modelOf(text: string, path = '/virtual/pictures.fw'): Model {
  const model = buildModel(path, text);
  const errors = model.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`the test file has errors: ${errors.map((d) => d.message).join('; ')}`);
  return model;
}

/** The JSON of the flow on `line` (1-based) of the text, as `fwlang simulate --json` prints it. */
export function flowAt(text: string, line: number): { json: FlowJson; model: Model } {
  const model = modelOf(text);
  const lines = modelLines(model);
  const flow = model.flows.find((f) => lines.line(f.file, f.node.span.start) === line);
  if (!flow) throw new Error(`no flow on line ${line}`);
  return { json: flowJson(simulateFlow(model, flow), model, lines), model };
}

/** Every flow of the text, as JSON. */
export function allFlows(text: string, path?: string): { json: FlowJson; model: Model }[] {
  const model = modelOf(text, path);
  const lines = modelLines(model);
  return model.flows.map((f) => ({ json: flowJson(simulateFlow(model, f), model, lines), model }));
}

export interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  /** The text directly inside it. */
  text: string;
}

/** The SVG as a tree of elements; throws with the parser's message when it is not well-formed XML. */
export function parseSvg(svg: string): El {
  const valid = XMLValidator.validate(svg);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    preserveOrder: true,
    trimValues: false,
    htmlEntities: true,
  });
  const tree = parser.parse(svg) as unknown[];
  const convert = (node: Record<string, unknown>): El | undefined => {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (!name || name === '#text') return undefined;
    const kids = (node[name] as Record<string, unknown>[]) ?? [];
    const attrs = (node[':@'] as Record<string, string>) ?? {};
    const text = kids.map((k) => ('#text' in k ? String(k['#text']) : '')).join('');
    return { name, attrs, text, children: kids.map(convert).filter((e): e is El => !!e) };
  };
  const root = (tree as Record<string, unknown>[]).map(convert).find((e) => e?.name === 'svg');
  if (!root) throw new Error('no <svg> root');
  return root;
}

/** Every element under `el` (itself included), depth first, in document order. */
export function all(el: El): El[] {
  return [el, ...el.children.flatMap(all)];
}

/** The text of every <text> element, in document order. */
export function texts(el: El): string[] {
  return all(el)
    .filter((e) => e.name === 'text')
    .map((e) => e.text);
}

export const hasClass = (e: El, cls: string) => (e.attrs.class ?? '').split(/\s+/).includes(cls);
