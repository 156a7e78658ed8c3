// `fwlang import --from aws`'s core: hand-written AWS CLI JSON (test/fixtures/aws/, the EC2 API's
// field names and shapes) in, `.fw` text and the list of what it could not express out.
import { describe, expect, it } from 'vitest';
import { detectFormat, importConfig } from '../../server/src/convert/import';
import type { ImportResult } from '../../server/src/convert/write';
import { firewall, json } from './support';
import { errors } from './netfilterImport';

const ALL = ['network-acls.json', 'security-groups.json', 'subnets.json', 'network-interfaces.json'];

function imported(files: string[], extra: { name: string; json: unknown }[] = []): ImportResult {
  const r = importConfig([...files.map((f) => ({ name: f, json: json(f) })), ...extra], 'aws');
  if ('error' in r) throw new Error(r.error);
  return r;
}

describe('network ACLs (describe-network-acls + describe-subnets)', () => {
  const r = imported(ALL);

  it('an aws-nacl per ACL, protecting its associated subnets, entries in rule-number order, the * entries as the default deny', () => {
    expect(firewall(r.text, 'public-acl')).toEqual([
      'firewall public-acl aws-nacl protects public default deny {',
      '  90 inbound deny all from 203.0.113.0/24',
      '  100 inbound allow tcp from 0.0.0.0/0 to any port 443',
      '  110 inbound allow tcp from 198.51.100.0/24 to any port 22',
      '  120 inbound allow udp from 0.0.0.0/0 to any port 1024-65535',
      '  130 inbound allow icmp from 0.0.0.0/0',
      '  # not expressed: 140 inbound allow protocol 1 ICMP type 8 code 0 from 0.0.0.0/0: ' +
        'one ICMP type (8, code 0): a .fw icmp rule matches every ICMP type and code',
      '  150 inbound allow icmp from ::/0',
      '  160 inbound allow tcp from ::/0 to any port 1024-65535',
      '  # not expressed: 170 inbound allow protocol 50 from 0.0.0.0/0: protocol 50 has no word in .fw (only tcp, udp, icmp and all)',
      '  100 outbound allow tcp to 0.0.0.0/0 port 80',
      '  110 outbound allow tcp to 0.0.0.0/0 port 443',
      '  120 outbound allow tcp to 0.0.0.0/0 port 1024-65535',
      '  130 outbound allow all to ::/0',
      '}',
    ]);
    expect(r.text).toContain(
      '# network ACL acl-0a1b2c3d4e5f60001 in vpc-0a1b2c3d4e5f60001; the final * entries (32767, 32768) are its default deny\n',
    );
  });

  it('subnets become networks of their IPv4 and associated IPv6 CIDRs, named by their Name tag', () => {
    expect(r.text).toContain('\nnetwork public 10.0.0.0/24, 2600:1f18:abcd:1200::/64 # subnet-0a1b2c3d4e5f60001\n');
    // The private subnet's IPv6 block is disassociated: not part of it any more.
    expect(r.text).toContain('\nnetwork private 10.0.1.0/24 # subnet-0a1b2c3d4e5f60002\n');
  });

  it('an ACL without a Name tag is named by its ID; a subnet missing from describe-subnets gets a placeholder that says so', () => {
    expect(firewall(r.text, 'acl-0a1b2c3d4e5f60002')).toEqual([
      'firewall acl-0a1b2c3d4e5f60002 aws-nacl protects private, subnet-0a1b2c3d4e5f60003 default deny {',
      '  100 inbound allow all from 10.0.0.0/16',
      '  100 outbound allow all to 10.0.0.0/16',
      '}',
    ]);
    expect(r.text).toContain('(the VPC default)');
    expect(r.text).toContain(
      '\nnetwork subnet-0a1b2c3d4e5f60003 192.0.2.1/32, 2001:db8::1/128 # placeholder for subnet-0a1b2c3d4e5f60003: ' +
        'its CIDR is not in the input (give the JSON of aws ec2 describe-subnets too)\n',
    );
  });

  it('without describe-subnets, every subnet is a placeholder, named on the list', () => {
    const alone = imported(['network-acls.json']);
    expect(alone.unexpressed.filter((u) => u.startsWith('subnet-'))).toEqual([
      'subnet-0a1b2c3d4e5f60001 (associated with acl-0a1b2c3d4e5f60001): its CIDR is not in the input ' +
        '(give the JSON of aws ec2 describe-subnets too); 192.0.2.1/32, 2001:db8::1/128 stand for it',
      'subnet-0a1b2c3d4e5f60002 (associated with acl-0a1b2c3d4e5f60002): its CIDR is not in the input ' +
        '(give the JSON of aws ec2 describe-subnets too); 192.0.2.2/32, 2001:db8::2/128 stand for it',
      'subnet-0a1b2c3d4e5f60003 (associated with acl-0a1b2c3d4e5f60002): its CIDR is not in the input ' +
        '(give the JSON of aws ec2 describe-subnets too); 192.0.2.3/32, 2001:db8::3/128 stand for it',
    ]);
    expect(firewall(alone.text, 'public-acl')[0]).toBe('firewall public-acl aws-nacl protects subnet-0a1b2c3d4e5f60001 default deny {');
  });

  it('a * entry that is not the deny of everything, an ICMP entry of the other family, a bad CIDR: kept as comments and named', () => {
    const odd = {
      NetworkAcls: [
        {
          NetworkAclId: 'acl-0odd',
          Associations: [{ NetworkAclAssociationId: 'aclassoc-1', NetworkAclId: 'acl-0odd', SubnetId: 'subnet-0a1b2c3d4e5f60001' }],
          Entries: [
            { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'allow', RuleNumber: 32767 },
            {
              Ipv6CidrBlock: '::/0',
              Egress: false,
              Protocol: '1',
              RuleAction: 'allow',
              RuleNumber: 10,
              IcmpTypeCode: { Code: -1, Type: -1 },
            },
            {
              CidrBlock: '0.0.0.0/0',
              Egress: true,
              Protocol: '58',
              RuleAction: 'allow',
              RuleNumber: 10,
              IcmpTypeCode: { Code: -1, Type: -1 },
            },
            {
              CidrBlock: '10.0.0.0/33',
              Egress: true,
              Protocol: '6',
              RuleAction: 'deny',
              RuleNumber: 20,
              PortRange: { From: 0, To: 65535 },
            },
            { CidrBlock: '10.0.0.0/8', Egress: true, Protocol: '6', RuleAction: 'deny', RuleNumber: 30, PortRange: { From: 0, To: 65535 } },
          ],
          IsDefault: false,
          Tags: [{ Key: 'Name', Value: 'default' }],
          VpcId: 'vpc-1',
        },
      ],
    };
    const res = imported(['subnets.json'], [{ name: 'odd.json', json: odd }]);
    // `default` is a keyword: the ID names it. Every port (0-65535) is written as no port.
    expect(firewall(res.text, 'acl-0odd')).toEqual([
      'firewall acl-0odd aws-nacl protects public default deny {',
      '  # not expressed: 10 inbound allow protocol 1 ICMP type -1 code -1 from ::/0: ' +
        'ICMP with IPv6 addresses: a .fw icmp rule means ICMP for IPv4 and ICMPv6 for IPv6',
      '  # not expressed: 32767 inbound allow protocol -1 from 0.0.0.0/0: an entry numbered above 32766 other than the final `*` deny',
      '  # not expressed: 10 outbound allow protocol 58 ICMP type -1 code -1 to 0.0.0.0/0: ' +
        'ICMPv6 with IPv4 addresses: a .fw icmp rule means ICMP for IPv4 and ICMPv6 for IPv6',
      '  # not expressed: 20 outbound deny protocol 6 ports 0-65535 to 10.0.0.0/33: 10.0.0.0/33 is not a CIDR block',
      '  30 outbound deny tcp to 10.0.0.0/8',
      '}',
    ]);
    expect(res.unexpressed).toEqual([
      'acl-0odd entry 10: inbound allow protocol 1 ICMP type -1 code -1 from ::/0: ICMP with IPv6 addresses: ' +
        'a .fw icmp rule means ICMP for IPv4 and ICMPv6 for IPv6',
      'acl-0odd entry 32767: inbound allow protocol -1 from 0.0.0.0/0: an entry numbered above 32766 other than the final `*` deny',
      'acl-0odd entry 10: outbound allow protocol 58 ICMP type -1 code -1 to 0.0.0.0/0: ICMPv6 with IPv4 addresses: ' +
        'a .fw icmp rule means ICMP for IPv4 and ICMPv6 for IPv6',
      'acl-0odd entry 20: outbound deny protocol 6 ports 0-65535 to 10.0.0.0/33: 10.0.0.0/33 is not a CIDR block',
    ]);
  });
});

