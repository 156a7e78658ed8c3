// The editing features over the wire: completion, definition, references, rename, outline,
// formatting, semantic tokens, folding and document links.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CompletionItem,
  CompletionItemKind,
  CompletionRequest,
  DefinitionRequest,
  type DocumentSymbol,
  DocumentFormattingRequest,
  DocumentLinkRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  type Location,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  ResponseError,
  type SemanticTokensDelta,
  SemanticTokensDeltaRequest,
  SemanticTokensRequest,
  SymbolKind,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { SPEC_EXAMPLE, TestClient, applyTextEdits, fileUri, offsetOf } from './client';

let client: TestClient;
let dir: string;
let mainUri: string;
let incUri: string;

const SPEC_URI = 'file:///protocol/editing/spec.fw';

const MAIN = `include "common/inventory.fw"

host srv 192.0.2.10 ephemeral linux

firewall srv-fw stateless protects srv {
  inbound  allow tcp from admins to srv port ssh
  outbound allow tcp from srv port ssh to admins port ephemeral
}

flow admins -> srv ssh via srv-fw expect allow
`;
const INVENTORY = `network admins 10.20.0.0/24 ephemeral linux
host mirror 203.0.113.80
`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-protocol-'));
  fs.mkdirSync(path.join(dir, 'common'));
  fs.writeFileSync(path.join(dir, 'main.fw'), MAIN);
  fs.writeFileSync(path.join(dir, 'common/inventory.fw'), INVENTORY);
  mainUri = fileUri(path.join(dir, 'main.fw'));
  incUri = fileUri(path.join(dir, 'common/inventory.fw'));
  client = await TestClient.start(dir);
  await client.open(SPEC_URI, SPEC_EXAMPLE);
  await client.open(mainUri, MAIN);
  await client.diagnosticsFor(SPEC_URI);
  await client.diagnosticsFor(mainUri);
});

