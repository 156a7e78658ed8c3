import { describe, expect, it } from 'vitest';
import { completion } from '../../server/src/features/completion';
import { cursor, docContext } from '../support/docContext';

function labelsAt(marked: string): string[] {
  const { text, offset } = cursor(marked);
  const ctx = docContext(text);
  return completion(ctx, ctx.lines.position(offset))
    .map((i) => i.label)
    .sort();
}

const DECLS = `host web 10.0.0.5
network clients 198.51.100.0/24
ephemeral mine 2000-3000
`;

describe('completion follows the grammar where the parser reads the text', () => {
  it('a statement that starts a line ends a body left open: it is completed as that statement', () => {
    const open = `${DECLS}firewall f stateless protects web {
  inbound allow tcp from clients to web port https
`;
    expect(labelsAt(`${open}flow clients -> <|>`)).toEqual(['any', 'clients', 'web']);
    expect(labelsAt(`${open}host db 10.0.0.6 ephemeral <|>`)).toEqual(['iana', 'linux', 'macos', 'mine', 'wide', 'windows']);
  });

  it('after a rule number only a direction fits, not the end of the rule before', () => {
    const body = `${DECLS}firewall f stateless protects web {
  100 outbound allow tcp from web port https
  110 <|>
}`;
    expect(labelsAt(body)).toEqual(['inbound', 'outbound']);
    expect(labelsAt(body.replace('110 <|>', '110 out<|>'))).toEqual(['inbound', 'outbound']);
  });

  it('a statement written inside a body does not carry on into the next line as a rule', () => {
    expect(
      labelsAt(`${DECLS}firewall f stateless protects web {
  outbound allow tcp from web port https
  host db 10.0.0.6
  <|>
}`),
    ).toEqual(['inbound', 'outbound']);
  });
});
