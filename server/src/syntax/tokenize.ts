// The token stream of a text as plain data, comments and unknown runs included, in text
// order: for the editor features that look at tokens (completion, semantic tokens,
// formatting). Wraps the one lexer of tokens.ts; never throws.

import { lex, tokenEnd } from './tokens';

export type TokenKind =
  | 'keyword'
  | 'name'
  | 'number'
  | 'address'
  | 'string'
  | 'comment'
  | 'arrow'
  | 'dash'
  | 'lbracket'
  | 'rbracket'
  | 'lcurly'
  | 'rcurly'
  | 'comma'
  | 'colon'
  | 'unknown';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const BY_NAME: Record<string, TokenKind> = {
  Identifier: 'name',
  Number: 'number',
  IPv4: 'address',
  IPv6: 'address',
  String: 'string',
  Comment: 'comment',
  Arrow: 'arrow',
  Dash: 'dash',
  LBracket: 'lbracket',
  RBracket: 'rbracket',
  LCurly: 'lcurly',
  RCurly: 'rcurly',
  Comma: 'comma',
  Colon: 'colon',
  Unknown: 'unknown',
};

function kindOf(tokenTypeName: string): TokenKind {
  if (tokenTypeName.startsWith('Kw_')) return 'keyword';
  return BY_NAME[tokenTypeName] ?? 'unknown';
}

/** Every token of `text` (comments and unknown runs too), sorted by offset. */
export function tokenize(text: string): Token[] {
  try {
    const out = lex(text);
    const all = [...out.tokens, ...out.comments, ...out.unknown].map((t) => ({
      kind: kindOf(t.tokenType.name),
      text: t.image,
      start: t.startOffset,
      end: tokenEnd(t),
    }));
    all.sort((a, b) => a.start - b.start);
    return all;
  } catch {
    return [];
  }
}
