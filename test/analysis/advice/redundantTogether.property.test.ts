// Spec §8.1 rule 2 and §8 `redundant-rule`: removing at once every rule reported redundant
// (in every firewall) changes no verdict — of any packet at any firewall, compared exactly
// per direction over the whole packet space, and of any flow.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aclFile, fwFile, type Options, sgFile } from './arbitrary';
import { DIRECTIONS, analyzeText, describeBoxes, errors, model, newlyAllowed, numbered, ruleOf, samplePacket } from './exact';

const RUNS = Number(process.env.RUNS ?? 300);

/** The text without the given lines (1-based); each generated rule is on a line of its own. */
function withoutLines(text: string, lines: Set<number>): string {
  return text
    .split('\n')
    .filter((_, i) => !lines.has(i + 1))
    .join('\n');
}

/** `least`: the share of runs that must remove some rule (not vacuous). */
function removedTogether(files: (opts: Options) => fc.Arbitrary<string>, least = 1 / 5): void {
  it('removing every rule reported redundant-rule at once changes no packet verdict and no flow verdict', () => {
    let removedSome = 0;
    fc.assert(
      fc.property(files({ defaultAllow: true, stateful: 2, chains: 6 }), (text) => {
        const before = analyzeText(text);
        expect(errors(before.diagnostics), text).toEqual([]);
        const lines = new Set<number>();
        for (const d of before.diagnostics) {
          if (d.code !== 'redundant-rule') continue;
          const on = ruleOf(before.model, d);
          expect(on, `redundant-rule on no rule: ${d.message}\n${text}`).toBeDefined();
          const first = text.slice(0, on!.rule.node.span.start).split('\n').length;
          const last = text.slice(0, on!.rule.node.span.end).split('\n').length;
          for (let l = first; l <= last; l++) lines.add(l);
        }
        if (lines.size === 0) return;
        removedSome++;
        const pruned = withoutLines(text, lines);
        const what = `removing the rules reported redundant (lines ${[...lines].join(', ')}) of\n${numbered(text)}`;
        const after = model(pruned);
        expect(
          errors(after.diagnostics).map((e) => e.message),
          what,
        ).toEqual([]);
        for (const fb of before.model.firewalls) {
          const fa = after.firewalls.find((f) => f.name === fb.name)!;
          for (const d of DIRECTIONS) {
            for (const [was, now, change] of [
              [fb, fa, 'allows'],
              [fa, fb, 'denies'],
            ] as const) {
              const changed = newlyAllowed(was, now, d);
              if (changed.length > 0)
                throw new Error(`${fb.name} now ${change} ${d} ${samplePacket(changed[0]!)} (${describeBoxes(changed)}), ${what}`);
            }
          }
        }
        const flowsAfter = analyzeText(pruned).flowResults;
        before.flowResults.forEach((r, i) => {
          expect(flowsAfter[i]?.verdict, `flow ${r.flow.text}: ${what}`).toBe(r.verdict);
        });
      }),
      { numRuns: RUNS },
    );
    // Not vacuous: redundant rules are common in these files.
    expect(removedSome).toBeGreaterThan(RUNS * least);
  }, 60000);
}

describe('§8.1 (2): redundant rules removed together change nothing', () => removedTogether(fwFile));

describe('§8.1 (2) on an aws-nacl: redundant rules removed together change nothing', () => removedTogether(aclFile));

describe('§8.1 (2) on an aws-sg: redundant rules removed together change nothing', () => removedTogether(sgFile, 1 / 8));
