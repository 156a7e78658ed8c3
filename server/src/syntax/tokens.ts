// The lexer of the `.fw` language (spec §2), built on chevrotain.
//
// Design notes:
// - Every character of any input is matched by some token: whitespace (skipped),
//   comments (group `comments`), the real tokens, or `Unknown` (group `unknown`), a run
//   of characters that cannot start any token. The parse layer turns `Unknown` runs into
//   "unexpected character" diagnostics. This keeps chevrotain's own (slow, char by char)
//   lexer error recovery out of the picture, so binary garbage lexes in linear time.
// - Keywords are reserved. They are lexed as identifiers and retyped by `lex()` with one
//   Map lookup (the effect of `longer_alt: Identifier`, much cheaper): `hosts`, `anyone`
//   or `tcp-in` stay identifiers.
// - IPv6 literals need a custom matcher (an IPv6 literal holds at least two colons, so
//   `bob:51000` stays name, colon, number).
// - Token categories let the parser consume "an action", "a protocol", "an address" or
//   "any token at all" (for junk skipping) with one CONSUME.

import { createToken, Lexer, type CustomPatternMatcherReturn, type IToken, type TokenType } from 'chevrotain';

// ---------------------------------------------------------------- categories

/** Every real token (not EOF): lets the parser consume junk one token at a time. */
export const AnyToken = createToken({ name: 'AnyToken', pattern: Lexer.NA, label: 'anything' });
/** Every reserved word. */
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA, label: 'a keyword' });
export const ModeKw = createToken({
  name: 'ModeKw',
  pattern: Lexer.NA,
  label: 'a firewall kind (`stateless`, `stateful`, `aws-nacl` or `aws-sg`)',
});
export const ActionKw = createToken({ name: 'ActionKw', pattern: Lexer.NA, label: '`allow` or `deny`' });
export const DirectionKw = createToken({
  name: 'DirectionKw',
  pattern: Lexer.NA,
  label: '`inbound` or `outbound`',
});
export const ProtoKw = createToken({
  name: 'ProtoKw',
  pattern: Lexer.NA,
  label: 'a protocol (`tcp`, `udp`, `icmp` or `all`)',
});
/** `tcp` and `udp`: the protocols that take a port in a flow. */
export const PortProtoKw = createToken({ name: 'PortProtoKw', pattern: Lexer.NA, label: '`tcp` or `udp`' });
export const AddressTok = createToken({ name: 'AddressTok', pattern: Lexer.NA, label: 'an address' });

// ---------------------------------------------------------------- trivia

const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\n\r\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments' });

/**
 * A run of characters that can start no token (`$`, `;`, `.`, `/`, control characters,
 * non-ASCII letters, ...). Kept in group `unknown`, reported by the parse layer.
 * The set is the complement of: whitespace above, letters, digits, `_ # " [ ] { } , : -`.
 */
const Unknown = createToken({
  name: 'Unknown',
  pattern: /[\x00-\x08\x0e-\x1f!$%&'()*+./;<=>?@\\^`|~\x7f-\x9f\u00a1-\ufefe\uff00-\uffff]+/,
  group: 'unknown',
});

// ---------------------------------------------------------------- literals

/** A string is `"..."` on one line; an unterminated string is lexed up to the end of the line. */
export const StringLit = createToken({
  name: 'String',
  pattern: /"[^"\r\n]*"?/,
  categories: [AnyToken],
  label: 'a string',
});

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Matches an IPv6 address or prefix: a run of hex digits, `:` and `.` holding at least
 * two colons, optionally followed by `/digits`. Generous on purpose (the model validates);
 * `bob:51000`, `abc:1234` and `1.2.3.4:80` have one colon and do not match.
 */
export function matchIPv6(text: string, offset: number): [string] | null {
  const n = text.length;
  let i = offset;
  let colons = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 58) {
      colons++;
      i++;
    } else if (c === 46 || isHexCode(c)) {
      i++;
    } else {
      break;
    }
  }
  if (colons < 2) return null;
  if (text.charCodeAt(i) === 47 && isDigitCode(text.charCodeAt(i + 1))) {
    i += 2;
    while (i < n && isDigitCode(text.charCodeAt(i))) i++;
  }
  return [text.slice(offset, i)];
}

