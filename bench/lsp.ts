// Language-server figures over stdio with a real JSON-RPC client, measured as a user feels
// them (issue 12): one edit at a time, every 300 ms, each changing one port of one rule in a
// firewall in the middle of the file; the time from sending didChange to receiving its
// publishDiagnostics (p50 and p95 over 50 edits), hover, code lens and completion latencies,
// and the server's peak memory (VmHWM) during the edits.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as rpc from 'vscode-jsonrpc/node';
import { generate } from './generate';

type Row = (label: string, value: string, target?: string) => void;

function stats(xs: number[]): { median: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]! };
}

/** A memory figure of a process from /proc (VmRSS now, VmHWM its peak), in MB. */
function procMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The CPU time a process has used (user + system, every thread), in ms (10 ms ticks). */
function procCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** Resets the peak (VmHWM) of a process to its current RSS; false where Linux does not allow it. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

const EDIT_EVERY_MS = 300;
const TARGETS: Record<number, { p95: string; memory?: string }> = {
  2000: { p95: 'p95 ≤ 25 ms' },
  10000: { p95: 'p95 ≤ 50 ms', memory: '≤ 150 MB' },
};

export async function lspSession(dir: string, rules: number, row: Row, fmt: (ms: number) => string, edits: number): Promise<void> {
  const g = generate(rules / 200, 200);
  const path = join(dir, `lsp${rules}.fw`);
  const uri = `file://${path}`;
  const child = spawn(process.execPath, ['dist/server.js', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout!), new rpc.StreamMessageWriter(child.stdin!));
  const waiting = new Map<number, () => void>();
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number }) => {
    if (p.uri !== uri || p.version === undefined) return;
    waiting.get(p.version)?.();
    waiting.delete(p.version);
  });
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  conn.sendNotification('initialized', {});
  const diagnosticsFor = (version: number) => new Promise<void>((resolve) => waiting.set(version, resolve));

  const text = g.text;
  const opened = diagnosticsFor(1);
  const t0 = performance.now();
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'fw', version: 1, text } });
  await opened;
  row(`${rules.toLocaleString('en')} rules: open → first diagnostics`, fmt(performance.now() - t0));

  const lines = text.split('\n');
  const ruleLine = lines.findIndex((l) => l.includes('inbound allow tcp'));
  // The edited rule: `port 8003-8103` of the deny rule in the middle firewall; its low port
  // goes 8003 → 8004 → 8003 … (a one-port edit of one rule).
  const middle = lines.findIndex((l) => l.startsWith(`firewall acl${Math.floor(rules / 400)} `));
  const editLine = lines.findIndex((l, i) => i > middle && l.includes('port 8003-8103'));
  const editChar = lines[editLine]!.indexOf('8003') + 3;
  await new Promise((r) => setTimeout(r, 1000));
  const peakAfterOpen = procMb(child.pid!, 'VmHWM');
  const peakReset = resetPeak(child.pid!);
  const diag: number[] = [];
  for (let i = 0; i < edits; i++) {
    const version = i + 2;
    const started = performance.now();
    const range = { start: { line: editLine, character: editChar }, end: { line: editLine, character: editChar + 1 } };
    const done = diagnosticsFor(version);
    const ts = performance.now();
    conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range, text: i % 2 === 0 ? '4' : '3' }],
    });
    await done;
    diag.push(performance.now() - ts);
    const rest = EDIT_EVERY_MS - (performance.now() - started);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  }
  const peak = procMb(child.pid!, 'VmHWM');
  const label = `${rules.toLocaleString('en')} rules`;
  const d = stats(diag);
  row(`${label}: edit → diagnostics p50 / p95`, `${fmt(d.median)} / ${fmt(d.p95)}`, TARGETS[rules]?.p95);
  if (peakReset) {
    row(`${label}: server peak memory (VmHWM) during the edits`, `${peak.toFixed(0)} MB`, TARGETS[rules]?.memory);
    row(`${label}: server peak memory (VmHWM) of opening the file`, `${peakAfterOpen.toFixed(0)} MB`);
  } else {
    row(`${label}: server peak memory (VmHWM) since it started`, `${peak.toFixed(0)} MB`, TARGETS[rules]?.memory);
  }

  // Then what an editor asks after an edit, one request at a time, on the edited document.
  const hov: number[] = [];
  const lens: number[] = [];
  const comp: number[] = [];
  for (let i = 0; i < 20; i++) {
    let t = performance.now();
    await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: ruleLine, character: 6 } });
    hov.push(performance.now() - t);
    t = performance.now();
    await conn.sendRequest('textDocument/codeLens', { textDocument: { uri } });
    lens.push(performance.now() - t);
    t = performance.now();
    await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: ruleLine, character: 2 } });
    comp.push(performance.now() - t);
  }
  for (const [name, xs] of [
    ['hover', hov],
    ['code lens (a lens per request rule)', lens],
    ['completion', comp],
  ] as const) {
    const s = stats(xs);
    row(`${label}: ${name} p50 / p95`, `${fmt(s.median)} / ${fmt(s.p95)}`);
  }
  // Semantic tokens, as an editor that colours by them asks after each edit: the whole file
  // once, then after a one-port edit the edits from the result it holds (the delta request).
  const full: number[] = [];
  const delta: number[] = [];
  let fullBytes = 0;
  let deltaBytes = 0;
  let version = edits + 1;
  /** The one-port edit of the rule, as `version`, and its diagnostics received. */
  const editPort = async (v: number): Promise<void> => {
    const done = diagnosticsFor(v);
    const range = { start: { line: editLine, character: editChar }, end: { line: editLine, character: editChar + 1 } };
    conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: v },
      contentChanges: [{ range, text: v % 2 === 0 ? '4' : '3' }],
    });
    await done;
  };
  for (let i = 0; i < 10; i++) {
    let t = performance.now();
    const all = await conn.sendRequest<{ resultId?: string; data: number[] }>('textDocument/semanticTokens/full', {
      textDocument: { uri },
    });
    full.push(performance.now() - t);
    fullBytes = JSON.stringify(all).length;
    await editPort(++version);
    t = performance.now();
    const d = await conn.sendRequest('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: all.resultId });
    delta.push(performance.now() - t);
    deltaBytes = JSON.stringify(d).length;
  }
  row(`${label}: semantic tokens, whole file p50 (its JSON)`, `${fmt(stats(full).median)} (${(fullBytes / 1024).toFixed(0)} KB)`);
  row(`${label}: semantic tokens after a one-port edit (delta) p50 (its JSON)`, `${fmt(stats(delta).median)} (${deltaBytes} bytes)`);

  // What VS Code asks after each edit besides the diagnostics, sent together once they came:
  // the tokens' delta, the code lenses, the outline (breadcrumbs, sticky scroll), folding and
  // links. The server does it all in one thread, so an edit typed meanwhile waits for it: the
  // time until the last answer, and the server's CPU time for the round (/proc, all threads).
  let previousId = (await conn.sendRequest<{ resultId?: string }>('textDocument/semanticTokens/full', { textDocument: { uri } })).resultId;
  const round: number[] = [];
  const cpu: number[] = [];
  let roundBytes = 0;
  for (let i = 0; i < 20; i++) {
    await editPort(++version);
    const textDocument = { uri };
    const cpu0 = procCpuMs(child.pid!);
    const t = performance.now();
    const answers = await Promise.all([
      conn.sendRequest<{ resultId?: string }>('textDocument/semanticTokens/full/delta', { textDocument, previousResultId: previousId }),
      conn.sendRequest('textDocument/codeLens', { textDocument }),
      conn.sendRequest('textDocument/documentSymbol', { textDocument }),
      conn.sendRequest('textDocument/foldingRange', { textDocument }),
      conn.sendRequest('textDocument/documentLink', { textDocument }),
    ]);
    round.push(performance.now() - t);
    cpu.push(procCpuMs(child.pid!) - cpu0);
    previousId = answers[0].resultId;
    roundBytes = answers.reduce((n: number, a) => n + JSON.stringify(a).length, 0);
    await new Promise((r) => setTimeout(r, EDIT_EVERY_MS));
  }
  const r = stats(round);
  row(
    `${label}: an editor's requests after an edit (tokens, lenses, outline, folding, links) p50 / p95 (their JSON)`,
    `${fmt(r.median)} / ${fmt(r.p95)} (${(roundBytes / 1024).toFixed(0)} KB)`,
  );
  row(`${label}: the server's CPU time for those requests p50`, `${stats(cpu).median.toFixed(0)} ms`);
  row(`${label}: server peak memory (VmHWM) after these requests`, `${procMb(child.pid!, 'VmHWM').toFixed(0)} MB`);
  row(`${label}: server memory (RSS) at the end`, `${procMb(child.pid!, 'VmRSS').toFixed(0)} MB`);

  // Formatting the whole file (as on save), after the memory rows so as not to change them.
  const formatting: number[] = [];
  let formatBytes = 0;
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    const edits = await conn.sendRequest<unknown[]>('textDocument/formatting', {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    });
    formatting.push(performance.now() - t);
    formatBytes = JSON.stringify(edits).length;
  }
  row(`${label}: formatting the whole file p50 (its edit)`, `${fmt(stats(formatting).median)} (${(formatBytes / 1024).toFixed(0)} KB)`);
  await conn.sendRequest('shutdown');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await conn.sendNotification('exit');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  conn.dispose();
  if (child.exitCode === null) child.kill();
}