afterAll(async () => {
  await client?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function pos(uri: string, needle: string, nth = 0, delta = 1) {
  return client.docs.get(uri)!.positionAt(offsetOf(client.text(uri), needle, nth, delta));
}

async function complete(uri: string, text: string, marker = '|'): Promise<CompletionItem[]> {
  const at = text.indexOf(marker);
  const body = text.replace(marker, '');
  await client.change(uri, [{ text: body }]);
  const r = await client.connection.sendRequest(CompletionRequest.type, {
    textDocument: { uri },
    position: client.docs.get(uri)!.positionAt(at),
  });
  return Array.isArray(r) ? r : (r?.items ?? []);
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label).sort();

describe('completion', () => {
  const uri = 'file:///protocol/editing/completion.fw';
  const base = SPEC_EXAMPLE;

  beforeAll(async () => {
    await client.open(uri, base);
  });

  it('offers statement keywords at the start of a line', async () => {
    const items = await complete(uri, `${base}|`);
    expect(labels(items)).toEqual(['default', 'ephemeral', 'firewall', 'flow', 'host', 'include', 'nat', 'network', 'service']);
    expect(items.every((i) => i.kind === CompletionItemKind.Keyword)).toBe(true);
  });

  it('walks a rule: direction, action, protocol, from/to, endpoints, ports', async () => {
    const fw = `${base}firewall f stateless protects catogram {\n  `;
    expect(labels(await complete(uri, `${fw}|`))).toEqual(['inbound', 'outbound']);
    expect(labels(await complete(uri, `${fw}inbound |`))).toEqual(['allow', 'deny']);
    expect(labels(await complete(uri, `${fw}inbound allow |`))).toEqual(['all', 'icmp', 'tcp', 'udp']);
    expect(labels(await complete(uri, `${fw}inbound allow tcp |`))).toEqual(expect.arrayContaining(['from', 'to']));

    const endpoints = await complete(uri, `${fw}inbound allow tcp from |\n}`);
    expect(labels(endpoints)).toEqual(['any', 'bob', 'catogram', 'internet', 'updates']);
    const bob = endpoints.find((i) => i.label === 'bob')!;
    expect(bob.kind).toBe(CompletionItemKind.Variable);
    expect(bob.detail).toContain('198.51.100.23');

    const ports = await complete(uri, `${fw}inbound allow tcp from internet to catogram port |\n}`);
    expect(labels(ports)).toEqual(expect.arrayContaining(['https', 'http', 'ssh', 'dns', 'ephemeral']));
    expect(ports.find((i) => i.label === 'https')!.detail).toBe('tcp 443');
    expect(ports.find((i) => i.label === 'dns')!.detail).toContain('udp 53');
  });

  it('replaces the whole word being typed, dashes included', async () => {
    const items = await complete(uri, `${base}flow bob -> catogram https via catogram-s|`);
    const sg = items.find((i) => i.label === 'catogram-sg')!;
    expect(sg.kind).toBe(CompletionItemKind.Class);
    const edit = sg.textEdit as TextEdit;
    const lines = client.text(uri).split('\n');
    const line = lines.length - 1;
    expect(edit.range.start).toEqual({ line, character: lines[line]!.indexOf('catogram-s') });
    expect(edit.newText).toBe('catogram-sg');
  });

  it('knows flows, profiles and expectations', async () => {
    expect(labels(await complete(uri, `${base}flow bob -> catogram |`))).toEqual(
      expect.arrayContaining(['https', 'ssh', 'tcp', 'udp', 'icmp']),
    );
    expect(labels(await complete(uri, `${base}flow bob -> catogram https expect |`))).toEqual(['allow', 'deny']);
    const profiles = await complete(uri, `${base}host x 10.9.9.9 ephemeral |`);
    expect(labels(profiles)).toEqual(['iana', 'linux', 'macos', 'wide', 'windows']);
    expect(profiles.find((i) => i.label === 'linux')!.detail).toContain('32768-60999');
  });

  it('offers nothing in a comment or where a new name goes', async () => {
    expect(await complete(uri, `${base}# a comment |`)).toEqual([]);
    expect(await complete(uri, `${base}host |`)).toEqual([]);
  });
});

describe('navigation', () => {
  it('goes to the declaration, in this file and in an included one', async () => {
    const here = (await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: SPEC_URI },
      position: pos(SPEC_URI, 'catogram port https'),
    })) as Location[];
    expect(here).toEqual([{ uri: SPEC_URI, range: { start: { line: 3, character: 8 }, end: { line: 3, character: 16 } } }]);
    const there = (await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: mainUri },
      position: pos(mainUri, 'admins'),
    })) as Location[];
    expect(there).toEqual([{ uri: incUri, range: { start: { line: 0, character: 8 }, end: { line: 0, character: 14 } } }]);
  });

  it('finds references, with or without the declaration', async () => {
    const params = (includeDeclaration: boolean) => ({
      textDocument: { uri: SPEC_URI },
      position: pos(SPEC_URI, 'catogram', 2),
      context: { includeDeclaration },
    });
    const withDecl = (await client.connection.sendRequest(ReferencesRequest.type, params(true)))!;
    const without = (await client.connection.sendRequest(ReferencesRequest.type, params(false)))!;
    // `catogram` is declared once and used in 6 rules, 1 protects and 3 flows; `catogram-sg` is another name.
    expect(without).toHaveLength(10);
    expect(withDecl).toHaveLength(11);
    expect(withDecl.some((l) => l.range.start.line === 3)).toBe(true);
    expect(without.some((l) => l.range.start.line === 3)).toBe(false);
  });
});

describe('rename', () => {
  it('prepares with the name range, and renames every use and the declaration', async () => {
    const position = pos(SPEC_URI, 'catogram port https', 0, 3);
    const prep = await client.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri: SPEC_URI }, position });
    expect(prep).toEqual({ range: { start: { line: 9, character: 42 }, end: { line: 9, character: 50 } }, placeholder: 'catogram' });
    const edit = await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: SPEC_URI }, position, newName: 'web' });
    const edits = edit!.changes![SPEC_URI]!;
    expect(edits).toHaveLength(11);
    const after = applyTextEdits(SPEC_EXAMPLE, edits);
    expect(after).toContain('host    web  10.0.1.10');
    expect(after).toContain('flow bob -> web https expect allow');
    expect(after).toContain('firewall catogram-sg stateful protects web {');
    expect(after.replace(/#.*/g, '')).not.toMatch(/\bcatogram\b(?!-)/);
  });

  it('renames across the included file', async () => {
    const edit = await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri: mainUri },
      position: pos(mainUri, 'admins'),
      newName: 'ops',
    });
    expect(Object.keys(edit!.changes!).sort()).toEqual([incUri, mainUri].sort());
    expect(applyTextEdits(INVENTORY, edit!.changes![incUri]!)).toContain('network ops 10.20.0.0/24');
    expect(applyTextEdits(MAIN, edit!.changes![mainUri]!)).toContain('flow ops -> srv ssh');
  });

  it('refuses built-ins, keywords and bad or taken names with a message', async () => {
    const refusal = async (uri: string, position: { line: number; character: number }, newName?: string) => {
      try {
        if (newName === undefined) {
          await client.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position });
        } else {
          await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position, newName });
        }
      } catch (e) {
        expect(e).toBeInstanceOf(ResponseError);
        return (e as ResponseError<void>).message;
      }
      throw new Error('expected a refusal');
    };
    expect(await refusal(SPEC_URI, pos(SPEC_URI, 'linux'))).toMatch(/built-in/);
    expect(await refusal(SPEC_URI, pos(SPEC_URI, 'inbound'))).toMatch(/keyword/);
    const bob = pos(SPEC_URI, 'bob', 1);
    expect(await refusal(SPEC_URI, bob, '9lives')).toMatch(/not a valid name/);
    expect(await refusal(SPEC_URI, bob, 'port')).toMatch(/keyword/);
    expect(await refusal(SPEC_URI, bob, 'updates')).toMatch(/already/);
    expect(await refusal(SPEC_URI, bob, 'http')).toMatch(/already/);
  });
});

