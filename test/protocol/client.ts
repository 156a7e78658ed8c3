// A real LSP client for protocol tests: starts the built server (`dist/server.js --stdio`)
// as a child process and talks JSON-RPC to it over its stdio, as an editor would.
// It answers the server's requests (configuration, registrations, code lens refresh),
// mirrors the documents it opened, and collects every publishDiagnostics.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ClientCapabilities,
  type CodeLens,
  CodeLensRefreshRequest,
  CodeLensRequest,
  CodeLensResolveRequest,
  ConfigurationRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializeRequest,
  type InitializeResult,
  InitializedNotification,
  LogMessageNotification,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  PublishDiagnosticsNotification,
  type Registration,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type TextDocumentContentChangeEvent,
  type TextEdit,
  UnregistrationRequest,
  WorkDoneProgressCreateRequest,
  createProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SERVER = path.join(ROOT, 'dist/server.js');

/** What a recent VS Code announces (the parts this server looks at, and a few more). */
export const CLIENT_CAPABILITIES: ClientCapabilities = {
  workspace: {
    applyEdit: true,
    configuration: true,
    workspaceFolders: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
    codeLens: { refreshSupport: true },
    semanticTokens: { refreshSupport: true },
    workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] },
    executeCommand: { dynamicRegistration: true },
  },
  textDocument: {
    synchronization: { dynamicRegistration: true, willSave: true, willSaveWaitUntil: true, didSave: true },
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: true,
      codeDescriptionSupport: true,
      dataSupport: true,
      tagSupport: { valueSet: [1, 2] },
    },
    completion: {
      dynamicRegistration: true,
      contextSupport: true,
      completionItem: {
        snippetSupport: true,
        documentationFormat: ['markdown', 'plaintext'],
        insertReplaceSupport: true,
        labelDetailsSupport: true,
      },
    },
    hover: { dynamicRegistration: true, contentFormat: ['markdown', 'plaintext'] },
    definition: { dynamicRegistration: true, linkSupport: true },
    references: { dynamicRegistration: true },
    documentSymbol: { dynamicRegistration: true, hierarchicalDocumentSymbolSupport: true, labelSupport: true },
    codeAction: {
      dynamicRegistration: true,
      isPreferredSupport: true,
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source'] } },
    },
    codeLens: { dynamicRegistration: true },
    formatting: { dynamicRegistration: true },
    rename: { dynamicRegistration: true, prepareSupport: true, honorsChangeAnnotations: true },
    documentLink: { dynamicRegistration: true, tooltipSupport: true },
    foldingRange: { dynamicRegistration: true, lineFoldingOnly: true },
    semanticTokens: {
      dynamicRegistration: true,
      requests: { full: { delta: true }, range: true },
      tokenTypes: [
        'namespace',
        'type',
        'class',
        'enum',
        'interface',
        'struct',
        'typeParameter',
        'parameter',
        'variable',
        'property',
        'enumMember',
        'event',
        'function',
        'method',
        'macro',
        'keyword',
        'modifier',
        'comment',
        'string',
        'number',
        'regexp',
        'operator',
        'decorator',
      ],
      tokenModifiers: [
        'declaration',
        'definition',
        'readonly',
        'static',
        'deprecated',
        'abstract',
        'async',
        'modification',
        'documentation',
        'defaultLibrary',
      ],
      formats: ['relative'],
      multilineTokenSupport: false,
      overlappingTokenSupport: false,
    },
  },
  window: { workDoneProgress: true, showMessage: {} },
  general: { positionEncodings: ['utf-16'] },
};

/** Default answers to `workspace/configuration` for the `fwlang` section. */
export const DEFAULT_CONFIGURATION = { defaultEphemeral: '', severity: {} };

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function stale(): boolean {
  if (!fs.existsSync(SERVER)) return true;
  return fs.statSync(SERVER).mtimeMs < newestSource(path.join(ROOT, 'server/src'));
}

/**
 * Builds dist/server.js when it is missing or older than the sources. Test files run in
 * parallel workers, so one builds while the others wait on a lock directory.
 */
export async function ensureBuilt(timeoutMs = 120_000): Promise<void> {
  if (!stale()) return;
  const lock = path.join(ROOT, '.tmp', 'protocol-build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A lock older than a minute was left by a killed run.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 60_000) fs.rmdirSync(lock);
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for the protocol build lock');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    if (stale()) execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'pipe' });
  } finally {
    fs.rmdirSync(lock);
  }
}

export function fileUri(p: string): string {
  return URI.file(p).toString();
}

interface Waiter {
  uri: string;
  test: (p: PublishDiagnosticsParams) => boolean;
  resolve: (p: PublishDiagnosticsParams) => void;
}

export class TestClient {
  readonly connection: ProtocolConnection;
  /** Every publishDiagnostics, in arrival order, per URI. */
  readonly published = new Map<string, PublishDiagnosticsParams[]>();
  readonly docs = new Map<string, TextDocument>();
  readonly logs: string[] = [];
  stderr = '';
  configurationRequests = 0;
  /** Every capability the server registered dynamically (client/registerCapability). */
  readonly registrations: Registration[] = [];
  codeLensRefreshes = 0;
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  initializeResult: InitializeResult | undefined;
  private waiters: Waiter[] = [];