const IPV6_START_CHARS: string[] = [':'];
for (const c of '0123456789abcdefABCDEF') IPV6_START_CHARS.push(c);

export const IPv6 = createToken({
  name: 'IPv6',
  pattern: matchIPv6,
  start_chars_hint: IPV6_START_CHARS,
  line_breaks: false,
  categories: [AddressTok, AnyToken],
  label: 'an IPv6 address',
});

/** `a.b.c.d` or `a.b.c.d/n`, lexed generously (`300.1.1.1`, `1.2.3` are tokens; the model validates). */
export const IPv4 = createToken({
  name: 'IPv4',
  pattern: /\d+(?:\.\d+)+(?:\/\d+)?/,
  categories: [AddressTok, AnyToken],
  label: 'an IPv4 address',
});

export const NumberTok = createToken({
  name: 'Number',
  pattern: /\d+/,
  categories: [AnyToken],
  label: 'a number',
});

/** `[A-Za-z_][A-Za-z0-9_-]*`, except that a `-` directly followed by `>` is left for `->`. */
export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_](?:[A-Za-z0-9_]|-(?!>))*/,
  categories: [AnyToken],
  label: 'a name',
});

// ---------------------------------------------------------------- punctuation

function punct(name: string, pattern: string): TokenType {
  return createToken({ name, pattern, categories: [AnyToken], label: '`' + pattern + '`' });
}
export const Arrow = punct('Arrow', '->');
export const Dash = punct('Dash', '-');
export const LBracket = punct('LBracket', '[');
export const RBracket = punct('RBracket', ']');
/**
 * More `[` in a row than port lists may be nested (16): matched at once, not one bracket at a
 * time, and given by `lex()` as two tokens, its first bracket and one for the rest. A megabyte
 * of `[` was a million token objects, lexed again at each edit (1 s of every version of the
 * document in the editor: fuzz sequence 9400 of seed 1145); such a run is an error wherever it
 * stands. (A run of `]` is not: its first brackets may close lists.)
 */
