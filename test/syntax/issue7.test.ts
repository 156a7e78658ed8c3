// Issue 7, the syntax layer: leading zeros, `port 0-65535`, Damerau–Levenshtein "did you
// mean", misspelt keywords read as what they stand for, recovery that never moves a token into
// the next rule, binary input, and recovered statements the model can tell apart (§8.1 rule 5).

import { describe, expect, it } from 'vitest';
import { check } from '../../server/src/analysis/analyze';
import type { Diagnostic } from '../../server/src/core/diagnostic';
import { buildModel } from '../../server/src/model/resolve';
import { closestName } from '../../server/src/model/suggest';
import type { FirewallDecl } from '../../server/src/syntax/ast';
import { parse } from '../../server/src/syntax/parse';
import { closestWords, editDistance } from '../../server/src/syntax/spelling';
import { expectFixture } from '../support/fixture';

function model(text: string) {
  return buildModel('/t.fw', text);
}

function syntax(diags: Diagnostic[]): Diagnostic[] {
  return diags.filter((d) => d.code === 'syntax');
}

describe('leading zeros in IPv4 literals (spec §2)', () => {
  it('are invalid-address errors that say why, with a fix to the decimal reading', () => {
    expectFixture(`host db 010.0.0.1
#       ^^^^^^^^^ error invalid-address "leading zero" "octal (8)"
network lan 10.0.01.0/24
#           ^^^^^^^^^^^^ error invalid-address "leading zero"
flow lan -> 192.168.000.5 tcp 22
#           ^^^^^^^^^^^^^ error invalid-address "leading zero"
`);
    const d = model('host db 010.0.0.1').diagnostics[0]!;
    // For a reader of octal, 10.0.0.1 is another address: offered, not applied by --fix.
    expect(d.fixes).toEqual([{ title: 'Read it as decimal: `10.0.0.1`', edits: [{ span: d.span, newText: '10.0.0.1' }], safe: false }]);
    // `01` is 1 either way: the fix changes nothing and may be applied.
    expect(model('network lan 10.0.01.0/24').diagnostics[0]!.fixes?.[0]).toMatchObject({ safe: true, edits: [{ newText: '10.0.1.0/24' }] });
  });
});

describe('`port 0-65535` means no port (spec §4)', () => {
  const rules = (ports: string) =>
    model(`service every tcp 0-65535
firewall f stateless protects 10.0.0.0/8 {
  inbound allow tcp from any port ${ports} to 10.0.0.1 port ${ports}
}`).firewalls[0]!.rules[0]!;

  it('in every spelling', () => {
    for (const ports of ['0-65535', '[0-1023, 1024-65535]', '[0, 1-65535]', 'every']) {
      const r = rules(ports);
      expect(r.valid, ports).toBe(true);
      expect([r.sportGiven, r.dportGiven, r.sport.isAll()], ports).toEqual([false, false, true]);
      // The written ports keep their span, so that fixes can still edit them.
      expect(r.node.from?.ports, ports).toBeDefined();
    }
    const some = rules('1-65535');
    expect([some.sportGiven, some.dportGiven]).toEqual([true, true]);
  });
});

