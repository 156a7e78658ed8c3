import { describe, expect, it } from 'vitest';
import { KEYWORDS, lex, matchIPv6 } from '../../server/src/syntax/tokens';

/** `Type:image` for every token. */
function toks(text: string): string[] {
  return lex(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

describe('lexer', () => {
  it('skips whitespace and newlines', () => {
    expect(toks('  host\n\t bob \r\n')).toEqual(['Kw_host:host', 'Identifier:bob']);
  });

  it('keeps comments (with their `#`) in their own group, with exact offsets', () => {
    const text = 'host a 1.2.3.4 # fw-ignore unknown-name\n# second\r\nflow';
    const r = lex(text);
    expect(r.tokens.map((t) => t.image)).toEqual(['host', 'a', '1.2.3.4', 'flow']);
    expect(r.comments.map((c) => c.image)).toEqual(['# fw-ignore unknown-name', '# second']);
    const c0 = r.comments[0]!;
    expect(text.slice(c0.startOffset, c0.startOffset + c0.image.length)).toBe('# fw-ignore unknown-name');
  });

  it('does not let an identifier swallow the `-` of `->`', () => {
    expect(toks('bob->catogram')).toEqual(['Identifier:bob', 'Arrow:->', 'Identifier:catogram']);
    expect(toks('a-b->c-d')).toEqual(['Identifier:a-b', 'Arrow:->', 'Identifier:c-d']);
    expect(toks('catogram-sg tcp-in my_host web-')).toEqual([
      'Identifier:catogram-sg',
      'Identifier:tcp-in',
      'Identifier:my_host',
      'Identifier:web-',
    ]);
  });

  it('reserves every keyword, but not longer words that start with one', () => {
    for (const k of KEYWORDS) {
      expect(toks(k)).toEqual([`Kw_${k}:${k}`]);
      // `port` + `s` is `ports`, itself a keyword (spec §2, `nat ... ports`).
      if (!KEYWORDS.includes(`${k}s`)) expect(toks(`${k}s`)).toEqual([`Identifier:${k}s`]);
      expect(toks(`${k}-x`)).toEqual([`Identifier:${k}-x`]);
      expect(toks(`_${k}`)).toEqual([`Identifier:_${k}`]);
    }
    expect(toks('hosts anyone allow all alloww')).toEqual([
      'Identifier:hosts',
      'Identifier:anyone',
      'Kw_allow:allow',
      'Kw_all:all',
      'Identifier:alloww',
    ]);
    expect(KEYWORDS).toHaveLength(29);
  });

  it('lexes ranges as number, dash, number (with or without spaces)', () => {
    expect(toks('1024-65535')).toEqual(['Number:1024', 'Dash:-', 'Number:65535']);
    expect(toks('1024 - 65535')).toEqual(['Number:1024', 'Dash:-', 'Number:65535']);
  });

  it('lexes IPv4 addresses and prefixes generously', () => {
    expect(toks('10.0.1.10 0.0.0.0/0 10.0.1.5/24 300.1.1.1 1.2.3')).toEqual([
      'IPv4:10.0.1.10',
      'IPv4:0.0.0.0/0',
      'IPv4:10.0.1.5/24',
      'IPv4:300.1.1.1',
      'IPv4:1.2.3',
    ]);
  });

  it('lexes the usual IPv6 forms', () => {
    for (const a of ['2001:db8::1', '::1', '::', 'fe80::1', '2001:db8::/32', '::ffff:1.2.3.4', '2001:db8:0:0:0:0:0:1']) {
      expect(toks(a)).toEqual([`IPv6:${a}`]);
    }
  });

  it('needs two colons for IPv6: `name:port` is name, colon, number', () => {
    expect(toks('bob:51000')).toEqual(['Identifier:bob', 'Colon::', 'Number:51000']);
    expect(toks('abc:1234')).toEqual(['Identifier:abc', 'Colon::', 'Number:1234']);
    expect(toks('cafe:80')).toEqual(['Identifier:cafe', 'Colon::', 'Number:80']);
    expect(toks('10.0.0.1:80')).toEqual(['IPv4:10.0.0.1', 'Colon::', 'Number:80']);
    expect(matchIPv6('abc:1234', 0)).toBeNull();
    expect(matchIPv6('x fe80::1/64 y', 2)).toEqual(['fe80::1/64']);
  });

  it('lexes a bracketed IPv6 client with a port', () => {
    expect(toks('[2001:db8::5]:51000')).toEqual(['LBracket:[', 'IPv6:2001:db8::5', 'RBracket:]', 'Colon::', 'Number:51000']);
  });

  it('lexes port lists, braces, commas, strings', () => {
    expect(toks('[80, 443] { } "common.fw"')).toEqual([
      'LBracket:[',
      'Number:80',
      'Comma:,',
      'Number:443',
      'RBracket:]',
      'LCurly:{',
      'RCurly:}',
      'String:"common.fw"',
    ]);
    // An unterminated string runs to the end of the line; the parser reports it.
    expect(toks('"abc\nhost')).toEqual(['String:"abc', 'Kw_host:host']);
  });

  it('puts unknown characters aside and goes on', () => {
    const r = lex('host $bob ; 1.2.3.4 é\u0000');
    expect(r.tokens.map((t) => t.image)).toEqual(['host', 'bob', '1.2.3.4']);
    expect(r.unknown.map((t) => [t.image, t.startOffset])).toEqual([
      ['$', 5],
      [';', 10],
      ['é\u0000', 20],
    ]);
  });

  it('covers every character of any input with exactly one token, comment, unknown run or space', () => {
    let text = '';
    for (let c = 0; c < 0x3000; c++) text += String.fromCharCode(c) + (c % 7 === 0 ? '\n' : ' ');
    const r = lex(text);
    const owner = new Uint8Array(text.length);
    const overlaps: number[] = [];
    for (const t of [...r.tokens, ...r.comments, ...r.unknown]) {
      expect(text.slice(t.startOffset, t.startOffset + t.image.length)).toBe(t.image);
      for (let i = t.startOffset; i < t.startOffset + t.image.length; i++) {
        if (owner[i]) overlaps.push(i);
        owner[i] = 1;
      }
    }
    expect(overlaps).toEqual([]);
    const uncovered: string[] = [];
    for (let i = 0; i < text.length; i++) {
      if (!owner[i] && !/[ \t\n\r\f\v\u00a0\ufeff]/.test(text[i]!)) uncovered.push(text[i]!);
    }
    expect(uncovered).toEqual([]);
  });
});
