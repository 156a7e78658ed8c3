// The ports picture of a stateless firewall (issue 11): the port axis 0–65535 (0–1023 drawn
// wide enough to show the well-known ports, then linear), the service ports its rules name,
// each ephemeral range in use as a band, and for each rule that opens ports toward clients (a
// response rule) a bar of what it opens, labelled with its line, above a thin band of what the
// clients of the requests it answers need. Ports below 1024 opened show red, ports opened that
// none of those clients picks orange, ports they pick that it leaves closed red in the thin
// band: "too broad" and "partial" at a glance. Pure.

import { PortSet } from '../core/intervals';
import { Lines } from '../core/text';
import { BUILTIN_PROFILES } from '../model/builtins';
import { textOf } from '../model/ownership';
import type { Firewall, Model, ResolvedRule } from '../model/types';
import { LINE_HEIGHT, type PictureOptions as BaseOptions, fileAttr, n, rect, rootIdOf, rowsFor, svgOpen, text, textWidth } from './svg';

export interface PictureOptions extends BaseOptions {
  /**
   * Which rules open ports toward clients (spec §7's response rules, and both rules whose
   * destination ports are response-like). The editor may pass the analysis's reading; without
   * it: an allow rule for tcp or udp whose destination ports hold at least half of an
   * ephemeral range in use.
   */
  isResponse?: (rule: ResolvedRule, firewall: Firewall) => boolean;
}

const WELL_KNOWN = PortSet.range(0, 1023);
const MAX = 65535;
/**
 * The response rules drawn, and the request lines named per rule: a firewall of thousands of
 * each (a paste) drew a row per rule naming every request line it answers, a 72 MB hover that
 * took 8 s (fuzz document 12128 of seed 1138). The rest are counted, not drawn.
 */
const MAX_RULES_DRAWN = 40;
const MAX_LINES_NAMED = 6;
const ported = (r: ResolvedRule) => r.proto === 'tcp' || r.proto === 'udp';

/** The ranges in use where the firewall is declared, each with the names it goes by. */
function rangesInUse(model: Model, fw: Firewall): { name: string; ports: PortSet }[] {
  const ranges = fw.ephemeralRanges ?? model.ephemeralRanges ?? Object.values(BUILTIN_PROFILES).map(([lo, hi]) => PortSet.range(lo, hi));
  const names = rangeNames(model);
  const out: { name: string; ports: PortSet }[] = [];
  for (const r of ranges) {
    if (r.isEmpty() || out.some((o) => o.ports.equals(r))) continue;
    out.push({ name: names.get(r.toString()) ?? r.toString(), ports: r });
  }
  out.sort((a, b) => a.ports.min()! - b.ports.min()! || b.ports.max()! - a.ports.max()!);
  return out;
}

/** `linux`, `windows, macos, iana`, a declared profile's name: by the range's text. */
function rangeNames(model: Model): Map<string, string> {
  const named = new Map<string, string[]>();
  const add = (key: string, name: string) => named.set(key, [...(named.get(key) ?? []), name]);
  for (const [name, [lo, hi]] of Object.entries(BUILTIN_PROFILES)) add(PortSet.range(lo, hi).toString(), name);
  for (const s of model.symbols.values()) if (s.kind === 'profile' && !s.builtin) add(s.ports.toString(), s.name);
  return new Map([...named].map(([k, v]) => [k, v.join(', ')]));
}

const responseLike = (ports: PortSet, ranges: PortSet[]) => ranges.some((r) => r.size() > 0 && ports.intersect(r).size() * 2 >= r.size());

/**
 * The request rules a response rule answers, read from the model alone: allow rules the other
 * way, same protocol, toward the ports it sends from, between the same addresses, that are not
 * response rules themselves; and the ports their clients send from (their `ephemeral`, a
 * source port written, a NAT gateway's ports).
 */
function servedBy(fw: Firewall, resp: ResolvedRule, responses: ReadonlySet<ResolvedRule>): { requests: ResolvedRule[]; clients: PortSet } {
  const requests = fw.rules.filter(
    (q) =>
      q.valid &&
      q.action === 'allow' &&
      !responses.has(q) &&
      q.direction !== resp.direction &&
      q.proto === resp.proto &&
      q.dport.intersects(resp.sport) &&
      q.from.addresses.intersects(resp.to.addresses) &&
      q.to.addresses.intersects(resp.from.addresses),
  );
  let clients = PortSet.EMPTY;
  for (const q of requests) {
    if (q.sportGiven) {
      clients = clients.union(q.sport);
      continue;
    }
    let rest = q.from.addresses;
    for (const g of fw.nats ?? []) {
      if (!g.address.isEmpty() && g.address.intersects(rest)) {
        clients = clients.union(g.ports);
        rest = rest.subtract(g.address);
      }
    }
    if (!rest.isEmpty()) clients = clients.union(q.from.ephemeral);
  }
  return { requests, clients };
}

