import { describe, expect, it } from 'vitest';
import { parse, parseFlowText } from '../../server/src/syntax/parse';
import { FwParser } from '../../server/src/syntax/parser';
import type {
  DefaultEphemeralDecl,
  EphemeralDecl,
  FirewallDecl,
  FlowDecl,
  HostDecl,
  IncludeDecl,
  NetworkDecl,
  PortSpec,
  ServiceDecl,
  Statement,
} from '../../server/src/syntax/ast';
import type { Span } from '../../server/src/core/diagnostic';
import { SPEC_EXAMPLE } from '../support/specExample';

const EXAMPLE = SPEC_EXAMPLE;

function ok(text: string): Statement[] {
  const r = parse(text);
  expect(r.diagnostics).toEqual([]);
  return r.ast.statements;
}

function one<S extends Statement>(text: string): S {
  const s = ok(text);
  expect(s).toHaveLength(1);
  return s[0] as S;
}

/** A small printer of port specs, to compare shapes compactly. */
function ports(p: PortSpec | undefined): string {
  if (!p) return '-';
  switch (p.kind) {
    case 'number':
      return String(p.value.value);
    case 'range':
      return `${p.low.value}-${p.high.value}`;
    case 'service':
      return `svc:${p.name.text}`;
    case 'ephemeral':
      return 'ephemeral';
    case 'list':
      return `[${p.items.map(ports).join(',')}]`;
  }
}

