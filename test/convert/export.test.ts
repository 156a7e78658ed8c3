// `fwlang export --to cloudformation|terraform` (cli.md): the template is checked against the
// CloudFormation resource specification shipped in @aws-cdk/cfnspec (every resource type,
// property name, value type and required property) and by the cfn-lint npm package (offline),
// the Terraform is parsed back by a real HCL
// parser (@cdktf/hcl2json, WASM, offline), and the round trip through the AWS CLI JSON the
// template describes and the importer gives the same verdict for every packet (engine, exactly).
import { specification } from '@aws-cdk/cfnspec';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { validateJsonObject } from 'cfn-lint/lib/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prefixesOf } from '../../server/src/core/address';
import { AddrSet, PortSet } from '../../server/src/core/intervals';
import { exportModel } from '../../server/src/convert/export';
import { importConfig } from '../../server/src/convert/import';
import { decide } from '../../server/src/engine/firewall';
import { type Box, boxesCoveredBy, protoMask, subtractBoxes, universeBoxes } from '../../server/src/engine/packet';
import { LineIndex } from '../../server/src/core/text';
import { buildModel } from '../../server/src/model/resolve';
import type { Firewall } from '../../server/src/model/types';
import type { Direction } from '../../server/src/syntax/ast';

type Json = Record<string, unknown>;
const LOOPBACK = 0x7f000001n;
const SPEC = specification();

function exported(text: string, target: 'cloudformation' | 'terraform', only?: string): string {
  const m = buildModel('/x.fw', text);
  const r = exportModel(m, target, only === undefined ? {} : { only: [only] });
  if ('problems' in r) throw new Error(r.problems.map((d) => `${d.code}: ${d.message}`).join('\n'));
  return r.text;
}

function problems(text: string): string[] {
  const r = exportModel(buildModel('/x.fw', text), 'cloudformation');
  if (!('problems' in r)) return [];
  const idx = new LineIndex(text);
  return r.problems.map((d) => {
    const p = idx.position(d.span.start);
    return `${p.line + 1}:${p.character + 1}: ${d.severity} ${d.code}: ${d.message}`;
  });
}

// ---- a validator over the CloudFormation resource specification ----

function checkValue(
  where: string,
  value: unknown,
  prim: string | undefined,
  resource: string,
  type: string | undefined,
  item?: string,
  itemPrim?: string,
): string[] {
  if (prim) return checkPrimitive(where, value, prim);
  if (type === 'List') {
    if (!Array.isArray(value)) return [`${where}: not a list`];
    return value.flatMap((v, i) => checkValue(`${where}[${i}]`, v, itemPrim, resource, item));
  }
  if (type) {
    const spec = (SPEC.PropertyTypes as Record<string, { Properties?: Record<string, Prop> }>)[
      type === 'Tag' ? 'Tag' : `${resource}.${type}`
    ];
    if (!spec?.Properties) return [`${where}: no property type ${type} for ${resource}`];
    return checkProps(where, value, spec.Properties, resource);
  }
  return [`${where}: no type in the specification`];
}

interface Prop {
  PrimitiveType?: string;
  Type?: string;
  ItemType?: string;
  PrimitiveItemType?: string;
  Required?: boolean;
}

function checkPrimitive(where: string, v: unknown, prim: string): string[] {
  if (typeof v === 'object' && v !== null && 'Ref' in v) return [];
  const ok =
    prim === 'String'
      ? typeof v === 'string'
      : prim === 'Integer'
        ? Number.isInteger(v)
        : prim === 'Boolean'
          ? typeof v === 'boolean'
          : false;
  return ok ? [] : [`${where}: ${JSON.stringify(v)} is not a ${prim}`];
}

