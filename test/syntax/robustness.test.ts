import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, parseFlowText } from '../../server/src/syntax/parse';
import { KEYWORDS, lex } from '../../server/src/syntax/tokens';
import type { Diagnostic } from '../../server/src/core/diagnostic';
import type { FileAst } from '../../server/src/syntax/ast';

const EXAMPLE = `network internet  0.0.0.0/0
host    bob       198.51.100.23        ephemeral linux
host    catogram  10.0.1.10
service https     tcp 443
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound  allow tcp from internet to catogram port https
  110 outbound allow tcp from catogram port https to internet port ephemeral
}
firewall catogram-sg stateful protects catogram {
  inbound  allow tcp from internet to catogram port https
}
flow bob -> catogram https expect allow
flow bob:51000 -> catogram tcp 22 expect deny
`;

/** Every `{start, end}` object reachable from `value`. */
function spansIn(value: unknown, out: { start: unknown; end: unknown }[] = []): { start: unknown; end: unknown }[] {
  if (value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    for (const v of value) spansIn(v, out);
    return out;
  }
  const o = value as Record<string, unknown>;
  if ('start' in o && 'end' in o) out.push(o as { start: unknown; end: unknown });
  for (const v of Object.values(o)) spansIn(v, out);
  return out;
}

function validSpan(s: { start: unknown; end: unknown }, length: number): boolean {
  return (
    Number.isInteger(s.start) &&
    Number.isInteger(s.end) &&
    (s.start as number) >= 0 &&
    (s.start as number) <= (s.end as number) &&
    (s.end as number) <= length
  );
}

/** The invariants every parse result keeps, whatever the input. */
function checkResult(text: string, r: { ast: FileAst; diagnostics: Diagnostic[] }): void {
  const problems: string[] = [];
  for (const d of r.diagnostics) {
    if (d.code !== 'syntax') problems.push(`code ${d.code}`);
    if (!validSpan(d.span, text.length)) problems.push(`diagnostic span ${JSON.stringify(d.span)} in ${text.length}`);
    if (d.message.length === 0) problems.push('empty message');
    // Messages speak the language, never chevrotain's or the token classes' words.
    if (/[\u0001\u0002]|Kw_|Identifier|NumberTok|AnyToken|Mismatched|NoViableAlt|Expecting|but found/.test(d.message)) {
      problems.push(`message: ${d.message}`);
    }
  }
  for (const s of spansIn(r.ast)) if (!validSpan(s, text.length)) problems.push(`AST span ${JSON.stringify(s)} in ${text.length}`);
  expect(problems).toEqual([]);
}

function parseChecked(text: string): { ast: FileAst; diagnostics: Diagnostic[] } {
  const r = parse(text);
  checkResult(text, r);
  const f = parseFlowText(text);
  for (const d of f.diagnostics) expect(validSpan(d.span, text.length)).toBe(true);
  if (f.flow) expect(spansIn(f.flow).filter((s) => !validSpan(s, text.length))).toEqual([]);
  return r;
}

/** Parses and checks that it took less than `ms` (a generous bound: catches quadratic blow-ups). */
function parseTimed(text: string, ms: number): { ast: FileAst; diagnostics: Diagnostic[] } {
  const t0 = performance.now();
  const r = parse(text);
  const elapsed = performance.now() - t0;
  expect(elapsed, `parse took ${elapsed.toFixed(0)} ms`).toBeLessThan(ms);
  checkResult(text, r);
  return r;
}

function randomText(length: number, seed: number, alphabet: number): string {
  let s = seed;
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    codes[i] = s % alphabet;
  }
  let out = '';
  for (let i = 0; i < length; i += 8192) out += String.fromCharCode(...codes.slice(i, i + 8192));
  return out;
}

