// The topology picture of a file (issue 11): its hosts and networks, the firewalls that
// protect them drawn as boxes around what they protect, its NAT gateways, and its flows as
// arrows from client to server in the colour of their verdict. Laid out by ELK's layered
// algorithm (elkjs, pure JS); the drawing is ours. Pure: no file system, no DOM, no editor.

import type { ElkExtendedEdge, ElkLabel, ElkNode } from 'elkjs/lib/elk-api';
import { AddrSet } from '../core/intervals';
import { Lines } from '../core/text';
import { natViaNotCrossed, simulateFlow, viaNotCrossed } from '../engine/simulate';
import type { EndpointSymbol, Firewall, Flow, Model, NatSymbol, ResolvedEndpoint } from '../model/types';
import { textOf } from '../model/ownership';
import { type PictureOptions, esc, n, rect, rootIdOf, svgOpen, text, textWidth } from './svg';

export interface TopologyOptions extends PictureOptions {
  /**
   * Flows that get no verdict (cli.md: "no verdict from a half-read file"), drawn grey as "not
   * simulated". Callers that can, pass analysis/flowPath.ts's refusals. By default a flow is
   * refused when the model has an error, or its `via` names a firewall it does not cross.
   */
  refused?: (flow: Flow) => boolean;
}

type Verdict = 'allowed' | 'partial' | 'blocked' | 'unsimulated';

/** One box of the picture before layout: an endpoint, a NAT gateway or a firewall (a box around others). */
interface Item {
  id: string;
  kind: 'host' | 'network' | 'cloud' | 'nat' | 'firewall';
  name: string;
  /** The second line: addresses, or a firewall's mode and what it protects. */
  detail: string;
  addresses: AddrSet;
  /**
   * Declaration line (absent for endpoints written only in a flow, and for those declared in an
   * include unless the picture names files: `PictureOptions.files`).
   */
  line?: number;
  /** The included file it is declared in (only with `PictureOptions.files`; never the root file). */
  file?: string;
  firewall?: Firewall;
  /** The firewall box it is drawn in (undefined: the top level). */
  parent?: string;
  /** Firewalls that also protect it but whose boxes it is not in: a dashed line to each. */
  also: string[];
}

interface FlowEdge {
  flow: Flow;
  verdict: Verdict;
  /** The flow as a person says it, with its verdict, for the tooltip and the description. */
  words: string;
  label: string;
  /** Node ids: client → server, or client → gateway → server. */
  stops: string[];
  /** How many flows written the same way it stands for (each copy is one more edge to lay out). */
  copies: number;
}

// ---- sizes (the flow picture's font: monospace, 12 px, so that svg.ts's width estimate holds) ----

const PAD_X = 12;
/** A box of two lines: the name (bold) and its detail (muted). */
const LEAF_H = 46;
const NAME_Y = 20;
const DETAIL_Y = 36;
/** Room at the top of a firewall's box for its name and mode. */
const FIREWALL_HEADER = 46;
/** The conntrack symbol before `stateful` (as the flow picture draws it), and its gap. */
const ICON = 16;
/** A stateful firewall's second border, outside the first. */
const DOUBLE = 3;

// ---- what is drawn -----------------------------------------------------------------------

/** Whether a firewall protecting `inside` has `addresses` inside: every address of the families it protects. */
function within(addresses: AddrSet, inside: AddrSet): boolean {
  if (addresses.isEmpty() || !addresses.intersects(inside)) return false;
  const families = [AddrSet.V4, AddrSet.V6].filter((f) => inside.intersects(f));
  return families.every((f) => addresses.intersect(f).isSubsetOf(inside));
}

/** A network that covers at least half of an address family: the internet, `any`. */
function isCloud(addresses: AddrSet): boolean {
  return [AddrSet.V4, AddrSet.V6].some((f) => addresses.intersect(f).size() * 2n >= f.size());
}

