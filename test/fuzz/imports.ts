// The fuzzer's imports: what `fwlang import` reads from the firewalls people run
// (iptables-save, `nft -j list ruleset`, `aws ec2 describe-*`, `terraform show -json`), from
// the test fixtures, cut and sprinkled as the documents are, or parsed and changed value by
// value (a number where a string was, null, an object for an array, a huge or negative
// number, a megabyte string, a deep array, a key gone, an element repeated), and imported
// in process as the command line does, with or without `--from`, `--host` and `--inside`.
// Whatever comes in: no throw, an exit of 0, 1 or 2, no stack trace on stderr, and what it
// writes is `.fw` that parses and resolves with no error, in the document's time budget.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { main as cliMain, UsageError } from '../../server/src/cli/main';
import { analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/model/resolve';
import { budgetFor } from './documents';
import { MUTATORS, ROOT } from './mutate';
import { Random } from './random';

export interface ImportInput {
  /** Path relative to the repository. */
  name: string;
  text: string;
}

/** The import fixtures: iptables-save (.txt), nft -j (.json), aws and terraform JSON. */
export function loadImportCorpus(root = ROOT): ImportInput[] {
  const out: ImportInput[] = [];
  for (const dir of ['test/fixtures/import', 'test/fixtures/aws']) {
    for (const f of fs.readdirSync(nodePath.join(root, dir)).sort()) {
      if (!/\.(json|txt)$/.test(f)) continue;
      out.push({ name: `${dir}/${f}`, text: fs.readFileSync(nodePath.join(root, dir, f), 'utf8') });
    }
  }
  return out;
}

export interface ImportCase {
  seed: number;
  index: number;
  base: string;
  mutations: string[];
  text: string;
  /** The options after `import FILE`. */
  args: string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * The containers in `v` (objects and arrays), with `v` itself, each once: a repeat mutation
 * leaves copies that are one object, and walking each copy of copies took minutes.
 */
function containers(v: Json): (Json[] | { [k: string]: Json })[] {
  const out: (Json[] | { [k: string]: Json })[] = [];
  const seen = new Set<object>();
  const stack: Json[] = [v];
  while (stack.length > 0 && out.length < 100_000) {
    const x = stack.pop()!;
    if (!x || typeof x !== 'object' || seen.has(x)) continue;
    seen.add(x);
    out.push(x);
    for (const y of Array.isArray(x) ? x : Object.values(x)) stack.push(y);
  }
  return out;
}

/** A value of another kind than the one it replaces, or an edge of its own kind. */
function oddValue(r: Random, was: Json): Json {
  return r.pick<() => Json>([
    () => null,
    () => r.pick([0, -1, 65536, 4294967296, 1e300, -1e300, 1.5, Number.MAX_SAFE_INTEGER + 2]),
    () => r.pick(['', 'x', '-1', '65536', '10.0.0.0/33', '300.1.2.3', '::/129', 'all', '*', '0.0.0.0/0', 'tcp', '-1', '🔥']),
    () => r.pick([true, false]),
    () => [],
    () => ({}),
    () => [was, was],
    () => ({ value: was }),
    () => 'x'.repeat(r.chance(0.1) ? 1 << 20 : 5000),
    () => {
      let deep: Json = was;
      for (let i = r.int(10, r.chance(0.2) ? 5000 : 200); i > 0; i--) deep = [deep];
      return deep;
    },
  ])();
}

/** Changes one to four values of the JSON `text`; undefined when it is not JSON (or too deep to write). */
function mutateJson(r: Random, text: string, mutations: string[]): string | undefined {
  let v: Json;
  try {
    v = JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
  // Written indented or not; copies are counted as written (an indented array 5,000 deep is
  // 12 MB, and 200 copies of one ran out of memory).
  const indent = r.chance(0.5) ? 1 : undefined;
  // Copies of a value up to about 2 MB in all, each its own (one object shared by 20,000
  // places, changed inside later, grew past 4 GB).
  const copies = (x: Json, most: number): Json[] => {
    let text: string | undefined; // a value too deep to write out is not copied
    try {
      text = JSON.stringify(x, null, indent) ?? 'null';
    } catch {
      /* too deep */
    }
    const count = text === undefined ? 1 : Math.max(1, Math.min(r.int(2, most), Math.floor(2_000_000 / (text.length + 1))));
    return Array.from({ length: count }, (_, j) => (j === 0 || text === undefined ? x : (JSON.parse(text) as Json)));
  };
  const n = r.int(1, 4);
  for (let i = 0; i < n; i++) {
    const all = containers(v);
    if (all.length === 0) break;
    const c = r.pick(all);
    const keys: (string | number)[] = Array.isArray(c) ? c.map((_, k) => k) : Object.keys(c);
    if (keys.length === 0) continue;
    const k = r.pick(keys);
    const kind = r.weighted<string>([
      [6, 'value'],
      [2, 'drop'],
      [1, 'repeat'],
    ]);
    mutations.push(`json.${kind}`);
    if (Array.isArray(c)) {
      const at = k as number;
      if (kind === 'drop') c.splice(at, 1);
      else if (kind === 'repeat') c.splice(at, 1, ...copies(c[at]!, r.chance(0.1) ? 20000 : 50));
      else c[at] = oddValue(r, c[at]!);
    } else {
      const key = k as string;
      if (kind === 'drop') delete c[key];
      else if (kind === 'repeat') c[key] = copies(c[key]!, 50);
      else c[key] = oddValue(r, c[key]!);
    }
  }
  // JSON.stringify recurses: a value too deep for it leaves the text as it was.
  try {
    return JSON.stringify(v, null, indent);
  } catch {
    return undefined;
  }
}

const FROM = ['aws', 'terraform', 'iptables', 'nftables', 'cloudformation', ''];
const HOSTS = ['10.0.1.10', '2001:db8::10', '10.0.0.0/8', 'not-an-address', '0.0.0.0', '::'];
const INSIDES = ['10.0.0.0/8', '2001:db8::/32', '0.0.0.0/0', '10.0.0.1', 'x', '10.0.0.0/33'];
/** What a user of the netfilter imports gives: an address and a prefix of either family. */
const GOOD_HOSTS = ['10.0.1.10', '2001:db8::10', '192.0.2.1'];
const GOOD_INSIDES = ['10.0.0.0/8', '2001:db8::/32', '10.0.1.0/24', '0.0.0.0/0'];

/** The imports' cases are not the documents' of the same seed and index. */
const IMPORTS_STREAM = 0x2f1c3a5b;

/** Case `index` of a run from `seed`. */
export function makeImportCase(seed: number, index: number, corpus: ImportInput[]): ImportCase {
  const r = Random.of(seed ^ IMPORTS_STREAM, index);
  const base = r.pick(corpus);
  const mutations: string[] = [];
  let text = base.text;
  const json = base.name.endsWith('.json');
  if (r.chance(json ? 0.6 : 0)) {
    const changed = mutateJson(r, text, mutations);
    if (changed !== undefined) text = changed;
    else mutations.length = 0;
  }
  // A byte mutation of JSON mostly makes it not JSON (exit 2): after a change of its values, one
  // in three cases gets one; an iptables-save file is read line by line and takes up to three.
  const names = Object.keys(MUTATORS).filter((n) => n !== 'insertFile' && n !== 'splice' && n !== 'word');
  const n = mutations.length > 0 ? (r.chance(1 / 3) ? 1 : 0) : r.int(1, 3);
  for (let i = 0; i < n; i++) {
    const name = r.pick(names);
    mutations.push(name);
    text = MUTATORS[name]!(r, text, []);
  }
  // Mostly the arguments a user gives the format (so that most cases reach the readers and
  // writers, not the refusal of an argument); one case in five any arguments, good or bad.
  const args: string[] = [];
  const netfilter = base.name.startsWith('test/fixtures/import/');
  if (r.chance(0.2)) {
    if (r.chance(0.3)) args.push('--from', r.pick(FROM));
    if (r.chance(0.6)) args.push('--host', r.pick(HOSTS));
    if (r.chance(0.6)) args.push('--inside', r.pick(INSIDES));
  } else if (netfilter) {
    // Each is needed when its chains have rules (else exit 2, as a missing argument should).
    if (r.chance(0.9)) args.push('--host', r.pick(GOOD_HOSTS));
    if (r.chance(0.9)) args.push('--inside', r.pick(GOOD_INSIDES));
  }
  return { seed, index, base: base.name, mutations, text, args };
}

export interface ImportResult {
  failures: { step: string; error: string }[];
  ms: number;
  code?: number;
}

/** A stack trace, or an error that says it is not the input's fault. */
const CRASH = /^\s+at |internal error|TypeError|RangeError|ReferenceError/m;

/** Imports one case as `fwlang import FILE ARGS` does, in this process. */
export async function runImportCase(c: ImportCase): Promise<ImportResult> {
  const failures: ImportResult['failures'] = [];
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'fwlang-fuzz-import-'));
  const file = nodePath.join(dir, nodePath.basename(c.base));
  fs.writeFileSync(file, c.text);
  const out: string[] = [];
  const err: string[] = [];
  const stderr = process.stderr.write;
  let code: number | undefined;
  const t0 = performance.now();
  try {
    process.stderr.write = ((s: string | Uint8Array) => {
      err.push(String(s));
      return true;
    }) as typeof process.stderr.write;
    try {
      code = await cliMain(['import', file, ...c.args], (s) => out.push(s));
    } catch (e) {
      // What the command line prints as `fwlang: MESSAGE`, with exit 2.
      if (e instanceof UsageError) {
        code = 2;
        err.push(e.message);
      } else failures.push({ step: 'import', error: `threw: ${(e as Error)?.stack ?? String(e)}` });
    }
  } finally {
    process.stderr.write = stderr;
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ms = performance.now() - t0;
  if (code !== undefined && ![0, 1, 2].includes(code)) failures.push({ step: 'import', error: `exit ${code}` });
  const said = err.join('');
  if (CRASH.test(said)) failures.push({ step: 'import', error: `stderr: ${said.slice(0, 600)}` });
  if (code === 2 && said.trim() === '') failures.push({ step: 'import', error: 'exit 2 with nothing on stderr' });
  if ((code === 0 || code === 1) && failures.length === 0) {
    // What it wrote is a .fw file: it must parse and resolve with no error.
    const written = out.join('\n');
    try {
      const a = analyze(buildModel('/fuzz/imported.fw', written));
      const bad = a.diagnostics.filter((d) => d.severity === 'error' || d.code === 'internal');
      if (bad.length > 0) {
        const d = bad[0]!;
        const line = written.slice(0, d.span.start).split('\n').length;
        const text = written.split('\n')[line - 1] ?? '';
        failures.push({ step: 'imported', error: `${d.code} at line ${line}: ${d.message} (${text.slice(0, 300)})` });
      }
    } catch (e) {
      failures.push({ step: 'imported', error: `threw: ${(e as Error)?.stack ?? String(e)}` });
    }
  }
  return { failures, ms, code };
}

export interface ImportReport {
  case: Pick<ImportCase, 'seed' | 'index' | 'base' | 'mutations' | 'args'> & { length: number };
  kind: 'failure' | 'slow' | 'hang';
  ms: number;
  code?: number;
  failures: { step: string; error: string }[];
  saved?: string;
}

/** Imports one case: its report when it failed or took more than its budget. */
export async function checkImportCase(c: ImportCase, budgetMs: number): Promise<ImportReport | undefined> {
  const r = await runImportCase(c);
  const slow = r.ms > budgetFor(c.text.length, budgetMs);
  if (r.failures.length === 0 && !slow) return undefined;
  return {
    case: { seed: c.seed, index: c.index, base: c.base, mutations: c.mutations, args: c.args, length: c.text.length },
    kind: r.failures.length ? 'failure' : 'slow',
    ms: Math.round(r.ms),
    code: r.code,
    failures: r.failures,
  };
}
