// `fwlang export --to cloudformation|terraform`'s core (cli.md): a model in, the text of a
// CloudFormation template or of Terraform HCL out, or every rule the target cannot express.
// Only `aws-nacl` and `aws-sg` firewalls can be exported (spec §10); each rule becomes the AWS
// entries it stands for: one per protocol, remote prefix of one family and destination port range.

import { type Diagnostic, diag } from '../core/diagnostic';
import { AddrSet } from '../core/intervals';
import { prefixesOf } from '../core/address';
import type { Firewall, Model, ResolvedRule } from '../model/types';
import type { Direction } from '../syntax/ast';
import { planNetfilter } from './netfilterPlan';
import { toIptables } from './toIptables';
import { toNftables } from './toNftables';

export type ExportTarget = 'nftables' | 'iptables' | 'cloudformation' | 'terraform';
export const EXPORT_TARGETS: readonly ExportTarget[] = ['nftables', 'iptables', 'cloudformation', 'terraform'];

/** One network ACL entry as the EC2 API has it. */
export interface AclEntry {
  number: number;
  egress: boolean;
  action: 'allow' | 'deny';
  /** "-1", "6", "17", "1" or "58". */
  protocol: string;
  cidr: string;
  v6: boolean;
  ports?: [number, number];
  /** ICMP entries match every type and code. */
  icmp: boolean;
}

/** One security group rule (an allow) as the EC2 API has it. */
export interface GroupRule {
  egress: boolean;
  /** "-1", "tcp", "udp", "icmp" or "icmpv6". */
  protocol: string;
  cidr: string;
  v6: boolean;
  /** Ports for tcp/udp; -1/-1 for ICMP (every type and code); absent for "-1". */
  ports?: [number, number];
}

export interface ExportedAcl {
  kind: 'acl';
  firewall: Firewall;
  /** How many subnets it is associated with (one per `protects` prefix). */
  subnets: number;
  entries: AclEntry[];
}

export interface ExportedGroup {
  kind: 'group';
  firewall: Firewall;
  rules: GroupRule[];
}

export type Exported = ExportedAcl | ExportedGroup;

/** The entry a security group without outbound rules gets so that CloudFormation adds no "allow all outbound". */
export const NO_EGRESS: GroupRule = { egress: true, protocol: '-1', cidr: '127.0.0.1/32', v6: false };

const ACL_PROTOCOL = { tcp: '6', udp: '17', icmp: '1', all: '-1' } as const;
const MAX_RULE_NUMBER = 32766;

function problem(fw: Firewall, span: { start: number; end: number }, message: string): Diagnostic {
  return diag('platform-unsupported', span, message, { severity: 'error', file: fw.file });
}

/** The remote side's prefixes, IPv4 first. */
function remotePrefixes(rule: ResolvedRule): { cidr: string; v6: boolean }[] {
  const remote = rule.direction === 'inbound' ? rule.from.addresses : rule.to.addresses;
  // AWS wants a CIDR block even for one address.
  const cidr = (p: string, bits: number) => (p.includes('/') ? p : `${p}/${bits}`);
  return [
    ...prefixesOf(remote.intersect(AddrSet.V4)).map((p) => ({ cidr: cidr(p, 32), v6: false })),
    ...prefixesOf(remote.intersect(AddrSet.V6)).map((p) => ({ cidr: cidr(p, 128), v6: true })),
  ];
}

function portRanges(rule: ResolvedRule): [number, number][] {
  if (rule.proto !== 'tcp' && rule.proto !== 'udp') return [];
  return rule.dportGiven ? [...rule.dport.ranges()] : [[0, 65535]];
}