export const DeepOpen = createToken({ name: 'DeepOpen', pattern: /\[{17,}/, categories: [AnyToken], label: '`[`' });
export const LCurly = punct('LCurly', '{');
export const RCurly = punct('RCurly', '}');

/**
 * How much of a long run of brackets (or dashes, below) is tokens: `lex()` gives the tokens of
 * its first 17 periods and leaves the rest of the run between tokens, as white space. A run is
 * more than 17 of one of `{`, `}`, `]` in a row, or more than 17 repetitions of a short piece (2
 * to 4 characters) that opens more brackets than it closes or the other way round, like `[a, ` or
 * `] }`. No parse can use more than 17 of those in a row (a firewall body opens with one `{` and
 * closes with one `}`; port lists nest at most 16 deep), and one more than that is already an
 * error, so the parse is the same as with every token of the run (a property test holds it so on
 * random runs in every sample and fixture: test/syntax/longRuns.property.test.ts). A megabyte of
 * `{` was a million token objects, lexed again by every step of the editor and the command line
 * (the fuzz's slowest documents, issue 12).
 *
 * Runs of dashes too: more than 17 `-` in a row (not the one of a `->` after them), or more
 * than 17 repetitions of a piece of dashes, commas and blanks that ends in a comma or a blank,
 * like `- ` or `-, `. Where a `-` is legal it is followed by a number (`80-90`, a range's high
 * end), never by another `-` nor a `,`, so two of them are already an error.
 */
export const RUN_TOKENS = 17;
/** Characters a run's repeated piece may hold (its last one ends a token: a bracket, `,` or a space). */
const PIECE_CHAR = /^[[\]{}, a-zA-Z0-9]$/;
const PIECE_END = /^[[\]{}, ]$/;

/** The length of the run of brackets or dashes at `offset` (see `RUN_TOKENS`), or 0; `piece` the length it repeats. */
function runLength(text: string, offset: number, piece = { length: 1 }): number {
  // Tried at every bracket and dash of every text: most are turned down by a character or two.
  const c = text.charCodeAt(offset);
  if (c === 45) return charRun(text, offset, piece, true) || pieceRun(text, offset, piece, isDashPiece);
  if (c !== 91 && c !== 93 && c !== 123 && c !== 125) return 0;
  return (c !== 91 && charRun(text, offset, piece, false)) || pieceRun(text, offset, piece, isBracketPiece);
}

/**
 * More than RUN_TOKENS of the character at `offset` in a row: their number, else 0. `arrow`: a
 * `-` followed by `>` is not the run's (it starts a `->`).
 */
function charRun(text: string, offset: number, piece: { length: number }, arrow: boolean): number {
  const c = text.charCodeAt(offset);
  if (text.charCodeAt(offset + 1) !== c || text.charCodeAt(offset + RUN_TOKENS) !== c) return 0;
  let end = offset + 2;
  while (text.charCodeAt(end) === c) end++;
  if (arrow && text.charCodeAt(end) === 62) end--;
  if (end - offset <= RUN_TOKENS) return 0;
  piece.length = 1;
  return end - offset;
}

/** More than RUN_TOKENS repetitions of a piece of 2 to 4 characters that `accepts`: their length, else 0. */
function pieceRun(text: string, offset: number, piece: { length: number }, accepts: (p: string) => boolean): number {
  const c = text.charCodeAt(offset);
  for (let len = 2; len <= 4; len++) {
    if (text.charCodeAt(offset + len) !== c || text.charCodeAt(offset + len * RUN_TOKENS) !== c) continue;
    const p = text.slice(offset, offset + len);
    if (!primitive(p) || !accepts(p)) continue;
    let n = 1;
    while (text.startsWith(p, offset + n * len)) n++;
    if (n > RUN_TOKENS) {
      piece.length = len;
      return n * len;
    }
  }
  return 0;
}

/** Brackets, commas, blanks and word characters, ending in a bracket, comma or blank, opening more than it closes or the reverse. */
function isBracketPiece(p: string): boolean {
  if (!PIECE_END.test(p[p.length - 1]!)) return false;
  let depth = 0;
  for (const ch of p) {
    if (!PIECE_CHAR.test(ch)) return false;
    if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
  }
  return depth !== 0;
}

/** Dashes, commas and blanks, ending in a comma or a blank. */
const DASH_PIECE = /^-[-, \t]*[, \t]$/;
const isDashPiece = (p: string): boolean => DASH_PIECE.test(p);

/** Not a shorter piece repeated (`[[` is `[` twice, `[a[a` is `[a` twice). */
function primitive(piece: string): boolean {
  for (let d = 1; d < piece.length; d++) if (piece.length % d === 0 && piece.slice(d) + piece.slice(0, d) === piece) return false;
  return true;
}

/** A long run of brackets or dashes: split by `lex()` (`RUN_TOKENS`), never parsed. */
const LongRun = createToken({
  name: 'LongRun',
  pattern: (text: string, offset: number): CustomPatternMatcherReturn | null => {
    const piece = { length: 1 };
    const n = runLength(text, offset, piece);
    // The piece's length rides on the token (chevrotain's `payload`).
    return n ? Object.assign([text.slice(offset, offset + n)] as [string], { payload: piece.length }) : null;
  },
  start_chars_hint: ['[', ']', '{', '}', '-'],
  line_breaks: false,
  label: 'a run of brackets or dashes',
});
const RUN_BRACKET: Record<string, TokenType> = { '{': LCurly, '}': RCurly, ']': RBracket, '-': Dash };
export const Comma = punct('Comma', ',');
export const Colon = punct('Colon', ':');

// ---------------------------------------------------------------- keywords

// Keywords are not matched by the lexer: it lexes them as identifiers and `lex()` then
// retypes every identifier that is a reserved word (one Map lookup per identifier). This
// is what `longer_alt` would give (`hosts`, `anyone`, `tcp-in` stay identifiers), at a
// fraction of the cost of trying every keyword pattern before the identifier pattern.
function kw(word: string, ...categories: TokenType[]): TokenType {
  return createToken({
    name: 'Kw_' + word,
    pattern: Lexer.NA,
    categories: [Keyword, AnyToken, ...categories],
    label: '`' + word + '`',
  });
}

export const Host = kw('host');
export const Network = kw('network');
export const Service = kw('service');
export const Ephemeral = kw('ephemeral');
export const Firewall = kw('firewall');
export const Stateless = kw('stateless', ModeKw);
export const Stateful = kw('stateful', ModeKw);
export const AwsNacl = kw('aws-nacl', ModeKw);
export const AwsSg = kw('aws-sg', ModeKw);
export const Protects = kw('protects');
export const Default = kw('default');
export const Inbound = kw('inbound', DirectionKw);
export const Outbound = kw('outbound', DirectionKw);
export const Allow = kw('allow', ActionKw);
export const Deny = kw('deny', ActionKw);
export const Tcp = kw('tcp', ProtoKw, PortProtoKw);
export const Udp = kw('udp', ProtoKw, PortProtoKw);
export const Icmp = kw('icmp', ProtoKw);
export const All = kw('all', ProtoKw);
export const From = kw('from');
export const To = kw('to');
export const Port = kw('port');
export const Flow = kw('flow');
export const Via = kw('via');
export const Expect = kw('expect');
export const Any = kw('any');
export const Include = kw('include');
export const Nat = kw('nat');
export const Ports = kw('ports');

export const KEYWORD_TOKENS: TokenType[] = [
  Host,
  Network,
  Service,
  Ephemeral,
  Firewall,
  Stateless,
  Stateful,
  AwsNacl,
  AwsSg,
  Protects,
  Default,
  Inbound,
  Outbound,
  Allow,
  Deny,
  Tcp,
  Udp,
  Icmp,
  All,
  From,
  To,
  Port,
  Flow,
  Via,
  Expect,
  Any,
  Include,
  Nat,
  Ports,
];

/** The reserved words of spec §2. */
export const KEYWORDS: readonly string[] = KEYWORD_TOKENS.map((t) => t.name.slice(3));

const KEYWORD_BY_WORD = new Map<string, TokenType>(KEYWORD_TOKENS.map((t) => [t.name.slice(3), t]));
const WORD_BY_KEYWORD = new Map<TokenType, string>(KEYWORD_TOKENS.map((t) => [t, t.name.slice(3)]));

/** The reserved word a keyword token type stands for (one string per keyword), if it is one. */
export function keywordWord(type: TokenType): string | undefined {
  return WORD_BY_KEYWORD.get(type);
}

// ---------------------------------------------------------------- the lexer

// Order matters: chevrotain takes the first pattern that matches.
// IPv6 before numbers and names (`fe80::1`, `2001:db8::1`) and before `:` (`::1`);
// IPv4 before plain numbers; `->` before `-`.

const LEXER_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLit,
  IPv6,
  IPv4,
  NumberTok,
  Arrow,
  DeepOpen,
  // Before `-`: a run of dashes is one (not after `->`: the arrow's dash is never a run's).
  LongRun,
  Dash,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  Comma,
  Colon,
  Identifier,
  Unknown,
];

