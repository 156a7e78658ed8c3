// What a firewall's platform can express (spec §10): `platform-unsupported` for a rule or
// clause an AWS network ACL or security group cannot hold, `platform-limit` for more entries
// than the default quota, counted as AWS counts them.

import { type Diagnostic, diag } from '../core/diagnostic';
import { parseAddress, prefixesOf } from '../core/address';
import type { AddrSet } from '../core/intervals';
import type { Direction, Platform } from '../syntax/ast';
import type { Firewall, ResolvedEndpoint, ResolvedRule, SecurityGroupSet } from './types';

const NAMES: Record<Platform, string> = { 'aws-nacl': 'an AWS network ACL', 'aws-sg': 'an AWS security group' };

/** Default quotas, entries per direction (an ACL's are adjustable to 40). */
export const PLATFORM_QUOTA: Record<Platform, number> = { 'aws-nacl': 20, 'aws-sg': 60 };

/** An ACL's final `*` entries, one per family (32767 for IPv4, 32768 for IPv6), count against its quota. */
const STAR_ENTRIES: Record<Platform, number> = { 'aws-nacl': 2, 'aws-sg': 0 };

/** The prefixes of a `protects` endpoint, each its own subnet for an aws-nacl (spec §10). */
export function subnetsOf(ep: ResolvedEndpoint): AddrSet[] {
  const texts = ep.symbol?.texts ?? [];
  const sets = texts.map((t) => parseAddress(t)).flatMap((p) => (p.ok ? [p.set] : []));
  return sets.length > 0 ? sets : ep.addresses.isEmpty() ? [] : [ep.addresses];
}

/** The side of a rule that AWS does not match on: `to` of an inbound rule, `from` of an outbound one. */
export function insideSideOf(rule: ResolvedRule): 'from' | 'to' {
  return rule.direction === 'inbound' ? 'to' : 'from';
}

/**
 * How many entries a rule stands for (spec §10): one per protocol, remote prefix of one family
 * and destination port range. The remote addresses count as their fewest CIDR blocks.
 */
export function entryCount(rule: ResolvedRule): number {
  const remote = rule.direction === 'inbound' ? rule.from : rule.to;
  const prefixes = Math.max(1, prefixesOf(remote.addresses).length);
  const ported = rule.proto === 'tcp' || rule.proto === 'udp';
  const ranges = ported ? Math.max(1, rule.dport.count) : 1;
  return prefixes * ranges;
}

/**
 * Spec §10: several aws-sg on one address act as one group; each learns the groups that share
 * its members (`securityGroups`). Groups with the same inside share one set: the insides are
 * compared once per pair of distinct insides, not per pair of groups.
 */
export function linkSecurityGroups(firewalls: Firewall[]): void {
  const groups = firewalls.filter((fw) => fw.platform === 'aws-sg' && fw.valid);
  const byInside = new Map<string, Firewall[]>();
  for (const fw of groups) {
    const key = fw.inside.bounds.join(',');
    const same = byInside.get(key);
    if (same) same.push(fw);
    else byInside.set(key, [fw]);
  }
  const buckets = [...byInside.values()];
  const index = new Map(groups.map((fw, i) => [fw, i]));
  for (const bucket of buckets) {
    const inside = bucket[0]!.inside;
    const members = buckets.filter((b) => b[0]!.inside.intersects(inside)).flat();
    if (members.length < 2) continue;
    members.sort((a, b) => index.get(a)! - index.get(b)!);
    const set: SecurityGroupSet = { members, has: new Set(members) };
    for (const fw of bucket) fw.securityGroups = set;
  }
}

export function platformDiagnostics(fw: Firewall): Diagnostic[] {
  const platform = fw.platform;
  if (!platform) return [];
  const out: Diagnostic[] = [];
  const what = NAMES[platform];
  const header = fw.node;
  if (header.defaultAction?.value === 'allow') {
    out.push(
      diag(
        'platform-unsupported',
        { start: header.defaultAction.span.start, end: header.defaultAction.span.end },
        `\`${fw.name}\` is ${what}: its final rule denies everything, so \`default allow\` cannot be expressed`,
      ),
    );
  }
  for (const r of fw.rules) {
    if (!r.valid) continue;
    const n = r.node;
    if (platform === 'aws-sg' && n.number) {
      out.push(
        diag(
          'platform-unsupported',
          n.number.span,
          `\`${fw.name}\` is ${what}: its rules are not numbered (they are all allow rules and their order does not matter)`,
        ),
      );
    }
    if (platform === 'aws-sg' && r.action === 'deny' && n.action) {
      out.push(
        diag('platform-unsupported', n.action.span, `\`${fw.name}\` is ${what}: it has allow rules only; what no rule allows is denied`),
      );
    }
    if (r.sportGiven && n.from?.ports) {
      out.push(
        diag(
          'platform-unsupported',
          { start: n.from.portKeyword?.start ?? n.from.ports.span.start, end: n.from.ports.span.end },
          `\`${fw.name}\` is ${what}: AWS matches only the destination port range, so a rule cannot name a source port`,
        ),
      );
    }
    const side = insideSideOf(r);
    const ep = r[side];
    const node = n[side];
    if (node?.endpoint && !fw.inside.isSubsetOf(ep.addresses)) {
      const whole = platform === 'aws-nacl' ? 'the whole inside (every associated subnet)' : 'every member of the group';
      const role = side === 'to' ? 'destination of an inbound rule' : 'source of an outbound rule';
      out.push(
        diag(
          'platform-unsupported',
          node.endpoint.span,
          `\`${fw.name}\` is ${what}: AWS matches only the remote side of a rule, so the ${role} must be omitted ` +
            `or contain ${whole} (${fw.insideLabel}); \`${ep.label}\` is less`,
        ),
      );
    }
  }
  for (const d of ['inbound', 'outbound'] as Direction[]) out.push(...quota(fw, platform, d));
  return out;
}

/** `platform-limit` on the rule that takes a direction past the default quota. */
function quota(fw: Firewall, platform: Platform, direction: Direction): Diagnostic[] {
  const limit = PLATFORM_QUOTA[platform];
  const rules = fw.rules.filter((r) => r.direction === direction && r.valid);
  if (rules.every((r) => r.number !== undefined)) rules.sort((a, b) => a.number! - b.number! || a.index - b.index);
  let total = STAR_ENTRIES[platform];
  let first: ResolvedRule | undefined;
  for (const r of rules) {
    total += entryCount(r);
    if (total > limit && !first) first = r;
  }
  if (!first) return [];
  const stars = platform === 'aws-nacl' ? ', the two final `*` entries included' : '';
  return [
    diag(
      'platform-limit',
      first.node.span,
      `\`${fw.name}\` has ${total} ${direction} entries as AWS counts them${stars}: more than the default quota of ${limit}` +
        `${platform === 'aws-nacl' ? ' (adjustable to 40)' : ''}; this rule is the first past it`,
    ),
  ];
}
