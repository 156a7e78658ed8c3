// One firewall, one packet class: which packets cross it in which direction, and which
// rule (or the default) decides each of them — spec §5, computed exactly on boxes.

import type { Action, Direction } from '../syntax/ast';
import type { Firewall, ResolvedRule } from '../model/types';
import { AddrSet } from '../core/intervals';
import { type Box, type Packet, boxContains, intersectBox, makeBoxes, protoMask, subtractBoxes } from './packet';

export interface CompiledRule {
  rule: ResolvedRule;
  /** What the rule matches (empty for an invalid rule). */
  boxes: Box[];
}

/** A piece of a packet class and what decided it. `rule` undefined means the default. */
export interface Decision {
  box: Box;
  action: Action;
  rule?: ResolvedRule;
}

const compiled = new WeakMap<Firewall, Record<Direction, CompiledRule[]>>();

export function ruleBoxes(rule: ResolvedRule): Box[] {
  if (!rule.valid) return [];
  return makeBoxes(protoMask(rule.proto), rule.from.addresses, rule.sport, rule.to.addresses, rule.dport);
}

/** The rules of one direction in evaluation order: ascending number, else file order. */
export function orderedRules(fw: Firewall, direction: Direction): CompiledRule[] {
  let c = compiled.get(fw);
  if (!c) {
    const make = (d: Direction): CompiledRule[] => {
      const rules = fw.rules.filter((r) => r.direction === d);
      const numbered = rules.every((r) => r.number !== undefined);
      if (numbered) rules.sort((a, b) => a.number! - b.number! || a.index - b.index);
      return rules.map((rule) => ({ rule, boxes: ruleBoxes(rule) }));
    };
    c = { inbound: make('inbound'), outbound: make('outbound') };
    compiled.set(fw, c);
  }
  return c[direction];
}

const outsides = new WeakMap<Firewall, AddrSet>();

function outsideOf(fw: Firewall): AddrSet {
  let o = outsides.get(fw);
  if (!o) outsides.set(fw, (o = AddrSet.ALL.subtract(fw.inside)));
  return o;
}

/** The part of a box that crosses `fw` in `direction` (§5.1). */
export function crossing(fw: Firewall, direction: Direction, box: Box): Box | undefined {
  const outside = outsideOf(fw);
  const inner = direction === 'inbound' ? { src: outside, dst: fw.inside } : { src: fw.inside, dst: outside };
  return intersectBox(box, { ...box, ...inner });
}

/** First match wins over `rules` (in order); what no rule takes gets `fallback`. */
export function firstMatch(rules: Iterable<CompiledRule>, boxes: Box[], fallback: Action): Decision[] {
  const out: Decision[] = [];
  let rest = boxes;
  for (const cr of rules) {
    if (rest.length === 0) break;
    for (const rb of cr.boxes) {
      const next: Box[] = [];
      for (const b of rest) {
        const hit = intersectBox(b, rb);
        if (!hit) {
          next.push(b);
          continue;
        }
        out.push({ box: hit, action: cr.rule.action, rule: cr.rule });
        for (const piece of subtractBoxes([b], rb)) next.push(piece);
      }
      rest = next;
    }
  }
  for (const b of rest) out.push({ box: b, action: fallback });
  return out;
}

/** §5 for a class of packets crossing `fw` in `direction`: the ordered rules, then the default. */
export function decide(fw: Firewall, direction: Direction, boxes: Box[]): Decision[] {
  return firstMatch(orderedRules(fw, direction), boxes, fw.defaultAction);
}

/** The rule (or default) that decides one concrete packet in one direction. */
export function decidePacket(fw: Firewall, direction: Direction, p: Packet): { action: Action; rule?: ResolvedRule } {
  for (const cr of orderedRules(fw, direction)) {
    if (cr.boxes.some((b) => boxContains(b, p))) return { action: cr.rule.action, rule: cr.rule };
  }
  return { action: fw.defaultAction };
}

/** Does this packet cross `fw`, and which way? */
export function packetDirection(fw: Firewall, p: Packet): Direction | undefined {
  const s = fw.inside.contains(p.src);
  const d = fw.inside.contains(p.dst);
  if (s === d) return undefined;
  return d ? 'inbound' : 'outbound';
}
