// Per firewall, once: what each allow rule really allows, the responses of every request
// rule (and of every both rule that serves no request) decided by the firewall, and which
// rules serve which requests (§7). The five response analyses and the hovers read it.

import { RecentCache, sameDeclaration } from '../core/recent';
import type { Direction } from '../syntax/ast';
import type { Firewall, NatSymbol, ResolvedRule } from '../model/types';
import { PortSet } from '../core/intervals';
import { type Decision, crossing, orderedRules } from '../engine/firewall';
import type { Box } from '../engine/packet';
import { redundantRulesOf } from './redundantRule';
import {
  type RuleKind,
  classifyRule,
  clientPortsOf,
  gatewaysOf,
  isGeneralBoth,
  oppositeDirection,
  rangesOf,
  responsesOf,
} from './ruleKinds';
import { RuleSpace } from './ruleSpace';

/** The responses of one request-like rule, as the firewall decides them. */
export interface ResponseCheck {
  rule: ResolvedRule;
  kind: RuleKind;
  clientPorts: PortSet;
  /** The NAT gateways on the client side (§6.1): the responses to each go to its ports. */
  gateways: NatSymbol[];
  /** The request packets the rule really allows (what crosses, after the rules before it). */
  requests: Box[];
  /** Their responses (the inverse), in the opposite direction. */
  responses: Box[];
  /** The responses decided by the firewall in the opposite direction, first match wins. */
  decisions: Decision[];
  /** Rules that allow some response, in evaluation order. */
  servedBy: ResolvedRule[];
  /** Deny rules that drop some response, in evaluation order. */
  deniedBy: ResolvedRule[];
  /** True when the default (deny) drops some response. */
  defaultDenies: boolean;
  /** True when the default (allow) allows some response. */
  defaultAllows: boolean;
  allowed: Box[];
  dropped: Box[];
}

export interface ResponseIndex {
  firewall: Firewall;
  /** §7 kind of every valid allow rule. */
  kindOf(rule: ResolvedRule): RuleKind | undefined;
  /** True for a rule reported `redundant-rule`: it counts as absent in this index (§8.1 rule 2). */
  isRedundant(rule: ResolvedRule): boolean;
  /** Request rules and general both rules (§7): those whose responses must pass. */
  checks: ResponseCheck[];
  checkOf(rule: ResolvedRule): ResponseCheck | undefined;
  /** The request rules (kind `request`) a rule serves. */
  servedRequests(rule: ResolvedRule): ResolvedRule[];
  /** Every checked (request-like) rule a rule serves, request rules first. */
  served(rule: ResolvedRule): ResolvedRule[];
  /** The packets a rule really allows: what crosses, minus what the rules before it decide. */
  allowedBy(rule: ResolvedRule): Box[];
  /** The responses of any allow rule (computed on demand for rules that are not in `checks`). */
  responsesTo(rule: ResolvedRule): ResponseCheck | undefined;
  /** Position of a rule in its direction's evaluation order. */
  position(rule: ResolvedRule): number;
  space(direction: Direction): RuleSpace;
}

// Only the last two firewalls' indexes are kept (see RecentCache): the one being looked at and
// one more. Kept for four, each of the indexes an open makes outlived a young-generation
// collection, so V8 made every later one in the old generation (allocation-site pretenuring),
// where each edit's stayed as garbage: 7–12 MB more at the peak of 50 edits at 10,000 rules.
const cache = new RecentCache<Firewall, ResponseIndex>(2, sameDeclaration);

/** The index of one firewall (cached per firewall object). Never throws on a valid model. */
export function responseIndex(fw: Firewall): ResponseIndex {
  let ix = cache.get(fw);
  if (!ix) {
    ix = buildIndex(fw);
    cache.set(fw, ix);
  }
  return ix;
}

