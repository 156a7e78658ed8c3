// Content assist: which tokens the grammar lets come next at an offset, read by chevrotain's
// computeContentAssist on the one parser instance, so completion follows the grammar and
// never keeps a second reading of it. Never throws.
//
// The interpreter walks the grammar over the tokens before the offset, which costs time in
// proportion to their number; it is given only the tokens that decide what comes next: the
// statement the offset is in (statements are independent), or, in a firewall body, the
// firewall's header and the body item the offset is in (body items are independent too).
// Where statements and items start is read from the AST of the whole text.

import { createTokenInstance, type IToken, type TokenType } from 'chevrotain';
import type { FileAst, Statement } from './ast';
import { fwParser } from './parser';
import * as T from './tokens';

/** A token the grammar accepts next. */
interface NextToken {
  /** A keyword (`from`), or the kind of token: `name`, `number`, `address`, `string`, or punctuation (`{`, `,` ...). */
  token: string;
  /** The grammar rules being read, outermost first; the last one reads it (`endpoint`, `portSpec`, `ruleLine`, ...). */
  rules: string[];
  /** For a `name`: the kind of declared name that fits (a new name being declared has none). */
  names?: 'endpoint' | 'service' | 'profile' | 'firewall';
  /** It starts the next statement or the next rule rather than going on with the current one. */
  starts: boolean;
}

/** Token kinds of the non-keyword token types, as completion speaks of them. */
const KINDS = new Map<TokenType, string>([
  [T.Identifier, 'name'],
  [T.NumberTok, 'number'],
  [T.AddressTok, 'address'],
  [T.IPv4, 'address'],
  [T.IPv6, 'address'],
  [T.StringLit, 'string'],
  [T.Arrow, '->'],
  [T.Dash, '-'],
  [T.LBracket, '['],
  [T.RBracket, ']'],
  [T.LCurly, '{'],
  [T.RCurly, '}'],
  [T.Comma, ','],
  [T.Colon, ':'],
]);

/** The statement rules, read at the top level of `file`. */
const STATEMENT_RULES = new Set([
  'hostDecl',
  'networkDecl',
  'serviceDecl',
  'ephemeralDecl',
  'defaultEphemeralDecl',
  'includeDecl',
  'firewallDecl',
  'flowDecl',
]);

/**
 * What `text` before `offset` lets come next. `ast` is the AST of `text` (only its statement
 * and rule starts are used). The token at `offset`, if any, is not looked at: pass the start
 * of the word being completed.
 */
export function nextTokens(text: string, ast: FileAst, offset: number): NextToken[] {
  try {
    const { tokens, inBody, inHeader } = windowAt(text, ast, offset);
    const paths = grammarPaths(tokens);
    const kept = paths.filter((p) => {
      const stack = p.ruleStack;
      const fw = stack.indexOf('firewallDecl');
      // The broken-text paths again (see grammarPaths) where they would read the next
      // token, and a statement written in a body.
      if (p.nextTokenType === T.AnyToken || p.nextTokenType === T.Keyword) return false;
      if (fw >= 0 && stack.indexOf('statement', fw) > fw) return false;
      // The braces are optional to the grammar (it reads rules after a header without `{`,
      // and a body that never closes), not to the language: an open body goes on with rules
      // or `}`, and a header goes on up to `{`.
      if ((inBody || inHeader) && (fw < 0 || startsStatement(stack, p.nextTokenType))) return false;
      if (inHeader && stack.includes('ruleLine')) return false;
      return true;
    });
    const required = kept.filter((p) => REQUIRED.some((r) => r(p.ruleStack, p.nextTokenType)));
    const out: NextToken[] = [];
    for (const p of required.length > 0 ? required : kept) {
      const stack = p.ruleStack;
      const rule = stack[stack.length - 1] ?? 'file';
      const starts = startsStatement(stack, p.nextTokenType) || (rule === 'ruleLine' && firstTokens(rule).has(p.nextTokenType));
      for (const token of tokenWords(p.nextTokenType)) {
        const next: NextToken = { token, rules: stack, starts };
        if (token === 'name') {
          const names = nameKind(rule, p.nextTokenOccurrence);
          if (names) next.names = names;
        }
        out.push(next);
      }
    }
    return out;
  } catch {
    return [];
  }
}

type Matcher = (token: IToken, type: TokenType) => boolean;

