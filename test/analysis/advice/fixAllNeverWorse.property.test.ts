// Spec §8.1 rule 3: `check --fix` never makes things worse. After fixAll: no flow that met its
// `expect` stops meeting it, no diagnostic code has more diagnostics than before (missing- and
// partial-response counted together), and nothing is newly allowed that rule 1 forbids
// (outside the inverses of the original file's request and both rules). Flows are matched by
// their text, so a fix may add flows but not lose one. On an aws-nacl (§10), which cannot match
// a source port, the response rule a fix inserts takes every server port and brings its
// broad-response (c), the one diagnostic rule 3 lets it add; what it opens is bounded from any
// source port (exact.ts anySourcePort).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixAll } from '../../../server/src/analysis/fixAll';
import type { Diagnostic } from '../../../server/src/core/diagnostic';
import { aclFile, fwFile, type Options, sgFile } from './arbitrary';
import { analyzeText, anySourcePort, errors, inversesOfRequests, lineOf, model, numbered, opensOnly } from './exact';

const RUNS = Number(process.env.RUNS ?? 200);

/**
 * Diagnostics per code. A rule whose missing response a fix answers in part goes from
 * missing-response to partial-response: one problem, smaller, so the two count together.
 */
const GAP = 'missing-response/partial-response';
function counts(ds: Diagnostic[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of ds) {
    // The generated files' only aws-nacl is `fw`: this is its response rule's broad-response (c).
    if (d.code === 'broad-response' && d.message.includes('has no source port')) continue;
    const code = d.code === 'missing-response' || d.code === 'partial-response' ? GAP : d.code;
    m.set(code, (m.get(code) ?? 0) + 1);
  }
  return m;
}

/** `least`: the share of runs that must change the file and meet flows (not vacuous). */
function neverWorse(files: (opts: Options) => fc.Arbitrary<string>, least = 1 / 4): void {
  it('after fixAll every flow that met its expect still does, no code has more diagnostics, nothing forbidden is opened', () => {
    let changed = 0;
    let metFlows = 0;
    fc.assert(
      fc.property(files({ stateful: 2 }), (text) => {
        const before = analyzeText(text);
        expect(errors(before.diagnostics), text).toEqual([]);
        const r = fixAll(text, analyzeText);
        if (r.text === text) return;
        changed++;
        const log = r.applied.map(
          (a) => `  ${a.code} on line ${lineOf(a.text, a.offset)}: ${a.title}${a.because ? ` (for ${a.because.join(', ')})` : ''}`,
        );
        const what = `check --fix of\n${numbered(text)}\napplied:\n${log.slice(0, 8).join('\n')}${log.length > 8 ? `\n  … and ${log.length - 8} more` : ''}\ngave\n${numbered(r.text)}`;
        const after = analyzeText(r.text);

        const left = [...after.flowResults];
        for (const f of before.flowResults) {
          const i = left.findIndex((g) => g.flow.text === f.flow.text && g.flow.expect === f.flow.expect);
          expect(i, `the flow \`${f.flow.text}\` is gone: ${what}`).toBeGreaterThanOrEqual(0);
          const g = left.splice(i, 1)[0]!;
          if (!f.met) continue;
          metFlows++;
          expect(g.met, `\`${f.flow.text}\` expect ${f.flow.expect ?? '-'} was met (${f.verdict}), is now ${g.verdict}: ${what}`).toBe(
            true,
          );
        }

        const was = counts(before.diagnostics);
        for (const [code, n] of counts(after.diagnostics)) {
          if (n <= (was.get(code) ?? 0)) continue;
          const news = after.diagnostics
            .filter((d) => code.split('/').includes(d.code))
            .map((d) => `line ${lineOf(r.text, d.span.start)}: ${d.message}`);
          throw new Error(`${code}: ${was.get(code) ?? 0} before, ${n} after (${news.join('; ')}), ${what}`);
        }

        const complaint = opensOnly(before.model, model(r.text), (fw, d) => anySourcePort(fw, inversesOfRequests(fw, d, text)));
        if (complaint) throw new Error(`${complaint}: ${what}`);
      }),
      { numRuns: RUNS },
    );
    expect(changed).toBeGreaterThan(RUNS * least);
    expect(metFlows).toBeGreaterThan(RUNS * least);
  }, 60000);
}

describe('§8.1 (3): check --fix never makes things worse', () => neverWorse(fwFile));

describe('§8.1 (3) on an aws-nacl: check --fix never makes things worse', () => neverWorse(aclFile));

// A group's rules are allow rules only: fewer of its files have a fix to make (32 % in 1,000
// runs, 21 % in some runs of 200).
describe('§8.1 (3) on an aws-sg: check --fix never makes things worse', () => neverWorse(sgFile, 1 / 8));