/** Line numbers as a list: the first few, then how many more. */
function namedLines(lines: number[]): string {
  if (lines.length <= MAX_LINES_NAMED) return lines.join(', ');
  return `${lines.slice(0, MAX_LINES_NAMED).join(', ')} and ${lines.length - MAX_LINES_NAMED} more`;
}

/** The ports picture of `firewall`: one `<svg>` document. */
export function portsSvg(model: Model, firewall: Firewall, options?: PictureOptions): string {
  const fw = firewall;
  const rootId = rootIdOf(options, `ports-${fw.name}`);
  const lines = new Lines((file) => textOf(model, file));
  const lineOf = (r: ResolvedRule) => lines.line(r.file, r.node.span.start);
  const profiles = rangesInUse(model, fw);
  const names = rangeNames(model);
  const nameOf = (p: PortSet) => names.get(p.toString()) ?? p.toString();
  const allRanges = profiles.map((p) => p.ports);
  const isResponse = options?.isResponse ?? ((r: ResolvedRule) => ported(r) && responseLike(r.dport, allRanges));
  const responses = fw.rules.filter((r) => r.valid && r.action === 'allow' && ported(r) && isResponse(r, fw));
  // A set for the lookups: a firewall of 1,000 response rules made them cubic (seconds per hover).
  const responseSet = new Set(responses);
  const known = fw.rules
    .filter((r) => r.valid && ported(r))
    .flatMap((r) => (responseSet.has(r) ? [r.sport] : [r.dport]))
    .filter((p) => !p.isAll() && p.size() <= 16)
    .reduce((a, b) => a.union(b), PortSet.EMPTY);
  const inAny = allRanges.reduce((a, b) => a.union(b), PortSet.EMPTY);

  const M = 16;
  const AXIS_W = 560;
  const LOW_W = 150; // 0–1023
  const drawn = responses.slice(0, MAX_RULES_DRAWN);
  const labels = [...profiles.map((p) => p.name), ...drawn.map((r) => `line ${lineOf(r)}`), 'service ports', 'clients need'];
  const labelW = Math.max(...labels.map((s) => textWidth(s))) + 12;
  const ax = M + labelW;
  const px = (p: number) => (p < 1024 ? ax + (p / 1024) * LOW_W : ax + LOW_W + ((p - 1024) / (MAX + 1 - 1024)) * (AXIS_W - LOW_W));
  const spans = (set: PortSet, y: number, h: number, cls: string, extra = '') =>
    [...set.ranges()].map(([a, b]) => rect(px(a), y, Math.max(1.5, px(b + 1) - px(a)), h, cls, 0, extra)).join('');

  const body: string[] = [];
  let width = labelW + AXIS_W;
  let y = M;
  const line = (s: string, cls?: string, x = M) => {
    body.push(text(x, y + 12, s, cls));
    width = Math.max(width, x - M + textWidth(s));
    y += LINE_HEIGHT;
  };
  line(`${fw.name} (${fw.mode}): the ports it opens toward clients`, 'fw-title');
  if (fw.mode === 'stateful') line('stateful: connection tracking lets the responses through; no response rule is needed', 'fw-muted');
  y += 8;

  // The axis and its ticks.
  const ticks = [0, 1024, 16384, 32768, 49152, MAX];
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

  // The service ports the rules name.
  if (!known.isEmpty()) {
    const ports = [...known.ranges()].flatMap(([a, b]) => (a === b ? [a] : [a, b]));
    const items = ports.map((p) => {
      const w = textWidth(String(p));
      return { x: Math.min(Math.max(px(p) - w / 2, ax), ax + AXIS_W - w), width: w, p };
    });
    const rows = rowsFor(items, 4);
    body.push(text(M, y + 12, 'service ports', 'fw-muted'));
    for (const [i, it] of items.entries()) {
      body.push(`<line x1="${n(px(it.p))}" y1="${y}" x2="${n(px(it.p))}" y2="${y + 14}" class="fw-line" stroke-width="1.5"/>`);
      body.push(text(it.x, y + 28 + rows[i]! * LINE_HEIGHT, String(it.p)));
    }
    y += 28 + Math.max(...rows) * LINE_HEIGHT + 10;
  }
  const topOfBands = y;
  const ruleX = ax + AXIS_W + 12;
  // The ephemeral ranges in use.
  for (const p of profiles) {
    body.push(text(M, y + 11, p.name, 'fw-blue'));
    body.push(spans(p.ports, y + 2, 10, 'fw-blue-fill', ' fill-opacity="0.75"'));
    body.push(text(ruleX, y + 11, p.ports.toString(), 'fw-muted'));
    width = Math.max(width, ruleX - M + textWidth(p.ports.toString()));
    y += LINE_HEIGHT;
  }
  y += 8;

  // Each response rule: what it opens, and under it what the clients it answers need.
  const descParts: string[] = [];
  for (const r of drawn) {
    const at = lineOf(r);
    const opens = r.dport;
    const { requests, clients } = servedBy(fw, r, responseSet);
    const need = requests.length > 0 ? clients : inAny;
    const low = opens.intersect(WELL_KNOWN);
    const unused = opens.subtract(WELL_KNOWN).subtract(need);
    const fine = opens.intersect(need).subtract(WELL_KNOWN);
    const missed = need.subtract(opens);
    const verdicts: [string, string][] = [];
    if (!low.isEmpty()) verdicts.push([`too broad: opens ${low.toString()} (well-known)`, 'fw-bad']);
    if (!unused.isEmpty()) verdicts.push([`too broad: opens ${unused.toString()}, no client's`, 'fw-orange']);
    if (!missed.isEmpty())
      verdicts.push([`partial: misses ${missed.toString()}${need.equals(clients) ? ` of ${nameOf(clients)}` : ''}`, 'fw-bad']);
    if (verdicts.length === 0) verdicts.push([`opens ${opens.toString()}: what its clients need`, 'fw-ok']);
    const served =
      requests.length > 0
        ? `answers line${requests.length > 1 ? 's' : ''} ${namedLines(requests.map(lineOf))}: clients ${nameOf(clients)}`
        : 'answers no request rule here';
    verdicts.push([served, 'fw-muted']);
    const g: string[] = [];
    g.push(text(M, y + 12, `line ${at}`));
    g.push(rect(ax, y + 2, AXIS_W, 12, 'fw-bar-bg'));
    g.push(spans(fine, y + 2, 12, 'fw-ok-fill'));
    g.push(spans(low, y + 2, 12, 'fw-bad-fill'));
    g.push(spans(unused, y + 2, 12, 'fw-orange-fill'));
    // What the clients need: blue where the rule opens it, red where it does not.
    g.push(spans(need.intersect(opens), y + 17, 4, 'fw-blue-fill'));
    g.push(spans(missed, y + 17, 4, 'fw-bad-fill'));
    verdicts.forEach(([s, cls], i) => {
      g.push(text(ruleX, y + 12 + i * LINE_HEIGHT, s, cls));
      width = Math.max(width, ruleX - M + textWidth(s));
    });
    const file = options?.files ? fileAttr(model.root, r.file) : '';
    body.push(`<g class="hop-label fw-response-rule" data-line="${at}"${file}>${g.join('')}</g>`);
    y += Math.max(2, verdicts.length) * LINE_HEIGHT + 6;
    const parts = [`The rule on line ${at} opens ports ${opens.toString()} toward clients`];
    if (!low.isEmpty()) parts.push(`including the well-known ports ${low.toString()}`);
    if (!unused.isEmpty()) parts.push(`${unused.toString()} that no client it answers uses`);
    if (!missed.isEmpty()) parts.push(`and misses ${missed.toString()} that its clients use`);
    descParts.push(`${parts.join(', ')}.`);
  }
  if (responses.length > drawn.length) {
    const rest = responses.length - drawn.length;
    const from = lineOf(responses[drawn.length]!);
    const to = lineOf(responses[responses.length - 1]!);
    const note = `and ${rest} more response rule${rest > 1 ? 's' : ''} (lines ${from}–${to}), not drawn`;
    body.push(text(M, y + 12, note, 'fw-muted'));
    width = Math.max(width, textWidth(note));
    y += LINE_HEIGHT + 6;
    descParts.push(`${rest} more response rules are not described.`);
  }
  // Faint lines at the edges of the ranges in use, through the bands and the bars.
  const edges = new Set<number>();
  for (const p of profiles) for (const [a, b] of p.ports.ranges()) edges.add(a).add(b + 1);
  for (const e of edges) {
    if (e > MAX) continue;
    body.push(`<line x1="${n(px(e))}" y1="${topOfBands}" x2="${n(px(e))}" y2="${y}" class="fw-muted-line" stroke-dasharray="2 3"/>`);
  }
  y += 4;
  if (responses.length === 0) {
    line(fw.mode === 'stateful' ? 'none of its rules opens ports toward clients' : 'no rule opens ports toward clients', 'fw-muted');
    y += 8;
  }
  // Legend.
  const legend: [string, string][] = [
    ['fw-ok-fill', 'opened, and some client it answers picks its ports there'],
    ['fw-orange-fill', 'opened, but no client it answers picks its ports there'],
    ['fw-bad-fill', 'opened below 1024 (well-known ports); in the thin band: needed, not opened'],
    ['fw-blue-fill', 'an ephemeral range in use; in the thin band: needed and opened'],
  ];
  for (const [cls, s] of legend) {
    body.push(rect(M, y + 3, 20, 10, cls));
    line(s, 'fw-muted', M + 28);
  }
  const W = width + 2 * M;
  const H = y + M;
  const title = `Ports of ${fw.name}: what it opens toward clients`;
  const desc = [
    `${fw.name} is ${fw.mode}.`,
    `Ephemeral ranges in use: ${profiles.map((p) => `${p.name} (${p.ports.toString()})`).join(', ')}.`,
    ...descParts,
    responses.length === 0 ? 'No rule of it opens ports toward clients.' : '',
  ]
    .filter((s) => s)
    .join(' ');
  return `${svgOpen(rootId, W, H, title, desc, 'fwlang-ports')}\n${body.join('\n')}\n</svg>\n`;
}
