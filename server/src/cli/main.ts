// `fwlang`: check and simulate `.fw` files from a terminal or CI (cli.md). A thin front end:
// it reads files, calls the core and prints; usage problems are one line on stderr, exit 2.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyze } from '../analysis/analyze';
import { fixAll } from '../analysis/fixAll';
import type { Diagnostic } from '../core/diagnostic';
import { LineIndex } from '../core/text';
import { simulateFlow } from '../engine/simulate';
import { buildModel, resolveFlowText } from '../model/resolve';
import { nodeFileHost } from '../node/fileHost';
import { type FlowJson, Lines, flowJson, flowText } from '../report/flowReport';
import { type FileReport, diagnosticJson } from './report';
import { toSarif } from './sarif';

declare const FWLANG_VERSION: string | undefined;
const VERSION = typeof FWLANG_VERSION === 'string' ? FWLANG_VERSION : '0.0.0-dev';

class UsageError extends Error {}

const USAGE = `usage: fwlang check FILE|DIR ... [--format text|json|sarif] [--fix]
       fwlang simulate FILE [--flow 'CLIENT -> SERVER SERVICE'] [--json]
       fwlang --version | --help`;

function readText(file: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UsageError(`cannot read ${file}: no such file or directory`);
  }
  if (!st.isFile()) throw new UsageError(`cannot read ${file}: not a file`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
}

function collectFiles(args: string[]): string[] {
  const files: string[] = [];
  for (const a of args) {
    let st: fs.Stats;
    try {
      st = fs.statSync(a);
    } catch {
      throw new UsageError(`cannot read ${a}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      const walk = (dir: string) => {
        let entries: fs.Dirent[];
        try {
          entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
          throw new UsageError(`cannot read directory ${dir}`);
        }
        for (const e of entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
          if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
          const p = path.join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.isFile() && e.name.endsWith('.fw')) found.push(p);
        }
      };
      walk(a);
      if (found.length === 0) throw new UsageError(`no .fw files in ${a}`);
      files.push(...found);
    } else files.push(a);
  }
  return files;
}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[], valued: string[], bool: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [k, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      if (valued.includes(k)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new UsageError(`${k} needs a value`);
        flags.set(k, v);
      } else if (bool.includes(k) && inline === undefined) flags.set(k, true);
      else throw new UsageError(`unknown option ${a}`);
    } else positional.push(a);
  }
  return { positional, flags };
}

function countSummary(diags: { severity: string }[], files: number): string {
  const n = (s: string) => diags.filter((d) => d.severity === s).length;
  const plural = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  return `${plural(n('error'), 'error')}, ${plural(n('warning'), 'warning')}, ${plural(n('info'), 'info')}, ${plural(n('hint'), 'hint')} in ${plural(files, 'file')}`;
}

function checkCommand(argv: string[], out: (s: string) => void): number {
  const { positional, flags } = parseArgs(argv, ['--format'], ['--fix']);
  const format = (flags.get('--format') as string | undefined) ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown format ${format}: use text, json or sarif`);
  if (positional.length === 0) throw new UsageError('check needs a file or a directory');
  const files = collectFiles(positional);
  const host = nodeFileHost();
  const reports: FileReport[] = [];
  const fixLog: string[] = [];
  let errors = false;
  for (const file of files) {
    let text = readText(file);
    const abs = path.resolve(file);
    const analyzeText = (t: string) => analyze(buildModel(abs, t, host));
    let diagnostics: Diagnostic[];
    if (flags.has('--fix')) {
      const r = fixAll(text, analyzeText);
      for (const f of r.applied) {
        const l = new LineIndex(f.text).position(f.offset).line + 1;
        const why = f.because ? ` (so that ${f.because.map((x) => `\`${x}\``).join(', ')} meets its expect)` : '';
        fixLog.push(`${file}:${l}: fixed ${f.code}: ${f.title}${why}`);
      }
      if (r.applied.length > 0) {
        try {
          fs.writeFileSync(file, r.text);
        } catch (e) {
          throw new UsageError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? 'write error'}`);
        }
      }
      text = r.text;
      diagnostics = r.analysis.diagnostics;
    } else {
      diagnostics = analyzeText(text).diagnostics;
    }
    const lines = new LineIndex(text);
    const ds = diagnostics.map((d) => diagnosticJson(d, lines));
    if (ds.some((d) => d.severity === 'error')) errors = true;
    reports.push({ path: file, uri: path.relative(process.cwd(), abs).split(path.sep).map(encodeURIComponent).join('/'), diagnostics: ds });
  }
  if (format === 'json') {
    out(JSON.stringify({ files: reports.map((r) => ({ path: r.path, diagnostics: r.diagnostics })) }, null, 2));
  } else if (format === 'sarif') {
    out(JSON.stringify(toSarif(reports, VERSION, pathToFileURL(process.cwd() + path.sep).href), null, 2));
  } else {
    for (const l of fixLog) out(l);
    for (const r of reports) {
      for (const d of r.diagnostics) out(`${r.path}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`);
    }
    const all = reports.flatMap((r) => r.diagnostics);
    out(countSummary(all, reports.length) + (fixLog.length ? `; ${fixLog.length} fixed` : ''));
  }
  if (format !== 'text' && fixLog.length) for (const l of fixLog) process.stderr.write(l + '\n');
  return errors ? 1 : 0;
}