describe('the complete example of spec §1', () => {
  const r = parse(EXAMPLE);
  const text = EXAMPLE;
  const at = (s: Span | undefined): string => (s ? text.slice(s.start, s.end) : '<none>');

  it('parses without diagnostics', () => {
    expect(r.diagnostics).toEqual([]);
  });

  it('has the statements in order', () => {
    expect(r.ast.statements.map((s) => s.kind)).toEqual([
      'network',
      'host',
      'host',
      'host',
      'service',
      'firewall',
      'firewall',
      'flow',
      'flow',
      'flow',
    ]);
  });

  it('collects the comments with their text and span', () => {
    expect(r.ast.comments).toHaveLength(7);
    expect(r.ast.comments[0]!.text).toBe('# Bob browses catogram; catogram fetches software updates.');
    for (const c of r.ast.comments) expect(at(c.span)).toBe(c.text);
    expect(r.ast.comments.map((c) => c.text)).toContain('# its response');
  });

  it('reads the declarations', () => {
    const [internet, bob, catogram, , https] = r.ast.statements as [NetworkDecl, HostDecl, HostDecl, HostDecl, ServiceDecl];
    expect(internet.name.text).toBe('internet');
    expect(internet.prefixes.map((p) => p.text)).toEqual(['0.0.0.0/0']);
    expect(at(internet.span)).toBe('network internet  0.0.0.0/0');
    expect(at(internet.keyword)).toBe('network');

    expect(bob.name.text).toBe('bob');
    expect(at(bob.name.span)).toBe('bob');
    expect(bob.address?.text).toBe('198.51.100.23');
    expect(at(bob.address?.span)).toBe('198.51.100.23');
    expect(bob.ephemeral).toMatchObject({ kind: 'name', name: { text: 'linux' } });
    expect(at(bob.ephemeral?.span)).toBe('linux');
    expect(at(bob.span)).toBe('host    bob       198.51.100.23        ephemeral linux');

    expect(catogram.ephemeral).toBeUndefined();
    expect(https.proto?.value).toBe('tcp');
    expect(ports(https.ports)).toBe('443');
    expect(at(https.span)).toBe('service https     tcp 443');
  });

  it('reads the stateless firewall and its numbered rules', () => {
    const edge = r.ast.statements[5] as FirewallDecl;
    expect(edge.name.text).toBe('edge');
    expect(edge.mode?.value).toBe('stateless');
    expect(at(edge.protectsKeyword)).toBe('protects');
    expect(edge.protects).toEqual([{ kind: 'address', text: '10.0.1.0/24', span: expect.any(Object) }]);
    expect(edge.defaultAction).toBeUndefined();
    expect(at(edge.span).startsWith('firewall edge stateless')).toBe(true);
    expect(at(edge.span).endsWith('# its response\n}')).toBe(true);
    expect(at(edge.body).startsWith('{\n  100 inbound')).toBe(true);
    expect(at(edge.body).endsWith('}')).toBe(true);

    expect(edge.rules.map((x) => x.number?.value)).toEqual([100, 110, 120, 130]);
    expect(edge.rules.map((x) => x.direction.value)).toEqual(['inbound', 'outbound', 'outbound', 'inbound']);
    expect(edge.rules.every((x) => x.action?.value === 'allow' && x.proto?.value === 'tcp')).toBe(true);

    const r110 = edge.rules[1]!;
    expect(at(r110.span)).toBe('110 outbound allow tcp from catogram port https to internet port ephemeral');
    expect(at(r110.number?.span)).toBe('110');
    expect(at(r110.direction.span)).toBe('outbound');
    expect(r110.from?.endpoint).toMatchObject({ kind: 'name', name: { text: 'catogram' } });
    expect(ports(r110.from?.ports)).toBe('svc:https');
    expect(at(r110.from?.span)).toBe('from catogram port https');
    expect(at(r110.from?.keyword)).toBe('from');
    expect(at(r110.from?.portKeyword)).toBe('port');
    expect(at(r110.to?.span)).toBe('to internet port ephemeral');
    expect(ports(r110.to?.ports)).toBe('ephemeral');
    expect(at(r110.to?.ports?.span)).toBe('ephemeral');

    const r100 = edge.rules[0]!;
    expect(r100.from?.ports).toBeUndefined();
    expect(r100.from?.portKeyword).toBeUndefined();
    expect(at(r100.from?.span)).toBe('from internet');
  });

  it('reads the stateful firewall and its unnumbered rules', () => {
    const sg = r.ast.statements[6] as FirewallDecl;
    expect(sg.name.text).toBe('catogram-sg');
    expect(sg.mode?.value).toBe('stateful');
    expect(sg.protects).toMatchObject([{ kind: 'name', name: { text: 'catogram' } }]);
    expect(sg.rules).toHaveLength(2);
    expect(sg.rules.every((x) => x.number === undefined)).toBe(true);
    expect(at(sg.rules[0]!.span)).toBe('inbound  allow tcp from internet to catogram port https');
  });

  it('reads the flows', () => {
    const [f1, , f3] = r.ast.statements.slice(7) as [FlowDecl, FlowDecl, FlowDecl];
    expect(at(f1.span)).toBe('flow bob -> catogram https expect allow');
    expect(at(f1.keyword)).toBe('flow');
    expect(f1.client).toMatchObject({ kind: 'name', name: { text: 'bob' } });
    expect(f1.server).toMatchObject({ kind: 'name', name: { text: 'catogram' } });
    expect(f1.target).toMatchObject({ kind: 'service', name: { text: 'https' } });
    expect(f1.expect?.value).toBe('allow');
    expect(f1.via).toEqual([]);

    expect(at(f3.span)).toBe('flow bob:51000 -> catogram tcp 22 expect deny');
    expect(ports(f3.clientPorts)).toBe('51000');
    expect(f3.target).toMatchObject({ kind: 'proto', proto: { value: 'tcp' }, port: { value: 22, text: '22' } });
    expect(at(f3.target?.span)).toBe('tcp 22');
    expect(f3.expect?.value).toBe('deny');
  });
});

