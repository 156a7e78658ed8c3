// Random edit sequences through the real language server over stdio (dist/server.js --stdio,
// started as the protocol tests start it). A sequence opens a document made from the corpus,
// sends 1–30 random incremental edits (some in bursts, some several changes in one didChange),
// asks for features in between, and at the end must get the diagnostics of its last version
// and an answer to a hover. The server must stay alive, answer every request with a result or
// an error, and log no caught exception ("fwlang: …" on its console).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DocumentSymbol, PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { toLspDiagnostics } from '../../server/src/features/diagnostics';
import type { DocContext } from '../../server/src/features/docContext';
import { semanticTokens } from '../../server/src/features/semanticTokens';
import { documentSymbols } from '../../server/src/features/symbols';
import type { FileHost } from '../../server/src/model/types';
import { nodeFileHost, outsideFolders } from '../../server/src/node/fileHost';
import { TestClient, fileUri } from '../protocol/client';
import { docContext } from '../support/docContext';
import { budgetFor } from './documents';
import { type CorpusFile, MUTATORS, ROOT, mutate } from './mutate';
import { Random } from './random';

/** One edit: offsets into the text before it; `full` replaces the whole text. */
export type Edit = { start: number; end: number; text: string } | { full: string };

export interface Step {
  /** Changes of one didChange, applied in order. */
  changes?: Edit[];
  /** A request sent after the changes (its method and a random offset). */
  request?: { method: string; offset: number; offset2?: number };
  /** Wait for this version's diagnostics before going on. */
  wait?: boolean;
}

export interface SequenceCase {
  seed: number;
  index: number;
  base: string;
  text: string;
  steps: Step[];
}

const REQUESTS = [
  'textDocument/hover',
  'textDocument/completion',
  'textDocument/definition',
  'textDocument/references',
  'textDocument/prepareRename',
  'textDocument/rename',
  'textDocument/documentSymbol',
  'textDocument/foldingRange',
  'textDocument/semanticTokens/full',
  'textDocument/codeLens',
  'textDocument/codeAction',
  'textDocument/formatting',
  'textDocument/documentLink',
  'workspace/executeCommand',
  'fwlang/picture',
  'fwlang/export',
];

/** A random replacement in `text`: what typing, deleting and pasting do. */
function randomEdit(r: Random, text: string, corpus: CorpusFile[]): Edit {
  const at = r.int(0, text.length);
  const kind = r.weighted<string>([
    [6, 'type'],
    [4, 'delete'],
    [2, 'paste'],
    [2, 'mutate'],
    [1, 'newline'],
    [1, 'full'],
  ]);
  switch (kind) {
    case 'type': {
      const words = ['a', ' ', 'host ', 'tcp', '22', '443', '10.0.0.', '/24', '{', '}', '\n', '->', ',', 'é', '\uD800', '\r\n', '\t'];
      return { start: at, end: at, text: Array.from({ length: r.int(1, 4) }, () => r.pick(words)).join('') };
    }
    case 'delete':
      return { start: at, end: Math.min(text.length, at + r.int(1, r.chance(0.1) ? 2000 : 20)), text: '' };
    case 'paste': {
      const other = r.pick(corpus).text;
      const a = r.int(0, other.length);
      return { start: at, end: at, text: other.slice(a, a + r.int(1, 600)) };
    }
    case 'newline':
      return { start: at, end: at, text: r.pick(['\n', '\r\n', '\r']) };
    case 'full':
      return { full: mutate(r, corpus).text.slice(0, 300_000) };
    default: {
      // A mutation of the whole text, sent as the smallest range that changed.
      // Texts that grew past 2 MB get no more growing mutations.
      const growing = ['megabyteLine', 'repeatLine', 'duplicate', 'deepNesting', 'insertFile'];
      const m = r.pick(
        Object.keys(MUTATORS).filter((k) => (text.length > 2_000_000 ? !growing.includes(k) : k !== 'megabyteLine' || r.chance(0.05))),
      );
      let next = MUTATORS[m]!(r, text, corpus);
      if (next.length > 2_000_000) next = next.slice(0, 2_000_000);
      let s = 0;
      while (s < text.length && s < next.length && text.charCodeAt(s) === next.charCodeAt(s)) s++;
      let e = 0;
      while (e < text.length - s && e < next.length - s && text.charCodeAt(text.length - 1 - e) === next.charCodeAt(next.length - 1 - e))
        e++;
      return { start: s, end: text.length - e, text: next.slice(s, next.length - e) };
    }
  }
}

