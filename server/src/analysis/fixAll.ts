// `fwlang check --fix`: apply the safe quick fixes, round after round; then, where flows state
// the author's intent with `expect`, the other fixes that make a failing flow meet its
// `expect`. Every step is checked exactly against spec §8.1 rule 3 (adviceGuard.ts): no flow
// that met its `expect` stops meeting it, no diagnostic code grows, nothing is newly allowed
// but responses to requests the original firewall allowed; and a fix that changes a flow's
// verdict is taken only when it makes a failing flow meet its `expect`. Pure: the caller
// re-analyses text.

import type { Diagnostic, Fix } from '../core/diagnostic';
import { applyEdits, safeFixEdits } from '../core/edits';
import { type Analysis, AnalysisCache, analyze } from './analyze';
import { buildModel } from '../model/resolve';
import { IncrementalParser } from '../syntax/incremental';
import type { FileHost } from '../model/types';
import { reliableFlows, worseThan } from './adviceGuard';
import { firewallsOf, isOwn } from '../model/ownership';

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
  /** Safe fixes left alone, with why (§8.1: when unsure, say so and change nothing). */
  skipped: (AppliedFix & { reason: string; key: string })[];
}

const MAX_ROUNDS = 20;
/** Fixes tried one by one per round, at most (each try is one analysis). */
const MAX_TRIALS = 60;
/**
 * The characters of fixed versions analysed in all, at most (each try parses, resolves and
 * analyses the whole text: a file of a few hundred rules gets its 20 rounds, a megabyte gets one
 * try). Past it fixAll stops and lists the safe fixes it did not try as not fixed, saying why.
 */
export const MAX_ANALYSED = 300_000;

// Only flows whose verdict is not refused (a half-read file gives none: §8.1 rule 5).
function unmetFlows(a: Analysis): string[] {
  return reliableFlows(a)
    .filter((r) => !r.met)
    .map((r) => r.flow.text);
}

function verdicts(a: Analysis): Map<string, string> {
  return new Map(reliableFlows(a).map((r) => [r.flow.text, r.verdict]));
}

type Spans = { start: number; end: number }[] & { overlapping?: boolean };

/** Spans of the firewalls that failing flows cross, and of the failing `expect deny` flows' firewalls. */
function pathSpans(a: Analysis, only?: (r: Analysis['flowResults'][number]) => boolean, flows = reliableFlows(a)): Spans {
  const out: Spans = [];
  const seen = new Set<unknown>();
  for (const r of flows) {
    if (r.met || (only && !only(r))) continue;
    for (const fw of r.path) {
      if (seen.has(fw) || !isOwn(a.model, fw)) continue;
      seen.add(fw);
      out.push(fw.node.span);
    }
  }
  return outermost(out);
}

/**
 * `spans` by start, less those inside another: one binary search then finds what holds a span.
 * (Firewalls' spans nest or are apart; should two overlap in part, `within` looks at each.)
 */
function outermost(spans: Spans): Spans {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Spans = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.end <= last.end) continue;
    if (last && s.start < last.end) out.overlapping = true;
    out.push(s);
  }
  return out;
}

/** Whether `d` lies inside one of `spans` (from `outermost`). */
function within(d: Diagnostic, spans: Spans): boolean {
  if (spans.overlapping) return spans.some((s) => d.span.start >= s.start && d.span.end <= s.end);
  let lo = 0;
  let hi = spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (spans[mid]!.start <= d.span.start) lo = mid;
    else hi = mid - 1;
  }
  const s = spans[lo];
  return !!s && s.start <= d.span.start && d.span.end <= s.end;
}

/** The unsafe fixes worth trying: on rules of the firewalls the failing flows cross. */
function candidates(a: Analysis): { d: Diagnostic; fix: Fix }[] {
  const spans = pathSpans(a);
  if (spans.length === 0) return [];
  const out: { d: Diagnostic; fix: Fix }[] = [];
  for (const d of a.diagnostics) {
    if (d.file || !d.fixes || !within(d, spans)) continue;
    for (const fix of d.fixes) if (!fix.safe && fix.edits.every((e) => !e.file)) out.push({ d, fix });
  }
  return out;
}

/**
 * The safe fixes of a round, less the removal of a deny that a failing `expect deny` flow may
 * need (it is moved above what hides it instead, never deleted as redundant: §8.1 rule 3).
 */