describe('layout', () => {
  it('accepts a byte order mark, CRLF line ends, tabs and comments between any tokens', () => {
    const text = '\ufeffhost\ta # the name\r\n\t10.0.0.1 # the address\r\nflow a -> # client\r\n a https\r\n';
    const s = ok(text);
    expect(s.map((x) => x.kind)).toEqual(['host', 'flow']);
    expect(text.slice(s[0]!.span.start, s[0]!.span.end)).toBe('host\ta # the name\r\n\t10.0.0.1');
    expect(parse(text).ast.comments).toHaveLength(3);
  });

  it('several statements on one line', () => {
    const s = ok('host a 10.0.0.1 host b 10.0.0.2 flow a -> b https expect allow flow b -> a icmp');
    expect(s.map((x) => x.kind)).toEqual(['host', 'host', 'flow', 'flow']);
  });
});

describe('declarations', () => {
  it('host with an IPv6 address and a literal ephemeral range', () => {
    const text = 'host h2 2001:db8::1 ephemeral 32768-60999';
    const h = one<HostDecl>(text);
    expect(h.address?.text).toBe('2001:db8::1');
    expect(h.ephemeral).toMatchObject({ kind: 'range', low: { value: 32768 }, high: { value: 60999 } });
    expect(text.slice(h.ephemeral!.span.start, h.ephemeral!.span.end)).toBe('32768-60999');
  });

  it('network with several prefixes, across lines, with an ephemeral profile', () => {
    const text = 'network office\n  10.0.0.0/8,\n  192.168.0.0/16 , 2001:db8::/32\n  ephemeral windows';
    const n = one<NetworkDecl>(text);
    expect(n.prefixes.map((p) => p.text)).toEqual(['10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32']);
    expect(n.ephemeral).toMatchObject({ kind: 'name', name: { text: 'windows' } });
    expect(n.span).toEqual({ start: 0, end: text.length });
  });

  it('service with a protocol and every kind of port set, and without ports', () => {
    const s = ok(
      'service a tcp 80\nservice b udp 1000-2000\nservice c tcp [80, 443, 8000-8080, [9000]]\nservice d tcp https\nservice e tcp ephemeral\nservice f icmp\nservice g all',
    ) as ServiceDecl[];
    expect(s.map((x) => `${x.name.text} ${x.proto?.value} ${ports(x.ports)}`)).toEqual([
      'a tcp 80',
      'b udp 1000-2000',
      'c tcp [80,443,8000-8080,[9000]]',
      'd tcp svc:https',
      'e tcp ephemeral',
      'f icmp -',
      'g all -',
    ]);
  });

  it('ephemeral NAME LOW-HIGH, with spaces around the dash', () => {
    const e = one<EphemeralDecl>('ephemeral custom 40000 - 50000');
    expect(e.name.text).toBe('custom');
    expect([e.low?.value, e.high?.value]).toEqual([40000, 50000]);
  });

  it('default ephemeral with a name or a range', () => {
    const [a, b] = ok('default ephemeral linux\ndefault ephemeral 1024-65535') as DefaultEphemeralDecl[];
    expect(a!.value).toMatchObject({ kind: 'name', name: { text: 'linux' } });
    expect(b!.value).toMatchObject({ kind: 'range', low: { value: 1024 }, high: { value: 65535 } });
    expect(a!.span).toEqual({ start: 0, end: 'default ephemeral linux'.length });
  });

  it('include keeps the path without quotes and the span with them', () => {
    const text = 'include "shared/common.fw"';
    const inc = one<IncludeDecl>(text);
    expect(inc.path?.value).toBe('shared/common.fw');
    expect(text.slice(inc.path!.span.start, inc.path!.span.end)).toBe('"shared/common.fw"');
  });

  it('an ephemeral clause is not confused with a following `ephemeral NAME LOW-HIGH` statement', () => {
    const s = ok('host a 1.2.3.4\nephemeral custom 1000-2000\nservice s tcp\nephemeral other 3000-4000');
    expect(s.map((x) => x.kind)).toEqual(['host', 'ephemeral', 'service', 'ephemeral']);
    expect((s[0] as HostDecl).ephemeral).toBeUndefined();
    expect((s[2] as ServiceDecl).ports).toBeUndefined();
  });

  it('declarations may use names before declaring them and span several lines', () => {
    const s = ok('host\n  a\n  1.2.3.4\n  ephemeral\n  linux\n');
    expect(s).toHaveLength(1);
    expect((s[0] as HostDecl).ephemeral).toMatchObject({ kind: 'name' });
  });
});

