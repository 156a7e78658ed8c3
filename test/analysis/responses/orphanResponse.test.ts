import { describe, it } from 'vitest';
import { fixture } from './support';

const NAMES = `network internet  0.0.0.0/0
host    catogram  10.0.1.10
service https     tcp 443
`;

describe('orphan-response', () => {
  it('a response rule with no request', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  110 outbound allow tcp from catogram port https to internet port ephemeral
# ^ info orphan-response "this response rule answers no request: it would let through the responses of requests going inbound to 10.0.1.0/24, tcp from internet (ports 1024-65535) to catogram port 443, but no rule of edge allows such requests"
}
`);
  });

  it('a response rule whose request is denied before it is tried', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  50  inbound  deny  tcp from internet to catogram port https
  100 inbound  allow tcp from internet to catogram port https
  110 outbound allow tcp from catogram port https to internet port ephemeral
# ^ info orphan-response
}
`);
  });

  it('a response rule for another server, or in the wrong direction', () => {
    fixture(`${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound  allow tcp from internet to catogram port https
  outbound allow tcp from catogram port https to internet port ephemeral
  outbound allow tcp from 10.0.1.11 port https to internet port ephemeral
# ^ info orphan-response "tcp from internet (ports 1024-65535) to 10.0.1.11 port 443"
  inbound  allow tcp from internet port https to catogram port ephemeral
# ^ info orphan-response "requests going outbound from 10.0.1.0/24, tcp from catogram (ports 1024-65535) to internet port 443"
}
`);
  });

  it('not an orphan: it serves a request, or a both rule that answers nothing; not in stateful firewalls', () => {
    fixture(
      `${NAMES}
firewall edge stateless protects 10.0.1.0/24 {
  inbound  allow tcp from internet to catogram port https
  outbound allow tcp from catogram port https to internet port ephemeral
  inbound  allow udp from internet to catogram
  outbound allow udp from catogram port 1-65535 to internet port ephemeral
# (the udp both rule's responses from port 0 are dropped)
}
`.replace(
        '  inbound  allow udp from internet to catogram\n',
        '  inbound  allow udp from internet to catogram\n# ^ warning partial-response "those from catogram port 0"\n',
      ),
    );
    fixture(`${NAMES}
firewall sg stateful protects catogram {
  outbound allow tcp from catogram port https to internet port ephemeral
}
`);
  });
});
