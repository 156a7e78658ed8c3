// Spec §8.1 rule 5 (issue 7, property 4): random typing — one character deleted or
// inserted anywhere in a valid sample — never makes `fwlang simulate` give a verdict from a
// half-read file:
//  1. an error that can change verdicts outside the flow statements ⇒ no verdict at all;
//  2. when the file has such an error (in a flow), every verdict given is the one the
//     original file gives that flow, hop for hop (no firewall left out);
//  3. every hop decided by a rule names the line that holds that rule: its number (if
//     numbered), direction and action.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/model/resolve';
import { nodeFileHost } from '../../server/src/node/fileHost';
import { ROOT, removeTempFiles, runMain, tempFiles } from './support';

afterAll(removeTempFiles);

const SAMPLES = path.join(ROOT, 'samples');
const INVENTORY = fs.readFileSync(path.join(SAMPLES, 'common', 'inventory.fw'), 'utf8');
const samples = fs
  .readdirSync(SAMPLES)
  .filter((f) => f.endsWith('.fw'))
  .sort();
const RUNS = Number(process.env.FWLANG_TYPING_RUNS ?? 25);

const REFUSING = /^(syntax|unknown-name|duplicate-name|invalid-.*|rule-numbering|include-error|platform-unsupported)$/;

interface Hop {
  firewall: string;
  direction: string;
  action: string;
  by: string;
  rule: number | null;
  line: number | null;
}
interface FlowOut {
  flow: string;
  line: number | null;
  expect: string | null;
  verdict?: string;
  refused?: string;
  request?: { hops: Hop[] };
  response?: { hops: Hop[] } | null;
}

const dir = tempFiles({ 'common/inventory.fw': INVENTORY });

function simulate(name: string, text: string): { code: number; flows: FlowOut[] } {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const r = runMain(['simulate', file, '--json']);
    return { code: r.code, flows: (JSON.parse(r.out) as { flows: FlowOut[] }).flows };
  } finally {
    err.mockRestore();
  }
}

/**
 * Errors that can change verdicts, each with whether it lies on a line that was a flow
 * statement in the original file (`toOriginal` maps a line of the typed text back to the
 * original lines it came from).
 */
function refusingErrors(
  name: string,
  text: string,
  flowLine: (line: number) => boolean,
): { line: number; onFlowLine: boolean; code: string }[] {
  const file = path.join(dir, name);
  const model = buildModel(file, text, nodeFileHost());
  const all = [...model.diagnostics, ...analyze(model).diagnostics];
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  return all
    .filter((d) => REFUSING.test(d.code))
    .map((d) => {
      const line = lineOf(d.span.start);
      return { line, code: d.code, onFlowLine: !d.file && flowLine(line) };
    });
}

/** A hop without what a typo may legitimately change: its line, the firewall's name. */
const strip = (hops: Hop[] | undefined) => (hops ?? []).map(({ line: _line, firewall: _name, ...h }) => h);

/** Offsets outside comments, where a typo changes what the file says. */
function codeOffsets(text: string): number[] {
  const out: number[] = [];
  let inComment = false;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '#') inComment = true;
    if (!inComment) out.push(i);
    if (c === '\n') inComment = false;
  }
  return out;
}

const CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789 \n{}[],:-/>#.'.split('');

describe.each(samples)('random typing in samples/%s', (sample) => {
  const original = fs.readFileSync(path.join(SAMPLES, sample), 'utf8');
  const before = simulate(sample, original);
  const offsets = codeOffsets(original);
  const originalLines = original.split('\n');

  it('the original simulates every flow', () => {
    expect(before.flows.every((f) => f.verdict !== undefined)).toBe(true);
  });

  it('one deleted or inserted character never gives a verdict from a half-read file', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: offsets.length - 1 }),
        fc.option(fc.constantFrom(...CHARS), { nil: undefined }),
        (k, inserted) => {
          const at = offsets[k]!;
          const text =
            inserted === undefined ? original.slice(0, at) + original.slice(at + 1) : original.slice(0, at) + inserted + original.slice(at);
          const { code, flows } = simulate(sample, text);
          // Which original lines a line of the typed text holds (a typed or deleted newline shifts them).
          const at1 = original.slice(0, at).split('\n').length;
          const toOriginal = (l: number): number[] => {
            if (inserted === '\n') return l <= at1 ? [l] : [l - 1];
            if (inserted === undefined && original[at] === '\n') return l < at1 ? [l] : l === at1 ? [l, l + 1] : [l + 1];
            return [l];
          };
          const isFlow = (l: number) => /^\s*flow\b/.test(originalLines[l - 1] ?? '');
          const errors = refusingErrors(sample, text, (l) => toOriginal(l).every(isFlow));
          const lines = text.split('\n');
          const given = flows.filter((f) => f.verdict !== undefined);
          const why = () =>
            `${inserted === undefined ? 'deleted' : `inserted ${JSON.stringify(inserted)}`} at ${at}: ${JSON.stringify(errors)}`;

          // 1. An error outside the flows: no verdict at all, exit 2.
          if (errors.some((e) => !e.onFlowLine)) {
            expect(given, why()).toEqual([]);
            expect(code, why()).toBe(2);
          }
          // 2. With errors (in flows only), a verdict given is the original's, hop for hop.
          if (errors.length > 0) {
            for (const f of given) {
              const was = before.flows.find((o) => o.flow === f.flow && o.expect === f.expect);
              if (!was) continue;
              expect([f.verdict, strip(f.request?.hops), strip(f.response?.hops ?? [])], `${f.flow} — ${why()}`).toEqual([
                was.verdict,
                strip(was.request?.hops),
                strip(was.response?.hops ?? []),
              ]);
            }
          }
          // 3. A hop decided by a rule names the line of that rule.
          for (const f of given) {
            for (const h of [...(f.request?.hops ?? []), ...(f.response?.hops ?? [])]) {
              if (h.by !== 'rule') continue;
              // The rules that start on that line ([number] direction action; a rule may go on
              // to the next line, and `100inbound` lexes as a number and a keyword).
              const first = (lines[(h.line ?? 0) - 1] ?? '').replace(/#.*$/, '');
              const l = `${first} ${(lines[h.line ?? 0] ?? '').replace(/#.*$/, '')}`;
              const written = [...l.matchAll(/(?:^|[\s{])(?:(\d+)\s*)?(inbound|outbound)\s+(allow|deny)\b/g)]
                .filter((m) => m.index! < first.length)
                .map((m) => ({ rule: m[1] === undefined ? null : Number(m[1]), direction: m[2], action: m[3] }));
              expect(written, `${f.flow}: ${JSON.stringify(h)} on ${JSON.stringify(l)} — ${why()}`).toContainEqual({
                rule: h.rule,
                direction: h.direction,
                action: h.action,
              });
            }
          }
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.FWLANG_TYPING_SEED ?? 7) },
    );
  }, 60_000);
});
