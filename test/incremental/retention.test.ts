// What the editor keeps between versions of a document must not keep the old versions alive
// (issue 12's memory), each case run through the editor's pipeline in a separate Node process:
// - the text: V8 cuts strings as views into the whole text, so one chunk, token image, cached
//   key or message cut from a version would hold that whole version. Ten edits, each in another
//   firewall of a document; a heap snapshot then counts the versions still in memory;
// - a firewall edited again and again: the analyses' per-firewall caches (RecentCache) held the
//   last four versions of it, with everything they reach, which so outlived V8's young
//   generation and piled up in the old one as garbage. Weak references count what is left;
// - the language server's workspace, when a newer version arrives: its results for the version
//   before (the parse, the model, the analysis, and through them that version's whole text) are
//   never used again, and are dropped then, not when the new version's replace them, so that a
//   young-generation collection while the new version is computed does not find them alive.
import { describe, expect, it } from 'vitest';
import { runAlone } from '../support/runAlone';

const SCRIPT = `
import { getHeapSnapshot } from 'node:v8';
import { generate } from '../../bench/generate';
import { Pipeline } from './pipeline';

const FIREWALLS = 10;
const base = generate(FIREWALLS, 24).text.split('\\n');
/** Version k: its own first line, and one port of firewall k-1 changed. */
function version(k: number): string {
  const lines = [...base];
  const at = lines.findIndex((l) => l.startsWith('firewall acl' + ((k - 1) % FIREWALLS) + ' '));
  const rule = lines.findIndex((l, i) => i > at && / port \\d+/.test(l));
  lines[rule] = lines[rule]!.replace(/ port (\\d+)/, (_m, p) => ' port ' + (Number(p) + k));
  return '# fwlang-retention version ' + k + '\\n' + lines.join('\\n');
}
const p = new Pipeline();
for (let k = 1; k <= FIREWALLS; k++) p.analyze(version(k));

const chunks: Buffer[] = [];
getHeapSnapshot()
  .on('data', (c: Buffer) => chunks.push(c))
  .on('end', () => {
    const snapshot = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const versions = new Set<string>();
    for (const s of snapshot.strings as string[]) {
      const m = /^# fwlang-retention version (\\d+)\\n/.exec(s);
      if (m) versions.add(m[1]!);
    }
    console.log(JSON.stringify([...versions].map(Number).sort((a, b) => a - b)));
  });
`;

const FIREWALL_VERSIONS = `
import { generate } from '../../bench/generate';
import { Pipeline } from './pipeline';

const base = generate(4, 24).text.split('\\n');
/** Version k: one port of firewall acl1 changed (a new Firewall object each time). */
function version(k: number): string {
  const lines = [...base];
  const at = lines.findIndex((l) => l.startsWith('firewall acl1 '));
  const rule = lines.findIndex((l, i) => i > at && / port \\d+/.test(l));
  lines[rule] = lines[rule]!.replace(/ port (\\d+)/, (_m, p) => ' port ' + (Number(p) + k));
  return lines.join('\\n');
}
const p = new Pipeline();
const versions: WeakRef<object>[] = [];
let last: unknown;
for (let k = 1; k <= 10; k++) {
  const a = p.analyze(version(k));
  const fw = a.model.firewalls.find((f) => f.name === 'acl1')!;
  versions.push(new WeakRef(fw));
  last = a;
}
// A WeakRef keeps its target until the end of the job that made it: collect in a later one.
setTimeout(() => {
  (globalThis as { gc?: () => void }).gc!();
  const alive = versions.flatMap((w, i) => (w.deref() ? [i + 1] : []));
  console.log(JSON.stringify(alive), last ? '' : '-');
}, 0);
`;

const WORKSPACE_VERSIONS = `
import { TextDocument } from 'vscode-languageserver-textdocument';
import { generate } from '../../bench/generate';
import { DEFAULT_SETTINGS } from '../../server/src/features/docContext';
import { Workspace } from '../../server/src/lsp/workspace';

const uri = 'file:///tmp/fwlang-retention/workspace.fw';
const text = generate(4, 24).text;
let doc = TextDocument.create(uri, 'fw', 1, text);
const documents = { get: (u: string) => (u === uri ? doc : undefined), all: () => [doc] };
const ws = new Workspace(documents as never, {} as never);
const first = ws.contextSync(doc, DEFAULT_SETTINGS);
const old = {
  context: new WeakRef(first),
  model: new WeakRef(first.analysis.model),
  ast: new WeakRef(ws.parsed(doc).ast),
  // The line index shared for the last text asked (LineIndex.of), and with it that whole text.
  lines: new WeakRef(first.lines),
};
const line = text.split('\\n').findIndex((l) => / port \\d/.test(l));
if (line < 0) throw new Error('the generated text has no port to edit');
const character = text.split('\\n')[line]!.search(/ port \\d/) + 6;
doc = TextDocument.update(doc, [{ range: { start: { line, character }, end: { line, character: character + 1 } }, text: '7' }], 2);
// What the server does on didChange, before anything of version 2 is computed.
ws.versionChanged(uri);
setTimeout(() => {
  (globalThis as { gc?: () => void }).gc!();
  const alive = Object.entries(old).flatMap(([k, w]) => (w.deref() ? [k] : []));
  // The workspace is still in use (else all of it is garbage, and the test proves nothing).
  const now = ws.contextSync(doc, DEFAULT_SETTINGS);
  console.log(JSON.stringify(alive), now.version);
}, 0);
`;

