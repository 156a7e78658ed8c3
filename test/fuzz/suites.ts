// The suites `npm run test:fuzz` runs (scripts/fuzz.mjs bundles test/fuzz/main.ts). A suite
// makes case `index` of a run from `seed` alone, so a failure replays from the pair; it saves
// every failing, slow or hanging case as JSON (with its full input) under the run's folder.
// To add a suite: write a FuzzSuite and list it in SUITES; `--only NAME` runs it alone, and
// `--NAME N` (its `option`) sets its count.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { type DocumentCase, type DocumentReport, checkCase, makeCase } from './documents';
import { type CorpusFile, loadCorpus } from './mutate';
import { FuzzServer, type SequenceCase, type SequenceReport, makeSequence, runSequence } from './sequences';
import { incrementalSuite } from '../incremental/fuzzSuite';
import { type ImportCase, type ImportInput, type ImportReport, checkImportCase, loadImportCorpus, makeImportCase } from './imports';

export interface FuzzOptions {
  seed: number;
  count: number;
  /** A case slower than this is reported (and saved). */
  budgetMs: number;
  /** Where failing and slow cases are written. */
  saveDir: string;
  log: (line: string) => void;
  /** Worker threads a suite may use (the documents suite does). */
  jobs: number;
}

export interface SuiteResult {
  suite: string;
  ran: number;
  ms: number;
  reports: (
    DocumentReport | SequenceReport | ImportReport | { kind: string; case: unknown; failures: { step: string; error: string }[] }
  )[];
}

export interface FuzzSuite {
  name: string;
  /** Command line option that sets the count, e.g. `--docs`. */
  option: string;
  /** The full run's count. */
  count: number;
  run(o: FuzzOptions): Promise<SuiteResult>;
  /** Re-runs one saved case (the JSON a report's `saved` names). */
  replay?(saved: unknown, o: FuzzOptions): Promise<SuiteResult>;
}

let corpus: CorpusFile[] | undefined;
export const theCorpus = (): CorpusFile[] => (corpus ??= loadCorpus());

export function save(o: FuzzOptions, name: string, data: unknown): string {
  fs.mkdirSync(o.saveDir, { recursive: true });
  const file = path.join(o.saveDir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(data, null, 1));
  return file;
}

/** Documents `[from, to)` of a run, in this thread; each report has its case saved. */
export async function runDocumentRange(
  o: FuzzOptions,
  from: number,
  to: number,
  progress?: (i: number) => void,
): Promise<DocumentReport[]> {
  const reports: DocumentReport[] = [];
  for (let i = from; i < to; i++) {
    progress?.(i);
    const c = makeCase(o.seed, i, theCorpus());
    const rep = await checkCase(c, theCorpus(), o.budgetMs);
    if (rep) {
      // A large case is saved as its seed and index (makeCase makes it again), not its megabytes.
      const kept = c.text.length + Object.values(c.includes).join('').length > 200_000 ? { seed: c.seed, index: c.index } : c;
      rep.saved = save(o, `document-${o.seed}-${i}`, { suite: 'documents', report: rep, case: kept });
      reports.push(rep);
      o.log(
        `documents #${i}: ${rep.kind} (${rep.ms} ms${rep.fixedMs !== undefined ? `, the fixed text ${rep.fixedMs} ms` : ''}${rep.cliMs !== undefined ? `, the command line ${rep.cliMs} ms` : ''}) ${rep.failures[0] ? `${rep.failures[0].step}: ${rep.failures[0].error.split('\n')[0]}` : JSON.stringify(rep.steps)} → ${rep.saved}`,
      );
    }
  }
  return reports;
}

