// `fwlang`: check and simulate `.fw` files, import AWS configurations, from a terminal or CI (cli.md). A thin front end:
// it reads files, calls the core and prints; usage problems are one line on stderr, exit 2.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyze } from '../analysis/analyze';
import { fixAll, versionAnalyzer } from '../analysis/fixAll';
import type { Diagnostic } from '../core/diagnostic';
import { LineIndex, Lines } from '../core/text';
import { simulateFlow } from '../engine/simulate';
import { buildModel, resolveFlowText } from '../model/resolve';
import { nodeFileHost } from '../node/fileHost';
import { type FlowJson, modelLines, failureClauses, flowJson, flowText, refusalReason } from '../report/flowReport';
import { refusalParts, refusalsOf } from '../analysis/flowPath';
import { topologySvg } from '../pictures/topology';
import { flowStatementText } from '../model/flowStatementText';
import { fileOf, isOwn } from '../model/ownership';
import { IMPORT_FORMATS, type ImportFormat, type ImportInput, importConfig } from '../convert/import';
import { EXPORT_TARGETS, type ExportTarget, exportModel } from '../convert/export';
import type { FlowDecl } from '../syntax/ast';
import { MAX_TEXT_LENGTH, megabytes, tooLargeReason, unreadableReason } from '../syntax/parse';
import { type FileReport, diagnosticJson } from './report';
import { toSarif } from './sarif';
import { firewallModes, flowSvg } from '../pictures/flow';

declare const FWLANG_VERSION: string | undefined;
const VERSION = typeof FWLANG_VERSION === 'string' ? FWLANG_VERSION : '0.0.0-dev';

export class UsageError extends Error {}

const USAGE = `usage: fwlang check FILE|DIR ... [--format text|json|sarif] [--fix]
       fwlang simulate FILE [--flow 'CLIENT -> SERVER SERVICE'] [--json] [--svg DIR]
       fwlang import FILE... [--from aws|terraform|iptables|nftables] [--host ADDR] [--inside PREFIX] [-o OUT.fw]
       fwlang export FILE --to nftables|iptables|cloudformation|terraform [--firewall NAME]... [--on-host] [-o OUT]
       fwlang graph FILE --svg OUT
       fwlang --version | --help`;

/** What `-` stands for: standard input, as cli.md names it. */
const STDIN = '<stdin>';

function readText(file: string): string {
  if (file === '-') return readStdin();
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UsageError(`cannot read ${file}: no such file or directory`);
  }
  if (!st.isFile()) throw new UsageError(`cannot read ${file}: not a file`);
  // Not read at all past the size fwlang reads (a file of gigabytes would exhaust the heap).
  const large = tooLargeReason(st.size);
  if (large) throw new UsageError(`cannot read ${file}: ${large}`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
}

/**
 * Standard input, read until its end or until it holds more than fwlang reads: an endless
 * stream (`fwlang check - < /dev/zero`) is refused once that much has come, not read forever.
 */