function checkProps(where: string, value: unknown, props: Record<string, Prop>, resource: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${where}: not an object`];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const p = props[k];
    if (!p) out.push(`${where}.${k}: no such property`);
    else out.push(...checkValue(`${where}.${k}`, v, p.PrimitiveType, resource, p.Type, p.ItemType, p.PrimitiveItemType));
  }
  for (const [k, p] of Object.entries(props)) if (p.Required && !(k in value)) out.push(`${where}.${k}: required, missing`);
  return out;
}

/** Every problem the specification finds in a template, and every Ref that names nothing. */
function validateTemplate(t: Json): string[] {
  const out: string[] = [];
  const params = (t.Parameters ?? {}) as Record<string, { Type: string }>;
  const resources = t.Resources as Record<string, { Type: string; Properties: Json }>;
  for (const [n, p] of Object.entries(params)) {
    if (!/^[A-Za-z0-9]+$/.test(n)) out.push(`parameter ${n}: not alphanumeric`);
    if (!['String', 'AWS::EC2::VPC::Id', 'AWS::EC2::Subnet::Id', 'List<AWS::EC2::Subnet::Id>'].includes(p.Type))
      out.push(`${n}: type ${p.Type}`);
  }
  for (const [n, r] of Object.entries(resources)) {
    if (!/^[A-Za-z0-9]+$/.test(n)) out.push(`resource ${n}: not alphanumeric`);
    const spec = (SPEC.ResourceTypes as Record<string, { Properties?: Record<string, Prop> }>)[r.Type];
    if (!spec) {
      out.push(`${n}: no resource type ${r.Type}`);
      continue;
    }
    out.push(...checkProps(n, r.Properties, spec.Properties ?? {}, r.Type));
  }
  const refs = JSON.stringify(t).matchAll(/"Ref":"([^"]+)"/g);
  for (const [, ref] of refs) if (!(ref! in params) && !(ref! in resources)) out.push(`Ref ${ref}: names nothing`);
  return out;
}

/** What the cfn-lint npm package (an offline CloudFormation validator with its own copy of the specification) finds, warnings included. */
function cfnLint(t: Json): string[] {
  const params = Object.fromEntries(
    Object.entries(t.Parameters as Record<string, { Type: string }>).map(([n, p]) => [
      n,
      p.Type === 'AWS::EC2::VPC::Id' ? 'vpc-0abc' : 'subnet-0abc',
    ]),
  );
  const r = validateJsonObject(structuredClone(t), { parameters: params, guessParameters: [] });
  const res = t.Resources as Record<string, { Properties: Json }>;
  return (
    [...r.errors.crit, ...r.errors.warn]
      // cfn-lint's copy of the specification predates IPv6 entries: it still requires CidrBlock,
      // which the current specification (and EC2) make optional beside Ipv6CidrBlock.
      .filter(
        (e) =>
          !(
            e.message === 'Required property CidrBlock missing for type AWS::EC2::NetworkAclEntry' &&
            typeof res[/^Resources > (\w+) > Properties$/.exec(e.resource)?.[1] ?? '']?.Properties.Ipv6CidrBlock === 'string'
          ),
      )
      .map((e) => `${e.resource}: ${e.message}`)
  );
}

const SAMPLE = `
network internet 0.0.0.0/0
network home     192.0.2.0/24
network public   10.0.0.0/24
network private  10.0.1.0/24
host    web      10.0.0.10
network admins   192.0.2.0/24, 2001:db8::/32

firewall public-acl aws-nacl protects public {
  100 inbound  allow tcp from internet to public port [http, https]
  120 inbound  allow tcp from admins to public port ssh
  130 inbound  allow icmp from any
  140 inbound  allow tcp from internet to public port 1024-65535
  150 inbound  deny all from 203.0.113.0/24
  100 outbound allow tcp to internet port 32768-65535
  110 outbound allow udp to 198.51.100.53 port 53
}

firewall two aws-nacl protects public, private {
  inbound allow all from 10.0.0.0/8
}

firewall web-sg aws-sg protects web {
  inbound  allow tcp from any to any port [http, https]
  inbound  allow icmp from home
  inbound  allow tcp from 2001:db8::/32 to web port ssh
}

firewall out-sg aws-sg protects web {
  outbound allow all to 10.0.1.0/24
}
`;

describe('export --to cloudformation', () => {
  const t = JSON.parse(exported(SAMPLE, 'cloudformation')) as Json;
  const res = t.Resources as Record<string, { Type: string; Properties: Json }>;

  it('is a template the CloudFormation resource specification accepts', () => {
    expect(validateTemplate(t)).toEqual([]);
    expect(cfnLint(t)).toEqual([]);
    expect(SPEC.ResourceTypes['AWS::EC2::NetworkAclEntry']?.Properties?.CidrBlock?.Required).toBe(false);
    expect(t.AWSTemplateFormatVersion).toBe('2010-09-09');
  });

  it('the validator does catch what is wrong', () => {
    const bad = structuredClone(t) as { Resources: Record<string, { Type: string; Properties: Json }> };
    bad.Resources.PublicAclIn100!.Properties.Protocol = 'tcp';
    bad.Resources.PublicAclIn100!.Properties.PortRnage = { From: 1, To: 2 };
    delete bad.Resources.PublicAclIn100!.Properties.RuleNumber;
    bad.Resources.WebSg!.Type = 'AWS::EC2::SecurityGroups';
    expect(validateTemplate(bad as unknown as Json)).toEqual([
      'PublicAclIn100.Protocol: "tcp" is not a Integer',
      'PublicAclIn100.PortRnage: no such property',
      'PublicAclIn100.RuleNumber: required, missing',
      'WebSg: no resource type AWS::EC2::SecurityGroups',
    ]);
    expect(cfnLint(bad as unknown as Json)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/PublicAclIn100 > Properties > Protocol: Expecting an integer, got 'tcp'/),
        expect.stringMatching(/PortRnage is not a valid property of AWS::EC2::NetworkAclEntry/),
        expect.stringMatching(/WebSg.*AWS::EC2::SecurityGroups/),
      ]),
    );
  });

  it('a network ACL entry per protocol, remote prefix of one family and port range, numbered N, N+1, …', () => {
    const entries = Object.entries(res)
      .filter(([, r]) => r.Type === 'AWS::EC2::NetworkAclEntry' && (r.Properties.NetworkAclId as Json).Ref === 'PublicAcl')
      .map(([n, r]) => ({ n, ...r.Properties }) as Json);
    const brief = entries.map((e) => {
      const pr = e.PortRange as { From: number; To: number } | undefined;
      const icmp = e.Icmp ? ' icmp' : '';
      return `${e.Egress ? 'out' : 'in'} ${e.RuleNumber as number} ${e.RuleAction as string} ${e.Protocol as number} ${(e.CidrBlock ?? e.Ipv6CidrBlock) as string}${pr ? ` ${pr.From}-${pr.To}` : ''}${icmp}`;
    });
    expect(brief).toEqual([
      'in 100 allow 6 0.0.0.0/0 80-80',
      'in 101 allow 6 0.0.0.0/0 443-443',
      'in 120 allow 6 192.0.2.0/24 22-22',
      'in 121 allow 6 2001:db8::/32 22-22',
      'in 130 allow 1 0.0.0.0/0 icmp',
      'in 131 allow 58 ::/0 icmp',
      'in 140 allow 6 0.0.0.0/0 1024-65535',
      'in 150 deny -1 203.0.113.0/24',
      'out 100 allow 6 0.0.0.0/0 32768-65535',
      'out 110 allow 17 198.51.100.53/32 53-53',
    ]);
    expect(entries.find((e) => e.Icmp)?.Icmp).toEqual({ Code: -1, Type: -1 });
  });

  it('VpcId and one subnet association per protected prefix, as parameters', () => {
    expect(Object.keys(t.Parameters as Json)).toEqual(['VpcId', 'PublicAclSubnet1Id', 'TwoSubnet1Id', 'TwoSubnet2Id']);
    expect(res.TwoSubnet2Association).toEqual({
      Type: 'AWS::EC2::SubnetNetworkAclAssociation',
      Properties: { NetworkAclId: { Ref: 'Two' }, SubnetId: { Ref: 'TwoSubnet2Id' } },
    });
    // Unnumbered rules are numbered in their order, 100 apart.
    expect(res.TwoIn100?.Properties).toMatchObject({ RuleNumber: 100, Protocol: -1, CidrBlock: '10.0.0.0/8' });
  });

  it('a security group with its ingress, and an egress that matches nothing when it has no outbound rule', () => {
    expect(res.WebSg?.Properties.SecurityGroupIngress).toEqual([
      { IpProtocol: 'tcp', CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 },
      { IpProtocol: 'tcp', CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 },
      { IpProtocol: 'tcp', CidrIpv6: '::/0', FromPort: 80, ToPort: 80 },
      { IpProtocol: 'tcp', CidrIpv6: '::/0', FromPort: 443, ToPort: 443 },
      { IpProtocol: 'icmp', CidrIp: '192.0.2.0/24', FromPort: -1, ToPort: -1 },
      { IpProtocol: 'tcp', CidrIpv6: '2001:db8::/32', FromPort: 22, ToPort: 22 },
    ]);
    expect(res.WebSg?.Properties.SecurityGroupEgress).toEqual([{ IpProtocol: '-1', CidrIp: '127.0.0.1/32' }]);
    expect(res.OutSg?.Properties.SecurityGroupIngress).toEqual([]);
    expect(res.OutSg?.Properties.SecurityGroupEgress).toEqual([{ IpProtocol: '-1', CidrIp: '10.0.1.0/24' }]);
  });

  it('--firewall exports one firewall', () => {
    const one = JSON.parse(exported(SAMPLE, 'cloudformation', 'web-sg')) as { Resources: Json };
    expect(Object.keys(one.Resources)).toEqual(['WebSg']);
  });
});

describe('what the target cannot express: every offending rule, nothing exported', () => {
  it('source ports, a deny and a number in a group, a generic firewall', () => {
    const text = `
firewall acl aws-nacl protects 10.0.0.0/24 {
  100 inbound allow tcp from any port 443
}
firewall sg aws-sg protects 10.0.0.5 {
  inbound deny tcp from any
  7 inbound allow udp from any
}
firewall box stateless protects 10.0.9.0/24 {
  inbound allow tcp from any
}
`;
    expect(problems(text)).toEqual([
      expect.stringMatching(/^3:34: error platform-unsupported: .*source port/),
      expect.stringMatching(/^6:3: error rule-numbering: /),
      expect.stringMatching(/^6:11: error platform-unsupported: .*allow rules only/),
      expect.stringMatching(/^7:3: error platform-unsupported: .*not numbered/),
      expect.stringMatching(/^9:10: error platform-unsupported: `box` is a stateless firewall: only aws-nacl and aws-sg/),
    ]);
  });

  it("a rule whose entries run into the next rule's number", () => {
    const text = `network two 192.0.2.0/24, 198.51.100.0/24
firewall acl aws-nacl protects 10.0.0.0/24 {
  100 inbound allow tcp from two to any port [80, 443]
  102 inbound allow udp from any to any port 53
  200 outbound allow tcp to any port 1024-65535
}
`;
    expect(problems(text)).toEqual([
      '4:3: error platform-unsupported: `acl`: rule 102 clashes with the entries of the rule before it, which run up to 103 ' +
        '(a rule with several prefixes, both families or several port ranges stands for several entries, numbered N, N+1, …)',
    ]);
  });
});

describe('export --to terraform', () => {
  it('parses back with a real HCL parser, resource by resource', async () => {
    const tf = (await parseHcl('main.tf', exported(SAMPLE, 'terraform'))) as {
      variable: Record<string, unknown>;
      resource: Record<string, Record<string, Json[]>>;
    };
    expect(Object.keys(tf.variable).sort()).toEqual(['public-acl_subnet_ids', 'two_subnet_ids', 'vpc_id']);
    const r = tf.resource;
    expect(Object.keys(r).sort()).toEqual([
      'aws_network_acl',
      'aws_network_acl_rule',
      'aws_security_group',
      'aws_vpc_security_group_egress_rule',
      'aws_vpc_security_group_ingress_rule',
    ]);
    expect(r.aws_network_acl!['public-acl']).toEqual([
      { vpc_id: '${var.vpc_id}', subnet_ids: '${var.public-acl_subnet_ids}', tags: { Name: 'public-acl' } },
    ]);
    expect(r.aws_network_acl_rule!['public-acl_in_121']).toEqual([
      {
        network_acl_id: '${aws_network_acl.public-acl.id}',
        rule_number: 121,
        egress: false,
        protocol: '6',
        rule_action: 'allow',
        ipv6_cidr_block: '2001:db8::/32',
        from_port: 22,
        to_port: 22,
      },
    ]);
    expect(r.aws_network_acl_rule!['public-acl_in_131']![0]).toMatchObject({
      protocol: '58',
      icmp_type: -1,
      icmp_code: -1,
      ipv6_cidr_block: '::/0',
    });
    expect(r.aws_network_acl_rule!['public-acl_in_150']![0]).toEqual({
      network_acl_id: '${aws_network_acl.public-acl.id}',
      rule_number: 150,
      egress: false,
      protocol: '-1',
      rule_action: 'deny',
      cidr_block: '203.0.113.0/24',
    });
    expect(Object.keys(r.aws_network_acl_rule!)).toHaveLength(11);
    expect(r.aws_security_group!['web-sg']![0]).toMatchObject({ name: 'web-sg', vpc_id: '${var.vpc_id}' });
    expect(Object.keys(r.aws_vpc_security_group_ingress_rule!)).toEqual([
      'web-sg_in_1',
      'web-sg_in_2',
      'web-sg_in_3',
      'web-sg_in_4',
      'web-sg_in_5',
      'web-sg_in_6',
    ]);
    expect(r.aws_vpc_security_group_ingress_rule!['web-sg_in_5']).toEqual([
      { security_group_id: '${aws_security_group.web-sg.id}', ip_protocol: 'icmp', cidr_ipv4: '192.0.2.0/24', from_port: -1, to_port: -1 },
    ]);
    expect(r.aws_vpc_security_group_egress_rule).toEqual({
      'out-sg_out_1': [{ security_group_id: '${aws_security_group.out-sg.id}', ip_protocol: '-1', cidr_ipv4: '10.0.1.0/24' }],
    });
  });
});

// ---- round trip: template -> the AWS CLI JSON it describes -> import -> the same verdicts ----

/** What `aws ec2 describe-network-acls`, `describe-subnets` and `describe-security-groups` would print once the template is deployed. */
function describeJson(template: Json, insides: Map<string, AddrSet[]>): unknown[] {
  const res = template.Resources as Record<string, { Type: string; Properties: Json }>;
  const acls: Json[] = [];
  const subnets: Json[] = [];
  const groups: Json[] = [];
  const interfaces: Json[] = [];
  for (const [id, r] of Object.entries(res)) {
    const name = (r.Properties.Tags as { Value: string }[] | undefined)?.[0]?.Value ?? id;
    if (r.Type === 'AWS::EC2::NetworkAcl') {
      const entries = Object.values(res)
        .filter((e) => e.Type === 'AWS::EC2::NetworkAclEntry' && (e.Properties.NetworkAclId as Json).Ref === id)
        .map(({ Properties: p }) => ({
          RuleNumber: p.RuleNumber,
          Protocol: String(p.Protocol as number),
          RuleAction: p.RuleAction,
          Egress: p.Egress,
          ...(p.CidrBlock ? { CidrBlock: p.CidrBlock } : { Ipv6CidrBlock: p.Ipv6CidrBlock }),
          ...(p.PortRange ? { PortRange: p.PortRange } : {}),
          ...(p.Icmp ? { IcmpTypeCode: p.Icmp } : {}),
        }));
      // The * entries AWS adds to every ACL.
      for (const Egress of [false, true]) {
        entries.push({ RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress, CidrBlock: '0.0.0.0/0' });
        entries.push({ RuleNumber: 32768, Protocol: '-1', RuleAction: 'deny', Egress, Ipv6CidrBlock: '::/0' });
      }
      const assoc = Object.values(res).filter(
        (a) => a.Type === 'AWS::EC2::SubnetNetworkAclAssociation' && (a.Properties.NetworkAclId as Json).Ref === id,
      );
      // The subnet each association's parameter stands for: the ACL's n-th protected prefix.
      const subnetIds = assoc.map((a) => {
        const n = Number(/Subnet(\d+)Id$/.exec((a.Properties.SubnetId as { Ref: string }).Ref)![1]);
        const sid = `subnet-${id.toLowerCase()}${n}`;
        const [v4] = prefixesOf(insides.get(name)![n - 1]!);
        subnets.push({ SubnetId: sid, CidrBlock: v4 });
        return sid;
      });
      acls.push({
        NetworkAclId: `acl-${id.toLowerCase()}`,
        VpcId: 'vpc-1',
        Entries: entries,
        Associations: subnetIds.map((SubnetId) => ({ SubnetId })),
        Tags: [{ Key: 'Name', Value: name }],
      });
    } else if (r.Type === 'AWS::EC2::SecurityGroup') {
      const perm = (p: Json) => ({
        IpProtocol: p.IpProtocol,
        ...(p.FromPort !== undefined ? { FromPort: p.FromPort, ToPort: p.ToPort } : {}),
        IpRanges: p.CidrIp ? [{ CidrIp: p.CidrIp }] : [],
        Ipv6Ranges: p.CidrIpv6 ? [{ CidrIpv6: p.CidrIpv6 }] : [],
      });
      // Its members: one network interface per address it protects.
      for (const a of prefixesOf(insides.get(name)!.reduce((x, y) => x.union(y), AddrSet.EMPTY))) {
        expect(a, 'members are single addresses').not.toContain('/');
        interfaces.push({
          NetworkInterfaceId: `eni-${interfaces.length}`,
          PrivateIpAddress: a,
          Groups: [{ GroupId: `sg-${id.toLowerCase()}` }],
        });
      }
      groups.push({
        GroupId: `sg-${id.toLowerCase()}`,
        GroupName: name,
        VpcId: 'vpc-1',
        IpPermissions: (r.Properties.SecurityGroupIngress as Json[]).map(perm),
        // CloudFormation gives a group it is given no egress rule for "allow all outbound" (IPv4).
        IpPermissionsEgress: ((r.Properties.SecurityGroupEgress as Json[] | undefined)?.length
          ? (r.Properties.SecurityGroupEgress as Json[])
          : [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }]
        ).map(perm),
        Tags: [{ Key: 'Name', Value: name }],
      });
    }
  }
  return [{ NetworkAcls: acls }, { Subnets: subnets }, { SecurityGroups: groups }, { NetworkInterfaces: interfaces }];
}

function allowed(fw: Firewall, d: Direction): Box[] {
  return decide(fw, d, universeBoxes())
    .filter((x) => x.action === 'allow')
    .map((x) => x.box);
}

/** Exports the file, deploys it on paper, imports it back, and compares every firewall per direction. */
function roundTrip(text: string): void {
  const original = buildModel('/x.fw', text);
  expect(original.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const template = JSON.parse(exported(text, 'cloudformation')) as Json;
  expect(validateTemplate(template)).toEqual([]);
  expect(cfnLint(template)).toEqual([]);
  const insides = new Map(original.firewalls.map((f) => [f.name, f.insides]));
  const docs = describeJson(template, insides);
  const imported = importConfig(docs.map((json, i) => ({ name: `doc${i}`, json })));
  if ('error' in imported) throw new Error(imported.error);
  expect(imported.unexpressed).toEqual([]);
  const back = buildModel('/back.fw', imported.text);
  expect(back.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  for (const fw of original.firewalls) {
    const twin = back.firewalls.find((f) => f.platform === fw.platform && f.name === fw.name);
    expect(twin, `${fw.name} in\n${imported.text}`).toBeDefined();
    expect(twin!.inside.equals(fw.inside)).toBe(true);
    // A group exported without outbound rules holds the egress rule to 127.0.0.1/32 that no
    // packet leaving an interface matches (the loopback address never does): compare the rest.
    const loopback: Box = {
      protos: protoMask('all'),
      src: AddrSet.V4,
      sport: PortSet.ALL,
      dst: AddrSet.range(LOOPBACK, LOOPBACK),
      dport: PortSet.ALL,
    };
    const noEgress = fw.platform === 'aws-sg' && !fw.rules.some((r) => r.direction === 'outbound');
    for (const d of ['inbound', 'outbound'] as Direction[]) {
      const cut = (x: Box[]) => (noEgress && d === 'outbound' ? subtractBoxes(x, loopback) : x);
      const a = cut(allowed(fw, d));
      const b = cut(allowed(twin!, d));
      expect(boxesCoveredBy(a, b) && boxesCoveredBy(b, a), `${fw.name} ${d}\n${text}\n---\n${imported.text}`).toBe(true);
    }
  }
}

describe('round trip through the AWS CLI JSON and the importer', () => {
  it('the sample: every firewall decides every packet class as before', () => {
    roundTrip(
      SAMPLE.replace(/firewall two[^}]*}/, '')
        .replace(/firewall out-sg[^}]*}/, '')
        .replace('protects web {', 'protects web {\n  outbound allow udp to any port dns'),
    );
  });

  const REMOTES = ['any', '0.0.0.0/0', '10.1.0.0/16', '192.0.2.0/24', '2001:db8::/32', 'mix', 'both'];
  const DECLS =
    'network mix 10.1.0.0/16, 198.51.100.0/24\nnetwork both 192.0.2.128/25, ::/0\nnetwork s1 10.0.0.0/24\nnetwork s2 10.0.1.0/24\n';
  const PORTS = ['', 'port 443', 'port 1024-65535', 'port [22, 80]', 'port [53, 1000-2000]'];
  const rule = fc.record({
    direction: fc.constantFrom('inbound', 'outbound'),
    action: fc.constantFrom('allow', 'deny'),
    proto: fc.constantFrom('tcp', 'udp', 'icmp', 'all'),
    remote: fc.constantFrom(...REMOTES),
    ports: fc.constantFrom(...PORTS),
  });

  it('random small aws-nacl files (property)', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 8 }), fc.constantFrom('s1', 's1, s2'), (rules, protects) => {
        const lines = rules.map((r, i) => {
          const ports = r.proto === 'tcp' || r.proto === 'udp' ? r.ports : '';
          const n = (i + 1) * 10;
          return r.direction === 'inbound'
            ? `  ${n} inbound ${r.action} ${r.proto} from ${r.remote}${ports ? ` to any ${ports}` : ''}`
            : `  ${n} outbound ${r.action} ${r.proto} to ${r.remote}${ports ? ` ${ports}` : ''}`;
        });
        roundTrip(`${DECLS}firewall acl aws-nacl protects ${protects} {\n${lines.join('\n')}\n}\n`);
      }),
      { numRuns: 60 },
    );
  });

  it('random small aws-sg files (property)', () => {
    const allow = fc.record({
      direction: fc.constantFrom('inbound', 'outbound'),
      proto: fc.constantFrom('tcp', 'udp', 'icmp', 'all'),
      remote: fc.constantFrom(...REMOTES),
      ports: fc.constantFrom(...PORTS),
    });
    fc.assert(
      fc.property(fc.array(allow, { maxLength: 6 }), fc.constantFrom('web', 'web, db'), (rules, protects) => {
        const lines = rules.map((r) => {
          const ports = r.proto === 'tcp' || r.proto === 'udp' ? r.ports : '';
          return r.direction === 'inbound'
            ? `  inbound allow ${r.proto} from ${r.remote}${ports ? ` to any ${ports}` : ''}`
            : `  outbound allow ${r.proto} to ${r.remote}${ports ? ` ${ports}` : ''}`;
        });
        roundTrip(`${DECLS}host web 10.0.0.10\nhost db 10.0.1.20\nfirewall sg aws-sg protects ${protects} {\n${lines.join('\n')}\n}\n`);
      }),
      { numRuns: 60 },
    );
  });
});
