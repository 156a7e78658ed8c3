// One fuzzed document through everything an editor or the command line does with it:
// parse, resolve (with includes), analyse, every LSP feature under server/src/features (called
// as the server calls them, on a DocContext), fixAll, and `fwlang check`, `fwlang simulate`
// and `fwlang export` (to each target in turn) of it as a file. A step that throws, an `internal error` diagnostic, a span outside the text
// or a document slower than the budget is a failure.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import type { CodeActionParams, Position } from 'vscode-languageserver';
import { AnalysisCache, analyze } from '../../server/src/analysis/analyze';
import { fixAll, versionAnalyzer } from '../../server/src/analysis/fixAll';
import { LineIndex } from '../../server/src/core/text';
import { codeActions } from '../../server/src/features/codeActions';
import { completion } from '../../server/src/features/completion';
import { definition } from '../../server/src/features/definition';
import { toLspDiagnostics } from '../../server/src/features/diagnostics';
import { DEFAULT_SETTINGS, type DocContext, type Settings } from '../../server/src/features/docContext';
import { exportDocument } from '../../server/src/features/exportDocument';
import { foldingRanges } from '../../server/src/features/folding';
import { formatting } from '../../server/src/features/formatting';
import { hover } from '../../server/src/features/hover';
import { documentLinks } from '../../server/src/features/links';
import { pictureAt, topologyPicture, withPortsPicture } from '../../server/src/features/pictures';
import { references } from '../../server/src/features/references';
import { prepareRename, rename } from '../../server/src/features/rename';
import { semanticTokens } from '../../server/src/features/semanticTokens';
import {
  LensState,
  codeLenses,
  resolveCodeLens,
  simulateAt,
  simulateFlowAt,
  simulateRuleAt,
  simulateText,
} from '../../server/src/features/simulation';
import { documentSymbols } from '../../server/src/features/symbols';
import { UsageError, main as cliMain } from '../../server/src/cli/main';
import { EXPORT_TARGETS } from '../../server/src/convert/export';
import { buildModel } from '../../server/src/model/resolve';
import type { FileHost } from '../../server/src/model/types';
import { IncrementalParser } from '../../server/src/syntax/incremental';
import { type CorpusFile, type Mutated, mutate } from './mutate';
import { Random } from './random';

/** Where the fuzzed documents live: includes resolve against it, in memory. */
const DIR = '/fuzz';

export interface DocumentCase {
  seed: number;
  index: number;
  /** The corpus file it was made from and the mutations, in order. */
  base: string;
  mutations: string[];
  text: string;
  /** Included files replaced by mutated texts, by path. */
  includes: Record<string, string>;
}

export interface Failure {
  step: string;
  error: string;
}

export interface DocumentResult {
  failures: Failure[];
  /** The document's time: parse, analysis, every feature and fixAll. */
  ms: number;
  /**
   * The analysis of what fixAll wrote (the next `check` of the fixed file), timed as the
   * document it is: it has its own budget, by its own length (with the included files').
   */
  fixed?: { ms: number; length: number };
  /**
   * The command line on the document as a file (`fwlang check`, `simulate`, `export`): the
   * slowest of the three, each its own process and document, with the document's budget.
   */
  cli?: { ms: number };
  /** The slowest steps, for a report of a slow document. */
  steps: [string, number][];
}

/** A file host over the corpus at /fuzz/<name>, with some files replaced. */
function memoryHost(corpus: CorpusFile[], includes: Record<string, string>): FileHost {
  const files = new Map(corpus.map((f) => [`${DIR}/${f.name}`, f.text]));
  return {
    readFile: (p) => includes[p] ?? files.get(p),
    resolve: (from, rel) => {
      if (rel.startsWith('/')) return rel;
      const parts = from.split('/').slice(0, -1);
      for (const seg of rel.split('/')) {
        if (seg === '..') parts.pop();
        else if (seg !== '.' && seg !== '') parts.push(seg);
      }
      return parts.join('/') || '/';
    },
  };
}

/** Document `index` of a run started with `seed`: the same pair always makes the same case. */
export function makeCase(seed: number, index: number, corpus: CorpusFile[]): DocumentCase {
  const r = Random.of(seed, index);
  const m: Mutated = mutate(r, corpus);
  const includes: Record<string, string> = {};
  // Sometimes the included file is hostile too.
  if (r.chance(0.1)) {
    const inc = corpus.find((f) => f.name.endsWith('common/inventory.fw'));
    if (inc) includes[`${DIR}/${inc.name}`] = mutate(r, corpus, inc).text;
  }
  return { seed, index, base: m.base, mutations: m.mutations, text: m.text, includes };
}