describe('did you mean: a swap of two neighbouring letters is one edit', () => {
  it('Damerau–Levenshtein (optimal string alignment)', () => {
    expect(editDistance('dsn', 'dns')).toBe(1);
    expect(editDistance('wbe', 'web')).toBe(1);
    expect(editDistance('inbuond', 'inbound')).toBe(1);
    expect(editDistance('ca', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closestName('dsn', ['ssh', 'dns', 'http'])).toBe('dns');
    expect(closestWords('ucp', ['tcp', 'udp', 'icmp', 'all'])).toEqual(['tcp', 'udp']);
  });

  it('for names', () => {
    expectFixture(`host web 10.0.1.10
firewall f stateful protects web {
  inbound allow udp to wbe port dsn
#                      ^^^ error unknown-name "did you mean \`web\`?"
#                               ^^^ error unknown-name "did you mean \`dns\`?"
  outbound allow tcp from web port 443 to any port ephmeral
#                                                  ^^^^^^^^ error unknown-name "did you mean \`ephemeral\`?"
}
`);
  });
});

describe('misspelt keywords', () => {
  const STATEFULL = `host web 10.0.1.10
firewall fw statefull protects web {
  inbound allow tcp to web port 443
  outbound allow udp from web to any port 53
}
flow 198.51.100.7 -> web https expect allow
`;

  it('`statefull`: one syntax error with a fix, the header and body still read, the firewall not valid', () => {
    const a = check('/t.fw', STATEFULL);
    expect(a.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.message])).toEqual([
      ['syntax', 'unknown firewall kind `statefull`: did you mean `stateful`?'],
    ]);
    const d = a.diagnostics[0]!;
    expect(STATEFULL.slice(d.span.start, d.span.end)).toBe('statefull');
    expect(d.fixes).toEqual([
      { title: 'Change to `stateful`', edits: [{ span: d.span, newText: 'stateful' }], safe: true, preferred: true },
    ]);
    const fw = a.model.firewalls[0]!;
    expect(fw.valid).toBe(false);
    expect(fw.node.recovered).toBe(true);
    expect(fw.node.protects).toMatchObject([{ kind: 'name', name: { text: 'web' } }]);
    expect(fw.rules.map((r) => [r.direction, r.action, r.proto])).toEqual([
      ['inbound', 'allow', 'tcp'],
      ['outbound', 'allow', 'udp'],
    ]);
  });

  it.each([
    ['  inbound alow tcp to web port 22', 'alow', 'unknown action `alow`: did you mean `allow`?', 'allow'],
    ['  inbound dney tcp to web port 22', 'dney', 'unknown action `dney`: did you mean `deny`?', 'deny'],
    ['  inbuond allow tcp to web port 22', 'inbuond', 'unknown direction `inbuond`: did you mean `inbound`?', 'inbound'],
    ['  outbond allow tcp from web port 22', 'outbond', 'unknown direction `outbond`: did you mean `outbound`?', 'outbound'],
    ['  inbound allow tpc to web port 22', 'tpc', 'unknown protocol `tpc`: did you mean `tcp`?', 'tcp'],
    ['  inbound allow tcp form any to web port 22', 'form', 'unknown keyword `form`: did you mean `from`?', 'from'],
    ['  inbound allow tcp to web prot 22', 'prot', 'unknown keyword `prot`: did you mean `port`?', 'port'],
  ])('in a rule: %s', (line, typo, message, fixed) => {
    const text = `host web 10.0.1.10
firewall fw stateless protects web {
  inbound allow tcp to web port 80
${line}
  inbound allow tcp to web port 443
}
`;
    const m = model(text);
    const errors = m.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.code, d.message])).toEqual([['syntax', message]]);
    const d = errors[0]!;
    expect(text.slice(d.span.start, d.span.end)).toBe(typo);
    expect(d.fixes).toEqual([{ title: `Change to \`${fixed}\``, edits: [{ span: d.span, newText: fixed }], safe: true, preferred: true }]);
    // The rule with the typo is read whole but takes part in nothing; its neighbours are unaffected.
    const fw = m.firewalls[0]!;
    expect(fw.valid).toBe(true);
    expect(fw.rules.map((r) => r.valid)).toEqual([true, false, true]);
    expect(fw.rules.map((r) => r.node.recovered)).toEqual([undefined, true, undefined]);
    expect(fw.rules[1]!.node.span.end).toBe(text.indexOf(line) + line.length);
    expect(fw.rules[2]!.dport.min()).toBe(443);
  });

  it('in a numbered firewall, at the start of a rule after its number', () => {
    const text = `host web 10.0.1.10
firewall fw stateless protects web {
  100 inbound allow tcp to web port 80
  110 inbuond allow tcp to web port 22
  120 inbound allow tcp to web port 443
}
`;
    const a = check('/t.fw', text);
    expect(syntax(a.diagnostics).map((d) => d.message)).toEqual(['unknown direction `inbuond`: did you mean `inbound`?']);
    expect(a.diagnostics.filter((d) => d.code === 'rule-numbering')).toEqual([]);
    expect(a.model.firewalls[0]!.rules.map((r) => [r.number, r.valid])).toEqual([
      [100, true],
      [110, false],
      [120, true],
    ]);
  });

  it('in a firewall header: `protect`, `defualt`, the default action', () => {
    const m = model('host web 10.0.1.10\nfirewall fw stateless protect web defualt alow {\n  inbound allow tcp\n}\n');
    expect(syntax(m.diagnostics).map((d) => d.message)).toEqual([
      'unknown keyword `protect`: did you mean `protects`?',
      'unknown keyword `defualt`: did you mean `default`?',
      'unknown action `alow`: did you mean `allow`?',
    ]);
    const fw = m.firewalls[0]!;
    expect([fw.valid, fw.insideLabel, fw.defaultAction, fw.rules.length]).toEqual([false, 'web', 'allow', 1]);
    expect(m.diagnostics.some((d) => d.message.includes('needs `protects`'))).toBe(false);
  });

  it('in flows and declarations: `expcet`, `vai`, `tpc 80`, `hots`, `firwall`, `ephemral`', () => {
    const text = `hots web 10.0.1.10
host pc 10.0.2.2 ephemral linux
firwall fw stateful protects web {
}
flow pc -> web tpc 80 vai fw expcet deny
`;
    const r = parse(text);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'unknown keyword `hots`: did you mean `host`?',
      'unknown keyword `ephemral`: did you mean `ephemeral`?',
      'unknown keyword `firwall`: did you mean `firewall`?',
      'unknown protocol `tpc`: did you mean `tcp`?',
      'unknown keyword `vai`: did you mean `via`?',
      'unknown keyword `expcet`: did you mean `expect`?',
    ]);
    expect(r.ast.statements.map((s) => [s.kind, s.recovered])).toEqual([
      ['host', true],
      ['host', true],
      ['firewall', true],
      ['flow', true],
    ]);
    const flow = r.ast.statements[3];
    expect(flow?.kind === 'flow' && [flow.target, flow.via.map((v) => v.text), flow.expect?.value]).toMatchObject([
      { kind: 'proto', proto: { value: 'tcp' }, port: { value: 80 } },
      ['fw'],
      'deny',
    ]);
  });

  it('two keywords equally close: both offered, neither applied by --fix', () => {
    const d = parse('firewall f stateless protects x {\n  inbound allow ucp\n}').diagnostics;
    expect(d.map((x) => x.message)).toEqual(['unknown protocol `ucp`: did you mean `tcp` or `udp`?']);
    expect(d[0]!.fixes?.map((f) => [f.title, f.safe])).toEqual([
      ['Change to `tcp`', false],
      ['Change to `udp`', false],
    ]);
  });

  it('a word far from every keyword keeps the plain message', () => {
    expect(parse('firewall f stateless protects x {\n  inbound permit tcp\n}').diagnostics.map((d) => d.message)).toEqual([
      'expected `allow` or `deny` after `inbound`, found `permit`',
    ]);
  });
});

