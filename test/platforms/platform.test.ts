// Spec §10: what an `aws-nacl` and an `aws-sg` can express (`platform-unsupported`), their
// default quotas (`platform-limit`), and the statefulness the platform fixes.

import { describe, expect, it } from 'vitest';
import { buildModel } from '../../server/src/model/resolve';
import { expectFixture } from '../support/fixture';

const RESPONSES = ['missing-response', 'partial-response', 'broad-response', 'orphan-response', 'stateful-response', 'redundant-rule'];
const fixture = (text: string) => expectFixture(text, { ignore: RESPONSES });

const NAMES = `network internet 0.0.0.0/0
network public   10.0.0.0/24
network private  10.0.1.0/24
host    web      10.0.0.10
host    web2     10.0.0.11
host    db       10.0.1.5
`;

describe('platforms (spec §10)', () => {
  it('parses the two kinds; the platform fixes the mode', () => {
    const m = buildModel(
      '/t.fw',
      `${NAMES}
firewall acl aws-nacl protects public, private { }
firewall sg aws-sg protects web { }
`,
    );
    expect(m.diagnostics).toEqual([]);
    const [acl, sg] = m.firewalls;
    expect([acl!.platform, acl!.mode, acl!.insides.length]).toEqual(['aws-nacl', 'stateless', 2]);
    expect([sg!.platform, sg!.mode, sg!.insides.length]).toEqual(['aws-sg', 'stateful', 1]);
  });

  it('an aws-nacl: source ports, default allow and a partial inside side are unsupported', () => {
    fixture(`${NAMES}
firewall acl aws-nacl protects public default allow {
#                                             ^^^^^ error platform-unsupported "\`default allow\` cannot be expressed"
  100 inbound  allow tcp from internet to public port 443
  110 outbound allow tcp from public port 443 to internet port 1024-65535
#                                    ^^^^^^^^ error platform-unsupported "cannot name a source port"
  120 inbound  allow tcp from internet to web port 22
#                                         ^^^ error platform-unsupported "the destination of an inbound rule" "\`web\` is less"
  130 outbound allow tcp from web to internet port 443
#                             ^^^ error platform-unsupported "the source of an outbound rule"
  140 inbound  deny  tcp from internet to any port 3389
  150 outbound allow tcp to internet port 1024-65535
  160 inbound  allow tcp from internet port 0-65535 to 10.0.0.0/16 port 8080
}
`);
  });

  it('an aws-sg: numbers, deny, source ports, default allow and a partial inside side are unsupported', () => {
    fixture(`${NAMES}
firewall sg aws-sg protects web, web2 default allow {
#                                             ^^^^^ error platform-unsupported "\`default allow\`"
  100 inbound allow tcp from internet to web port 443
# ^^^ error platform-unsupported "not numbered"
#                                        ^^^ error platform-unsupported "every member of the group" "\`web\` is less"
}
firewall sg2 aws-sg protects web {
  inbound deny tcp from internet to web port 22
#         ^^^^ error platform-unsupported "allow rules only"
  inbound allow tcp from internet port 1024-65535 to web port 443
#                                 ^^^^^^^^^^^^^^^ error platform-unsupported "source port"
  outbound allow tcp to internet port 443
}
`);
  });

  it('generic firewalls may say all of it', () => {
    fixture(`${NAMES}
firewall f stateless protects public default allow {
  100 inbound  deny tcp from internet port 0-1023 to web port 22
}
firewall g stateful protects web, web2 {
  inbound deny tcp from internet to web port 22
}
`);
  });

  it('platform-limit: an ACL counts as AWS does, both families, every port range, the two * entries', () => {
    fixture(`${NAMES}
firewall big aws-nacl protects public {
  100 inbound allow tcp from any to public port [22, 80, 443, 8080, 8443]
  110 inbound allow udp from any to public port [53, 123, 500, 4500]
  120 inbound allow icmp from 192.0.2.0/24
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning platform-limit "21 inbound entries" "the two final \`*\` entries included" "default quota of 20"
  100 outbound allow tcp to internet port [1024-65535, 443]
}
`);
    // At exactly the quota (18 + 2 `*`) there is nothing to say.
    fixture(`${NAMES}
firewall big aws-nacl protects public {
  100 inbound allow tcp from any to public port [22, 80, 443, 8080, 8443]
  110 inbound allow udp from any to public port [53, 123, 500, 4500]
}
`);
  });

  it('platform-limit: a network of several prefixes counts each CIDR block; a security group has 60', () => {
    const rules = Array.from({ length: 30 }, (_, i) => `  inbound allow tcp from any to web port ${1000 + 2 * i}`).join('\n');
    fixture(`${NAMES}
firewall sg aws-sg protects web {
${rules}
  inbound allow tcp from 198.51.100.0/24 to web port 9999
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning platform-limit "61 inbound entries" "default quota of 60"
}
`);
    fixture(`${NAMES}
network offices 192.0.2.0/25, 198.51.100.0/24, 203.0.113.0/24
firewall acl aws-nacl protects public {
${Array.from({ length: 6 }, (_, i) => `  ${100 + i} inbound allow tcp from offices to public port ${2000 + 2 * i}`).join('\n')}
  200 inbound allow tcp from offices to public port 22
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning platform-limit "23 inbound entries"
}
`);
  });
});
