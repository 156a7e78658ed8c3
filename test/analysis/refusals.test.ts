// refusalsOf counts an error reported twice (by the file's model and again by its analysis)
// once: the same file, code, place and words. It compares them field by field, by start (fuzz
// seed 12012, document 1150: 200,000 errors, each twice, made a key text each: 0.35 s a lens
// request), and must keep exactly the errors a key per error kept.

import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { fixAll } from '../../server/src/analysis/fixAll';
import { refusalOf, refusalsOf, refusesVerdicts } from '../../server/src/analysis/flowPath';
import { type Diagnostic, diag } from '../../server/src/core/diagnostic';
import { buildModel } from '../../server/src/model/resolve';
import { nodeFileHost } from '../../server/src/node/fileHost';
import type { FlowDecl } from '../../server/src/syntax/ast';
import { ROOT, loadCorpus, mutate } from '../fuzz/mutate';
import { Random } from '../fuzz/random';

/** What a key per error keeps, in order. */
function byKey(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.file ?? ''}\u0000${d.code}\u0000${d.span.start}\u0000${d.span.end}\u0000${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

describe('refusalsOf', () => {
  it('keeps one of each error, whatever reports it, and all that differ', () => {
    const model = buildModel('/t/x.fw', 'host a 10.0.0.1\nflow a -> a https\n');
    const extra: Diagnostic[] = [];
    // Many errors at one start (more than a start keeps one by one), differing in each field.
    for (let i = 0; i < 40; i++) {
      const start = i % 3;
      extra.push(diag('syntax', { start, end: start + (i % 2) }, `message ${i % 5}`));
      extra.push(diag('unknown-name', { start, end: start + 1 }, `message ${i % 4}`));
      extra.push({ ...diag('syntax', { start, end: start + 1 }, 'message 1'), file: i % 2 ? '/t/inc.fw' : undefined });
    }
    const twice = [...extra, ...extra.map((d) => ({ ...d }))];
    const r = refusalsOf(model, twice);
    const expected = byKey(twice).sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || a.span.start - b.span.start);
    expect(r.everything).toEqual(expected);
    expect(r.everything.length).toBeLessThan(extra.length);
  });

  // Fuzz document 99256 of seed 1136: a lens per flow copied the errors outside every flow,
  // 3,000 flows and as many errors (0.9 s of code lenses).
  it("refusalOf: a flow's errors after the file's, sharing the list when only one has any", () => {
    const text = 'host a 10.0.0.1\nflow a -> a https\nflow a -> nowhere https\n';
    const model = buildModel('/t/x.fw', text);
    const [ok, bad] = model.ast.statements.filter((s): s is FlowDecl => s?.kind === 'flow');
    const fileError = diag('syntax', { start: 0, end: 1 }, 'outside every flow');
    const clean = refusalsOf(model, []);
    expect(clean.everything).toEqual([]);
    expect(refusalOf(clean, ok!)).toEqual([]);
    const own = refusalOf(clean, bad!);
    expect(own.map((d) => d.code)).toEqual(['unknown-name']);
    const broken = refusalsOf(model, [fileError]);
    // The same list for every flow without errors of its own: not a copy per flow.
    expect(refusalOf(broken, ok!)).toBe(broken.everything);
    expect(refusalOf(broken, ok!)).toEqual([fileError]);
    expect(refusalOf(broken, bad!).map((d) => d.message)).toEqual(['outside every flow', own[0]!.message]);
  });

  // `fwlang simulate` and `graph` refuse from the model alone (no analysis of the file): every
  // error of an analysis that refuses verdicts must already be among the model's refusals.
  it("the model's refusals hold every refusing error an analysis reports", () => {
    const corpus = loadCorpus();
    const r = new Random(2601);
    const docs = [...corpus.map((f) => ({ name: f.name, text: f.text })), ...Array.from({ length: 200 }, () => mutate(r, corpus))]
      .map((d) => ({ name: 'base' in d ? d.base : d.name, text: d.text }))
      .filter((d) => d.text.length < 100_000);
    const key = (d: Diagnostic) => `${d.file ?? ''}\u0000${d.code}\u0000${d.span.start}\u0000${d.span.end}\u0000${d.message}`;
    let refusing = 0;
    for (const d of docs) {
      const model = buildModel(path.join(ROOT, d.name), d.text, nodeFileHost());
      const refusals = refusalsOf(model);
      const listed = new Set([...refusals.everything, ...[...refusals.byFlow.values()].flat()].map(key));
      const missed = analyze(model).diagnostics.filter((x) => refusesVerdicts(x) && !listed.has(key(x)));
      expect(missed.map(key), d.name).toEqual([]);
      refusing += listed.size;
    }
    // The documents do have refusing errors for the check to look at.
    expect(refusing).toBeGreaterThan(500);
  });
});

// A flow refused a verdict is not simulated by `analyze`: nothing may show its result, and a
// paste of thousands of firewall headers spent most of its analysis simulating such flows.
describe('refused flows are not simulated', () => {
  const hosts = 'host web 10.0.0.5\nhost scanner 198.51.100.66\n';
  const fw =
    'firewall f stateless protects web {\n  100 inbound allow tcp to web port 443\n  100 outbound allow tcp from web port 443 to any port ephemeral\n}\n';
  const simulated = (text: string) => analyze(buildModel('/t/x.fw', text)).flowResults.map((r) => r.flow.text);

  it('simulates every flow of a file without errors', () => {
    expect(simulated(`${hosts}${fw}flow scanner -> web https\nflow web -> scanner https\n`)).toEqual([
      'scanner -> web https',
      'web -> scanner https',
    ]);
  });

  it('simulates none while an error outside every flow refuses them all, each other flow while one has its own', () => {
    const flows = 'flow scanner -> web https\nflow web -> scanner https\n';
    expect(simulated(`${hosts}network typo 10.0.300.0/24\n${fw}${flows}`)).toEqual([]);
    expect(simulated(`${hosts}${fw}${flows}flow scanner -> nowhere https\n`)).toEqual(['scanner -> web https', 'web -> scanner https']);
  });

  it('--fix removes no deny as redundant while an `expect deny` flow is refused, even off its path', () => {
    // `g`'s deny is redundant (its default denies) and off the flow's path; with the typo the flow
    // has no result to tell which denies it needs, so none is removed.
    const g = 'firewall g stateless protects 10.9.0.0/24 {\n  100 inbound deny tcp to any port 22\n}\n';
    const text = `${hosts}network typo 10.0.300.0/24\n${fw}${g}flow scanner -> web https expect deny\n`;
    const analyzeText = (t: string) => analyze(buildModel('/t/x.fw', t));
    expect(analyzeText(text).diagnostics.filter((d) => d.code === 'redundant-rule')).toHaveLength(1);
    expect(fixAll(text, analyzeText).text).toContain('100 inbound deny tcp to any port 22');
    // Without the typo the flow is simulated, and the deny off its path goes.
    const fixed = text.replace('network typo 10.0.300.0/24\n', '');
    expect(fixAll(fixed, analyzeText).text).not.toContain('100 inbound deny tcp to any port 22');
    // With an `expect allow` flow instead, the typo does not keep it either.
    expect(fixAll(text.replace('expect deny', 'expect allow'), analyzeText).text).not.toContain('100 inbound deny tcp to any port 22');
  });
});
