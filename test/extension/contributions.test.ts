// The declarative parts of the extension: manifest, language configuration and snippets.
// Snippets are expanded with their defaults and checked by the real CLI (dist/cli.js).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const readJson = (f: string) => JSON.parse(readFileSync(path.join(root, f), 'utf8'));
const pkg = readJson('package.json');

describe('package.json (extension manifest)', () => {
  it('points at files that exist', () => {
    const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'fw');
    expect(pkg.main).toBe('./dist/client.js'); // built by scripts/build.mjs from client/src/extension.ts
    for (const f of [
      pkg.icon,
      lang.configuration,
      ...pkg.contributes.grammars.map((g: { path: string }) => g.path),
      ...pkg.contributes.snippets.map((s: { path: string }) => s.path),
      'LICENSE',
      'client/src/extension.ts',
    ]) {
      expect(existsSync(path.join(root, f)), f).toBe(true);
    }
    const png = readFileSync(path.join(root, pkg.icon));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
    expect(pkg.repository.url).toBe('https://github.com/fwlang/fwlang');
    expect(pkg.activationEvents).toContain('onLanguage:fw');
  });

  it('every command the client registers is contributed, with a title', () => {
    const src = readFileSync(path.join(root, 'client', 'src', 'commands.ts'), 'utf8');
    const registered = [...src.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
    const contributed = pkg.contributes.commands
      .map((c: { command: string; title: string }) => {
        expect(c.title.length).toBeGreaterThan(3);
        return c.command;
      })
      .sort();
    expect(contributed).toEqual(registered);
  });

  it('fwlang.severity lists every diagnostic code of docs/diagnostics', () => {
    const props = pkg.contributes.configuration.properties;
    const codes = Object.keys(props['fwlang.severity'].properties).sort();
    expect(codes).toContain('missing-response');
    for (const c of codes) expect(props['fwlang.severity'].properties[c].enum).toEqual(['error', 'warning', 'info', 'hint', 'off']);
    const docs = path.join(root, 'docs', 'diagnostics');
    if (existsSync(docs)) {
      for (const f of readdirSync(docs).filter((n) => n.endsWith('.md') && n !== 'README.md' && n !== 'index.md')) {
        expect(codes, `docs/diagnostics/${f} has no severity setting`).toContain(f.replace(/\.md$/, ''));
      }
    }
    expect(props['fwlang.trace.server'].enum).toEqual(['off', 'messages', 'verbose']);
    expect(props['fwlang.defaultEphemeral'].type).toBe('string');
  });
});

describe('language-configuration.json', () => {
  const conf = readJson('language-configuration.json');
  it('comments with #, brackets {} and []', () => {
    expect(conf.comments.lineComment).toBe('#');
    expect(conf.brackets).toEqual([
      ['{', '}'],
      ['[', ']'],
    ]);
  });
  it('a word is a name with dashes, an address, a prefix or a port range', () => {
    const word = new RegExp(conf.wordPattern, 'g');
    const words = (s: string) => s.match(word);
    expect(words('firewall catogram-sg stateful')).toEqual(['firewall', 'catogram-sg', 'stateful']);
    expect(words('protects 10.0.1.0/24 port 1024-65535')).toEqual(['protects', '10.0.1.0/24', 'port', '1024-65535']);
    expect(words('flow [2001:db8::5]:51000 -> bob:51000')).toEqual(['flow', '2001:db8::5', '51000', 'bob', '51000']);
  });
  it('indents after { and outdents at }', () => {
    const inc = new RegExp(conf.indentationRules.increaseIndentPattern);
    const dec = new RegExp(conf.indentationRules.decreaseIndentPattern);
    expect(inc.test('firewall edge stateless protects 10.0.1.0/24 {')).toBe(true);
    expect(inc.test('firewall edge stateless protects x {  # why')).toBe(true);
    expect(inc.test('# a { in a comment')).toBe(false);
    expect(inc.test('  inbound allow tcp to x port [80, 443]')).toBe(false);
    expect(dec.test('}')).toBe(true);
  });
});

/** A snippet body with every placeholder at its default (first choice; mirrors copy it). */
function expand(body: string | string[]): string {
  let text = Array.isArray(body) ? body.join('\n') : body;
  const values = new Map<string, string>();
  // innermost first, until nothing changes
  for (let i = 0; i < 10; i++) {
    const before = text;
    text = text
      .replace(/\$\{(\d+)\|([^|}]*)\|\}/g, (_, n, choices) => {
        const v = choices.split(',')[0];
        values.set(n, v);
        return v;
      })
      .replace(/\$\{(\d+):([^${}]*)\}/g, (_, n, v) => {
        values.set(n, v);
        return v;
      });
    if (text === before) break;
  }
  return text.replace(/\$\{(\d+)\}|\$(\d+)/g, (_, a, b) => values.get(a ?? b) ?? '');
}

describe('snippets/fw.json', () => {
  const snippets: Record<string, { prefix: string | string[]; body: string | string[]; description: string }> =
    readJson('snippets/fw.json');
  const cli = path.join(root, 'dist', 'cli.js');
  const prelude = 'host client 198.51.100.7\nhost server 192.0.2.80\nhost inside 192.0.2.10\n';

  it('has host, network, service, firewall (stateless, stateful), rule pairs and flow', () => {
    const prefixes = Object.values(snippets).flatMap((s) => [s.prefix].flat());
    for (const p of ['host', 'network', 'service', 'firewall', 'rule', 'rule-pair', 'flow']) expect(prefixes).toContain(p);
    for (const s of Object.values(snippets)) expect(s.description.length).toBeGreaterThan(10);
  });

  it.skipIf(!existsSync(cli))('expanded with their defaults, every snippet is valid fwlang (dist/cli.js check)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fwlang-snippets-'));
    try {
      writeFileSync(path.join(dir, 'common-inventory.fw'), 'host admin 192.0.2.99\n');
      for (const [name, s] of Object.entries(snippets)) {
        let text = expand(s.body).replace('common/inventory.fw', 'common-inventory.fw');
        // rules live inside a firewall
        if (/^\s*(inbound|outbound)\b/.test(text)) text = `firewall f stateless protects server {\n${text}\n}`;
        const file = path.join(dir, `${name.replace(/\W+/g, '-')}.fw`);
        writeFileSync(file, `${prelude}${text}\n`);
        let out: string;
        try {
          out = execFileSync(process.execPath, [cli, 'check', file, '--format', 'json'], { encoding: 'utf8' });
        } catch (e) {
          out = (e as { stdout: string }).stdout; // exit 1 on errors: look at which
        }
        const errors = JSON.parse(out)
          .files.flatMap((f: { diagnostics: Array<{ severity: string; code: string; message: string }> }) => f.diagnostics)
          .filter((d: { severity: string }) => d.severity === 'error');
        expect(errors, `snippet "${name}":\n${text}`).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
