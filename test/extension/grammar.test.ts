// The TextMate grammar (syntaxes/fw.tmLanguage.json), tokenized the way VS Code does it:
// vscode-textmate + the Oniguruma regex engine (WebAssembly, offline).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const root = path.resolve(__dirname, '..', '..');
const grammarPath = path.join(root, 'syntaxes', 'fw.tmLanguage.json');
const grammarJson = JSON.parse(readFileSync(grammarPath, 'utf8'));

let grammar: textmate.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.fw' ? textmate.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  const g = await registry.loadGrammar('source.fw');
  if (!g) throw new Error('grammar source.fw did not load');
  grammar = g;
});

/** Tokenizes lines (carrying state); returns [text, innermost scope, all scopes] per token. */
function tokenize(...lines: string[]): Array<{ text: string; scope: string; scopes: string[] }> {
  let state = textmate.INITIAL;
  const out: Array<{ text: string; scope: string; scopes: string[] }> = [];
  for (const line of lines) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      out.push({ text: line.slice(t.startIndex, t.endIndex), scope: t.scopes[t.scopes.length - 1]!, scopes: t.scopes });
    }
    state = r.ruleStack;
  }
  return out;
}

/** The innermost scope of the token whose text is exactly `text` (the n-th such token). */
function scopeOf(tokens: ReturnType<typeof tokenize>, text: string, n = 0): string {
  const hits = tokens.filter((t) => t.text === text);
  const t = hits[n];
  if (!t) throw new Error(`no token "${text}" in ${JSON.stringify(tokens.map((x) => x.text))}`);
  return t.scope;
}

/** Collects every `match`/`begin`/`end` regex in the grammar. */
function regexes(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) regexes(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'match' || k === 'begin' || k === 'end') && typeof v === 'string') out.push(v);
      else regexes(v, out);
    }
  }
  return out;
}