describe('recovery never moves a token into the next rule (spec §8.1 rule 5)', () => {
  const cases = {
    unnumbered: `host web 10.0.1.10
firewall fw stateless protects web {
  outbound allow tcp from web port 80 to any port ephemeral
  inbound xyz tcp to web port 22
  inbound allow tcp to web port 80
}
`,
    numbered: `host web 10.0.1.10
firewall fw stateless protects web {
  90 outbound allow tcp from web port 80 to any port ephemeral
  100 inbound xyz tcp to web port 22
  110 inbound allow tcp to web port 80
  120 inbound allow tcp to web port 1-
  130 inbound allow tcp to web port
  140 inbound allow tcp to web port 443
  150 outbound allow tcp from web port 443 to any port ephemeral
}
`,
  };

  it('unnumbered: the rule after a broken one is a rule of its own line, not rule 22', () => {
    const a = check('/t.fw', cases.unnumbered);
    expect(syntax(a.diagnostics).map((d) => d.message)).toEqual(['expected `allow` or `deny` after `inbound`, found `xyz`']);
    expect(a.diagnostics.filter((d) => d.code === 'rule-numbering')).toEqual([]);
    const rules = a.model.firewalls[0]!.rules;
    expect(rules.map((r) => [r.number, r.valid])).toEqual([
      [undefined, true],
      [undefined, false],
      [undefined, true],
    ]);
    const third = rules[2]!;
    expect(cases.unnumbered.slice(third.node.span.start, third.node.span.end)).toBe('inbound allow tcp to web port 80');
  });

  it('the same with a misspelt action (the case of the issue)', () => {
    const text = cases.unnumbered.replace('xyz', 'alow');
    const a = check('/t.fw', text);
    expect(a.diagnostics.filter((d) => d.code === 'rule-numbering')).toEqual([]);
    expect(a.model.firewalls[0]!.rules.map((r) => [r.number, r.valid])).toEqual([
      [undefined, true],
      [undefined, false],
      [undefined, true],
    ]);
  });

  it('numbered: every number stays with its own rule, no rule-numbering error on correct rules', () => {
    const a = check('/t.fw', cases.numbered);
    expect(syntax(a.diagnostics).map((d) => d.message)).toEqual([
      'expected `allow` or `deny` after `inbound`, found `xyz`',
      'expected the upper end of the range after `-`, found `130`',
      'expected a port, a range like 1024-65535, a service name or `ephemeral` after `port`, found `140`',
    ]);
    expect(a.diagnostics.filter((d) => d.code === 'rule-numbering')).toEqual([]);
    expect(a.model.firewalls[0]!.rules.map((r) => [r.number, r.valid])).toEqual([
      [90, true],
      [100, false],
      [110, true],
      [120, false],
      [130, false],
      [140, true],
      [150, true],
    ]);
  });

  it('in mid-line, a number before `inbound` after an error is skipped, not taken as a rule number', () => {
    const r = parse('firewall fw stateless protects web {\n  inbound xyz tcp to web port 22 inbound allow tcp\n}');
    const rules = (r.ast.statements[0] as FirewallDecl).rules;
    expect(rules.map((x) => [x.number?.value, x.recovered])).toEqual([
      [undefined, true],
      [undefined, undefined],
    ]);
  });
});

