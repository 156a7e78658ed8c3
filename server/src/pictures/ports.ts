// The ports picture of a stateless firewall (issue 11): the port axis 0–65535 (0–1023 drawn
// wide enough to show the well-known ports, then linear), the well-known ports its rules name,
// each ephemeral range in use as a band, and what each response rule opens toward the clients
// as a bar labelled with its line — so a response rule that opens too much (ports below 1024,
// ports no client picks) or too little (part of a range in use) shows at a glance. Pure.

import { PortSet } from '../core/intervals';
import { Lines } from '../core/text';
import { BUILTIN_PROFILES } from '../model/builtins';
import { textOf } from '../model/ownership';
import type { Firewall, Model, ResolvedRule } from '../model/types';
import { LINE_HEIGHT, type PictureOptions as BaseOptions, n, rootIdOf, rowsFor, svgOpen, text, textWidth } from './svg';

export interface PictureOptions extends BaseOptions {
  /**
   * Which rules are response rules (spec §7). The editor passes analysis's `classifyRule`;
   * without it, an allow rule for tcp or udp that names its source ports and whose destination
   * ports hold at least half of an ephemeral range in use.
   */
  isResponse?: (rule: ResolvedRule, firewall: Firewall) => boolean;
}

const WELL_KNOWN = PortSet.range(0, 1023);
const MAX = 65535;

/** The §7 reading of a response rule, for when the caller gives none. */
function defaultIsResponse(rule: ResolvedRule, fw: Firewall, ranges: PortSet[]): boolean {
  if (rule.action !== 'allow' || !rule.valid || (rule.proto !== 'tcp' && rule.proto !== 'udp')) return false;
  if (rule.sport.isAll()) return false;
  return ranges.some((r) => r.size() > 0 && rule.dport.intersect(r).size() * 2 >= r.size()) && fw === fw;
}

/** The ranges in use where the firewall is declared, each with the names it goes by. */
function rangesInUse(model: Model, fw: Firewall): { name: string; ports: PortSet }[] {
  const ranges = fw.ephemeralRanges ?? model.ephemeralRanges ?? Object.values(BUILTIN_PROFILES).map(([lo, hi]) => PortSet.range(lo, hi));
  const out: { name: string; ports: PortSet; names: string[] }[] = [];
  const named = new Map<string, string[]>();
  for (const [name, [lo, hi]] of Object.entries(BUILTIN_PROFILES)) {
    const key = PortSet.range(lo, hi).toString();
    named.set(key, [...(named.get(key) ?? []), name]);
  }
  for (const s of model.symbols.values()) {
    if (s.kind === 'profile' && !s.builtin) {
      const key = s.ports.toString();
      named.set(key, [...(named.get(key) ?? []), s.name]);
    }
  }
  for (const r of ranges) {
    const key = r.toString();
    if (out.some((o) => o.ports.toString() === key)) continue;
    const names = named.get(key) ?? [];
    out.push({ name: names.length ? names.join(', ') : key, ports: r, names });
  }
  out.sort((a, b) => a.ports.min()! - b.ports.min()! || b.ports.max()! - a.ports.max()!);
  return out.map(({ name, ports }) => ({ name, ports }));
}

