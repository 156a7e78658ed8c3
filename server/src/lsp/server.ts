// The language server: LSP wiring only. Every answer comes from the core's analysis of the
// newest document version; each feature lives in its own file under ../features.

import * as nodePath from 'node:path';
import {
  CodeLensRefreshRequest,
  type Connection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  type ExecuteCommandParams,
  TextDocumentSyncKind,
  TextDocuments,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActions } from '../features/codeActions';
import { exportDocument } from '../features/exportDocument';
import { toLspDiagnostics } from '../features/diagnostics';
import { hover } from '../features/hover';
import { picture, withPortsPicture } from '../features/pictures';
import {
  LensState,
  codeLenses,
  lensDocument,
  resolveCodeLens,
  simulateAt,
  simulateFlowAt,
  simulateRuleAt,
  simulateText,
} from '../features/simulation';
import {
  CMD_SIMULATE,
  CMD_SIMULATE_AT,
  CMD_SIMULATE_RULE,
  CMD_SIMULATE_TEXT,
  type CommandCall,
  SERVER_COMMANDS,
  type SimulationResult,
  SimulationTraceNotification,
  ExportRequest,
  ImportRequest,
  type InitializationOptions,
  PictureRequest,
  readCommand,
} from '../protocol';
import { importFiles } from './importRequest';
import type { DocContext } from '../features/docContext';
import type { HeapPolicy } from './heapPolicy';
import { logError } from './logError';
import type { Outbox } from './outbox';
import { YoungGenerationToucher } from './pretouch';
import { EditWarmup, scratchDocuments } from './warmup';
import { LatestRuns } from './runs';
import { Workspace, uriToPath } from './workspace';
import { registerLanguageFeatures } from './languageFeatures';

/**
 * A later turn of the event loop, after the messages received meanwhile are handled: the
 * connection handles each in an immediate of its own, queued when it is read, so two hops
 * let the ones read during the first go first.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * `outbox`, the connection's writer where the transport is the server's own: the diagnostics
 * run lets a big answer go out before each of its steps.
 */