function verdictWord(v: Verdict): string {
  return v === 'unsimulated' ? 'not simulated' : v;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

class Scene {
  readonly items = new Map<string, Item>();
  readonly flows: FlowEdge[] = [];
  /** The flows drawn: one edge for the copies of a flow (a pasted flow was hundreds of parallel edges to lay out). */
  readonly drawn: FlowEdge[] = [];
  private readonly drawnBy = new Map<string, FlowEdge>();
  private readonly lines: Lines;

  constructor(
    readonly model: Model,
    private readonly refused: (flow: Flow) => boolean,
    private readonly files = false,
  ) {
    this.lines = new Lines((file) => textOf(model, file));
    for (const fw of model.firewalls) this.addFirewall(fw);
    for (const sym of model.symbols.values()) {
      if (sym.kind === 'host' || sym.kind === 'network') this.addEndpoint(sym);
      else if (sym.kind === 'nat') this.addNat(sym);
    }
    for (const flow of model.flows) this.addFlow(flow);
    this.place();
  }

  /** Where a box's declaration is: its line, and its file when that is an include (and files are named). */
  private whereOf(file: string, offset: number): { line?: number; file?: string } {
    if (file === this.model.root) return { line: this.lines.line(file, offset) };
    return this.files ? { line: this.lines.line(file, offset), file } : {};
  }

  private addFirewall(fw: Firewall): void {
    const id = `f${this.items.size}`;
    this.items.set(id, {
      id,
      kind: 'firewall',
      name: fw.name,
      detail: `${fw.platform ?? fw.mode}${fw.platform ? ` (${fw.mode})` : ''} · protects ${fw.insideLabel}`,
      addresses: fw.inside,
      ...this.whereOf(fw.file, fw.node.span.start),
      firewall: fw,
      also: [],
    });
  }

  private addEndpoint(sym: EndpointSymbol): void {
    const id = `e${this.items.size}`;
    const kind = sym.kind === 'network' && isCloud(sym.addresses) ? 'cloud' : sym.kind;
    this.items.set(id, {
      id,
      kind,
      name: sym.name,
      detail: sym.texts.join(', '),
      addresses: sym.addresses,
      ...this.whereOf(sym.origin.file, sym.origin.span.start),
      also: [],
    });
  }

  private addNat(sym: NatSymbol): void {
    const id = `n${this.items.size}`;
    this.items.set(id, {
      id,
      kind: 'nat',
      name: sym.name,
      detail: `NAT · ${sym.addressText}`,
      addresses: sym.address,
      ...this.whereOf(sym.origin.file, sym.origin.span.start),
      also: [],
    });
  }

  /** The box of a flow's end: its symbol's, or one of its own for an address or `any` written in the flow. */
  private endpointId(end: ResolvedEndpoint): string {
    for (const it of this.items.values()) {
      if (it.kind === 'firewall' || it.kind === 'nat') continue;
      if (end.symbol ? it.name === end.symbol.name : it.name === end.label && it.line === undefined && it.detail === '') return it.id;
    }
    const id = `a${this.items.size}`;
    this.items.set(id, {
      id,
      kind: isCloud(end.addresses) ? 'cloud' : end.addresses.size() === 1n ? 'host' : 'network',
      name: end.label,
      detail: '',
      addresses: end.addresses,
      also: [],
    });
    return id;
  }

  private natId(nat: NatSymbol): string {
    for (const it of this.items.values()) if (it.kind === 'nat' && it.name === nat.name) return it.id;
    return this.endpointId({ addresses: nat.address, ephemeral: nat.ports, label: nat.name });
  }

  private addFlow(flow: Flow): void {
    let verdict: Verdict = 'unsimulated';
    let words = '';
    if (!this.refused(flow)) {
      const r = simulateFlow(this.model, flow);
      verdict = r.verdict;
      if (flow.expect) words = ` (expect ${flow.expect}: ${r.met ? 'met' : 'not met'})`;
    }
    const t = flow.node.target;
    const label = t ? this.model.text.slice(t.span.start, t.span.end).replace(/\s+/g, ' ') : flow.proto;
    const client = this.endpointId(flow.client);
    const server = this.endpointId(flow.server);
    const edge: FlowEdge = {
      flow,
      verdict,
      words: `${flow.text}: ${verdictWord(verdict)}${words}`,
      label,
      stops: flow.nat ? [client, this.natId(flow.nat), server] : [client, server],
      copies: 1,
    };
    this.flows.push(edge);
    const key = `${edge.stops.join('\u0000')}\u0001${edge.label}\u0001${edge.words}`;
    const same = this.drawnBy.get(key);
    if (same) same.copies++;
    else {
      this.drawnBy.set(key, edge);
      this.drawn.push(edge);
    }
  }

  /**
   * Puts each box in the smallest firewall that protects it; a firewall inside another one
   * (by what it protects) is drawn in it. A firewall that protects something whose box is
   * elsewhere (insides that overlap without nesting) gets a dashed line to it.
   */
  private place(): void {
    const firewalls = [...this.items.values()].filter((it) => it.kind === 'firewall');
    const size = (it: Item) => it.addresses.size();
    const smallestHolding = (it: Item): Item | undefined => {
      let best: Item | undefined;
      for (const f of firewalls) {
        if (f === it || !within(it.addresses, f.addresses)) continue;
        // Equal insides: the one declared first holds the other.
        if (it.kind === 'firewall' && f.addresses.equals(it.addresses) && f.firewall!.order > it.firewall!.order) continue;
        if (!best || size(f) < size(best) || (size(f) === size(best) && f.firewall!.order > best.firewall!.order)) best = f;
      }
      return best;
    };
    for (const it of this.items.values()) it.parent = smallestHolding(it)?.id;
    const ancestors = (it: Item): Set<string> => {
      const out = new Set<string>();
      for (let p = it.parent; p && !out.has(p); p = this.items.get(p)?.parent) out.add(p);
      return out;
    };
    for (const it of this.items.values()) {
      if (it.kind === 'firewall') continue;
      const up = ancestors(it);
      for (const f of firewalls) if (!up.has(f.id) && within(it.addresses, f.addresses)) it.also.push(f.id);
    }
  }

  /** What the picture shows, in words: its `<desc>`. */
  describe(): string {
    const items = [...this.items.values()];
    const endpoints = items.filter((it) => it.kind !== 'firewall' && it.kind !== 'nat');
    const firewalls = items.filter((it) => it.kind === 'firewall');
    const nats = items.filter((it) => it.kind === 'nat');
    const name = (id: string | undefined) => (id ? this.items.get(id)!.name : '');
    const inside = (f: Item) => items.filter((it) => it.parent === f.id || it.also.includes(f.id)).map((it) => it.name);
    const parts = [
      `${plural(endpoints.length, 'host or network', 'hosts and networks')}: ${endpoints.map((e) => e.name).join(', ') || 'none'}.`,
    ];
    if (firewalls.length) {
      parts.push(
        `${plural(firewalls.length, 'firewall')}: ` +
          firewalls
            .map((f) => {
              const held = inside(f);
              return `${f.name}, ${f.firewall!.mode}, protects ${f.firewall!.insideLabel}${held.length ? ` (${held.join(', ')})` : ''}`;
            })
            .join('; ') +
          '.',
      );
    } else parts.push('No firewalls.');
    if (nats.length)
      parts.push(
        `${plural(nats.length, 'NAT gateway')}: ${nats.map((n) => `${n.name}${n.parent ? ` in ${name(n.parent)}` : ''}`).join(', ')}.`,
      );
    if (this.flows.length) parts.push(`${plural(this.flows.length, 'flow')}: ${this.flows.map((f) => f.words).join('; ')}.`);
    else parts.push('No flows.');
    return parts.join(' ');
  }
}

/** The default refusal: an error in the model refuses every flow; a `via` that is not crossed, that flow. */
function defaultRefused(model: Model): (flow: Flow) => boolean {
  const broken = model.diagnostics.some((d) => d.severity === 'error');
  return (flow) => broken || (flow.nat ? natViaNotCrossed(model, flow).length > 0 : viaNotCrossed(flow).length > 0);
}

// ---- layout --------------------------------------------------------------------------------

/** The size of an item's box that is not a firewall: its two lines, padded (a cloud needs more room). */
function leafSize(it: Item): { width: number; height: number } {
  const w = Math.max(textWidth(it.name), it.detail ? textWidth(it.detail) : 0) + 2 * PAD_X;
  const h = it.detail ? LEAF_H : LEAF_H - 16;
  if (it.kind === 'cloud') return { width: Math.ceil(w * 1.3 + 16), height: Math.ceil(h * 1.45 + 8) };
  if (it.kind === 'network') return { width: w + h / 2, height: h };
  if (it.kind === 'nat') return { width: w + 16, height: h };
  return { width: w, height: h };
}

/** The width of a firewall's header: its name, and its mode (after the conntrack symbol when stateful). */
function headerWidth(it: Item): number {
  const icon = it.firewall!.mode === 'stateful' ? ICON : 0;
  return Math.max(textWidth(it.name), textWidth(it.detail) + icon) + 2 * PAD_X;
}

function elkGraph(scene: Scene): ElkNode {
  const nodes = new Map<string, ElkNode>();
  for (const it of scene.items.values()) {
    if (it.kind === 'firewall') {
      nodes.set(it.id, {
        id: it.id,
        children: [],
        layoutOptions: {
          'elk.padding': `[top=${FIREWALL_HEADER + 6},left=16,bottom=16,right=16]`,
          'elk.nodeSize.constraints': 'MINIMUM_SIZE',
          'elk.nodeSize.minimum': `(${headerWidth(it)}, ${FIREWALL_HEADER + 24})`,
        },
      });
    } else nodes.set(it.id, { id: it.id, ...leafSize(it) });
  }
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.spacing.nodeNode': '28',
      'elk.layered.spacing.nodeNodeBetweenLayers': '48',
      'elk.spacing.edgeNode': '16',
      'elk.spacing.edgeEdge': '12',
      'elk.spacing.edgeLabel': '4',
      'elk.layered.spacing.edgeNodeBetweenLayers': '16',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '12',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
    },
    children: [],
    edges: [],
  };
  for (const it of scene.items.values()) {
    const into = it.parent ? nodes.get(it.parent)! : root;
    into.children!.push(nodes.get(it.id)!);
  }
  const edges: ElkExtendedEdge[] = [];
  scene.drawn.forEach((f, i) => {
    for (let s = 0; s + 1 < f.stops.length; s++) {
      const last = s + 2 === f.stops.length;
      const labels: ElkLabel[] = last ? [{ id: `l${i}`, text: f.label, width: textWidth(f.label) + 8, height: LABEL_H }] : [];
      edges.push({ id: `q${i}_${s}`, sources: [f.stops[s]!], targets: [f.stops[s + 1]!], labels });
    }
  });
  for (const it of scene.items.values()) for (const f of it.also) edges.push({ id: `p${it.id}_${f}`, sources: [it.id], targets: [f] });
  root.edges = edges;
  return root;
}

