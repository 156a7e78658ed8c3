// What every LSP feature gets: one open document, its latest analysis and its settings.

import type { Analysis } from '../analysis/analyze';
import type { LineIndex } from '../core/text';
import type { Span } from '../core/diagnostic';
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
}

export function toRange(lines: LineIndex, span: Span): Range {
  return { start: lines.position(span.start), end: lines.position(span.end) };
}