describe('firewalls and rules', () => {
  it('parses a header with several protected endpoints and a default', () => {
    const fw = one<FirewallDecl>('firewall f stateful protects a, 10.0.0.0/8, any, ::1 default allow { }');
    expect(fw.protects.map((p) => p.kind)).toEqual(['name', 'address', 'any', 'address']);
    expect(fw.defaultAction?.value).toBe('allow');
    expect(fw.rules).toEqual([]);
  });

  it('parses a firewall without `protects` (the model reports it)', () => {
    const fw = one<FirewallDecl>('firewall f stateless { inbound deny all }');
    expect(fw.protects).toEqual([]);
    expect(fw.protectsKeyword).toBeUndefined();
    expect(fw.rules).toHaveLength(1);
  });

  it('parses every protocol and optional part of a rule', () => {
    const fw = one<FirewallDecl>(`firewall f stateless protects x {
      inbound allow tcp
      inbound deny udp from any
      outbound allow icmp to 10.0.0.1
      outbound deny all from a port [22, ssh] to b port 1024-65535
      inbound allow tcp to b port ephemeral
      inbound allow tcp from 2001:db8::/32 port 443
    }`);
    expect(fw.rules.map((x) => x.proto?.value)).toEqual(['tcp', 'udp', 'icmp', 'all', 'tcp', 'tcp']);
    expect(
      fw.rules.map((x) => `${x.from?.endpoint?.kind ?? '-'}:${ports(x.from?.ports)} ${x.to?.endpoint?.kind ?? '-'}:${ports(x.to?.ports)}`),
    ).toEqual(['-:- -:-', 'any:- -:-', '-:- address:-', 'name:[22,svc:ssh] name:1024-65535', '-:- name:ephemeral', 'address:443 -:-']);
  });

  it('parses a rule spread over several lines', () => {
    const text = 'firewall f stateless protects x {\n  100 inbound\n    allow tcp\n    from a\n    to b port 80\n}';
    const fw = one<FirewallDecl>(text);
    const rule = fw.rules[0]!;
    expect(text.slice(rule.span.start, rule.span.end)).toBe('100 inbound\n    allow tcp\n    from a\n    to b port 80');
  });

  it('keeps rule numbers as written (the model checks ranges)', () => {
    const fw = one<FirewallDecl>('firewall f stateless protects x { 0 inbound allow tcp 99999999999999999999 outbound deny all }');
    expect(fw.rules.map((x) => x.number?.text)).toEqual(['0', '99999999999999999999']);
    expect(fw.rules[1]!.number?.value).toBe(1e20);
  });
});

