// Diagnostics as plain data: offsets into a file's text, a stable code (spec §8)
// and the quick fixes that go with them. Front ends translate; nothing here knows LSP.

import { CODE_TABLE, type DiagnosticCode, type Severity } from './codes';

export { DIAGNOSTIC_CODES, type DiagnosticCode, type Severity } from './codes';

/** Half-open offset range [start, end) into one file's text. */
export interface Span {
  start: number;
  end: number;
}

export interface TextEdit {
  /** File the edit applies to; omitted means the file of the diagnostic. */
  file?: string;
  span: Span;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** Safe fixes are applied by `fwlang check --fix`; the others only offered in the editor. */
  safe: boolean;
  /** The fix the editor should offer first. */
  preferred?: boolean;
}

export interface RelatedInfo {
  file?: string;
  span: Span;
  message: string;
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  span: Span;
  /** File path (as given to the model) the span is in; omitted means the root file. */
  file?: string;
  related?: RelatedInfo[];
  /** `unnecessary` makes editors fade the text. */
  tags?: 'unnecessary'[];
  fixes?: Fix[];
}

const DEFAULT_SEVERITY = Object.fromEntries(Object.entries(CODE_TABLE).map(([code, info]) => [code, info.severity])) as Record<
  DiagnosticCode,
  Severity
>;

export function diag(
  code: DiagnosticCode,
  span: Span,
  message: string,
  extra: Partial<Omit<Diagnostic, 'code' | 'span' | 'message'>> = {},
): Diagnostic {
  return { code, severity: DEFAULT_SEVERITY[code], message, span, ...extra };
}