describe('robustness', () => {
  it('an empty file, only whitespace, only comments', () => {
    expect(parseChecked('')).toEqual({ ast: { statements: [], comments: [] }, diagnostics: [] });
    expect(parseChecked(' \n\t\r\n  ')).toEqual({ ast: { statements: [], comments: [] }, diagnostics: [] });
    const r = parseChecked('# one\n   # two\r\n#\n# fw-ignore shadowed-rule');
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.statements).toEqual([]);
    expect(r.ast.comments.map((c) => c.text)).toEqual(['# one', '# two', '#', '# fw-ignore shadowed-rule']);
  });

  it('a binary file (random bytes, NUL included)', () => {
    const bytes = randomText(256 * 1024, 7, 256);
    expect(bytes).toContain('\u0000');
    const r = parseTimed(bytes, 10_000);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    // Also random UTF-16 code units, lone surrogates included.
    parseTimed(randomText(64 * 1024, 11, 65536), 10_000);
  });

  it('a 1 MB single line', () => {
    const rule = '100 inbound allow tcp from 10.1.2.0/24 port 1024-65535 to web port https ';
    const text = 'firewall x stateless protects y { ' + rule.repeat(Math.ceil(2 ** 20 / rule.length)) + '}';
    expect(text.length).toBeGreaterThan(2 ** 20);
    const r = parseTimed(text, 15_000);
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.statements).toHaveLength(1);
    // and 1 MB of one token, of unknown characters, of one comment
    parseTimed('a'.repeat(2 ** 20), 10_000);
    parseTimed('.'.repeat(2 ** 20), 10_000);
    expect(parseTimed('#' + 'x'.repeat(2 ** 20), 10_000).ast.comments).toHaveLength(1);
  });

  it('5,000 unclosed `{`', () => {
    const r = parseTimed('{'.repeat(5000), 10_000);
    expect(r.diagnostics).toHaveLength(1);
    parseTimed('firewall x stateless protects y ' + '{'.repeat(5000), 10_000);
    parseTimed('firewall x stateless protects y {\n' + '{\n'.repeat(5000), 10_000);
  });

  it('10,000 `firewall x stateless {` openings', () => {
    const r = parseTimed('firewall x stateless {\n'.repeat(10_000), 15_000);
    expect(r.ast.statements).toHaveLength(10_000);
    expect(r.diagnostics.length).toBeGreaterThan(1);
    const oneLine = parseTimed('firewall x stateless { '.repeat(10_000), 15_000);
    expect(oneLine.diagnostics.length).toBeGreaterThan(0);
  });

  it('deeply nested port lists do not overflow the stack', () => {
    const r = parseTimed('service s tcp ' + '['.repeat(100_000), 10_000);
    expect(r.diagnostics.map((d) => d.message)).toEqual(['port lists may be nested at most 16 deep']);
    parseTimed('flow a:' + '['.repeat(100_000) + ' -> b https', 10_000);
    parseTimed('firewall f stateless protects x { inbound allow tcp to y port ' + '[1,'.repeat(50_000) + '}', 10_000);
  });

  it('many errors in a big file stay linear', () => {
    parseTimed('host '.repeat(50_000), 15_000);
    parseTimed('firewall x stateless protects y {\n' + 'host a 1.2.3.4\n'.repeat(20_000) + '}', 15_000);
    parseTimed('firewall x stateless protects y {\n' + 'catogram\n'.repeat(50_000) + '}', 15_000);
  });

  it('every keyword in every wrong place: no cascades, little lost', () => {
    const base = parse(EXAMPLE);
    expect(base.diagnostics).toEqual([]);
    const nStatements = base.ast.statements.length;
    const nRules = 3;
    const toks = lex(EXAMPLE).tokens;
    let cases = 0;
    for (const k of KEYWORDS) {
      for (let i = 0; i <= toks.length; i++) {
        for (const replace of [false, true]) {
          if (replace && i === toks.length) continue;
          const at = i < toks.length ? toks[i]!.startOffset : EXAMPLE.length;
          const end = replace ? at + toks[i]!.image.length : at;
          const text = EXAMPLE.slice(0, at) + (replace ? k : `${k} `) + EXAMPLE.slice(end);
          const r = parse(text);
          checkResult(text, r);
          cases++;
          const rules = r.ast.statements.reduce((n, s) => n + (s.kind === 'firewall' ? s.rules.length : 0), 0);
          const where = `${replace ? 'replacing' : 'inserting before'} token ${i} with \`${k}\``;
          // One wrong word gives at most two diagnostics and loses at most one statement
          // (or the two rules of the firewall whose keyword it replaced).
          expect(r.diagnostics.length, where).toBeLessThanOrEqual(2);
          expect(r.ast.statements.length, where).toBeGreaterThanOrEqual(nStatements - 1);
          expect(rules, where).toBeGreaterThanOrEqual(nRules - 2);
        }
      }
    }
    expect(cases).toBeGreaterThan(3000);
  });

  it('the parser keeps no state between parses', () => {
    const first = parse(EXAMPLE);
    parse('firewall x stateless protects y { inbound allow tcp port [[[[ ');
    parse('{'.repeat(100));
    parseFlowText('a -> ');
    const again = parse(EXAMPLE);
    expect(again).toEqual(first);
    expect(again.diagnostics).toEqual([]);
  });

  it('never throws on arbitrary strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        parseChecked(text);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random token soup; every span stays within the text (property)', () => {
    const word = fc.constantFrom(
      ...KEYWORDS,
      'bob',
      'catogram',
      'web-1',
      'x',
      '_',
      '0',
      '22',
      '443',
      '65535',
      '99999999999999999999',
      '1024-65535',
      '10.0.0.1',
      '10.0.1.0/24',
      '300.1.1.1',
      '2001:db8::1',
      '::',
      '::1',
      '2001:db8::/32',
      '[2001:db8::5]:51000',
      'bob:51000',
      '->',
      '-',
      '[',
      ']',
      '{',
      '}',
      ',',
      ':',
      '"a.fw"',
      '"open',
      '# comment',
      '$',
      '\u0000',
      'é',
    );
    const sep = fc.constantFrom(' ', '\n', '', '  ', '\t', '\r\n');
    const soup = fc.array(fc.tuple(word, sep), { maxLength: 80 }).map((parts) => parts.map(([w, s]) => w + s).join(''));
    fc.assert(
      fc.property(soup, (text) => {
        parseChecked(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on mutations of a valid file (property)', () => {
    const mutation = fc.tuple(fc.nat(EXAMPLE.length), fc.nat(20), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
        let text = EXAMPLE;
        for (const [at, del, ins] of muts) {
          const p = Math.min(at, text.length);
          text = text.slice(0, p) + ins + text.slice(p + del);
        }
        parseChecked(text);
      }),
      { numRuns: 500 },
    );
  });
});
