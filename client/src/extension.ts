// The VS Code client: starts the fwlang language server (dist/server.js) over IPC, registers
// the commands and shows simulation traces. Everything else comes from the server.

import * as path from 'node:path';
import { type ExtensionContext, window, workspace } from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { TraceView, registerCommands, registerPictureCommands } from './commands';
import { type InitializationOptions, type SimulationTrace, SimulationTraceNotification } from '../../server/src/protocol';
import { PicturePanel, type PictureMessage } from './picturePanel';

let client: LanguageClient | undefined;

/** What activate() returns: used by the extension tests, harmless for anyone else. */
export interface FwlangApi {
  /** Resolves once the language server has started (again, after a restart). */
  ready(): Promise<void>;
  /** The last simulation the server reported. */
  lastTrace(): SimulationTrace | undefined;
  /** What the picture panel shows now (undefined: it is closed). */
  picture(): PictureMessage | undefined;
  /** What the topology panel shows now (undefined: it is closed). */
  topology(): PictureMessage | undefined;
}

export function activate(context: ExtensionContext): FwlangApi {
  const out = window.createOutputChannel('fwlang');
  const traces = new TraceView(out);
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'fw' },
      { scheme: 'untitled', language: 'fw' },
    ],
    // Included files change on disk too: the server re-checks the files that include them.
    synchronize: { configurationSection: 'fwlang', fileEvents: workspace.createFileSystemWatcher('**/*.fw') },
    // Server log and `fwlang.trace.server` messages share the channel with the simulation traces.
    outputChannel: out,
    // This client shows pictures: the server adds the "Show picture" lens and a response rule's ports picture.
    initializationOptions: { pictures: true } satisfies InitializationOptions,
  };
  const lc = (client = new LanguageClient('fwlang', 'fwlang', serverOptions, clientOptions));
  lc.onNotification(SimulationTraceNotification, (t) => traces.show(t));

  // Not awaited: activation stays fast, commands wait for `ready` themselves.
  const started = (p: Promise<void>) => p.catch((e) => out.appendLine(`fwlang: the language server did not start: ${e?.message ?? e}`));
  let ready = started(lc.start());
  const restart = async () => {
    await ready;
    ready = started(lc.isRunning() ? lc.restart() : lc.start());
    await ready;
  };

  const current = () => lc;
  const whenReady = () => ready;
  const picture = new PicturePanel(context, current, whenReady, 'at');
  const topology = new PicturePanel(context, current, whenReady, 'topology');

  context.subscriptions.push(
    out,
    traces,
    picture,
    topology,
    ...registerPictureCommands(picture, topology),
    ...registerCommands(
      () => lc,
      () => ready,
      out,
      restart,
    ),
  );
  return { ready: () => ready, lastTrace: () => traces.last, picture: () => picture.last, topology: () => topology.last };
}

export function deactivate(): Promise<void> | undefined {
  return client?.stop().catch(() => undefined);
}