// ---- drawing -------------------------------------------------------------------------------

const LABEL_H = 16;

/** The picture's own classes, beside svg.ts's; the colours are the flow picture's. */
function topologyStyle(rootId: string): string {
  const r = `#${rootId}`;
  const colours: Record<Verdict, string> = {
    allowed: 'var(--vscode-charts-green, #1a7f37)',
    partial: 'var(--vscode-charts-orange, #bc4c00)',
    blocked: 'var(--vscode-charts-red, #cf222e)',
    unsimulated: 'var(--vscode-disabledForeground, #8c959f)',
  };
  const dash: Record<Verdict, string> = { allowed: 'none', partial: '8 3', blocked: '3 3', unsimulated: '1 3' };
  return [
    `${r} .fw-backdrop { fill: var(--vscode-editor-background, #ffffff); }`,
    `${r} .fw-firewall-box { fill: var(--vscode-editor-background, #ffffff); fill-opacity: 0.6; ` +
      `stroke: var(--vscode-editor-foreground, #1f2328); stroke-width: 1.5; }`,
    `${r} .fw-also { fill: none; stroke: var(--vscode-descriptionForeground, #59636e); stroke-width: 1; stroke-dasharray: 2 3; }`,
    `${r} .decl { cursor: pointer; }`,
    `${r} .flow path { fill: none; stroke-width: 2; }`,
    `${r} .flow text { paint-order: stroke; stroke: var(--vscode-editor-background, #ffffff); stroke-width: 4px; stroke-linejoin: round; }`,
    ...(Object.keys(colours) as Verdict[]).flatMap((v) => [
      `${r} .flow.${v} path { stroke: ${colours[v]}; stroke-dasharray: ${dash[v]}; }`,
      `${r} .flow.${v} text, ${r} .head-${v} { fill: ${colours[v]}; }`,
    ]),
  ].join('\n');
}