function safeDiagnostics(a: Analysis): Diagnostic[] {
  const denySpans = pathSpans(a, (r) => r.flow.expect === 'deny', a.flowResults);
  const denies = new Set<number>();
  for (const fw of a.model.firewalls) for (const r of fw.rules) if (r.action === 'deny') denies.add(r.node.span.start);
  // A refused flow is not simulated (analyze): what an `expect deny` flow without a result
  // needs is unknown, so while there is one, no deny is removed as redundant.
  const simulated = new Set(a.flowResults.map((r) => r.flow.node));
  const unknown = a.model.flows.some((f) => f.expect === 'deny' && !simulated.has(f.node));
  return a.diagnostics.filter(
    (d) => !d.file && !(d.code === 'redundant-rule' && denies.has(d.span.start) && (unknown || within(d, denySpans))),
  );
}

/**
 * Whether `trial` may replace `current`: not worse than the original (§8.1 rule 3), and a
 * change of any flow's verdict only when some failing flow then meets its `expect`.
 */
function acceptable(original: Analysis, current: Analysis, trial: Analysis): { ok: boolean; helped: string[]; reason?: string } {
  const worse = worseThan(original, trial);
  if (worse) return { ok: false, helped: [], reason: worse };
  const before = unmetFlows(current);
  const after = new Set(unmetFlows(trial));
  const helped = before.filter((f) => !after.has(f));
  const was = verdicts(current);
  // A flow that had no verdict (refused: the file was half-read) gains one when an error is
  // fixed; that is no change of a verdict.
  const changed = [...verdicts(trial)].some(([f, v]) => was.has(f) && was.get(f) !== v);
  const ok = !changed || helped.length > 0;
  return { ok, helped, reason: ok ? undefined : "it would change a flow's verdict without making a failing flow meet its expect" };
}

const namedSpans = new WeakMap<Analysis, { start: number; end: number; name: string }[]>();

