// Diagnostics as cli.md's plain records: 1-based lines and columns, end exclusive.

import type { Diagnostic } from '../core/diagnostic';
import { LineIndex } from '../core/text';

interface DiagnosticJson {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

export interface FileReport {
  path: string;
  /** Relative URI (forward slashes) for SARIF. */
  uri: string;
  diagnostics: DiagnosticJson[];
}

export function diagnosticJson(d: Diagnostic, lines: LineIndex): DiagnosticJson {
  const s = lines.position(d.span.start);
  const e = lines.position(d.span.end);
  return {
    line: s.line + 1,
    column: s.character + 1,
    endLine: e.line + 1,
    endColumn: e.character + 1,
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
}
