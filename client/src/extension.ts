// The VS Code client: starts the fwlang language server (dist/server.js) over IPC, registers
// the commands and shows simulation traces. Everything else comes from the server.

import * as path from 'node:path';
import { type ExtensionContext, window, workspace } from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { TraceView, registerCommands } from './commands';
import { type SimulationTrace, SimulationTraceNotification } from '../../server/src/protocol';

let client: LanguageClient | undefined;

/** What activate() returns: used by the extension tests, harmless for anyone else. */
export interface FwlangApi {
  /** Resolves once the language server has started (again, after a restart). */
  ready(): Promise<void>;
  /** The last simulation the server reported. */
  lastTrace(): SimulationTrace | undefined;
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

  context.subscriptions.push(
    out,
    traces,
    ...registerCommands(
      () => lc,
      () => ready,
      out,
      restart,
    ),
  );
  return { ready: () => ready, lastTrace: () => traces.last };
}

export function deactivate(): Promise<void> | undefined {
  return client?.stop().catch(() => undefined);
}
