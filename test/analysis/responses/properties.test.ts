import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../../../server/src/analysis/analyze';
import { responseIndex } from '../../../server/src/analysis/responseIndex';
import { classifyRule, clientPortsOf, inverseOf } from '../../../server/src/analysis/ruleKinds';
import { SPACE_LIMITS } from '../../../server/src/analysis/ruleSpace';
import { applyEdits, safeFixEdits } from '../../../server/src/core/edits';
import { crossing, decide, firstMatch, orderedRules } from '../../../server/src/engine/firewall';
import { requestBoxes } from '../../../server/src/engine/simulate';
import type { Box } from '../../../server/src/engine/packet';
import { buildModel } from '../../../server/src/model/resolve';
import { firewallText } from './arbitrary';

const FIXED = ['missing-response', 'partial-response'];
const RUNS = Number(process.env.RUNS ?? 150);
/** Longer runs (RUNS=5000) need more than the default timeout. */
const TIMEOUT = 30000 + RUNS * 40;

function analyseText(text: string) {
  return check('/prop/test.fw', text);
}

describe('response analyses: properties', () => {
  /** The rule space's first match (over its candidates) equals the engine's over every rule present. */
  const indexedEqualsEngine = () =>
    fc.assert(
      fc.property(firewallText, (text) => {
        const model = buildModel('/prop/test.fw', text);
        const fw = model.firewalls[0]!;
        const ix = responseIndex(fw);
        for (const d of ['inbound', 'outbound'] as const) {
          const queries: Box[][] = [];
          for (const r of fw.rules) {
            queries.push(orderedRules(fw, r.direction).find((c) => c.rule === r)!.boxes);
            queries.push(inverseOf(fw, r).boxes);
          }
          // The index leaves out the allow rules reported redundant (spec §8.1 rule 2).
          const present = orderedRules(fw, d).filter((c) => !ix.isRedundant(c.rule));
          for (const q of queries) expect(ix.space(d).decide(q, fw.defaultAction)).toEqual(firstMatch(present, q, fw.defaultAction));
        }
      }),
      { numRuns: RUNS },
    );

  it('the indexed first-match evaluation equals the engine’s first match over the rules present', indexedEqualsEngine, TIMEOUT);

  it(
    'the same through the block indexes (used above SPACE_LIMITS.scanMax boxes, here on every firewall)',
    () => {
      const saved = SPACE_LIMITS.scanMax;
      SPACE_LIMITS.scanMax = 0;
      try {
        indexedEqualsEngine();
      } finally {
        SPACE_LIMITS.scanMax = saved;
      }
    },
    TIMEOUT,
  );

  it(
    'after the safe missing/partial-response fixes, every request a request rule admits gets its responses back',
    () => {
      let checkedFlows = 0;
      const runs = RUNS;
      fc.assert(
        fc.property(firewallText, (original) => {
          let text = original;
          let rounds = 0;
          for (;;) {
            const ds = analyseText(text).diagnostics.filter((d) => FIXED.includes(d.code));
            if (ds.length === 0) break;
            rounds++;
            expect(rounds, `still ${ds.map((d) => d.code).join(', ')} after ${rounds - 1} rounds:\n${text}`).toBeLessThan(8);
            const { edits } = safeFixEdits(ds);
            expect(edits.length, `no safe fix for:\n${ds.map((d) => d.message).join('\n')}\n${text}`).toBeGreaterThan(0);
            text = applyEdits(text, edits).text;
          }
          const after = analyseText(text);
          // The fixes must leave a valid file (other analyses' internal troubles are theirs).
          const errors = after.diagnostics.filter(
            (d) => d.severity === 'error' && !/^internal error in (?!checkResponses|the response)/.test(d.message),
          );
          expect(
            errors.map((d) => d.message),
            text,
          ).toEqual([]);

          // One flow per request rule and server port, as the rule is written.
          const flows: string[] = [];
          for (const r of after.model.firewalls[0]!.rules) {
            if (classifyRule(r) !== 'request') continue;
            const n = r.node;
            const slice = (s?: { start: number; end: number }) => (s ? text.slice(s.start, s.end) : undefined);
            const client = slice(n.from?.endpoint?.span) ?? 'any';
            const sport = r.sportGiven ? `:${slice(n.from?.ports?.span)}` : '';
            const server = slice(n.to?.endpoint?.span) ?? 'any';
            for (const [lo] of r.dport.ranges()) flows.push(`flow ${client}${sport} -> ${server} ${r.proto} ${lo}`);
          }
          const withFlows = analyseText(`${text}\n${flows.join('\n')}\n`);
          expect(withFlows.flowResults).toHaveLength(flows.length);
          const fw = withFlows.model.firewalls[0]!;
          const ix = responseIndex(fw);
          for (const res of withFlows.flowResults) {
            // §7 asks responses only for the client ports of the rule that admits a request:
            // keep the flows whose admitted requests all lie within those.
            const admitted = (['inbound', 'outbound'] as const).flatMap((d) =>
              decide(
                fw,
                d,
                requestBoxes(res.flow).flatMap((b) => crossing(fw, d, b) ?? []),
              ).filter((x) => x.action === 'allow'),
            );
            const covered = admitted.every((x) => x.rule && ix.checkOf(x.rule) && x.box.sport.isSubsetOf(clientPortsOf(x.rule)));
            if (!covered) continue;
            checkedFlows++;
            expect(res.response?.verdict ?? 'allowed', `${res.flow.text} in\n${text}`).toBe('allowed');
          }
        }),
        { numRuns: runs },
      );
      // The property must not hold vacuously.
      expect(checkedFlows).toBeGreaterThan(runs / 2);
    },
    TIMEOUT,
  );
});