function simulateCommand(argv: string[], out: (s: string) => void): number {
  const { positional, flags } = parseArgs(argv, ['--flow'], ['--json']);
  if (positional.length !== 1) throw new UsageError('simulate needs exactly one file');
  const file = positional[0]!;
  const text = readText(file);
  const abs = path.resolve(file);
  const host = nodeFileHost();
  let model = buildModel(abs, text, host);
  const lines = new LineIndex(text);
  let flows = model.flows;
  const flowArg = flags.get('--flow');
  if (typeof flowArg === 'string') {
    const r = resolveFlowText(model, flowArg, host);
    if (!r.flow) {
      const d = r.diagnostics[0];
      throw new UsageError(`bad --flow '${flowArg}': ${d?.message ?? 'does not parse'}`);
    }
    // The flow of the file written the same way (its line and `expect` count), else the one given.
    const written = r.flow.expect === undefined ? model.flows.find((f) => f.text === r.flow!.text) : undefined;
    if (written) flows = [written];
    else {
      model = r.model;
      flows = [r.flow];
    }
  } else {
    // A flow statement that did not resolve cannot be simulated: say which, exit 2.
    const resolved = new Set(model.flows.map((f) => f.node));
    for (const s of model.ast.statements) {
      if (s?.kind !== 'flow' || resolved.has(s)) continue;
      const err = model.diagnostics.find((d) => !d.file && d.severity === 'error' && d.span.start >= s.span.start && d.span.start < s.span.end);
      const l = lines.position(s.span.start).line + 1;
      throw new UsageError(`${file}:${l}: cannot simulate this flow: ${err?.message ?? 'it does not parse'}`);
    }
  }
  const lineOf = new Lines(model);
  const results: FlowJson[] = flows.map((f) => flowJson(simulateFlow(model, f), model, lineOf));
  if (flags.has('--json')) out(JSON.stringify({ flows: results }, null, 2));
  else {
    for (const r of results) out(flowText(r, file));
    const unmet = results.filter((r) => !r.met).length;
    out(`${results.length} flow${results.length === 1 ? '' : 's'} simulated${unmet ? `, ${unmet} not as expected` : ', all as expected'}`);
  }
  return results.every((r) => r.met) ? 0 : 1;
}

export function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n')): number {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'check':
      return checkCommand(rest, out);
    case 'simulate':
      return simulateCommand(rest, out);
    case '--version':
    case '-v':
      out(VERSION);
      return 0;
    case '--help':
    case '-h':
    case 'help':
      out(USAGE);
      return 0;
    case undefined:
      throw new UsageError('missing command: check or simulate (see fwlang --help)');
    default:
      throw new UsageError(`unknown command ${cmd}: use check or simulate (see fwlang --help)`);
  }
}

export function run(): void {
  // A closed pipe (`fwlang simulate x.fw | head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  let code: number;
  try {
    code = main(process.argv.slice(2));
  } catch (e) {
    const msg = e instanceof UsageError ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}`;
    process.stderr.write(`fwlang: ${msg}\n`);
    code = 2;
  }
  process.exitCode = code;
}

if (require.main === module) run();
