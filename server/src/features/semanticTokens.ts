// Semantic tokens (full document): keywords, names coloured by what they resolve to,
// numbers and addresses, strings, comments, operators.

import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import { referencesOf } from '../model/ownership';
import type { ModelSymbol } from '../model/types';
import type { Statement } from '../syntax/ast';
import { type TokenKind, eachToken } from '../syntax/tokenize';
import type { DocContext } from './docContext';

const TOKEN_TYPES = ['keyword', 'variable', 'type', 'function', 'enumMember', 'number', 'string', 'comment', 'operator'] as const;
const TOKEN_MODIFIERS = ['declaration', 'defaultLibrary'] as const;

export const SEMANTIC_LEGEND: SemanticTokensLegend = {
  tokenTypes: [...TOKEN_TYPES],
  tokenModifiers: [...TOKEN_MODIFIERS],
};

type TokenType = (typeof TOKEN_TYPES)[number];

const TYPE_INDEX = new Map<string, number>(TOKEN_TYPES.map((t, i) => [t, i]));
const DECLARATION = 1 << TOKEN_MODIFIERS.indexOf('declaration');
const DEFAULT_LIBRARY = 1 << TOKEN_MODIFIERS.indexOf('defaultLibrary');

const LITERALS: Partial<Record<TokenKind, TokenType>> = {
  keyword: 'keyword',
  number: 'number',
  address: 'number',
  string: 'string',
  comment: 'comment',
  arrow: 'operator',
  dash: 'operator',
  colon: 'operator',
};

/** What a kind of symbol is shown as: hosts and networks are values, firewalls types. */
function typeOfSymbol(kind: ModelSymbol['kind'] | Statement['kind']): TokenType | undefined {
  switch (kind) {
    case 'host':
    case 'network':
      return 'variable';
    case 'service':
      return 'function';
    case 'profile':
    case 'ephemeral':
      return 'enumMember';
    case 'firewall':
      return 'type';
    default:
      return undefined;
  }
}

export function semanticTokens(ctx: DocContext): SemanticTokens {
  const { model } = ctx.analysis;
  const refs = new Map<number, (typeof model.references)[number]>();
  for (const r of referencesOf(model)) refs.set(r.span.start, r);
  // Declared names by their offset, duplicates included (their references carry no symbol).
  const declared = new Map<number, Statement['kind']>();
  for (const s of model.ast.statements) {
    if (s && 'name' in s && s.name?.text) declared.set(s.name.span.start, s.kind);
  }

  const data: number[] = [];
  const { lines } = ctx;
  let prevLine = 0;
  let prevChar = 0;
  // Tokens come in text order: the line of each is found by walking on from the last one's
  // (no search per token; a 4 MB line of brackets is 2 million tokens), and no token objects
  // are made for the brackets and commas that get no colour.
  let line = 0;
  let nextLineStart = line + 1 < lines.lineCount ? lines.lineStart(line + 1) : Infinity;
  const lineOf = (offset: number): number => {
    while (offset >= nextLineStart) {
      line++;
      nextLineStart = line + 1 < lines.lineCount ? lines.lineStart(line + 1) : Infinity;
    }
    return line;
  };
  try {
    eachToken(ctx.text, (kind, start, end) => {
      let type: TokenType | undefined;
      let modifiers = 0;
      if (kind === 'name') {
        const ref = refs.get(start);
        const decl = declared.get(start);
        const symbolKind = ref?.symbol?.kind ?? decl;
        type = symbolKind ? typeOfSymbol(symbolKind) : undefined;
        if (ref?.declaration || decl) modifiers |= DECLARATION;
        if (ref?.symbol && 'builtin' in ref.symbol && ref.symbol.builtin) modifiers |= DEFAULT_LIBRARY;
      } else {
        type = LITERALS[kind];
      }
      if (!type) return;
      const length = end - start;
      if (length <= 0) return;
      const at = lineOf(start);
      // Tokens never span lines here (comments and strings end at the line's end).
      if (end >= nextLineStart) return;
      const character = start - lines.lineStart(at);
      const deltaLine = at - prevLine;
      const deltaChar = deltaLine === 0 ? character - prevChar : character;
      data.push(deltaLine, deltaChar, length, TYPE_INDEX.get(type)!, modifiers);
      prevLine = at;
      prevChar = character;
    });
  } catch {
    return { data: [] };
  }
  return { data };
}