/**
 * computeContentAssist from `file`, on the grammar without the paths that only read broken
 * text: junk skipped a token at a time (AnyToken) and a keyword read as a name (Keyword).
 * Those would match any token and let every broken prefix go on to the next statement;
 * the interpreter is kept off them by its token matcher (an instance field of chevrotain's
 * parser, restored at once: the parser is not parsing meanwhile).
 */
function grammarPaths(tokens: IToken[]) {
  const parser = fwParser() as unknown as { tokenMatcher: Matcher } & ReturnType<typeof fwParser>;
  const matcher = parser.tokenMatcher;
  parser.tokenMatcher = (token, type) => type !== T.AnyToken && type !== T.Keyword && matcher(token, type);
  try {
    return parser.computeContentAssist('file', tokens);
  } finally {
    parser.tokenMatcher = matcher;
  }
}

/** The kind of name read by `rule` (`occurrence` tells apart the names of a flow). */
function nameKind(rule: string, occurrence: number): NextToken['names'] {
  switch (rule) {
    case 'endpoint':
      return 'endpoint';
    case 'portSpec':
      return 'service';
    case 'ephemeralRef':
      return 'profile';
    case 'flowBody':
      // flowBody reads a service name with CONSUME (the target) and the firewalls of `via`
      // with CONSUME2 / CONSUME3; the client and server are `endpoint`s.
      return occurrence === 0 ? 'service' : 'firewall';
    default:
      return undefined; // declName: a new name
  }
}

/** Does the token start the next statement (at the top level)? */
function startsStatement(stack: string[], type: TokenType): boolean {
  const rule = stack[stack.length - 1] ?? '';
  return stack.length === 3 && STATEMENT_RULES.has(rule) && firstTokens(rule).has(type);
}

/**
 * Parts the language requires but the grammar lets go missing (a missing one is reported by
 * the parser's own checks or by the model, and the rest is read on): where one of them may
 * come next, only it is offered, not what may follow once it is skipped.
 */
const REQUIRED: ((stack: string[], type: TokenType) => boolean)[] = [
  // `service NAME PROTO PORTS`
  (stack, type) => stack[stack.length - 2] === 'serviceDecl' && stack[stack.length - 1] === 'portSpec' && firstTokens('portSpec').has(type),
  // a flow's `tcp PORT` / `udp PORT`
  (stack, type) => stack[stack.length - 1] === 'flowBody' && type === T.NumberTok,
  // `firewall NAME KIND protects ...`
  (stack, type) => stack[stack.length - 1] === 'firewallDecl' && type === T.Protects,
];

const FIRST = new Map<string, Set<TokenType>>();

/** The token types a rule may start with. */
function firstTokens(rule: string): Set<TokenType> {
  let first = FIRST.get(rule);
  if (!first) {
    first = new Set(
      fwParser()
        .computeContentAssist(rule, [])
        .map((p) => p.nextTokenType),
    );
    FIRST.set(rule, first);
  }
  return first;
}

/** The words of a token type: a keyword, the keywords of a category, or a token kind. */
function tokenWords(type: TokenType): string[] {
  const kind = KINDS.get(type);
  if (kind) return [kind];
  if (type.name.startsWith('Kw_')) return [type.name.slice(3)];
  return T.KEYWORD_TOKENS.filter((k) => k.CATEGORIES?.includes(type)).map((k) => k.name.slice(3));
}

/** `firewall f stateless {` */
const BODY_OPENING: [TokenType, string][] = [
  [T.Firewall, 'firewall'],
  [T.Identifier, 'f'],
  [T.Stateless, 'stateless'],
  [T.LCurly, '{'],
];

interface Window {
  tokens: IToken[];
  /** The offset is in a firewall body opened by `{` and not closed before it. */
  inBody: boolean;
  /** The offset is in a firewall header (before its `{`). */
  inHeader: boolean;
}

/** The tokens that decide what comes at `offset` (see the top of the file). */
/**
 * The longest window read, in characters: a statement (or body item) longer than this gets no
 * assist. The interpreter's time grows with the tokens (about 250 ms for 50,000 on a laptop), and
 * no one completes a name in the middle of a 1 MB statement.
 */
const MAX_WINDOW = 20_000;

/** More `firewall` keywords than this in one window: no assist (see lastLineStart). */
const MAX_HEADERS = 4;

