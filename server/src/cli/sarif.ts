// SARIF 2.1.0 output: one run, one rule per diagnostic code.

import { DEFAULT_SEVERITY, DIAGNOSTIC_CODES, type Severity } from '../core/diagnostic';
import type { FileReport } from './report';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

const DESCRIPTIONS: Record<string, string> = {
  syntax: 'The text does not parse.',
  'unknown-name': 'A name that is not declared.',
  'duplicate-name': 'A name declared twice.',
  'invalid-address': 'A bad address or prefix, or a prefix with host bits set.',
  'invalid-port': 'A port outside 0-65535, an empty range, a port where the protocol has none, or a service of another protocol.',
  'rule-numbering': 'Mixed numbered and unnumbered rules, a duplicate number in one direction, or a number out of range.',
  'missing-response': 'Stateless: a request rule whose responses are all dropped.',
  'partial-response': 'Stateless: a request rule whose responses are only partly allowed.',
  'broad-response': 'Stateless: a response rule that opens more than the responses need.',
  'orphan-response': 'Stateless: a response rule that serves no request rule.',
  'stateful-response': 'Stateful: a response rule that connection tracking makes unnecessary.',
  'shadowed-rule': 'A rule that can never match: earlier rules cover all it matches.',
  'redundant-rule': 'A rule whose removal changes no verdict.',
  'flow-expectation': "A flow's verdict differs from its expect.",
  'flow-path': 'A flow whose via names a firewall its request does not cross.',
  'include-error': 'An include that is missing, cyclic or has errors.',
  'unused-suppression': 'A `# fw-ignore` comment that silences nothing.',
};

export function toSarif(reports: FileReport[], version: string, cwdUri: string): unknown {
  const rules = DIAGNOSTIC_CODES.map((code) => ({
    id: code,
    // SARIF wants `name` to differ from `id` (SARIF1001); one-word codes get a second word.
    name: (code === 'syntax' ? 'syntax-error' : code).replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: DESCRIPTIONS[code] ?? code },
    helpUri: `https://github.com/fwlang/fwlang/blob/main/docs/diagnostics/${code}.md`,
    defaultConfiguration: { level: LEVEL[DEFAULT_SEVERITY[code]] },
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
