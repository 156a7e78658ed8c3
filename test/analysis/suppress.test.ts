// `# fw-ignore CODE` (spec §8): on the line above a statement or rule it silences CODE for
// that statement or rule; a suppression that silences nothing, names no code or an unknown
// code is a hint `unused-suppression`.
//
// A diagnostic on the `# fw-ignore` line itself cannot be marked in a fixture (the mark would
// sit between the comment and its statement), so those are asserted by position.
import { describe, expect, it } from 'vitest';
import { check } from '../../server/src/analysis/analyze';
import type { Diagnostic } from '../../server/src/core/diagnostic';
import { applyEdits } from '../../server/src/core/edits';
import { LineIndex } from '../../server/src/core/text';
import { expectFixture } from '../support/fixture';
import { RESPONSE_CODES } from '../support/fixtureFiles';

const fixture = (text: string) => expectFixture(text, { ignore: RESPONSE_CODES });

/** `line:col-endCol code` (1-based line, 0-based columns) of the diagnostics not ignored. */
function found(text: string): { where: string[]; diagnostics: Diagnostic[] } {
  const a = check('/t.fw', text);
  const lines = new LineIndex(text);
  const diagnostics = a.diagnostics.filter((d) => !RESPONSE_CODES.includes(d.code));
  const where = diagnostics.map((d) => {
    const s = lines.position(d.span.start);
    const e = lines.position(d.span.end);
    return `${s.line + 1}:${s.character}-${e.character} ${d.code}`;
  });
  return { where, diagnostics };
}

const FW = (body: string) => `firewall fw stateless protects 10.0.1.0/24 {\n${body}}\n`;

describe('fw-ignore silences', () => {
  it('the code for the rule right below, and only for it', () => {
    fixture(`
firewall fw stateless protects 10.0.1.0/24 {
  inbound allow tcp to 10.0.1.0/24 port 80
  # fw-ignore shadowed-rule
  inbound allow tcp to 10.0.1.10 port 80
  inbound allow tcp to 10.0.1.11 port 80
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning shadowed-rule
}
`);
  });

  it('the code for a whole statement: a flow, or a firewall with its rules', () => {
    fixture(`
host web 10.0.1.10
firewall sg stateful protects web {
  inbound allow tcp to web port 443
}
# fw-ignore flow-expectation
flow 198.51.100.1 -> web tcp 22 expect allow
  flow 198.51.100.1 -> web tcp 23 expect allow
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error flow-expectation "expected allow, but the flow is blocked"

# fw-ignore shadowed-rule
firewall fw stateless protects 10.0.2.0/24 {
  inbound deny tcp to 10.0.2.0/24
  inbound allow tcp to 10.0.2.10 port 80
  inbound allow tcp to 10.0.2.11 port 80
}
`);
  });

  it('structural diagnostics too (an unknown name)', () => {
    fixture(`
# fw-ignore unknown-name
host a 10.0.0.1 ephemeral nosuch
`);
  });

  it('several codes, separated by spaces or commas', () => {
    const text = FW(
      `  inbound allow tcp to 10.0.1.0/24 port 80\n  # fw-ignore shadowed-rule, redundant-rule\n  inbound allow tcp to 10.0.1.10 port 80\n`,
    );
    const { where, diagnostics } = found(text);
    expect(where).toEqual(['3:29-43 unused-suppression']);
    expect(diagnostics[0]!.message).toBe('`fw-ignore redundant-rule` silences nothing: the rule below has no `redundant-rule` diagnostic');
    expect(found(text.replace('shadowed-rule, redundant-rule', 'redundant-rule shadowed-rule')).where).toEqual([
      '3:14-28 unused-suppression',
    ]);
  });

  it('with the innermost suppression used when a rule and its firewall both name the code', () => {
    const text = `# fw-ignore shadowed-rule\n${FW(`  inbound allow tcp to 10.0.1.0/24 port 80\n  # fw-ignore shadowed-rule\n  inbound allow tcp to 10.0.1.10 port 80\n`)}`;
    expect(found(text).where).toEqual(['1:12-25 unused-suppression']);
  });
});

