// `npm run test:fuzz` (scripts/fuzz.mjs bundles this file to .tmp/fuzz/fuzz.mjs and runs it).
//
//   node scripts/fuzz.mjs [--docs N] [--sequences N] [--incremental N] [--imports N] [--seed S]
//                         [--jobs J] [--budget MS] [--only SUITE[,SUITE]] [--out DIR] [--replay FILE]
//
// Runs every suite of SUITES (100,000 documents, 10,000 edit sequences, 10,000 incremental
// sequences and 10,000 imports by default). The
// documents, and then the imports, run in J worker threads, watched: a case that takes longer
// than --hang ms (30 s) is reported as a hang, saved, and its worker replaced. The other suites
// run one at a time: each case is timed against a budget, and suites side by side on a
// machine of two cores made every case wait for the processor (documents ran 1.5–2× slower).
// Prints a summary; exits 1 when any case failed, was slow or hung.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { type DocumentReport, makeCase } from './documents';
import { type ImportReport, loadImportCorpus, makeImportCase } from './imports';
import { ROOT } from './mutate';
import {
  type FuzzOptions,
  type FuzzSuite,
  SUITES,
  type SuiteResult,
  documentsSuite,
  importsSuite,
  runDocumentRange,
  runImportRange,
  save,
  theCorpus,
} from './suites';

interface Args {
  counts: Map<string, number>;
  seed: number;
  jobs: number;
  budgetMs: number;
  hangMs: number;
  /** The first document (a run started again where another stopped: same seed, same cases). */
  from: number;
  only?: string[];
  out: string;
  replay?: string;
}

function usage(msg: string): never {
  console.error(`fuzz: ${msg}`);
  console.error(
    `usage: node scripts/fuzz.mjs [${SUITES.map((s) => `${s.option} N`).join('] [')}] [--seed S] [--jobs J] [--budget MS] [--hang MS] [--from N] [--only ${SUITES.map((s) => s.name).join(',')}] [--out DIR] [--replay FILE]`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    counts: new Map(),
    seed: Math.floor(Math.random() * 2 ** 31),
    jobs: 1,
    budgetMs: 1000,
    hangMs: 30_000,
    from: 0,
    out: path.join(ROOT, 'test-results', 'fuzz'),
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = argv[i + 1];
    const num = () => {
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < 0) usage(`${k} needs a whole number`);
      i++;
      return n;
    };
    const suite = SUITES.find((s) => s.option === k);
    if (suite) a.counts.set(suite.name, num());
    else if (k === '--seed') a.seed = num();
    else if (k === '--jobs') a.jobs = Math.max(1, num());
    else if (k === '--budget') a.budgetMs = num();
    else if (k === '--hang') a.hangMs = num();
    else if (k === '--from') a.from = num();
    else if (k === '--only') {
      a.only = (v ?? '').split(',').filter(Boolean);
      for (const n of a.only) if (!SUITES.some((s) => s.name === n)) usage(`no suite ${n}`);
      i++;
    } else if (k === '--out') a.out = path.resolve(v ?? usage('--out needs a folder')) + (i++, '');
    else if (k === '--replay') a.replay = path.resolve(v ?? usage('--replay needs a file')) + (i++, '');
    else usage(`unknown option ${k}`);
  }
  return a;
}

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

type Watched = 'documents' | 'imports';

/** What the watchdog reports of case `index` of a watched suite that did not end. */
function hangReport(suite: Watched, o: FuzzOptions, index: number, ms: number, hangMs: number): DocumentReport | ImportReport {
  const failures = [{ step: 'watchdog', error: `not done after ${hangMs} ms` }];
  if (suite === 'imports') {
    const c = makeImportCase(o.seed, index, loadImportCorpus());
    const kept = { seed: c.seed, index: c.index, base: c.base, mutations: c.mutations, args: c.args, length: c.text.length };
    return { case: kept, kind: 'hang', ms, failures };
  }
  const c = makeCase(o.seed, index, theCorpus());
  return {
    case: { seed: c.seed, index: c.index, base: c.base, mutations: c.mutations, length: c.text.length },
    kind: 'hang',
    ms,
    failures,
    steps: [],
  };
}

/**
 * The documents or imports suite in `jobs` watched worker threads: a case not done after
 * `hangMs` is reported as a hang (a synchronous step cannot be interrupted in its own thread).
 */