/** The firewalls to export and what each becomes, or every rule the target cannot express. */
export function exportFirewalls(model: Model, only?: readonly string[]): { exported: Exported[] } | { problems: Diagnostic[] } {
  const firewalls = only === undefined ? model.firewalls : model.firewalls.filter((f) => only.includes(f.name));
  const problems: Diagnostic[] = model.diagnostics.filter((d) => d.severity === 'error');
  const exported: Exported[] = [];
  for (const fw of firewalls) {
    if (fw.platform === 'aws-nacl') exported.push(exportAcl(fw, problems));
    else if (fw.platform === 'aws-sg') exported.push(exportGroup(fw, problems));
    else
      problems.push(
        problem(
          fw,
          fw.node.name.span,
          `\`${fw.name}\` is a ${fw.mode} firewall: only aws-nacl and aws-sg firewalls can be exported to CloudFormation or Terraform`,
        ),
      );
  }
  return problems.length > 0 ? { problems } : { exported };
}

function ruleSpan(rule: ResolvedRule): { start: number; end: number } {
  return rule.node.number?.span ?? rule.node.span;
}

function exportAcl(fw: Firewall, problems: Diagnostic[]): ExportedAcl {
  const entries: AclEntry[] = [];
  for (const direction of ['inbound', 'outbound'] as Direction[]) {
    const rules = fw.rules.filter((r) => r.valid && r.direction === direction);
    // The engine tries numbered rules by number, and all in file order when some have none (§10).
    const numbered = rules.every((r) => r.number !== undefined);
    const ordered = numbered ? [...rules].sort((a, b) => a.number! - b.number! || a.index - b.index) : rules;
    let last = 0;
    ordered.forEach((rule, i) => {
      const n = numbered ? rule.number! : (i + 1) * 100;
      if (n <= last) {
        problems.push(
          problem(
            fw,
            ruleSpan(rule),
            `\`${fw.name}\`: rule ${n} clashes with the entries of the rule before it, which run up to ${last} ` +
              `(a rule with several prefixes, both families or several port ranges stands for several entries, numbered N, N+1, …)`,
          ),
        );
        return;
      }
      const ports = portRanges(rule);
      const perPrefix: { ports?: [number, number] }[] = ports.length ? ports.map((p) => ({ ports: p })) : [{}];
      let k = n;
      for (const { cidr, v6 } of remotePrefixes(rule)) {
        for (const { ports: p } of perPrefix) {
          const protocol = rule.proto === 'icmp' && v6 ? '58' : ACL_PROTOCOL[rule.proto];
          entries.push({
            number: k++,
            egress: direction === 'outbound',
            action: rule.action,
            protocol,
            cidr,
            v6,
            ports: p,
            icmp: rule.proto === 'icmp',
          });
        }
      }
      last = Math.max(n, k - 1);
      if (last > MAX_RULE_NUMBER) {
        problems.push(problem(fw, ruleSpan(rule), `\`${fw.name}\`: the entries of this rule run up to ${last}, past ${MAX_RULE_NUMBER}`));
      }
    });
  }
  return { kind: 'acl', firewall: fw, subnets: fw.insides.length, entries };
}

function exportGroup(fw: Firewall, problems: Diagnostic[]): ExportedGroup {
  void problems; // what a group cannot say (deny, numbers, source ports) is already a platform-unsupported error
  const rules: GroupRule[] = [];
  for (const rule of fw.rules) {
    if (!rule.valid || rule.action !== 'allow') continue;
    const ports = portRanges(rule);
    for (const { cidr, v6 } of remotePrefixes(rule)) {
      const base = { egress: rule.direction === 'outbound', cidr, v6 };
      if (rule.proto === 'all') rules.push({ ...base, protocol: '-1' });
      else if (rule.proto === 'icmp') rules.push({ ...base, protocol: v6 ? 'icmpv6' : 'icmp', ports: [-1, -1] });
      else for (const p of ports) rules.push({ ...base, protocol: rule.proto, ports: p });
    }
  }
  return { kind: 'group', firewall: fw, rules };
}

/** A CloudFormation logical ID / Terraform-friendly name part from a firewall name. */
function logicalName(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const id = parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
  return /^[A-Za-z]/.test(id) ? id : `Fw${id}`;
}

function tfName(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_-]+/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `fw_${id}`;
}

