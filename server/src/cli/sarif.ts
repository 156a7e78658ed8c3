// SARIF 2.1.0 output: one run, one rule per diagnostic code.

import { CODE_TABLE, DIAGNOSTIC_CODES, type Severity, docPage } from '../core/codes';
import type { FileReport } from './report';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

export function toSarif(reports: FileReport[], version: string, cwdUri: string): unknown {
  const rules = DIAGNOSTIC_CODES.map((code) => ({
    id: code,
    // SARIF wants `name` to differ from `id` (SARIF1001); one-word codes get a second word.
    name: (code.includes('-') ? code : `${code}-error`).replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: CODE_TABLE[code].summary },
    helpUri: `https://github.com/fwlang/fwlang/blob/main/${docPage(code)}`,
    defaultConfiguration: { level: LEVEL[CODE_TABLE[code].severity] },
  }));
  const results = reports.flatMap((r) =>
    r.diagnostics.map((d) => ({
      ruleId: d.code,
      ruleIndex: DIAGNOSTIC_CODES.indexOf(d.code as (typeof DIAGNOSTIC_CODES)[number]),
      level: LEVEL[d.severity as Severity],
      message: { text: d.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: r.uri, uriBaseId: 'SRCROOT' },
            region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: d.endColumn },
          },
        },
      ],
    })),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'fwlang',
            version,
            semanticVersion: version,
            informationUri: 'https://github.com/fwlang/fwlang',
            rules,
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: cwdUri } },
        artifacts: reports.map((r) => ({ location: { uri: r.uri, uriBaseId: 'SRCROOT' }, sourceLanguage: 'fwlang' })),
        results,
      },
    ],
  };
}