/** Everything the parser may see, categories included. */
export const ALL_TOKENS: TokenType[] = [
  AnyToken,
  Keyword,
  ModeKw,
  ActionKw,
  DirectionKw,
  ProtoKw,
  PortProtoKw,
  AddressTok,
  ...LEXER_TOKENS,
  ...KEYWORD_TOKENS,
];

let lexerInstance: Lexer | undefined;
let bracketByBracket: Lexer | undefined;

/** The lexer of the process, built on first use (and, for tests only, one without `LongRun`). */
function fwLexer(): Lexer {
  if (!longRuns.split) return (bracketByBracket ??= makeLexer(LEXER_TOKENS.filter((t) => t !== LongRun)));
  return (lexerInstance ??= makeLexer(LEXER_TOKENS));
}

function makeLexer(tokens: TokenType[]): Lexer {
  return new Lexer(tokens, {
    positionTracking: 'onlyOffset',
    ensureOptimizations: true,
    skipValidations: true,
  });
}

export interface LexOutput {
  tokens: IToken[];
  comments: IToken[];
  unknown: IToken[];
}

/**
 * Whether long runs of brackets and dashes are split (`RUN_TOKENS`). Tests set `split` to false to
 * lex with a lexer that has no `LongRun`, a token a bracket or dash: the property test's reference.
 */