function readStdin(): string {
  const chunks: Buffer[] = [];
  let size = 0;
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A pipe or terminal not ready yet (non-blocking standard input): wait for it.
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (code === 'EOF') break;
      throw new UsageError(`cannot read standard input: ${code ?? 'read error'}`);
    }
    if (n === 0) break;
    size += n;
    if (tooLargeReason(size))
      throw new UsageError(`cannot read standard input: too large (fwlang reads at most ${megabytes(MAX_TEXT_LENGTH)})`);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function collectFiles(args: string[]): string[] {
  const files: string[] = [];
  for (const a of args) {
    if (a === '-') {
      files.push(a);
      continue;
    }
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
  return (
    `${plural(n('error'), 'error')}, ${plural(n('warning'), 'warning')}, ${plural(n('info'), 'info')}, ` +
    `${plural(n('hint'), 'hint')} in ${plural(files, 'file')}`
  );
}

function checkCommand(argv: string[], out: (s: string) => void): number {
  const { positional, flags } = parseArgs(argv, ['--format'], ['--fix']);
  const format = (flags.get('--format') as string | undefined) ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown format ${format}: use text, json or sarif`);
  if (positional.length === 0) throw new UsageError('check needs a file or a directory');
  const files = collectFiles(positional);
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
  if (files.includes('-') && flags.has('--fix')) throw new UsageError('--fix cannot rewrite standard input (-)');
  const host = nodeFileHost();
  const reports: FileReport[] = [];
  const fixLog: string[] = [];
  let errors = false;
  for (const input of files) {
    let text = readText(input);
    // Standard input is reported as `<stdin>`, its includes relative to the current directory.
    const file = input === '-' ? STDIN : input;
    const abs = path.resolve(file);
    const analyzeText = (t: string) => analyze(buildModel(abs, t, host));
    let diagnostics: Diagnostic[];
    if (flags.has('--fix')) {
      // The versions --fix tries are analysed incrementally (the editor's analysis cache: only
      // the firewalls a fix changed are checked again); each is parsed and resolved whole.
      const r = fixAll(text, versionAnalyzer(abs, host));
      // One line index per version the fixes were found in (a log line per fix).
      const versions = new Lines((t: string) => t);
      for (const f of r.applied) {
        const l = versions.line(f.text, f.offset);
        const why = f.because ? ` (so that ${f.because.map((x) => `\`${x}\``).join(', ')} meets its expect)` : '';
        fixLog.push(`${file}:${l}: fixed ${f.code}: ${f.title}${why}`);
      }
      for (const f of r.skipped) {
        const l = versions.line(f.text, f.offset);
        fixLog.push(`${file}:${l}: not fixed ${f.code}: ${f.title}: ${f.reason}`);
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
    const fixedCount = fixLog.filter((l) => / fixed /.test(l) && !/ not fixed /.test(l)).length;
    const notFixed = fixLog.length - fixedCount;
    out(
      countSummary(all, reports.length) +
        (fixedCount ? `; ${fixedCount} fixed` : '') +
        (notFixed ? `; ${notFixed} not fixed (see why above)` : ''),
    );
  }
  if (format !== 'text' && fixLog.length) for (const l of fixLog) process.stderr.write(l + '\n');
  return errors ? 1 : 0;
}

/** A `--flow` argument as the text of a flow: without the keyword, spacing folded (cli.md). */
function flowArgText(arg: string): string {
  return arg
    .replace(/[\r\n]+/g, ' ')
    .trim()
    .replace(/^flow(?=\s|$)/, '')
    .trim();
}

/** Two flow texts that differ only in spacing (`bob->web  https` / `bob -> web https`) match. */
function flowKey(text: string): string {
  return text
    .replace(/\s*(->|,|:)\s*/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A flow to simulate, or a flow statement that is refused with the errors behind it. */
interface Refused {
  flow: string;
  line: number | null;
  expect: 'allow' | 'deny' | null;
  /** The first MAX_REFUSAL_ERRORS of the errors behind it, of `count`. */
  errors: readonly Diagnostic[];
  count: number;
  /** All of them, in the lists they are kept in (refusalParts: the file's list is shared). */
  parts: readonly (readonly Diagnostic[])[];
  reason: string;
  brief: string;
}
type Entry = { result: FlowJson; failures: string[] } | { refused: Refused };

/**
 * The errors `simulate --json` lists per refused flow; past it, `moreErrors` counts the rest
 * (all are printed on stderr once). Every flow of a file with errors is refused by all of them:
 * 1,000 flows and 17,000 errors would be 17 million objects.
 */
const MAX_REFUSAL_ERRORS = 100;

function simulateCommand(argv: string[], out: (s: string) => void): number {
  const { positional, flags } = parseArgs(argv, ['--flow', '--svg'], ['--json']);
  if (positional.length !== 1) throw new UsageError('simulate needs exactly one file');
  const file = positional[0]!;
  const text = readText(file);
  // A binary file has no flow to simulate; say so once (check reports it as its one diagnostic).
  const unreadable = unreadableReason(text);
  if (unreadable) throw new UsageError(`cannot simulate ${file}: ${unreadable}: nothing in it was read`);
  const abs = path.resolve(file);
  const host = nodeFileHost();
  let model = buildModel(abs, text, host);
  const entries: Entry[] = [];
  // One set of line indexes per model (the file's, and a --flow's extended one).
  const linesOfModel = new Map<typeof model, ReturnType<typeof modelLines>>();
  const linesFor = (m: typeof model) => {
    let l = linesOfModel.get(m);
    if (!l) linesOfModel.set(m, (l = modelLines(m)));
    return l;
  };
  const refuse = (m: typeof model, s: FlowDecl, flowText: string, adHoc: boolean, parts: readonly (readonly Diagnostic[])[]) => {
    const lines = linesFor(m);
    let count = 0;
    const errors: Diagnostic[] = [];
    for (const list of parts) {
      count += list.length;
      for (let i = 0; i < list.length && errors.length < MAX_REFUSAL_ERRORS; i++) errors.push(list[i]!);
    }
    entries.push({
      refused: {
        flow: flowText,
        line: adHoc ? null : lines.line(m.root, s.span.start),
        expect: s.expect?.value ?? null,
        errors,
        count,
        parts,
        reason: refusalReason(errors, lines, m, false, count),
        brief: refusalReason(errors, lines, m, true, count),
      },
    });
  };
  const flowArg = flags.get('--flow');
  let shown = model;
  if (typeof flowArg === 'string') {
    const r = resolveFlowText(model, flowArgText(flowArg), host);
    if (!r.flow) {
      const d = r.diagnostics[0];
      throw new UsageError(`bad --flow '${flowArg}': ${d?.message ?? 'does not parse'}`);
    }
    // The flow of the file written the same way (its line and `expect` count), else the one given.
    const key = flowKey(r.flow.text);
    const written =
      r.flow.expect === undefined
        ? model.ast.statements.find((s): s is FlowDecl => s?.kind === 'flow' && flowKey(flowStatementText(model.text, s)) === key)
        : undefined;
    const m = written ? model : r.model;
    const node = written ?? r.flow.node;
    const parts = refusalParts(refusalsOf(m), node);
    const flow = written ? model.flows.find((f) => f.node === written) : r.flow;
    shown = m;
    if (parts.length > 0 || !flow) refuse(m, node, written ? flowStatementText(model.text, written) : r.flow.text, !written, parts);
    else {
      const res = simulateFlow(m, flow);
      const lines = linesFor(m);
      entries.push({ result: flowJson(res, m, lines), failures: failureClauses(res, lines) });
    }
  } else {
    const refusals = refusalsOf(model);
    const lineOf = linesFor(model);
    const flowOf = new Map(model.flows.map((f) => [f.node, f]));
    for (const s of model.ast.statements) {
      if (s?.kind !== 'flow') continue;
      const parts = refusalParts(refusals, s);
      const flow = flowOf.get(s);
      if (parts.length > 0 || !flow) refuse(model, s, flowStatementText(model.text, s), false, parts);
      else {
        const res = simulateFlow(model, flow);
        entries.push({ result: flowJson(res, model, lineOf), failures: failureClauses(res, lineOf) });
      }
    }
  }
  model = shown;

  // The errors behind the refusals, once each, as `check` prints them.
  const refused = entries.flatMap((e) => ('refused' in e ? [e.refused] : []));
  const behind = new Set<string>();
  // One line index per file (the model's), and each error printed once: every refused flow of
  // a file with errors outside its flows shares the file's list of them (a fuzzed 1.5 MB file:
  // 6 flows, 17,000 errors, and a line index of the whole file made twice per flow and error,
  // ran for minutes).
  const linesOf = (file: string): LineIndex => linesFor(model).of(file);
  const printed = (d: Diagnostic) => {
    const where = fileOf(model, d);
    const p = linesOf(where).position(d.span.start);
    const shownPath = isOwn(model, d) ? file : path.relative(process.cwd(), where);
    return `${shownPath}:${p.line + 1}:${p.character + 1}: ${d.severity} ${d.code}: ${d.message}`;
  };
  // By list (every refused flow shares the file's; a flow with errors of its own has a list
  // of them beside it) and by error (1,098 such flows and 17,600 errors of a fuzzed file took
  // 23 s when each flow's list held the file's errors too).
  const seenLists = new Set<readonly Diagnostic[]>();
  const seen = new Set<Diagnostic>();
  for (const r of refused) {
    for (const list of r.parts) {
      if (seenLists.has(list)) continue;
      seenLists.add(list);
      for (const d of list) {
        if (seen.has(d)) continue;
        seen.add(d);
        behind.add(printed(d));
      }
    }
  }
  const refusedLine = (r: Refused) => {
    const code = r.errors[0]?.code ?? 'syntax';
    const where = r.line === null ? `${file}:` : `${file}:${r.line}:1:`;
    return `${where} error ${code}: flow \`${r.flow}\` is not simulated: ${r.brief}`;
  };
  const results = entries.flatMap((e) => ('result' in e ? [e.result] : []));
  const svgDir = flags.get('--svg');
  if (typeof svgDir === 'string') writeFlowPictures(svgDir, results, firewallModes(model));
  if (flags.has('--json')) {
    for (const l of behind.values()) process.stderr.write(l + '\n');
    for (const r of refused) process.stderr.write(refusedLine(r) + '\n');
    const flows = entries.map((e) =>
      'result' in e
        ? e.result
        : {
            flow: e.refused.flow,
            line: e.refused.line,
            expect: e.refused.expect,
            refused: e.refused.reason,
            errors: e.refused.errors.map((d) => {
              const where = fileOf(model, d);
              return {
                ...(isOwn(model, d) ? {} : { path: path.relative(process.cwd(), where) }),
                ...diagnosticJson(d, linesOf(where)),
              };
            }),
            ...(e.refused.count > MAX_REFUSAL_ERRORS ? { moreErrors: e.refused.count - MAX_REFUSAL_ERRORS } : {}),
          },
    );
    out(JSON.stringify({ flows }, null, 2));
  } else {
    for (const l of behind.values()) out(l);
    for (const e of entries) out('result' in e ? flowText(e.result, file, e.failures) : refusedLine(e.refused));
    const unmet = results.filter((r) => !r.met).length;
    const summary =
      `${results.length} flow${results.length === 1 ? '' : 's'} simulated` +
      `${unmet ? `, ${unmet} not as expected` : results.length ? ', all as expected' : ''}`;
    out(refused.length ? `${summary}; ${refused.length} not simulated because of errors in the file` : summary);
  }
  if (refused.length > 0) return 2;
  return results.every((r) => r.met) ? 0 : 1;
}

