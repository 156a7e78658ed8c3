// Language-server figures over stdio with a real JSON-RPC client: didChange → diagnostics,
// hover, code lens and completion latencies (median and p95 over 50 edits), and memory.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as rpc from 'vscode-jsonrpc/node';
import { generate } from './generate';

type Row = (label: string, value: string, target?: string) => void;

function stats(xs: number[]): { median: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]! };
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function session(dir: string, rules: number, row: Row, fmt: (ms: number) => string, edits: number): Promise<void> {
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

  let text = g.text;
  const opened = diagnosticsFor(1);
  const t0 = performance.now();
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'fw', version: 1, text } });
  await opened;
  row(`${rules.toLocaleString('en')} rules: open → first diagnostics`, fmt(performance.now() - t0));

  const lines = text.split('\n');
  const ruleLine = lines.findIndex((l) => l.includes('inbound allow tcp'));
  const diag: number[] = [];
  const hov: number[] = [];
  const lens: number[] = [];
  const comp: number[] = [];
  for (let i = 0; i < edits; i++) {
    const version = i + 2;
    // One character: the first line is a comment; append or remove a character there.
    const ch = i % 2 === 0 ? 'x' : '';
    const range =
      i % 2 === 0
        ? { start: { line: 0, character: 5 }, end: { line: 0, character: 5 } }
        : { start: { line: 0, character: 5 }, end: { line: 0, character: 6 } };
    text = i % 2 === 0 ? text.slice(0, 5) + 'x' + text.slice(5) : text.slice(0, 5) + text.slice(6);
    const done = diagnosticsFor(version);
    const ts = performance.now();
    conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: ch }] });
    await done;
    diag.push(performance.now() - ts);
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
  for (const [label, xs, target] of [
    ['didChange → publishDiagnostics', diag, rules === 2000 ? 'p95 < 50 ms' : ''],
    ['hover', hov, rules === 2000 ? '< 10 ms' : ''],
    ['code lens', lens, ''],
    ['completion', comp, ''],
  ] as const) {
    const s = stats(xs);
    row(`${rules.toLocaleString('en')} rules: ${label} median / p95`, `${fmt(s.median)} / ${fmt(s.p95)}`, target);
  }
  row(`${rules.toLocaleString('en')} rules: server memory (RSS) right after the edits`, `${rssMb(child.pid!).toFixed(0)} MB`);
  await new Promise((r) => setTimeout(r, 2500));
  row(
    `${rules.toLocaleString('en')} rules: server memory (RSS) at rest, 2.5 s later`,
    `${rssMb(child.pid!).toFixed(0)} MB`,
    rules === 10000 ? '< 150 MB' : '',
  );
  await conn.sendRequest('shutdown');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await conn.sendNotification('exit');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  conn.dispose();
  if (child.exitCode === null) child.kill();
}

export async function lspBench(dir: string, row: Row, fmt: (ms: number) => string): Promise<void> {
  await session(dir, 2000, row, fmt, 50);
  await session(dir, 10000, row, fmt, 50);
}