describe('security groups (describe-security-groups + describe-network-interfaces)', () => {
  const r = imported(ALL);

  it('an aws-sg per group protecting its members, one allow rule per range, descriptions as comments', () => {
    expect(firewall(r.text, 'web-sg')).toEqual([
      'firewall web-sg aws-sg protects web1, web2 default deny {',
      '  inbound allow tcp from 0.0.0.0/0 to any port 443 # HTTPS from anywhere',
      '  inbound allow tcp from ::/0 to any port 443 # HTTPS over IPv6',
      '  inbound allow tcp from bastion-members to any port 22 # ssh from the bastions',
      '  # not expressed: inbound allow protocol icmp ICMP type 8 code -1 from 10.0.0.0/16: ' +
        'one ICMP type (8, code -1): a .fw icmp rule matches every ICMP type and code',
      '  inbound allow icmp from 2600:1f18:abcd:1200::/56',
      '  outbound allow tcp to sg-0a1b2c3d4e5f60002-members port 5432',
      '  # not expressed: outbound allow protocol tcp port 443 to pl-63a5400a: prefix list pl-63a5400a: its CIDRs are not in the input',
      '}',
    ]);
    expect(r.text).toContain('# security group sg-0a1b2c3d4e5f60001 "web" in vpc-0a1b2c3d4e5f60001 — web servers\n');
  });

  it('members are their interfaces: a host per address, a network when it has several (IPv4 and IPv6)', () => {
    expect(r.text).toContain('\nnetwork web1 10.0.0.10/32, 2600:1f18:abcd:1200::10/128 # eni-0a1b2c3d4e5f60001\n');
    expect(r.text).toContain('\nnetwork web2 10.0.0.11/32, 10.0.0.12/32 # eni-0a1b2c3d4e5f60002\n');
    expect(r.text).toContain('\nhost eni-0a1b2c3d4e5f60003 10.0.1.20\n');
    expect(r.text).toContain('\nhost bastion1 10.0.0.5 # eni-0a1b2c3d4e5f60004\n');
  });

  it("a rule naming a group (UserIdGroupPairs, itself included) names a network of that group's members", () => {
    expect(r.text).toContain(
      '\nnetwork web-sg-members 10.0.0.10/32, 2600:1f18:abcd:1200::10/128, 10.0.0.11/32, 10.0.0.12/32 # the members of sg-0a1b2c3d4e5f60001\n',
    );
    expect(firewall(r.text, 'sg-0a1b2c3d4e5f60002')).toEqual([
      'firewall sg-0a1b2c3d4e5f60002 aws-sg protects eni-0a1b2c3d4e5f60003 default deny {',
      '  inbound allow tcp from web-sg-members to any port 5432',
      '  inbound allow all from sg-0a1b2c3d4e5f60002-members',
      '  inbound allow tcp from sg-0ffeeffeeffee0001-members to any port 5432 # reporting, in a peered VPC',
      '}',
    ]);
    expect(firewall(r.text, 'bastion')).toEqual([
      'firewall bastion aws-sg protects bastion1 default deny {',
      '  inbound allow tcp from 198.51.100.0/24 to any port 22 # office',
      '  outbound allow all to 0.0.0.0/0',
      '  outbound allow all to ::/0',
      '}',
    ]);
  });

  it('a group in another account or VPC, with no member in the input, is a placeholder that says where it lives', () => {
    expect(r.text).toContain(
      '\nnetwork sg-0ffeeffeeffee0001-members 192.0.2.2/32, 2001:db8::2/128 # placeholder for the members of sg-0ffeeffeeffee0001: ' +
        'none of the network interfaces in the input is a member of it (sg-0ffeeffeeffee0001, account 444455556666, vpc-0ffeeffeeffee0001, ' +
        'through pcx-0a1b2c3d4e5f60001 (active))\n',
    );
  });

  it('everything not expressed is named once: the unknown insides first, then the rules in output order', () => {
    expect(r.unexpressed).toEqual([
      'subnet-0a1b2c3d4e5f60003 (associated with acl-0a1b2c3d4e5f60002): its CIDR is not in the input ' +
        '(give the JSON of aws ec2 describe-subnets too); 192.0.2.1/32, 2001:db8::1/128 stand for it',
      'acl-0a1b2c3d4e5f60001 entry 140: inbound allow protocol 1 ICMP type 8 code 0 from 0.0.0.0/0: ' +
        'one ICMP type (8, code 0): a .fw icmp rule matches every ICMP type and code',
      'acl-0a1b2c3d4e5f60001 entry 170: inbound allow protocol 50 from 0.0.0.0/0: protocol 50 has no word in .fw (only tcp, udp, icmp and all)',
      'sg-0a1b2c3d4e5f60001 IpPermissions: inbound allow protocol icmp ICMP type 8 code -1 from 10.0.0.0/16: ' +
        'one ICMP type (8, code -1): a .fw icmp rule matches every ICMP type and code',
      'sg-0a1b2c3d4e5f60001 IpPermissionsEgress: outbound allow protocol tcp port 443 to pl-63a5400a: prefix list pl-63a5400a: its CIDRs are not in the input',
      'sg-0ffeeffeeffee0001: none of the network interfaces in the input is a member of it (sg-0ffeeffeeffee0001, account 444455556666, ' +
        'vpc-0ffeeffeeffee0001, through pcx-0a1b2c3d4e5f60001 (active)); 192.0.2.2/32, 2001:db8::2/128 stand for them',
    ]);
    expect(r.text.split('\n').slice(0, 2)).toEqual([
      '# Imported by `fwlang import --from aws`: 2 network ACLs, 3 security groups.',
      '# 6 items could not be expressed: see the "not expressed" and "placeholder" comments.',
    ]);
  });

  it('without describe-network-interfaces, each group protects a placeholder for its members', () => {
    const alone = imported(['security-groups.json']);
    expect(firewall(alone.text, 'bastion')[0]).toBe('firewall bastion aws-sg protects bastion-members default deny {');
    expect(alone.unexpressed).toContain(
      'sg-0a1b2c3d4e5f60003: its members are not in the input (give the JSON of aws ec2 describe-network-interfaces too); ' +
        '192.0.2.1/32, 2001:db8::1/128 stand for them',
    );
  });
});