/**
 * Brackets open at once deeper than this in one window: no assist. The interpreter's time grows
 * with the square of the depth (1,600 nested `[` took 1.3 s, 5,000 in a 20 KB rule 13 s: fuzz
 * document 86169 of seed 12012), and the parser allows port lists 16 deep.
 */
const MAX_NESTING = 16;

class WindowTooLong extends Error {}

/** How deep brackets are open at most among `tokens`. */
function maxNesting(tokens: IToken[]): number {
  let depth = 0;
  let max = 0;
  for (const t of tokens) {
    if (t.tokenType === T.LBracket) max = Math.max(max, ++depth);
    else if (t.tokenType === T.RBracket && depth > 0) depth--;
    // More than 16 in a row (its image is its first bracket).
    else if (t.tokenType === T.DeepOpen) max = Math.max(max, (depth += MAX_NESTING + 1));
  }
  return max;
}

/** A statement keyword at the start of a line: recovery starts a new statement there. */
const LINE_START_STATEMENT = /(?:^|[\r\n])[ \t]*(?:host|network|service|ephemeral|default|nat|include|firewall|flow)(?![A-Za-z0-9_-])/g;

/**
 * The start of the last statement keyword that begins a line in `text[start, end)` after `start`,
 * else `start`. The window never reaches back over one: what is before it cannot change what comes
 * next, and the interpreter's paths double with each unclosed header (a paste of 13 nested
 * `firewall … {` lines took 36 s to complete).
 */
function lastLineStart(text: string, start: number, end: number): number {
  let found = start;
  LINE_START_STATEMENT.lastIndex = start + 1;
  for (let m = LINE_START_STATEMENT.exec(text); m && m.index < end; m = LINE_START_STATEMENT.exec(text)) {
    const at = m.index + m[0].search(/[A-Za-z]/);
    if (at < end && at > start) found = at;
  }
  return found;
}

function windowAt(text: string, ast: FileAst, offset: number): Window {
  const lexFrom = (start: number, end: number): IToken[] => {
    if (end - start > MAX_WINDOW) throw new WindowTooLong();
    const from = lastLineStart(text, start, end);
    const tokens = from < end ? T.lex(text.slice(from, end)).tokens : [];
    // Headers written on one line, each unclosed, double the paths too: a few are plenty.
    if (tokens.filter((t) => t.tokenType === T.Firewall).length > MAX_HEADERS) throw new WindowTooLong();
    if (maxNesting(tokens) > MAX_NESTING) throw new WindowTooLong();
    return tokens;
  };
  const statements = ast.statements;
  // The last statement starting before the offset; statements written inside a body come
  // after their firewall in the list: the firewall is the one the offset is in.
  let last: Statement | undefined;
  let firewall: Extract<Statement, { kind: 'firewall' }> | undefined;
  for (const s of statements) {
    if (s.span.start >= offset) break;
    if (firewall && s.span.start < firewall.span.end) {
      last = s;
      continue;
    }
    last = s;
    firewall = s.kind === 'firewall' ? s : undefined;
  }
  if (!last) return { tokens: lexFrom(0, offset), inBody: false, inHeader: false };
  if (!firewall) return { tokens: lexFrom(last.span.start, offset), inBody: false, inHeader: false };

  const body = firewall.body;
  if (!body || body.start >= offset) {
    return { tokens: lexFrom(firewall.span.start, offset), inBody: false, inHeader: true };
  }
  const closed = text[body.end - 1] === '}' && body.end > body.start + 1;
  if (closed && body.end <= offset) {
    // After the firewall: what follows its `}` (junk, if anything).
    return { tokens: lexFrom(body.end, offset), inBody: false, inHeader: false };
  }
  // In the body: a header, then the body item the offset is in. Every header leaves the
  // grammar at the same place, so a well-formed one stands in for the real one (which may
  // be long, or hold a misspelt keyword).
  let itemStart = body.start + 1;
  for (const r of firewall.rules) if (r.span.start < offset && r.span.start > itemStart) itemStart = r.span.start;
  if (last !== firewall && last.span.start > itemStart) itemStart = last.span.start;
  return {
    tokens: [
      ...BODY_OPENING.map(([type, image]) => createTokenInstance(type, image, NaN, NaN, NaN, NaN, NaN, NaN)),
      ...lexFrom(itemStart, offset),
    ],
    inBody: true,
    inHeader: false,
  };
}
