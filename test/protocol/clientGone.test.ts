// A client that goes away while the server works: the run in flight finds the connection
// closed when it publishes, and its failure, written to a log nobody reads any more, must not
// be thrown out of its catch block (an unhandled rejection; in a test run, an error vitest
// reports against whichever file is running). The server here is the real one, in process.

import { describe, expect, it } from 'vitest';
import { generate } from '../../bench/generate';
import { inProcessServer } from './inProcess';

describe('a client gone while a run is in flight', () => {
  it('leaves no unhandled rejection behind', async () => {
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => rejections.push(r);
    process.on('unhandledRejection', onRejection);
    try {
      const { toServer, client } = inProcessServer();
      client.listen();
      await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
      await client.sendNotification('initialized', {});
      const text = generate(10, 200).text;
      await client.sendNotification('textDocument/didOpen', {
        textDocument: { uri: 'file:///gone/x.fw', languageId: 'fw', version: 1, text },
      });
      // Gone before its diagnostics: the server's run goes on and finds the connection closed.
      client.dispose();
      toServer.end();
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections.map(String)).toEqual([]);
  });
});
