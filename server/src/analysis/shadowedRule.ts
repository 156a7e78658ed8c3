// shadowed-rule: a rule that can never match (spec §8). Either the rules before it in its
// direction decide, together, every packet it matches (exact box subtraction), or no packet
// it matches crosses the firewall in its direction at all (§5.1).

import { type Diagnostic, type Fix, type RelatedInfo, diag } from '../core/diagnostic';
import { LineIndex } from '../core/text';
import { familyOf } from '../core/address';
import { crossing } from '../engine/firewall';
import type { Firewall, ResolvedRule } from '../model/types';
import type { Action, Direction } from '../syntax/ast';
import type { AnalysisContext } from './context';
import { type DirectionCoverage, type RuleCoverage, directionCoverage } from './ruleCoverage';
import { moveAboveEdits, numberBefore, removeRuleEdits, ruleName, ruleNames } from './ruleEdits';

const DIRECTIONS: Direction[] = ['inbound', 'outbound'];

export function verb(action: Action, plural = false): string {
  return action === 'allow' ? (plural ? 'allow' : 'allows') : plural ? 'deny' : 'denies';
}

function families(r: ResolvedRule): { src: Set<number>; dst: Set<number> } {
  const fam = (s: ResolvedRule['from']['addresses']) => {
    const out = new Set<number>();
    const lo = s.min();
    const hi = s.max();
    if (lo !== undefined) out.add(familyOf(lo));
    if (hi !== undefined) out.add(familyOf(hi));
    return out;
  };
  return { src: fam(r.from.addresses), dst: fam(r.to.addresses) };
}

const quote = (s: string) => `\`${s}\``;

/** Why a rule matches no crossing packet: the teaching part of the message. */
function whyNoCrossing(fw: Firewall, r: ResolvedRule): string {
  const inside = fw.inside;
  const fwName = quote(fw.name);
  const insideText = fw.insideLabel || 'its inside';
  const from = quote(r.from.label);
  const to = quote(r.to.label);
  if (r.direction === 'inbound') {
    const head = `an inbound packet of ${fwName} comes from outside ${insideText} (what it protects) and goes to an address inside it`;
    if (r.from.addresses.isSubsetOf(inside)) {
      return (
        `${head}, but this rule's source ${from} is inside ${insideText}: packets from it leave the inside (outbound) or stay ` +
        `inside (and do not cross ${fwName})`
      );
    }
    if (!r.to.addresses.intersects(inside)) {
      return `${head}, but this rule's destination ${to} is outside ${insideText}`;
    }
  } else {
    const head = `an outbound packet of ${fwName} comes from inside ${insideText} (what it protects) and goes to an address outside it`;
    if (!r.from.addresses.intersects(inside)) {
      return (
        `${head}, but this rule's source ${from} is outside ${insideText}: packets from it come in (inbound) or pass by (and ` +
        `do not cross ${fwName})`
      );
    }
    if (r.to.addresses.isSubsetOf(inside)) {
      return `${head}, but this rule's destination ${to} is inside ${insideText}`;
    }
  }
  return (
    `no packet it matches crosses ${fwName} ${r.direction}: the part of its source ` +
    `${r.direction === 'inbound' ? 'outside' : 'inside'} ${insideText} and the part of its destination ` +
    `${r.direction === 'inbound' ? 'inside' : 'outside'} it have no address family in common`
  );
}

/**
 * Whether `r` turned to `other` is a rule its firewall's platform can say (§10): the side that
 * becomes the inside side (`to` of an inbound rule, `from` of an outbound one) must be omitted
 * or hold the whole inside (platform.ts says so of a written rule).
 */
function turnFits(fw: Firewall, r: ResolvedRule, other: Direction): boolean {
  if (!fw.platform) return true;
  const side = other === 'inbound' ? 'to' : 'from';
  return !r.node[side]?.endpoint || fw.inside.isSubsetOf(r[side].addresses);
}

function protectsRelated(fw: Firewall): RelatedInfo[] {
  const p = fw.node.protects[0];
  if (!p) return [];
  const span = { start: p.span.start, end: fw.node.protects[fw.node.protects.length - 1]!.span.end };
  return [{ span, message: `${quote(fw.name)} protects ${fw.insideLabel}: inbound and outbound are meant from here` }];
}

function coverMessage(c: RuleCoverage, lines: LineIndex): string {
  const r = c.rule;
  const covers = c.coveredBy.map((x) => x.rule);
  const opposite = covers.filter((x) => x.action !== r.action);
  const other: Action = r.action === 'allow' ? 'deny' : 'allow';
  const head = 'this rule can never match: ';
  if (covers.length === 1) {
    const name = ruleName(covers[0]!, lines);
    return opposite.length === 1
      ? `${head}${name} comes first and ${verb(other)} everything this rule would ${r.action}`
      : `${head}${name} comes first and already ${verb(r.action)} everything this rule would ${r.action}`;
  }
  const names = ruleNames(covers, lines);
  if (opposite.length === covers.length) {
    return `${head}${names} come first and together ${verb(other, true)} everything this rule would ${r.action}`;
  }
  if (opposite.length === 0) {
    return `${head}${names} come first and together already ${verb(r.action, true)} everything this rule would ${r.action}`;
  }
  return (
    `${head}${names} come first and together match everything it matches; ${ruleNames(opposite, lines)} ` +
    `${verb(other, opposite.length > 1)} some of what this rule would ${r.action}`
  );
}

