// Editor features on what the fuzzer feeds them (issue 12): megabyte lines, deep brackets.
// Each test counts work (parses, tokens) instead of timing it.

import { describe, expect, it, vi } from 'vitest';
import { definition } from '../../server/src/features/definition';
import { completion } from '../../server/src/features/completion';
import { formatting } from '../../server/src/features/formatting';
import { hover } from '../../server/src/features/hover';
import { MAX_INCLUDE_PATH, documentLinks } from '../../server/src/features/links';
import { withPortsPicture } from '../../server/src/features/pictures';
import { semanticTokens } from '../../server/src/features/semanticTokens';
import { nextTokens } from '../../server/src/syntax/assist';
import * as parseModule from '../../server/src/syntax/parse';
import { lex } from '../../server/src/syntax/tokens';
import { tokenize } from '../../server/src/syntax/tokenize';
import { docContext } from '../support/docContext';

vi.mock('../../server/src/syntax/parse', async (importOriginal) => {
  const real = await importOriginal<typeof parseModule>();
  return { ...real, parse: vi.fn(real.parse) };
});
const parseCalls = () => vi.mocked(parseModule.parse).mock.calls.length;

describe('formatting', () => {
  // sequences 1805 and 9395 of seed 12012: formatting a 1 MB document with syntax errors parsed
  // it a second time (2.4 s) only to find the errors the model already had, and returned nothing.
  it('does not parse again a document whose parse already failed', () => {
    const ctx = docContext(`host a 10.0.0.1\n${'{['.repeat(500)}\nhost b 10.0.0.2\n`);
    const before = parseCalls();
    expect(formatting(ctx)).toEqual([]);
    expect(parseCalls()).toBe(before);
  });

  it('still formats a firewall without `protects` (a syntax diagnostic of the resolver, not the parser)', () => {
    const ctx = docContext('host   a 10.0.0.1\nfirewall f stateless {\n  inbound allow tcp to a port 22\n}\n');
    expect(ctx.analysis.diagnostics.some((d) => d.code === 'syntax')).toBe(true);
    const edits = formatting(ctx);
    expect(edits).toHaveLength(1);
    const { range, newText } = edits[0]!;
    const formatted = ctx.text.slice(0, ctx.lines.offset(range.start)) + newText + ctx.text.slice(ctx.lines.offset(range.end));
    expect(formatted.startsWith('host a 10.0.0.1\n')).toBe(true);
  });

  it('leaves a document with a syntax error and a firewall without `protects` alone', () => {
    const ctx = docContext('host   a 10.0.0.1 $\nfirewall f stateless {\n  inbound allow tcp to a port 22\n}\n');
    expect(formatting(ctx)).toEqual([]);
  });
});

describe('formatting firewalls with comments', () => {
  const apply = (text: string): string => {
    const ctx = docContext(text);
    const edits = formatting(ctx);
    if (edits.length === 0) return text;
    const { range, newText } = edits[0]!;
    return text.slice(0, ctx.lines.offset(range.start)) + newText + text.slice(ctx.lines.offset(range.end));
  };

  // document 28901 of seed 12012: thousands of rules each with a trailing comment; each comment
  // was looked for in every rule's span (quadratic), now in the one span starting before it.
  it('lines up the trailing comments of many rules; keeps a firewall with a comment inside a rule as written', () => {
    const rules = Array.from({ length: 2000 }, (_, i) => `  ${i} inbound allow tcp to a port 22 # c${i}\n`).join('');
    const out = apply(`host a 10.0.0.1\nfirewall f stateless protects 10.0.0.0/8 {\n${rules}}\n`);
    expect(out).toContain('     0 inbound allow tcp to a port 22 # c0\n');
    expect(out).toContain('  1999 inbound allow tcp to a port 22 # c1999\n');
    const inside = `host a 10.0.0.1\nfirewall f stateless protects 10.0.0.0/8 {\n${rules}  7 inbound  allow # in\n  tcp to a port 22\n}\n`;
    expect(docContext(inside).analysis.diagnostics.filter((d) => d.code === 'syntax')).toEqual([]);
    expect(apply(inside)).toBe(inside);
    const inHeader = `host a 10.0.0.1\nfirewall f # in\n  stateless protects 10.0.0.0/8 {\n${rules}}\n`;
    expect(docContext(inHeader).analysis.diagnostics.filter((d) => d.code === 'syntax')).toEqual([]);
    expect(apply(inHeader)).toBe(inHeader);
  });
});

describe('tokenize', () => {
  it('gives every token, comment and unknown run in text order', () => {
    const text = '# head\nhost a 10.0.0.1 $$ # tail\n{[ ; ]}\nflow a -> a tcp 22 # end';
    const toks = tokenize(text);
    const lexed = lex(text);
    expect(toks).toHaveLength(lexed.tokens.length + lexed.comments.length + lexed.unknown.length);
    for (let i = 1; i < toks.length; i++) expect(toks[i]!.start).toBeGreaterThanOrEqual(toks[i - 1]!.end);
    expect(toks.map((t) => t.kind)).toEqual([
      'comment',
      'keyword',
      'name',
      'address',
      'unknown',
      'comment',
      'lcurly',
      'lbracket',
      'unknown',
      'rbracket',
      'rcurly',
      'keyword',
      'name',
      'arrow',
      'name',
      'keyword',
      'number',
      'comment',
    ]);
    expect(toks.map((t) => text.slice(t.start, t.end))).toEqual(toks.map((t) => t.text));
  });
});

