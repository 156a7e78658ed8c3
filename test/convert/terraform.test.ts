// `fwlang import --from terraform`: the JSON of `terraform show -json` (a state's `values`, a
// plan's `planned_values` with its `configuration`), child modules included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importConfig } from '../../server/src/convert/import';
import { baseAddress } from '../../server/src/convert/terraform';
import type { ImportResult } from '../../server/src/convert/write';
import { firewall, json } from './support';

function imported(f: string): ImportResult {
  const r = importConfig([{ name: f, json: json(f) }]);
  if ('error' in r) throw new Error(r.error);
  return r;
}

describe('a state (values.root_module, child modules included)', () => {
  const r = imported('terraform-state.json');

  it('aws_network_acl with its ingress/egress blocks and an aws_network_acl_rule, protecting its subnet_ids', () => {
    expect(firewall(r.text, 'public-acl')).toEqual([
      'firewall public-acl aws-nacl protects public default deny {',
      '  90 inbound deny all from 203.0.113.0/24',
      '  100 inbound allow tcp from 0.0.0.0/0 to any port 443',
      '  110 inbound allow tcp from ::/0 to any port 1024-65535',
      '  120 inbound allow icmp from 0.0.0.0/0',
      '  # not expressed: 130 inbound allow protocol icmp ICMP type 3 code 4 from 0.0.0.0/0: ' +
        'one ICMP type (3, code 4): a .fw icmp rule matches every ICMP type and code',
      '  100 outbound allow all to 0.0.0.0/0',
      '}',
    ]);
    expect(r.text).toContain('\nnetwork public 10.0.0.0/24, 2600:1f18:abcd:1200::/64 # subnet-0a1b2c3d4e5f60001\n');
  });

  it('a child module: aws_network_acl_association gives the subnet, aws_network_acl_rule the rules', () => {
    expect(r.text).toContain('\nnetwork private 10.0.1.0/24 # subnet-0a1b2c3d4e5f60002\n');
    // `private` names the subnet (its Name tag): the ACL, without one, falls back to its ID.
    expect(firewall(r.text, 'acl-0a1b2c3d4e5f60002')).toEqual([
      'firewall acl-0a1b2c3d4e5f60002 aws-nacl protects private default deny {',
      '  100 inbound allow tcp from 10.0.0.0/16 to any port 5432',
      '  100 outbound allow tcp to 10.0.0.0/16 port 1024-65535',
      '}',
    ]);
  });

  it('aws_security_group blocks (cidr_blocks, ipv6_cidr_blocks, security_groups, self, prefix_list_ids) and the vpc rule resources', () => {
    expect(firewall(r.text, 'web-sg')).toEqual([
      'firewall web-sg aws-sg protects web1 default deny {',
      '  inbound allow tcp from 0.0.0.0/0 to any port 443 # HTTPS',
      '  inbound allow tcp from ::/0 to any port 443 # HTTPS',
      '  inbound allow all from sg-0a1b2c3d4e5f60003-members # between web servers',
      '  inbound allow all from web-sg-members # between web servers',
      '  # not expressed: outbound allow protocol tcp port 443 to pl-63a5400a: prefix list pl-63a5400a: its CIDRs are not in the input',
      '}',
    ]);
    expect(firewall(r.text, 'db')).toEqual([
      'firewall db aws-sg protects db1 default deny {',
      '  inbound allow tcp from web-sg-members to any port 5432 # from the web servers',
      '  outbound allow all to 10.0.0.0/16',
      '}',
    ]);
    expect(r.text).toContain('\nnetwork web1 10.0.0.10/32, 2600:1f18:abcd:1200::10/128 # i-0a1b2c3d4e5f60001\n');
    expect(r.text).toContain('\nhost db1 10.0.1.20 # eni-0a1b2c3d4e5f60003\n');
  });

  it('names what it could not express', () => {
    expect(r.unexpressed).toEqual([
      'aws_network_acl.public rule 130: inbound allow protocol icmp ICMP type 3 code 4 from 0.0.0.0/0: ' +
        'one ICMP type (3, code 4): a .fw icmp rule matches every ICMP type and code',
      'sg-0a1b2c3d4e5f60003: none of the instances and network interfaces in the input is a member of it; ' +
        '192.0.2.1/32, 2001:db8::1/128 stand for them',
      'aws_security_group.web: outbound allow protocol tcp port 443 to pl-63a5400a: prefix list pl-63a5400a: its CIDRs are not in the input',
    ]);
  });
});