/**
 * `simulate --svg DIR`: the picture of each simulated flow as `DIR/<line>.svg` (`flow.svg` for a
 * flow given with `--flow`), DIR created when missing. Refused flows get none.
 */
function writeFlowPictures(dir: string, results: FlowJson[], modes: Record<string, 'stateful' | 'stateless'>): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const r of results) {
      const name = r.line === null ? 'flow' : String(r.line);
      fs.writeFileSync(path.join(dir, `${name}.svg`), flowSvg(r, { modes }));
    }
  } catch (e) {
    throw new UsageError(`cannot write the pictures to ${dir}: ${(e as Error).message}`);
  }
}

/** `-o FILE` taken out of the arguments (its value may look like anything, even `-`). */
function takeOutput(argv: string[]): { args: string[]; output?: string } {
  const args = [...argv];
  let output: string | undefined;
  for (let i = args.indexOf('-o'); i >= 0; i = args.indexOf('-o')) {
    output = args[i + 1];
    if (output === undefined) throw new UsageError('-o needs a file');
    args.splice(i, 2);
  }
  return { args, output };
}

/**
 * `fwlang import`: AWS CLI or Terraform JSON, iptables-save text or nft JSON in, `.fw` out; exit 1 when something could not
 * be expressed.
 */
function importCommand(argv: string[], out: (s: string) => void): number {
  const { args, output: o } = takeOutput(argv);
  let output = o;
  // --host and --inside may be repeated, and each may be a comma list.
  const host: string[] = [];
  const inside: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^(--host|--inside)(?:=(.*))?$/.exec(a);
    if (!m) {
      rest.push(a);
      continue;
    }
    const v = m[2] ?? args[++i];
    if (v === undefined || v === '') throw new UsageError(`${m[1]} needs a value`);
    (m[1] === '--host' ? host : inside).push(
      ...v
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== ''),
    );
  }
  const { positional, flags } = parseArgs(rest, ['--from', '--output'], []);
  if (typeof flags.get('--output') === 'string') output = flags.get('--output') as string;
  const from = flags.get('--from') as string | undefined;
  if (from !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(from))
    throw new UsageError(`unknown format ${from}: use aws, terraform, iptables or nftables`);
  if (from !== undefined && from !== 'iptables' && from !== 'nftables')
    for (const [f, v] of [
      ['--host', host],
      ['--inside', inside],
    ] as const)
      if (v.length > 0) throw new UsageError(`${f} is for --from iptables or nftables, not ${from}`);
  if (positional.length === 0) throw new UsageError('import needs a file (or - for standard input)');
  if (positional.filter((f) => f === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
  const inputs: ImportInput[] = positional.map((file) => ({ name: file === '-' ? STDIN : file, text: readText(file) }));
  const r = importConfig(inputs, from as ImportFormat | undefined, { host, inside });
  if ('error' in r) throw new UsageError(r.error);
  if (output !== undefined) {
    try {
      fs.writeFileSync(output, r.text);
    } catch (e) {
      throw new UsageError(`cannot write ${output}: ${(e as NodeJS.ErrnoException).code ?? 'write error'}`);
    }
  } else out(r.text.replace(/\n$/, ''));
  for (const u of r.unexpressed) process.stderr.write(`not expressed: ${u}\n`);
  return r.unexpressed.length > 0 ? 1 : 0;
}

/** Takes every `--firewall NAME` (it may be repeated) out of argv. */
function takeFirewalls(argv: string[]): { args: string[]; names: string[] } {
  const args: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--firewall' || a.startsWith('--firewall=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined || v === '') throw new UsageError('--firewall needs a name');
      names.push(v);
    } else args.push(a);
  }
  return { args, names };
}

