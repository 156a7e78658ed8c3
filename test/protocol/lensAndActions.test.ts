// Code lenses, the simulate command and quick fixes over the wire, on the spec §1 example.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CodeAction,
  CodeActionRequest,
  type CodeLens,
  CodeLensRequest,
  CodeLensResolveRequest,
  ExecuteCommandRequest,
} from 'vscode-languageserver-protocol/node';
import { SPEC_EXAMPLE, TestClient, applyTextEdits, resolvedLenses } from './client';

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
    const lenses = await resolvedLenses(client, uri);
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

    const after = await resolvedLenses(client, uri);
    const ran = after.find((l) => l.range.start.line === flowLine);
    expect(ran?.command?.title).toMatch(/^✔ allowed/);
    // Lenses that were not run keep their title.
    const denyLine = SPEC_EXAMPLE.split('\n').findIndex((l) => l.startsWith('flow bob:51000'));
    expect(after.find((l) => l.range.start.line === denyLine)?.command?.title).toBe('▶ Simulate');
  });

  it("a lens comes without its command, given when the editor resolves it; a rule's then shows its run", async () => {
    const uri = 'file:///protocol/rule-lenses.fw';
    await client.open(uri, SPEC_EXAMPLE);
    await client.diagnosticsFor(uri);
    const doc = { textDocument: { uri } };
    const lineOf = (start: string) => SPEC_EXAMPLE.split('\n').findIndex((l) => l.trimStart().startsWith(start));
    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, doc)) ?? [];
    expect(lenses.filter((l) => l.command)).toEqual([]);
    const resolve = (l: CodeLens) => client.connection.sendRequest(CodeLensResolveRequest.type, l);
    const resolved = await Promise.all(lenses.map(resolve));
    expect(resolved.map((l) => l.range)).toEqual(lenses.map((l) => l.range));
    // The three flows, then the request rules of both firewalls (edge 100 and 120, catogram-sg's two), not their responses.
    expect(resolved.map((l) => [l.range.start.line, l.command?.title])).toEqual([
      [lineOf('flow bob -> catogram https'), '▶ Simulate'],
      [lineOf('flow catogram -> updates'), '▶ Simulate'],
      [lineOf('flow bob:51000'), '▶ Simulate'],
      [lineOf('100 inbound'), '▶ Simulate a request like this'],
      [lineOf('120 outbound'), '▶ Simulate a request like this'],
      [lineOf('inbound  allow tcp from internet'), '▶ Simulate a request like this'],
      [lineOf('outbound allow tcp from catogram to updates'), '▶ Simulate a request like this'],
    ]);
    const line = lineOf('120 outbound');
    const lens = resolved[4]!;
    expect(lens.command).toEqual({ title: '▶ Simulate a request like this', command: 'fwlang.simulateRule', arguments: [{ uri, line }] });

    const result = (await client.connection.sendRequest(ExecuteCommandRequest.type, {
      command: lens.command!.command,
      arguments: lens.command!.arguments,
    })) as { title: string };
    expect(result.title).toBe('• allowed');
    // Asked again, the lens is resolved with the run's title; the other rules' lenses are as before.
    const after = await resolvedLenses(client, uri);
    expect(after.find((l) => l.range.start.line === line)?.command?.title).toBe('• allowed · ▶ Simulate again');
    expect(after.find((l) => l.range.start.line === lineOf('100 inbound'))?.command?.title).toBe('▶ Simulate a request like this');
    // A lens that already has its command, or data the server did not make, comes back as it was.
    expect(await resolve(after[0]!)).toEqual(after[0]);
    const [docId, , , version] = lenses[0]!.data as number[];
    for (const data of [['x', -1], [0, 1], [0, 1, 7, 1], [0.5, 1, 0, 1], [docId, 0, 0], [docId, 0, 0, 0.5], null]) {
      const odd = { range: lens.range, data };
      expect(await resolve(odd)).toEqual(odd);
    }
    // A flow's lens on a line where no flow is any more: "▶ Simulate", which then says there is none.
    const stale = await resolve({ range: lens.range, data: [docId, 0, 0, version] });
    expect(stale.command?.title).toBe('▶ Simulate');
  });

  it("a flow's lens made before an edit moved the lines shows no other flow's verdict or refusal", async () => {
    const uri = 'file:///protocol/moved-lenses.fw';
    // A refused flow (its via is off its path) just above one that simulates.
    const text = SPEC_EXAMPLE.replace(
      'flow bob -> catogram https',
      'firewall nope stateful protects 192.0.2.0/24 {\n}\nflow bob -> catogram https via nope\nflow bob -> catogram https',
    );
    await client.open(uri, text);
    await client.diagnosticsFor(uri);
    const lines = text.split('\n');
    const via = lines.findIndex((l) => l.includes('via nope'));
    const before = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
    const good = before.find((l) => l.range.start.line === via + 1)!;
    const resolve = (l: CodeLens) => client.connection.sendRequest(CodeLensResolveRequest.type, l);
    expect((await resolve(good)).command?.title).toBe('▶ Simulate');
    expect((await resolve(before.find((l) => l.range.start.line === via)!)).command?.title).toMatch(/^⚠ Not simulated: flow-path/);
    // A line inserted at the top: the refused flow is now on the line the good flow's old lens names.
    await client.change(uri, [{ text: `# a comment\n${text}` }]);
    await client.diagnosticsFor(uri);
    expect((await resolve(good)).command?.title).toBe('▶ Simulate');
    // Its new lenses say again which is which.
    const after = await resolvedLenses(client, uri);
    expect(after.find((l) => l.range.start.line === via + 1)?.command?.title).toMatch(/^⚠ Not simulated: flow-path/);
    expect(after.find((l) => l.range.start.line === via + 2)?.command?.title).toBe('▶ Simulate');
  });

  it('simulating the expected deny flow reports it blocked, marked ✔ because it met its expect', async () => {
    const uri = 'file:///protocol/spec-example.fw';
    const line = SPEC_EXAMPLE.split('\n').findIndex((l) => l.startsWith('flow bob:51000'));
    const result = (await client.connection.sendRequest(ExecuteCommandRequest.type, {
      command: 'fwlang.simulate',
      arguments: [{ uri, line }],
    })) as { title: string };
    expect(result.title).toMatch(/^✔ blocked/);
  });

  it('a file with an error in a firewall: the lens and the command give no verdict and say why', async () => {
    const uri = 'file:///protocol/statefull.fw';
    const text =
      'host web 10.0.1.10\nhost bob 198.51.100.23\nfirewall fw statefull protects web {\n  inbound allow tcp to web port 443\n}\nflow bob -> web https expect allow\n';
    await client.open(uri, text);
    await client.diagnosticsFor(uri);
    const lenses = await resolvedLenses(client, uri);
    const lens = lenses.find((l) => l.range.start.line === 5);
    expect(lens?.command?.title).toMatch(/^⚠ Not simulated: syntax error on line 3( \(and \d+ more errors?\))?$/);
    const result = (await client.connection.sendRequest(ExecuteCommandRequest.type, {
      command: 'fwlang.simulate',
      arguments: [{ uri, line: 5 }],
    })) as { error?: string; title?: string };
    expect(result.title).toBeUndefined();
    expect(result.error).toMatch(/^`bob -> web https` is not simulated: syntax error on line 3: /);
    const typed = (await client.connection.sendRequest(ExecuteCommandRequest.type, {
      command: 'fwlang.simulateText',
      arguments: [{ uri, flow: 'bob -> web tcp 22' }],
    })) as { error?: string; title?: string };
    expect(typed.error).toMatch(/is not simulated: syntax error on line 3/);
    // The error mended by an edit: the flow, not simulated while refused, is simulated now.
    await client.change(uri, [{ text: text.replace('statefull', 'stateful') }]);
    await client.diagnosticsFor(uri);
    expect((await resolvedLenses(client, uri)).find((l) => l.range.start.line === 5)?.command?.title).toBe('▶ Simulate');
    const mended = (await client.connection.sendRequest(ExecuteCommandRequest.type, {
      command: 'fwlang.simulate',
      arguments: [{ uri, line: 5 }],
    })) as { error?: string; title?: string };
    expect(mended.error).toBeUndefined();
    expect(mended.title).toMatch(/^✔ allowed/);
  });

  it('a flow whose via is off its path: the lens says flow-path, the others still simulate', async () => {
    const uri = 'file:///protocol/via.fw';
    const text = `${SPEC_EXAMPLE}flow bob -> catogram https via nope\n`.replace(
      'flow bob -> catogram https via nope',
      'firewall nope stateful protects 192.0.2.0/24 {\n}\nflow bob -> catogram https via nope',
    );
    await client.open(uri, text);
    await client.diagnosticsFor(uri);
    const lenses = await resolvedLenses(client, uri);
    const lines = text.split('\n');
    const via = lines.findIndex((l) => l.includes('via nope'));
    expect(lenses.find((l) => l.range.start.line === via)?.command?.title).toBe(`⚠ Not simulated: flow-path error on line ${via + 1}`);
    const bob = lines.findIndex((l) => l.startsWith('flow bob -> catogram https expect'));
    expect(lenses.find((l) => l.range.start.line === bob)?.command?.title).toBe('▶ Simulate');
  });
});

