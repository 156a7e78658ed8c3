// Semantic tokens (full document): keywords, names coloured by what they resolve to,
// numbers and addresses, strings, comments, operators.

import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import { referencesOf } from '../model/ownership';
import type { ModelSymbol } from '../model/types';
import type { Statement } from '../syntax/ast';
import { type TokenKind, tokenize } from '../syntax/tokenize';
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
  let prevLine = 0;
  let prevChar = 0;
  for (const t of tokenize(ctx.text)) {
    let type: TokenType | undefined;
    let modifiers = 0;
    if (t.kind === 'name') {
      const ref = refs.get(t.start);
      const decl = declared.get(t.start);
      const kind = ref?.symbol?.kind ?? decl;
      type = kind ? typeOfSymbol(kind) : undefined;
      if (ref?.declaration || decl) modifiers |= DECLARATION;
      if (ref?.symbol && 'builtin' in ref.symbol && ref.symbol.builtin) modifiers |= DEFAULT_LIBRARY;
    } else {
      type = LITERALS[t.kind];
    }
    if (!type) continue;
    const pos = ctx.lines.position(t.start);
    const length = t.end - t.start;
    // Tokens never span lines here (comments and strings end at the line's end).
    if (length <= 0 || ctx.lines.position(t.end).line !== pos.line) continue;
    const deltaLine = pos.line - prevLine;
    const deltaChar = deltaLine === 0 ? pos.character - prevChar : pos.character;
    data.push(deltaLine, deltaChar, length, TYPE_INDEX.get(type)!, modifiers);
    prevLine = pos.line;
    prevChar = pos.character;
  }
  return { data };
}