describe('addresses .fw cannot write', () => {
  it('a subnet CIDR or an interface address that is not one is left out and named', () => {
    const r = imported(
      [],
      [
        {
          name: 'odd.json',
          json: {
            Subnets: [{ SubnetId: 'subnet-1', CidrBlock: '10.0.0.0/24', Ipv6CidrBlockAssociationSet: [{ Ipv6CidrBlock: 'fe80::/999' }] }],
            NetworkInterfaces: [
              { NetworkInterfaceId: 'eni-1', Groups: [{ GroupId: 'sg-1' }], PrivateIpAddresses: [{ PrivateIpAddress: '10.0.0.300' }] },
            ],
            NetworkAcls: [{ NetworkAclId: 'acl-1', Associations: [{ SubnetId: 'subnet-1' }], Entries: [] }],
          },
        },
      ],
    );
    expect(r.text).toContain('\nnetwork subnet-1 10.0.0.0/24\n');
    expect(r.unexpressed).toEqual(['subnet-1: fe80::/999 is not a CIDR block; left out', 'eni-1: 10.0.0.300 is not an address; left out']);
  });

  it('an IPv6 CIDR that only looks like one (a group of eight digits) is named, not written', () => {
    const r = imported(
      [],
      [
        {
          name: 'odd.json',
          json: {
            SecurityGroups: [
              {
                GroupId: 'sg-1',
                IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '1e400f18:abcd:1200::/56' }, { CidrIpv6: '2001:db8::/56' }] }],
              },
            ],
          },
        },
      ],
    );
    expect(r.unexpressed).toContain(
      'sg-1 IpPermissions: inbound allow protocol -1 from 1e400f18:abcd:1200::/56: 1e400f18:abcd:1200::/56 is not a CIDR block',
    );
    expect(r.text).toContain('inbound allow all from 2001:db8::/56');
    expect(errors(r.text)).toEqual([]);
  });
});

