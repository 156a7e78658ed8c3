// Spec §8.1 rules 1 and 3, checked exactly on the result of a fix: what a firewall newly
// allows must be responses to requests it allowed before, no flow that met its `expect` may
// stop meeting it, and no diagnostic code may grow. `check --fix` keeps only fixes that pass.

import type { Direction } from '../syntax/ast';
import type { Diagnostic } from '../core/diagnostic';
import { PortSet } from '../core/intervals';
import type { Firewall, Model } from '../model/types';
import { crossing, decide, judgedAlike } from '../engine/firewall';
import { type Box, PORTED, subtractBoxes, universeBoxes } from '../engine/packet';
import type { Analysis } from './analyze';
import { refusalsOf } from './flowPath';
import { responseIndex } from './responseIndex';
import { gatewaysOf, oppositeDirection, responsesOf } from './ruleKinds';
import { firewallsOf } from '../model/ownership';

const DIRECTIONS: Direction[] = ['inbound', 'outbound'];

const allowedOf = new WeakMap<Firewall, Partial<Record<Direction, Box[]>>>();

/** Every packet crossing `fw` in `direction` that it allows (its rules and default). */
function allowedPackets(fw: Firewall, direction: Direction): Box[] {
  let known = allowedOf.get(fw);
  if (!known) allowedOf.set(fw, (known = {}));
  const hit = known[direction];
  if (hit) return hit;
  const crossingAll: Box[] = [];
  for (const b of universeBoxes()) {
    const c = crossing(fw, direction, b);
    if (c) crossingAll.push(c);
  }
  const out = decide(fw, direction, crossingAll)
    .filter((d) => d.action === 'allow')
    .map((d) => d.box);
  known[direction] = out;
  return out;
}

/**
 * The responses of every request `fw` allows in `requestDirection`: each allow rule's really
 * allowed packets, inverted, the client side limited to the rule's client ports (§7).
 */
function responsesOfAllowed(fw: Firewall, requestDirection: Direction): Box[] {
  let known = responsesOfAllowedOf.get(fw);
  if (!known) responsesOfAllowedOf.set(fw, (known = {}));
  return (known[requestDirection] ??= computeResponsesOfAllowed(fw, requestDirection));
}

const responsesOfAllowedOf = new WeakMap<Firewall, Partial<Record<Direction, Box[]>>>();

function computeResponsesOfAllowed(fw: Firewall, requestDirection: Direction): Box[] {
  const ix = responseIndex(fw);
  const out: Box[] = [];
  for (const r of fw.rules) {
    if (r.direction !== requestDirection || r.action !== 'allow' || !r.valid) continue;
    const responses = responsesOf(ix.allowedBy(r), r.sportGiven ? r.sport : r.from.ephemeral, gatewaysOf(fw, r));
    // An AWS network ACL cannot match a source port (spec §8.1 rule 1, §10): its only possible
    // response rule takes every port on the server's side.
    out.push(...(fw.platform === 'aws-nacl' ? responses.map((b) => ({ ...b, sport: PortSet.ALL })) : responses));
    // Nor can it name less than a whole inside (§10): the responses coming back to a NAT
    // gateway inside it (§6.1) can only be let in to the whole subnet that holds the gateway.
    const gateways = gatewaysOf(fw, r);
    if (fw.platform === 'aws-nacl' && requestDirection === 'outbound' && gateways.length > 0) {
      for (const b of responsesOf(ix.allowedBy(r), PortSet.EMPTY, gateways)) {
        if ((b.protos & PORTED) === 0) continue;
        let subnets = b.dst;
        for (const inside of fw.insides) if (inside.intersects(b.dst)) subnets = subnets.union(inside);
        out.push({ ...b, sport: PortSet.ALL, dst: subnets });
      }
    }
  }
  return out;
}

/** `a` minus every box of `b`. */
function minus(a: Box[], b: Box[], limit = 20_000): Box[] | undefined {
  let rest = a;
  for (const x of b) {
    rest = subtractBoxes(rest, x);
    if (rest.length > limit) return undefined;
    if (rest.length === 0) break;
  }
  return rest;
}

/**
 * What `after` newly allows that is no response to a request `before` allowed (§8.1 rule 1),
 * firewall by firewall of the file: each firewall is compared with the one of the same name
 * and place among those so named (a fix edits rules, never adds or removes a firewall; a name
 * declared twice is an error but still two firewalls, each of which a fix may open). Empty
 * when the fix opened nothing else. Undefined when the sets grow too large to settle: the
 * caller then refuses the fix.
 */