describe('unused-suppression', () => {
  it('when the statement below has no such diagnostic; its fix removes the comment line', () => {
    const text = FW(`  inbound allow tcp to 10.0.1.0/24 port 80\n  # fw-ignore redundant-rule\n  inbound allow tcp to 10.0.1.10 port 22\n`);
    const { where, diagnostics } = found(text);
    expect(where).toEqual(['3:14-28 unused-suppression']);
    const d = diagnostics[0]!;
    expect(d.severity).toBe('hint');
    expect(d.tags).toEqual(['unnecessary']);
    expect(d.message).toBe('`fw-ignore redundant-rule` silences nothing: the rule below has no `redundant-rule` diagnostic');
    const fix = d.fixes![0]!;
    expect(fix.safe).toBe(false);
    expect(applyEdits(text, fix.edits).text).toBe(
      FW(`  inbound allow tcp to 10.0.1.0/24 port 80\n  inbound allow tcp to 10.0.1.10 port 22\n`),
    );
  });

  it('removing one code of several keeps the others', () => {
    const text = FW(
      `  inbound allow tcp to 10.0.1.0/24 port 80\n  # fw-ignore shadowed-rule redundant-rule\n  inbound allow tcp to 10.0.1.10 port 80\n`,
    );
    const d = found(text).diagnostics[0]!;
    expect(applyEdits(text, d.fixes![0]!.edits).text).toContain('  # fw-ignore shadowed-rule \n');
  });

  it('for a code that is not a diagnostic code, with "did you mean"', () => {
    const { where, diagnostics } = found('# fw-ignore shadowed-rules\nhost a 10.0.0.1\n');
    expect(where).toEqual(['1:12-26 unused-suppression']);
    expect(diagnostics[0]!.message).toBe('`shadowed-rules` is not a diagnostic code; did you mean `shadowed-rule`?');
    expect(diagnostics[0]!.fixes![0]!.edits[0]!.newText).toBe('shadowed-rule');
    expect(found('# fw-ignore everything\nhost a 10.0.0.1\n').diagnostics[0]!.message).toBe('`everything` is not a diagnostic code');
  });

  it('for a comment without a code', () => {
    const { where, diagnostics } = found('# fw-ignore\nhost a 10.0.0.1\n');
    expect(where).toEqual(['1:0-11 unused-suppression']);
    expect(diagnostics[0]!.message).toContain('needs the code');
  });

  it('when no statement starts on the next line (a blank line in between)', () => {
    const text = FW(
      `  inbound allow tcp to 10.0.1.0/24 port 80\n  # fw-ignore shadowed-rule\n\n  inbound allow tcp to 10.0.1.10 port 80\n`,
    );
    const { where, diagnostics } = found(text);
    expect(where).toEqual(['3:14-27 unused-suppression', '5:2-40 shadowed-rule']);
    expect(diagnostics[0]!.message).toContain('no statement starts on the next line');
  });

  it('for another code than the one found: both are reported', () => {
    const text = FW(`  inbound allow tcp to 10.0.1.0/24 port 80\n  # fw-ignore redundant-rule\n  inbound allow tcp to 10.0.1.10 port 80\n`);
    expect(found(text).where).toEqual(['3:14-28 unused-suppression', '4:2-40 shadowed-rule']);
  });

  it('for a trailing comment: it does not silence the next rule', () => {
    const text = FW(`  inbound allow tcp to 10.0.1.0/24 port 80  # fw-ignore shadowed-rule\n  inbound allow tcp to 10.0.1.10 port 80\n`);
    const { where, diagnostics } = found(text);
    expect(where).toEqual(['2:44-69 unused-suppression', '3:2-40 shadowed-rule']);
    expect(diagnostics[0]!.message).toContain('put it on a line of its own');
  });

  it('never for the diagnostics it silenced, and check has no error left', () => {
    const a = check('/t.fw', '# fw-ignore flow-expectation\nflow 198.51.100.1 -> 10.0.0.1 tcp 22 expect deny\n');
    expect(a.diagnostics).toEqual([]);
  });

  it('works with CRLF line ends', () => {
    const text = FW(
      `  inbound allow tcp to 10.0.1.0/24 port 80\n  # fw-ignore shadowed-rule\n  inbound allow tcp to 10.0.1.10 port 80\n`,
    ).replace(/\n/g, '\r\n');
    expect(found(text).where).toEqual([]);
  });
});
