// The server never falls over (issue 12): malformed JSON-RPC over stdio, a 10 MB document, one
// of 17 MB (more than fwlang reads), 1,000 edits in a second, an unknown method and requests for
// a document never opened each get a proper answer or error; afterwards the server still
// answers a hover, and it logged no caught exception.

import { spawn } from 'node:child_process';
import * as os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompletionRequest,
  DefinitionRequest,
  DocumentSymbolRequest,
  ErrorCodes,
  FoldingRangeRequest,
  HoverRequest,
  type Hover,
  ReferencesRequest,
  SemanticTokensRequest,
  CodeLensRequest,
  CodeActionRequest,
  DocumentFormattingRequest,
  ExecuteCommandRequest,
  RenameRequest,
} from 'vscode-languageserver-protocol/node';
import { SERVER, TestClient, ensureBuilt, fileUri } from './client';

let client: TestClient;
/** Everything the server wrote to stdout, raw (the answers the client library cannot route). */
let raw = '';
const DOC = fileUri(`${os.tmpdir()}/fwlang-hostile/a.fw`);

beforeAll(async () => {
  client = await TestClient.start(`${os.tmpdir()}/fwlang-hostile`);
  client.proc.stdout!.on('data', (d: Buffer) => (raw += d.toString('utf8')));
  await client.open(DOC, 'host web 10.0.1.10\n');
  await client.diagnosticsFor(DOC);
});

afterAll(async () => {
  await client?.stop();
});

/** The server answers a hover on `web` (it is alive and reading). */
async function stillAnswers(): Promise<void> {
  const h = (await client.connection.sendRequest(HoverRequest.type, {
    textDocument: { uri: DOC },
    position: { line: 0, character: 6 },
  })) as Hover | null;
  expect(JSON.stringify(h?.contents)).toContain('web');
  expect(client.alive).toBe(true);
}

/** Writes bytes to the server's stdin as they are, beside the client's own messages. */
function write(bytes: string): void {
  client.proc.stdin!.write(bytes);
}

const framed = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/** The error answers with this id seen on stdout since `from`. */
function errorsSince(from: number, id: number | null): { code: number; message: string }[] {
  const out: { code: number; message: string }[] = [];
  for (const body of raw.slice(from).split(/Content-Length: \d+\r\n\r\n/)) {
    try {
      const m = JSON.parse(body) as { id?: unknown; error?: { code: number; message: string } };
      if (m.error && m.id === id) out.push(m.error);
    } catch {
      /* a partial chunk */
    }
  }
  return out;
}

