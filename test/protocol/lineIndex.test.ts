// The document's own line index (vscode-languageserver-textdocument's, made when a position is
// first asked for) is made after an open's diagnostics are out, not by the first edit: that
// made the first keystroke in a file of 2,000 rules 6–9 ms slower (issue 12). The server is
// the real one on a real connection, in this process, so that the index's making can be seen.

import { TextDocument } from 'vscode-languageserver-textdocument';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inProcessServer } from './inProcess';

describe('the line index of an opened document', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is made once the open is published, so the first edit does not make it', async () => {
    // Every document of the library shares this prototype; its line offsets are made on the
    // first call of getLineOffsets, kept in `_lineOffsets` (and kept up by each edit after).
    const proto = Object.getPrototypeOf(TextDocument.create('file:///p.fw', 'fw', 1, '')) as {
      getLineOffsets(this: { _lineOffsets?: number[] }): number[];
    };
    const real = proto.getLineOffsets;
    const made: string[] = [];
    let phase = 'open';
    vi.spyOn(proto, 'getLineOffsets').mockImplementation(function (this: { _lineOffsets?: number[]; uri: string }) {
      if (this._lineOffsets === undefined) made.push(`${phase} ${this.uri}`);
      return real.call(this);
    });

    const { toServer, client } = inProcessServer();
    const published: number[] = [];
    client.onNotification('textDocument/publishDiagnostics', (p: { version?: number }) => published.push(p.version ?? -1));
    client.listen();
    await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
    await client.sendNotification('initialized', {});
    const uri = 'file:///line-index/x.fw';
    const text = Array.from({ length: 200 }, (_, i) => `host h${i} 10.0.${i}.1`).join('\n');
    await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'fw', version: 1, text } });
    await vi.waitFor(() => expect(published).toContain(1), { timeout: 10_000, interval: 5 });
    await vi.waitFor(() => expect(made).toEqual([`open ${uri}`]), { timeout: 5_000, interval: 5 });

    phase = 'edit';
    await client.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 100, character: 8 }, end: { line: 100, character: 9 } }, text: '9' }],
    });
    await vi.waitFor(() => expect(published).toContain(2), { timeout: 10_000, interval: 5 });
    expect(made).toEqual([`open ${uri}`]);
    client.dispose();
    toServer.end();
  });
});