function forbiddenOpenings(before: Model, after: Model): { firewall: string; direction: Direction; boxes: Box[] }[] | undefined {
  const out: { firewall: string; direction: Direction; boxes: Box[] }[] = [];
  const byName = new Map<string, Firewall[]>();
  for (const f of firewallsOf(before)) {
    const list = byName.get(f.name);
    if (list) list.push(f);
    else byName.set(f.name, [f]);
  }
  const seen = new Map<string, number>();
  for (const fw of firewallsOf(after)) {
    const n = seen.get(fw.name) ?? 0;
    seen.set(fw.name, n + 1);
    const old = byName.get(fw.name)?.[n];
    if (!fw.valid || !old?.valid || allowsNothing(fw)) continue;
    for (const d of DIRECTIONS) {
      // Judged alike (the same crossings, rules and default): it allows just what it did.
      if (judgedAlike(fw, old, d)) continue;
      const newly = minus(allowedPackets(fw, d), allowedPackets(old, d));
      if (!newly) return undefined;
      if (newly.length === 0) continue;
      const rest = minus(newly, responsesOfAllowed(old, oppositeDirection(d)));
      if (!rest) return undefined;
      if (rest.length > 0) out.push({ firewall: fw.name, direction: d, boxes: rest });
    }
  }
  return out;
}

/**
 * True when `fw` allows no packet at all: it denies by default, has no allow rule, and no
 * other group's rules judge with it (spec §10). Then it opens nothing, whatever it was before
 * (a file of 20,000 empty firewalls need not spell out each one's key).
 */
function allowsNothing(fw: Firewall): boolean {
  return fw.defaultAction === 'deny' && !fw.securityGroups && fw.rules.every((r) => r.action !== 'allow');
}

const reliable = new WeakMap<Analysis, Analysis['flowResults']>();

/** The flows whose verdict can be trusted: none refused for an error (spec §8.1 rule 5). */
export function reliableFlows(a: Analysis): Analysis['flowResults'] {
  let out = reliable.get(a);
  if (out) return out;
  const refusals = refusalsOf(a.model);
  // An error outside every flow refuses them all (refusalOf); else each flow's own errors.
  out = refusals.everything.length > 0 ? [] : a.flowResults.filter((r) => !refusals.byFlow.get(r.flow.node)?.length);
  reliable.set(a, out);
  return out;
}

/** The spans of the aws-nacl firewalls of the file, by start. */
function naclSpans(a: Analysis): { start: number; end: number }[] {
  return firewallsOf(a.model)
    .filter((fw) => fw.platform === 'aws-nacl')
    .map((fw) => fw.node.span)
    .sort((x, y) => x.start - y.start);
}

/**
 * A broad-response (c) on a rule of an aws-nacl: the one diagnostic a response rule the ACL
 * cannot narrow by source port may bring (spec §8.1 rules 1 and 3).
 */
function platformBroadResponse(nacls: { start: number; end: number }[], d: Diagnostic): boolean {
  if (d.code !== 'broad-response' || !d.message.includes('has no source port')) return false;
  return nacls.some((s) => s.start <= d.span.start && d.span.end <= s.end);
}

const counts = new WeakMap<Analysis, Map<string, number>>();

function countsByCode(a: Analysis): Map<string, number> {
  let m = counts.get(a);
  if (m) return m;
  m = new Map<string, number>();
  let nacls: { start: number; end: number }[] | undefined;
  for (const d of a.diagnostics) {
    if (d.file) continue;
    if (d.code === 'broad-response' && platformBroadResponse((nacls ??= naclSpans(a)), d)) continue;
    m.set(d.code, (m.get(d.code) ?? 0) + 1);
  }
  counts.set(a, m);
  return m;
}

/** Why `trial` is worse than `baseline` by §8.1 rule 3, or undefined when it is not. */
export function worseThan(baseline: Analysis, trial: Analysis): string | undefined {
  const met = new Map(reliableFlows(trial).map((r) => [r.flow.text, r.met]));
  for (const r of reliableFlows(baseline)) {
    if (r.met && r.flow.expect && met.get(r.flow.text) === false) return `flow \`${r.flow.text}\` would no longer meet its expect`;
  }
  const before = countsByCode(baseline);
  for (const [code, n] of countsByCode(trial)) {
    if (code === 'flow-expectation') continue;
    if (n > (before.get(code) ?? 0)) return `it would add a ${code} diagnostic`;
  }
  const opened = forbiddenOpenings(baseline.model, trial.model);
  if (!opened) return 'what it opens could not be settled';
  if (opened.length > 0) return `it would open packets of \`${opened[0]!.firewall}\` (${opened[0]!.direction}) that are no responses`;
  return undefined;
}