async function inWorkers(suite: Watched, o: FuzzOptions, hangMs: number, from: number): Promise<SuiteResult> {
  const t0 = performance.now();
  const CHUNK = 100;
  let next = from;
  let done = from;
  const reports: (DocumentReport | ImportReport)[] = [];
  /** What a hung worker left of its chunk, taken before new chunks. */
  const leftovers: [number, number][] = [];
  const nextChunk = (): [number, number] | undefined => {
    if (leftovers.length) return leftovers.pop();
    if (next >= o.count) return undefined;
    const r: [number, number] = [next, Math.min(o.count, next + CHUNK)];
    next = r[1];
    return r;
  };
  const finished = (n: number) => {
    const before = done;
    done += n;
    if (Math.floor(done / 1000) !== Math.floor(before / 1000)) {
      log(`${suite}: ${done}/${o.count} (${((performance.now() - t0) / 1000).toFixed(0)} s, ${reports.length} reported)`);
    }
  };
  const runWorker = (): Promise<void> =>
    new Promise((resolve) => {
      let chunk = nextChunk();
      if (!chunk) return resolve();
      const progress = new Int32Array(new SharedArrayBuffer(4));
      Atomics.store(progress, 0, -1);
      const w = new Worker(new URL(import.meta.url), { workerData: { suite, o: { ...o, log: undefined }, progress } });
      let current = -1;
      let since = performance.now();
      let over = false;
      const end = (then: () => void) => {
        if (over) return;
        over = true;
        clearInterval(watch);
        void w.terminate();
        then();
      };
      const watch = setInterval(() => {
        const i = Atomics.load(progress, 0);
        if (i !== current) {
          current = i;
          since = performance.now();
          return;
        }
        if (current < 0 || performance.now() - since <= hangMs) return;
        const rep = hangReport(suite, o, current, Math.round(performance.now() - since), hangMs);
        const name = `${suite === 'imports' ? 'import' : 'document'}-${o.seed}-${current}`;
        rep.saved = save(o, name, { suite, report: rep, case: { seed: o.seed, index: current } });
        reports.push(rep);
        log(`${suite} #${current}: hang → ${rep.saved}`);
        // The rest of its chunk goes to a new worker.
        const [from, to] = chunk!;
        if (current + 1 < to) leftovers.push([current + 1, to]);
        finished(current + 1 - from);
        end(() => resolve(runWorker()));
      }, 500);
      w.on('message', (m: { log?: string; reports?: DocumentReport[]; finished?: boolean }) => {
        if (m.log) log(m.log);
        if (!m.finished || over) return;
        reports.push(...m.reports!);
        finished(chunk![1] - chunk![0]);
        chunk = nextChunk();
        if (chunk) w.postMessage({ chunk });
        else end(resolve);
      });
      w.on('error', (e) => {
        const at = Atomics.load(progress, 0);
        reports.push({
          case: { seed: o.seed, index: at, base: '', mutations: [], length: 0 },
          kind: 'failure',
          ms: 0,
          failures: [{ step: 'worker', error: e.stack ?? String(e) }],
          steps: [],
        });
        log(`${suite}: worker died at #${at}: ${e.message}`);
        const [from, to] = chunk!;
        if (at + 1 < to) leftovers.push([Math.max(from, at + 1), to]);
        finished(Math.max(0, at + 1 - from));
        end(() => resolve(runWorker()));
      });
      w.postMessage({ chunk });
    });
  await Promise.all(Array.from({ length: o.jobs }, () => runWorker()));
  return { suite, ran: o.count - from, ms: performance.now() - t0, reports };
}

async function workerMain(): Promise<void> {
  const { suite, o, progress } = workerData as { suite: Watched; o: FuzzOptions; progress: Int32Array };
  const opts: FuzzOptions = { ...o, log: (line) => parentPort!.postMessage({ log: line }) };
  const range = suite === 'imports' ? runImportRange : runDocumentRange;
  parentPort!.on('message', (m: { chunk: [number, number] }) => {
    void range(opts, m.chunk[0], m.chunk[1], (i) => Atomics.store(progress, 0, i)).then((reports) =>
      parentPort!.postMessage({ finished: true, reports }),
    );
  });
}

function summary(results: SuiteResult[]): number {
  let bad = 0;
  console.log('\nfuzz summary');
  for (const r of results) {
    const by = (k: string) => r.reports.filter((x) => x.kind === k).length;
    bad += r.reports.length;
    console.log(
      `  ${r.suite.padEnd(12)} ${String(r.ran).padStart(7)} cases in ${(r.ms / 1000).toFixed(1)} s: ` +
        `${by('failure')} failed, ${by('slow')} slow, ${by('hang')} hung`,
    );
    for (const x of r.reports.slice(0, 20)) {
      const f = x.failures[0];
      console.log(
        `    ${x.kind} ${JSON.stringify(x.case).slice(0, 160)}${f ? ` ${f.step}: ${f.error.split('\n')[0]!.slice(0, 200)}` : ''}`,
      );
      if ('saved' in x && x.saved) console.log(`      replay: node scripts/fuzz.mjs --replay ${path.relative(process.cwd(), x.saved)}`);
    }
  }
  return bad;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const base = { seed: a.seed, budgetMs: a.budgetMs, saveDir: path.join(a.out, String(a.seed)), log, jobs: a.jobs };
  if (a.replay) {
    const saved = JSON.parse(fs.readFileSync(a.replay, 'utf8')) as { suite: string };
    const suite = SUITES.find((s) => s.name === saved.suite);
    if (!suite?.replay) usage(`${a.replay} is not a saved case of a suite that replays`);
    const r = await suite.replay(saved, { ...base, count: 1, saveDir: path.join(a.out, 'replay') });
    process.exit(summary([r]) ? 1 : 0);
  }
  const suites: FuzzSuite[] = SUITES.filter((s) => !a.only || a.only.includes(s.name));
  log(
    `fuzz: seed ${a.seed}; ${suites.map((s) => `${s.name} ${a.counts.get(s.name) ?? s.count}`).join(', ')}; cases that fail go to ${base.saveDir}`,
  );
  const opts = (s: FuzzSuite): FuzzOptions => ({ ...base, count: a.counts.get(s.name) ?? s.count });
  const results: SuiteResult[] = [];
  if (suites.includes(documentsSuite)) results.push(await inWorkers('documents', opts(documentsSuite), a.hangMs, a.from));
  for (const s of suites) {
    if (s === importsSuite) results.push(await inWorkers('imports', opts(s), a.hangMs, 0));
    else if (s !== documentsSuite) results.push(await s.run(opts(s)));
  }
  const bad = summary(results);
  console.log(bad ? `fuzz: ${bad} case(s) reported (seed ${a.seed})` : `fuzz: no failure (seed ${a.seed})`);
  process.exit(bad ? 1 : 0);
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exit(2);
  });
} else void workerMain();
