// Diagnostics as plain data: offsets into a file's text, a stable code (spec §8)
// and the quick fixes that go with them. Front ends translate; nothing here knows LSP.

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export const DIAGNOSTIC_CODES = [
  'syntax',
  'unknown-name',
  'duplicate-name',
  'invalid-address',
  'invalid-port',
  'rule-numbering',
  'missing-response',
  'partial-response',
  'broad-response',
  'orphan-response',
  'stateful-response',
  'shadowed-rule',
  'redundant-rule',
  'flow-expectation',
  'flow-path',
  'include-error',
  'unused-suppression',
] as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

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

export const DEFAULT_SEVERITY: Record<DiagnosticCode, Severity> = {
  syntax: 'error',
  'unknown-name': 'error',
  'duplicate-name': 'error',
  'invalid-address': 'error',
  'invalid-port': 'error',
  'rule-numbering': 'error',
  'missing-response': 'warning',
  'partial-response': 'warning',
  'broad-response': 'warning',
  'orphan-response': 'info',
  'stateful-response': 'hint',
  'shadowed-rule': 'warning',
  'redundant-rule': 'hint',
  'flow-expectation': 'error',
  'flow-path': 'error',
  'include-error': 'error',
  'unused-suppression': 'hint',
};

export function diag(
  code: DiagnosticCode,
  span: Span,
  message: string,
  extra: Partial<Omit<Diagnostic, 'code' | 'span' | 'message'>> = {},
): Diagnostic {
  return { code, severity: DEFAULT_SEVERITY[code], message, span, ...extra };
}
