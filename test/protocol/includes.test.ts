// A file that includes another, over the wire: the includer's diagnostics follow the included
// file (edited in the editor or on disk), each lens runs its own rule or flow, and rename
// reaches the files that include the renamed name's file.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeLensRequest,
  CodeLensResolveRequest,
  DidChangeWatchedFilesNotification,
  ExecuteCommandRequest,
  FileChangeType,
  ReferencesRequest,
  RenameRequest,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { TestClient, applyTextEdits, fileUri, offsetOf } from './client';

let client: TestClient;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-includes-'));
  // The workspace folder: the editor includes only files inside it.
  client = await TestClient.start(dir);
});

afterAll(async () => {
  await client?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` into a fresh folder of the test directory; returns their paths by name. */
function folder(name: string, files: Record<string, string>): Record<string, string> {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  const out: Record<string, string> = {};
  for (const [f, text] of Object.entries(files)) {
    out[f] = path.join(d, f);
    fs.mkdirSync(path.dirname(out[f]), { recursive: true });
    fs.writeFileSync(out[f], text);
  }
  return out;
}

const unknownWeb2 = (p: { diagnostics: { code?: unknown; message: string }[] }) =>
  p.diagnostics.some((d) => d.code === 'unknown-name' && d.message.includes('web2'));

const ROOT_USING_WEB2 = 'include "inc.fw"\nhost bob 198.51.100.23\nflow bob -> web2 https\n';
const INC = 'host web 10.0.1.10\n';

describe('the includer follows the included file', () => {
  it('adding `host web2` to an open included file clears the includer’s unknown-name', async () => {
    const p = folder('editor', { 'root.fw': ROOT_USING_WEB2, 'inc.fw': INC });
    const root = fileUri(p['root.fw']!);
    const inc = fileUri(p['inc.fw']!);
    await client.open(inc, INC);
    await client.open(root, ROOT_USING_WEB2);
    expect(unknownWeb2(await client.diagnosticsFor(root))).toBe(true);

    await client.replace(inc, INC.length, INC.length, 'host web2 10.0.1.11\n');
    const after = await client.waitForDiagnostics(root, (d) => !unknownWeb2(d));
    expect(after.diagnostics.map((d) => d.message)).toEqual([]);
    await client.close(root);
    await client.close(inc);
  });

  it('adding `host web2` on disk to an included file that is not open clears it after didChangeWatchedFiles', async () => {
    const p = folder('disk', { 'root.fw': ROOT_USING_WEB2, 'inc.fw': INC });
    const root = fileUri(p['root.fw']!);
    await client.open(root, ROOT_USING_WEB2);
    expect(unknownWeb2(await client.diagnosticsFor(root))).toBe(true);

    fs.writeFileSync(p['inc.fw']!, `${INC}host web2 10.0.1.11\n`);
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: fileUri(p['inc.fw']!), type: FileChangeType.Changed }],
    });
    const after = await client.waitForDiagnostics(root, (d) => !unknownWeb2(d));
    expect(after.diagnostics.map((d) => d.message)).toEqual([]);
    await client.close(root);
  });

  it('an included file created on disk after the includer was checked clears its include-error', async () => {
    const p = folder('created', { 'root.fw': ROOT_USING_WEB2 });
    const root = fileUri(p['root.fw']!);
    await client.open(root, ROOT_USING_WEB2);
    const before = await client.diagnosticsFor(root);
    expect(before.diagnostics.map((d) => d.code)).toContain('include-error');

    const inc = path.join(path.dirname(p['root.fw']!), 'inc.fw');
    fs.writeFileSync(inc, `${INC}host web2 10.0.1.11\n`);
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: fileUri(inc), type: FileChangeType.Created }],
    });
    const after = await client.waitForDiagnostics(root, (d) => d.diagnostics.length === 0);
    expect(after.diagnostics).toEqual([]);
    await client.close(root);
  });

  it('closing an included file with unsaved edits brings the includer back to the disk’s text', async () => {
    const p = folder('closed', { 'root.fw': ROOT_USING_WEB2, 'inc.fw': INC });
    const root = fileUri(p['root.fw']!);
    const inc = fileUri(p['inc.fw']!);
    await client.open(inc, `${INC}host web2 10.0.1.11\n`);
    await client.open(root, ROOT_USING_WEB2);
    expect(unknownWeb2(await client.diagnosticsFor(root))).toBe(false);
    await client.close(inc);
    await client.waitForDiagnostics(root, unknownWeb2);
    await client.close(root);
  });

  it('the server asks to watch .fw files when the client can register a watcher', async () => {
    expect(client.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles')).toBe(true);
  });
});

describe('lenses of a file that includes another', () => {
  // The included firewall's rules sit on the same lines as the root's: a lens that took a
  // rule of the other file would cut this text at the other file's offsets.
  const INC_FW = [
    'host db 10.0.2.20',
    'host api 10.0.2.30',
    'firewall back stateful protects 10.0.2.0/24 {',
    '  inbound allow tcp from api to db port 5432',
    '  inbound allow tcp from any to api port 8443',
    '}',
    '',
  ].join('\n');
  const ROOT = [
    'include "inc.fw"',
    'host web 10.0.1.10',
    'host laptop 192.0.2.7',
    'firewall front stateful protects 10.0.1.0/24 {',
    '  inbound allow tcp from laptop to web port https',
    '  inbound allow udp from any to web port 53',
    '}',
    'flow laptop -> web https expect allow',
    'flow web -> db tcp 5432',
    '',
  ].join('\n');

  it('every lens runs its own rule or flow, with its own line and text', async () => {
    const p = folder('lenses', { 'root.fw': ROOT, 'inc.fw': INC_FW });
    const uri = fileUri(p['root.fw']!);
    await client.open(uri, ROOT);
    await client.diagnosticsFor(uri);
    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
    const lines = ROOT.split('\n');
    // Two request rules and two flows of this file; none of the included file.
    expect(lenses.map((l) => l.range.start.line)).toEqual([7, 8, 4, 5]);
    const expected: Record<number, string> = {
      4: 'laptop -> web https',
      5: 'any -> web udp 53',
      7: 'laptop -> web https',
      8: 'web -> db tcp 5432',
    };
    for (const shown of lenses) {
      // A request rule's lens gets its command when the editor resolves it.
      const lens = shown.command ? shown : await client.connection.sendRequest(CodeLensResolveRequest.type, shown);
      const line = lens.range.start.line;
      const result = (await client.connection.sendRequest(ExecuteCommandRequest.type, {
        command: lens.command!.command,
        arguments: lens.command!.arguments,
      })) as { error?: string; flow?: { flow: string; line: number | null } };
      expect(result.error, `line ${line + 1}: ${lines[line]}`).toBeUndefined();
      expect(result.flow!.flow, `line ${line + 1}: ${lines[line]}`).toBe(expected[line]);
      if (lines[line]!.startsWith('flow')) expect(result.flow!.line).toBe(line + 1);
    }
    await client.close(uri);
  });
});

describe('rename and references reach the files that include the name’s file', () => {
  const INC_DECL = 'host web 10.0.1.10\nnetwork lan 10.0.1.0/24\n';
  const ROOT_A = 'include "inc.fw"\nhost bob 198.51.100.23\nflow bob -> web https\n';
  const ROOT_B = 'include "inc.fw"\nfirewall edge stateful protects lan {\n  inbound allow tcp to web port https\n}\n';

  function editedTexts(edit: WorkspaceEdit, texts: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) out[uri] = applyTextEdits(texts[uri] ?? '', edits);
    return out;
  }

  it('renaming from the included file edits the open includers too', async () => {
    const p = folder('rename-from-inc', { 'inc.fw': INC_DECL, 'a.fw': ROOT_A, 'b.fw': ROOT_B });
    const [inc, a, b] = [fileUri(p['inc.fw']!), fileUri(p['a.fw']!), fileUri(p['b.fw']!)];
    await client.open(a, ROOT_A);
    await client.open(b, ROOT_B);
    await client.open(inc, INC_DECL);
    await client.diagnosticsFor(a);
    await client.diagnosticsFor(b);
    await client.diagnosticsFor(inc);
    const position = client.docs.get(inc)!.positionAt(offsetOf(INC_DECL, 'web', 0, 1));
    const edit = (await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: inc }, position, newName: 'www' }))!;
    expect(editedTexts(edit, { [inc]: INC_DECL, [a]: ROOT_A, [b]: ROOT_B })).toEqual({
      [inc]: INC_DECL.replace('web', 'www'),
      [a]: ROOT_A.replace('web', 'www'),
      [b]: ROOT_B.replace('web', 'www'),
    });
    const refs = (await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: inc },
      position,
      context: { includeDeclaration: false },
    }))!;
    expect(refs.map((r) => r.uri).sort()).toEqual([a, b].sort());
    // A name an includer declares is taken: `bob` of a.fw would be declared twice there.
    await expect(
      client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: inc }, position, newName: 'bob' }),
    ).rejects.toThrow(/`bob` is already declared/);
    for (const u of [a, b, inc]) await client.close(u);
  });

  it('renaming from one includer edits the included file and the other open includers', async () => {
    const p = folder('rename-from-root', { 'inc.fw': INC_DECL, 'a.fw': ROOT_A, 'b.fw': ROOT_B });
    const [inc, a, b] = [fileUri(p['inc.fw']!), fileUri(p['a.fw']!), fileUri(p['b.fw']!)];
    await client.open(a, ROOT_A);
    await client.open(b, ROOT_B);
    await client.diagnosticsFor(a);
    await client.diagnosticsFor(b);
    const position = client.docs.get(a)!.positionAt(offsetOf(ROOT_A, 'web', 0, 1));
    const edit = (await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: a }, position, newName: 'www' }))!;
    expect(editedTexts(edit, { [inc]: INC_DECL, [a]: ROOT_A, [b]: ROOT_B })).toEqual({
      [inc]: INC_DECL.replace('web', 'www'),
      [a]: ROOT_A.replace('web', 'www'),
      [b]: ROOT_B.replace('web', 'www'),
    });
    for (const u of [a, b]) await client.close(u);
  });

  it('renaming from an included file edits the files of the workspace folder that include it, open or not', async () => {
    const p = folder('rename-in-folder', { 'inc.fw': INC_DECL, 'a.fw': ROOT_A, 'sub/b.fw': ROOT_B.replace('"inc.fw"', '"../inc.fw"') });
    const inFolder = await TestClient.start(path.dirname(p['inc.fw']!));
    try {
      const [inc, a, b] = [fileUri(p['inc.fw']!), fileUri(p['a.fw']!), fileUri(p['sub/b.fw']!)];
      await inFolder.open(inc, INC_DECL);
      await inFolder.diagnosticsFor(inc);
      const position = inFolder.docs.get(inc)!.positionAt(offsetOf(INC_DECL, 'web', 0, 1));
      const edit = (await inFolder.connection.sendRequest(RenameRequest.type, { textDocument: { uri: inc }, position, newName: 'www' }))!;
      const B = fs.readFileSync(p['sub/b.fw']!, 'utf8');
      expect(editedTexts(edit, { [inc]: INC_DECL, [a]: ROOT_A, [b]: B })).toEqual({
        [inc]: INC_DECL.replace('web', 'www'),
        [a]: ROOT_A.replace('web', 'www'),
        [b]: B.replace('to web', 'to www'),
      });
    } finally {
      await inFolder.stop();
    }
  });
});
