// Reads the JSON that `aws ec2 describe-network-acls`, `describe-security-groups`,
// `describe-subnets` and `describe-network-interfaces` print (EC2 API field names), each input
// recognised by its top-level key, into one Inventory.

import { type Inventory, type Remote, type Rule, arrayOf, emptyInventory, isObject, nameTag, num, str } from './inventory';

export const AWS_KEYS = ['NetworkAcls', 'SecurityGroups', 'Subnets', 'NetworkInterfaces'] as const;

/** Whether a parsed JSON document is one the AWS reader knows (by its top-level key). */
export function isAwsJson(json: unknown): boolean {
  return isObject(json) && AWS_KEYS.some((k) => Array.isArray(json[k]));
}

/** The inventory of the given documents, or the one-line reason one is not AWS CLI JSON. */
export function readAws(inputs: { name: string; json: unknown }[]): Inventory | { error: string } {
  const inv = emptyInventory('aws');
  for (const { name, json } of inputs) {
    if (!isAwsJson(json)) {
      return {
        error:
          `${name}: not the JSON of aws ec2 describe-network-acls, describe-security-groups, describe-subnets ` +
          `or describe-network-interfaces (no ${AWS_KEYS.join(', ')} list at the top)`,
      };
    }
    const doc = json as Record<string, unknown>;
    for (const a of arrayOf(doc.NetworkAcls)) readAcl(a, inv);
    for (const g of arrayOf(doc.SecurityGroups)) readGroup(g, inv);
    if (Array.isArray(doc.Subnets)) inv.haveSubnets = true;
    for (const s of arrayOf(doc.Subnets)) {
      if (!isObject(s) || !str(s.SubnetId)) continue;
      const cidrs = [str(s.CidrBlock), ...arrayOf(s.Ipv6CidrBlockAssociationSet).map(ipv6Block)].filter((c): c is string => !!c);
      inv.subnets.push({ id: s.SubnetId as string, name: nameTag(s.Tags), cidrs });
    }
    if (Array.isArray(doc.NetworkInterfaces)) inv.haveMembers = true;
    for (const n of arrayOf(doc.NetworkInterfaces)) {
      if (!isObject(n) || !str(n.NetworkInterfaceId)) continue;
      const v4 = arrayOf(n.PrivateIpAddresses).map((p) => (isObject(p) ? str(p.PrivateIpAddress) : undefined));
      const v6 = arrayOf(n.Ipv6Addresses).map((p) => (isObject(p) ? str(p.Ipv6Address) : undefined));
      const addresses = [...new Set([str(n.PrivateIpAddress), ...v4, ...v6].filter((a): a is string => !!a))];
      const groups = arrayOf(n.Groups).flatMap((g) => (isObject(g) && str(g.GroupId) ? [g.GroupId as string] : []));
      inv.members.push({ id: n.NetworkInterfaceId as string, name: nameTag(n.TagSet), groups, addresses });
    }
  }
  return inv;
}

function ipv6Block(a: unknown): string | undefined {
  if (!isObject(a)) return undefined;
  const state = isObject(a.Ipv6CidrBlockState) ? str(a.Ipv6CidrBlockState.State) : undefined;
  return state === undefined || state === 'associated' ? str(a.Ipv6CidrBlock) : undefined;
}