export const longRuns = { split: true };

export function lex(text: string): LexOutput {
  const r = fwLexer().tokenize(text);
  const tokens = r.tokens;
  const ident = Identifier;
  let added = 0;
  let longRun = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.tokenType === ident) {
      const k = KEYWORD_BY_WORD.get(t.image);
      if (k !== undefined) {
        t.tokenType = k;
        t.tokenTypeIdx = k.tokenTypeIdx!;
      }
    } else if (t.tokenType === DeepOpen) added++;
    else if (t.tokenType === LongRun) longRun = true;
  }
  return {
    tokens: added || longRun ? splitRuns(tokens, longRun ? -1 : added) : tokens,
    comments: r.groups['comments'] ?? [],
    unknown: r.groups['unknown'] ?? [],
  };
}

/** A one-character token as chevrotain makes them (its fields in the same order: one shape for V8). */
function bracket(type: TokenType, image: string, startOffset: number): IToken {
  return { image, startOffset, tokenTypeIdx: type.tokenTypeIdx!, tokenType: type } as IToken;
}

/**
 * Each run of `[` as a `[` of its own and the run's second bracket (a `DeepOpen` whose image
 * is that one bracket; the rest of the run lies between tokens, as white space does): whatever
 * reads the first `[` and then a second finds them where it did when each bracket was a token,
 * and every message and span names one bracket. Each long run of brackets or dashes as the
 * tokens of its first `RUN_TOKENS` pieces, the rest of it between tokens too. `added`: how many
 * tokens more there will be, or -1 when not known beforehand (a long run).
 */
function splitRuns(tokens: IToken[], added: number): IToken[] {
  const out: IToken[] = added >= 0 ? new Array(tokens.length + added) : [];
  let j = 0;
  for (const t of tokens) {
    if (t.tokenType === DeepOpen) {
      out[j++] = bracket(LBracket, '[', t.startOffset);
      t.startOffset += 1;
      t.image = '[';
    } else if (t.tokenType === LongRun) {
      for (const r of runTokens(t.image, t.payload as number)) {
        r.startOffset += t.startOffset;
        out[j++] = r;
      }
      continue;
    }
    out[j++] = t;
  }
  return out;
}

/** The tokens of a run's first `RUN_TOKENS` pieces (each `piece` long), at offsets from the run's start. */
function runTokens(run: string, piece: number): IToken[] {
  const c = run[0]!;
  if (piece === 1) return Array.from({ length: RUN_TOKENS }, (_, k) => bracket(RUN_BRACKET[c]!, c, k));
  return lex(run.slice(0, piece * RUN_TOKENS)).tokens;
}

/**
 * An integral offset as a small integer. chevrotain's own tokens (its end-of-file token and
 * the placeholder it hands out while recording the grammar) keep their offsets as doubles;
 * one span made from them would make V8 keep every span's `start` and `end` as boxed
 * doubles ever after (5 MB at 10,000 rules, issue 12). NaN stays NaN.
 */
export function smi(n: number): number {
  const i = n | 0;
  return i === n ? i : n;
}

/** Offset of the token's first character. */
export function tokenStart(t: IToken): number {
  return smi(t.startOffset);
}

/** Offset just past the token (tokens carry only their start offset). */
export function tokenEnd(t: IToken): number {
  return smi(t.startOffset + t.image.length);
}
