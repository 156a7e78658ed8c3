// The real language server (startServer) on a real connection in this process, as main.ts
// starts it over stdio: the tests can then spy on what it does. `output` is the stream the
// server writes to and the client reads from (a PassThrough, or a gate that holds it back).

import { PassThrough, type Duplex } from 'node:stream';
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import * as rpc from 'vscode-jsonrpc/node';
import { startServer } from '../../server/src/lsp/server';
import { hardenedStdio } from '../../server/src/lsp/stdio';

export function inProcessServer(output: Duplex = new PassThrough(), options: Parameters<typeof startServer>[2] = {}) {
  const toServer = new PassThrough();
  const stdio = hardenedStdio(toServer, output);
  startServer(createConnection(ProposedFeatures.all, stdio.reader, stdio.writer), stdio.writer, options);
  const client = rpc.createMessageConnection(new rpc.StreamMessageReader(output), new rpc.StreamMessageWriter(toServer));
  return { toServer, outbox: stdio.writer, client };
}
