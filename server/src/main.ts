// Entry point of the language server: `node dist/server.js --stdio` (or --node-ipc, as
// vscode-languageclient starts it).

import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './lsp/server';

const connection = createConnection(ProposedFeatures.all);
process.on('uncaughtException', (e) => connection.console.error(`fwlang: uncaught: ${e?.stack ?? String(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`fwlang: unhandled: ${String(e)}`));
startServer(connection);
