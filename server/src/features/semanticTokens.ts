// Semantic tokens (full document): keywords, names coloured by what they resolve to,
// numbers and addresses, strings, comments, operators.

import type { SemanticTokens, SemanticTokensEdit, SemanticTokensLegend } from 'vscode-languageserver';
import { referencesOf } from '../model/ownership';
import type { ModelSymbol } from '../model/types';
import type { Statement } from '../syntax/ast';
import { type TokenKind, kindOfType } from '../syntax/tokenize';
import { lex } from '../syntax/tokens';
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

/** The type of each kind of token but names (named by what they stand for); none: no colour. */
const LITERALS: Record<TokenKind, TokenType | undefined> = {
  keyword: 'keyword',
  name: undefined,
  number: 'number',
  address: 'number',
  string: 'string',
  comment: 'comment',
  arrow: 'operator',
  dash: 'operator',
  colon: 'operator',
  lbracket: undefined,
  rbracket: undefined,
  lcurly: undefined,
  rcurly: undefined,
  comma: undefined,
  unknown: undefined,
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

/** The legend's index of each kind's type, -1 for a kind that gets no colour. */
const LITERAL_INDEX = Object.fromEntries(
  Object.entries(LITERALS).map(([kind, type]) => [kind, type ? TYPE_INDEX.get(type)! : -1]),
) as Record<TokenKind, number>;

export function semanticTokens(ctx: DocContext): SemanticTokens {
  const { model } = ctx.analysis;
  const refs = new Map<number, (typeof model.references)[number]>();
  for (const r of referencesOf(model)) refs.set(r.span.start, r);
  // Declared names by their offset, duplicates included (their references carry no symbol).
  const declared = new Map<number, Statement['kind']>();
  for (const s of model.ast.statements) {
    if (s && 'name' in s && s.name?.text) declared.set(s.name.span.start, s.kind);
  }
  let lexed: ReturnType<typeof lex>;
  try {
    lexed = lex(ctx.text);
  } catch {
    return { data: [] };
  }
  // The lexer's tokens and comments, merged in text order (runs of unknown characters get no
  // colour). One loop, no call per token: a file of 10,000 rules is 111,000 tokens, asked for
  // again after every edit by an editor that colours by them (issue 12).
  const { tokens, comments } = lexed;
  // Five numbers a token, written into an array made once at the most it may need: pushed one
  // by one, the 555,000 numbers of 10,000 rules took 50-60 ms of growing copies, 15 written so.
  let most = comments.length;
  for (let k = 0; k < tokens.length; k++) {
    const kind = kindOfType(tokens[k]!.tokenType);
    if (kind === 'name' || LITERAL_INDEX[kind] >= 0) most++;
  }
  const data: number[] = new Array<number>(5 * most);
  let n = 0;
  const { lines } = ctx;
  let prevLine = 0;
  let prevChar = 0;
  // Tokens come in text order: the line of each is found by walking on from the last one's
  // (no search per token; a 4 MB line of brackets is 2 million tokens).
  let line = 0;
  let lineStart = 0;
  let nextLineStart = line + 1 < lines.lineCount ? lines.lineStart(line + 1) : Infinity;
  let i = 0;
  let j = 0;
  while (i < tokens.length || j < comments.length) {
    const a = i < tokens.length ? tokens[i]!.startOffset : Infinity;
    const b = j < comments.length ? comments[j]!.startOffset : Infinity;
    const t = a <= b ? tokens[i++]! : comments[j++]!;
    const kind = kindOfType(t.tokenType);
    const start = t.startOffset;
    let type: number;
    let modifiers = 0;
    if (kind === 'name') {
      const ref = refs.get(start);
      const decl = declared.get(start);
      const symbolKind = ref?.symbol?.kind ?? decl;
      const symbolType = symbolKind ? typeOfSymbol(symbolKind) : undefined;
      type = symbolType ? TYPE_INDEX.get(symbolType)! : -1;
      if (ref?.declaration || decl) modifiers |= DECLARATION;
      if (ref?.symbol && 'builtin' in ref.symbol && ref.symbol.builtin) modifiers |= DEFAULT_LIBRARY;
    } else {
      type = LITERAL_INDEX[kind];
    }
    if (type < 0) continue;
    const length = t.image.length;
    if (length <= 0) continue;
    while (start >= nextLineStart) {
      line++;
      lineStart = nextLineStart;
      nextLineStart = line + 1 < lines.lineCount ? lines.lineStart(line + 1) : Infinity;
    }
    // Tokens never span lines here (comments and strings end at the line's end).
    if (start + length >= nextLineStart) continue;
    const character = start - lineStart;
    const deltaLine = line - prevLine;
    data[n++] = deltaLine;
    data[n++] = deltaLine === 0 ? character - prevChar : character;
    data[n++] = length;
    data[n++] = type;
    data[n++] = modifiers;
    prevLine = line;
    prevChar = character;
  }
  data.length = n;
  return { data };
}

/**
 * The edits that turn the tokens `previous` into `next` (LSP's delta of semantic tokens): one
 * edit over what lies between their common start and their common end, none when they are
 * equal. An edit of a port changes a token or two; the editor is sent those, not every token.
 */
export function semanticTokensEdits(previous: ArrayLike<number>, next: readonly number[]): SemanticTokensEdit[] {
  const pl = previous.length;
  const nl = next.length;
  const common = Math.min(pl, nl);
  let start = 0;
  while (start < common && previous[start] === next[start]) start++;
  if (start === pl && start === nl) return [];
  let end = 0;
  while (end < common - start && previous[pl - 1 - end] === next[nl - 1 - end]) end++;
  const edit: SemanticTokensEdit = { start, deleteCount: pl - start - end };
  if (nl - end > start) edit.data = next.slice(start, nl - end);
  return [edit];
}