describe('malformed JSON-RPC', () => {
  it('a body that is not JSON: ParseError (id null), and the next message is read', async () => {
    const from = raw.length;
    write(framed('{"jsonrpc":"2.0","id":1000,"method":'));
    await stillAnswers();
    expect(errorsSince(from, null)).toEqual([{ code: ErrorCodes.ParseError, message: expect.stringMatching(/^the message is not JSON/) }]);
  });

  it('a Content-Length too short: ParseError, the rest skipped up to the next header', async () => {
    const from = raw.length;
    write('Content-Length: 7\r\n\r\n{"jsonrpc":"2.0","id":1001,"method":"textDocument/hover"}');
    await stillAnswers();
    expect(errorsSince(from, null).map((e) => e.code)).toEqual([ErrorCodes.ParseError]);
  });

  it('a Content-Length too long: ParseError when the next message shows up inside it, which is then read', async () => {
    const from = raw.length;
    write('Content-Length: 4000\r\n\r\n{"jsonrpc":"2.0","method":"$/nothing"}');
    await stillAnswers();
    expect(errorsSince(from, null)).toEqual([{ code: ErrorCodes.ParseError, message: 'the Content-Length was longer than the message' }]);
  });

  it('a header without Content-Length, or with a word for one: ParseError, and reading goes on', async () => {
    const from = raw.length;
    write('Content-Type: application/json\r\n\r\n{}');
    await stillAnswers();
    write('Content-Length: twelve\r\n\r\n{}');
    await stillAnswers();
    expect(errorsSince(from, null).map((e) => e.message)).toEqual([
      'bad message header: no Content-Length header',
      'bad message header: bad Content-Length "twelve"',
    ]);
  });

  it('junk that is no header at all (an HTTP request): ParseError, and reading goes on', async () => {
    const from = raw.length;
    write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await stillAnswers();
    expect(errorsSince(from, null).map((e) => e.message)).toEqual(['bad message header: bad header line "GET / HTTP/1.1"']);
  });

  it('a request without a method: InvalidRequest with its id; an array or a number: InvalidRequest, id null', async () => {
    const from = raw.length;
    write(framed('{"jsonrpc":"2.0","id":1002,"params":{}}'));
    write(framed('[1,2,3]'));
    write(framed('42'));
    await stillAnswers();
    expect(errorsSince(from, 1002).map((e) => e.code)).toEqual([ErrorCodes.InvalidRequest]);
    expect(errorsSince(from, null).map((e) => e.code)).toEqual([ErrorCodes.InvalidRequest, ErrorCodes.InvalidRequest]);
  });

  it('an unknown method: MethodNotFound; an unknown notification: nothing', async () => {
    await expect(client.connection.sendRequest('fwlang/noSuchThing', {})).rejects.toMatchObject({ code: ErrorCodes.MethodNotFound });
    await client.connection.sendNotification('fwlang/noSuchNotification', { x: 1 });
    await stillAnswers();
  });
});

