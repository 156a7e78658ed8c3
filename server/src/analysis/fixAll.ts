// `fwlang check --fix`: apply the safe quick fixes, round after round; then, where flows state
// the author's intent with `expect`, the other fixes that make a failing flow meet its
// `expect` without making any other flow or check worse. Pure: the caller re-analyses text.

import type { Diagnostic, Fix } from '../core/diagnostic';
import { applyEdits, safeFixEdits } from '../core/edits';
import type { Analysis } from './analyze';

export interface AppliedFix {
  /** Offset of the diagnostic in the text it was fixed in. */
  offset: number;
  text: string;
  code: string;
  title: string;
  /** Why an unsafe fix was taken: the flows it made meet their `expect`. */
  because?: string[];
}

export interface FixAllResult {
  text: string;
  analysis: Analysis;
  applied: AppliedFix[];
}

const MAX_ROUNDS = 20;
/** Unsafe fixes tried per round, at most (each try is one analysis). */
const MAX_TRIALS = 60;

function unmetFlows(a: Analysis): string[] {
  return a.flowResults.filter((r) => !r.met).map((r) => r.flow.text);
}

function errorCount(a: Analysis): number {
  return a.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'flow-expectation').length;
}

function warningCount(a: Analysis): number {
  return a.diagnostics.filter((d) => d.severity === 'warning').length;
}

/** The unsafe fixes worth trying: on rules of the firewalls the failing flows cross. */
function candidates(a: Analysis): { d: Diagnostic; fix: Fix }[] {
  const failing = a.flowResults.filter((r) => !r.met);
  if (failing.length === 0) return [];
  const spans = new Set<string>();
  for (const r of failing) for (const fw of r.path) spans.add(`${fw.node.span.start}:${fw.node.span.end}`);
  const inPath = (d: Diagnostic) =>
    [...spans].some((s) => {
      const [start, end] = s.split(':').map(Number) as [number, number];
      return d.span.start >= start && d.span.end <= end;
    });
  const out: { d: Diagnostic; fix: Fix }[] = [];
  for (const d of a.diagnostics) {
    if (d.file || !d.fixes || !inPath(d)) continue;
    for (const fix of d.fixes) if (!fix.safe && fix.edits.every((e) => !e.file)) out.push({ d, fix });
  }
  return out;
}

/**
 * Fixes `text` as far as it safely can. `analyzeText` must parse, resolve and analyse a
 * version of the file (the CLI passes one bound to the file's path and includes).
 */
export function fixAll(text: string, analyzeText: (text: string) => Analysis): FixAllResult {
  let analysis = analyzeText(text);
  const applied: AppliedFix[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const { edits, fixed } = safeFixEdits(analysis.diagnostics.filter((d) => !d.file));
    if (edits.length > 0) {
      for (const d of fixed) applied.push({ offset: d.span.start, text, code: d.code, title: d.fixes!.find((f) => f.safe)!.title });
      text = applyEdits(text, edits).text;
      analysis = analyzeText(text);
      continue;
    }
    const before = unmetFlows(analysis);
    if (before.length === 0) break;
    const errors = errorCount(analysis);
    const warnings = warningCount(analysis);
    let taken = false;
    for (const { d, fix } of candidates(analysis).slice(0, MAX_TRIALS)) {
      const next = applyEdits(text, fix.edits).text;
      const trial = analyzeText(next);
      const after = unmetFlows(trial);
      // Only what helps the stated intent, and hurts nothing: no flow newly failing, no new error or warning.
      const helped = before.filter((f) => !after.includes(f));
      const hurt = after.filter((f) => !before.includes(f));
      if (helped.length === 0 || hurt.length > 0 || errorCount(trial) > errors || warningCount(trial) > warnings) continue;
      applied.push({ offset: d.span.start, text, code: d.code, title: fix.title, because: helped });
      text = next;
      analysis = trial;
      taken = true;
      break;
    }
    if (!taken) break;
  }
  return { text, analysis, applied };
}