function removeFix(text: string, r: ResolvedRule): Fix {
  return { title: 'Remove this rule (it never matches)', edits: removeRuleEdits(text, r), safe: false };
}

/** "Move above rule N" for a deny: the first covering allow, if it can be done simply. */
export function moveFix(dc: DirectionCoverage, c: RuleCoverage, text: string, lines: LineIndex): Fix | undefined {
  // Spec §8.1 rule 1: moving an allow above a deny would open what the deny closes.
  if (c.rule.action !== 'deny') return undefined;
  const target = c.coveredBy.find((x) => x.rule.action !== c.rule.action);
  if (!target) return undefined;
  const name = ruleName(target.rule, lines);
  const r = c.rule;
  if (r.number === undefined && target.rule.number === undefined) {
    const edits = moveAboveEdits(text, r, target.rule);
    return edits && { title: `Move above ${name}`, edits, safe: false };
  }
  if (r.number !== undefined && target.rule.number !== undefined && r.node.number) {
    const pos = dc.rules.indexOf(target);
    const before = pos > 0 ? dc.rules[pos - 1]!.rule.number : undefined;
    const n = numberBefore(target.rule.number, before);
    if (n === undefined) return undefined;
    return {
      title: `Move above ${name} (renumber to ${n})`,
      edits: [{ span: r.node.number.span, newText: String(n) }],
      safe: false,
    };
  }
  return undefined;
}

function shadowedDiagnostic(dc: DirectionCoverage, c: RuleCoverage, text: string, lines: LineIndex): Diagnostic | undefined {
  const r = c.rule;
  const fw = dc.firewall;
  if (!c.matchesSomething) {
    const f = families(r);
    const fam = (s: Set<number>) => [...s].map((x) => `IPv${x}`).join(' and ');
    const why =
      r.sport.isEmpty() || r.dport.isEmpty()
        ? 'its port list is empty'
        : f.src.size > 0 && f.dst.size > 0 && [...f.src].every((x) => !f.dst.has(x))
          ? `its source ${quote(r.from.label)} is ${fam(f.src)} and its destination ${quote(r.to.label)} is ${fam(f.dst)}, but a ` +
            `packet's two addresses are of one family`
          : 'it matches no packet';
    return diag('shadowed-rule', r.node.span, `this rule can never match: ${why}`, { fixes: [removeFix(text, r)] });
  }
  if (c.crossing.length === 0) {
    const fixes: Fix[] = [removeFix(text, r)];
    const other: Direction = r.direction === 'inbound' ? 'outbound' : 'inbound';
    const crossesOther = dc.rules[c.position]!.boxes.some((b) => crossing(fw, other, b) !== undefined);
    // Turning an allow around would open packets that are no response (spec §8.1 rule 1): the
    // message says which way the rule points; only a deny, which opens nothing, is turned, and
    // only into a rule its platform can say (§8.1 rule 4).
    if (crossesOther && r.action === 'deny' && turnFits(fw, r, other)) {
      fixes.unshift({ title: `Change to ${other}`, edits: [{ span: r.node.direction.span, newText: other }], safe: false });
    }
    return diag('shadowed-rule', r.node.span, `this rule can never match: ${whyNoCrossing(fw, r)}`, {
      related: protectsRelated(fw),
      fixes,
    });
  }
  if (c.live !== false || c.coveredBy.length === 0) return undefined;
  const related: RelatedInfo[] = c.coveredBy.map((x) => ({
    span: x.rule.node.span,
    message:
      `${ruleName(x.rule, lines)} ${verb(x.rule.action)} ${c.coveredBy.length === 1 ? 'every' : 'some'} packet of the ` +
      `shadowed rule first`,
  }));
  const fixes: Fix[] = [removeFix(text, r)];
  const move = moveFix(dc, c, text, lines);
  if (move) fixes.push(move);
  return diag('shadowed-rule', r.node.span, coverMessage(c, lines), { related, fixes });
}

/** Shadowed rules of one firewall. */
export function checkShadowedRules(ctx: AnalysisContext, fw: Firewall): Diagnostic[] {
  const { model } = ctx;
  const out: Diagnostic[] = [];
  if (!fw.valid) return out;
  const lines = ctx.lines ?? new LineIndex(model.text);
  for (const d of DIRECTIONS) {
    const dc = directionCoverage(fw, d);
    for (const c of dc.coverage) {
      if (!c.rule.valid) continue;
      const found = shadowedDiagnostic(dc, c, model.text, lines);
      if (found) out.push(found);
    }
  }
  return out;
}

/** True when the rule can never match (what shadowed-rule reports). */
export function isShadowed(c: RuleCoverage): boolean {
  return !c.matchesSomething || c.crossing.length === 0 || c.live === false;
}
