import { describe, expect, it } from 'vitest';
import { MAX_SYNTAX_DIAGNOSTICS, MAX_TEXT_LENGTH, parse } from '../../server/src/syntax/parse';
import { IncrementalParser } from '../../server/src/syntax/incremental';
import type { FirewallDecl, FlowDecl, HostDecl, Statement } from '../../server/src/syntax/ast';

/** The diagnostics of a text as `message @ text-at-span`. */
function errors(text: string): string[] {
  return parse(text).diagnostics.map((d) => `${d.message} @ ${JSON.stringify(text.slice(d.span.start, d.span.end))}`);
}

function messages(text: string): string[] {
  return parse(text).diagnostics.map((d) => d.message);
}

const FW = (body: string): string => `firewall f stateless protects x {\n${body}\n}`;

describe('syntax error messages', () => {
  it('every diagnostic is a `syntax` error', () => {
    const d = parse('host $ 1.2.3.4 x').diagnostics;
    expect(d.length).toBeGreaterThan(0);
    for (const x of d) expect(x).toMatchObject({ code: 'syntax', severity: 'error' });
  });

  it('a missing port after `port`', () => {
    expect(errors(FW('  inbound allow tcp from a port to b'))).toEqual([
      'expected a port, a range like 1024-65535, a service name or `ephemeral` after `port`, found `to` @ "to"',
    ]);
    expect(errors(FW('  inbound allow tcp to b port'))).toEqual([
      'expected a port, a range like 1024-65535, a service name or `ephemeral` after `port`, found `}` @ "}"',
    ]);
  });

  it('a wrong or missing action after the direction', () => {
    expect(errors(FW('  100 inbound permit tcp'))).toEqual(['expected `allow` or `deny` after `inbound`, found `permit` @ "permit"']);
    // A misspelling of one (issue 7) is read as it: see issue7.test.ts.
    expect(errors(FW('  100 inbound alow tcp'))).toEqual(['unknown action `alow`: did you mean `allow`? @ "alow"']);
    // A missing action is "inserted": the rest of the rule is still read.
    const text = FW('  100 outbound tcp from a to b');
    expect(errors(text)).toEqual(['expected `allow` or `deny` after `outbound`, found `tcp` @ "tcp"']);
    const rule = (parse(text).ast.statements[0] as FirewallDecl).rules[0]!;
    expect(rule.action).toBeUndefined();
    expect(rule.proto?.value).toBe('tcp');
    expect(rule.to?.endpoint).toMatchObject({ kind: 'name', name: { text: 'b' } });
  });

  it('a wrong or missing protocol, direction', () => {
    expect(errors(FW('  inbound allow from a'))).toEqual([
      'expected a protocol (`tcp`, `udp`, `icmp` or `all`) after `allow`, found `from` @ "from"',
    ]);
    expect(errors(FW('  100 ingress allow tcp'))).toEqual([
      'expected `inbound` or `outbound` after the rule number, found `ingress` @ "ingress"',
    ]);
    expect(errors(FW('  100 inbond allow tcp'))).toEqual(['unknown direction `inbond`: did you mean `inbound`? @ "inbond"']);
  });

  it('a wrong or missing firewall mode', () => {
    expect(errors('firewall edge nacl protects x { }')).toEqual([
      'expected the firewall kind (`stateless`, `stateful`, `aws-nacl` or `aws-sg`) after the firewall name, found `nacl` @ "nacl"',
    ]);
    expect(errors('firewall edge statefull protects x { }')).toEqual([
      'unknown firewall kind `statefull`: did you mean `stateful`? @ "statefull"',
    ]);
    expect(errors('firewall edge protects x { }')).toEqual([
      'expected the firewall kind (`stateless`, `stateful`, `aws-nacl` or `aws-sg`) after the firewall name, found `protects` @ "protects"',
    ]);
  });

  it('a name where a rule should start', () => {
    expect(errors(FW('  inbound allow tcp\n  catogram\n  outbound deny all'))).toEqual([
      '`catogram` is not a keyword here: a rule starts with `inbound` or `outbound` (optionally after a rule number) @ "catogram"',
    ]);
  });

  it('a name where a statement should start', () => {
    expect(messages('catogram 10.0.0.1')).toEqual([
      '`catogram` is not a keyword here: a statement starts with `host`, `network`, `service`, `ephemeral`, `default ephemeral`, `nat`, `include`, `firewall` or `flow`',
    ]);
  });

  it('a keyword used as a name', () => {
    expect(errors('host host 10.0.0.1')).toEqual(['`host` is a keyword and cannot be used as a name @ "host"']);
    // ... and the declaration is still read, with that name.
    const h = parse('host host 10.0.0.1').ast.statements[0] as HostDecl;
    expect(h.name.text).toBe('host');
    expect(h.address?.text).toBe('10.0.0.1');
    expect(errors('firewall any stateful protects x { }')).toEqual(['`any` is a keyword and cannot be used as a name @ "any"']);
    expect(errors(FW('  inbound allow tcp from network'))).toEqual([
      'expected an endpoint (a name, `any` or an address) after `from`, found `network`, which is a keyword and cannot be used as a name @ "network"',
    ]);
  });

  it('missing names and addresses in declarations', () => {
    expect(errors('host 10.0.0.1')).toEqual(['expected a host name after `host`, found `10.0.0.1` @ "10.0.0.1"']);
    expect(errors('host bob bob')).toEqual([
      'expected an address (like 10.0.1.10 or 2001:db8::1) after the host name, found `bob` @ "bob"',
    ]);
    expect(errors('network n 10.0.0.0/8,')).toEqual(['expected a prefix (like 10.0.0.0/8) after `,`, found the end of the file @ ""']);
    expect(errors('service s')).toEqual([
      'expected a protocol (`tcp`, `udp`, `icmp` or `all`) after the service name, found the end of the file @ ""',
    ]);
    expect(errors('ephemeral e 1000 2000')).toEqual([
      'expected `-` after `1000` (a range is written LOW-HIGH, like 1024-65535), found `2000` @ "2000"',
    ]);
    expect(errors('include common')).toEqual(['expected a quoted path like "common.fw" after `include`, found `common` @ "common"']);
    expect(errors('include "common.fw')).toEqual(['unterminated string: a string ends with `"` on the same line @ "\\"common.fw"']);
  });

  it('`default allow` outside a firewall header', () => {
    expect(messages('default deny')).toEqual([
      '`default deny` belongs in a firewall header, before its `{`: write `firewall NAME stateless protects ... default deny {`',
    ]);
    expect(messages(FW('  default deny'))).toEqual(['`default allow` or `default deny` goes in the firewall header, before `{`']);
  });

  it('flows', () => {
    expect(errors('flow bob catogram https')).toEqual(['expected `->` between the client and the server, found `catogram` @ "catogram"']);
    expect(errors('flow bob -> catogram')).toEqual([
      'expected a service name, `tcp PORT`, `udp PORT` or `icmp` after the server, found the end of the file @ ""',
    ]);
    expect(errors('flow bob -> catogram tcp expect allow')).toEqual(['expected a port number after `tcp`, found `expect` @ "expect"']);
    expect(errors('flow bob -> catogram https expect yes')).toEqual(['expected `allow` or `deny` after `expect`, found `yes` @ "yes"']);
    expect(errors('flow -> catogram https')).toEqual(['expected the client (a name, `any` or an address) after `flow`, found `->` @ "->"']);
  });

  it('port lists', () => {
    expect(errors(FW('  inbound allow tcp to b port [80 443]'))).toEqual(['expected `,` or `]` in the port list, found `443` @ "443"']);
    expect(messages(FW('  inbound allow tcp to b port 80, 443'))).toEqual([
      'unexpected `,`: several ports are written as a list in brackets, like `[80, 443]`',
    ]);
    expect(messages('service web tcp 80, 443')).toEqual([
      'unexpected `,`: several ports are written as a list in brackets, like `[80, 443]`',
    ]);
    expect(messages(FW('  inbound allow tcp from a, b'))).toEqual([
      'unexpected `,`: a rule names one endpoint on each side (declare a `network` for several prefixes)',
    ]);
    expect(messages('network n 10.0.0.0/8 10.1.0.0/16')).toEqual(['unexpected `10.1.0.0/16`: separate the prefixes of a network with `,`']);
    expect(messages(FW('  inbound allow tcp to b port [' + '['.repeat(30) + '80' + ']'.repeat(31)))).toEqual([
      'port lists may be nested at most 16 deep',
    ]);
  });

  it('unexpected characters, with lexing going on', () => {
    expect(errors('host bob $ 1.2.3.4')).toEqual(['unexpected character \'$\' @ "$"']);
    expect(errors('host bob 1.2.3.4 ;;')).toEqual(['unexpected characters \';;\' @ ";;"']);
    expect(errors('host b\u0001ob 1.2.3.4')).toHaveLength(2);
    expect(messages('host b\u0001 1.2.3.4')).toEqual(['unexpected character U+0001']);
    // A NUL makes it a binary file (issue 7): one diagnostic.
    expect(messages('host b\u0000 1.2.3.4')).toEqual([
      'not a text file (it holds NUL characters, the first at offset 6): nothing in it was read',
    ]);
    const r = parse('host bob $ 1.2.3.4');
    expect((r.ast.statements[0] as HostDecl).address?.text).toBe('1.2.3.4');
  });

  it('a text larger than fwlang reads is one diagnostic, and nothing in it is parsed (issue 12)', () => {
    const host = 'host bob 10.0.0.1\n';
    const at = host + ' '.repeat(MAX_TEXT_LENGTH - host.length);
    // At the limit: read as usual.
    expect(parse(at).diagnostics).toEqual([]);
    expect(parse(at).ast.statements).toHaveLength(1);
    // One character past it: the host is not read, and only the size is said.
    const past = parse(at + ' ');
    expect(past.ast.statements).toEqual([]);
    expect(past.diagnostics.map((d) => [d.code, d.span, d.message])).toEqual([
      ['syntax', { start: 0, end: 0 }, 'too large (16,777,217 characters; fwlang reads files of at most 16 MB): nothing in it was read'],
    ]);
    expect(parse(' '.repeat(17 * 2 ** 20)).diagnostics[0]!.message).toBe(
      'too large (17 MB; fwlang reads files of at most 16 MB): nothing in it was read',
    );
    // The editor's incremental parse says the same, and keeps nothing of it.
    const inc = new IncrementalParser();
    expect(inc.parse(at + ' ')).toEqual(past);
    expect(inc.parse(at).ast.statements).toHaveLength(1);
  });

  it('an unclosed firewall body is reported once, at the next statement, pointing back to `{`', () => {
    const text = 'firewall a stateless protects x {\n  inbound allow tcp\nflow x -> y https';
    const d = parse(text).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toBe('expected `}` to close the body of firewall `a`, found `flow`');
    expect(d[0]!.related).toEqual([{ span: { start: 32, end: 33 }, message: 'the body opens here' }]);
    expect(messages('firewall a stateless protects x {\n  inbound allow tcp\n')).toEqual([
      'expected `}` to close the body of firewall `a`, found the end of the file',
    ]);
  });

  it('a statement inside a firewall body is reported and still read', () => {
    const r = parse(FW('  inbound allow tcp\n  host h 1.2.3.4\n  outbound deny all'));
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      '`host` cannot appear inside the body of firewall `f`: declarations and flows go outside the braces',
    ]);
    expect(r.ast.statements.map((s) => s.kind)).toEqual(['firewall', 'host']);
    expect((r.ast.statements[0] as FirewallDecl).rules).toHaveLength(2);
  });

  it('a rule outside any firewall', () => {
    expect(messages('inbound allow tcp')).toEqual(['a rule must be inside the braces `{ }` of a firewall']);
    expect(messages('}')).toEqual(['unmatched `}`']);
  });

  it('never reports two diagnostics at the same place', () => {
    const samples = [
      'host',
      'host host host',
      'firewall',
      'firewall f { { { } } }',
      'flow -> -> ->',
      'network n , , ,',
      FW('  100 100 100 inbound inbound allow allow'),
    ];
    for (const s of samples) {
      const starts = parse(s).diagnostics.map((d) => d.span.start);
      expect(new Set(starts).size).toBe(starts.length);
    }
  });

  it('caps the number of diagnostics', () => {
    const d = parse('$ '.repeat(5000)).diagnostics;
    expect(d).toHaveLength(MAX_SYNTAX_DIAGNOSTICS + 1);
    expect(d[MAX_SYNTAX_DIAGNOSTICS]!.message).toBe('too many syntax errors: 4900 more not shown');
  });
});

