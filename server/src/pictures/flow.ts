// The flow picture (issue 11): client, every firewall and NAT gateway on the path, server, left
// to right; the request's arrows above, going right, the response's below, coming back; each
// hop labelled with what decided it, green for allow and red for deny; a cross where packets
// are dropped; for a partial flow, the client's port range as a bar with its passing and
// dropped parts and the ephemeral profiles that fall in each. Drawn from the simulation's JSON
// (report/flowReport.ts) alone, so the CLI, the editor and the tests share it. Pure.

import { PortSet } from '../core/intervals';
import { BUILTIN_PROFILES } from '../model/builtins';
import type { Model } from '../model/types';
import { type AnyHopJson, type FlowJson, type NatHopJson, isNatHop } from '../report/flowReport';
import {
  LINE_HEIGHT,
  type PictureOptions as BaseOptions,
  portsText,
  cross,
  esc,
  hArrow,
  n,
  parsePorts,
  rect,
  rootIdOf,
  rowsFor,
  svgOpen,
  text,
  textWidth,
} from './svg';

export interface PictureOptions extends BaseOptions {
  /**
   * Whether each firewall (by name) tracks connections, when the caller has the model at hand
   * (`firewallModes`). Without it the picture reads it from the hops: a response passed `by
   * state` is a stateful firewall's, one decided by a rule or the default a stateless one's.
   */
  modes?: Record<string, 'stateful' | 'stateless'>;
}

type HopJson = Exclude<AnyHopJson, NatHopJson>;
type Mode = 'stateful' | 'stateless' | 'unknown';

/** Each firewall's mode, by name, for `PictureOptions.modes`. */
export function firewallModes(model: Model): Record<string, 'stateful' | 'stateless'> {
  const out: Record<string, 'stateful' | 'stateless'> = {};
  for (const f of model.firewalls) out[f.name] = f.mode === 'stateful' ? 'stateful' : 'stateless';
  return out;
}

interface Column {
  kind: 'fw' | 'nat';
  name: string;
  key: string;
  mode: Mode;
  nat?: NatHopJson;
}

const keyOf = (h: AnyHopJson) => (isNatHop(h) ? `nat:${h.nat}` : `fw:${h.firewall}:${h.leg ?? ''}`);

/**
 * The path's crossings in order from client to server. The request's hops are the first ones
 * (they stop where it is dropped), the response's, reversed, the last ones: the shortest path
 * both agree on.
 */
function columnsOf(j: FlowJson, modes: Record<string, Mode>): Column[] {
  const req = j.request.hops;
  const res = [...(j.response?.hops ?? [])].reverse();
  let total = Math.max(req.length, res.length);
  const agrees = (t: number) => {
    for (let p = Math.max(0, t - res.length); p < req.length; p++) if (keyOf(req[p]!) !== keyOf(res[p - (t - res.length)]!)) return false;
    return true;
  };
  while (!agrees(total)) total++;
  const cols: Column[] = [];
  for (let p = 0; p < total; p++) {
    const h = p < req.length ? req[p]! : res[p - (total - res.length)]!;
    if (isNatHop(h)) cols.push({ kind: 'nat', name: h.nat, key: keyOf(h), mode: 'unknown', nat: h });
    else cols.push({ kind: 'fw', name: h.firewall, key: keyOf(h), mode: modes[h.firewall] ?? 'unknown' });
  }
  return cols;
}

function inferModes(j: FlowJson, given: Record<string, 'stateful' | 'stateless'> | undefined): Record<string, Mode> {
  const out: Record<string, Mode> = {};
  for (const h of [...j.request.hops, ...(j.response?.hops ?? [])]) {
    if (isNatHop(h)) continue;
    if (h.by === 'state') out[h.firewall] = 'stateful';
  }
  for (const h of j.response?.hops ?? []) {
    if (!isNatHop(h) && h.by !== 'state' && out[h.firewall] === undefined) out[h.firewall] = 'stateless';
  }
  return { ...out, ...(given ?? {}) };
}

