// What an import found, whatever it was read from (the AWS CLI's JSON, Terraform's): network
// ACLs, security groups, subnets and group members, with the AWS meaning of their fields.
// The readers fill it; write.ts turns it into `.fw` text.

/** The other side of a rule: a CIDR, a security group's members, or a prefix list (unknown). */
export type Remote = { cidr: string } | { group: string; note?: string } | { prefixList: string };

export interface Rule {
  /** Network ACL rules only. */
  number?: number;
  direction: 'inbound' | 'outbound';
  action: 'allow' | 'deny';
  /** As AWS writes it: "-1", "6", "tcp", "icmpv6", … */
  protocol: string;
  /** tcp/udp: the destination port range (undefined: every port). */
  ports?: [number, number];
  /** icmp/icmpv6: type and code, -1 for all (undefined: all). */
  icmp?: { type: number; code: number };
  remote: Remote;
  description?: string;
  /** Where it came from, for messages: `acl-1 entry 100 (inbound)`. */
  origin: string;
}

export interface Acl {
  id: string;
  name?: string;
  /** vpc, default ACL…: said in the comment above the firewall. */
  about: string[];
  subnetIds: string[];
  /** Why there are no subnetIds, when it is not "associated with no subnet". */
  noSubnets?: string;
  rules: Rule[];
}

export interface SecurityGroup {
  id: string;
  name?: string;
  about: string[];
  rules: Rule[];
}

export interface Subnet {
  id: string;
  name?: string;
  cidrs: string[];
}

/** A network interface (or an instance): the addresses that sit behind its groups. */
export interface Member {
  id: string;
  name?: string;
  groups: string[];
  addresses: string[];
}

export interface Inventory {
  /** Which tool wrote the input, for the header: `aws`, `terraform`. */
  from: string;
  acls: Acl[];
  groups: SecurityGroup[];
  subnets: Subnet[];
  members: Member[];
  /** Whether subnets / members were given at all (else their absence is not news). */
  haveSubnets: boolean;
  haveMembers: boolean;
  /** Parts of the input read but not expressible, found while reading. */
  unexpressed: string[];
}

export function emptyInventory(from: string): Inventory {
  return { from, acls: [], groups: [], subnets: [], members: [], haveSubnets: false, haveMembers: false, unexpressed: [] };
}

/** The value of the `Name` tag in AWS's `[{Key, Value}]` or Terraform's `{Name: …}` form. */
export function nameTag(tags: unknown): string | undefined {
  if (Array.isArray(tags)) {
    for (const t of tags) if (isObject(t) && t.Key === 'Name' && typeof t.Value === 'string' && t.Value.trim()) return t.Value;
    return undefined;
  }
  if (isObject(tags) && typeof tags.Name === 'string' && tags.Name.trim()) return tags.Name;
  return undefined;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function arrayOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}