describe('binary input', () => {
  it('a text with NUL characters gives one diagnostic, "not a text file"', () => {
    const bytes = 'host a 10.0.0.1\n' + '\u0000\u0001\u00ff\u0000'.repeat(500);
    const r = parse(bytes);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'syntax', span: { start: 0, end: 0 } });
    expect(r.diagnostics[0]!.message).toMatch(/^not a text file \(/);
    expect(r.ast.statements).toEqual([]);
    expect(model(bytes).diagnostics).toHaveLength(1);
  });

  it('a text that is mostly control characters, too; a stray one is only an unexpected character', () => {
    const r = parse('\u0001\u0002\u0003\u0004abc\u0005\u0006\u0007\u0008');
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'not a text file (73% of its first 11 characters are control characters): nothing in it was read',
    ]);
    expect(parse('host a\u0001 10.0.0.1').diagnostics.map((d) => d.message)).toEqual(['unexpected character U+0001']);
  });
});

describe('recovered statements are known to the model (§8.1 rule 5)', () => {
  it('a firewall whose header has a syntax error is not valid', () => {
    for (const header of [
      'firewall fw stateless protects web, {',
      'firewall fw stateless protects web $ {',
      'firewall fw stateless protects web default {',
      'firewall fw stateles protects web {',
    ]) {
      const m = model(`host web 10.0.1.10\n${header}\n  inbound allow tcp to web port 80\n}\n`);
      expect(syntax(m.diagnostics).length, header).toBeGreaterThan(0);
      const fw = m.firewalls[0]!;
      expect(fw.valid, header).toBe(false);
      // Its body is still read (hover, outline).
      expect(
        fw.rules.map((r) => r.valid),
        header,
      ).toEqual([true]);
    }
    expect(
      model('host web 10.0.1.10\nfirewall fw stateless protects web {\n  inbound allow tcp to web port 80\n}\n').firewalls[0]!.valid,
    ).toBe(true);
  });
});