const SEMANTIC_TOKENS = `
import { getHeapSnapshot } from 'node:v8';
import { generate } from '../../bench/generate';
import { SemanticTokenCache } from '../../server/src/features/semanticTokens';

const FIREWALLS = 10;
const base = generate(FIREWALLS, 24).text.split('\\n');
function version(k: number): string {
  const lines = [...base];
  const at = lines.findIndex((l) => l.startsWith('firewall acl' + ((k - 1) % FIREWALLS) + ' '));
  const rule = lines.findIndex((l, i) => i > at && / port \\d+/.test(l));
  lines[rule] = lines[rule]!.replace(/ port (\\d+)/, (_m, p) => ' port ' + (Number(p) + k));
  return '# fwlang-retention version ' + k + '\\n' + lines.join('\\n');
}
const cache = new SemanticTokenCache();
let length = 0;
function ask(): void {
  for (let k = 1; k <= FIREWALLS; k++) {
    const text = version(k);
    length = text.length;
    cache.pieces(text);
  }
}
ask();
// In a later turn, no version is in use: a whole one still in memory is kept by the cache.
// (V8 keeps the last string a regular expression ran on, for RegExp.lastMatch: another one
// clears it.)
setTimeout(snapshot, 0);
function snapshot(): void {
/x/.exec('x');
const chunks: Buffer[] = [];
getHeapSnapshot()
  .on('data', (c: Buffer) => chunks.push(c))
  .on('end', () => {
    const snapshot = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    // By each string's own size: the snapshot cuts long strings' text short.
    const fields: string[] = snapshot.snapshot.meta.node_fields;
    const types: string[] = snapshot.snapshot.meta.node_types[0];
    const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
    const whole = new Set<number>();
    for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
      if (types[snapshot.nodes[i + type]] !== 'string' || snapshot.nodes[i + size] < length) continue;
      const m = /^# fwlang-retention version (\\d+)\\n/.exec(snapshot.strings[snapshot.nodes[i + name]]);
      if (m) whole.add(Number(m[1]));
    }
    console.log(JSON.stringify([...whole]), cache.pieces(version(1)).length);
  });
}
`;

/** Runs `script` (TypeScript, beside this file) in its own Node process; its stdout. */
const alone = (script: string, name: string, nodeArgs: string[] = []): Promise<string> =>
  runAlone(script, { resolveDir: __dirname, name, nodeArgs });

/** The firewalls of the semantic-tokens script's text (a chunk each). */
const FIREWALLS_OF_THE_TEXT = 10;

describe('the editor pipeline between versions', () => {
  it('keeps no older version of the text alive (chunks, names, cache keys and messages are copies)', async () => {
    const alive = JSON.parse(await alone(SCRIPT, 'retention')) as number[];
    // Version 10 is the text the pipeline is working on; every earlier one must be gone.
    expect(alive).toEqual([10]);
  });

  it('keeps no version of the text in the semantic tokens’ cache of lexed chunks (its keys are copies)', async () => {
    const [whole, pieces] = (await alone(SEMANTIC_TOKENS, 'semantic-tokens')).split(' ');
    expect(JSON.parse(whole!)).toEqual([]);
    // The cache was in use: the 10 firewalls' chunks and the one before them.
    expect(Number(pieces)).toBeGreaterThan(FIREWALLS_OF_THE_TEXT);
  });

  it('keeps no older version of a firewall edited again and again (the per-firewall caches drop it)', async () => {
    const alive = JSON.parse((await alone(FIREWALL_VERSIONS, 'firewall-versions', ['--expose-gc'])).split(' ')[0]!) as number[];
    expect(alive).toEqual([10]);
  });

  it("drops the workspace's results for a version as soon as a newer one arrives", async () => {
    const [alive, version] = (await alone(WORKSPACE_VERSIONS, 'workspace-versions', ['--expose-gc'])).split(' ');
    expect(JSON.parse(alive!)).toEqual([]);
    expect(version).toBe('2');
  });
});