/**
 * `fwlang export`: the firewalls of a file as nftables, iptables, CloudFormation or Terraform; exit 1, nothing
 * written, when one cannot be expressed (or the file has errors).
 */
function exportCommand(argv: string[], out: (s: string) => void): number {
  const { args: a1, output: o } = takeOutput(argv);
  const { args, names } = takeFirewalls(a1);
  let output = o;
  const { positional, flags } = parseArgs(args, ['--to', '--output'], ['--on-host']);
  if (typeof flags.get('--output') === 'string') output = flags.get('--output') as string;
  const to = flags.get('--to') as string | undefined;
  const targets = EXPORT_TARGETS.join('|');
  if (to === undefined) throw new UsageError(`export needs --to ${targets}`);
  if (!(EXPORT_TARGETS as readonly string[]).includes(to)) throw new UsageError(`unknown target ${to}: use ${EXPORT_TARGETS.join(', ')}`);
  const netfilter = to === 'nftables' || to === 'iptables';
  if (flags.has('--on-host') && !netfilter) throw new UsageError('--on-host is for --to nftables or iptables');
  if (positional.length !== 1) throw new UsageError('export needs exactly one file');
  const file = positional[0]!;
  const text = readText(file);
  const model = buildModel(path.resolve(file), text, nodeFileHost());
  for (const n of names) {
    const known = model.firewalls.some((f) => f.name === n) || (netfilter && model.symbols.get(n)?.kind === 'nat');
    if (!known) throw new UsageError(`${file}: no firewall ${n}${netfilter ? ' (or nat gateway)' : ''}`);
  }
  const r = exportModel(model, to as ExportTarget, { ...(names.length ? { only: names } : {}), onHost: flags.has('--on-host') });
  if ('problems' in r) {
    const lines = modelLines(model);
    for (const d of r.problems) {
      const where = fileOf(model, d);
      const p = lines.of(where).position(d.span.start);
      const shownPath = isOwn(model, d) ? file : path.relative(process.cwd(), where);
      process.stderr.write(`${shownPath}:${p.line + 1}:${p.character + 1}: ${d.severity} ${d.code}: ${d.message}\n`);
    }
    return 1;
  }
  // iptables: -o PREFIX writes PREFIX.v4 and, with IPv6, PREFIX.v6 (cli.md)
  const files: [string | undefined, string][] =
    to === 'iptables'
      ? [
          [output === undefined ? undefined : `${output}.v4`, r.text],
          ...(r.v6 !== undefined ? [[output === undefined ? undefined : `${output}.v6`, r.v6] as [string | undefined, string]] : []),
        ]
      : [[output, r.text]];
  for (const [where, body] of files) {
    if (where !== undefined) {
      try {
        fs.writeFileSync(where, body);
      } catch (e) {
        throw new UsageError(`cannot write ${where}: ${(e as NodeJS.ErrnoException).code ?? 'write error'}`);
      }
    } else out(body.replace(/\n$/, ''));
  }
  return 0;
}