/** The ports picture of `firewall`: one `<svg>` document. */
export function portsSvg(model: Model, firewall: Firewall, options?: PictureOptions): string {
  const fw = firewall;
  const rootId = rootIdOf(options, `ports-${fw.name}`);
  const lines = new Lines((file) => textOf(model, file));
  const lineOf = (r: ResolvedRule) => lines.line(r.file, r.node.span.start);
  const profiles = rangesInUse(model, fw);
  const allRanges = profiles.map((p) => p.ports);
  const isResponse = options?.isResponse ?? ((r: ResolvedRule) => defaultIsResponse(r, fw, allRanges));
  const responses = fw.rules.filter((r) => r.valid && r.action === 'allow' && isResponse(r, fw));
  const known = fw.rules
    .filter((r) => r.valid && (r.proto === 'tcp' || r.proto === 'udp'))
    .flatMap((r) => (responses.includes(r) ? [r.sport] : [r.dport]))
    .filter((p) => !p.isAll() && p.size() <= 16)
    .reduce((a, b) => a.union(b), PortSet.EMPTY);
  const inAny = allRanges.reduce((a, b) => a.union(b), PortSet.EMPTY);

  const M = 16;
  const AXIS_W = 560;
  const LOW_W = 150; // 0–1023
  const names = [...profiles.map((p) => p.name), ...responses.map((r) => `line ${lineOf(r)}`), 'well-known'];
  const labelW = Math.max(...names.map((s) => textWidth(s))) + 12;
  const ax = M + labelW;
  const px = (p: number) => (p < 1024 ? ax + (p / 1024) * LOW_W : ax + LOW_W + ((p - 1024) / (MAX + 1 - 1024)) * (AXIS_W - LOW_W));
  const span = (set: PortSet, y: number, h: number, cls: string, extra = '') =>
    [...set.ranges()]
      .map(
        ([a, b]) =>
          `<rect x="${n(px(a))}" y="${n(y)}" width="${n(Math.max(1.5, px(b + 1) - px(a)))}" height="${h}" class="${cls}"${extra}/>`,
      )
      .join('');

  const body: string[] = [];
  let width = 0;
  let y = M;
  const head = `${fw.name} (${fw.mode}): the ports its response rules open`;
  body.push(text(M, y + 12, head, 'fw-title'));
  width = Math.max(width, textWidth(head) + 8);
  y += LINE_HEIGHT + 8;
  if (fw.mode === 'stateful') {
    const s = 'stateful: connection tracking lets the responses through; no response rule is needed';
    body.push(text(M, y + 12, s, 'fw-muted'));
    width = Math.max(width, textWidth(s));
    y += LINE_HEIGHT + 8;
  }

  // The axis and its ticks.
  const ticks = [0, 1024, 16384, 32768, 49152, 65535];
  const tickItems = ticks.map((t) => {
    const w = textWidth(String(t));
    return { x: Math.min(Math.max(px(t) - w / 2, ax), ax + AXIS_W - w), width: w, t };
  });
  const tickRows = rowsFor(tickItems);
  const axisY = y + 4;
  body.push(`<line x1="${n(ax)}" y1="${axisY}" x2="${n(ax + AXIS_W)}" y2="${axisY}" class="fw-line" stroke-width="1.5"/>`);
  for (const [i, it] of tickItems.entries()) {
    body.push(`<line x1="${n(px(it.t))}" y1="${axisY - 4}" x2="${n(px(it.t))}" y2="${axisY + 4}" class="fw-line"/>`);
    body.push(text(it.x, axisY + 18 + tickRows[i]! * LINE_HEIGHT, String(it.t), 'fw-muted'));
  }
  body.push(text(M, axisY + 4, 'port', 'fw-muted'));
  y = axisY + 18 + Math.max(...tickRows) * LINE_HEIGHT + 10;

  // The well-known ports the rules name.
  const topOfRows = y;
  if (!known.isEmpty()) {
    const ports = [...known.ranges()].flatMap(([a, b]) => (a === b ? [a] : [a, b]));
    const items = ports.map((p) => {
      const w = textWidth(String(p));
      return { x: Math.min(Math.max(px(p) - w / 2, ax), ax + AXIS_W - w), width: w, p };
    });
    const rows = rowsFor(items, 4);
    body.push(text(M, y + 12, 'service ports', 'fw-muted'));
    for (const [i, it] of items.entries()) {
      body.push(`<line x1="${n(px(it.p))}" y1="${y}" x2="${n(px(it.p))}" y2="${y + 16}" class="fw-line" stroke-width="1.5"/>`);
      body.push(text(it.x, y + 28 + rows[i]! * LINE_HEIGHT, String(it.p), undefined));
    }
    y += 28 + Math.max(...rows) * LINE_HEIGHT + 10;
  }
  const ruleX = ax + AXIS_W + 12;
  // The ephemeral ranges in use.
  for (const p of profiles) {
    body.push(text(M, y + 11, p.name, 'fw-blue'));
    body.push(span(p.ports, y + 2, 10, 'fw-blue-fill', ' fill-opacity="0.75"'));
    const s = p.ports.toString();
    body.push(text(ruleX, y + 11, s, 'fw-muted'));
    width = Math.max(width, ruleX - M + textWidth(s));
    y += LINE_HEIGHT;
  }
  y += 8;
  // Each response rule: what it opens toward the clients.
  if (responses.length === 0) {
    const s =
      fw.mode === 'stateful' ? 'no rule of it serves as a response rule' : 'no response rule: the responses fall to the rules above';
    body.push(text(M, y + 12, s, 'fw-muted'));
    width = Math.max(width, textWidth(s));
    y += LINE_HEIGHT;
  }
  for (const r of responses) {
    const line = lineOf(r);
    const opens = r.dport;
    const low = opens.intersect(WELL_KNOWN);
    const outside = opens.subtract(WELL_KNOWN).subtract(inAny);
    const fine = opens.intersect(inAny).subtract(WELL_KNOWN);
    const missed = profiles.filter((p) => !p.ports.subtract(opens).isEmpty() && !p.ports.intersect(opens).isEmpty());
    const verdicts: [string, string][] = [];
    if (!low.isEmpty()) verdicts.push([`too broad: opens ${low.toString()}`, 'fw-bad']);
    if (!outside.isEmpty()) verdicts.push([`opens ${outside.toString()}, in no range`, 'fw-orange']);
    for (const p of missed) verdicts.push([`partial: misses ${p.ports.subtract(opens).toString()} of ${p.name}`, 'fw-bad']);
    if (verdicts.length === 0) verdicts.push([`opens ${opens.toString()}`, 'fw-ok']);
    const g: string[] = [];
    g.push(text(M, y + 12, `line ${line}`));
    g.push(`<rect x="${n(ax)}" y="${y + 2}" width="${AXIS_W}" height="12" class="fw-bar-bg"/>`);
    g.push(span(fine, y + 2, 12, 'fw-ok-fill'));
    g.push(span(low, y + 2, 12, 'fw-bad-fill'));
    g.push(span(outside, y + 2, 12, 'fw-orange-fill'));
    verdicts.forEach(([s, cls], i) => {
      g.push(text(ruleX, y + 12 + i * LINE_HEIGHT, s, cls));
      width = Math.max(width, ruleX - M + textWidth(s));
    });
    body.push(`<g class="hop-label fw-response-rule" data-line="${line}">${g.join('')}</g>`);
    y += Math.max(1, verdicts.length) * LINE_HEIGHT + 6;
  }
  // Faint lines at the edges of the ranges in use, through the rows.
  const edges = new Set<number>();
  for (const p of profiles) for (const [a, b] of p.ports.ranges()) edges.add(a).add(b + 1);
  for (const e of edges) {
    if (e > MAX) continue;
    body.push(`<line x1="${n(px(e))}" y1="${topOfRows}" x2="${n(px(e))}" y2="${y}" class="fw-muted-line" stroke-dasharray="2 3"/>`);
  }
  y += 8;
  // Legend.
  const legend: [string, string][] = [
    ['fw-ok-fill', 'opened, inside a range in use'],
    ['fw-orange-fill', 'opened, in no range in use'],
    ['fw-bad-fill', 'opened below 1024: well-known ports'],
    ['fw-blue-fill', 'an ephemeral range in use (clients pick their ports there)'],
  ];
  for (const [cls, s] of legend) {
    body.push(`<rect x="${M}" y="${y + 3}" width="20" height="10" class="${cls}"/>`, text(M + 28, y + 12, s, 'fw-muted'));
    width = Math.max(width, 28 + textWidth(s));
    y += LINE_HEIGHT;
  }
  width = Math.max(width, labelW + AXIS_W);
  const W = width + 2 * M;
  const H = y + M;
  const title = `Ports of ${fw.name}: what its response rules open`;
  const desc = [
    `${fw.name} is ${fw.mode}.`,
    `Ephemeral ranges in use: ${profiles.map((p) => `${p.name} (${p.ports.toString()})`).join(', ')}.`,
    ...responses.map((r) => {
      const low = r.dport.intersect(WELL_KNOWN);
      const missed = profiles.filter((p) => !p.ports.subtract(r.dport).isEmpty() && !p.ports.intersect(r.dport).isEmpty());
      const parts = [`The response rule on line ${lineOf(r)} opens ports ${r.dport.toString()}`];
      if (!low.isEmpty()) parts.push(`including the well-known ports ${low.toString()}`);
      for (const p of missed) parts.push(`missing ${p.ports.subtract(r.dport).toString()} of ${p.name}`);
      return `${parts.join(', ')}.`;
    }),
    responses.length === 0 ? 'It has no response rule.' : '',
  ]
    .filter((s) => s)
    .join(' ');
  return `${svgOpen(rootId, W, H, title, desc, 'fwlang-ports')}\n${body.join('\n')}\n</svg>\n`;
}