/** A cloud in the box (x, y, w, h): an ellipse of bumps. */
function cloudPath(x: number, y: number, w: number, h: number): string {
  const cx = x + w / 2;
  const cy = y + h / 2;
  const rx = w / 2 - 6;
  const ry = h / 2 - 6;
  const bumps = 10;
  const pts = Array.from({ length: bumps }, (_, i) => {
    const a = Math.PI + (2 * Math.PI * i) / bumps;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)] as const;
  });
  let d = `M${n(pts[0]![0])},${n(pts[0]![1])}`;
  for (let i = 0; i < bumps; i++) {
    const [x0, y0] = pts[i]!;
    const [x1, y1] = pts[(i + 1) % bumps]!;
    const r = Math.hypot(x1 - x0, y1 - y0) * 0.56;
    d += ` A${n(r)},${n(r)} 0 0 1 ${n(x1)},${n(y1)}`;
  }
  return d + ' Z';
}

interface Point {
  x: number;
  y: number;
}

/** A path through the points with its corners rounded. */
function roundedPath(pts: Point[], radius = 6): string {
  let d = `M${n(pts[0]!.x)},${n(pts[0]!.y)}`;
  for (let i = 1; i < pts.length - 1; i++) {
    const p = pts[i - 1]!;
    const c = pts[i]!;
    const q = pts[i + 1]!;
    const r = Math.min(radius, Math.hypot(c.x - p.x, c.y - p.y) / 2, Math.hypot(q.x - c.x, q.y - c.y) / 2);
    const a = towards(c, p, r);
    const b = towards(c, q, r);
    d += ` L${n(a.x)},${n(a.y)} Q${n(c.x)},${n(c.y)} ${n(b.x)},${n(b.y)}`;
  }
  const last = pts[pts.length - 1]!;
  return d + ` L${n(last.x)},${n(last.y)}`;
}

