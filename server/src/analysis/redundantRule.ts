// redundant-rule: a rule that does match some packets, but removing it changes no verdict
// (spec §8): what it decides would get the same action from the later rules or the default.

import { type Diagnostic, type RelatedInfo, diag } from '../core/diagnostic';
import { LineIndex } from '../core/text';
import type { Direction } from '../syntax/ast';
import type { Firewall, ResolvedRule } from '../model/types';
import type { AnalysisContext } from './context';
import type { CompiledRule } from '../engine/firewall';
import {
  type DirectionCoverage,
  type RuleCoverage,
  decidedWithout,
  directionCoverage,
  laterDecisions,
  nothingLaterMeets,
} from './ruleCoverage';
import { removeRuleEdits, ruleName, ruleNames } from './ruleEdits';
import { isShadowed, moveFix, verb } from './shadowedRule';
import { classifyRule, isGeneralBoth, rangesOf } from './ruleKinds';

const DIRECTIONS: Direction[] = ['inbound', 'outbound'];

interface Verdicts {
  deciders: CompiledRule[];
  byDefault: boolean;
}

/**
 * Who would decide the packets of rule `c` without it, when all of them would get its action;
 * undefined when some would not (or when that cannot be settled within the piece budget).
 */
function sameWithout(
  dc: DirectionCoverage,
  c: RuleCoverage,
  removed?: ReadonlySet<number>,
  absent?: ReadonlySet<number>,
): Verdicts | undefined {
  const action = c.rule.action;
  const fw = dc.firewall;
  // Too many pieces to follow, but no later rule can meet the rule: only the default decides.
  if (!c.decided) {
    return nothingLaterMeets(dc, c.position) && fw.defaultAction === action ? { deciders: [], byDefault: true } : undefined;
  }
  // With earlier rules removed, an absent (shadowed) rule must not take back what they took.
  const gone = removed && removed.size > 0 ? new Set([...removed, ...(absent ?? [])]) : undefined;
  const decided = gone ? decidedWithout(dc, c.position, gone) : c.decided;
  if (!decided) return undefined;
  const later = laterDecisions(dc, c.position, decided, action, absent);
  if (later.differs || later.gaveUp || (later.byDefault && fw.defaultAction !== action)) return undefined;
  return later;
}

/**
 * A stateless allow rule whose request half is an accident (§7: a both rule that is not
 * general, `inbound allow tcp from 0.0.0.0/0 to … port 1024-65535`): broad-response (c)
 * asks to narrow it, so nothing is "redundant" for its sake.
 */
function returnTrafficHabit(fw: Firewall, r: ResolvedRule): boolean {
  return fw.mode === 'stateless' && r.action === 'allow' && classifyRule(r, rangesOf(fw)) === 'both' && !isGeneralBoth(r);
}

interface RedundantFinding {
  coverage: RuleCoverage;
  later: Verdicts;
}

const findings = new WeakMap<DirectionCoverage, RedundantFinding[]>();

/**
 * The rules of one direction reported `redundant-rule`, decided in rule order with every rule
 * already reported counting as removed (spec §8, §8.1 rule 2): removing all of them at once
 * changes no verdict. A rule redundant only while an earlier reported one is present is not
 * reported.
 */
function redundantFindings(dc: DirectionCoverage): RedundantFinding[] {
  const hit = findings.get(dc);
  if (hit) return hit;
  const out: RedundantFinding[] = [];
  const removed = new Set<number>();
  // Rules reported shadowed count as absent (§8.1 rule 2): following that advice removes
  // them, so nothing is "redundant" for their sake (two halves are not redundant because a
  // third rule, shadowed by them, would take over).
  const absent = new Set(dc.coverage.filter((c) => isShadowed(c)).map((c) => c.position));
  for (const c of dc.coverage) {
    if (!c.rule.valid || isShadowed(c) || c.live !== true) continue;
    // Redundant both with the shadowed rules there (removing every reported rule at once
    // changes nothing) and without them (following that advice too changes nothing).
    if (!sameWithout(dc, c)) continue;
    const alone = sameWithout(dc, c, undefined, absent);
    if (!alone) continue;
    // Coherent advice (§8.1 rule 2): a rule made "redundant" only by a return-traffic rule
    // that broad-response asks to narrow is still needed once that advice is followed.
    if (alone.deciders.some((x) => returnTrafficHabit(dc.firewall, x.rule))) continue;
    const meetsRemoved = [...removed].some((j) => dc.hulls.meet(j, c.position));
    const later = meetsRemoved ? sameWithout(dc, c, removed, absent) : alone;
    if (!later || (meetsRemoved && !sameWithout(dc, c, removed))) continue;
    removed.add(c.position);
    out.push({ coverage: c, later });
  }
  findings.set(dc, out);
  return out;
}

/** The rules of `fw` reported `redundant-rule`, both directions. */
export function redundantRulesOf(fw: Firewall): Set<ResolvedRule> {
  const out = new Set<ResolvedRule>();
  if (!fw.valid) return out;
  for (const d of DIRECTIONS) for (const f of redundantFindings(directionCoverage(fw, d))) out.add(f.coverage.rule);
  return out;
}

function redundantIn(dc: DirectionCoverage, text: string, lines: LineIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  const fw = dc.firewall;
  for (const { coverage: c, later } of redundantFindings(dc)) {
    const r = c.rule;
    const by: string[] = [];
    if (later.deciders.length > 0)
      by.push(
        ruleNames(
          later.deciders.map((x) => x.rule),
          lines,
        ),
      );
    if (later.byDefault) by.push(`the default of \`${fw.name}\` (${fw.defaultAction})`);
    const past = r.action === 'allow' ? 'allowed' : 'denied';
    const related: RelatedInfo[] = later.deciders.map((x) => ({
      span: x.rule.node.span,
      message: `${ruleName(x.rule, lines)} ${verb(x.rule.action)} them too`,
    }));
    out.push(
      diag(
        'redundant-rule',
        r.node.span,
        `removing this rule changes no verdict: the packets it decides would be ${past} anyway, by ${by.join(' and ')}`,
        {
          tags: ['unnecessary'],
          related,
          fixes: [
            { title: 'Remove this redundant rule', edits: removeRuleEdits(text, r), safe: true, preferred: true },
            // A deny hidden in part by an earlier allow may be meant to win: moving it up closes,
            // never opens (`check --fix` takes it when a failing `expect deny` flow needs it).
            ...(r.action === 'deny' ? [moveFix(dc, c, text, lines)].filter((f) => f !== undefined) : []),
          ],
        },
      ),
    );
  }
  return out;
}

/** Redundant rules of one firewall. */
export function checkRedundantRules(ctx: AnalysisContext, fw: Firewall): Diagnostic[] {
  const { model } = ctx;
  const out: Diagnostic[] = [];
  if (!fw.valid) return out;
  const lines = ctx.lines ?? new LineIndex(model.text);
  for (const d of DIRECTIONS) out.push(...redundantIn(directionCoverage(fw, d), model.text, lines));
  return out;
}