export const documentsSuite: FuzzSuite = {
  name: 'documents',
  option: '--docs',
  count: 100_000,
  async run(o) {
    const t0 = performance.now();
    const reports = await runDocumentRange(o, 0, o.count, (i) => {
      if (i > 0 && i % 1000 === 0) o.log(`documents: ${i}/${o.count} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    });
    return { suite: 'documents', ran: o.count, ms: performance.now() - t0, reports };
  },
  async replay(saved, o) {
    const kept = (saved as { case: DocumentCase | { seed: number; index: number } }).case;
    const c = 'text' in kept ? kept : makeCase(kept.seed, kept.index, theCorpus());
    // A case is made from its seed, its index and the corpus: a corpus that has changed since
    // (a fixture added) makes another document, which would replay in silence.
    const was = (saved as { report?: { case?: { base?: string; length?: number } } }).report?.case ?? {};
    if (
      !('text' in kept) &&
      ((was.base !== undefined && was.base !== c.base) || (was.length !== undefined && was.length !== c.text.length))
    ) {
      throw new Error(
        `the corpus has changed since this case was saved: it was ${was.length} characters from ${was.base}, ` +
          `now ${c.text.length} from ${c.base} (replay it at the commit that saved it)`,
      );
    }
    const t0 = performance.now();
    const rep = await checkCase(c, theCorpus(), o.budgetMs);
    return { suite: 'documents', ran: 1, ms: performance.now() - t0, reports: rep ? [rep] : [] };
  },
};

async function runSequences(o: FuzzOptions, cases: Iterable<SequenceCase>, total: number): Promise<SuiteResult> {
  const t0 = performance.now();
  const reports: SequenceReport[] = [];
  const server = await FuzzServer.start();
  let ran = 0;
  try {
    for (const c of cases) {
      ran++;
      const t = performance.now();
      const { failures, slowestMs, overBudget } = await runSequence(server, c, o.budgetMs);
      const ms = performance.now() - t;
      if (failures.length || overBudget) {
        const hang = failures.some((f) => /no (answer|matching diagnostics)/.test(f.error));
        const rep: SequenceReport = {
          case: { seed: c.seed, index: c.index, base: c.base, steps: c.steps.length },
          kind: hang ? 'hang' : failures.length ? 'failure' : 'slow',
          ms: Math.round(slowestMs),
          failures,
        };
        rep.saved = save(o, `sequence-${c.seed}-${c.index}`, { suite: 'sequences', report: rep, case: c });
        reports.push(rep);
        o.log(
          `sequences #${c.index}: ${rep.kind} (${rep.ms} ms) ${failures[0] ? `${failures[0].step}: ${failures[0].error.split('\n')[0]}` : ''} → ${rep.saved}`,
        );
        // A server that died or hangs is started again, so the run goes on.
        if (!server.client.alive || hang) await server.restart();
      }
      if (ran % 500 === 0) o.log(`sequences: ${ran}/${total} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      void ms;
    }
    // Afterwards the server still answers.
    const uri = 'file:///fuzz-after.fw';
    await server.client.open(uri, 'host a 10.0.0.1\n');
    const h = await Promise.race([
      server.client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 6 } }),
      new Promise((r) => setTimeout(() => r('timeout'), 10_000)),
    ]);
    if (h === 'timeout' || !h) {
      reports.push({
        case: { seed: o.seed, index: -1, base: '', steps: 0 },
        kind: 'hang',
        ms: 10_000,
        failures: [{ step: 'after', error: `hover after the run: ${String(h)}` }],
      });
    }
  } finally {
    await server.stop();
  }
  return { suite: 'sequences', ran, ms: performance.now() - t0, reports };
}

export const sequencesSuite: FuzzSuite = {
  name: 'sequences',
  option: '--sequences',
  count: 10_000,
  run(o) {
    function* cases() {
      for (let i = 0; i < o.count; i++) {
        // A generator that throws is the harness's bug: say so and go on, rather than end the run.
        try {
          yield makeSequence(o.seed, i, theCorpus());
        } catch (e) {
          o.log(`sequences #${i}: could not be made: ${(e as Error).message}`);
        }
      }
    }
    return runSequences(o, cases(), o.count);
  },
  replay(saved, o) {
    return runSequences(o, [(saved as { case: SequenceCase }).case], 1);
  },
};

let importCorpus: ImportInput[] | undefined;

/** Import cases `[from, to)` of a run from `seed`, made as they are taken. */
function* importCases(seed: number, from: number, to: number): Generator<ImportCase> {
  const corpus = (importCorpus ??= loadImportCorpus());
  for (let i = from; i < to; i++) yield makeImportCase(seed, i, corpus);
}

/** Import cases `[from, to)` of a run, in this thread; each report has its case saved. */
export async function runImportRange(o: FuzzOptions, from: number, to: number, progress?: (i: number) => void): Promise<ImportReport[]> {
  return (await runImports(o, importCases(o.seed, from, to), progress)).reports as ImportReport[];
}

async function runImports(o: FuzzOptions, cases: Iterable<ImportCase>, progress?: (i: number) => void): Promise<SuiteResult> {
  const t0 = performance.now();
  const reports: ImportReport[] = [];
  let ran = 0;
  for (const c of cases) {
    ran++;
    progress?.(c.index);
    const rep = await checkImportCase(c, o.budgetMs);
    if (rep) {
      rep.saved = save(o, `import-${c.seed}-${c.index}`, {
        suite: 'imports',
        report: rep,
        case: c.text.length > 200_000 ? { seed: c.seed, index: c.index } : c,
      });
      reports.push(rep);
      o.log(
        `imports #${c.index}: ${rep.kind} (${rep.ms} ms) ${rep.failures[0] ? `${rep.failures[0].step}: ${rep.failures[0].error.split('\n')[0]}` : ''} → ${rep.saved}`,
      );
    }
    if (!progress && ran % 1000 === 0) o.log(`imports: ${ran} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  return { suite: 'imports', ran, ms: performance.now() - t0, reports };
}

export const importsSuite: FuzzSuite = {
  name: 'imports',
  option: '--imports',
  count: 10_000,
  run(o) {
    return runImports(o, importCases(o.seed, 0, o.count));
  },
  replay(saved, o) {
    const kept = (saved as { case: ImportCase | { seed: number; index: number } }).case;
    const c = 'text' in kept ? kept : makeImportCase(kept.seed, kept.index, (importCorpus ??= loadImportCorpus()));
    return runImports(o, [c]);
  },
};

/** Every suite of `npm run test:fuzz`, in the order they run. */
export const SUITES: FuzzSuite[] = [documentsSuite, sequencesSuite, incrementalSuite, importsSuite];