function towards(from: Point, to: Point, dist: number): Point {
  const len = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  return { x: from.x + ((to.x - from.x) * dist) / len, y: from.y + ((to.y - from.y) * dist) / len };
}

/** The attributes that let a front end find a box and jump to its declaration. */
function attrs(it: Item, cls: string): string {
  const decl = it.line !== undefined ? ' decl' : '';
  const line = it.line !== undefined ? ` data-line="${it.line}"${it.file !== undefined ? ` data-file="${esc(it.file)}"` : ''}` : '';
  return `class="${cls}${decl}" data-name="${esc(it.name)}"${line}`;
}

function drawLeaf(it: Item, x: number, y: number, w: number, h: number): string {
  let shape: string;
  if (it.kind === 'cloud') shape = `<path class="fw-end-box" d="${cloudPath(x, y, w, h)}"/>`;
  else if (it.kind === 'network') shape = rect(x, y, w, h, 'fw-end-box', h / 2);
  else if (it.kind === 'nat') {
    const k = 8;
    const d =
      `M${n(x + k)},${n(y)} H${n(x + w - k)} L${n(x + w)},${n(y + h / 2)} ` +
      `L${n(x + w - k)},${n(y + h)} H${n(x + k)} L${n(x)},${n(y + h / 2)} Z`;
    shape = `<path class="fw-nat-box" d="${d}"/>`;
  } else shape = rect(x, y, w, h, 'fw-end-box', 10);
  const cx = x + w / 2;
  const top = y + (h - (it.detail ? LEAF_H : LEAF_H - 16)) / 2;
  const lines =
    text(cx, top + NAME_Y, it.name, 'fw-title', 'middle') +
    (it.detail ? text(cx, top + DETAIL_Y, it.detail, it.kind === 'nat' ? 'fw-nat' : 'fw-muted', 'middle') : '');
  const what = it.kind === 'nat' ? 'NAT gateway' : it.kind === 'cloud' ? 'network' : it.kind;
  const title = `<title>${esc(`${what} ${it.name}${it.detail && it.kind !== 'nat' ? ` ${it.detail}` : ''}`)}</title>`;
  return `<g ${attrs(it, it.kind === 'nat' ? 'nat' : `endpoint ${it.kind}`)}>${title}${shape}${lines}</g>`;
}