/** The CloudFormation template (JSON) of the exported firewalls. */
export function toCloudFormation(exported: Exported[]): string {
  const parameters: Record<string, unknown> = {
    VpcId: { Type: 'AWS::EC2::VPC::Id', Description: 'The VPC of the network ACLs and security groups' },
  };
  const resources: Record<string, unknown> = {};
  for (const e of exported) {
    const id = logicalName(e.firewall.name);
    const tags = [{ Key: 'Name', Value: e.firewall.name }];
    if (e.kind === 'acl') {
      resources[id] = { Type: 'AWS::EC2::NetworkAcl', Properties: { VpcId: { Ref: 'VpcId' }, Tags: tags } };
      for (let s = 1; s <= e.subnets; s++) {
        const p = `${id}Subnet${s}Id`;
        parameters[p] = { Type: 'AWS::EC2::Subnet::Id', Description: `Subnet ${s} that ${e.firewall.name} protects` };
        resources[`${id}Subnet${s}Association`] = {
          Type: 'AWS::EC2::SubnetNetworkAclAssociation',
          Properties: { NetworkAclId: { Ref: id }, SubnetId: { Ref: p } },
        };
      }
      for (const x of e.entries) {
        const props: Record<string, unknown> = {
          NetworkAclId: { Ref: id },
          RuleNumber: x.number,
          Protocol: Number(x.protocol),
          RuleAction: x.action,
          Egress: x.egress,
          [x.v6 ? 'Ipv6CidrBlock' : 'CidrBlock']: x.cidr,
        };
        if (x.ports) props.PortRange = { From: x.ports[0], To: x.ports[1] };
        if (x.icmp) props.Icmp = { Code: -1, Type: -1 };
        resources[`${id}${x.egress ? 'Out' : 'In'}${x.number}`] = { Type: 'AWS::EC2::NetworkAclEntry', Properties: props };
      }
    } else {
      const perm = (r: GroupRule) => {
        const p: Record<string, unknown> = { IpProtocol: r.protocol, [r.v6 ? 'CidrIpv6' : 'CidrIp']: r.cidr };
        if (r.ports) {
          p.FromPort = r.ports[0];
          p.ToPort = r.ports[1];
        }
        return p;
      };
      const ingress = e.rules.filter((r) => !r.egress).map(perm);
      const egress = e.rules.filter((r) => r.egress).map(perm);
      resources[id] = {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: `${e.firewall.name} (exported by fwlang)`,
          VpcId: { Ref: 'VpcId' },
          SecurityGroupIngress: ingress,
          // Without egress rules CloudFormation keeps the default "allow all outbound".
          SecurityGroupEgress: egress.length ? egress : [perm(NO_EGRESS)],
          Tags: tags,
        },
      };
    }
  }
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Network ACLs and security groups exported by fwlang',
    Parameters: parameters,
    Resources: resources,
  };
  return JSON.stringify(template, null, 2) + '\n';
}

const hcl = (v: string | number | boolean) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function block(kind: string, labels: string[], attrs: [string, string][]): string {
  const width = Math.max(0, ...attrs.map(([k]) => k.length));
  const body = attrs.map(([k, v]) => `  ${k.padEnd(width)} = ${v}`).join('\n');
  return `${kind} ${labels.map((l) => JSON.stringify(l)).join(' ')} {\n${body}\n}\n`;
}

