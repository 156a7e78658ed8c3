// More `[` in a row than port lists may be nested is one token (a megabyte of `[` was a
// million token objects, lexed again at each edit: fuzz sequence 9400 of seed 1145). It shows
// as its first bracket, so the diagnostics are those of one token per bracket: the messages and
// places below are what the lexer of one token per bracket gave.

import { describe, expect, it } from 'vitest';
import { parse } from '../../server/src/syntax/parse';
import { lex } from '../../server/src/syntax/tokens';

const RUN = '['.repeat(40);

/** `line:column-line:column message` of each syntax error (1-based, as `fwlang check` prints). */
function errors(text: string): string[] {
  const at = (offset: number) => {
    const before = text.slice(0, offset).split('\n');
    return `${before.length}:${before.at(-1)!.length + 1}`;
  };
  return parse(text)
    .diagnostics.filter((d) => d.code === 'syntax')
    .map((d) => `${at(d.span.start)}-${at(d.span.end)} ${d.message}`);
}

describe('a run of `[`', () => {
  it('is two tokens however long: its first bracket, and one for the rest', () => {
    const tokens = lex('service s tcp ' + '['.repeat(1_000_000)).tokens;
    expect(tokens.map((t) => [t.image, t.startOffset])).toEqual([
      ['service', 0],
      ['s', 8],
      ['tcp', 10],
      ['[', 14],
      ['[', 15],
    ]);
    // 16 in a row may all open lists: one token each.
    expect(lex('['.repeat(16)).tokens).toHaveLength(16);
    expect(lex('['.repeat(17)).tokens).toHaveLength(2);
  });

  it('is reported where its first bracket stands, as each bracket a token was', () => {
    expect(errors(`host a 10.0.0.1\n${RUN}\nhost b 10.0.0.2\n`)).toEqual([
      '2:1-2:2 unexpected `[`: a statement starts with `host`, `network`, `service`, `ephemeral`, `default ephemeral`, `nat`, `include`, `firewall` or `flow`',
    ]);
    expect(errors(`host a 10.0.0.1\nfirewall f stateless protects a ${RUN} {\n}\n`)).toEqual([
      '2:33-2:34 expected `{` to start the body of firewall `f`, found `[`',
    ]);
    expect(errors(`host a 10.0.0.1\nfirewall f stateless protects a {\n  ${RUN}\n  inbound allow tcp to a port 80\n}\n`)).toEqual([
      '3:3-3:4 unexpected `[`: a rule starts with `inbound` or `outbound` (optionally after a rule number)',
    ]);
    expect(errors(`host a 10.0.0.1\nflow ${RUN} -> a https\n`)).toEqual(['2:7-2:8 expected an IPv6 address after `[`, found `[`']);
  });

  it('in a port list, is reported at the bracket one too deep', () => {
    expect(errors(`host a 10.0.0.1\nfirewall f stateless protects a {\n  inbound allow tcp to a port ${RUN}80\n}\n`)).toEqual([
      '3:47-3:48 port lists may be nested at most 16 deep',
    ]);
    expect(errors(`host a 10.0.0.1\nfirewall f stateless protects a {\n  inbound allow tcp to a port [1, [2, ${RUN}80\n}\n`)).toEqual([
      '3:53-3:54 port lists may be nested at most 16 deep',
    ]);
  });
});