/** A firewall: a box around what it protects; stateful ones with a double border and the conntrack symbol, as in the flow picture. */
function drawFirewall(it: Item, x: number, y: number, w: number, h: number): string {
  const fw = it.firewall!;
  const stateful = fw.mode === 'stateful';
  const title = `<title>${esc(`firewall ${fw.name}: ${fw.mode}, protects ${fw.insideLabel}`)}</title>`;
  const outer = stateful ? rect(x - DOUBLE, y - DOUBLE, w + 2 * DOUBLE, h + 2 * DOUBLE, 'fw-firewall-box', 7) : '';
  let mode: string;
  if (stateful) {
    const ix = x + PAD_X;
    const iy = y + DETAIL_Y - 10;
    mode =
      `<g class="fw-conntrack"><rect x="${n(ix)}" y="${n(iy)}" width="11" height="12" rx="1" class="fw-line" stroke-width="1.2"/>` +
      `<path d="${[4, 7, 10].map((d) => `M${n(ix + 2.5)},${n(iy + d)} h6`).join(' ')}" class="fw-line" stroke-width="1"/></g>` +
      text(ix + ICON, y + DETAIL_Y, it.detail, 'fw-muted');
  } else mode = text(x + PAD_X, y + DETAIL_Y, it.detail, 'fw-muted');
  return (
    `<g ${attrs(it, `firewall ${fw.mode}`)}>${title}${outer}${rect(x, y, w, h, 'fw-firewall-box', 4)}` +
    `${text(x + PAD_X, y + NAME_Y, it.name, 'fw-title')}${mode}</g>`
  );
}

/** At most this many boxes are laid out, nested at most this deep (else a line says why not). */
const MAX_BOXES = 600;
const MAX_NESTING = 40;