/**
 * A file of 600,000 declarations: the outline is asked right after opening it, and is
 * answered from the parse, before the analysis is done (issue 12: it took 20 s).
 */
export async function bigOutline(dir: string, row: Row, fmt: (ms: number) => string): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < 600_000; i++) lines.push(`host h${i} 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  const text = lines.join('\n') + '\n';
  const uri = `file://${join(dir, 'declarations.fw')}`;
  const child = spawn(process.execPath, ['dist/server.js', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout!), new rpc.StreamMessageWriter(child.stdin!));
  let published = 0;
  const diagnosed = new Promise<void>((resolve) =>
    conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string }) => {
      if (p.uri !== uri) return;
      published = performance.now();
      resolve();
    }),
  );
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  conn.sendNotification('initialized', {});
  const t0 = performance.now();
  // The first bytes the server writes after the open: its answer starts (the outline, sent
  // before the diagnostics).
  let firstByte = 0;
  child.stdout!.once('data', () => (firstByte = performance.now()));
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'fw', version: 1, text } });
  const symbols = (await conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as unknown[];
  const tSymbols = performance.now() - t0;
  await diagnosed;
  const label = `${(text.length / 1e6).toFixed(1)} MB, ${lines.length.toLocaleString('en')} declarations`;
  // The server answers from the parse, and lets the answer go out before it resolves the
  // names; the outline stops at 10,000 symbols (every symbol of the 600,000 was ~140 MB of
  // JSON, which took the server and the client seconds each to write and read).
  row(`${label}: open → the server starts sending the outline`, fmt(firstByte - t0));
  row(`${label}: open → outline received (${symbols.length.toLocaleString('en')} symbols)`, fmt(tSymbols), 'promptly (was 20 s)');
  row(`${label}: open → diagnostics received`, fmt(published - t0));
  await conn.sendRequest('shutdown');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await conn.sendNotification('exit');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  conn.dispose();
  if (child.exitCode === null) child.kill();
}

export async function lspBench(dir: string, row: Row, fmt: (ms: number) => string): Promise<void> {
  await lspSession(dir, 2000, row, fmt, 50);
  await lspSession(dir, 10000, row, fmt, 50);
  await bigOutline(dir, row, fmt);
}