/** The Terraform configuration (HCL) of the exported firewalls. */
export function toTerraform(exported: Exported[]): string {
  const out: string[] = [
    '# Network ACLs and security groups exported by fwlang',
    block(
      'variable',
      ['vpc_id'],
      [
        ['type', 'string'],
        ['description', hcl('The VPC of the network ACLs and security groups')],
      ],
    ),
  ];
  for (const e of exported) {
    const name = tfName(e.firewall.name);
    if (e.kind === 'acl') {
      out.push(
        block(
          'variable',
          [`${name}_subnet_ids`],
          [
            ['type', 'list(string)'],
            ['description', hcl(`The ${e.subnets} subnet(s) that ${e.firewall.name} protects`)],
          ],
        ),
      );
      out.push(
        block(
          'resource',
          ['aws_network_acl', name],
          [
            ['vpc_id', 'var.vpc_id'],
            ['subnet_ids', `var.${name}_subnet_ids`],
            ['tags', `{ Name = ${hcl(e.firewall.name)} }`],
          ],
        ),
      );
      for (const x of e.entries) {
        const attrs: [string, string][] = [
          ['network_acl_id', `aws_network_acl.${name}.id`],
          ['rule_number', hcl(x.number)],
          ['egress', hcl(x.egress)],
          ['protocol', hcl(x.protocol)],
          ['rule_action', hcl(x.action)],
          [x.v6 ? 'ipv6_cidr_block' : 'cidr_block', hcl(x.cidr)],
        ];
        if (x.ports) attrs.push(['from_port', hcl(x.ports[0])], ['to_port', hcl(x.ports[1])]);
        if (x.icmp) attrs.push(['icmp_type', '-1'], ['icmp_code', '-1']);
        out.push(block('resource', ['aws_network_acl_rule', `${name}_${x.egress ? 'out' : 'in'}_${x.number}`], attrs));
      }
    } else {
      // A Terraform-managed group has no egress rule but those it is given.
      out.push(
        block(
          'resource',
          ['aws_security_group', name],
          [
            ['name', hcl(e.firewall.name)],
            ['description', hcl(`${e.firewall.name} (exported by fwlang)`)],
            ['vpc_id', 'var.vpc_id'],
            ['tags', `{ Name = ${hcl(e.firewall.name)} }`],
          ],
        ),
      );
      const count = { in: 0, out: 0 };
      for (const r of e.rules) {
        const dir = r.egress ? 'out' : 'in';
        const attrs: [string, string][] = [
          ['security_group_id', `aws_security_group.${name}.id`],
          ['ip_protocol', hcl(r.protocol)],
          [r.v6 ? 'cidr_ipv6' : 'cidr_ipv4', hcl(r.cidr)],
        ];
        if (r.ports) attrs.push(['from_port', hcl(r.ports[0])], ['to_port', hcl(r.ports[1])]);
        const type = r.egress ? 'aws_vpc_security_group_egress_rule' : 'aws_vpc_security_group_ingress_rule';
        out.push(block('resource', [type, `${name}_${dir}_${++count[dir]}`], attrs));
      }
    }
  }
  return out.join('\n');
}

export interface ExportOptions {
  /** Only these firewalls (and, for nftables and iptables, nat gateways); every one when undefined. */
  only?: readonly string[];
  /** nftables, iptables: the firewalls protect the host they run on (input and output hooks). */
  onHost?: boolean;
}

/** What an export writes: one text, or for iptables one per family (`v6` when some firewall protects IPv6). */
export type ExportedText = { text: string; v6?: string };

/**
 * The model's firewalls (or only `options.only`) in the target's format, or every rule it cannot
 * express. A file with errors is never exported: its firewalls would be half read (§8.1 rule 5).
 */
export function exportModel(model: Model, target: ExportTarget, options: ExportOptions = {}): ExportedText | { problems: Diagnostic[] } {
  if (target === 'nftables' || target === 'iptables') {
    const problems = model.diagnostics.filter((d) => d.severity === 'error');
    if (problems.length > 0) return { problems };
    const plan = planNetfilter(model, { ...(options.only ? { only: options.only } : {}), onHost: options.onHost ?? false });
    if (target === 'nftables') return { text: toNftables(plan) };
    const t = toIptables(plan);
    return { text: t.v4, ...(t.v6 !== undefined ? { v6: t.v6 } : {}) };
  }
  const r = exportFirewalls(model, options.only);
  if ('problems' in r) return r;
  return { text: target === 'cloudformation' ? toCloudFormation(r.exported) : toTerraform(r.exported) };
}
