// Entry point of the language server: `node dist/server.js --stdio` (or --node-ipc, as
// vscode-languageclient starts it).

import { IPCMessageReader, ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { HeapPolicy } from './lsp/heapPolicy';
import { ipcOutbox } from './lsp/outbox';
import { startServer } from './lsp/server';
import { hardenedStdio } from './lsp/stdio';

// Over stdio, a reader that no malformed input can stop (lsp/stdio.ts); over IPC, vscode-jsonrpc's
// reader. Either way a writer that tells when its messages are out (lsp/outbox.ts). Other
// transports (--socket, --pipe) are vscode-languageserver's own.
const stdio = process.argv.includes('--stdio') ? hardenedStdio(process.stdin, process.stdout) : undefined;
const ipc = !stdio && process.argv.includes('--node-ipc') && typeof process.send === 'function' ? ipcOutbox(process) : undefined;
const outbox = stdio?.writer ?? ipc;
const connection = stdio
  ? createConnection(ProposedFeatures.all, stdio.reader, stdio.writer)
  : ipc
    ? createConnection(ProposedFeatures.all, new IPCMessageReader(process), ipc)
    : createConnection(ProposedFeatures.all);
if (stdio) {
  // What vscode-languageserver does for --stdio when it owns the streams: end with the client
  // (exit code 0 after a shutdown request, else 1), and keep console output off stdout, where it
  // would break the framing.
  let shutdown = false;
  connection.onShutdown(() => {
    shutdown = true;
  });
  const end = () => process.exit(shutdown ? 0 : 1);
  process.stdin.on('end', end);
  process.stdin.on('close', end);
  console.log = console.info = (...a: unknown[]) => connection.console.log(a.map(String).join(' '));
  console.debug = (...a: unknown[]) => connection.console.log(a.map(String).join(' '));
  console.warn = (...a: unknown[]) => connection.console.warn(a.map(String).join(' '));
  console.error = (...a: unknown[]) => connection.console.error(a.map(String).join(' '));
}
process.on('uncaughtException', (e) => connection.console.error(`fwlang: uncaught: ${e?.stack ?? String(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`fwlang: unhandled: ${String(e)}`));
// Garbage in the old generation collected as it grows, unless a big file is open (heapPolicy.ts).
startServer(connection, outbox, { heap: new HeapPolicy() });