export function startServer(connection: Connection, outbox?: Outbox, { heap }: { heap?: HeapPolicy } = {}): void {
  const documents = new TextDocuments(TextDocument);
  const ws = new Workspace(documents, connection);
  const lensState = new LensState();
  const pending = new LatestRuns();
  /** Documents opened whose first diagnostics are not published yet. */
  const justOpened = new Set<string>();
  const toucher = new YoungGenerationToucher();
  const warmup = new EditWarmup(connection);
  let codeLensRefresh = false;
  let watcherRegistration = false;
  // The client shows pictures (the VS Code extension says so): a "Show picture" lens, a hover image.
  let pictures = false;

  const guard =
    <P, R>(fallback: R, f: (p: P) => Promise<R> | R) =>
    async (p: P): Promise<R> => {
      try {
        return await f(p);
      } catch (e) {
        logError(connection, `fwlang: ${(e as Error)?.stack ?? String(e)}`);
        return fallback;
      }
    };

  connection.onInitialize((params) => {
    const caps = params.capabilities;
    ws.configurationSupported = !!caps.workspace?.configuration;
    codeLensRefresh = !!caps.workspace?.codeLens?.refreshSupport;
    watcherRegistration = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    pictures = (params.initializationOptions as InitializationOptions | undefined)?.pictures === true;
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    ws.folders = folders.map(uriToPath).filter((p) => nodePath.isAbsolute(p));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: true },
        codeActionProvider: { codeActionKinds: ['quickfix', 'refactor'] },
        executeCommandProvider: { commands: SERVER_COMMANDS },
        ...registerLanguageFeatures.capabilities,
      },
      serverInfo: { name: 'fwlang' },
    };
  });

  connection.onInitialized(() => {
    if (ws.configurationSupported) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'fwlang' }).catch(() => undefined);
    }
    // Included files change on disk too. Clients that cannot register a watcher send the
    // events of their static `synchronize.fileEvents` (the VS Code client asks for `**/*.fw`).
    if (watcherRegistration) {
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.fw' }] })
        .catch(() => undefined);
    }
  });

  connection.onDidChangeWatchedFiles((p) => {
    const paths = p.changes.map((c) => uriToPath(c.uri));
    ws.filesChanged(paths);
    recheckIncluders(paths);
  });

  /** Re-checks the open documents that include one of `paths` (a stale cache entry is recomputed). */
  function recheckIncluders(paths: string[]): void {
    const uris = new Set<string>();
    for (const p of paths) for (const d of ws.dependents(p)) uris.add(d.uri);
    for (const uri of uris) schedule(uri);
  }

  connection.onDidChangeConfiguration(() => {
    ws.settingsChanged();
    for (const d of documents.all()) schedule(d.uri);
  });

  /** The collection policy for the documents open now (heapPolicy.ts: lean unless one is big). */
  const fitHeap = (): void => {
    if (!heap) return;
    let largest = 0;
    for (const d of documents.all()) largest = Math.max(largest, d.getText().length);
    heap.fit(largest);
  };
  fitHeap();

  /**
   * Publishes diagnostics for the newest version only. The work goes in steps (parse,
   * resolve, analyse), each in a turn of its own, so that requests received meanwhile are
   * answered in between (the outline of a big file from its parse); a newer edit drops the
   * rest of a stale run.
   */
  function schedule(uri: string): void {
    pending.request(uri, () => void publish(uri));
  }

  async function publish(uri: string): Promise<void> {
    try {
      const doc = documents.get(uri);
      if (!doc) return;
      const version = doc.version;
      const stale = () => documents.get(uri)?.version !== version || pending.has(uri);
      // Answers written meanwhile (the outline of a big file, from its parse) go out first: a
      // step that runs while they are being written holds them back until it ends.
      const between = async () => {
        await nextTurn();
        await outbox?.drained();
      };
      const settings = await ws.settings(uri);
      if (stale()) return;
      ws.parsed(doc);
      await between();
      if (stale()) return;
      ws.model(doc, settings);
      await between();
      if (stale()) return;
      const ctx = await ws.context(uri);
      // A newer edit arrived while we waited for settings: its own run will publish.
      if (!ctx || stale()) return;
      await connection.sendDiagnostics({ uri, version, diagnostics: toLspDiagnostics(ctx) });
      if (justOpened.delete(uri)) {
        // The document's line index (vscode-languageserver-textdocument makes it when a position
        // is first asked for: by the first edit, 6-9 ms of its time at 2,000 rules), made now.
        if (!stale()) doc.offsetAt({ line: 0, character: 0 });
        // The code of an edit, made fast before the first edit (warmup.ts); then the pages an
        // open grew the young generation by, touched now, not by the next edits.
        if (!stale()) {
          const scratch = () => new Workspace(scratchDocuments(), connection);
          await warmup.run(ctx.text, ws.parsed(doc).ast.statements, settings, scratch, () => pending.any());
        }
        void toucher.touchIfGrown(() => pending.any());
      }
    } catch (e) {
      logError(connection, `fwlang: diagnostics failed: ${(e as Error)?.stack ?? String(e)}`);
    }
  }

  // Files that include a document see its editor text while it is open, the disk's after.
  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    schedule(e.document.uri);
    recheckIncluders([uriToPath(e.document.uri)]);
  });
  // The collection policy as documents come (an open is a change of content too), change and go,
  // before any work on them (a request may parse a document before its diagnostics run does: the
  // outline of a big file, which the lean policy slowed by 0.7 s when it was fitted in the run).
  documents.onDidChangeContent((e) => {
    fitHeap();
    ws.versionChanged(e.document.uri);
    schedule(e.document.uri);
    recheckIncluders([uriToPath(e.document.uri)]);
  });
  documents.onDidClose((e) => {
    fitHeap();
    pending.cancel(e.document.uri);
    justOpened.delete(e.document.uri);
    ws.forget(e.document.uri);
    lensState.forget(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    recheckIncluders([uriToPath(e.document.uri)]);
  });

  connection.onHover(
    guard(null, async (p) => {
      const ctx = await ws.context(p.textDocument.uri);
      if (!ctx) return null;
      const offset = ctx.lines.offset(p.position);
      const h = hover(ctx, offset);
      return pictures ? withPortsPicture(ctx, offset, h) : h;
    }),
  );

  connection.onCodeLens(
    guard([], async (p) => {
      const ctx = await ws.context(p.textDocument.uri);
      return ctx ? codeLenses(ctx, lensState, { pictures }) : [];
    }),
  );

  // A lens's command, asked for when the editor shows it; a flow's from its document's newest analysis.
  connection.onCodeLensResolve(async (lens) => {
    try {
      const uri = lensDocument(lens, lensState);
      return resolveCodeLens(lens, lensState, uri ? await ws.context(uri) : undefined);
    } catch (e) {
      logError(connection, `fwlang: ${(e as Error)?.stack ?? String(e)}`);
      return lens;
    }
  });

  connection.onCodeAction(
    guard([], async (p) => {
      const ctx = await ws.context(p.textDocument.uri);
      return ctx ? codeActions(ctx, p) : [];
    }),
  );

  connection.onExecuteCommand(
    guard<ExecuteCommandParams, SimulationResult>({ error: 'internal error' }, async (p) => {
      const call = readCommand(p);
      if ('error' in call) return call;
      const ctx = await ws.context(call.arg.uri);
      if (!ctx) return { error: 'the document is not open' };
      const result = runCommand(ctx, call);
      void connection.sendNotification(SimulationTraceNotification, { uri: call.arg.uri, ...result });
      if (codeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
      return result;
    }),
  );

  connection.onRequest(
    ImportRequest,
    guard({ error: 'internal error' }, (p) => importFiles(p)),
  );

  connection.onRequest(
    ExportRequest,
    guard({ error: 'internal error', problems: [] }, async (p) => {
      const ctx = typeof p?.uri === 'string' ? await ws.context(p.uri) : undefined;
      return ctx ? exportDocument(ctx, p) : { error: 'the document is not open', problems: [] };
    }),
  );

  connection.onRequest(
    PictureRequest,
    guard({ error: 'internal error' }, async (p) => {
      const ctx = typeof p?.uri === 'string' ? await ws.context(p.uri) : undefined;
      return ctx ? picture(ctx, p) : { error: 'the document is not open' };
    }),
  );

  function runCommand(ctx: DocContext, call: CommandCall): SimulationResult {
    // Includes read as the diagnostics read them: open documents first, inside the workspace.
    const host = ws.includeHost(ctx.path);
    switch (call.command) {
      case CMD_SIMULATE:
        return simulateFlowAt(ctx, call.arg.line, lensState);
      case CMD_SIMULATE_RULE:
        return simulateRuleAt(ctx, call.arg.line, lensState, host);
      case CMD_SIMULATE_TEXT:
        return simulateText(ctx, call.arg.flow, host);
      case CMD_SIMULATE_AT:
        return simulateAt(ctx, call.arg.position, lensState, host);
    }
  }

  registerLanguageFeatures(connection, ws, guard);

  documents.listen(connection);
  connection.listen();
}