  private constructor(readonly proc: ChildProcess) {
    this.connection = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    proc.on('exit', (code, signal) => (this.exited = { code, signal }));
    const c = this.connection;
    c.onNotification(PublishDiagnosticsNotification.type, (p) => {
      let list = this.published.get(p.uri);
      if (!list) this.published.set(p.uri, (list = []));
      list.push(p);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== p.uri || !w.test(p)) return true;
        w.resolve(p);
        return false;
      });
    });
    c.onNotification(LogMessageNotification.type, (p) => this.logs.push(p.message));
    c.onRequest(ConfigurationRequest.type, (p) => {
      this.configurationRequests++;
      return p.items.map((i) => (i.section === 'fwlang' ? DEFAULT_CONFIGURATION : null));
    });
    c.onRequest(RegistrationRequest.type, (p) => {
      this.registrations.push(...p.registrations);
    });
    c.onRequest(UnregistrationRequest.type, () => undefined);
    c.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
    c.onRequest(CodeLensRefreshRequest.type, () => {
      this.codeLensRefreshes++;
    });
    c.onUnhandledNotification(() => undefined);
    c.listen();
  }

  /** Starts the server and runs the initialize handshake. */
  static async start(rootPath = ROOT, initializationOptions: object = {}): Promise<TestClient> {
    await ensureBuilt();
    const proc = spawn(process.execPath, [SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new TestClient(proc);
    client.initializeResult = await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      clientInfo: { name: 'fwlang protocol tests', version: '1' },
      locale: 'en',
      rootUri: fileUri(rootPath),
      workspaceFolders: [{ uri: fileUri(rootPath), name: path.basename(rootPath) }],
      capabilities: CLIENT_CAPABILITIES,
      initializationOptions,
    });
    await client.connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  get alive(): boolean {
    return !this.exited && this.proc.exitCode === null;
  }

  text(uri: string): string {
    return this.docs.get(uri)?.getText() ?? '';
  }

  version(uri: string): number {
    return this.docs.get(uri)?.version ?? 0;
  }

  async open(uri: string, text: string, languageId = 'fw'): Promise<number> {
    const doc = TextDocument.create(uri, languageId, 1, text);
    this.docs.set(uri, doc);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId, version: 1, text },
    });
    return 1;
  }

  /** Sends one didChange with these (incremental or full) changes; returns the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`${uri} is not open`);
    const version = doc.version + 1;
    this.docs.set(uri, TextDocument.update(doc, changes, version));
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: changes,
    });
    return version;
  }

  /** Replaces the range [start, end) of offsets (an incremental change). */
  async replace(uri: string, start: number, end: number, text: string): Promise<number> {
    const doc = this.docs.get(uri)!;
    return this.change(uri, [{ range: { start: doc.positionAt(start), end: doc.positionAt(end) }, text }]);
  }

  async close(uri: string): Promise<void> {
    this.docs.delete(uri);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** The first publish for `uri` (already received or to come) that satisfies `test`. */
  waitForDiagnostics(
    uri: string,
    test: (p: PublishDiagnosticsParams) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<PublishDiagnosticsParams> {
    const have = this.published.get(uri)?.find(test);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { uri, test, resolve: (p) => (clearTimeout(timer), resolve(p)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const last = this.published.get(uri)?.at(-1);
        reject(
          new Error(
            `no matching diagnostics for ${uri} within ${timeoutMs} ms; last publish: ${JSON.stringify(last)}; server stderr: ${this.stderr.slice(-2000)}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The diagnostics published for the document's current version. */
  diagnosticsFor(uri: string, timeoutMs?: number): Promise<PublishDiagnosticsParams> {
    const version = this.version(uri);
    return this.waitForDiagnostics(uri, (p) => p.version === version, timeoutMs);
  }

  lastPublished(uri: string): PublishDiagnosticsParams | undefined {
    return this.published.get(uri)?.at(-1);
  }

  /** Waits until no publish for `uri` has arrived for `quietMs` (bounded by `timeoutMs`). */
  async settle(uri: string, quietMs = 150, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let count = this.published.get(uri)?.length ?? 0;
    let since = Date.now();
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      const n = this.published.get(uri)?.length ?? 0;
      if (n !== count) {
        count = n;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return;
    }
  }

  /** Stops the server politely (shutdown, exit), then for sure. */
  async stop(): Promise<void> {
    try {
      if (this.alive) {
        await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2_000))]);
        await this.connection.sendNotification(ExitNotification.type);
      }
    } catch {
      /* the server may be gone already */
    }
    const exited = new Promise<void>((r) => (this.alive ? this.proc.once('exit', () => r()) : r()));
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
    this.connection.dispose();
    if (this.alive) this.proc.kill('SIGKILL');
  }
}

/**
 * The code lenses of a document, each resolved as an editor does when it shows a lens: the
 * server sends a lens without its command, and gives it when asked (codeLens/resolve).
 */
export async function resolvedLenses(client: TestClient, uri: string): Promise<CodeLens[]> {
  const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  return Promise.all(lenses.map((l) => (l.command ? l : client.connection.sendRequest(CodeLensResolveRequest.type, l))));
}

/** Applies LSP text edits to a text (as the editor would). */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x.fw', 'fw', 1, text), edits);
}

/** Offset of the `nth` occurrence of `needle` in `text`, plus `delta`. */
export function offsetOf(text: string, needle: string, nth = 0, delta = 0): number {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`\`${needle}\` (#${nth}) not in the text`);
  }
  return i + delta;
}

/** The spec §1 example, the natural fixture of these tests. */
export { SPEC_EXAMPLE } from '../support/specExample';
