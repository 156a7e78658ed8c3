// Semantic tokens (full document): keywords, names coloured by what they resolve to,
// numbers and addresses, strings, comments, operators.

import type { SemanticTokens, SemanticTokensEdit, SemanticTokensLegend } from 'vscode-languageserver';
import { referencesOf } from '../model/ownership';
import type { ModelSymbol } from '../model/types';
import type { Statement } from '../syntax/ast';
import { type TokenKind, kindOfType } from '../syntax/tokenize';
import { ownCopy } from '../core/text';
import { chunkStarts } from '../syntax/incremental';
import { tooLargeReason } from '../syntax/parse';
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

/** The kinds by number, as a skeleton holds them. */
const KIND_LIST = Object.keys(LITERALS) as TokenKind[];
const KIND_NUMBER = Object.fromEntries(KIND_LIST.map((k, i) => [k, i])) as Record<TokenKind, number>;
const NAME = KIND_NUMBER.name;

/**
 * The tokens of `text` that may be coloured (names, and the kinds with a type), in text order:
 * start, length and kind number each, three numbers a token. Throws what the lexer throws.
 */
function skeletonOf(text: string): Int32Array {
  const { tokens, comments } = lex(text);
  const out = new Int32Array(3 * (tokens.length + comments.length));
  let n = 0;
  let i = 0;
  let j = 0;
  // The tokens and the comments, merged (runs of unknown characters get no colour).
  while (i < tokens.length || j < comments.length) {
    const a = i < tokens.length ? tokens[i]!.startOffset : Infinity;
    const b = j < comments.length ? comments[j]!.startOffset : Infinity;
    const t = a <= b ? tokens[i++]! : comments[j++]!;
    const kind = kindOfType(t.tokenType);
    if (kind !== 'name' && LITERAL_INDEX[kind] < 0) continue;
    out[n++] = t.startOffset;
    out[n++] = t.image.length;
    out[n++] = KIND_NUMBER[kind];
  }
  return out.slice(0, n);
}

/**
 * The lexed tokens of each chunk of a document's last version, by the chunk's text, so that an
 * edit lexes again only the chunks it changed (a file of 10,000 rules is 111,000 tokens, asked
 * for after every edit by an editor that colours by them). Chunks are cut where the incremental
 * parse cuts them, where a statement keyword starts a line: lexing stops and starts again there
 * the same (tokens end at the end of their line).
 */
export class SemanticTokenCache {
  /** By chunk text: the chunk's own copy of its text (the key kept) and its skeleton. */
  private chunks = new Map<string, { text: string; skeleton: Int32Array }>();

  /** The skeletons of `text`'s chunks, each with the offset it starts at. Throws what the lexer throws. */
  pieces(text: string): { at: number; skeleton: Int32Array }[] {
    const starts = chunkStarts(text);
    const used = new Map<string, { text: string; skeleton: Int32Array }>();
    const out: { at: number; skeleton: Int32Array }[] = [];
    for (let k = 0; k < starts.length; k++) {
      const at = starts[k]!;
      const chunk = text.slice(at, k + 1 < starts.length ? starts[k + 1]! : text.length);
      // Kept under its own copy of the text, never under `chunk`: V8 cuts a string as a view
      // into the whole, and such a key would keep this whole version alive until the next call.
      const entry = used.get(chunk) ?? this.chunks.get(chunk) ?? { text: ownCopy(chunk), skeleton: skeletonOf(chunk) };
      used.set(entry.text, entry);
      out.push({ at, skeleton: entry.skeleton });
    }
    this.chunks = used;
    return out;
  }
}

/** The semantic tokens of a document (see `encodeSemanticTokens`). */
export function semanticTokens(ctx: DocContext, cache?: SemanticTokenCache): SemanticTokens {
  return { data: numbers(encodeSemanticTokens(ctx, cache)) };
}

/** The numbers of `a` from `from` to `to` as a plain array (what JSON and the protocol take). */
export function numbers(a: ArrayLike<number>, from = 0, to = a.length): number[] {
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) out[i - from] = a[i]!;
  return out;
}