const SETTINGS: Settings[] = [DEFAULT_SETTINGS, { defaultEphemeral: 'linux', severity: { 'missing-response': 'off', syntax: 'hint' } }];

/** Every span of a diagnostic of the document lies inside it. */
function spanProblems(text: string, ctx: DocContext): string[] {
  const out: string[] = [];
  for (const d of ctx.analysis.diagnostics) {
    if (d.file && d.file !== ctx.analysis.model.root) continue;
    const { start, end } = d.span;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= text.length)) {
      out.push(`${d.code} span ${start}-${end} outside 0-${text.length}: ${d.message.slice(0, 200)}`);
    }
  }
  return out;
}

/** Diagnostics that say fwlang itself failed (a check threw and analyze caught it). */
function internalErrors(ctx: DocContext): string[] {
  return ctx.analysis.diagnostics
    .filter((d) => d.code === 'internal' || /internal error/.test(d.message))
    .map((d) => d.message.slice(0, 500));
}

/**
 * Runs one case. `budgetMs` is not enforced inside (a synchronous step cannot be stopped);
 * the caller compares `ms` with it, and a watchdog outside catches a step that never ends.
 */
export async function runCase(c: DocumentCase, corpus: CorpusFile[]): Promise<DocumentResult> {
  const r = Random.of(c.seed ^ 0x5bd1e995, c.index);
  const failures: Failure[] = [];
  const steps: [string, number][] = [];
  const t0 = performance.now();
  const trace = typeof process !== 'undefined' && !!process.env.FWLANG_FUZZ_TRACE;
  const step = async <T>(name: string, f: () => T | Promise<T>): Promise<T | undefined> => {
    const s = performance.now();
    // FWLANG_FUZZ_TRACE=1: each step as it starts (to see which one a hanging case is stuck in).
    if (trace) console.error(`  ${name} (${Math.round(s - t0)} ms)`);
    try {
      return await f();
    } catch (e) {
      failures.push({ step: name, error: (e as Error)?.stack ?? String(e) });
      return undefined;
    } finally {
      steps.push([name, performance.now() - s]);
    }
  };
  const path = `${DIR}/${c.base}`;
  const host = memoryHost(corpus, c.includes);
  const text = c.text;

  // Parsed as check --fix parses the versions it tries (versionAnalyzer), so that its one try
  // below parses again only what the fix touched, as it does in the command line.
  const parser = IncrementalParser.copying();
  const parsed = await step('parse', () => parser.parse(text));
  const settings = r.pick(SETTINGS);
  // As the language server does (lsp/workspace.ts): the model is built from the version's parse,
  // not by parsing the text a second time. check --fix's versions (below) take the CLI's way.
  const model = await step('buildModel', () =>
    buildModel(path, text, host, { defaultEphemeral: settings.defaultEphemeral || undefined, ...(parsed ? { parsed } : {}) }),
  );
  // With a cache, as the server (one per document) and check --fix (one for its versions) do:
  // fixAll's versions below are analysed with it, as check --fix analyses them after its first.
  const analyses = new AnalysisCache();
  const analysis = model && (await step('analyze', () => analyze(model, analyses)));
  if (!analysis) return { failures, ms: performance.now() - t0, steps };
  const lines = new LineIndex(text);
  const ctx: DocContext = { uri: `file://${path}`, path, version: 1, text, lines, analysis, settings };
  for (const p of [...spanProblems(text, ctx), ...internalErrors(ctx)]) failures.push({ step: 'analyze', error: p });

  // Offsets: random ones, and the starts and ends of words (where hovers and renames land).
  const words = [...text.slice(0, 200_000).matchAll(/[A-Za-z0-9_.:/-]+/g)];
  const offsets: number[] = [];
  for (let i = 0; i < 6; i++) offsets.push(r.int(0, text.length));
  for (let i = 0; i < 6 && words.length; i++) {
    const w = r.pick(words);
    offsets.push(w.index + r.int(0, w[0].length));
  }
  const positions: Position[] = offsets.map((o) => lines.position(o));
  // A position past the end of a line and past the end of the file, as clients sometimes send.
  positions.push({ line: r.int(0, lines.lineCount + 2), character: r.int(0, 5000) });

  await step('toLspDiagnostics', () => toLspDiagnostics(ctx));
  for (const o of offsets) {
    await step('hover', () => withPortsPicture(ctx, o, hover(ctx, o)));
  }
  for (const p of positions.slice(0, 8)) await step('completion', () => completion(ctx, p));
  for (const p of positions) {
    await step('definition', () => definition(ctx, p));
    await step('references', () => references(ctx, p, r.chance(0.5)));
    await step('prepareRename', () => prepareRename(ctx, p));
  }
  for (const p of positions.slice(0, 4)) {
    await step('rename', () => rename(ctx, p, r.pick(['renamed', 'x', 'a b', '', 'host', '10.0.0.1', 'é'])));
  }
  await step('documentSymbols', () => documentSymbols(ctx));
  await step('foldingRanges', () => foldingRanges(ctx));
  await step('semanticTokens', () => semanticTokens(ctx));
  await step('formatting', () => formatting(ctx, { tabSize: 2, insertSpaces: true }));
  await step('documentLinks', () => documentLinks(ctx));
  const all: CodeActionParams = {
    textDocument: { uri: ctx.uri },
    range: { start: { line: 0, character: 0 }, end: lines.position(text.length) },
    context: { diagnostics: [] },
  };
  await step('codeActions', () => codeActions(ctx, all));
  const a = r.pick(positions);
  const b = r.pick(positions);
  await step('codeActions', () =>
    codeActions(ctx, { ...all, range: { start: a, end: b }, context: { diagnostics: [], only: ['quickfix'] } }),
  );
  const lenses = new LensState();
  await step('codeLenses', () => codeLenses(ctx, lenses, { pictures: r.chance(0.5) }));
  for (let i = 0; i < 3; i++) {
    const line = r.chance(0.8) ? lines.position(r.int(0, text.length)).line : r.int(-2, lines.lineCount + 2);
    await step('simulateFlowAt', () => simulateFlowAt(ctx, line, lenses));
    await step('simulateRuleAt', () => simulateRuleAt(ctx, line, lenses, host));
    await step('pictureAt', () => pictureAt(ctx, line));
  }
  const shown = await step('codeLenses', () => codeLenses(ctx, lenses, { pictures: true }));
  // Each lens resolved, as an editor does for the lenses it shows (codeLens/resolve).
  await step('resolveCodeLens', () => shown?.map((l) => resolveCodeLens(l, lenses, ctx)));
  await step('simulateAt', () => simulateAt(ctx, r.pick(positions), lenses, host));
  const flowish = r.chance(0.5) ? 'bob -> catogram https' : text.slice(r.int(0, text.length), r.int(0, text.length)).slice(0, 300);
  await step('simulateText', () => simulateText(ctx, flowish, host));
  await step('exportDocument', () =>
    exportDocument(ctx, { uri: ctx.uri, target: r.pick(['nftables', 'iptables', 'cloudformation', 'terraform'] as const) }),
  );
  // The topology is laid out by elk: only on documents of a size an editor would draw.
  if (text.length < 20_000 && r.chance(0.1)) await step('topologyPicture', () => topologyPicture(ctx));
  // fixAll's first analysis is of the text itself: the one made above (the same call, not redone).
  // The versions it tries are analysed as check --fix does, with the settings of the first.
  const analyzeVersion = versionAnalyzer(path, host, { defaultEphemeral: settings.defaultEphemeral || undefined, analyses, parser });
  const fixed = await step('fixAll', () => fixAll(text, (t) => (t === text ? analysis : analyzeVersion(t))));
  const ms = performance.now() - t0;
  const cli = await runCli(c, corpus, step);
  if (fixed && fixed.text !== text) {
    // What check --fix writes is analysed again by the next check: that must hold too. It is
    // another document (the fixed text), timed on its own.
    const s = performance.now();
    await step('fixAll.result', () => {
      const after = analyze(buildModel(path, fixed.text, host));
      const bad = after.diagnostics.filter((d) => d.code === 'internal' || /internal error/.test(d.message));
      if (bad.length) throw new Error(`after fixAll: ${bad[0]!.message}`);
    });
    // Its length: what its analysis reads, as for the document (its includes too).
    const length = readLength({ text: fixed.text, includes: c.includes });
    return { failures, ms, fixed: { ms: performance.now() - s, length }, cli, steps };
  }
  return { failures, ms, cli, steps };
}