function buildIndex(fw: Firewall): ResponseIndex {
  // §8.1 rule 2: allow rules reported redundant count as absent when deciding what serves
  // what, so that following every piece of advice together never drops a response. (A
  // redundant deny stays: it decides nothing the default would not, and fixes must still be
  // placed before it.)
  const redundant = new Set([...redundantRulesOf(fw)].filter((r) => r.action === 'allow'));
  const present = (d: Direction) => orderedRules(fw, d).filter((cr) => !redundant.has(cr.rule));
  const spaces: Record<Direction, RuleSpace> = {
    inbound: new RuleSpace(present('inbound')),
    outbound: new RuleSpace(present('outbound')),
  };
  const positions = new Map<ResolvedRule, number>();
  for (const d of ['inbound', 'outbound'] as const) spaces[d].rules.forEach((cr, i) => positions.set(cr.rule, i));
  const kinds = new Map<ResolvedRule, RuleKind>();
  const ranges = rangesOf(fw);
  for (const r of fw.rules) {
    const k = classifyRule(r, ranges);
    if (k) kinds.set(r, k);
  }

  const allowedCache = new Map<ResolvedRule, Box[]>();
  const allowedBy = (rule: ResolvedRule): Box[] => {
    let a = allowedCache.get(rule);
    if (a) return a;
    a = [];
    const pos = positions.get(rule);
    if (rule.valid && rule.action === 'allow' && pos !== undefined) {
      const space = spaces[rule.direction];
      const own: Box[] = [];
      for (const b of space.rules[pos]!.boxes) {
        const c = crossing(fw, rule.direction, b);
        if (c) own.push(c);
      }
      if (own.length) a = space.decidedBy(pos, own);
    }
    allowedCache.set(rule, a);
    return a;
  };

  const checkCache = new Map<ResolvedRule, ResponseCheck | undefined>();
  const responsesTo = (rule: ResolvedRule): ResponseCheck | undefined => {
    if (checkCache.has(rule)) return checkCache.get(rule);
    let result: ResponseCheck | undefined;
    const kind = kinds.get(rule);
    if (kind) {
      const requests = allowedBy(rule);
      const clientPorts = clientPortsOf(rule, fw);
      const gateways = gatewaysOf(fw, rule);
      const responses = responsesOf(requests, rule.sportGiven ? rule.sport : rule.from.ephemeral, gateways);
      const decisions = spaces[oppositeDirection(rule.direction)].decide(responses, fw.defaultAction);
      const servedBy = new Set<ResolvedRule>();
      const deniedBy = new Set<ResolvedRule>();
      const allowed: Box[] = [];
      const dropped: Box[] = [];
      let defaultDenies = false;
      let defaultAllows = false;
      for (const d of decisions) {
        (d.action === 'allow' ? allowed : dropped).push(d.box);
        if (d.rule) (d.action === 'allow' ? servedBy : deniedBy).add(d.rule);
        else if (d.action === 'allow') defaultAllows = true;
        else defaultDenies = true;
      }
      const byPos = (a: ResolvedRule, b: ResolvedRule) => positions.get(a)! - positions.get(b)!;
      result = {
        rule,
        kind,
        clientPorts,
        gateways,
        requests,
        responses,
        decisions,
        servedBy: [...servedBy].sort(byPos),
        deniedBy: [...deniedBy].sort(byPos),
        defaultDenies,
        defaultAllows,
        allowed,
        dropped,
      };
    }
    checkCache.set(rule, result);
    return result;
  };

  const checks: ResponseCheck[] = [];
  const servedRequests = new Map<ResolvedRule, ResolvedRule[]>();
  const served = new Map<ResolvedRule, ResolvedRule[]>();
  const record = (c: ResponseCheck, into: Map<ResolvedRule, ResolvedRule[]>) => {
    for (const s of c.servedBy) {
      const list = into.get(s);
      if (list) list.push(c.rule);
      else into.set(s, [c.rule]);
    }
  };
  // Request rules first: whether a both rule serves a request depends on them.
  for (const r of fw.rules) {
    if (kinds.get(r) !== 'request' || redundant.has(r)) continue;
    const c = responsesTo(r);
    if (!c) continue;
    checks.push(c);
    record(c, servedRequests);
    record(c, served);
  }
  // §7: a general both rule's request half is meant: its inverse must be served, even when it
  // also serves other rules' responses. A both rule that is not general is a return-traffic
  // rule whose request half is an accident (broad-response (c) says so): not checked.
  for (const r of fw.rules) {
    if (kinds.get(r) !== 'both' || redundant.has(r) || !isGeneralBoth(r)) continue;
    const c = responsesTo(r);
    if (!c) continue;
    checks.push(c);
    record(c, served);
  }
  const checkByRule = new Map(checks.map((c) => [c.rule, c]));

  return {
    firewall: fw,
    kindOf: (r) => kinds.get(r),
    isRedundant: (r) => redundant.has(r),
    checks,
    checkOf: (r) => checkByRule.get(r),
    servedRequests: (r) => servedRequests.get(r) ?? [],
    served: (r) => served.get(r) ?? [],
    allowedBy,
    responsesTo,
    position: (r) => positions.get(r) ?? -1,
    space: (d) => spaces[d],
  };
}

/** Union of the destination ports of some ported boxes. */
export function dports(boxes: Box[]): PortSet {
  let s = PortSet.EMPTY;
  for (const b of boxes) s = s.union(b.dport);
  return s;
}
