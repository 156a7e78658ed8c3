// Shared drawing helpers for the pictures: escaping, a conservative text-width estimate, the
// theme colours as CSS (VS Code's --vscode-* variables with stand-alone fallbacks), and small
// shapes. Pure: strings in, strings out.

import { PortSet } from '../core/intervals';

export interface PictureOptions {
  /** id prefix so several SVGs can share a page */
  idPrefix?: string;
  /**
   * The editor's webview (features/pictures.ts): a clickable item (a ports picture's rule, a
   * topology box) written in an included file carries `data-file` with that file's path beside
   * its `data-line`, and an included declaration's box is clickable too. Off for the CLI.
   */
  files?: boolean;
}

/** The font every picture uses: monospace, so that the width estimate below holds. */
export const FONT_FAMILY = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";
export const FONT_SIZE = 12;
export const LINE_HEIGHT = 16;

/** ` data-file="PATH"` for an item of `file` that is not the picture's own `root`; nothing for the root's. */
export function fileAttr(root: string, file: string | undefined): string {
  return file !== undefined && file !== root ? ` data-file="${esc(file)}"` : '';
}

/** Text escaped for element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * The width of `text` in pixels at `size`, on the safe side: a monospace advance is about 0.6 em;
 * 0.64 em leaves room for fonts a little wider, and a character outside ASCII (✔ ✘ → —) may
 * come from a fallback font and is counted as a full em.
 */
export function textWidth(text: string, size = FONT_SIZE): number {
  let em = 0;
  for (const ch of text) em += ch.charCodeAt(0) < 0x80 ? 0.64 : 1;
  return Math.ceil(em * size);
}