/** The corpus written out once per process, for the command line (which reads files). */
let corpusDir: string | undefined;

function writtenCorpus(corpus: CorpusFile[]): string {
  if (corpusDir) return corpusDir;
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'fwlang-fuzz-cli-'));
  for (const f of corpus) {
    fs.mkdirSync(nodePath.dirname(nodePath.join(dir, f.name)), { recursive: true });
    fs.writeFileSync(nodePath.join(dir, f.name), f.text);
  }
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return (corpusDir = dir);
}

/**
 * `fwlang check`, `simulate` and `export` of the document written beside its base file (so that
 * its includes resolve as in the editor), its mutated includes written over the corpus's for
 * the while. A usage error (exit 2 with one line, as for a binary file) is an answer; a throw
 * of anything else, a failure. Their output is not looked at, only that they end.
 */
async function runCli(
  c: DocumentCase,
  corpus: CorpusFile[],
  step: <T>(name: string, f: () => T | Promise<T>) => Promise<T | undefined>,
): Promise<{ ms: number }> {
  const dir = writtenCorpus(corpus);
  const file = nodePath.join(dir, nodePath.dirname(c.base), `fuzz-${c.seed}-${c.index}.fw`);
  const replaced = Object.keys(c.includes).map((p) => nodePath.join(dir, p.slice(DIR.length + 1)));
  fs.writeFileSync(file, c.text);
  for (const [p, t] of Object.entries(c.includes)) fs.writeFileSync(nodePath.join(dir, p.slice(DIR.length + 1)), t);
  const stderr = process.stderr.write;
  let slowest = 0;
  try {
    process.stderr.write = () => true;
    const target = EXPORT_TARGETS[c.index % EXPORT_TARGETS.length]!;
    for (const args of [
      ['check', file],
      ['simulate', file],
      ['export', file, '--to', target],
    ]) {
      const s = performance.now();
      await step(`cli.${args[0]}`, async () => {
        try {
          await cliMain(args, () => undefined);
        } catch (e) {
          if (!(e instanceof UsageError)) throw e;
        }
      });
      slowest = Math.max(slowest, performance.now() - s);
    }
  } finally {
    process.stderr.write = stderr;
    fs.rmSync(file, { force: true });
    for (const p of replaced) {
      const original = corpus.find((f) => nodePath.join(dir, f.name) === p);
      if (original) fs.writeFileSync(p, original.text);
    }
  }
  return { ms: slowest };
}