describe('a document never opened', () => {
  const uri = fileUri(`${os.tmpdir()}/fwlang-hostile/never.fw`);
  const textDocument = { uri };
  const position = { line: 3, character: 7 };

  it('every request gets its empty answer or an error', async () => {
    const c = client.connection;
    expect(await c.sendRequest(HoverRequest.type, { textDocument, position })).toBeNull();
    expect(await c.sendRequest(CompletionRequest.type, { textDocument, position })).toEqual([]);
    expect(await c.sendRequest(DefinitionRequest.type, { textDocument, position })).toBeNull();
    expect(await c.sendRequest(ReferencesRequest.type, { textDocument, position, context: { includeDeclaration: true } })).toEqual([]);
    expect(await c.sendRequest(RenameRequest.type, { textDocument, position, newName: 'x' })).toBeNull();
    expect(await c.sendRequest(DocumentSymbolRequest.type, { textDocument })).toEqual([]);
    expect(await c.sendRequest(FoldingRangeRequest.type, { textDocument })).toEqual([]);
    expect(await c.sendRequest(SemanticTokensRequest.type, { textDocument })).toEqual({ data: [] });
    expect(await c.sendRequest(CodeLensRequest.type, { textDocument })).toEqual([]);
    expect(
      await c.sendRequest(CodeActionRequest.type, {
        textDocument,
        range: { start: position, end: position },
        context: { diagnostics: [] },
      }),
    ).toEqual([]);
    expect(await c.sendRequest(DocumentFormattingRequest.type, { textDocument, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
    expect(await c.sendRequest(ExecuteCommandRequest.type, { command: 'fwlang.simulate', arguments: [{ uri, line: 0 }] })).toEqual({
      error: 'the document is not open',
    });
    expect(await c.sendRequest('fwlang/picture', { uri, what: 'topology' })).toEqual({ error: 'the document is not open' });
    await stillAnswers();
  });
});

describe('load', () => {
  it('1,000 edits in a second: the last version gets its diagnostics, and the text is what the edits made', async () => {
    const uri = fileUri(`${os.tmpdir()}/fwlang-hostile/typing.fw`);
    await client.open(uri, 'host web 10.0.1.10\nflow web -> web https\n');
    const started = Date.now();
    // Type `host h0 10.0.0.1`-like lines a character at a time, without waiting for anything.
    const typed = Array.from({ length: 40 }, (_, i) => `host h${i} 10.0.${i}.1\n`).join('');
    const edits: Promise<number>[] = [];
    let at = client.text(uri).length;
    for (let i = 0; i < 1000; i++) {
      const ch = typed[i % typed.length]!;
      edits.push(client.replace(uri, at, at, ch));
      at++;
    }
    await Promise.all(edits);
    expect(Date.now() - started).toBeLessThan(5000);
    const last = await client.diagnosticsFor(uri, 60_000);
    expect(last.version).toBe(1001);
    // The server's text is the client's: the symbols name the hosts typed last.
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as { name: string }[];
    expect(symbols.map((s) => s.name)).toContain('h39');
    // Diagnostics were published for far fewer versions than were sent (the rest were superseded).
    expect(client.published.get(uri)!.length).toBeLessThan(1000);
    await client.close(uri);
    await stillAnswers();
  }, 90_000);

  it('a 10 MB document of 450,000 duplicate declarations: 100 diagnostics of the code and one that counts the rest', async () => {
    const uri = fileUri(`${os.tmpdir()}/fwlang-hostile/big.fw`);
    const line = 'host twin 10.20.30.40\n';
    const text = line.repeat(Math.ceil(10_000_000 / line.length));
    await client.open(uri, text);
    const p = await client.diagnosticsFor(uri, 120_000);
    const dup = p.diagnostics.filter((d) => d.code === 'duplicate-name');
    expect(dup).toHaveLength(101);
    expect(dup.at(-1)!.message).toMatch(/^\d+ more `duplicate-name` diagnostics in this file, from here on, not listed/);
    expect(p.diagnostics.length).toBeLessThan(500);
    const h = (await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: 0, character: 6 },
    })) as Hover | null;
    expect(JSON.stringify(h?.contents)).toContain('twin');
    await client.close(uri);
    await stillAnswers();
  }, 180_000);

  it('a 17 MB document, more than fwlang reads: one diagnostic that says so, nothing coloured, nothing listed', async () => {
    const uri = fileUri(`${os.tmpdir()}/fwlang-hostile/huge.fw`);
    const line = 'host twin 10.20.30.40\n';
    await client.open(uri, line.repeat(Math.ceil((17 * 2 ** 20) / line.length)));
    const p = await client.diagnosticsFor(uri, 120_000);
    expect(p.diagnostics.map((d) => [d.code, d.range.start, d.message])).toEqual([
      ['syntax', { line: 0, character: 0 }, 'too large (17 MB; fwlang reads files of at most 16 MB): nothing in it was read'],
    ]);
    const tokens = (await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } })) as { data: number[] };
    expect(tokens.data).toEqual([]);
    expect(await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })).toEqual([]);
    await client.close(uri);
    await stillAnswers();
  }, 180_000);

  it('logged no caught exception through all of it', () => {
    expect(client.logs.filter((l) => /^fwlang:/.test(l))).toEqual([]);
    expect(client.alive).toBe(true);
  });
});

describe('the end of the client', () => {
  // With the hardened reader the server owns no stream of vscode-languageserver's, which used to
  // end the process when stdin closed: a server left behind by a killed editor ran on.
  it('stdin closed without shutdown: exit code 1; after a shutdown request: 0', async () => {
    await ensureBuilt();
    const run = async (shutdownFirst: boolean) => {
      const proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
      if (shutdownFirst) {
        const init = JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { processId: null, rootUri: null, capabilities: {} },
        });
        const shut = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'shutdown' });
        proc.stdin.write(
          `Content-Length: ${Buffer.byteLength(init)}\r\n\r\n${init}Content-Length: ${Buffer.byteLength(shut)}\r\n\r\n${shut}`,
        );
        await new Promise<void>((resolve) => {
          let out = '';
          proc.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('"id":2')) resolve();
          });
        });
      }
      proc.stdin.end();
      return Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 10_000))]);
    };
    expect(await run(false)).toBe(1);
    expect(await run(true)).toBe(0);
  }, 30_000);
});