/**
 * `fwlang graph FILE --svg OUT`: the topology picture of FILE (its endpoints, firewalls, NAT
 * gateways and flows coloured by verdict). No verdict from a half-read file: when an error
 * would refuse a flow of `simulate`, the errors are printed as `check` prints them, exit 1,
 * and nothing is written.
 */
async function graphCommand(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['--svg'], []);
  if (positional.length !== 1) throw new UsageError('graph needs exactly one file');
  const output = flags.get('--svg');
  if (typeof output !== 'string' || output === '') throw new UsageError('graph needs --svg OUT (the picture to write)');
  const input = positional[0]!;
  const text = readText(input);
  const file = input === '-' ? STDIN : input;
  const model = buildModel(path.resolve(file), text, nodeFileHost());
  const refusals = refusalsOf(model);
  const errors = [...refusals.everything, ...[...refusals.byFlow.values()].flat()];
  if (errors.length > 0) {
    const lines = modelLines(model);
    for (const d of errors) {
      const where = fileOf(model, d);
      const p = lines.of(where).position(d.span.start);
      const shown = isOwn(model, d) ? file : path.relative(process.cwd(), where);
      process.stderr.write(`${shown}:${p.line + 1}:${p.character + 1}: ${d.severity} ${d.code}: ${d.message}\n`);
    }
    process.stderr.write(`fwlang: ${file}: no picture drawn: the file has errors that make verdicts unreliable\n`);
    return 1;
  }
  const svg = await topologySvg(model);
  try {
    fs.writeFileSync(output, svg);
  } catch (e) {
    throw new UsageError(`cannot write ${output}: ${(e as NodeJS.ErrnoException).code ?? 'write error'}`);
  }
  return 0;
}

