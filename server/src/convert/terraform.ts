// Reads the JSON of `terraform show -json` (a plan's `planned_values` or the state's `values`,
// child modules included) into an Inventory: the AWS network ACL and security group resources,
// their rules, associations and subnets, and the instances and interfaces that are group members.

import { type Inventory, type Rule, arrayOf, emptyInventory, isObject, nameTag, num, str } from './inventory';

interface Resource {
  address: string;
  type: string;
  values: Record<string, unknown>;
}

/** The root module of a plan or a state, if the document is one. */
function rootModule(json: unknown): Record<string, unknown> | undefined {
  if (!isObject(json)) return undefined;
  for (const k of ['planned_values', 'values']) {
    const v = json[k];
    if (isObject(v) && isObject(v.root_module)) return v.root_module;
  }
  return undefined;
}

export function isTerraformJson(json: unknown): boolean {
  return rootModule(json) !== undefined;
}

function resources(mod: Record<string, unknown>): Resource[] {
  const out: Resource[] = [];
  for (const r of arrayOf(mod.resources)) {
    if (!isObject(r) || r.mode === 'data' || !str(r.type)) continue;
    out.push({
      address: str(r.address) ?? `${r.type as string}.${str(r.name) ?? '?'}`,
      type: r.type as string,
      values: isObject(r.values) ? r.values : {},
    });
  }
  for (const c of arrayOf(mod.child_modules)) if (isObject(c)) out.push(...resources(c));
  return out;
}

const strings = (v: unknown) => arrayOf(v).filter((x): x is string => typeof x === 'string' && x !== '');

/** The attributes that hold other resources' IDs, by resource type: in a plan they are often
 * unknown until applied, and `configuration` says which resources they refer to. */
const REFERENCES: Record<string, string[]> = {
  aws_network_acl: ['subnet_ids'],
  aws_default_network_acl: ['subnet_ids'],
  aws_network_acl_rule: ['network_acl_id'],
  aws_network_acl_association: ['network_acl_id', 'subnet_id'],
  aws_security_group_rule: ['security_group_id', 'source_security_group_id'],
  aws_vpc_security_group_ingress_rule: ['security_group_id', 'referenced_security_group_id'],
  aws_vpc_security_group_egress_rule: ['security_group_id', 'referenced_security_group_id'],
  aws_instance: ['vpc_security_group_ids'],
  aws_network_interface: ['security_groups'],
  aws_network_interface_sg_attachment: ['security_group_id', 'network_interface_id'],
};

/** The `expressions` of every resource of a plan's `configuration`, by its module-qualified address. */
function configExpressions(mod: unknown, prefix: string, out: Map<string, Record<string, unknown>>): void {
  if (!isObject(mod)) return;
  for (const r of arrayOf(mod.resources))
    if (isObject(r) && str(r.address) && isObject(r.expressions)) out.set(prefix + (r.address as string), r.expressions);
  if (isObject(mod.module_calls))
    for (const [name, call] of Object.entries(mod.module_calls))
      if (isObject(call)) configExpressions(call.module, `${prefix}module.${name}.`, out);
}

/** An address without its last instance key: `aws_subnet.a[0]` → `aws_subnet.a`. */
/**
 * A resource's address without its index (`aws_subnet.app[0]` → `aws_subnet.app`): the first
 * `[` after the last `]` but the final one. Not a regular expression: `/\[[^\]]*\]$/` tries each
 * `[` of the address in turn, and an address of a megabyte of `[` took minutes.
 */
export function baseAddress(a: string): string {
  if (!a.endsWith(']')) return a;
  const open = a.indexOf('[', a.lastIndexOf(']', a.length - 2) + 1);
  return open >= 0 && open < a.length - 1 ? a.slice(0, open) : a;
}

/** Fills the ID attributes a plan leaves unknown with the IDs (or, unknown, the addresses) of
 * the resources that `configuration` says they refer to. */