describe('simulate at the cursor: the server decides whether it is a flow or a rule', () => {
  const uri = 'file:///protocol/simulate-at.fw';
  const text = [
    'host web 10.0.1.10',
    'host laptop 192.0.2.7',
    'firewall front stateful protects 10.0.1.0/24 {',
    '  # the laptop may browse',
    '  inbound allow tcp from laptop to web port https',
    '}',
    'flow laptop',
    '  -> web https expect allow   # two lines',
    '',
    '',
  ].join('\n');
  const at = async (line: number, character: number) =>
    (await client.connection.sendRequest(ExecuteCommandRequest.type, {
      command: 'fwlang.simulateAt',
      arguments: [{ uri, position: { line, character } }],
    })) as { error?: string; title?: string; flow?: { flow: string; line: number | null } };

  it('on a rule: a request like it; on any line of a flow: that flow; below a statement: the statement', async () => {
    await client.open(uri, text);
    await client.diagnosticsFor(uri);
    const rule = await at(4, 20);
    expect(rule.flow).toMatchObject({ flow: 'laptop -> web https', line: null });
    for (const [line, character] of [
      [6, 0],
      [7, 10],
      [8, 0],
    ] as const) {
      const flow = await at(line, character);
      expect(flow.flow, `line ${line + 1}`).toMatchObject({ flow: 'laptop -> web https', line: 7 });
      expect(flow.title).toBe('✔ allowed');
    }
    // Nothing to run on a declaration, nor two empty lines below a statement.
    expect((await at(0, 3)).error).toMatch(/no flow or rule/);
    expect((await at(9, 0)).error).toMatch(/no flow or rule/);
  });

  it('an argument the command cannot read is refused with what is missing', async () => {
    const send = (command: string, arg: unknown) =>
      client.connection.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] }) as Promise<{ error?: string }>;
    expect((await send('fwlang.simulateAt', { uri, line: 4 })).error).toBe('missing position');
    expect((await send('fwlang.simulate', { uri, line: 'four' })).error).toBe('missing line');
    expect((await send('fwlang.simulateText', { uri })).error).toBe('missing flow text');
    expect((await send('fwlang.simulateRule', { line: 4 })).error).toBe('missing document');
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