describe('an input AWS would not give', () => {
  it('two entries of one ACL with one number in one direction: the first is kept, the second named (the .fw has no rule-numbering error)', () => {
    const entry = (n: number, port: number, egress = false) => ({
      RuleNumber: n,
      Protocol: '6',
      RuleAction: 'allow',
      Egress: egress,
      CidrBlock: '0.0.0.0/0',
      PortRange: { From: port, To: port },
    });
    const r = imported(
      [],
      [
        {
          name: 'twice.json',
          json: {
            Subnets: [{ SubnetId: 'subnet-1', CidrBlock: '10.0.0.0/24' }],
            NetworkAcls: [
              {
                NetworkAclId: 'acl-1',
                Associations: [{ SubnetId: 'subnet-1' }],
                Entries: [entry(100, 443), entry(100, 22), entry(100, 80, true)],
              },
            ],
          },
        },
      ],
    );
    expect(firewall(r.text, 'acl-1')).toEqual([
      'firewall acl-1 aws-nacl protects subnet-1 default deny {',
      '  100 inbound allow tcp from 0.0.0.0/0 to any port 443',
      '  # not expressed: 100 inbound allow protocol 6 port 22 from 0.0.0.0/0: inbound entry 100 is in the input twice (a network ACL has one per number); the first is kept',
      '  100 outbound allow tcp to 0.0.0.0/0 port 80',
      '}',
    ]);
    expect(r.unexpressed).toEqual([
      'acl-1 entry 100: inbound allow protocol 6 port 22 from 0.0.0.0/0: inbound entry 100 is in the input twice (a network ACL has one per number); the first is kept',
    ]);
    expect(errors(r.text)).toEqual([]);
  });
});