describe('flows', () => {
  it('parses every target form, via and expect', () => {
    const s = ok(`flow a -> b https
flow a -> b tcp 8080 via edge
flow a -> b udp 53 via edge, sg expect deny
flow any -> 10.0.0.1 icmp expect allow`) as FlowDecl[];
    expect(s.map((f) => f.target)).toMatchObject([
      { kind: 'service', name: { text: 'https' } },
      { kind: 'proto', proto: { value: 'tcp' }, port: { value: 8080 } },
      { kind: 'proto', proto: { value: 'udp' }, port: { value: 53 } },
      { kind: 'proto', proto: { value: 'icmp' } },
    ]);
    expect(s.map((f) => f.via.map((v) => v.text))).toEqual([[], ['edge'], ['edge', 'sg'], []]);
    expect(s.map((f) => f.expect?.value)).toEqual([undefined, undefined, 'deny', 'allow']);
    expect(s[3]!.client).toMatchObject({ kind: 'any' });
    expect(s[3]!.server).toMatchObject({ kind: 'address', text: '10.0.0.1' });
  });

  it('parses client ports: number, range, list, ephemeral; and bracketed IPv6 clients', () => {
    const s = ok(`flow bob:51000 -> x https
flow bob:50000-50010 -> x https
flow bob:[1, 2-3] -> x https
flow 10.0.0.1:ephemeral -> x https
flow [2001:db8::5]:51000 -> x https
flow [::1] -> x https
flow 2001:db8::5 -> ::1 https`) as FlowDecl[];
    expect(s.map((f) => ports(f.clientPorts))).toEqual(['51000', '50000-50010', '[1,2-3]', 'ephemeral', '51000', '-', '-']);
    expect(s.map((f) => (f.client?.kind === 'address' ? f.client.text : f.client?.kind))).toEqual([
      'name',
      'name',
      'name',
      '10.0.0.1',
      '2001:db8::5',
      '::1',
      '2001:db8::5',
    ]);
  });

  it('parseFlowText reads a flow without the `flow` keyword, spans relative to the text', () => {
    const text = 'bob -> catogram https expect allow';
    const r = parseFlowText(text);
    expect(r.diagnostics).toEqual([]);
    const f = r.flow!;
    expect(f.kind).toBe('flow');
    expect(f.span).toEqual({ start: 0, end: text.length });
    expect(f.client).toMatchObject({ kind: 'name', name: { text: 'bob', span: { start: 0, end: 3 } } });
    expect(f.server).toMatchObject({ kind: 'name', name: { text: 'catogram', span: { start: 7, end: 15 } } });
    expect(f.target).toMatchObject({ kind: 'service', name: { text: 'https' } });
    expect(f.expect?.value).toBe('allow');
  });

  it('parseFlowText accepts a leading `flow` and IPv6 clients with ports', () => {
    expect(parseFlowText('flow a -> b icmp')).toMatchObject({ diagnostics: [], flow: { keyword: { start: 0, end: 4 } } });
    const r = parseFlowText('[2001:db8::5]:51000 -> web tcp 22 via edge');
    expect(r.diagnostics).toEqual([]);
    expect(r.flow).toMatchObject({
      client: { kind: 'address', text: '2001:db8::5' },
      clientPorts: { kind: 'number', value: { value: 51000 } },
      target: { kind: 'proto', port: { value: 22 } },
      via: [{ text: 'edge' }],
    });
  });

  it('parseFlowText reports errors in the words of the language', () => {
    expect(parseFlowText('').diagnostics.map((d) => d.message)).toEqual(['expected a flow like `bob -> catogram https expect allow`']);
    expect(parseFlowText('bob -> ').diagnostics.map((d) => d.message)).toEqual([
      'expected the server (a name, `any` or an address) after `->`, found the end of the flow',
    ]);
    const extra = parseFlowText('bob -> x https please');
    expect(extra.diagnostics).toMatchObject([
      { code: 'syntax', message: 'unexpected `please` after the end of the flow', span: { start: 15, end: 21 } },
    ]);
    expect(extra.flow?.target).toMatchObject({ kind: 'service' });
    expect(parseFlowText('bob catogram https').diagnostics.map((d) => d.message)).toEqual([
      'expected `->` between the client and the server, found `catogram`',
    ]);
  });
});

describe('the grammar', () => {
  // fwlang skips chevrotain's grammar validations when it builds the parser (a tenth of its
  // construction); they run here, so an ambiguous or left-recursive change still fails the tests.
  it("passes chevrotain's own validations", () => {
    // chevrotain throws "Parser Definition Errors detected: …" when one fails.
    expect(() => new FwParser({ validate: true })).not.toThrow();
  });
});