/** `bob`, `catogram`, `https` out of `bob -> catogram https via natgw`. */
function endsOf(flow: string): { client: string; server: string; service: string } {
  const i = flow.indexOf('->');
  if (i < 0) return { client: 'client', server: 'server', service: flow };
  const client = flow.slice(0, i).trim();
  const right = flow
    .slice(i + 2)
    .replace(/\s+via\s+.*$/, '')
    .trim();
  const sp = right.search(/\s/);
  return sp < 0 ? { client, server: right, service: '' } : { client, server: right.slice(0, sp), service: right.slice(sp + 1).trim() };
}

/** What decided a hop, short: `rule 100 (line 10)`, `line 18`, `default`, `state`. */
function decidedBy(h: HopJson): string {
  if (h.by === 'state') return 'state';
  if (h.by === 'default') return 'default';
  if (h.rule !== null) return h.line !== null ? `rule ${h.rule} (line ${h.line})` : `rule ${h.rule}`;
  return h.line !== null ? `line ${h.line}` : 'rule';
}

/** The same in words, for the description. */
function decidedWords(h: HopJson): string {
  const leg = h.leg ? `leg ${h.leg}, ` : '';
  const by =
    h.by === 'state'
      ? 'by connection tracking'
      : h.by === 'default'
        ? `by the default ${h.action}`
        : h.rule !== null
          ? `by rule ${h.rule}${h.line !== null ? ` on line ${h.line}` : ''}`
          : `by the rule on line ${h.line}`;
  return `${h.firewall} (${leg}${h.direction}, ${by})`;
}

function hopLabelLines(h: AnyHopJson, phase: 'request' | 'response'): [string, string] {
  if (isNatHop(h)) {
    const at = `${h.address}${h.port !== null ? `:${h.port}` : ''}`;
    return phase === 'request' ? ['NAT: source →', at] : ['NAT: back to', 'the client'];
  }
  const leg = h.leg ? ` (leg ${h.leg})` : '';
  return [`${h.action === 'allow' ? '✔ ALLOW' : '✘ DENY'} ${h.direction}${leg}`, decidedBy(h)];
}