function resolveReferences(found: Resource[], json: Record<string, unknown>): void {
  const config = isObject(json.configuration) ? json.configuration : undefined;
  if (!config) return;
  const expressions = new Map<string, Record<string, unknown>>();
  configExpressions(config.root_module, '', expressions);
  for (const r of found) {
    const fields = REFERENCES[r.type];
    const base = baseAddress(r.address);
    const expr = expressions.get(base);
    if (!fields || !expr) continue;
    const prefix = base.slice(0, base.lastIndexOf(`${r.type}.`));
    for (const field of fields) {
      const known = r.values[field];
      if (known !== undefined && known !== null) continue;
      const e = expr[field];
      const refs = isObject(e) ? strings(e.references) : [];
      const ids = new Set<string>();
      for (const ref of refs) {
        const m = /^([a-z0-9_]+)\.([A-Za-z0-9_-]+)/.exec(ref);
        if (!m || m[1] === 'var' || m[1] === 'local' || m[1] === 'module' || m[1] === 'data') continue;
        const target = `${prefix}${m[1]}.${m[2]}`;
        for (const t of found) if (baseAddress(t.address) === target) ids.add(str(t.values.id) ?? t.address);
      }
      if (ids.size === 0) continue;
      r.values[field] = Array.isArray(known) || field.endsWith('_ids') || field === 'security_groups' ? [...ids] : [...ids][0];
    }
  }
}

