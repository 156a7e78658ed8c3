// `fwlang/export` (the editor's "Export this firewall…" command): the firewalls of an open document,
// as the editor has them (includes read like the diagnostics'), in the text `fwlang export` writes,
// or every problem that stops it, named as the CLI names them (cli.md `export`).

import type { Diagnostic } from '../core/diagnostic';
import { type ExportTarget, exportModel } from '../convert/export';
import { fileOf, isOwn } from '../model/ownership';
import type { Model } from '../model/types';
import { EXPORT_TARGET_NAMES, type ExportAnswer, type ExportParams } from '../protocol';
import { type DocContext, linesOf } from './docContext';

const TARGETS = Object.keys(EXPORT_TARGET_NAMES) as ExportTarget[];

/** A path's or URI's last segment (`untitled:Untitled-1` → `Untitled-1`). */
export const baseName = (p: string) => p.replace(/^.*[/\\:]/, '');

/** An included file as the user knows it: relative to the document's folder when under it. */
function shownPath(model: Model, ctx: DocContext, d: Diagnostic): string {
  if (isOwn(model, d)) return baseName(ctx.path);
  const file = fileOf(model, d);
  const dir = model.root.replace(/[^/\\]*$/, '');
  return dir && file.startsWith(dir) ? file.slice(dir.length) : file;
}

/** `catogram.fw:12:5: error platform-unsupported: …`, as `fwlang export` prints it on stderr. */
export function problemLine(ctx: DocContext, d: Diagnostic): string {
  const { model } = ctx.analysis;
  const p = linesOf(ctx, fileOf(model, d)).position(d.span.start);
  return `${shownPath(model, ctx, d)}:${p.line + 1}:${p.character + 1}: ${d.severity} ${d.code}: ${d.message}`;
}

/**
 * The editor's answer names at most this many problems (the client shows them all in its output
 * channel); a last line says how many more there are, and `fwlang export` lists them all. A
 * megabyte of unknown names was 200,000 lines, ~100 ms to make and megabytes to send.
 */
export const MAX_EXPORT_PROBLEMS = 1000;

/** The problem lines of `ds`, at most MAX_EXPORT_PROBLEMS of them, then how many are left out. */
function problemLines(ctx: DocContext, ds: Diagnostic[]): string[] {
  const lines = ds.slice(0, MAX_EXPORT_PROBLEMS).map((d) => problemLine(ctx, d));
  const more = ds.length - lines.length;
  if (more > 0) lines.push(`… and ${more} more, not listed here: \`fwlang export\` lists them all`);
  return lines;
}

/** The errors that keep a file from being exported (§8.1 rule 5: a half-read file is not exported). */
export function modelErrors(model: Model): Diagnostic[] {
  return model.diagnostics.filter((d) => d.severity === 'error');
}

export function exportDocument(ctx: DocContext, p: ExportParams): ExportAnswer {
  const { model } = ctx.analysis;
  const file = baseName(ctx.path);
  if (!TARGETS.includes(p.target)) return { error: `cannot export to ${String(p.target)}: use ${TARGETS.join(', ')}`, problems: [] };
  const netfilter = p.target === 'nftables' || p.target === 'iptables';
  const target = EXPORT_TARGET_NAMES[p.target];
  if (p.onHost && !netfilter) return { error: `a host's own firewall is for nftables or iptables, not ${target}`, problems: [] };
  if (p.firewall !== undefined) {
    const known = model.firewalls.some((f) => f.name === p.firewall) || (netfilter && model.symbols.get(p.firewall)?.kind === 'nat');
    if (!known) return { error: `${file} has no firewall ${p.firewall}`, problems: [] };
  } else if (model.firewalls.length === 0) {
    return { error: `${file} has no firewall to export`, problems: [] };
  }
  const errors = modelErrors(model);
  if (errors.length > 0) {
    return {
      error: `${file} has ${errors.length} error${errors.length === 1 ? '' : 's'}: fix ${errors.length === 1 ? 'it' : 'them'} to export`,
      problems: problemLines(ctx, errors),
    };
  }
  const r = exportModel(model, p.target, { ...(p.firewall !== undefined ? { only: [p.firewall] } : {}), onHost: p.onHost ?? false });
  if ('problems' in r) {
    const what = p.firewall !== undefined ? `\`${p.firewall}\`` : file;
    return { error: `${what} cannot be exported to ${target}`, problems: problemLines(ctx, r.problems) };
  }
  return r;
}
