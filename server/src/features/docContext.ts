// What every LSP feature gets: one open document, its latest analysis and its settings.

import { URI } from 'vscode-uri';
import type { Analysis } from '../analysis/analyze';
import { LineIndex, type Lines } from '../core/text';
import type { Span } from '../core/diagnostic';
import { fileOf } from '../model/ownership';
import { modelLines } from '../report/flowReport';
import type { FilePath } from '../model/types';
import type { Range } from 'vscode-languageserver';

export interface Settings {
  /** Profile name or LOW-HIGH used when a file has no `default ephemeral`. */
  defaultEphemeral: string;
  /** Per-code severity overrides: error | warning | info | hint | off. */
  severity: Record<string, string>;
}

export const DEFAULT_SETTINGS: Settings = { defaultEphemeral: '', severity: {} };

export interface DocContext {
  uri: string;
  /** File system path of the document (or the URI for unsaved documents). */
  path: string;
  version: number;
  text: string;
  lines: LineIndex;
  analysis: Analysis;
  settings: Settings;
  /** The line indexes of the included files, made when first asked (linesOf). */
  includedLines?: Lines;
}

export function toRange(lines: LineIndex, span: Span): Range {
  return { start: lines.position(span.start), end: lines.position(span.end) };
}

/** The URI of a file of the analysis (no file: the document itself). */
export function uriOf(ctx: DocContext, file?: FilePath): string {
  const f = fileOf(ctx.analysis.model, { file });
  return f === ctx.analysis.model.root ? ctx.uri : URI.file(f).toString();
}

/** The lines of a file of the analysis (no file: the document itself). */
export function linesOf(ctx: DocContext, file?: FilePath): LineIndex {
  const f = fileOf(ctx.analysis.model, { file });
  if (f === ctx.analysis.model.root) return ctx.lines;
  // One index per included file for as long as this context lives (rename and export place
  // every location in an included file through here).
  return (ctx.includedLines ??= modelLines(ctx.analysis.model)).of(f);
}

/** An LSP range of a span of a file of the analysis. */
export function rangeIn(ctx: DocContext, file: FilePath | undefined, span: Span): Range {
  return toRange(linesOf(ctx, file), span);
}