/** The name of the firewall of the file whose text holds `offset` ('' if none). */
function firewallAt(a: Analysis, offset: number): string {
  let spans = namedSpans.get(a);
  if (!spans) {
    spans = firewallsOf(a.model)
      .map((fw) => ({ start: fw.node.span.start, end: fw.node.span.end, name: fw.name }))
      .sort((x, y) => x.start - y.start);
    namedSpans.set(a, spans);
  }
  let lo = 0;
  let hi = spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (spans[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  const s = spans[lo];
  return s && s.start <= offset && offset < s.end ? s.name : '';
}

/**
 * An `analyzeText` for fixAll over the versions of the file `path`: one analysis cache for them
 * all, as the editor keeps one per document (a fix changes a rule or two; the other firewalls'
 * checks are not run again for each try), and one incremental parser, so that a try lexes and
 * parses again only the chunks its fixes touched. Unlike the editor's, that parser never moves
 * the nodes it reuses in place (it copies a chunk that moved): fixAll keeps earlier versions'
 * analyses, and their spans are the offsets of their fixes. Each version is resolved whole.
 * `options` are buildModel's, as for the file's first analysis; `analyses`, the cache the first
 * analysis was made with, and `parser`, the parser it was parsed with, when it was not made by
 * this function.
 */
export function versionAnalyzer(
  path: string,
  host?: FileHost,
  {
    analyses = new AnalysisCache(),
    parser = IncrementalParser.copying(),
    ...options
  }: { defaultEphemeral?: string; analyses?: AnalysisCache; parser?: IncrementalParser & { readonly copies: true } } = {},
): (text: string) => Analysis {
  return (text) => analyze(buildModel(path, text, host, { ...options, parsed: parser.parse(text) }), analyses);
}

/**
 * Fixes `text` as far as it safely can. `analyzeText` must parse, resolve and analyse a
 * version of the file (the CLI passes one bound to the file's path and includes); `maxAnalysed`
 * bounds the characters of versions it analyses (MAX_ANALYSED; smaller in tests).
 */
export function fixAll(
  text: string,
  analyzeText: (text: string) => Analysis,
  { maxAnalysed = MAX_ANALYSED }: { maxAnalysed?: number } = {},
): FixAllResult {
  const original = analyzeText(text);
  let analysis = original;
  const applied: AppliedFix[] = [];
  const skipped: FixAllResult['skipped'] = [];
  const refused = new Set<string>();
  // A diagnostic from one version to the next: its code, its firewall and what it is on (the
  // same rule in two firewalls is two fixes, each tried and reported).
  const keyOf = (d: Diagnostic) => `${d.code}:${firewallAt(analysis, d.span.start)}:${text.slice(d.span.start, d.span.end)}`;
  // What stopped fixAll before it ran out of fixes to try: the bound on work (MAX_ANALYSED)
  // or on rounds. The first try is always made.
  let stopped: string | undefined;
  let analysed = 0;
  const tryText = (next: string): Analysis | undefined => {
    if (analysed > 0 && analysed + next.length > maxAnalysed) {
      const most = maxAnalysed.toLocaleString('en');
      stopped = `not tried: check --fix analyses at most ${most} characters of fixed versions of a file (run it again to go on)`;
      return undefined;
    }
    analysed += next.length;
    return analyzeText(next);
  };
  let round = 0;
  for (; round < MAX_ROUNDS && !stopped; round++) {
    // 1. The safe fixes, all at once; when the result is not acceptable, one by one.
    // Errors first: a rule with an error takes part in nothing, so fixing what it says
    // before anything else keeps other fixes from answering for it (a reversed port range).
    // Only a diagnostic with a safe fix can take part (a megabyte of unknown names has 200,000
    // without one); its key is made only once some fix has been refused.
    const safe = safeDiagnostics(analysis).filter((d) => d.fixes?.some((f) => f.safe) && (refused.size === 0 || !refused.has(keyOf(d))));
    const errorsFirst = safe.some((d) => d.severity === 'error') ? safe.filter((d) => d.severity === 'error') : safe;
    const { edits, fixed } = safeFixEdits(errorsFirst);
    if (edits.length > 0) {
      const next = applyEdits(text, edits).text;
      const trial = tryText(next);
      if (!trial) break;
      if (acceptable(original, analysis, trial).ok) {
        for (const d of fixed) applied.push({ offset: d.span.start, text, code: d.code, title: d.fixes!.find((f) => f.safe)!.title });
        text = next;
        analysis = trial;
        continue;
      }
      let took = false;
      for (const d of fixed.slice(0, MAX_TRIALS)) {
        const fix = d.fixes!.find((f) => f.safe)!;
        const one = applyEdits(text, fix.edits).text;
        const t = tryText(one);
        if (!t) break;
        const verdict = acceptable(original, analysis, t);
        if (verdict.ok) {
          applied.push({ offset: d.span.start, text, code: d.code, title: fix.title });
          text = one;
          analysis = t;
          took = true;
          break;
        }
        const key = keyOf(d);
        refused.add(key);
        skipped.push({ offset: d.span.start, text, code: d.code, title: fix.title, reason: verdict.reason ?? 'not acceptable', key });
      }
      if (took || stopped) continue;
    }
    // 2. Where flows say what is meant: a fix that makes a failing flow meet its `expect`.
    if (unmetFlows(analysis).length === 0) break;
    let taken = false;
    for (const { d, fix } of candidates(analysis).slice(0, MAX_TRIALS)) {
      const next = applyEdits(text, fix.edits).text;
      const trial = tryText(next);
      if (!trial) break;
      const verdict = acceptable(original, analysis, trial);
      if (!verdict.ok || verdict.helped.length === 0) continue;
      applied.push({ offset: d.span.start, text, code: d.code, title: fix.title, because: verdict.helped });
      text = next;
      analysis = trial;
      taken = true;
      break;
    }
    if (!taken) break;
  }
  if (round === MAX_ROUNDS) stopped ??= `not tried: check --fix stops after ${MAX_ROUNDS} rounds of fixes (run it again to go on)`;
  // Report a skipped fix only when its diagnostic is still there at the end.
  const left = skipped.length > 0 ? new Set(analysis.diagnostics.map(keyOf)) : new Set<string>();
  const out = skipped.filter((f) => left.has(f.key));
  if (stopped) {
    // The safe fixes it did not come to, each saying so (§8.1: never a silent stop).
    for (const d of safeDiagnostics(analysis)) {
      const fix = d.fixes?.find((f) => f.safe);
      if (!fix || fix.edits.some((e) => e.file)) continue;
      const key = keyOf(d);
      if (refused.has(key)) continue;
      out.push({ offset: d.span.start, text, code: d.code, title: fix.title, reason: stopped, key });
    }
  }
  return { text, analysis, applied, skipped: out };
}