describe('a plan (planned_values): IDs unknown until applied are found through configuration', () => {
  const r = imported('terraform-plan.json');

  it('subnet_ids, network_acl_id (of a counted rule too) and vpc_security_group_ids resolve to the planned resources', () => {
    expect(r.text).toContain('\nnetwork app 10.0.2.0/24 # aws_subnet.app\n');
    expect(firewall(r.text, 'app-acl')).toEqual([
      'firewall app-acl aws-nacl protects app default deny {',
      '  100 inbound allow tcp from 0.0.0.0/0 to any port 443',
      '  100 outbound allow tcp to 0.0.0.0/0 port 1024-65535',
      '}',
    ]);
    expect(r.text).toContain('\nhost app1 10.0.2.10 # aws_instance.app\n');
    expect(firewall(r.text, 'aws_security_group-app')[0]).toBe('firewall aws_security_group-app aws-sg protects app1 default deny {');
  });

  it('a reference to a variable cannot be resolved: said, with a placeholder', () => {
    expect(r.unexpressed).toEqual([
      'aws_network_acl.spare: its subnet_ids are known only after apply; 192.0.2.1/32, 2001:db8::1/128 stand for its subnets',
    ]);
  });

  it('without configuration, a rule whose ACL is unknown is named, not dropped', () => {
    const plan = json('terraform-plan.json') as Record<string, unknown>;
    const res = importConfig([{ name: 'p.json', json: { ...plan, configuration: undefined } }], 'terraform');
    expect('unexpressed' in res && res.unexpressed).toEqual([
      'aws_network_acl_rule.https_in[0]: its network ACL (unknown until applied) is not in the input',
      'aws_network_acl_rule.return_out: its network ACL (unknown until applied) is not in the input',
      'aws_network_acl.app: its subnet_ids are known only after apply; 192.0.2.1/32, 2001:db8::1/128 stand for its subnets',
      'aws_network_acl.spare: its subnet_ids are known only after apply; 192.0.2.2/32, 2001:db8::2/128 stand for its subnets',
      // The instance's vpc_security_group_ids are unknown too.
      'aws_security_group.app: none of the instances and network interfaces in the input is a member of it; ' +
        '192.0.2.3/32, 2001:db8::3/128 stand for them',
    ]);
  });
});

describe('membership given by its own resource', () => {
  const state = (resources: unknown[]) => ({ format_version: '1.0', values: { root_module: { resources } } });
  const res = (type: string, name: string, values: Record<string, unknown>) => ({
    address: `${type}.${name}`,
    mode: 'managed',
    type,
    name,
    values,
  });

  it('aws_network_interface_sg_attachment makes the interface a member of the group', () => {
    const r = importConfig(
      [
        {
          name: 's.json',
          json: state([
            res('aws_security_group', 'extra', { id: 'sg-9', name: 'extra', ingress: [], egress: [] }),
            res('aws_network_interface', 'eni', { id: 'eni-9', private_ips: ['10.0.3.9'], security_groups: [] }),
            res('aws_network_interface_sg_attachment', 'a', { id: 'sg-9_eni-9', security_group_id: 'sg-9', network_interface_id: 'eni-9' }),
            res('aws_network_interface_sg_attachment', 'b', { id: 'x', security_group_id: 'sg-9', network_interface_id: 'eni-404' }),
          ]),
        },
      ],
      'terraform',
    );
    expect('text' in r && r.text).toContain('\nfirewall extra aws-sg protects eni default deny {\n}\n');
    expect('text' in r && r.unexpressed).toEqual([
      'aws_network_interface_sg_attachment.b: its network interface or security group is not in the input',
    ]);
  });
});

describe('a resource address without its index', () => {
  // Fuzz case 7982 of seed 1139: an address of a megabyte of `[` and `]` (a Terraform plan, 1.3 MB)
  // made the regular expression this replaces, /\[[^\]]*\]$/, try each `[`: minutes of import.
  it('is what /\\[[^\\]]*\\]$/ leaves, on any address', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('[', ']', 'a', '0', '.'), { maxLength: 14 }), (chars) => {
        const a = chars.join('');
        expect(baseAddress(a)).toBe(a.replace(/\[[^\]]*\]$/, ''));
      }),
      { numRuns: 5000 },
    );
    expect(baseAddress('module.vpc.aws_subnet.app[0]')).toBe('module.vpc.aws_subnet.app');
    expect(baseAddress('aws_security_group.web["a]b"]')).toBe('aws_security_group.web["a]b"]'.replace(/\[[^\]]*\]$/, ''));
  });

  it('of a megabyte of brackets is read in one pass', () => {
    const a = `aws_network_acl.s${'{ ['.repeat(300_000)}${']'.repeat(300_000)}pare`;
    expect(baseAddress(a)).toBe(a);
    expect(baseAddress(`${a}[1]`)).toBe(a);
  });
});
