import { describe, expect, it } from 'vitest';
import { diagnostics, fixed, fixture } from './support';

const NAMES = `network internet  0.0.0.0/0
host    bob       198.51.100.23        ephemeral linux
host    win       198.51.100.24        ephemeral windows
host    catogram  10.0.1.10
host    updates   203.0.113.50
service https     tcp 443
`;

describe('broad-response', () => {
  it('a response rule to any port 0-65535: ports below 1024 and ports no client uses', () => {
    const a = fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from bob to catogram port https
  110 outbound allow tcp from catogram port https to any port 0-65535
# ^ warning broad-response "lets packets reach ports 0-1023 of any (outbound from 10.0.1.0/24), below 1024" "the clients of inbound rule 100 use 32768-60999"
# ^ warning broad-response "opens ports 1024-32767,61000-65535 of any (outbound from 10.0.1.0/24) that no client of the requests it serves uses: the clients of inbound rule 100 use 32768-60999"
}
`);
    for (const d of a.diagnostics) {
      expect(d.related?.[0]?.message).toBe('a request this rule answers; its clients use 32768-60999');
      expect(d.fixes?.every((f) => !f.safe)).toBe(true);
    }
  });

  it('a general both rule (a port below 1024) is a request, not a broad response (spec §7)', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from bob to catogram port https
  100 outbound allow tcp from catogram to any port 0-65535
# ^ warning missing-response "tcp from any to catogram ports 1024-65535"
}
`);
  });

  it("AWS's classic inbound 1024-65535 return-traffic rule: only (c)", () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from 0.0.0.0/0 to catogram port 1024-65535
# ^ warning broad-response "no source port, so besides the responses of outbound rule 100 it also lets NEW connections from 0.0.0.0/0 reach ports 1024-65535 of catogram (inbound to 10.0.1.0/24)"
  100 outbound allow tcp from catogram to updates port https
}
`);
  });

  it('a response rule with a source port that opens ports below 1024: only (a)', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from internet to catogram port https
  110 outbound allow tcp from catogram port https to internet port 0-65535
# ^ warning broad-response "ports 0-1023"
}
`);
  });

  it('stays quiet when the response rule opens what the clients need', () => {
    // The spec example.
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from internet to catogram port https
  110 outbound allow tcp from catogram port https to internet port ephemeral
  120 outbound allow tcp from catogram to updates port https
  130 inbound  allow tcp from updates port https to catogram port ephemeral
}
`);
    // Several requests: the union of their clients' ranges counts.
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound  allow tcp from bob to catogram port https
  inbound  allow tcp from win to catogram port https
  outbound allow tcp from catogram port https to any port 32768-65535
}
`);
    // What an earlier rule already denies is not opened by this one.
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from internet to catogram port https
  105 outbound deny  tcp to internet port 0-1023
  110 outbound allow tcp from catogram port https to internet
}
`);
    // A response rule that serves no request is an orphan, not broad.
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  110 outbound allow tcp from catogram port https to internet port 0-65535
# ^ info orphan-response
}
`);
  });
});

describe('broad-response quick fixes', () => {
  const text = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from bob to catogram port https
  110 outbound allow tcp from catogram port https to any port 0-65535
}
`;
  const line = 10;

  it("(a) drops the ports below 1024 (here leaving any's own range, written `ephemeral`)", () => {
    const after = fixed(text, 'broad-response', line, 'no ports below 1024');
    expect(after).toContain('  110 outbound allow tcp from catogram port https to any port ephemeral\n');
    expect(diagnostics(after, 'broad-response').map((d) => d.message)).not.toContainEqual(expect.stringContaining('below 1024'));
  });

  it("(b) keeps only the served clients' ranges", () => {
    const d = diagnostics(text, 'broad-response').find((x) => x.message.includes('no client'))!;
    const after = fixed(text, 'broad-response', line, "served clients' ranges");
    expect(d.fixes![0]!.title).toBe("Narrow the client ports to [0-1023, 32768-60999] (only the served clients' ranges)");
    expect(after).toContain('  110 outbound allow tcp from catogram port https to any port [0-1023, 32768-60999]\n');
    expect(diagnostics(after, 'broad-response').map((d) => d.message)).not.toContainEqual(expect.stringContaining('no client'));
  });

  it('(c) adds the served requests’ server ports as the source port, as written', () => {
    const aws = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from bob to catogram port https
  100 outbound allow tcp from catogram to any port 1024-65535
}
`;
    const after = fixed(aws, 'broad-response', line, 'Allow only responses from port 443');
    expect(after).toContain('  100 outbound allow tcp from catogram port https to any port 1024-65535\n');
    expect(diagnostics(after, 'broad-response').map((d) => d.message)).not.toContainEqual(expect.stringContaining('no source port'));
    expect(diagnostics(after, 'missing-response')).toEqual([]);
  });

  it('(c) on the AWS rule, and (b) to the endpoint’s own range written as `ephemeral`', () => {
    const aws = `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from 0.0.0.0/0 to catogram port 1024-65535
  100 outbound allow tcp from catogram to updates port https
}
`;
    const after = fixed(aws, 'broad-response');
    expect(after).toContain('  100 inbound  allow tcp from 0.0.0.0/0 port https to catogram port 1024-65535\n');
    expect(diagnostics(after)).toEqual([]);

    const linux = `host srv 10.0.1.20 ephemeral linux
host mirror 203.0.113.80
firewall edge stateless protects 10.0.1.0/24 {
  outbound allow tcp from srv to mirror port 443
  inbound  allow tcp from mirror port 443 to srv port 1024-65535
}
`;
    const narrowed = fixed(linux, 'broad-response');
    expect(narrowed).toContain('  inbound  allow tcp from mirror port 443 to srv port ephemeral\n');
    expect(diagnostics(narrowed)).toEqual([]);
  });

  it('adds the missing `from` or `to` clause when the rule has none', () => {
    const noTo = `host srv 10.0.1.20 ephemeral linux
firewall edge stateless protects 10.0.1.0/24 {
  outbound allow tcp from srv to any port 443
  inbound  allow tcp from any port 443
}
`;
    const ds = diagnostics(noTo, 'broad-response');
    expect(ds).toHaveLength(2);
    const texts = ds.map((d) => fixed(noTo, 'broad-response', 4, d.fixes![0]!.title).split('\n')[3]);
    expect(texts).toEqual([
      '  inbound  allow tcp from any port 443 to any port ephemeral',
      '  inbound  allow tcp from any port 443 to any port [0-1023, 32768-60999]',
    ]);
    const noFrom = `host srv 10.0.1.20 ephemeral linux
firewall edge stateless protects 10.0.1.0/24 {
  outbound allow tcp from srv to any port 443
  inbound  allow tcp to srv port ephemeral
}
`;
    const c = diagnostics(noFrom, 'broad-response');
    expect(c).toHaveLength(1);
    expect(fixed(noFrom, 'broad-response', 4, c[0]!.fixes![0]!.title).split('\n')[3]).toBe(
      '  inbound  allow tcp from any port 443 to srv port ephemeral',
    );
  });
});
