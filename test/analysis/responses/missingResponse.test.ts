import { describe, expect, it } from 'vitest';
import { diagnosticAt, diagnostics, fixed, fixture } from './support';

const NAMES = `network internet  0.0.0.0/0
host    bob       198.51.100.23        ephemeral linux
host    catogram  10.0.1.10
host    updates   203.0.113.50
host    timeserver 198.51.100.123
service https     tcp 443
`;

describe('missing-response', () => {
  it('fires on each request of the spec example when its response rule is gone', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from internet to catogram port https
# ^ warning missing-response "the response half of this request is missing: edge is stateless" "The responses go outbound from 10.0.1.0/24, tcp from catogram port 443 to internet ports 1024-65535, and nothing allows them: the default deny drops them"
  120 outbound allow tcp from catogram to updates port https
# ^ warning missing-response "inbound to 10.0.1.0/24, tcp from updates port 443 to catogram ports 1024-65535"
}
`);
  });

  it('names the deny rule that drops the responses, and points at it', () => {
    const a = fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  90  outbound deny  all to any
  100 inbound  allow tcp from internet to catogram port https
# ^ warning missing-response "nothing allows them: outbound rule 90 drops them"
  110 outbound allow tcp from catogram port https to internet port ephemeral
# ^ warning shadowed-rule "rule 90 comes first"
}
`);
    const d = a.diagnostics.find((x) => x.code === 'missing-response')!;
    expect(d.related?.map((r) => a.model.text.slice(r.span.start, r.span.end))).toEqual(['90  outbound deny  all to any']);
  });

  it('follows the numbers, not the file order', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  150 outbound allow tcp from catogram port https to internet port ephemeral
# ^ warning shadowed-rule "rule 100 comes first"
  200 inbound  allow tcp from internet to catogram port https
# ^ warning missing-response "outbound rule 100 drops them"
  100 outbound deny  tcp to internet
}
`);
    // Near miss: the same deny numbered after the response rule.
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  150 outbound allow tcp from catogram port https to internet port ephemeral
  200 inbound  allow tcp from internet to catogram port https
  300 outbound deny  tcp to internet
}
`);
  });

  it('names unnumbered rules by line', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  outbound deny tcp to internet port 1024-65535
  inbound  allow tcp from internet to catogram port https
# ^ warning missing-response "the outbound rule on line 9 drops them"
}
`);
  });

  it('checks both rules (all, icmp, no ports) that answer no request', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound allow all from updates to catogram
# ^ warning missing-response "the new connections this rule admits" "outbound from 10.0.1.0/24, packets of every protocol from catogram to updates"
  inbound allow icmp from internet to catogram
# ^ warning missing-response "outbound from 10.0.1.0/24, icmp from catogram to internet,"
  inbound allow udp from bob to catogram
# ^ warning missing-response "udp from catogram to bob ports 32768-60999"
}
`);
  });

  it('works for IPv6, where an IPv4 response rule answers nothing', () => {
    fixture(`host web6 2001:db8:1::10
firewall v6edge stateless protects 2001:db8:1::/64 {
  inbound  allow tcp from any to web6 port https
# ^ warning missing-response "outbound from 2001:db8:1::/64, tcp from web6 port 443 to any ports 1024-65535"
  outbound allow tcp from web6 port https to 0.0.0.0/0 port ephemeral
# ^ warning shadowed-rule "is IPv6 and its destination"
}
`);
    fixture(`host web6 2001:db8:1::10
firewall v6edge stateless protects 2001:db8:1::/64 {
  inbound  allow tcp from any to web6 port https
  outbound allow tcp from web6 port https to any port ephemeral
}
`);
  });

  it('uses the source ports a request names as the client side', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  outbound allow udp from catogram port 123 to timeserver port ntp
# ^ warning missing-response "inbound to 10.0.1.0/24, udp from timeserver port 123 to catogram port 123,"
}
`);
  });

  it('stays quiet when nothing needs a response rule', () => {
    // Stateful: connection tracking answers.
    fixture(`${NAMES}
firewall sg stateful protects catogram {
  inbound  allow tcp from internet to catogram port https
  outbound allow tcp from catogram to updates port https
}
`);
    // Default allow lets the responses out.
    fixture(`${NAMES}
firewall open stateless protects 10.0.1.0/24 default allow {
  inbound allow tcp from internet to catogram port https
}
`);
    // A request that never crosses the firewall (both ends inside).
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound allow tcp from catogram to 10.0.1.20 port 22
}
`);
    // A request that earlier rules deny entirely has no responses to let back.
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  50  inbound deny  all from internet
  100 inbound allow tcp from internet to catogram port https
}
`);
    // Rules with errors are not analysed.
    expect(
      diagnostics(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound allow tcp from nowhere to catogram port https
}
`),
    ).toEqual([]);
  });
});