export interface DocumentReport {
  case: Pick<DocumentCase, 'seed' | 'index' | 'base' | 'mutations'> & { length: number };
  kind: 'failure' | 'slow' | 'hang';
  ms: number;
  /** The analysis of the fixed text, when fixAll changed it (its own document and budget). */
  fixedMs?: number;
  /** The slowest of `fwlang check`, `simulate` and `export` of it (each its own document and budget). */
  cliMs?: number;
  failures: Failure[];
  steps: [string, number][];
  /** Where the case was saved for replay (`node scripts/fuzz.mjs --replay FILE`). */
  saved?: string;
}

/** The slowest steps of a run, summed per name. */
export function slowestSteps(steps: [string, number][], n = 5): [string, number][] {
  const sum = new Map<string, number>();
  for (const [k, v] of steps) sum.set(k, (sum.get(k) ?? 0) + v);
  return [...sum]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => [k, Math.round(v)]);
}

/**
 * The time a document may take: `budgetMs`, and as much again per MB past the first. Everything
 * here (parse, analyse, each feature, fixAll's rounds) may take time in proportion to the text;
 * what must not happen is more than that, so a 3 MB document gets 3 budgets.
 */
export function budgetFor(text: string | number, budgetMs: number): number {
  const length = typeof text === 'number' ? text : text.length;
  return budgetMs * Math.max(1, length / 1_000_000);
}

/**
 * The characters a case's analysis reads: its text and the included files mutated for it (a
 * 4 KB document that includes a 1.8 MB one is read, resolved and searched as 1.8 MB).
 */
export function readLength(c: Pick<DocumentCase, 'text' | 'includes'>): number {
  let n = c.text.length;
  for (const t of Object.values(c.includes)) n += t.length;
  return n;
}

/**
 * Whether a document, or the fixed text fixAll made of it (the next check's document, timed
 * apart), took more than its own budget.
 */
export function overBudget(res: Pick<DocumentResult, 'ms' | 'fixed' | 'cli'>, length: number, budgetMs: number): boolean {
  return (
    res.ms > budgetFor(length, budgetMs) ||
    (!!res.fixed && res.fixed.ms > budgetFor(res.fixed.length, budgetMs)) ||
    (!!res.cli && res.cli.ms > budgetFor(length, budgetMs))
  );
}

/** Checks one case: its report when it failed or took more than its budget. */
export async function checkCase(c: DocumentCase, corpus: CorpusFile[], budgetMs: number): Promise<DocumentReport | undefined> {
  const res = await runCase(c, corpus);
  if (res.failures.length === 0 && !overBudget(res, readLength(c), budgetMs)) return undefined;
  return {
    case: { seed: c.seed, index: c.index, base: c.base, mutations: c.mutations, length: c.text.length },
    kind: res.failures.length ? 'failure' : 'slow',
    ms: Math.round(res.ms),
    ...(res.fixed ? { fixedMs: Math.round(res.fixed.ms) } : {}),
    ...(res.cli ? { cliMs: Math.round(res.cli.ms) } : {}),
    failures: res.failures.map((f) => ({ step: f.step, error: f.error.slice(0, 4000) })),
    steps: slowestSteps(res.steps),
  };
}