/** An offset moved off the middle of a `\r\n` (no LSP position names it). */
function boundary(text: string, o: number, up: boolean): number {
  return text.charCodeAt(o - 1) === 13 && text.charCodeAt(o) === 10 ? (up ? o + 1 : o - 1) : o;
}

/** The edit with its offsets where LSP positions can name them. */
function reachable(text: string, e: Edit): Edit {
  if ('full' in e) return e;
  return { start: boundary(text, e.start, false), end: boundary(text, Math.max(e.start, e.end), true), text: e.text };
}

export function applyEdit(text: string, e: Edit): string {
  return 'full' in e ? e.full : text.slice(0, e.start) + e.text + text.slice(e.end);
}

/** Sequence `index` of a run started with `seed`. */
export function makeSequence(seed: number, index: number, corpus: CorpusFile[]): SequenceCase {
  const r = Random.of(seed ^ 0x1b873593, index);
  const base = r.pick(corpus);
  let text = r.chance(0.3) ? mutate(r, corpus, base).text.slice(0, 500_000) : base.text;
  const start = text;
  const steps: Step[] = [];
  const n = r.int(1, 30);
  for (let i = 0; i < n; i++) {
    const step: Step = {};
    if (r.chance(0.9)) {
      const changes: Edit[] = [];
      const k = r.chance(0.15) ? r.int(2, 5) : 1;
      for (let j = 0; j < k; j++) {
        const e = reachable(text, randomEdit(r, text, corpus));
        changes.push(e);
        text = applyEdit(text, e);
      }
      step.changes = changes;
    }
    if (r.chance(0.3)) step.request = { method: r.pick(REQUESTS), offset: r.int(0, text.length), offset2: r.int(0, text.length) };
    if (r.chance(0.1)) step.wait = true;
    steps.push(step);
  }
  return { seed, index, base: base.name, text: start, steps };
}

export interface SequenceReport {
  case: { seed: number; index: number; base: string; steps: number };
  kind: 'failure' | 'slow' | 'hang';
  ms: number;
  failures: { step: string; error: string }[];
  saved?: string;
}

/** The server and the folder it sees as its workspace (a copy of samples/, for includes). */
export class FuzzServer {
  client!: TestClient;
  readonly dir: string;
  private logsSeen = 0;