describe('outline', () => {
  it('lists declarations, firewalls with their rules, and flows', async () => {
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, {
      textDocument: { uri: SPEC_URI },
    })) as DocumentSymbol[];
    const byName = new Map(symbols.map((s) => [s.name, s]));
    expect(byName.get('bob')).toMatchObject({ kind: SymbolKind.Variable, detail: '198.51.100.23 ephemeral linux' });
    expect(byName.get('internet')?.kind).toBe(SymbolKind.Namespace);
    expect(byName.get('https')).toMatchObject({ kind: SymbolKind.Constant, detail: 'tcp 443' });
    const edge = byName.get('edge')!;
    expect(edge).toMatchObject({ kind: SymbolKind.Class, detail: 'stateless protects 10.0.1.0/24' });
    expect(edge.children!.map((c) => c.name)).toEqual([
      '100 inbound allow tcp',
      '110 outbound allow tcp',
      '120 outbound allow tcp',
      '130 inbound allow tcp',
    ]);
    expect(edge.children![0]!.detail).toBe('from internet to catogram port https');
    expect(byName.get('flow bob -> catogram https')).toMatchObject({ kind: SymbolKind.Event, detail: 'expect allow' });
    expect(symbols.filter((s) => s.kind === SymbolKind.Event)).toHaveLength(3);
  });
});

describe('formatting', () => {
  const uri = 'file:///protocol/editing/format.fw';
  const messy = `# header comment
host   bob 198.51.100.23   ephemeral linux
host catogram    10.0.1.10
firewall   edge stateless
    protects   10.0.1.0/24 {   # the edge
100 inbound allow tcp from any to catogram port [ http,https ]  # request
        # a note
 90 outbound   allow tcp from catogram port https to any port 1024 - 65535
}
flow bob:51000->catogram https    expect allow
`;
  // The author padded the declarations: they stay in (normalised) columns.
  const expected = `# header comment
host bob      198.51.100.23 ephemeral linux
host catogram 10.0.1.10
firewall edge stateless protects 10.0.1.0/24 { # the edge
  100 inbound  allow tcp from any                 to catogram port [http, https] # request
  # a note
   90 outbound allow tcp from catogram port https to any port 1024-65535
}
flow bob:51000 -> catogram https expect allow
`;

  const format = async () =>
    (await client.connection.sendRequest(DocumentFormattingRequest.type, {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    }))!;

  it('aligns the rules, indents them, one space elsewhere, and is idempotent', async () => {
    await client.open(uri, messy);
    const edits = await format();
    expect(edits.length).toBeGreaterThan(0);
    const formatted = applyTextEdits(messy, edits);
    expect(formatted).toBe(expected);
    await client.change(uri, [{ text: formatted }]);
    expect(await format()).toEqual([]);
  });

  it('keeps the spec example stable once formatted', async () => {
    await client.change(uri, [{ text: SPEC_EXAMPLE }]);
    const once = applyTextEdits(SPEC_EXAMPLE, await format());
    expect(once).toContain('  100 inbound  allow tcp from internet            to catogram port https     # request in\n');
    expect(once).toContain('  110 outbound allow tcp from catogram port https to internet port ephemeral # its response\n');
    await client.change(uri, [{ text: once }]);
    expect(await format()).toEqual([]);
  });

  it('leaves a file with syntax errors alone', async () => {
    await client.change(uri, [{ text: 'host   bob 1.2.3.4\nfirewall f stateless protects bob {\n  inbound allow tcp from\n' }]);
    expect(await format()).toEqual([]);
  });
});

