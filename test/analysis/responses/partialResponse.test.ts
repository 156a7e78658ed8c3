import { describe, expect, it } from 'vitest';
import { diagnosticAt, diagnostics, fixed, fixture } from './support';

const NAMES = `network internet  0.0.0.0/0
host    bob       198.51.100.23        ephemeral linux
host    catogram  10.0.1.10
network clients   10.9.0.0/24
service https     tcp 443
`;

describe('partial-response', () => {
  it('Linux clients against a response range of 49152-65535', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from bob to catogram port https
# ^ warning partial-response "only part of the responses of this request get back" "those to bob ports 32768-49151 are left out: the default deny drops them (outbound rule 110 allows the rest)" "Linux clients use 32768-60999; responses to ports 32768-49151 are dropped"
  110 outbound allow tcp from catogram port https to bob port 49152-65535
# ^ warning broad-response "ports 61000-65535"
}
`);
  });

  it('clients of every OS (wide) against 49152-65535: the Linux ones lose', () => {
    const a = fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from internet to catogram port https
# ^ warning partial-response "responses go outbound from 10.0.1.0/24, tcp from catogram port 443 to internet ports 1024-65535, but those to internet ports 1024-49151 are left out" "Linux clients use 32768-60999; responses to ports 32768-49151 are dropped"
  110 outbound allow tcp from catogram port https to internet port 49152-65535
}
`);
    const d = a.diagnostics.find((x) => x.code === 'partial-response')!;
    expect(d.message).not.toContain('Windows');
    expect(d.related?.map((r) => r.message)).toEqual(['this rule allows the other responses of inbound rule 100']);
  });

  it('an earlier deny makes it partial, and is named; a later one does not matter', () => {
    const a = fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from bob to catogram port https
# ^ warning partial-response "those to bob ports 32768-40000 are left out: outbound rule 105 drops them (outbound rule 110 allows the rest)"
  105 outbound deny  tcp to bob port 32768-40000
  110 outbound allow tcp from catogram port https to bob port ephemeral
  120 outbound deny  tcp to bob
}
`);
    const d = a.diagnostics.find((x) => x.code === 'partial-response')!;
    expect(d.related?.[0]).toMatchObject({ message: 'this rule drops part of the responses of inbound rule 100' });
    expect(a.model.text.slice(d.related![0]!.span.start, d.related![0]!.span.end)).toBe('105 outbound deny  tcp to bob port 32768-40000');
  });

  it('a deny numbered before the response rule but written after it', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from bob to catogram port https
# ^ warning partial-response "outbound rule 5 drops them"
  110 outbound allow tcp from catogram port https to bob port ephemeral
  5   outbound deny  tcp to bob port 40000-65535
}
`);
  });

  it('names the client addresses left out of a network', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound  allow tcp from clients to catogram port http
# ^ warning partial-response "those to 10.9.0.128/25 ports 1024-65535 are left out: the default deny drops them (the outbound rule on line 10 allows the rest)"
  outbound allow tcp from catogram port http to 10.9.0.0/25 port ephemeral
}
`);
  });

  it('names the address family left out', () => {
    const a = fixture(`network web 10.0.1.10/32, 2001:db8:1::10/128
firewall edge stateless protects 10.0.1.0/24, 2001:db8:1::/64 {
  inbound  allow tcp from any to web port 443
# ^ warning partial-response "outbound from 10.0.1.0/24 and 2001:db8:1::/64, tcp from web port 443 to any ports 1024-65535, but those from the IPv6 addresses of web to the IPv6 addresses of any ports 1024-65535 are left out"
  outbound allow tcp from web port 443 to 0.0.0.0/0 port ephemeral
}
`);
    // Whole addresses are left out, not ports: no word on client OS ranges.
    expect(a.diagnostics[0]!.message).not.toContain('Linux');
  });

  it('a both rule that answers no request needs its responses too', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound  allow tcp from internet to catogram
# ^ warning partial-response "the new connections this rule admits" "those from catogram ports 0-79,81-442,444-65535 to internet ports 1024-65535 are left out"
  outbound allow tcp from catogram port [http, https] to internet port ephemeral
}
`);
  });

  it('stays quiet when the responses all get back', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound  allow tcp from clients to catogram port http
  outbound allow tcp from catogram port http to 10.9.0.0/25 port ephemeral
  outbound allow tcp from catogram port http to 10.9.0.128/25 port 1024-65535
  inbound  allow udp from bob to catogram port 53
  outbound allow udp from catogram port 53 to bob port 32768-60999
}
`);
  });
});

describe('partial-response quick fix', () => {
  it('widens the one response rule when only its client ports fall short', () => {
    const text = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from internet to catogram port https
  110 outbound allow tcp from catogram port https to internet port 49152-65535
}
`;
    const d = diagnosticAt(text, 'partial-response');
    expect(d.fixes?.map((f) => [f.title, f.safe])).toEqual([
      ["Widen the response rule's client ports to ephemeral (1024-65535)", true],
      ['Add the response rule `111 outbound allow tcp from catogram port https to internet port ephemeral`', true],
    ]);
    const after = fixed(text, 'partial-response');
    expect(after).toBe(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from internet to catogram port https
  110 outbound allow tcp from catogram port https to internet port ephemeral
}
`);
    expect(diagnostics(after)).toEqual([]);
  });

  it('widens with a literal range when the endpoint has another ephemeral range', () => {
    const text = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from bob to catogram port https
  110 outbound allow tcp from catogram port https to bob port 49152-65535
}
`;
    const after = fixed(text, 'partial-response');
    expect(after).toContain('110 outbound allow tcp from catogram port https to bob port 32768-65535\n');
    expect(diagnostics(after, 'partial-response')).toEqual([]);
  });

  it('adds a rule before the deny when widening cannot help', () => {
    const text = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from bob to catogram port https
  105 outbound deny  tcp to bob port 32768-40000
  110 outbound allow tcp from catogram port https to bob port ephemeral
}
`;
    const d = diagnosticAt(text, 'partial-response');
    expect(d.fixes).toHaveLength(1);
    const after = fixed(text, 'partial-response');
    expect(after).toBe(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from bob to catogram port https
  100 outbound allow tcp from catogram port https to bob port ephemeral
  105 outbound deny  tcp to bob port 32768-40000
  110 outbound allow tcp from catogram port https to bob port ephemeral
}
`);
    expect(diagnostics(after, 'partial-response')).toEqual([]);
  });

  it('adds a rule for just the missing addresses, after the rule that serves the others', () => {
    const text = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound  allow tcp from clients to catogram port http
  outbound allow tcp from catogram port http to 10.9.0.0/25 port ephemeral
}
`;
    const after = fixed(text, 'partial-response');
    expect(after).toBe(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound  allow tcp from clients to catogram port http
  outbound allow tcp from catogram port http to 10.9.0.0/25 port ephemeral
  outbound allow tcp from catogram port http to 10.9.0.128/25 port 1024-65535
}
`);
    expect(diagnostics(after)).toEqual([]);
  });

  it('numbers the added rule after the serving rule when it can', () => {
    const text = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from clients to catogram port http
  110 outbound allow tcp from catogram port http to 10.9.0.0/25 port ephemeral
  120 outbound deny  all to any
}
`;
    const after = fixed(text, 'partial-response');
    expect(after).toContain(
      '  100 inbound  allow tcp from clients to catogram port http\n  111 outbound allow tcp from catogram port http to 10.9.0.128/25 port 1024-65535\n',
    );
    expect(diagnostics(after, 'partial-response')).toEqual([]);
    expect(diagnostics(after, 'orphan-response')).toEqual([]);
  });
});