/** The topology of the model's file as an SVG document. */
export async function topologySvg(model: Model, options: TopologyOptions = {}): Promise<string> {
  const rootId = rootIdOf(options, 'topology');
  const file = model.root.replace(/^.*[\\/]/, '');
  const note = (words: string, description = scene.describe()) => {
    const w = textWidth(words) + 32;
    return (
      svgOpen(rootId, w, 48, `Topology of ${file}`, description, 'fwlang-topology') +
      `\n<style>\n${topologyStyle(rootId)}\n</style>\n<rect class="fw-backdrop" width="${w}" height="48"/>\n` +
      `${text(16, 28, words, 'fw-muted')}\n</svg>\n`
    );
  };
  // Placing thousands of firewalls around what they protect is itself slow (23,000 firewalls:
  // minutes), before any layout: count what the boxes would be first.
  const declared =
    model.firewalls.length +
    [...model.symbols.values()].filter((x) => x.kind === 'host' || x.kind === 'network' || x.kind === 'nat').length;
  if (declared > MAX_BOXES) {
    const others = declared - model.firewalls.length;
    const words = `too much to draw: ${model.firewalls.length} firewalls and ${others} hosts, networks and NAT gateways`;
    return note(words, words);
  }
  const scene = new Scene(model, options.refused ?? defaultRefused(model), options.files);
  // Nothing declared: a picture that says so, rather than one of no size.
  if (scene.items.size === 0) return note('nothing to draw: no host, network, NAT gateway or firewall');
  // ELK recurses into nested boxes and its cost grows fast with them: a file of thousands of
  // boxes, or of firewalls nested hundreds deep, is no picture anyone can read anyway.
  const nesting = (it: Item) => {
    let d = 0;
    for (let p = it.parent; p && d <= MAX_NESTING; p = scene.items.get(p)?.parent) d++;
    return d;
  };
  let deepest = 0;
  for (const it of scene.items.values()) deepest = Math.max(deepest, nesting(it));
  if (scene.items.size > MAX_BOXES || deepest > MAX_NESTING) {
    return note(
      `too much to draw: ${scene.items.size} boxes${deepest > MAX_NESTING ? `, firewalls nested more than ${MAX_NESTING} deep` : ''}`,
    );
  }
  let laid: ElkNode;
  try {
    // Loaded on first use: ELK is most of the bundle's code, and only pictures need it (the CLI
    // build keeps it out of dist/cli.js, so that `fwlang check` does not compile it at start).
    const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
    laid = await new ELK().layout(elkGraph(scene));
  } catch (e) {
    return note(`no picture: the layout failed (${(e as Error)?.message ?? String(e)})`);
  }

  // Absolute positions: ELK gives children relative to their parent, edges relative to their container.
  const at = new Map<string, { x: number; y: number; w: number; h: number }>();
  const walk = (node: ElkNode, ox: number, oy: number) => {
    for (const c of node.children ?? []) {
      const x = ox + (c.x ?? 0);
      const y = oy + (c.y ?? 0);
      at.set(c.id, { x, y, w: c.width ?? 0, h: c.height ?? 0 });
      walk(c, x, y);
    }
  };
  walk(laid, 0, 0);
  const origin = (e: ElkExtendedEdge): Point => {
    const container = (e as ElkExtendedEdge & { container?: string }).container;
    const b = container && container !== 'root' ? at.get(container) : undefined;
    return { x: b?.x ?? 0, y: b?.y ?? 0 };
  };
  const edges = new Map((laid.edges ?? []).map((e) => [e.id, e]));
  const pointsOf = (e: ElkExtendedEdge): Point[][] => {
    const o = origin(e);
    return (e.sections ?? []).map((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p) => ({ x: p.x + o.x, y: p.y + o.y })));
  };

  const width = Math.ceil(laid.width ?? 0);
  const height = Math.ceil(laid.height ?? 0);
  const body: string[] = [`<rect class="fw-backdrop" width="${width}" height="${height}"/>`];
  body.push(
    '<defs>' +
      (['allowed', 'partial', 'blocked', 'unsimulated'] as const)
        .map((v) =>
          v === 'blocked'
            ? `<marker id="${rootId}-head-${v}" viewBox="0 0 6 14" refX="5" refY="7" markerWidth="6" markerHeight="14" ` +
              `markerUnits="userSpaceOnUse" orient="auto"><path d="M1,0 H6 V14 H1 Z" class="head-${v}"/></marker>`
            : `<marker id="${rootId}-head-${v}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" markerHeight="10" ` +
              `markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 Z" class="head-${v}"/></marker>`,
        )
        .join('') +
      '</defs>',
  );

  // Firewalls outermost first, so that a box inside another is drawn over it; then the rest.
  const depth = (it: Item) => {
    let d = 0;
    for (let p = it.parent; p; p = scene.items.get(p)?.parent) d++;
    return d;
  };
  const items = [...scene.items.values()];
  for (const it of items.filter((i) => i.kind === 'firewall').sort((a, b) => depth(a) - depth(b))) {
    const b = at.get(it.id)!;
    body.push(drawFirewall(it, b.x, b.y, b.w, b.h));
  }
  for (const it of items)
    for (const f of it.also) {
      const e = edges.get(`p${it.id}_${f}`);
      for (const pts of e ? pointsOf(e) : []) body.push(`<path class="fw-also" d="${roundedPath(pts)}"/>`);
    }
  for (const it of items) {
    if (it.kind === 'firewall') continue;
    const b = at.get(it.id)!;
    body.push(drawLeaf(it, b.x, b.y, b.w, b.h));
  }

  const lines = new Lines((file) => textOf(model, file));
  scene.drawn.forEach((f, i) => {
    const parts: string[] = [];
    let label = '';
    for (let s = 0; s + 1 < f.stops.length; s++) {
      const e = edges.get(`q${i}_${s}`);
      if (!e) continue;
      const last = s + 2 === f.stops.length;
      const marker = last ? ` marker-end="url(#${rootId}-head-${f.verdict})"` : '';
      for (const pts of pointsOf(e)) parts.push(`<path d="${roundedPath(pts)}"${marker}/>`);
      const l = e.labels?.[0];
      if (l && last) {
        const o = origin(e);
        label = text(o.x + (l.x ?? 0) + (l.width ?? 0) / 2, o.y + (l.y ?? 0) + (l.height ?? 0) - 4, f.label, undefined, 'middle');
      }
    }
    const line = lines.line(f.flow.file, f.flow.node.span.start);
    const title = f.copies > 1 ? `${f.words} (written ${f.copies} times, drawn once)` : f.words;
    body.push(`<g class="flow ${f.verdict}" data-line="${line}"><title>${esc(title)}</title>${parts.join('')}${label}</g>`);
  });

  return (
    svgOpen(rootId, width, height, `Topology of ${file}`, scene.describe(), 'fwlang-topology') +
    `\n<style>\n${topologyStyle(rootId)}\n</style>\n` +
    body.join('\n') +
    '\n</svg>\n'
  );
}