function listWords(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/**
 * What the row of boxes cannot show: the note, and which server ports, gateway ports and client
 * addresses pass or are dropped; lists longer than `max` characters cut short (`… and N more`).
 */
function factsOf(j: FlowJson, max = Infinity): [string, 'fw-muted' | 'fw-ok' | 'fw-bad'][] {
  const clip = (list: string) => {
    if (list.length <= max) return list;
    const parts = list.split(/,\s*/);
    let out = '';
    let i = 0;
    for (; i < parts.length && (out.length + parts[i]!.length + 2 <= max - 20 || !out); i++) out = out ? `${out}, ${parts[i]}` : parts[i]!;
    return `${out} and ${parts.length - i} more`;
  };
  const out: [string, 'fw-muted' | 'fw-ok' | 'fw-bad'][] = [];
  if (j.note) out.push([`note: ${j.note}`, 'fw-muted']);
  if (j.allowedServerPorts && j.blockedServerPorts) {
    out.push(
      [`server ports passing: ${clip(j.allowedServerPorts)}`, 'fw-ok'],
      [`server ports dropped: ${clip(j.blockedServerPorts)}`, 'fw-bad'],
    );
  }
  if (j.blockedGatewayPorts) {
    out.push(
      [`gateway ports passing: ${j.allowedGatewayPorts ? clip(j.allowedGatewayPorts) : 'none'}`, 'fw-ok'],
      [`gateway ports dropped: ${clip(j.blockedGatewayPorts)}`, 'fw-bad'],
    );
  }
  if (j.blockedClientAddresses || j.partialClientAddresses) {
    if (j.allowedClientAddresses) out.push([`client addresses passing: ${clip(j.allowedClientAddresses)}`, 'fw-ok']);
    if (j.blockedClientAddresses) out.push([`client addresses dropped: ${clip(j.blockedClientAddresses)}`, 'fw-bad']);
    if (j.partialClientAddresses) out.push([`client addresses, some connections dropped: ${clip(j.partialClientAddresses)}`, 'fw-bad']);
  }
  return out;
}

/** The verdict in words: the `<desc>` of the picture. */
export function flowDescription(j: FlowJson): string {
  const expect = j.expect ? ` (expect ${j.expect}: ${j.met ? 'met' : 'not met'})` : '';
  const out = [`The flow ${j.flow} is ${j.verdict}${expect}.`];
  const phase = (name: 'request' | 'response', hops: AnyHopJson[]) => {
    const passed = hops.filter((h): h is HopJson => !isNatHop(h) && h.action === 'allow').map(decidedWords);
    const nat = hops.find(isNatHop);
    const drop = hops.find((h): h is HopJson => !isNatHop(h) && h.action === 'deny');
    if (passed.length > 0) out.push(`The ${name} passes ${listWords(passed)}.`);
    if (nat) out.push(`It goes through the NAT gateway ${nat.nat} (${nat.address}).`);
    if (drop) {
      let where = `The ${name} is dropped at ${decidedWords(drop)}`;
      if (name === 'response' && j.response?.blockedClientPorts && j.response.allowedClientPorts) {
        where += ` for client ports ${j.response.blockedClientPorts}; ports ${j.response.allowedClientPorts} pass`;
      }
      out.push(`${where}.`);
    }
  };
  phase('request', j.request.hops);
  if (j.response) phase('response', j.response.hops);
  else if (j.request.hops.length > 0) out.push('There is no response: the request never gets through.');
  for (const [fact] of factsOf(j)) out.push(`${fact[0]!.toUpperCase()}${fact.slice(1)}.`);
  return out.join(' ');
}

// Geometry.
const M = 16; // margin
const GAP = 64; // room for an arrow between two boxes
const BOX_H = 56;
const PAD = 12; // inside a box, left and right
const ICON = 16; // the conntrack symbol and its gap

/** The connection-tracking memory of a stateful firewall: a small table of remembered connections. */
function conntrackIcon(x: number, y: number): string {
  return (
    `<g class="fw-conntrack">${rect(x, y, 11, 12, 'fw-line', 1, ' stroke-width="1.2"')}` +
    `<path d="${[4, 7, 10].map((d) => `M${n(x + 2.5)},${n(y + d)} h6`).join(' ')}" class="fw-line" stroke-width="1"/></g>`
  );
}

/** A packet's way from x1 toward x2 that ends, dropped, in a cross just before x2. */
function stopped(x1: number, x2: number, y: number): string {
  const dir = x2 >= x1 ? 1 : -1;
  const end = x2 - dir * 9;
  return `<line x1="${n(x1)}" y1="${n(y)}" x2="${n(end)}" y2="${n(y)}" class="fw-bad-line" stroke-width="2"/>` + cross(end, y, 5);
}

interface Placed {
  cx: number;
  boxW: number;
  width: number;
}

/** The flow picture: one `<svg>` document. */
export function flowSvg(flow: FlowJson, options?: PictureOptions): string {
  const j = flow;
  const rootId = rootIdOf(options, `flow${j.line !== null ? `-${j.line}` : ''}`);
  const modes = inferModes(j, options?.modes);
  const cols = columnsOf(j, modes);
  const ends = endsOf(j.flow);
  const resPorts = j.response ? parsePorts(j.response.allowedClientPorts).union(parsePorts(j.response.blockedClientPorts)) : PortSet.EMPTY;

  // The hops of each column, one per phase.
  const reqHop: (AnyHopJson | undefined)[] = cols.map((_, p) => j.request.hops[p]);
  const resHop: (AnyHopJson | undefined)[] = cols.map(() => undefined);
  const resHops = j.response?.hops ?? [];
  resHops.forEach((h, i) => (resHop[cols.length - 1 - i] = h));

  // Box contents: a heading and a second line; every column's width fits its box and labels.
  interface Cell {
    title: string;
    sub: string;
    icon: boolean;
    boxCls: string;
    above?: [string, string];
    below?: [string, string];
  }
  const cells: Cell[] = [
    { title: ends.client, sub: resPorts.isEmpty() ? 'client' : `ports ${resPorts.toString()}`, icon: false, boxCls: 'fw-end-box' },
    ...cols.map((c, p): Cell => {
      const sub =
        c.kind === 'nat' ? `NAT ${c.nat!.address}` : c.mode === 'stateful' ? 'stateful' : c.mode === 'stateless' ? 'stateless' : 'firewall';
      return {
        title: c.name,
        sub,
        icon: c.mode === 'stateful',
        boxCls: c.kind === 'nat' ? 'fw-nat-box' : 'fw-box',
        above: reqHop[p] && hopLabelLines(reqHop[p]!, 'request'),
        below: resHop[p] && hopLabelLines(resHop[p]!, 'response'),
      };
    }),
    { title: ends.server, sub: ends.service || 'server', icon: false, boxCls: 'fw-end-box' },
  ];
  const placed: Placed[] = [];
  let x = M;
  for (const c of cells) {
    const boxW = Math.max(96, textWidth(c.title) + 2 * PAD, textWidth(c.sub) + 2 * PAD + (c.icon ? ICON : 0));
    const labelW = Math.max(0, ...[...(c.above ?? []), ...(c.below ?? [])].map((s) => textWidth(s)));
    const width = Math.max(boxW, labelW);
    placed.push({ cx: x + width / 2, boxW, width });
    x += width + GAP;
  }
  const rowWidth = x - GAP - M;

  const body: string[] = [];
  let y = M;
  // The flow and its verdict.
  const mark = j.expect ? (j.met ? '✔' : '✘') : '•';
  const expect = j.expect ? ` (expect ${j.expect}: ${j.met ? 'met' : 'NOT met'})` : '';
  const headline = `${mark} ${j.line !== null ? `line ${j.line}: ` : ''}${j.flow} — ${j.verdict}${expect}`;
  const verdictCls = j.verdict === 'allowed' ? 'fw-ok' : 'fw-bad';
  body.push(text(M, y + 12, headline, `fw-title ${verdictCls}`));
  let width = textWidth(headline, 12) + 8; // bold runs a little wider: the estimate keeps room
  y += LINE_HEIGHT + 10;

  // Request labels (two lines) above the boxes, the boxes, response labels below.
  const aboveY = y;
  const boxY = aboveY + (cells.some((c) => c.above) ? 2 * LINE_HEIGHT + 8 : 4);
  const reqY = boxY + 16;
  const resY = boxY + BOX_H - 16;
  const belowY = boxY + BOX_H + 8;
  const labelCls = (h: AnyHopJson) => (isNatHop(h) ? 'fw-nat' : h.action === 'allow' ? 'fw-ok' : 'fw-bad');
  const label = (h: AnyHopJson, lines: [string, string], cx: number, top: number) => {
    // A rule of an included file: its path too (the JSON names it only when the editor asks).
    const line =
      !isNatHop(h) && h.line !== null ? ` data-line="${h.line}"${h.file !== undefined ? ` data-file="${esc(h.file)}"` : ''}` : '';
    const cls = labelCls(h);
    return (
      `<g class="hop-label"${line}>` +
      text(cx, top + 12, lines[0], cls, 'middle') +
      text(cx, top + 12 + LINE_HEIGHT, lines[1], cls, 'middle') +
      `</g>`
    );
  };
  cells.forEach((c, i) => {
    const p = placed[i]!;
    const left = p.cx - p.boxW / 2;
    if (c.boxCls === 'fw-box' && c.icon) {
      // Stateful: a double border.
      body.push(`<rect x="${n(left - 3)}" y="${n(boxY - 3)}" width="${n(p.boxW + 6)}" height="${BOX_H + 6}" rx="6" class="fw-box"/>`);
    }
    body.push(rect(left, boxY, p.boxW, BOX_H, c.boxCls, c.boxCls === 'fw-end-box' ? 10 : 4));
    body.push(text(p.cx, boxY + 22, c.title, 'fw-title', 'middle'));
    if (c.icon) {
      // The connection-tracking memory: a small table of remembered connections.
      const w = textWidth(c.sub) + ICON;
      const ix = p.cx - w / 2;
      body.push(conntrackIcon(ix, boxY + 30));
      body.push(text(ix + ICON, boxY + 40, c.sub, 'fw-muted'));
    } else {
      body.push(text(p.cx, boxY + 40, c.sub, 'fw-muted', 'middle'));
    }
    const col = i - 1;
    if (col >= 0 && col < cols.length) {
      if (c.above) body.push(label(reqHop[col]!, c.above, p.cx, aboveY));
      if (c.below) body.push(label(resHop[col]!, c.below, p.cx, belowY));
    }
  });
  const edgeL = (i: number) => placed[i]!.cx - placed[i]!.boxW / 2 - (cells[i]!.icon ? 3 : 0);
  const edgeR = (i: number) => placed[i]!.cx + placed[i]!.boxW / 2 + (cells[i]!.icon ? 3 : 0);
  // Request: left to right, from the client (cell 0) until a hop drops it; a dropped packet's
  // arrow ends in a cross at the firewall that drops it.
  const reqDrop = j.request.hops.findIndex((h) => !isNatHop(h) && h.action === 'deny');
  const reqEnd = reqDrop >= 0 ? reqDrop + 1 : j.request.hops.length === cols.length ? cells.length - 1 : j.request.hops.length;
  for (let i = 0; i < reqEnd; i++) {
    if (reqDrop >= 0 && i === reqDrop) body.push(stopped(edgeR(i), edgeL(i + 1), reqY));
    else body.push(hArrow(edgeR(i), edgeL(i + 1) - 1, reqY, 'fw-line', 'fw-fg-fill'));
  }
  // The rest of the way, where the dropped request never goes: dashed.
  for (let i = reqDrop >= 0 ? reqEnd : cells.length - 1; i < cells.length - 1; i++) {
    body.push(
      `<line x1="${n(edgeR(i) + 4)}" y1="${reqY}" x2="${n(edgeL(i + 1) - 4)}" y2="${reqY}" class="fw-muted-line" stroke-dasharray="3 4"/>`,
    );
  }
  // Response: right to left, from the server (the last cell).
  if (j.response) {
    const hops = j.response.hops;
    const resDrop = hops.findIndex((h) => !isNatHop(h) && h.action === 'deny');
    const last = cells.length - 1;
    const steps = resDrop >= 0 ? resDrop + 1 : hops.length === cols.length ? last : hops.length;
    for (let s = 0; s < steps; s++) {
      const from = last - s;
      if (resDrop >= 0 && s === resDrop) body.push(stopped(edgeL(from), edgeR(from - 1), resY));
      else body.push(hArrow(edgeL(from), edgeR(from - 1) + 1, resY, 'fw-line', 'fw-fg-fill'));
    }
  } else if (j.request.hops.length > 0) {
    body.push(text(M, belowY + 12, 'no response: the request never gets through', 'fw-muted'));
    width = Math.max(width, textWidth('no response: the request never gets through'));
  }
  const belowRows = cells.some((c) => c.below) ? 2 : j.request.hops.length > 0 ? 1 : 0;
  y = belowY + belowRows * LINE_HEIGHT + 8;
  width = Math.max(width, rowWidth);

  // Lines of text under the row: what has no place in it.
  const lines: [string, string][] = [];
  if (j.response && reqDrop >= 0 && j.response.hops.length > 0)
    lines.push(['the response shown answers a request that gets through', 'fw-muted']);
  lines.push(...factsOf(j, 80));
  for (const [s, cls] of lines) {
    body.push(text(M, y + 12, s, cls));
    width = Math.max(width, textWidth(s));
    y += LINE_HEIGHT;
  }
  if (lines.length) y += 8;

  // A partial flow: the client's ports as a bar.
  if (j.response && j.response.allowedClientPorts && j.response.blockedClientPorts) {
    const bar = portBar(parsePorts(j.response.allowedClientPorts), parsePorts(j.response.blockedClientPorts), M, y);
    body.push(bar.svg);
    width = Math.max(width, bar.width);
    y += bar.height + 8;
  }

  // The legend.
  const legend = legendOf(
    cols.some((c) => c.kind === 'nat'),
    M,
    y,
  );
  body.push(legend.svg);
  width = Math.max(width, legend.width);
  y += legend.height;

  const W = width + 2 * M;
  const H = y + M;
  const title = `${j.flow} — ${j.verdict}`;
  return `${svgOpen(rootId, W, H, title, flowDescription(j), 'fwlang-flow')}\n${body.join('\n')}\n</svg>\n`;
}

/** The ephemeral ranges of the built-in profiles, names that share one range together. */
export function profileGroups(): { names: string[]; ports: PortSet }[] {
  const groups: { names: string[]; ports: PortSet; key: string }[] = [];
  for (const [name, [lo, hi]] of Object.entries(BUILTIN_PROFILES)) {
    const key = `${lo}-${hi}`;
    const g = groups.find((x) => x.key === key);
    if (g) g.names.push(name);
    else groups.push({ names: [name], ports: PortSet.range(lo, hi), key });
  }
  return groups.map(({ names, ports }) => ({ names, ports }));
}

/**
 * The client's port range as a bar over the ports it spans together with the profiles that
 * share some of them: passing part green, dropped part red; under it one band per profile, with
 * what becomes of its ports.
 */
function portBar(allowed: PortSet, blocked: PortSet, x0: number, y0: number): { svg: string; width: number; height: number } {
  const range = allowed.union(blocked);
  const profiles = profileGroups().filter((g) => !g.ports.intersect(range).isEmpty());
  // The axis spans the client's ports; a profile that goes on beyond them is cut at its edge.
  const lo = range.min()!;
  const hi = range.max()!;
  const out: string[] = [];
  const heading = `client ports ${portsText(range)}: the response comes back to them`;
  out.push(text(x0, y0 + 12, heading));
  let y = y0 + LINE_HEIGHT + 6;

  const names = ['client', ...profiles.map((g) => g.names.join(', '))];
  const labelW = Math.max(...names.map((s) => textWidth(s))) + 12;
  const BW = 420;
  const bx = x0 + labelW;
  const px = (p: number) => bx + ((p - lo) / (hi - lo + 1)) * BW;
  // Domain ends above the bar.
  out.push(text(bx, y + 12, String(lo), 'fw-muted'), text(bx + BW, y + 12, String(hi), 'fw-muted', 'end'));
  y += LINE_HEIGHT + 2;
  out.push(text(x0, y + 11, 'client', undefined));
  out.push(`<rect x="${n(bx)}" y="${y}" width="${BW}" height="14" class="fw-bar-bg"/>`);
  const segs: { lo: number; hi: number; ok: boolean }[] = [];
  for (const [a, b] of allowed.ranges()) segs.push({ lo: a, hi: b, ok: true });
  for (const [a, b] of blocked.ranges()) segs.push({ lo: a, hi: b, ok: false });
  segs.sort((a, b) => a.lo - b.lo);
  for (const s of segs) {
    const w = Math.max(1.5, px(s.hi + 1) - px(s.lo));
    out.push(`<rect x="${n(px(s.lo))}" y="${y}" width="${n(w)}" height="14" class="${s.ok ? 'fw-ok-fill' : 'fw-bad-fill'}"/>`);
  }
  const verdictX = bx + BW + 16;
  y += 14 + 4;
  let width = Math.max(textWidth(heading), labelW + BW);
  // Segment labels under the bar, in rows so that none overlaps another; when there are many
  // segments, two lines of text instead.
  const items = segs.map((s) => {
    const t = `${s.lo === s.hi ? s.lo : `${s.lo}-${s.hi}`} ${s.ok ? 'pass' : 'dropped'}`;
    const w = textWidth(t);
    const mid = (px(s.lo) + px(s.hi + 1)) / 2;
    const x = Math.min(Math.max(mid - w / 2, bx), bx + BW - w);
    return { x, width: w, t, ok: s.ok };
  });
  if (items.length <= 6) {
    const rows = rowsFor(items);
    items.forEach((it, i) => out.push(text(it.x, y + 12 + rows[i]! * LINE_HEIGHT, it.t, it.ok ? 'fw-ok' : 'fw-bad')));
    y += (Math.max(0, ...rows) + 1) * LINE_HEIGHT + 6;
    width = Math.max(width, ...items.map((it) => it.x + it.width - x0));
  } else {
    for (const [t, cls] of [
      [`pass: ${portsText(allowed, 72)}`, 'fw-ok'],
      [`dropped: ${portsText(blocked, 72)}`, 'fw-bad'],
    ] as const) {
      out.push(text(bx, y + 12, t, cls));
      width = Math.max(width, labelW + textWidth(t));
      y += LINE_HEIGHT;
    }
    y += 6;
  }
  // One band per profile, and what becomes of its ports in this flow.
  const bandsTop = y;
  for (const g of profiles) {
    const name = g.names.join(', ');
    const drop = g.ports.intersect(blocked);
    const pass = g.ports.intersect(allowed);
    const parts: string[] = [];
    const words = (set: PortSet, what: string) => (set.count > 2 ? `${set.size()} ports ${what}` : `${set.toString()} ${what}`);
    if (!drop.isEmpty()) parts.push(words(drop, 'dropped'));
    if (!pass.isEmpty()) parts.push(words(pass, 'pass'));
    const verdict = parts.join(', ');
    out.push(text(x0, y + 10, name, 'fw-muted'));
    const a = Math.max(lo, g.ports.min()!);
    const b = Math.min(hi, g.ports.max()!);
    out.push(rect(px(a), y + 2, px(b + 1) - px(a), 8, 'fw-blue-fill', 0, ' fill-opacity="0.7"'));
    // Where the profile goes on beyond the axis: a small arrowhead at that end.
    if (g.ports.min()! < lo)
      out.push(`<polygon points="${n(bx - 7)},${y + 6} ${n(bx - 1)},${y + 2} ${n(bx - 1)},${y + 10}" class="fw-blue-fill"/>`);
    if (g.ports.max()! > hi)
      out.push(
        `<polygon points="${n(bx + BW + 7)},${y + 6} ${n(bx + BW + 1)},${y + 2} ${n(bx + BW + 1)},${y + 10}" class="fw-blue-fill"/>`,
      );
    out.push(text(verdictX, y + 10, verdict, drop.isEmpty() ? 'fw-ok' : 'fw-bad'));
    width = Math.max(width, verdictX - x0 + textWidth(verdict));
    y += LINE_HEIGHT;
  }
  // Guides where passing and dropped meet, down through the bands.
  for (let i = 1; i < segs.length; i++) {
    const x = px(segs[i]!.lo);
    out.push(`<line x1="${n(x)}" y1="${n(bandsTop)}" x2="${n(x)}" y2="${n(y)}" class="fw-muted-line" stroke-dasharray="2 3"/>`);
  }
  return { svg: `<g class="fw-port-bar">${out.join('')}</g>`, width, height: y - y0 };
}

function legendOf(nat: boolean, x0: number, y0: number): { svg: string; width: number; height: number } {
  const out: string[] = [];
  let y = y0;
  let width = 0;
  const item = (shape: string, words: string, at = 34) => {
    out.push(shape, text(x0 + at, y + 12, words, 'fw-muted'));
    width = Math.max(width, at + textWidth(words));
    y += LINE_HEIGHT + 4;
  };
  item(
    `<rect x="${x0 + 2}" y="${y + 2}" width="24" height="12" rx="2" class="fw-box"/>`,
    'stateless: every packet, the response too, must match a rule',
  );
  item(
    rect(x0, y, 28, 16, 'fw-box', 3) + rect(x0 + 3, y + 3, 22, 10, 'fw-box', 2) + conntrackIcon(x0 + 32, y + 2),
    'stateful: remembers connections (conntrack); their responses pass by state',
    50,
  );
  if (nat)
    item(
      `<rect x="${x0 + 2}" y="${y + 2}" width="24" height="12" rx="2" class="fw-nat-box"/>`,
      'NAT gateway: rewrites the source of the request',
    );
  item(
    hArrow(x0 + 2, x0 + 26, y + 5, 'fw-line', 'fw-fg-fill') + hArrow(x0 + 26, x0 + 2, y + 12, 'fw-line', 'fw-fg-fill'),
    'upper arrows: the request, client → server; lower arrows: the response back',
  );
  return { svg: `<g class="fw-legend">${out.join('')}</g>`, width, height: y - y0 };
}