describe('missing-response quick fix', () => {
  const before = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from internet to catogram port https   # request in
  120 outbound allow tcp from catogram to updates port https
}
`;

  it('inserts the inverse rule after the request, numbered 10 above it, with the names as written', () => {
    const one = fixed(before, 'missing-response', 9);
    expect(one).toBe(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from internet to catogram port https   # request in
  110 outbound allow tcp from catogram port https to internet port ephemeral
  120 outbound allow tcp from catogram to updates port https
}
`);
    const two = fixed(one, 'missing-response', 11);
    expect(two).toBe(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from internet to catogram port https   # request in
  110 outbound allow tcp from catogram port https to internet port ephemeral
  120 outbound allow tcp from catogram to updates port https
  130 inbound allow tcp from updates port https to catogram port ephemeral
}
`);
    expect(diagnostics(two)).toEqual([]);
  });

  it('numbers the new rule below a deny that would drop the responses', () => {
    const text = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  90  outbound deny  all to any
  100 inbound  allow tcp from internet to catogram port https
}
`;
    const after = fixed(text, 'missing-response');
    expect(after).toBe(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  90  outbound deny  all to any
  100 inbound  allow tcp from internet to catogram port https
  89 outbound allow tcp from catogram port https to internet port ephemeral
}
`);
    expect(diagnostics(after, 'missing-response')).toEqual([]);
  });

  it('numbers out of file order', () => {
    const text = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  200 inbound  allow tcp from internet to catogram port https
  100 outbound deny  tcp to internet
}
`;
    const after = fixed(text, 'missing-response');
    expect(after).toContain(
      '  200 inbound  allow tcp from internet to catogram port https\n  99 outbound allow tcp from catogram port https to internet port ephemeral\n',
    );
    expect(diagnostics(after)).toEqual([]);
  });

  it('places the rule before an unnumbered deny that comes first in the file', () => {
    const text = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
    outbound deny tcp to internet port 1024-65535
  inbound  allow tcp from internet to catogram port https
}
`;
    const after = fixed(text, 'missing-response');
    expect(after).toBe(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
    outbound allow tcp from catogram port https to internet port ephemeral
    outbound deny tcp to internet port 1024-65535
  inbound  allow tcp from internet to catogram port https
}
`);
    expect(diagnostics(after)).toEqual([]);
  });

  it('writes icmp rules without ports, and source ports as written', () => {
    const text = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound allow icmp from internet to catogram
  outbound allow udp from catogram port 123 to timeserver port ntp
}
`;
    let t = fixed(text, 'missing-response', 9);
    t = fixed(t, 'missing-response', 11);
    expect(t).toBe(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound allow icmp from internet to catogram
  outbound allow icmp from catogram to internet
  outbound allow udp from catogram port 123 to timeserver port ntp
  inbound allow udp from timeserver port ntp to catogram port 123
}
`);
    expect(diagnostics(t)).toEqual([]);
  });

  it('answers an `all` rule with tcp and udp to the ephemeral ports and icmp, never every port (spec §8.1 rule 1)', () => {
    const text = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound allow all from updates to catogram
}
`;
    const d = diagnosticAt(text, 'missing-response');
    expect(d.fixes).toHaveLength(1);
    // The responses of other protocols cannot be written without opening every port, and
    // the tcp/udp rules cannot name a server port: offered, said, never applied by --fix.
    expect(d.fixes![0]!.safe).toBe(false);
    expect(d.fixes![0]!.title).toContain('also admits new connections');
    const t = fixed(text, 'missing-response', 9);
    expect(t).toBe(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound allow all from updates to catogram
  outbound allow tcp from catogram to updates port ephemeral
  outbound allow udp from catogram to updates port ephemeral
  outbound allow icmp from catogram to updates
}
`);
    expect(diagnostics(t, 'missing-response')).toEqual([]);
    expect(diagnostics(t, 'partial-response').map((x) => x.message)).toEqual([expect.stringContaining('of protocols other than')]);
  });

  it('keeps the new rule inside the braces when the request shares its line with them', () => {
    const text = `${NAMES}firewall edge stateless protects 10.0.1.0/24 { inbound allow tcp from internet to catogram port https }\n`;
    const after = fixed(text, 'missing-response');
    expect(after).toBe(
      `${NAMES}firewall edge stateless protects 10.0.1.0/24 { inbound allow tcp from internet to catogram port https\noutbound allow tcp from catogram port https to internet port ephemeral }\n`,
    );
    expect(diagnostics(after)).toEqual([]);
  });

  it('offers no fix when no number fits before the deny, or the numbering is mixed', () => {
    const noRoom = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  1   outbound deny  all to any
  100 inbound  allow tcp from internet to catogram port https
}
`;
    expect(diagnosticAt(noRoom, 'missing-response').fixes).toEqual([]);
    const mixed = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from internet to catogram port https
  outbound allow tcp from catogram to updates port https
}
`;
    expect(diagnostics(mixed, 'missing-response').map((d) => d.fixes)).toEqual([[], []]);
  });

  it('keeps CRLF line ends', () => {
    const text = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound allow tcp from internet to catogram port https
}
`.replace(/\n/g, '\r\n');
    const after = fixed(text, 'missing-response');
    expect(after).toContain('port https\r\n  110 outbound allow tcp from catogram port https to internet port ephemeral\r\n}');
    expect(diagnostics(after)).toEqual([]);
  });
});