describe('recovery', () => {
  const FILE = [
    /* 1 */ 'host a 10.0.0.1',
    /* 2 */ 'firewall edge stateless protects a {',
    /* 3 */ '  100 inbound permit tcp from internet to a port https',
    /* 4 */ '  110 outbound allow tcp from a port https to internet port ephemeral',
    /* 5 */ '  120 outbound allow tcp from a to updates port https',
    /* 6 */ '}',
    /* 7 */ 'host b 10.0.0.2',
    /* 8 */ 'service https tcp 443',
    /* 9 */ 'network internet 0.0.0.0/0',
    /* 10 */ 'host c ephemeral linux',
    /* 11 */ 'host d 10.0.0.4',
    /* 12 */ 'flow a -> d https expect allow',
  ].join('\n');

  it('a bad rule on line 3 and a bad host on line 10 hide nothing else', () => {
    const r = parse(FILE);
    const lineOf = (offset: number): number => FILE.slice(0, offset).split('\n').length;
    expect(r.diagnostics.map((d) => lineOf(d.span.start))).toEqual([3, 10]);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'expected `allow` or `deny` after `inbound`, found `permit`',
      'expected an address (like 10.0.1.10 or 2001:db8::1) after the host name, found `ephemeral`',
    ]);
    const kinds = r.ast.statements.map((s: Statement) => `${s.kind}${'name' in s ? ':' + s.name.text : ''}`);
    expect(kinds).toEqual(['host:a', 'firewall:edge', 'host:b', 'service:https', 'network:internet', 'host:c', 'host:d', 'flow']);
    const fw = r.ast.statements[1] as FirewallDecl;
    expect(fw.rules.map((x) => x.number?.value)).toEqual([100, 110, 120]);
    // The broken rule keeps what was read before the error; the others are complete.
    expect(fw.rules[0]!.action).toBeUndefined();
    expect(fw.rules[1]!.to?.ports).toMatchObject({ kind: 'ephemeral' });
    expect(fw.body).toBeDefined();
    const flow = r.ast.statements[7] as FlowDecl;
    expect(flow.expect?.value).toBe('allow');
    // The host without an address still has its name and ephemeral clause.
    const c = r.ast.statements[5] as HostDecl;
    expect(c.address).toBeUndefined();
    expect(c.ephemeral).toMatchObject({ kind: 'name', name: { text: 'linux' } });
  });

  it('a broken statement recovers at the next statement that starts a line', () => {
    const text = 'host a\nhost b 10.0.0.2 ephemeral\nflow a -> b https\nnetwork n 10.0.0.0/8';
    const r = parse(text);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'expected an address (like 10.0.1.10 or 2001:db8::1) after the host name, found `host`',
      'expected an ephemeral profile name (like linux) or a range like 32768-60999 after `ephemeral`, found `flow`',
    ]);
    expect(r.ast.statements.map((s) => s.kind)).toEqual(['host', 'host', 'flow', 'network']);
  });

  it('a broken header still reads the body', () => {
    const r = parse('firewall edge nacl protects a, {\n  inbound allow tcp\n  outbound allow tcp\n}\nhost z 1.1.1.1');
    expect(r.diagnostics).toHaveLength(1);
    const fw = r.ast.statements[0] as FirewallDecl;
    expect(fw.name.text).toBe('edge');
    expect(fw.rules).toHaveLength(2);
    expect(r.ast.statements[1]!.kind).toBe('host');
  });

  it('a missing `{` still reads the rules that follow', () => {
    const r = parse('firewall edge stateless protects a\n  inbound allow tcp\n  outbound allow tcp\n}');
    expect(r.diagnostics.map((d) => d.message)).toEqual(['expected `{` to start the body of firewall `edge`, found `inbound`']);
    expect((r.ast.statements[0] as FirewallDecl).rules).toHaveLength(2);
  });

  it('a missing `}` ends the body at the next firewall, which is read normally', () => {
    const r = parse('firewall a stateless protects x {\n  inbound allow tcp\nfirewall b stateful protects y {\n  outbound deny all\n}');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.ast.statements.map((s) => (s as FirewallDecl).rules.length)).toEqual([1, 1]);
  });

  it('statements broken halfway keep spans that cover what was read', () => {
    const text = 'flow a -> b tcp 80 via\nhost h 1.2.3.4';
    const r = parse(text);
    const flow = r.ast.statements[0] as FlowDecl;
    expect(text.slice(flow.span.start, flow.span.end)).toBe('flow a -> b tcp 80 via');
    expect(flow.target).toMatchObject({ kind: 'proto', port: { value: 80 } });
  });
});