/** A number for an attribute: no long fractions, no `-0`. */
export function n(x: number): string {
  const r = Math.round(x * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

/**
 * The style sheet of a picture: colours from the theme with fallbacks that read on white, so the
 * same SVG works in VS Code's light, dark and high-contrast themes and on its own. Scoped to
 * the picture's root id, so two pictures on one page do not restyle each other.
 */
export function styleSheet(rootId: string): string {
  const r = `#${rootId}`;
  const fg = 'var(--vscode-editor-foreground, #1f2328)';
  const muted = 'var(--vscode-descriptionForeground, #59636e)';
  const green = 'var(--vscode-charts-green, #1a7f37)';
  const red = 'var(--vscode-charts-red, #cf222e)';
  const blue = 'var(--vscode-charts-blue, #0969da)';
  const orange = 'var(--vscode-charts-orange, #bc4c00)';
  const purple = 'var(--vscode-charts-purple, #8250df)';
  const bg = 'var(--vscode-editor-background, #ffffff)';
  const border = 'var(--vscode-editorWidget-border, var(--vscode-contrastBorder, #8c959f))';
  return [
    `${r} { background: transparent; }`,
    `${r} text { font-family: ${FONT_FAMILY}; font-size: ${FONT_SIZE}px; fill: ${fg}; }`,
    `${r} .fw-title { font-weight: bold; }`,
    `${r} .fw-muted { fill: ${muted}; }`,
    `${r} .fw-ok { fill: ${green}; }`,
    `${r} .fw-bad { fill: ${red}; }`,
    `${r} .fw-nat { fill: ${purple}; }`,
    `${r} .fw-ok-line { stroke: ${green}; fill: none; }`,
    `${r} .fw-bad-line { stroke: ${red}; fill: none; }`,
    `${r} .fw-line { stroke: ${fg}; fill: none; }`,
    `${r} .fw-muted-line { stroke: ${muted}; fill: none; }`,
    `${r} .fw-box { fill: ${bg}; stroke: ${fg}; stroke-width: 1.5; }`,
    `${r} .fw-nat-box { fill: ${bg}; stroke: ${purple}; stroke-width: 1.5; stroke-dasharray: 5 3; }`,
    `${r} .fw-end-box { fill: ${bg}; stroke: ${border}; stroke-width: 1.5; }`,
    `${r} .fw-ok-fill { fill: ${green}; stroke: none; }`,
    `${r} .fw-bad-fill { fill: ${red}; stroke: none; }`,
    `${r} .fw-nat-fill { fill: ${purple}; stroke: none; }`,
    `${r} .fw-fg-fill { fill: ${fg}; stroke: none; }`,
    `${r} .fw-muted-fill { fill: ${muted}; stroke: none; }`,
    `${r} .fw-blue-fill { fill: ${blue}; stroke: none; }`,
    `${r} .fw-orange-fill { fill: ${orange}; stroke: none; }`,
    `${r} .fw-blue { fill: ${blue}; }`,
    `${r} .fw-orange { fill: ${orange}; }`,
    `${r} .fw-bar-bg { fill: ${muted}; fill-opacity: 0.25; stroke: none; }`,
    `${r} .hop-label[data-line] { cursor: pointer; }`,
    `${r} .hop-label[data-line]:hover text { text-decoration: underline; }`,
  ].join('\n');
}

/** One `<text>`; `anchor` start, middle or end. */
export function text(x: number, y: number, s: string, cls?: string, anchor: 'start' | 'middle' | 'end' = 'start'): string {
  const a = anchor === 'start' ? '' : ` text-anchor="${anchor}"`;
  const c = cls ? ` class="${cls}"` : '';
  return `<text x="${n(x)}" y="${n(y)}"${a}${c}>${esc(s)}</text>`;
}

/** The opening of an SVG document with its title, description and style. */
export function svgOpen(rootId: string, width: number, height: number, title: string, desc: string, cls: string): string {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" id="${esc(rootId)}" class="${cls}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"` +
      ` role="img" aria-labelledby="${esc(rootId)}-title ${esc(rootId)}-desc">`,
    `<title id="${esc(rootId)}-title">${esc(title)}</title>`,
    `<desc id="${esc(rootId)}-desc">${esc(desc)}</desc>`,
    `<style>\n${styleSheet(rootId)}\n</style>`,
  ].join('\n');
}

/** The id of a picture's root element. */
export function rootIdOf(options: PictureOptions | undefined, kind: string): string {
  const p = (options?.idPrefix ?? '').replace(/[^A-Za-z0-9_-]/g, '_');
  return `${p}fwlang-${kind}`;
}

/** A horizontal arrow from x1 to x2 at y (either way), its head at x2. */
export function hArrow(x1: number, x2: number, y: number, lineCls: string, headCls: string): string {
  const dir = x2 >= x1 ? 1 : -1;
  const head = 8;
  const tip = x2;
  const base = x2 - dir * head;
  return (
    `<line x1="${n(x1)}" y1="${n(y)}" x2="${n(base)}" y2="${n(y)}" class="${lineCls}" stroke-width="2"/>` +
    `<polygon points="${n(tip)},${n(y)} ${n(base)},${n(y - 4.5)} ${n(base)},${n(y + 4.5)}" class="${headCls}"/>`
  );
}

/** A red cross: where packets are dropped. */
export function cross(x: number, y: number, r = 6): string {
  return (
    `<path d="M${n(x - r)},${n(y - r)} L${n(x + r)},${n(y + r)} M${n(x - r)},${n(y + r)} L${n(x + r)},${n(y - r)}"` +
    ` class="fw-bad-line" stroke-width="3" stroke-linecap="round"/>`
  );
}

/** A port set from cli.md's text form (`22,80,1024-65535`; '' is empty). */
export function parsePorts(s: string | undefined): PortSet {
  if (!s) return PortSet.EMPTY;
  const ranges: [number, number][] = [];
  for (const part of s.split(',')) {
    const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
    if (!m) continue;
    const lo = Number(m[1]);
    ranges.push([lo, m[2] !== undefined ? Number(m[2]) : lo]);
  }
  return PortSet.fromRanges(ranges);
}

/**
 * Labels along one axis that must not overlap: each gets the first row (0, 1, …) where it fits
 * after the labels already placed there, taken from left to right.
 */
export function rowsFor(items: { x: number; width: number }[], gap = 8): number[] {
  const order = items.map((_, i) => i).sort((a, b) => items[a]!.x - items[b]!.x);
  const ends: number[] = [];
  const rows: number[] = new Array<number>(items.length).fill(0);
  for (const i of order) {
    const { x, width } = items[i]!;
    let row = ends.findIndex((end) => x >= end + gap);
    if (row < 0) row = ends.length;
    ends[row] = x + width;
    rows[i] = row;
  }
  return rows;
}

/** One `<rect>`; `rx` rounds its corners, `extra` adds attributes. */
export function rect(x: number, y: number, w: number, h: number, cls: string, rx = 0, extra = ''): string {
  const r = rx ? ` rx="${n(rx)}"` : '';
  return `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}"${r} class="${cls}"${extra}/>`;
}

/**
 * A port set as text no longer than about `max` characters: its ranges while they fit, then how
 * many more (`1024-8079,8091-32767 and 5 more ranges`).
 */
export function portsText(set: PortSet, max = 60): string {
  const all = set.toString();
  if (all.length <= max) return all;
  const parts = all.split(',');
  let out = '';
  let i = 0;
  for (; i < parts.length; i++) {
    const next = out ? `${out},${parts[i]}` : parts[i]!;
    if (next.length > max - 22 && out) break;
    out = next;
  }
  return `${out} and ${parts.length - i} more ranges`;
}