describe('names and formats', () => {
  it('a Name tag becomes an identifier; clashes with keywords, built-ins and each other fall back to the ID, then a number', () => {
    const groups = {
      SecurityGroups: [
        {
          GroupId: 'sg-1',
          GroupName: 'a',
          Tags: [{ Key: 'Name', Value: 'web servers (prod)' }],
          IpPermissions: [],
          IpPermissionsEgress: [],
        },
        { GroupId: 'sg-2', GroupName: 'b', Tags: [{ Key: 'Name', Value: 'https' }], IpPermissions: [], IpPermissionsEgress: [] },
        { GroupId: 'sg-3', GroupName: 'c', Tags: [{ Key: 'Name', Value: '1st' }], IpPermissions: [], IpPermissionsEgress: [] },
        { GroupId: 'sg-4', GroupName: 'd', Tags: [{ Key: 'Name', Value: '1st' }], IpPermissions: [], IpPermissionsEgress: [] },
      ],
    };
    const r = imported([], [{ name: 'g.json', json: groups }]);
    const names = r.text.split('\n').flatMap((l) => /^firewall (\S+)/.exec(l)?.[1] ?? []);
    expect(names).toEqual(['web-servers-prod', 'sg-2', '_1st', 'sg-4']);
  });

  it('the format is recognised from the content: AWS CLI JSON by its top-level key', () => {
    for (const f of ALL) expect(detectFormat(json(f))).toBe('aws');
    expect(detectFormat({ values: { root_module: {} } })).toBe('terraform');
    expect(detectFormat({ Reservations: [] })).toBeUndefined();
    const r = importConfig(ALL.map((f) => ({ name: f, json: json(f) })));
    expect('text' in r && r.text).toBe(imported(ALL).text);
  });

  it('input not of the format is one line that names it', () => {
    expect(importConfig([{ name: 'x.json', json: { Reservations: [] } }], 'aws')).toEqual({
      error:
        'x.json: not the JSON of aws ec2 describe-network-acls, describe-security-groups, describe-subnets or ' +
        'describe-network-interfaces (no NetworkAcls, SecurityGroups, Subnets, NetworkInterfaces list at the top)',
    });
    expect(importConfig([{ name: 'x.json', json: [1, 2] }])).toEqual({
      error: 'x.json: not a format fwlang can import (AWS CLI JSON, terraform show -json, iptables-save text or nft -j list ruleset JSON)',
    });
    expect(
      importConfig([
        { name: 'a.json', json: json('subnets.json') },
        { name: 'b.json', json: { values: { root_module: {} } } },
      ]),
    ).toEqual({
      error: 'b.json: terraform JSON among aws JSON: import one format at a time',
    });
  });
});
