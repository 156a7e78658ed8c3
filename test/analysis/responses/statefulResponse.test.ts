import { describe, expect, it } from 'vitest';
import { diagnosticAt, diagnostics, fixed, fixture } from './support';

const NAMES = `network internet  0.0.0.0/0
host    catogram  10.0.1.10
host    updates   203.0.113.50
service https     tcp 443
`;

describe('stateful-response', () => {
  it('a response rule in a stateful firewall that serves one of its requests', () => {
    fixture(`${NAMES}
firewall sg stateful protects catogram {
  inbound  allow tcp from internet to catogram port https
  outbound allow tcp from catogram port https to internet port ephemeral
# ^ hint stateful-response "sg is stateful: connection tracking already lets the responses of the inbound rule on line 7 through, so this response rule is not needed for them"
  outbound allow tcp from catogram to updates port https
  inbound  allow tcp from updates port https to catogram port 1024-65535   # its response
# ^ hint stateful-response "the outbound rule on line 10"
}
`);
    const d = diagnosticAt(
      `${NAMES}
firewall sg stateful protects catogram {
  inbound  allow tcp from internet to catogram port https
  outbound allow tcp from catogram port https to internet port ephemeral
}
`,
      'stateful-response',
    );
    expect(d.tags).toEqual(['unnecessary']);
    expect(d.severity).toBe('hint');
  });

  it('names the first three of the requests it serves past four, and counts the rest', () => {
    const requests = [80, 81, 82, 83, 84].map((p) => `  inbound  allow tcp from internet to catogram port ${p}\n`).join('');
    fixture(`${NAMES}
firewall sg stateful protects catogram {
${requests}  outbound allow tcp from catogram port 80-84 to internet port ephemeral
# ^ hint stateful-response "the responses of the inbound rule on line 7, the inbound rule on line 8, the inbound rule on line 9 and 2 more through"
}
`);
  });

  it('stays quiet without response rules, for responses to no request, and in stateless firewalls', () => {
    fixture(`${NAMES}
firewall sg stateful protects catogram {
  inbound  allow tcp from internet to catogram port https
  outbound allow tcp from catogram to updates port https
}
`);
    fixture(`${NAMES}
firewall sg stateful protects catogram {
  outbound allow tcp from catogram port 8443 to internet port ephemeral
}
`);
    fixture(`${NAMES}
firewall edge stateless protects catogram {
  inbound  allow tcp from internet to catogram port https
  outbound allow tcp from catogram port https to internet port ephemeral
}
`);
  });
});

describe('stateful-response quick fix', () => {
  it('removes the whole line, comment included', () => {
    const text = `${NAMES}
firewall sg stateful protects catogram {
  inbound  allow tcp from internet to catogram port https
  outbound allow tcp from catogram port https to internet port ephemeral   # the response
}
`;
    const after = fixed(text, 'stateful-response');
    expect(after).toBe(`${NAMES}
firewall sg stateful protects catogram {
  inbound  allow tcp from internet to catogram port https
}
`);
    expect(diagnostics(after)).toEqual([]);
    expect(diagnosticAt(text, 'stateful-response').fixes?.[0]?.safe).toBe(true);
  });

  it('removes only the rule when it shares its line', () => {
    const text = `${NAMES}firewall sg stateful protects catogram { inbound allow tcp from internet to catogram port https
  outbound allow tcp from catogram port https to internet port ephemeral }
`;
    const after = fixed(text, 'stateful-response');
    expect(after).toBe(`${NAMES}firewall sg stateful protects catogram { inbound allow tcp from internet to catogram port https
   }
`);
    expect(diagnostics(after)).toEqual([]);
  });
});
