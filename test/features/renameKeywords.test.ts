// Rename refuses every reserved word of spec §2, the platform and NAT words included: the list
// comes from the lexer, so a new keyword cannot be forgotten.
import { describe, expect, it } from 'vitest';
import { prepareRename, rename } from '../../server/src/features/rename';
import { cursor, docContext } from '../support/docContext';

describe('rename to a keyword', () => {
  const { text, offset } = cursor('host w<|>eb 10.0.1.10\nflow 198.51.100.1 -> web https\n');
  const ctx = docContext(text);
  const position = ctx.lines.position(offset);

  it.each(['aws-nacl', 'aws-sg', 'nat', 'ports', 'protects', 'include'])('refuses `%s`', (word) => {
    expect(rename(ctx, position, word)).toEqual({ error: `\`${word}\` is a keyword and cannot be used as a name` });
  });

  it('takes an ordinary name', () => {
    const r = rename(ctx, position, 'frontend');
    expect(r && 'changes' in r && Object.values(r.changes ?? {})[0]?.length).toBe(2);
  });
});

describe('rename of a keyword', () => {
  it('is refused, naming the keyword', () => {
    const { text, offset } = cursor('netw<|>ork n 10.0.0.1\n');
    const ctx = docContext(text);
    expect(prepareRename(ctx, ctx.lines.position(offset))).toEqual({
      error: '`network` is a keyword of the language; it cannot be renamed',
    });
  });

  it('in a line longer than 10,000 characters (data, not code) no keyword is looked for: nothing to rename', () => {
    const { text, offset } = cursor(`netw<|>ork n 10.0.0.1${', 10.0.0.1'.repeat(1000)}\n`);
    const ctx = docContext(text);
    expect(ctx.lines.lineText(0).length).toBeGreaterThan(10_000);
    expect(prepareRename(ctx, ctx.lines.position(offset))).toBeNull();
  });
});
