// Spec §8.1 rules 1 and 3, checked exactly on the result of a fix: what a firewall newly
// allows must be responses to requests it allowed before, no flow that met its `expect` may
// stop meeting it, and no diagnostic code may grow. `check --fix` keeps only fixes that pass.

import type { Direction } from '../syntax/ast';
import type { Diagnostic } from '../core/diagnostic';
import { PortSet } from '../core/intervals';
import type { Firewall, Model } from '../model/types';
import { crossing, decide } from '../engine/firewall';
import { type Box, PORTED, subtractBoxes, universeBoxes } from '../engine/packet';
import type { Analysis } from './analyze';
import { refusalOf, refusalsOf } from './flowPath';
import { responseIndex } from './responseIndex';
import { gatewaysOf, oppositeDirection, responsesOf } from './ruleKinds';
import { firewallsOf } from '../model/ownership';

const DIRECTIONS: Direction[] = ['inbound', 'outbound'];

/** Every packet crossing `fw` in `direction` that it allows (its rules and default). */
function allowedPackets(fw: Firewall, direction: Direction): Box[] {
  const crossingAll: Box[] = [];
  for (const b of universeBoxes()) {
    const c = crossing(fw, direction, b);
    if (c) crossingAll.push(c);
  }
  return decide(fw, direction, crossingAll)
    .filter((d) => d.action === 'allow')
    .map((d) => d.box);
}

/**
 * The responses of every request `fw` allows in `requestDirection`: each allow rule's really
 * allowed packets, inverted, the client side limited to the rule's client ports (§7).
 */
function responsesOfAllowed(fw: Firewall, requestDirection: Direction): Box[] {
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
 * firewall by firewall (matched by name); empty when the fix opened nothing else. Undefined
 * when the sets grow too large to settle: the caller then refuses the fix.
 */
function forbiddenOpenings(before: Model, after: Model): { firewall: string; direction: Direction; boxes: Box[] }[] | undefined {
  const out: { firewall: string; direction: Direction; boxes: Box[] }[] = [];
  const byName = new Map(before.firewalls.filter((f) => f.valid).map((f) => [f.name, f]));
  for (const fw of firewallsOf(after)) {
    if (!fw.valid) continue;
    const old = byName.get(fw.name);
    if (!old) continue;
    for (const d of DIRECTIONS) {
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

/** The flows whose verdict can be trusted: none refused for an error (spec §8.1 rule 5). */
export function reliableFlows(a: Analysis): Analysis['flowResults'] {
  const refusals = refusalsOf(a.model);
  return a.flowResults.filter((r) => refusalOf(refusals, r.flow.node).length === 0);
}

/**
 * A broad-response (c) on a rule of an aws-nacl: the one diagnostic a response rule the ACL
 * cannot narrow by source port may bring (spec §8.1 rules 1 and 3).
 */
function platformBroadResponse(a: Analysis, d: Diagnostic): boolean {
  if (d.code !== 'broad-response' || !d.message.includes('has no source port')) return false;
  return firewallsOf(a.model).some(
    (fw) => fw.platform === 'aws-nacl' && fw.node.span.start <= d.span.start && d.span.end <= fw.node.span.end,
  );
}

function countsByCode(a: Analysis): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of a.diagnostics) if (!d.file && !platformBroadResponse(a, d)) m.set(d.code, (m.get(d.code) ?? 0) + 1);
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