describe('semantic tokens', () => {
  it('encodes keywords, names by kind, numbers, addresses and comments', async () => {
    const legend = client.initializeResult!.capabilities.semanticTokensProvider!.legend;
    const r = await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri: SPEC_URI } });
    const data = r!.data;
    expect(data.length % 5).toBe(0);
    const lines = SPEC_EXAMPLE.split('\n');
    const tokens = new Map<string, { type: string; modifiers: string[] }>();
    let line = 0;
    let char = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i]!;
      char = data[i] === 0 ? char + data[i + 1]! : data[i + 1]!;
      const text = lines[line]!.slice(char, char + data[i + 2]!);
      const modifiers = legend.tokenModifiers.filter((_, b) => data[i + 4]! & (1 << b));
      tokens.set(`${line}:${char}:${text}`, { type: legend.tokenTypes[data[i + 3]!]!, modifiers });
    }
    /** The token of the `nth` occurrence of `needle`. */
    const at = (needle: string, nth = 0) => {
      const offset = offsetOf(SPEC_EXAMPLE, needle, nth);
      const before = SPEC_EXAMPLE.slice(0, offset).split('\n');
      return tokens.get(`${before.length - 1}:${before.at(-1)!.length}:${needle}`);
    };
    expect(at('# Bob browses catogram; catogram fetches software updates.')?.type).toBe('comment');
    expect(at('host')?.type).toBe('keyword');
    expect(at('bob')).toEqual({ type: 'variable', modifiers: ['declaration'] });
    expect(at('198.51.100.23')?.type).toBe('number');
    expect(at('linux')).toEqual({ type: 'enumMember', modifiers: ['defaultLibrary'] });
    expect(at('edge')).toEqual({ type: 'type', modifiers: ['declaration'] });
    expect(at('100', 1)?.type).toBe('number');
    expect(at('internet', 1)).toEqual({ type: 'variable', modifiers: [] });
    expect(at('https', 1)).toEqual({ type: 'function', modifiers: [] });
    expect(at('https')).toEqual({ type: 'function', modifiers: ['declaration'] });
    expect(at('->')?.type).toBe('operator');
    expect(at('catogram-sg')).toEqual({ type: 'type', modifiers: ['declaration'] });
  });

  it('after an edit, sends the edits from the tokens the editor holds', async () => {
    const provider = client.initializeResult!.capabilities.semanticTokensProvider!;
    expect(provider.full).toEqual({ delta: true });
    const uri = 'file:///protocol/editing/tokens-delta.fw';
    await client.open(uri, SPEC_EXAMPLE);
    const first = (await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } }))!;
    expect(first.resultId).toBeTruthy();
    // A new name where a port was: one token's type, and the lengths after it on its line.
    const at = offsetOf(SPEC_EXAMPLE, 'https', 2);
    await client.replace(uri, at, at + 'https'.length, 'ssh');
    await client.diagnosticsFor(uri);
    const delta = await client.connection.sendRequest(SemanticTokensDeltaRequest.type, {
      textDocument: { uri },
      previousResultId: first.resultId!,
    });
    expect(delta && 'edits' in delta).toBe(true);
    const { edits, resultId } = delta as SemanticTokensDelta;
    expect(resultId).not.toBe(first.resultId);
    const held = [...first.data];
    for (const e of [...edits].sort((a, b) => b.start - a.start)) held.splice(e.start, e.deleteCount, ...(e.data ?? []));
    const fresh = (await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } }))!;
    expect(held).toEqual(fresh.data);
    expect(edits.reduce((n, e) => n + (e.data?.length ?? 0), 0)).toBeLessThan(fresh.data.length / 4);
    // A result the server did not send last (here: superseded by `fresh`): the full tokens.
    const stale = await client.connection.sendRequest(SemanticTokensDeltaRequest.type, {
      textDocument: { uri },
      previousResultId: resultId!,
    });
    expect(stale && 'data' in stale && stale.data).toEqual(fresh.data);
  });
});

describe('folding and links', () => {
  it('folds firewall bodies and comment runs', async () => {
    const uri = 'file:///protocol/editing/folding.fw';
    await client.open(uri, `# one\n# two\n# three\nhost a 10.0.0.1\n${SPEC_EXAMPLE}`);
    const ranges = (await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } }))!;
    expect(ranges).toEqual(
      expect.arrayContaining([
        { startLine: 0, endLine: 2, kind: 'comment' },
        { startLine: 12, endLine: 16 },
        { startLine: 20, endLine: 22 },
      ]),
    );
  });

  it('links an include to the file it names', async () => {
    const links = (await client.connection.sendRequest(DocumentLinkRequest.type, { textDocument: { uri: mainUri } }))!;
    expect(links).toHaveLength(1);
    expect(links[0]!.target).toBe(incUri);
    expect(links[0]!.range).toEqual({ start: { line: 0, character: 9 }, end: { line: 0, character: 28 } });
  });
});