export function readTerraform(inputs: { name: string; json: unknown }[]): Inventory | { error: string } {
  const inv = emptyInventory('terraform');
  const all: Resource[] = [];
  for (const { name, json } of inputs) {
    const root = rootModule(json);
    if (!root) return { error: `${name}: not the JSON of terraform show -json (no planned_values.root_module or values.root_module)` };
    const found = resources(root);
    resolveReferences(found, json as Record<string, unknown>);
    all.push(...found);
  }
  const idOf = (r: Resource) => str(r.values.id) ?? r.address;
  const portsOf = (v: Record<string, unknown>, proto: string): [number, number] | undefined => {
    const from = num(v.from_port);
    const to = num(v.to_port);
    return ['tcp', 'udp', '6', '17'].includes(proto) && from !== undefined && to !== undefined ? [from, to] : undefined;
  };

  const aclRule = (v: Record<string, unknown>, egress: boolean, owner: string, numberKey: string, actionKey: string): Rule => {
    const protocol = str(v.protocol) ?? '-1';
    const number = num(v[numberKey]);
    const direction = egress ? 'outbound' : 'inbound';
    const icmpLike = ['icmp', 'icmpv6', '1', '58'].includes(protocol);
    return {
      number,
      direction,
      action: str(v[actionKey]) === 'deny' ? 'deny' : 'allow',
      protocol,
      ports: portsOf(v, protocol),
      icmp: icmpLike ? { type: num(v.icmp_type) ?? -1, code: num(v.icmp_code) ?? -1 } : undefined,
      remote: { cidr: str(v.cidr_block) ?? str(v.ipv6_cidr_block) ?? '' },
      origin: `${owner} rule ${number ?? '?'}`,
    };
  };

  /** The rules of one security-group rule block: one per source. */
  const groupRules = (v: Record<string, unknown>, direction: 'inbound' | 'outbound', owner: string, selfId: string): Rule[] => {
    const protocol = str(v.protocol) ?? str(v.ip_protocol) ?? '-1';
    const icmpLike = ['icmp', 'icmpv6', '1', '58'].includes(protocol);
    const base = {
      direction,
      action: 'allow' as const,
      protocol,
      ports: portsOf(v, protocol),
      icmp: icmpLike ? { type: num(v.from_port) ?? -1, code: num(v.to_port) ?? -1 } : undefined,
      description: str(v.description),
      origin: owner,
    };
    const out: Rule[] = [];
    for (const c of [...strings(v.cidr_blocks), ...strings(v.ipv6_cidr_blocks), str(v.cidr_ipv4), str(v.cidr_ipv6)])
      if (c) out.push({ ...base, remote: { cidr: c } });
    for (const g of [...strings(v.security_groups), str(v.source_security_group_id), str(v.referenced_security_group_id)])
      if (g) out.push({ ...base, remote: { group: g } });
    if (v.self === true) out.push({ ...base, remote: { group: selfId } });
    for (const p of [...strings(v.prefix_list_ids), str(v.prefix_list_id)]) if (p) out.push({ ...base, remote: { prefixList: p } });
    return out;
  };

  for (const r of all) {
    const v = r.values;
    switch (r.type) {
      case 'aws_subnet':
        inv.haveSubnets = true;
        inv.subnets.push({
          id: idOf(r),
          name: nameTag(v.tags),
          cidrs: [str(v.cidr_block), str(v.ipv6_cidr_block)].filter((c): c is string => !!c),
        });
        break;
      case 'aws_network_acl':
      case 'aws_default_network_acl': {
        const id = idOf(r);
        const rules = [
          ...arrayOf(v.ingress).flatMap((b) => (isObject(b) ? [aclRule(b, false, r.address, 'rule_no', 'action')] : [])),
          ...arrayOf(v.egress).flatMap((b) => (isObject(b) ? [aclRule(b, true, r.address, 'rule_no', 'action')] : [])),
        ];
        const about = [`${r.type} ${r.address}`];
        if (str(v.id)) about.push(`(${v.id as string})`);
        inv.acls.push({
          id,
          name: nameTag(v.tags) ?? r.address.replace(/^.*\./, ''),
          about,
          subnetIds: strings(v.subnet_ids),
          noSubnets: v.subnet_ids === undefined ? 'its subnet_ids are known only after apply' : undefined,
          rules,
        });
        break;
      }
      case 'aws_security_group':
      case 'aws_default_security_group': {
        const id = idOf(r);
        const rules = [
          ...arrayOf(v.ingress).flatMap((b) => (isObject(b) ? groupRules(b, 'inbound', r.address, id) : [])),
          ...arrayOf(v.egress).flatMap((b) => (isObject(b) ? groupRules(b, 'outbound', r.address, id) : [])),
        ];
        const about = [`${r.type} ${r.address}`];
        if (str(v.id)) about.push(`(${v.id as string})`);
        if (str(v.description)) about.push(`— ${v.description as string}`);
        inv.groups.push({ id, name: nameTag(v.tags) ?? str(v.name) ?? r.address.replace(/^.*\./, ''), about, rules });
        break;
      }
      case 'aws_instance':
      case 'aws_network_interface': {
        inv.haveMembers = true;
        const addresses = [str(v.private_ip), ...strings(v.private_ips), ...strings(v.ipv6_addresses)].filter((a): a is string => !!a);
        const groups = [...strings(v.vpc_security_group_ids), ...strings(v.security_groups)];
        inv.members.push({
          id: idOf(r),
          name: nameTag(v.tags) ?? r.address.replace(/^.*\./, ''),
          groups: [...new Set(groups)],
          addresses: [...new Set(addresses)],
        });
        break;
      }
    }
  }
  // Rules and associations given as their own resources, once their owners are known.
  for (const r of all) {
    const v = r.values;
    const owner = (key: string) => str(v[key]);
    if (r.type === 'aws_network_acl_rule' || r.type === 'aws_network_acl_association') {
      const acl = inv.acls.find((a) => a.id === owner('network_acl_id'));
      if (!acl) {
        inv.unexpressed.push(`${r.address}: its network ACL ${owner('network_acl_id') ?? '(unknown until applied)'} is not in the input`);
        continue;
      }
      if (r.type === 'aws_network_acl_rule') acl.rules.push(aclRule(v, v.egress === true, r.address, 'rule_number', 'rule_action'));
      else if (owner('subnet_id') && !acl.subnetIds.includes(owner('subnet_id')!)) acl.subnetIds.push(owner('subnet_id')!);
    } else if (['aws_security_group_rule', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule'].includes(r.type)) {
      const group = inv.groups.find((g) => g.id === owner('security_group_id'));
      if (!group) {
        inv.unexpressed.push(
          `${r.address}: its security group ${owner('security_group_id') ?? '(unknown until applied)'} is not in the input`,
        );
        continue;
      }
      const egress = r.type === 'aws_vpc_security_group_egress_rule' || (r.type === 'aws_security_group_rule' && v.type === 'egress');
      group.rules.push(...groupRules(v, egress ? 'outbound' : 'inbound', r.address, group.id));
    } else if (r.type === 'aws_network_interface_sg_attachment') {
      const member = inv.members.find((m) => m.id === owner('network_interface_id'));
      const group = owner('security_group_id');
      if (!member || !group) {
        inv.unexpressed.push(`${r.address}: its network interface or security group is not in the input`);
        continue;
      }
      if (!member.groups.includes(group)) member.groups.push(group);
    }
  }
  return inv;
}