function readAcl(a: unknown, inv: Inventory): void {
  if (!isObject(a) || !str(a.NetworkAclId)) return;
  const id = a.NetworkAclId as string;
  const rules: Rule[] = [];
  for (const e of arrayOf(a.Entries)) {
    if (!isObject(e)) continue;
    const direction = e.Egress === true ? 'outbound' : 'inbound';
    const number = num(e.RuleNumber);
    const remote: Remote = { cidr: str(e.CidrBlock) ?? str(e.Ipv6CidrBlock) ?? '' };
    const pr = isObject(e.PortRange) ? e.PortRange : undefined;
    const from = num(pr?.From);
    const to = num(pr?.To);
    const icmp = isObject(e.IcmpTypeCode) ? { type: num(e.IcmpTypeCode.Type) ?? -1, code: num(e.IcmpTypeCode.Code) ?? -1 } : undefined;
    rules.push({
      number,
      direction,
      action: str(e.RuleAction) === 'deny' ? 'deny' : 'allow',
      protocol: str(e.Protocol) ?? '-1',
      ports: from !== undefined && to !== undefined ? [from, to] : undefined,
      icmp,
      remote,
      origin: `${id} entry ${number ?? '?'}`,
    });
  }
  const about = [`network ACL ${id}`];
  if (str(a.VpcId)) about.push(`in ${a.VpcId as string}`);
  if (a.IsDefault === true) about.push('(the VPC default)');
  const subnetIds = arrayOf(a.Associations).flatMap((s) => (isObject(s) && str(s.SubnetId) ? [s.SubnetId as string] : []));
  inv.acls.push({ id, name: nameTag(a.Tags), about, subnetIds, rules });
}

function readGroup(g: unknown, inv: Inventory): void {
  if (!isObject(g) || !str(g.GroupId)) return;
  const id = g.GroupId as string;
  const rules: Rule[] = [];
  const perms = (list: unknown, direction: 'inbound' | 'outbound') => {
    for (const p of arrayOf(list)) {
      if (!isObject(p)) continue;
      const protocol = str(p.IpProtocol) ?? '-1';
      const from = num(p.FromPort);
      const to = num(p.ToPort);
      const icmpLike = ['icmp', 'icmpv6', '1', '58'].includes(protocol);
      const portLike = ['tcp', 'udp', '6', '17'].includes(protocol);
      const base = {
        direction,
        action: 'allow' as const,
        protocol,
        ports: portLike && from !== undefined && to !== undefined ? ([from, to] as [number, number]) : undefined,
        icmp: icmpLike ? { type: from ?? -1, code: to ?? -1 } : undefined,
        origin: `${id} ${direction === 'inbound' ? 'IpPermissions' : 'IpPermissionsEgress'}`,
      };
      for (const r of arrayOf(p.IpRanges))
        if (isObject(r) && str(r.CidrIp)) rules.push({ ...base, remote: { cidr: r.CidrIp as string }, description: str(r.Description) });
      for (const r of arrayOf(p.Ipv6Ranges))
        if (isObject(r) && str(r.CidrIpv6))
          rules.push({ ...base, remote: { cidr: r.CidrIpv6 as string }, description: str(r.Description) });
      for (const r of arrayOf(p.UserIdGroupPairs)) {
        if (!isObject(r) || !str(r.GroupId)) continue;
        const where = [str(r.UserId) && `account ${r.UserId as string}`, str(r.VpcId) && `${r.VpcId as string}`]
          .concat(
            str(r.VpcPeeringConnectionId)
              ? [`through ${r.VpcPeeringConnectionId as string} (${str(r.PeeringStatus) ?? 'status unknown'})`]
              : [],
          )
          .filter(Boolean);
        rules.push({
          ...base,
          remote: { group: r.GroupId as string, note: where.length ? `${str(r.GroupName) ?? r.GroupId}, ${where.join(', ')}` : undefined },
          description: str(r.Description),
        });
      }
      for (const r of arrayOf(p.PrefixListIds))
        if (isObject(r) && str(r.PrefixListId))
          rules.push({ ...base, remote: { prefixList: r.PrefixListId as string }, description: str(r.Description) });
    }
  };
  perms(g.IpPermissions, 'inbound');
  perms(g.IpPermissionsEgress, 'outbound');
  const about = [`security group ${id}`];
  if (str(g.GroupName)) about.push(`"${g.GroupName as string}"`);
  if (str(g.VpcId)) about.push(`in ${g.VpcId as string}`);
  if (str(g.Description)) about.push(`— ${g.Description as string}`);
  inv.groups.push({ id, name: nameTag(g.Tags), about, rules });
}