describe('semantic tokens', () => {
  /** Each token as [line, character, length, type]. */
  function absolute(data: number[]): number[][] {
    const out: number[][] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i]!;
      char = data[i]! === 0 ? char + data[i + 1]! : data[i + 1]!;
      out.push([line, char, data[i + 2]!, data[i + 3]!]);
    }
    return out;
  }

  it('walks lines ended by \\n, \\r\\n and \\r, across lines of brackets that get no colour', () => {
    const text = `host a 10.0.0.1\r\n${'{['.repeat(1000)}\r# c\n\nflow a -> a tcp 22`;
    const ctx = docContext(text);
    const toks = absolute(semanticTokens(ctx).data);
    for (const [line, char, length] of toks) {
      const start = ctx.lines.offset({ line: line!, character: char! });
      expect(ctx.lines.position(start + length!).line).toBe(line);
    }
    expect(toks.map(([line, char, length]) => [line, char, length])).toEqual([
      [0, 0, 4],
      [0, 5, 1],
      [0, 7, 8],
      [2, 0, 3],
      [4, 0, 4],
      [4, 5, 1],
      [4, 7, 2],
      [4, 10, 1],
      [4, 12, 3],
      [4, 16, 2],
    ]);
  });
});

describe('include paths', () => {
  // document 26620 of seed 12012: `include "` and a megabyte of unterminated string; each
  // go-to-definition in it and each document-links request made a URI of it.
  it('a path longer than PATH_MAX gets no link and no definition; one of that length does', () => {
    for (const [length, linked] of [
      [MAX_INCLUDE_PATH, true],
      [MAX_INCLUDE_PATH + 1, false],
      [200_000, false],
    ] as const) {
      const path = 'x'.repeat(length - 3) + '.fw';
      const ctx = docContext(`include "${path}"\nhost a 10.0.0.1\n`);
      expect(documentLinks(ctx)).toHaveLength(linked ? 1 : 0);
      const def = definition(ctx, { line: 0, character: 20 });
      expect(def === null ? undefined : def[0]!.uri.endsWith(path)).toBe(linked ? true : undefined);
    }
  });
});

describe('completion in deep brackets', () => {
  // document 86169 of seed 12012: a rule's port list nested 5,000 deep (`[a, [a, …`, 20 KB):
  // the grammar interpreter's time grows with the square of the depth (6 s). Past 16 open
  // brackets, which the parser allows for port lists, there is no assist.
  const rule = (depth: number) =>
    `host a 10.0.0.1\nfirewall f stateless protects 10.0.0.0/8 {\n  outbound allow tcp to a port ${'[a, '.repeat(depth)}`;

  it('offers what may come in a list 16 deep, nothing 17 deep or deeper', () => {
    for (const [depth, offered] of [
      [16, true],
      [17, false],
      [5000, false],
    ] as const) {
      const text = rule(depth);
      const ctx = docContext(text);
      expect(nextTokens(text, ctx.analysis.model.ast, text.length).length > 0).toBe(offered);
      expect(completion(ctx, ctx.lines.position(text.length)).some((i) => i.label === 'https')).toBe(offered);
    }
  });

  it('closed lists count too: a window that went 17 deep gets nothing', () => {
    const text = `service s tcp ${'['.repeat(17)}80${']'.repeat(17)} `;
    const ctx = docContext(text);
    expect(nextTokens(text, ctx.analysis.model.ast, text.length)).toEqual([]);
    const ok = `service s tcp ${'['.repeat(16)}80${']'.repeat(16)} `;
    expect(nextTokens(ok, docContext(ok).analysis.model.ast, ok.length).length).toBeGreaterThan(0);
  });
});

describe('the ports picture in hovers', () => {
  // document 70980 of seed 12012: ~2,000 copies of a response rule; each hover on one encoded
  // the firewall's whole ports picture in base64 again (0.1-0.2 s a hover).
  it('is encoded once per firewall and analysis, whichever of its response rules is hovered', () => {
    const rules = '  110 outbound allow tcp from shop port 80 to any port 32768-60999\n'.repeat(50);
    const text = `host shop 10.0.2.20\nfirewall edge stateless protects 10.0.2.0/24 {\n  100 inbound allow tcp from any to shop port 80\n${rules}}\n`;
    const ctx = docContext(text);
    const at = text.indexOf('110 outbound');
    const btoa = vi.spyOn(globalThis, 'btoa');
    try {
      const images = [0, 5, 30].map((i) => {
        const o = at + i * 67;
        return JSON.stringify(withPortsPicture(ctx, o, hover(ctx, o))?.contents).match(/data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+/)?.[0];
      });
      expect(images[0]).toBeDefined();
      expect(new Set(images).size).toBe(1);
      expect(btoa).toHaveBeenCalledTimes(1);
    } finally {
      btoa.mockRestore();
    }
  });
});