  private constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-fuzz-'));
    fs.cpSync(path.join(ROOT, 'samples'), this.dir, { recursive: true });
  }

  static async start(): Promise<FuzzServer> {
    const s = new FuzzServer();
    await s.restart();
    return s;
  }

  async restart(): Promise<void> {
    if (this.client) await this.client.stop();
    this.client = await TestClient.start(this.dir);
    this.logsSeen = 0;
  }

  /** Errors the server caught and logged since the last call. */
  newErrors(): string[] {
    const logs = this.client.logs.slice(this.logsSeen);
    this.logsSeen = this.client.logs.length;
    return logs.filter((l) => /^fwlang:/.test(l) || /\bat .*\.js:\d+/.test(l));
  }

  async stop(): Promise<void> {
    await this.client.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ms} ms`)), ms))),
  ]);
}

function requestParams(method: string, uri: string, c: TestClient, offset: number, offset2 = offset): unknown {
  const doc = c.docs.get(uri)!;
  const position = doc.positionAt(offset);
  const position2 = doc.positionAt(offset2);
  const textDocument = { uri };
  switch (method) {
    case 'textDocument/references':
      return { textDocument, position, context: { includeDeclaration: true } };
    case 'textDocument/rename':
      return { textDocument, position, newName: 'renamed_x' };
    case 'textDocument/documentSymbol':
    case 'textDocument/foldingRange':
    case 'textDocument/semanticTokens/full':
    case 'textDocument/codeLens':
    case 'textDocument/documentLink':
      return { textDocument };
    case 'textDocument/formatting':
      return { textDocument, options: { tabSize: 2, insertSpaces: true } };
    case 'textDocument/codeAction': {
      const [a, b] = offset <= offset2 ? [position, position2] : [position2, position];
      return { textDocument, range: { start: a, end: b }, context: { diagnostics: [] } };
    }
    case 'workspace/executeCommand':
      return offset % 3 === 0
        ? { command: 'fwlang.simulate', arguments: [{ uri, line: position.line }] }
        : { command: 'fwlang.simulateAt', arguments: [{ uri, position }] };
    case 'fwlang/picture':
      return { uri, what: offset % 7 === 0 ? 'topology' : 'at', line: position.line };
    case 'fwlang/export':
      return { uri, target: 'nftables' };
    default:
      return { textDocument, position };
  }
}

/**
 * `text` analysed afresh in process, as if it were the document at `file`: its includes read
 * from disk, and refused outside `folder`, as the server reads them from its workspace folder.
 * (A misspelt keyword is read as the keyword closest to it, so a version with
 * `in443clude "common/inventory.fw"` includes that file, with a "did you mean": sequence 7737
 * of seed 1601, when versions were compared only if their text did not hold the word.)
 */
export function freshContext(text: string, file: string, folder: string): DocContext {
  const disk = nodeFileHost();
  const host: FileHost = { ...disk, refuse: (p) => outsideFolders(p, [folder]) ?? disk.refuse?.(p) };
  return { ...docContext(text, file, host), uri: fileUri(file) };
}

/** The semantic tokens of `text` made afresh (freshContext). */
export function freshTokens(text: string, file: string, folder: string): number[] {
  return semanticTokens(freshContext(text, file, folder)).data;
}

/** Budget for the diagnostics of a version, and for any answer. */
const ANSWER_MS = 10_000;

/**
 * Runs one sequence; its failures (empty when all went well), how long its slowest wait for
 * diagnostics took, and whether a wait took longer than `budgetMs` for each megabyte of the
 * version it waited for (at least `budgetMs`: the documents' budget, budgetFor). The document
 * is closed at the end, so the server does not accumulate them.
 */
export async function runSequence(
  server: FuzzServer,
  c: SequenceCase,
  budgetMs = Infinity,
): Promise<{ failures: { step: string; error: string }[]; slowestMs: number; overBudget: boolean }> {
  const client = server.client;
  const failures: { step: string; error: string }[] = [];
  const file = path.join(server.dir, `fuzz-${c.seed}-${c.index}.fw`);
  const uri = fileUri(file);
  let slowestMs = 0;
  let overBudget = false;
  const waitDiagnostics = async (what: string) => {
    const t = performance.now();
    const length = client.text(uri).length;
    let published: PublishDiagnosticsParams | undefined;
    try {
      published = await client.diagnosticsFor(uri, ANSWER_MS);
    } catch (e) {
      failures.push({ step: what, error: (e as Error).message.slice(0, 2000) });
    }
    const ms = performance.now() - t;
    slowestMs = Math.max(slowestMs, ms);
    if (ms > budgetFor(length, budgetMs)) overBudget = true;
    if (process.env.FWLANG_FUZZ_TRACE) console.error(`  ${what}: ${Math.round(ms)} ms for ${length} characters`);
    // What the server published for this version, after all its incremental work (chunks parsed
    // again, firewalls reused, includes read from its workspace), is what the text analysed
    // afresh gives.
    const fresh = published && toLspDiagnostics(freshContext(client.text(uri), file, server.dir));
    if (published && JSON.stringify(published.diagnostics) !== JSON.stringify(fresh))
      failures.push({ step: what, error: 'diagnostics: the server’s differ from those of the text analysed afresh' });
  };
  const request = async (method: string, params: unknown) => {
    try {
      await within(client.connection.sendRequest(method, params), ANSWER_MS, method);
    } catch (e) {
      // An error answer is a proper answer; no answer, or a dead server, is not.
      const msg = (e as Error).message;
      if (/no answer|closed|disposed|Connection/i.test(msg) || !client.alive) failures.push({ step: method, error: msg });
    }
  };
  let held: { resultId?: string; data: number[] } | undefined;
  const semanticTokensStep = async (step: string) => {
    try {
      const textDocument = { uri };
      if (held?.resultId) {
        const d = await within(
          client.connection.sendRequest<{
            resultId?: string;
            data?: number[];
            edits?: { start: number; deleteCount: number; data?: number[] }[];
          }>('textDocument/semanticTokens/full/delta', { textDocument, previousResultId: held.resultId }),
          ANSWER_MS,
          'semantic tokens delta',
        );
        if (d?.edits) {
          const data = [...held.data];
          for (const e of [...d.edits].sort((a, b) => b.start - a.start)) data.splice(e.start, e.deleteCount, ...(e.data ?? []));
          held = { resultId: d.resultId, data };
        } else held = d?.data ? { resultId: d.resultId, data: d.data } : undefined;
      }
      const whole = await within(
        client.connection.sendRequest<{ resultId?: string; data: number[] }>('textDocument/semanticTokens/full', { textDocument }),
        ANSWER_MS,
        'semantic tokens',
      );
      if (held && whole && held.data.join() !== whole.data.join())
        failures.push({ step, error: 'semantic tokens: the delta applied to the tokens held is not the whole result' });
      // Made afresh in process, its includes read as the server reads them.
      const text = client.text(uri);
      if (whole && freshTokens(text, file, server.dir).join() !== whole.data.join())
        failures.push({ step, error: 'semantic tokens: the server’s differ from those of the text made afresh' });
      held = whole ?? undefined;
    } catch (e) {
      const msg = (e as Error).message;
      if (/no answer|closed|disposed|Connection/i.test(msg) || !client.alive) failures.push({ step: 'semantic tokens', error: msg });
    }
  };
  // The outline, made from the incremental parse with the symbols of untouched statements
  // reused (or moved), is the outline of the text made afresh.
  const outlineStep = async (step: string) => {
    try {
      const symbols = await within(
        client.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } }),
        ANSWER_MS,
        'outline',
      );
      const text = client.text(uri);
      if (symbols && JSON.stringify(symbols) !== JSON.stringify(documentSymbols(freshContext(text, file, server.dir))))
        failures.push({ step, error: 'outline: the server’s differs from that of the text made afresh' });
    } catch (e) {
      const msg = (e as Error).message;
      if (/no answer|closed|disposed|Connection/i.test(msg) || !client.alive) failures.push({ step: 'outline', error: msg });
    }
  };
  await client.open(uri, c.text);
  for (const [i, s] of c.steps.entries()) {
    if (s.changes) {
      const changes: TextDocumentContentChangeEvent[] = [];
      let doc = client.docs.get(uri)!;
      let text = doc.getText();
      for (const e of s.changes) {
        if ('full' in e) changes.push({ text: e.full });
        else {
          // Ranges of later changes are in the text after the earlier ones, as LSP says.
          const tmp = TextDocument.create(uri, 'fw', 0, text);
          changes.push({ range: { start: tmp.positionAt(e.start), end: tmp.positionAt(e.end) }, text: e.text });
        }
        text = applyEdit(text, e);
      }
      await client.change(uri, changes);
      doc = client.docs.get(uri)!;
      if (doc.getText() !== text) failures.push({ step: `edit ${i}`, error: 'the client mirror disagrees with the edit (harness bug)' });
    }
    if (s.request?.method === 'textDocument/semanticTokens/full') await semanticTokensStep(`semantic tokens after step ${i}`);
    else if (s.request?.method === 'textDocument/documentSymbol') await outlineStep(`outline after step ${i}`);
    else if (s.request) await request(s.request.method, requestParams(s.request.method, uri, client, s.request.offset, s.request.offset2));
    if (s.wait) await waitDiagnostics(`diagnostics after step ${i}`);
    if (!client.alive) break;
  }
  if (client.alive) {
    await waitDiagnostics('diagnostics of the last version');
    const last = client.lastPublished(uri);
    const lines = client.text(uri).split(/\r\n|\r|\n/).length;
    for (const d of last?.diagnostics ?? []) {
      if (d.range.start.line > lines || d.range.end.line > lines)
        failures.push({ step: 'diagnostics', error: `range past the end: ${JSON.stringify(d.range)}` });
    }
    await request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    const count = last?.diagnostics.length ?? 0;
    if (count > 2000) failures.push({ step: 'diagnostics', error: `${count} diagnostics published for one file` });
  }
  if (!client.alive)
    failures.push({ step: 'server', error: `the server exited: ${JSON.stringify(client.exited)}; stderr: ${client.stderr.slice(-2000)}` });
  for (const e of server.newErrors()) failures.push({ step: 'server log', error: e.slice(0, 4000) });
  if (client.alive) {
    await client.close(uri);
    client.published.delete(uri);
  }
  return { failures, slowestMs, overBudget };
}
