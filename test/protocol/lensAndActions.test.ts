// Code lenses, the simulate command and quick fixes over the wire, on the spec §1 example.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CodeAction,
  CodeActionRequest,
  CodeLensRequest,
  ExecuteCommandRequest,
} from 'vscode-languageserver-protocol/node';
import { SPEC_EXAMPLE, TestClient, applyTextEdits } from './client';

let client: TestClient;

beforeAll(async () => {
  client = await TestClient.start();
});

afterAll(async () => {
  await client?.stop();
});

async function until<T>(f: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('code lens and simulate', () => {
  it('a lens above each flow runs fwlang.simulate; afterwards its title shows the verdict', async () => {
    const uri = 'file:///protocol/spec-example.fw';
    await client.open(uri, SPEC_EXAMPLE);
    await client.diagnosticsFor(uri);
    const doc = { textDocument: { uri } };
    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, doc)) ?? [];
    const flowLine = SPEC_EXAMPLE.split('\n').findIndex((l) => l.startsWith('flow bob -> catogram https'));
    const lens = lenses.find((l) => l.range.start.line === flowLine);
    expect(lens?.command?.title).toBe('▶ Simulate');
    expect(lens?.command?.command).toBe('fwlang.simulate');

    const refreshesBefore = client.codeLensRefreshes;
    const result = (await client.connection.sendRequest(ExecuteCommandRequest.type, {
      command: lens!.command!.command,
      arguments: lens!.command!.arguments,
    })) as { title: string; trace: string; flow: { verdict?: string } };
    expect(result.title).toBe('✔ allowed');
    expect(result.trace).toContain('edge');
    // The server asks the editor to refresh its lenses (the client said it can).
    await until(() => (client.codeLensRefreshes > refreshesBefore ? true : undefined), 'workspace/codeLens/refresh');

    const after = (await client.connection.sendRequest(CodeLensRequest.type, doc)) ?? [];
    const ran = after.find((l) => l.range.start.line === flowLine);
    expect(ran?.command?.title).toMatch(/^✔ allowed/);
    // Lenses that were not run keep their title.
    const denyLine = SPEC_EXAMPLE.split('\n').findIndex((l) => l.startsWith('flow bob:51000'));
    expect(after.find((l) => l.range.start.line === denyLine)?.command?.title).toBe('▶ Simulate');
  });

  it('simulating the expected deny flow reports it blocked', async () => {
    const uri = 'file:///protocol/spec-example.fw';
    const line = SPEC_EXAMPLE.split('\n').findIndex((l) => l.startsWith('flow bob:51000'));
    const result = (await client.connection.sendRequest(ExecuteCommandRequest.type, {
      command: 'fwlang.simulate',
      arguments: [{ uri, line }],
    })) as { title: string };
    expect(result.title).toMatch(/^✘ blocked/);
  });
});

describe('code actions', () => {
  it('the host-bits quick fix gives the network address', async () => {
    const uri = 'file:///protocol/host-bits.fw';
    const text = 'network n 10.0.1.5/24\n';
    await client.open(uri, text);
    const p = await client.diagnosticsFor(uri);
    const d = p.diagnostics.find((x) => x.code === 'invalid-address');
    expect(d, JSON.stringify(p.diagnostics)).toBeDefined();
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: d!.range,
      context: { diagnostics: [d!], only: ['quickfix'] },
    })) as CodeAction[];
    const fix = actions.find((a) => a.kind === 'quickfix' && a.title.includes('10.0.1.0/24'));
    expect(fix, JSON.stringify(actions)).toBeDefined();
    expect(fix!.diagnostics?.[0]?.code).toBe('invalid-address');
    const edits = fix!.edit!.changes![uri]!;
    expect(applyTextEdits(text, edits)).toBe('network n 10.0.1.0/24\n');
  });
});
