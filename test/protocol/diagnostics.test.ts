// Diagnostics over the wire: open, incremental edits, a burst of edits, and inputs that
// must not bring the server down.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DiagnosticSeverity,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  CompletionRequest,
  SemanticTokensRequest,
  DefinitionRequest,
} from 'vscode-languageserver-protocol/node';
import { SPEC_EXAMPLE, TestClient, offsetOf } from './client';

let client: TestClient;

beforeAll(async () => {
  client = await TestClient.start();
});

afterAll(async () => {
  await client?.stop();
});

describe('diagnostics', () => {
  it('announces the editing features', () => {
    const caps = client.initializeResult!.capabilities;
    expect(caps.textDocumentSync).toMatchObject({ openClose: true, change: 2 });
    expect(caps.completionProvider).toBeTruthy();
    expect(caps.definitionProvider).toBe(true);
    expect(caps.referencesProvider).toBe(true);
    expect(caps.renameProvider).toMatchObject({ prepareProvider: true });
    expect(caps.documentSymbolProvider).toBeTruthy();
    expect(caps.semanticTokensProvider?.legend.tokenTypes).toContain('keyword');
    expect(caps.foldingRangeProvider).toBe(true);
    expect(caps.documentFormattingProvider).toBe(true);
    expect(caps.documentLinkProvider).toBeTruthy();
  });

  it('publishes an unknown name with its code and documentation link on open', async () => {
    const uri = 'file:///protocol/unknown.fw';
    await client.open(uri, 'host bob 198.51.100.23\nflow bob -> catogrm https\n');
    const p = await client.diagnosticsFor(uri);
    expect(p.version).toBe(1);
    const d = p.diagnostics.find((x) => x.code === 'unknown-name');
    expect(d, JSON.stringify(p.diagnostics)).toBeDefined();
    expect(d!.severity).toBe(DiagnosticSeverity.Error);
    expect(d!.source).toBe('fwlang');
    expect(d!.range).toEqual({ start: { line: 1, character: 12 }, end: { line: 1, character: 19 } });
    expect(d!.codeDescription?.href).toMatch(/unknown-name\.md$/);
    expect(client.configurationRequests).toBeGreaterThan(0);
  });

  it('answers an incremental change with the diagnostics of the new text', async () => {
    const uri = 'file:///protocol/incremental.fw';
    const text = 'host bob 198.51.100.23\nhost web 192.0.2.10\nflow bob -> web https\n';
    await client.open(uri, text);
    expect((await client.diagnosticsFor(uri)).diagnostics).toEqual([]);
    // Rename the use `web` to `webb`: an insertion in the middle of line 3.
    const at = offsetOf(text, 'web https', 0, 3);
    const v = await client.replace(uri, at, at, 'b');
    expect(client.text(uri)).toContain('flow bob -> webb https');
    const p = await client.diagnosticsFor(uri);
    expect(p.version).toBe(v);
    expect(p.diagnostics.map((d) => d.code)).toEqual(['unknown-name']);
    expect(p.diagnostics[0]!.message).toContain('web');
    // And back: a deletion clears it.
    const v2 = await client.replace(uri, at, at + 1, '');
    const p2 = await client.diagnosticsFor(uri);
    expect(p2.version).toBe(v2);
    expect(p2.diagnostics).toEqual([]);
  });

  it('after a burst of 30 edits, the last publish is for the final text', async () => {
    const uri = 'file:///protocol/burst.fw';
    await client.open(uri, 'host bob 198.51.100.23\n');
    await client.diagnosticsFor(uri);
    // Typed one character at a time: most intermediate texts do not parse.
    const typed = 'flow bob -> nowhere tcp 8080\n#';
    expect(typed.length).toBe(30);
    let v = 0;
    for (const ch of typed) {
      const end = client.text(uri).length;
      v = await client.replace(uri, end, end, ch);
    }
    expect(v).toBe(31);
    const final = await client.diagnosticsFor(uri);
    await client.settle(uri);
    const last = client.lastPublished(uri)!;
    expect(last.version).toBe(31);
    expect(last).toEqual(final);
    expect(last.diagnostics.map((d) => d.code)).toEqual(['unknown-name']);
    expect(last.diagnostics[0]!.message).toContain('nowhere');
    // Versions never go backwards, and the burst did not cause one publish per edit.
    const versions = client.published.get(uri)!.map((p) => p.version ?? 0);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(versions.length).toBeLessThan(31);
  });

  it('survives garbage: binary, a huge line, deep nesting; and still answers afterwards', async () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
    const binary = Array.from({ length: 64 * 1024 }, () => String.fromCharCode(rnd())).join('');
    const inputs: Record<string, string> = {
      'file:///protocol/binary.fw': binary,
      'file:///protocol/hugeline.fw':
        'host a 10.0.0.1 '.repeat(3_000) + '- [ , '.repeat(30_000) + 'flow a -> a https ' + 'x'.repeat(500_000),
      'file:///protocol/nesting.fw': 'firewall f stateless protects any {'.repeat(2_000) + '['.repeat(5_000) + '}'.repeat(3_000),
      'file:///protocol/unicode.fw': 'host 名前 1.2.3.4 # ünïcödé 🔥\nflow 🔥 -> \u0000\u200b https\n\r\r\n\t',
    };
    for (const [uri, text] of Object.entries(inputs)) {
      await client.open(uri, text);
      const p = await client.diagnosticsFor(uri, 20_000);
      expect(p.version).toBe(1);
      const end = client.docs.get(uri)!.positionAt(Math.floor(text.length / 2));
      const doc = { textDocument: { uri } };
      // Every feature answers (whatever it answers) without taking the server down.
      await client.connection.sendRequest(SemanticTokensRequest.type, doc);
      await client.connection.sendRequest(DocumentSymbolRequest.type, doc);
      await client.connection.sendRequest(FoldingRangeRequest.type, doc);
      expect(
        await client.connection.sendRequest(DocumentFormattingRequest.type, { ...doc, options: { tabSize: 2, insertSpaces: true } }),
      ).toEqual([]);
      await client.connection.sendRequest(CompletionRequest.type, { ...doc, position: end });
      await client.connection.sendRequest(DefinitionRequest.type, { ...doc, position: end });
      // An edit at the very end of the garbage is handled too.
      const n = client.text(uri).length;
      await client.replace(uri, n, n, '\nhost zz 10.9.9.9\n');
      await client.diagnosticsFor(uri, 20_000);
      await client.close(uri);
    }
    expect(client.alive).toBe(true);
    const uri = 'file:///protocol/after-garbage.fw';
    await client.open(uri, SPEC_EXAMPLE);
    const p = await client.diagnosticsFor(uri);
    expect(p.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
    expect(client.stderr).not.toMatch(/uncaught|unhandled/i);
  });
});