/** Runs a command: a number, or a promise of one for a command that waits (`graph`, whose layout library is asynchronous). */
export function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n')): number | Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'check':
      return checkCommand(rest, out);
    case 'simulate':
      return simulateCommand(rest, out);
    case 'import':
      return importCommand(rest, out);
    case 'export':
      return exportCommand(rest, out);
    case 'graph':
      return graphCommand(rest);
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
      throw new UsageError('missing command: check, simulate, import, export or graph (see fwlang --help)');
    default:
      throw new UsageError(`unknown command ${cmd}: use check, simulate, import, export or graph (see fwlang --help)`);
  }
}

/**
 * Lines for `write`, written 64 KB at a time: stdout to a file or a pipe is written
 * synchronously on Linux, one system call per write, and 200,000 diagnostics written a line at
 * a time took 0.8 s of a 2.1 s `check`.
 */
export function lineBuffer(write: (s: string) => void, limit = 64 * 1024): { line: (s: string) => void; flush: () => void } {
  let parts: string[] = [];
  let size = 0;
  const flush = () => {
    if (parts.length === 0) return;
    const text = parts.join('');
    parts = [];
    size = 0;
    write(text);
  };
  return {
    line(s) {
      parts.push(s, '\n');
      size += s.length + 1;
      if (size >= limit) flush();
    },
    flush,
  };
}

export function run(): void {
  // A closed pipe (`fwlang simulate x.fw | head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const stdout = lineBuffer((s) => process.stdout.write(s));
  const fail = (e: unknown) => {
    stdout.flush();
    const msg = e instanceof UsageError ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}`;
    process.stderr.write(`fwlang: ${msg}\n`);
    return 2;
  };
  let code: number | Promise<number>;
  try {
    code = main(process.argv.slice(2), stdout.line);
  } catch (e) {
    code = fail(e);
  }
  if (typeof code === 'number') {
    stdout.flush();
    process.exitCode = code;
  } else
    code.then(
      (c) => {
        stdout.flush();
        process.exitCode = c;
      },
      (e) => (process.exitCode = fail(e)),
    );
}

// Run as `node dist/cli.js`; imported (tests, the fuzzer's ES module bundle), only exported.
if (typeof module !== 'undefined' && require.main === module) run();
