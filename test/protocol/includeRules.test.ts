// In the editor, an include stays in the workspace folders the client named at initialize:
// one that resolves outside them (by `..`, an absolute path or a symbolic link) is an
// include-error and is never read; the simulate commands re-read includes the same way.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecuteCommandRequest } from 'vscode-languageserver-protocol/node';
import { TestClient, fileUri } from './client';

let client: TestClient;
let base: string;
let ws: string;

beforeAll(async () => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-include-rules-')));
  ws = path.join(base, 'ws');
  fs.mkdirSync(path.join(ws, 'common'), { recursive: true });
  fs.mkdirSync(path.join(base, 'outside'));
  fs.writeFileSync(path.join(ws, 'common', 'inventory.fw'), 'host web 10.0.1.10\n');
  fs.writeFileSync(path.join(base, 'outside', 'secret.fw'), 'host web 10.0.1.10\nhost vault 10.6.6.6\n');
  fs.symlinkSync(path.join(base, 'outside', 'secret.fw'), path.join(ws, 'common', 'linked.fw'));
  client = await TestClient.start(ws);
});

afterAll(async () => {
  await client?.stop();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

const messages = (p: { diagnostics: { code?: unknown; message: string }[] }) =>
  p.diagnostics.filter((d) => d.code === 'include-error').map((d) => d.message);

describe('includes in the editor', () => {
  it('inside the workspace folder: read as always', async () => {
    const uri = fileUri(path.join(ws, 'inside.fw'));
    await client.open(uri, 'include "common/inventory.fw"\nhost bob 198.51.100.23\nflow bob -> web https\n');
    const p = await client.diagnosticsFor(uri);
    expect(p.diagnostics.filter((d) => d.code === 'include-error' || d.code === 'unknown-name')).toEqual([]);
  });

  it('outside it, by .., by an absolute path or by a link: include-error, naming the folder and nothing of the file', async () => {
    const uri = fileUri(path.join(ws, 'outside.fw'));
    const text = [
      'include "../outside/secret.fw"',
      `include "${path.join(base, 'outside', 'secret.fw')}"`,
      'include "common/linked.fw"',
      'host bob 198.51.100.23',
      'flow bob -> vault https',
      '',
    ].join('\n');
    await client.open(uri, text);
    const p = await client.diagnosticsFor(uri);
    const why = `is not included: it is outside the workspace folder ${ws}`;
    expect(messages(p)).toEqual([
      `\`../outside/secret.fw\` ${why}`,
      `\`${path.join(base, 'outside', 'secret.fw')}\` ${why}`,
      `\`common/linked.fw\` ${why}`,
    ]);
    // `vault` is declared only in the refused file: unknown here.
    expect(p.diagnostics.some((d) => d.code === 'unknown-name' && d.message.includes('vault'))).toBe(true);
    // The simulation reads includes the same way: the flow is still not simulated.
    const r = (await client.connection.sendRequest(ExecuteCommandRequest.type, {
      command: 'fwlang.simulateText',
      arguments: [{ uri, flow: 'bob -> vault https' }],
    })) as { error?: string };
    expect(r.error).toMatch(/vault/);
  });

  it('a file that is not .fw, or not text, is refused in the editor too', async () => {
    fs.writeFileSync(path.join(ws, 'common', 'notes.txt'), 'host notes 10.0.0.1\n');
    fs.writeFileSync(path.join(ws, 'common', 'image.fw'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0x41]));
    const uri = fileUri(path.join(ws, 'kinds.fw'));
    await client.open(uri, 'include "common/notes.txt"\ninclude "common/image.fw"\n');
    const p = await client.diagnosticsFor(uri);
    expect(messages(p)).toEqual([
      '`common/notes.txt` is not a .fw file: only .fw files can be included',
      '`common/image.fw` is not a text file (it holds NUL characters, the first at offset 4): nothing in it was read',
    ]);
  });

  it('a file larger than fwlang reads is refused before it is read, with its size', async () => {
    fs.writeFileSync(path.join(ws, 'common', 'huge.fw'), 'host vault 10.6.6.6\n'.repeat(Math.ceil((17 * 2 ** 20) / 20)));
    const uri = fileUri(path.join(ws, 'huge-include.fw'));
    await client.open(uri, 'include "common/huge.fw"\nhost bob 198.51.100.23\nflow bob -> vault https\n');
    const p = await client.diagnosticsFor(uri);
    expect(messages(p)).toEqual(['`common/huge.fw` is not included: too large (17 MB; fwlang reads files of at most 16 MB)']);
    expect(p.diagnostics.some((d) => d.code === 'unknown-name' && d.message.includes('vault'))).toBe(true);
  });
});
