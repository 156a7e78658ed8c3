// Entry point of the language server: `node dist/server.js --stdio` (or --node-ipc, as
// vscode-languageclient starts it).

import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './lsp/server';
import { hardenedStdio } from './lsp/stdio';

// Over stdio, a reader that no malformed input can stop (lsp/stdio.ts); over IPC, the default.
const stdio = process.argv.includes('--stdio') ? hardenedStdio(process.stdin, process.stdout) : undefined;
const connection = stdio ? createConnection(ProposedFeatures.all, stdio.reader, stdio.writer) : createConnection(ProposedFeatures.all);
process.on('uncaughtException', (e) => connection.console.error(`fwlang: uncaught: ${e?.stack ?? String(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`fwlang: unhandled: ${String(e)}`));
startServer(connection);
