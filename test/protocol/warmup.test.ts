// The per-edit code run on a scratch copy after an open (server/src/lsp/warmup.ts): what the
// copy holds, that its edits go through the editor's incremental path and give what a fresh
// analysis gives, that it yields to waiting work, runs once, and leaves the user's document alone.

import type { Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { afterEach, describe, expect, it } from 'vitest';
import { generate } from '../../bench/generate';
import { DEFAULT_SETTINGS, type DocContext, type Settings } from '../../server/src/features/docContext';
import { COPIED_RULES, EditWarmup, MIN_RULES, WARMUP_EDITS, scratchDocuments, warmupText } from '../../server/src/lsp/warmup';
import { Workspace } from '../../server/src/lsp/workspace';
import { parse } from '../../server/src/syntax/parse';
import { fresh } from '../incremental/pipeline';

/** What the warm-up said went wrong: nothing, after every test. */
const errors: string[] = [];
const connection = { console: { error: (m: string) => errors.push(m) } } as unknown as Connection;
afterEach(() => {
  expect(errors.splice(0)).toEqual([]);
});

/** A scratch Workspace that records each version it analysed, with its text and diagnostics. */
class RecordingWorkspace extends Workspace {
  readonly seen: { version: number; text: string; ctx: DocContext }[] = [];

  constructor() {
    super(scratchDocuments(), connection);
  }

  override contextSync(doc: TextDocument, settings: Settings): DocContext {
    const ctx = super.contextSync(doc, settings);
    this.seen.push({ version: doc.version, text: doc.getText(), ctx });
    return ctx;
  }
}

function statementsOf(text: string) {
  return parse(text).ast.statements;
}

/** Runs `warmup` on `text` (its statements parsed here), scratch workspaces from `scratch`. */
function warm(
  warmup: EditWarmup,
  text: string,
  busy: () => boolean = () => false,
  scratch: () => Workspace = () => new RecordingWorkspace(),
  statements = statementsOf(text),
): Promise<number> {
  return warmup.run(text, statements, DEFAULT_SETTINGS, scratch, busy);
}

describe('warmupText', () => {
  it('copies the declarations and flows with the first rules of the biggest firewall, and picks a port digit in it', () => {
    const text = [
      'host web 10.0.0.10',
      'include "other.fw"',
      'firewall small stateless protects web {',
      '  100 inbound allow tcp from any to web port 443',
      '}',
      'firewall big stateless protects web {',
      ...Array.from({ length: 80 }, (_, i) => `  ${100 + i} inbound allow tcp from any to web port ${1000 + i}`),
      '}',
      'flow 198.51.100.7 -> web tcp 1001 expect allow',
      '',
    ].join('\n');
    const w = warmupText(text, statementsOf(text))!;
    const lines = w.text.split('\n');
    expect(lines[0]).toBe('host web 10.0.0.10');
    expect(w.text).not.toContain('include');
    expect(w.text).not.toContain('firewall small');
    expect(lines[1]).toBe('firewall big stateless protects web {');
    // The first COPIED_RULES rules, then the closing brace, then the flow.
    expect(lines.slice(2, 2 + COPIED_RULES)).toEqual(text.split('\n').slice(6, 6 + COPIED_RULES));
    expect(lines[2 + COPIED_RULES]).toBe('}');
    expect(lines[3 + COPIED_RULES]).toBe('flow 198.51.100.7 -> web tcp 1001 expect allow');
    // The digit edited: the last of a port number of a rule in the middle of the copy.
    const line = w.text.slice(w.text.lastIndexOf('\n', w.at) + 1, w.text.indexOf('\n', w.at));
    expect(line).toBe(`  125 inbound allow tcp from any to web port 1025`);
    expect(w.text[w.at]).toBe('5');
    expect(w.digits).toEqual(['6', '5']);
    // The copy parses as the original does: no syntax error of its making.
    expect(parse(w.text).diagnostics).toEqual([]);
  });

  it('copies nothing when no firewall has MIN_RULES rules, or none has a port number', () => {
    const rules = (n: number, port = true) =>
      Array.from({ length: n }, (_, i) => `  ${100 + i} inbound allow tcp from any to 10.0.0.1${port ? ' port 80' : ''}`);
    const doc = (n: number, port = true) => ['firewall f stateless protects 10.0.0.0/24 {', ...rules(n, port), '}', ''].join('\n');
    expect(warmupText(doc(MIN_RULES - 1), statementsOf(doc(MIN_RULES - 1)))).toBeUndefined();
    expect(warmupText(doc(MIN_RULES), statementsOf(doc(MIN_RULES)))).toBeDefined();
    expect(warmupText(doc(MIN_RULES, false), statementsOf(doc(MIN_RULES, false)))).toBeUndefined();
  });

  it('copies nothing when the declarations are too many to copy', () => {
    const hosts = Array.from({ length: 30_000 }, (_, i) => `host h${i} 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const text = [...hosts, generate(1, 60).text].join('\n');
    expect(warmupText(text, statementsOf(text))).toBeUndefined();
  });
});

describe('EditWarmup', () => {
  const text = generate(3, 120).text;

  it('edits the copy WARMUP_EDITS times through the incremental path, each version analysed as a fresh analysis would', async () => {
    let scratch: RecordingWorkspace | undefined;
    const warmup = new EditWarmup(connection);
    const edits = await warm(warmup, text, undefined, () => (scratch = new RecordingWorkspace()));
    expect(edits).toBe(WARMUP_EDITS);
    expect(scratch!.seen.map((s) => s.version)).toEqual(Array.from({ length: WARMUP_EDITS + 1 }, (_, i) => i + 1));
    // Incremental: the declarations, unchanged, keep their symbol objects from version to version.
    const web0 = scratch!.seen.map((s) => s.ctx.analysis.model.symbols.get('web0'));
    expect(web0[0]).toBeDefined();
    for (const sym of web0) expect(sym).toBe(web0[0]);
    // The edits alternate one digit, so the copy's text alternates between two versions.
    const [a, b] = [scratch!.seen[1]!.text, scratch!.seen[2]!.text];
    expect(a).not.toBe(b);
    expect(scratch!.seen[3]!.text).toBe(a);
    for (const s of scratch!.seen) {
      expect(JSON.stringify(s.ctx.analysis.diagnostics), `version ${s.version}`).toBe(JSON.stringify(fresh(s.text).diagnostics));
    }
  });

  it('runs once per server; a second document is not warmed again', async () => {
    const warmup = new EditWarmup(connection);
    let made = 0;
    const scratch = () => (made++, new RecordingWorkspace());
    expect(await warm(warmup, text, undefined, scratch)).toBe(WARMUP_EDITS);
    expect(await warm(warmup, text, undefined, scratch)).toBe(0);
    expect(made).toBe(1);
  });

  it('stops as soon as work is waiting, and runs again later when it was stopped', async () => {
    const warmup = new EditWarmup(connection);
    let turns = 0;
    expect(await warm(warmup, text, () => ++turns > 3)).toBe(3);
    expect(await warm(warmup, text, () => true)).toBe(0);
    expect(await warm(warmup, text)).toBe(WARMUP_EDITS);
  });

  it('does nothing for a document without a firewall big enough', async () => {
    const small = generate(2, 40).text;
    let made = 0;
    const warmup = new EditWarmup(connection);
    expect(await warm(warmup, small, undefined, () => (made++, new RecordingWorkspace()))).toBe(0);
    expect(made).toBe(0);
  });

  it("leaves the user's document, its caches and its results alone", async () => {
    // The user's document in a Workspace of its own; the warm-up gets its text and parse only.
    const { TextDocuments } = await import('vscode-languageserver');
    const { TextDocument } = await import('vscode-languageserver-textdocument');
    const documents = new TextDocuments(TextDocument);
    const ws = new Workspace(documents, connection);
    const doc = TextDocument.create('file:///user/doc.fw', 'fw', 1, text);
    const before = ws.contextSync(doc, DEFAULT_SETTINGS);
    const diagnostics = JSON.stringify(before.analysis.diagnostics);
    const warmup = new EditWarmup(connection);
    expect(await warm(warmup, before.text, undefined, undefined, ws.parsed(doc).ast.statements)).toBe(WARMUP_EDITS);
    expect(ws.contextSync(doc, DEFAULT_SETTINGS)).toBe(before);
    expect(JSON.stringify(before.analysis.diagnostics)).toBe(diagnostics);
    expect(doc.getText()).toBe(text);
  });
});
