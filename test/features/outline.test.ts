// The outline of a big file stops at MAX_OUTLINE_SYMBOLS (rules count), and one more symbol
// says how many statements or rules were left out and covers them (issue 12: 600,000
// declarations made ~140 MB of JSON).

import { describe, expect, it } from 'vitest';
import { SymbolKind } from 'vscode-languageserver';
import { MAX_OUTLINE_SYMBOLS, documentSymbols } from '../../server/src/features/symbols';
import { docContext } from '../support/docContext';

const hosts = (n: number, from = 0): string[] =>
  Array.from({ length: n }, (_, i) => `host h${from + i} 10.0.${((from + i) >> 8) & 255}.${(from + i) & 255}`);

describe('the outline of a big file', () => {
  it('lists every symbol up to the limit', () => {
    const text = hosts(MAX_OUTLINE_SYMBOLS).join('\n') + '\n';
    const symbols = documentSymbols(docContext(text));
    expect(symbols).toHaveLength(MAX_OUTLINE_SYMBOLS);
    expect(symbols.at(-1)!.name).toBe(`h${MAX_OUTLINE_SYMBOLS - 1}`);
  });

  it('past the limit, ends with one symbol for the statements left out, covering them', () => {
    const lines = hosts(MAX_OUTLINE_SYMBOLS + 3);
    lines.push('flow h0 -> h1 https expect allow');
    const symbols = documentSymbols(docContext(lines.join('\n') + '\n'));
    expect(symbols).toHaveLength(MAX_OUTLINE_SYMBOLS + 1);
    const more = symbols.at(-1)!;
    expect(more).toMatchObject({ name: '… 4 more statements', kind: SymbolKind.Null });
    expect(more.detail).toBe('the outline lists the first 10,000 symbols of a file');
    // From the first statement left out to the end of the last.
    expect(more.range).toEqual({
      start: { line: MAX_OUTLINE_SYMBOLS, character: 0 },
      end: { line: MAX_OUTLINE_SYMBOLS + 3, character: lines.at(-1)!.length },
    });
    expect(more.selectionRange).toEqual({ start: more.range.start, end: more.range.start });
  });

  it("counts a firewall's rules, and cuts a firewall's rules where the limit falls", () => {
    const rules = Array.from({ length: 20 }, (_, i) => `  inbound allow tcp from any to 10.0.0.1 port ${1000 + i}`);
    const text =
      [...hosts(MAX_OUTLINE_SYMBOLS - 10), 'firewall edge stateless protects 10.0.0.0/8 {', ...rules, '}', ...hosts(2, 20_000)].join('\n') +
      '\n';
    const symbols = documentSymbols(docContext(text));
    const edge = symbols.find((s) => s.name === 'edge')!;
    // 9,990 hosts, the firewall: 9 of its rules fit, then one symbol for the 11 others.
    expect(edge.children).toHaveLength(10);
    expect(edge.children!.slice(0, 9).map((c) => c.detail)).toEqual(
      rules.slice(0, 9).map((r) => r.trim().replace('inbound allow tcp ', '')),
    );
    const moreRules = edge.children!.at(-1)!;
    expect(moreRules.name).toBe('… 11 more rules');
    expect(moreRules.range.start).toEqual({ line: MAX_OUTLINE_SYMBOLS - 10 + 1 + 9, character: 2 });
    expect(moreRules.range.end).toEqual({ line: MAX_OUTLINE_SYMBOLS - 10 + 20, character: rules.at(-1)!.length });
    // The hosts after it are left out together.
    expect(symbols.at(-1)!.name).toBe('… 2 more statements');
    expect(symbols).toHaveLength(MAX_OUTLINE_SYMBOLS - 10 + 2);
  });
});
