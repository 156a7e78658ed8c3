// The table of diagnostic codes (spec §8): the one place where a code, its default severity,
// its one-line summary and its doc page are written. `node scripts/codes.mjs` generates the
// severity settings of package.json and the index in docs/diagnostics/README.md from it;
// the SARIF rules read it at run time.

export type Severity = 'error' | 'warning' | 'info' | 'hint';

interface CodeInfo {
  /** Default severity; the `fwlang.severity` setting may change it. */
  severity: Severity;
  /** One sentence, ending with a period (settings, SARIF rules, the docs index). */
  summary: string;
}

export const CODE_TABLE = {
  syntax: { severity: 'error', summary: 'The text does not parse; recovery continues, so later statements are still checked.' },
  'unknown-name': { severity: 'error', summary: 'A name that is not declared; "did you mean" names a close one.' },
  'duplicate-name': { severity: 'error', summary: 'A name declared twice.' },
  'invalid-address': { severity: 'error', summary: 'A bad address or prefix, or a prefix with host bits set.' },
  'invalid-port': {
    severity: 'error',
    summary: 'A port outside 0–65535, LOW > HIGH, `port` with all/icmp, or a service of another protocol.',
  },
  'rule-numbering': {
    severity: 'error',
    summary: 'Mixed numbered and unnumbered rules, a duplicate number in one direction, or a number out of range.',
  },
  'missing-response': { severity: 'warning', summary: 'Stateless: a request rule whose responses are all dropped.' },
  'partial-response': {
    severity: 'warning',
    summary: 'Stateless: a request rule whose responses are allowed only for some client ports or addresses.',
  },
  'broad-response': { severity: 'warning', summary: 'Stateless: a response rule that opens more than the responses need.' },
  'orphan-response': { severity: 'info', summary: 'Stateless: a response rule that serves no request rule.' },
  'stateful-response': {
    severity: 'hint',
    summary:
      'Stateful: a response rule that connection tracking makes unnecessary; a both rule to high ports, which also admits ' +
      'new connections, is a warning.',
  },
  'shadowed-rule': { severity: 'warning', summary: 'A rule that can never match: the rules before it take all its packets.' },
  'redundant-rule': { severity: 'hint', summary: 'A rule whose removal changes no verdict.' },
  'flow-expectation': { severity: 'error', summary: 'A flow whose verdict differs from its `expect`.' },
  'flow-path': { severity: 'error', summary: 'A flow whose `via` names a firewall its request does not cross; the flow is not simulated.' },
  'platform-unsupported': {
    severity: 'error',
    summary: "A rule or clause that the firewall's platform (aws-nacl, aws-sg) cannot express.",
  },
  'platform-limit': { severity: 'warning', summary: "More entries than the platform's default quota, counted as AWS counts them." },
  'include-error': {
    severity: 'error',
    summary:
      'An `include` of a missing file, a file not named .fw, a binary file or (in the editor) one outside the workspace folders; ' +
      'an include cycle, or errors inside an included file.',
  },
  'unused-suppression': { severity: 'hint', summary: 'A `# fw-ignore CODE` comment that silences nothing.' },
  internal: { severity: 'error', summary: 'An analysis of fwlang itself failed on this file: a bug in fwlang, please report it.' },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CODE_TABLE;

/** Every code, in the table's order (the order of the SARIF rules). */
export const DIAGNOSTIC_CODES = Object.keys(CODE_TABLE) as DiagnosticCode[];

/** The code's page, relative to the repository root. */
export function docPage(code: DiagnosticCode): string {
  return `docs/diagnostics/${code}.md`;
}