describe('fw.tmLanguage.json', () => {
  it('is valid: scopeName source.fw, the manifest points at it, every include resolves', () => {
    expect(grammarJson.scopeName).toBe('source.fw');
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const contributed = pkg.contributes.grammars.find((x: { language: string }) => x.language === 'fw');
    expect(path.resolve(root, contributed.path)).toBe(grammarPath);
    expect(contributed.scopeName).toBe('source.fw');
    const includes: string[] = [];
    (function walk(n: unknown) {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') {
        for (const [k, v] of Object.entries(n))
          if (k === 'include' && typeof v === 'string') includes.push(v);
          else walk(v);
      }
    })(grammarJson);
    for (const inc of includes) {
      if (inc === '$self' || inc === '$base') continue;
      expect(inc.startsWith('#'), inc).toBe(true);
      expect(grammarJson.repository[inc.slice(1)], inc).toBeDefined();
    }
  });

  it('every regex compiles with Oniguruma', () => {
    const all = regexes(grammarJson);
    expect(all.length).toBeGreaterThan(20);
    for (const src of all) {
      expect(() => new oniguruma.OnigScanner([src]).dispose(), src).not.toThrow();
    }
  });

  it('comments, and `# fw-ignore CODE` apart', () => {
    const t = tokenize('# just a comment with allow in it', '# fw-ignore missing-response, broad-response because');
    expect(scopeOf(t, '# just a comment with allow in it'.slice(1))).toBe('comment.line.number-sign.fw');
    expect(scopeOf(t, 'fw-ignore')).toBe('keyword.other.directive.fw-ignore.fw');
    expect(scopeOf(t, 'missing-response')).toBe('constant.other.diagnostic-code.fw');
    expect(scopeOf(t, 'broad-response')).toBe('constant.other.diagnostic-code.fw');
    expect(t.find((x) => x.text.includes('because'))?.scopes).toContain('comment.line.number-sign.suppression.fw');
  });

  it('declarations: keyword, declared name, addresses, ephemeral profiles', () => {
    const t = tokenize(
      'network internet  0.0.0.0/0',
      'host    bob       198.51.100.23        ephemeral linux',
      'service https     tcp 443',
      'ephemeral elb 1024-65535',
      'default ephemeral wide',
      'include "common/inventory.fw"',
    );
    expect(scopeOf(t, 'network')).toBe('storage.type.endpoint.network.fw');
    expect(scopeOf(t, 'internet')).toBe('entity.name.type.endpoint.fw');
    expect(scopeOf(t, '0.0.0.0')).toBe('constant.numeric.ipv4.fw');
    expect(scopeOf(t, '/')).toBe('punctuation.separator.prefix.fw');
    expect(scopeOf(t, 'host')).toBe('storage.type.endpoint.host.fw');
    expect(scopeOf(t, 'bob')).toBe('entity.name.type.endpoint.fw');
    expect(scopeOf(t, '198.51.100.23')).toBe('constant.numeric.ipv4.fw');
    expect(scopeOf(t, 'ephemeral')).toBe('keyword.other.ephemeral.fw');
    expect(scopeOf(t, 'linux')).toBe('support.constant.ephemeral-profile.fw');
    expect(scopeOf(t, 'service')).toBe('storage.type.service.fw');
    expect(scopeOf(t, 'https')).toBe('entity.name.type.service.fw');
    expect(scopeOf(t, 'tcp')).toBe('support.type.protocol.fw');
    expect(scopeOf(t, '443')).toBe('constant.numeric.integer.fw');
    expect(scopeOf(t, 'ephemeral', 1)).toBe('storage.type.ephemeral.fw');
    expect(scopeOf(t, 'elb')).toBe('entity.name.type.ephemeral.fw');
    expect(scopeOf(t, '1024')).toBe('constant.numeric.integer.fw');
    expect(scopeOf(t, '-')).toBe('punctuation.separator.range.fw');
    expect(scopeOf(t, 'default')).toBe('keyword.other.default.fw');
    expect(scopeOf(t, 'wide')).toBe('support.constant.ephemeral-profile.fw');
    expect(scopeOf(t, 'include')).toBe('keyword.control.import.include.fw');
    expect(scopeOf(t, 'common/inventory.fw')).toBe('string.quoted.double.fw');
  });

  it('firewalls and rules: modifiers, directions, actions, rule numbers, names with dashes', () => {
    const t = tokenize(
      'firewall catogram-sg stateful protects catogram {',
      '  110 outbound allow tcp from catogram port https to internet port ephemeral # its response',
      '  inbound  deny  all from scanner-deny to [web-1, 10.0.1.0/24] port [80, 8000-8080]',
      '}',
      'firewall edge stateless protects 10.0.1.0/24 default deny {',
    );
    expect(scopeOf(t, 'firewall')).toBe('storage.type.firewall.fw');
    expect(scopeOf(t, 'catogram-sg')).toBe('entity.name.function.firewall.fw');
    expect(scopeOf(t, 'stateful')).toBe('storage.modifier.stateful.fw');
    expect(scopeOf(t, 'stateless')).toBe('storage.modifier.stateless.fw');
    expect(scopeOf(t, 'protects')).toBe('keyword.other.fw');
    expect(scopeOf(t, 'catogram')).toBe('variable.other.name.fw');
    expect(scopeOf(t, '{')).toBe('punctuation.section.block.begin.fw');
    expect(scopeOf(t, '110')).toBe('constant.numeric.integer.rule-number.fw');
    expect(scopeOf(t, 'outbound')).toBe('keyword.other.direction.fw');
    expect(scopeOf(t, 'inbound')).toBe('keyword.other.direction.fw');
    expect(scopeOf(t, 'allow')).toBe('keyword.control.action.allow.fw');
    expect(scopeOf(t, 'deny')).toBe('keyword.control.action.deny.fw');
    expect(scopeOf(t, 'deny', 1)).toBe('keyword.control.action.deny.fw');
    expect(scopeOf(t, 'all')).toBe('support.type.protocol.fw');
    expect(scopeOf(t, 'https')).toBe('support.constant.service.fw');
    expect(scopeOf(t, 'ephemeral')).toBe('keyword.other.ephemeral.fw');
    // a keyword inside a name is part of the name
    expect(scopeOf(t, 'scanner-deny')).toBe('variable.other.name.fw');
    expect(scopeOf(t, 'web-1')).toBe('variable.other.name.fw');
    expect(scopeOf(t, '8000')).toBe('constant.numeric.integer.fw');
    expect(scopeOf(t, '[')).toBe('punctuation.section.brackets.begin.fw');
    expect(scopeOf(t, '}')).toBe('punctuation.section.block.end.fw');
    expect(t.find((x) => x.text === 'tcp')?.scopes).toContain('meta.block.fw');
    expect(scopeOf(t, ' its response')).toBe('comment.line.number-sign.fw');
  });

  it('flows: arrow, client ports, IPv6 literals, expect', () => {
    const t = tokenize(
      'flow bob:51000 -> catogram tcp 22 expect deny',
      'flow [2001:db8:100::25]:53000 -> resolver6 dns-tcp via dns-acl',
      'flow client6 -> 2001:db8::/32 icmp',
      'flow x -> ::1 udp 53',
      'flow x -> ::ffff:192.0.2.1 udp 53',
    );
    expect(scopeOf(t, 'flow')).toBe('storage.type.flow.fw');
    expect(scopeOf(t, 'bob')).toBe('variable.other.name.fw');
    expect(scopeOf(t, ':')).toBe('punctuation.separator.port.fw');
    expect(scopeOf(t, '51000')).toBe('constant.numeric.integer.fw');
    expect(scopeOf(t, '->')).toBe('keyword.operator.arrow.fw');
    expect(scopeOf(t, '22')).toBe('constant.numeric.integer.fw');
    expect(scopeOf(t, 'expect')).toBe('keyword.other.fw');
    expect(scopeOf(t, 'deny')).toBe('keyword.control.action.deny.fw');
    expect(scopeOf(t, '2001:db8:100::25')).toBe('constant.numeric.ipv6.fw');
    expect(scopeOf(t, '53000')).toBe('constant.numeric.integer.fw');
    expect(scopeOf(t, 'dns-tcp')).toBe('variable.other.name.fw');
    expect(scopeOf(t, 'via')).toBe('keyword.other.fw');
    expect(scopeOf(t, '2001:db8::')).toBe('constant.numeric.ipv6.fw');
    expect(scopeOf(t, '32')).toBe('constant.numeric.prefix-length.fw');
    expect(scopeOf(t, 'icmp')).toBe('support.type.protocol.fw');
    expect(scopeOf(t, '::1')).toBe('constant.numeric.ipv6.fw');
    expect(scopeOf(t, '::ffff:192.0.2.1')).toBe('constant.numeric.ipv6.fw');
  });

  it('every sample tokenizes without unknown keywords', () => {
    const samples = path.join(root, 'samples');
    for (const f of ['catogram.fw', 'mistakes.fw', 'aws-vpc.fw', 'ipv6-dns.fw']) {
      const lines = readFileSync(path.join(samples, f), 'utf8').split('\n');
      const t = tokenize(...lines);
      // every reserved word outside comments gets a keyword-ish scope, never variable.other.name
      const reserved = new Set(
        'host network service ephemeral firewall stateless stateful protects default inbound outbound allow deny tcp udp icmp all from to port flow via expect any include'.split(
          ' ',
        ),
      );
      for (const tok of t) {
        if (reserved.has(tok.text) && !tok.scopes.some((s) => s.startsWith('comment'))) {
          expect(tok.scope, `${f}: ${tok.text}`).not.toBe('variable.other.name.fw');
          expect(tok.scope, `${f}: ${tok.text}`).not.toBe('source.fw');
        }
      }
    }
  });
});