/**
 * The semantic tokens of a document, five numbers a token as LSP encodes them, in a typed array
 * (half the memory of a plain one; an editor asks after every edit, and a delta never needs them
 * as a plain array). `cache` (the server keeps one per document) lexes again only what changed
 * since its last call; without it the whole text is lexed.
 */
export function encodeSemanticTokens(ctx: DocContext, cache?: SemanticTokenCache): Int32Array {
  // Nothing in a text too large to read was read (its one diagnostic says so): nothing is coloured.
  if (tooLargeReason(ctx.text.length)) return new Int32Array(0);
  const { model } = ctx.analysis;
  const refs = new Map<number, (typeof model.references)[number]>();
  for (const r of referencesOf(model)) refs.set(r.span.start, r);
  // Declared names by their offset, duplicates included (their references carry no symbol).
  const declared = new Map<number, Statement['kind']>();
  for (const s of model.ast.statements) {
    if (s && 'name' in s && s.name?.text) declared.set(s.name.span.start, s.kind);
  }
  let pieces: { at: number; skeleton: Int32Array }[];
  try {
    pieces = cache ? cache.pieces(ctx.text) : [{ at: 0, skeleton: skeletonOf(ctx.text) }];
  } catch {
    return new Int32Array(0);
  }
  // Five numbers a token, written into an array made once at the most it may need: pushed one
  // by one into a plain array, the 555,000 numbers of 10,000 rules took 50-60 ms of growing copies.
  let most = 0;
  for (const p of pieces) most += p.skeleton.length / 3;
  const data = new Int32Array(5 * most);
  let n = 0;
  const { lines } = ctx;
  let prevLine = 0;
  let prevChar = 0;
  // Tokens come in text order: the line of each is found by walking on from the last one's
  // (no search per token; a 4 MB line of brackets is 2 million tokens).
  let line = 0;
  let lineStart = 0;
  let nextLineStart = line + 1 < lines.lineCount ? lines.lineStart(line + 1) : Infinity;
  for (const { at, skeleton } of pieces) {
    for (let k = 0; k < skeleton.length; k += 3) {
      const start = at + skeleton[k]!;
      const length = skeleton[k + 1]!;
      const kind = skeleton[k + 2]!;
      let type: number;
      let modifiers = 0;
      if (kind === NAME) {
        const ref = refs.get(start);
        const decl = declared.get(start);
        const symbolKind = ref?.symbol?.kind ?? decl;
        const symbolType = symbolKind ? typeOfSymbol(symbolKind) : undefined;
        type = symbolType ? TYPE_INDEX.get(symbolType)! : -1;
        if (ref?.declaration || decl) modifiers |= DECLARATION;
        if (ref?.symbol && 'builtin' in ref.symbol && ref.symbol.builtin) modifiers |= DEFAULT_LIBRARY;
      } else {
        type = LITERAL_INDEX[KIND_LIST[kind]!];
      }
      if (type < 0 || length <= 0) continue;
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
  }
  return data.subarray(0, n);
}

/**
 * The edits that turn the tokens `previous` into `next` (LSP's delta of semantic tokens): one
 * edit over what lies between their common start and their common end, none when they are
 * equal. An edit of a port changes a token or two; the editor is sent those, not every token.
 */
export function semanticTokensEdits(previous: ArrayLike<number>, next: ArrayLike<number>): SemanticTokensEdit[] {
  const pl = previous.length;
  const nl = next.length;
  const common = Math.min(pl, nl);
  let start = 0;
  while (start < common && previous[start] === next[start]) start++;
  if (start === pl && start === nl) return [];
  let end = 0;
  while (end < common - start && previous[pl - 1 - end] === next[nl - 1 - end]) end++;
  const edit: SemanticTokensEdit = { start, deleteCount: pl - start - end };
  if (nl - end > start) edit.data = numbers(next, start, nl - end);
  return [edit];
}
