// A burst of edits read at once is parsed once, at its last version. The connection handles
// each message read in an immediate of its own; a diagnostics run started one turn after its
// edit parsed every version of a burst before the next edit was even handled (fuzz sequence
// 6455 of seed 1134: each version of a 1 MB document took 0.3 s). The server here is the real
// one (startServer) on a real connection, in this process, so that its parses can be counted.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { IncrementalParser } from '../../server/src/syntax/incremental';
import { inProcessServer } from './inProcess';

/** One framed message, as a client writes it. */
const framed = (m: object): string => {
  const body = JSON.stringify({ jsonrpc: '2.0', ...m });
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};

describe('a burst of edits', () => {
  afterEach(() => vi.restoreAllMocks());

  it('read at once, is parsed once: at its last version', async () => {
    const { toServer, client } = inProcessServer();
    const published: number[] = [];
    client.onNotification('textDocument/publishDiagnostics', (p: { version?: number }) => published.push(p.version ?? -1));
    client.listen();
    const parsed: number[] = [];
    const real = IncrementalParser.prototype.parse;
    // Each parse of the document, by the version it parsed (the count of '#' the edits typed, + 1).
    vi.spyOn(IncrementalParser.prototype, 'parse').mockImplementation(function (this: IncrementalParser, text) {
      parsed.push((text.match(/#/g)?.length ?? 0) + 1);
      return real.call(this, text);
    });
    await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
    await client.sendNotification('initialized', {});
    const uri = 'file:///burst/x.fw';
    const settled = (version: number) => vi.waitFor(() => expect(published).toContain(version), { timeout: 10_000, interval: 5 });
    await client.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'fw', version: 1, text: 'host a 10.0.0.1\n' },
    });
    await settled(1);
    // Ten edits in one write: read together, handled one per turn.
    let burst = '';
    for (let v = 2; v <= 11; v++) {
      burst += framed({
        method: 'textDocument/didChange',
        params: {
          textDocument: { uri, version: v },
          contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '#' }],
        },
      });
    }
    toServer.write(burst);
    await settled(11);
    expect(parsed).toEqual([1, 11]);
    expect(published).toEqual([1, 11]);
    client.dispose();
    toServer.end();
  });
});
