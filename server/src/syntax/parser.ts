// The parser of the `.fw` language (spec §3, §4, §6): one chevrotain EmbeddedActionsParser
// per process that builds the AST of ast.ts directly.
//
// Error recovery (see also parse.ts):
// - chevrotain's single-token insertion / deletion is on (`recoveryEnabled`), restricted to
//   tokens whose absence the AST can represent (`->`, `]`, `-`, `allow|deny`, a protocol,
//   `stateless|stateful`, an address, `ephemeral`).
// - chevrotain's re-sync recovery is off for every rule (`resyncEnabled: false`): a failing
//   rule throws up to one of our own recovery points, which skip tokens by hand:
//   * a statement (top level) recovers at the next statement keyword that starts a line
//     (`host`, `network`, `service`, `firewall`, `flow`, `include`, `default ephemeral`,
//     `ephemeral NAME NUMBER`), or the end of the file;
//   * a rule (inside a firewall body) recovers at the next rule start (`inbound`,
//     `outbound`, or `NUMBER inbound|outbound` when the NUMBER is the first token on its
//     line), at `}`, or at a statement keyword that starts a line. A number in mid-line is
//     never taken for the next rule's number (it is most likely the broken rule's port), and
//     a port or a range's upper end is never read from a line that starts a numbered rule:
//     recovery never moves a token from one rule into another (spec §8.1 rule 5).
// - A misspelt keyword where a keyword is expected (`statefull`, `alow`, `inbuond`, `tpc`,
//   `protect`, `expcet`, `hots` at the start of a line, ...) is reported with "did you mean"
//   and a fix, then read as that keyword (fixTypo), so the rest of the statement parses.
// - A statement, rule or firewall header whose parse recorded an error is marked
//   `recovered` (ast.ts): the model keeps it out of analyses and simulations.
//   Statement and rule nodes are added to the AST as soon as their first tokens are read,
//   so a statement broken halfway keeps what was parsed before the error.
// - Junk (a token that cannot start a statement / a rule) gets one diagnostic and is
//   skipped up to the next recovery point.
// - chevrotain's in-repetition recovery is switched off: our loops never stop on junk.
// - Firewall bodies: a header error skips to `{`; rules right after a header without `{`
//   are still read as the body; a statement keyword that starts a line inside a body ends
//   it ("expected `}`") unless a `}` comes before the next `{`, in which case the
//   statement was written inside the body by mistake: it is reported and parsed as a
//   statement all the same.
// - A keyword where a declaration name goes (`host host 10.0.0.1`) is reported and used
//   as the name when what follows fits; insertion never happens in front of a statement
//   keyword in mid-line (a stray word), so one wrong word gives at most two diagnostics.
//
// Recording phase: chevrotain runs every rule once at construction to record the grammar.
// Code with side effects on parser state runs in ACTION or is guarded by RECORDING_PHASE;
// DSL calls are never made conditionally (only inside DSL closures).

import {
  EmbeddedActionsParser,
  EOF,
  isRecognitionException,
  MismatchedTokenException,
  NoViableAltException,
  tokenMatcher,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type ITokenGrammarPath,
  type TokenType,
} from 'chevrotain';
import type {
  Action,
  AddressLit,
  DefaultEphemeralDecl,
  Direction,
  Endpoint,
  EndpointRef,
  EphemeralDecl,
  EphemeralRef,
  FirewallDecl,
  FlowDecl,
  FirewallKind,
  FlowTarget,
  HostDecl,
  IncludeDecl,
  NatDecl,
  Name,
  NetworkDecl,
  NumberLit,
  PortSpec,
  Proto,
  RuleNode,
  ServiceDecl,
  Statement,
  Word,
} from './ast';
import type { Fix, RelatedInfo, Span } from '../core/diagnostic';
import { closestWords } from './spelling';
import * as T from './tokens';
import { tokenEnd, tokenStart } from './tokens';
import type { RuleMemo } from './ruleMemo';

// ------------------------------------------------------------------ messages

/** Prefix marking an error message that is a key of EXPECTATIONS, rendered by parse.ts. */
export const MESSAGE_KEY = '\u0001';
const K = (key: string): string => MESSAGE_KEY + key;
const E = (key: string): { ERR_MSG: string } => ({ ERR_MSG: K(key) });

const E_HOST_ADDRESS = E('host-address');
const E_NET_PREFIX = E('network-prefix');
const E_SERVICE_PROTO = E('service-proto');
const E_RANGE_LOW = E('range-low');
const E_RANGE_DASH = E('range-dash');
const E_RANGE_HIGH = E('range-high');
const E_DEFAULT_EPH = E('default-ephemeral');
const E_INCLUDE_PATH = E('include-path');
const E_NAT_ADDRESS = E('nat-address');
const E_FW_MODE = E('fw-mode');
const E_FW_DEFAULT = E('fw-default');
const E_RULE_DIRECTION = E('rule-direction');
const E_RULE_ACTION = E('rule-action');
const E_RULE_PROTO = E('rule-proto');
const E_LIST_CLOSE = E('list-close');
const E_FLOW_ARROW = E('flow-arrow');
const E_VIA_FW = E('via-fw');
const E_EXPECT_ACTION = E('expect-action');
const E_BRACKET_ADDRESS = E('bracket-address');
const E_BRACKET_CLOSE = E('bracket-close');

const NOUN_AFTER: Record<string, string> = {
  host: 'a host name',
  network: 'a network name',
  service: 'a service name',
  ephemeral: 'a profile name',
  firewall: 'a firewall name',
  nat: 'a NAT gateway name',
};

const STATEMENT_STARTS =
  'a statement starts with `host`, `network`, `service`, `ephemeral`, `default ephemeral`, `nat`, `include`, `firewall` or `flow`';
const RULE_STARTS = 'a rule starts with `inbound` or `outbound` (optionally after a rule number)';
const RULE_SHAPE = 'a rule reads `[NUMBER] inbound|outbound allow|deny PROTO [from ENDPOINT [port PORTS]] [to ENDPOINT [port PORTS]]`';
const PORT_LIST_HINT = 'several ports are written as a list in brackets, like `[80, 443]`';

/** Keys whose expectation includes a name: a keyword found there is called out as one. */
const NAME_KEYS = new Set(['decl-name', 'endpoint', 'flow-client', 'ports', 'via-fw', 'flow-target', 'ephemeral-ref']);
/** Keywords that legitimately follow the places above; found there, they mean "something is missing". */
const STRUCTURAL_KEYWORDS = new Set(['from', 'to', 'port', 'via', 'expect', 'inbound', 'outbound', 'protects', 'default']);

function code(image: string): string {
  const s = image.length > 40 ? image.slice(0, 40) + '…' : image;
  return '`' + s.replace(/`/g, "'") + '`';
}

export function isEofToken(t: IToken | undefined): boolean {
  return !t || t.tokenType === EOF || t.startOffset !== t.startOffset;
}

/** "`tcp`" or "the end of the file". */
export function describeToken(t: IToken | undefined, eof: string): string {
  return isEofToken(t) ? eof : code(t!.image);
}

/** The "expected ..." part of a message for a key, given the token before the error. */
function renderExpectation(key: string, prev: IToken | undefined): string {
  const p = isEofToken(prev) ? undefined : prev!;
  const after = p ? code(p.image) : undefined;
  const prevType = p?.tokenType;
  switch (key) {
    case 'decl-name':
      return `expected ${NOUN_AFTER[p?.image ?? ''] ?? 'a name'} after ${after ?? 'the keyword'}`;
    case 'host-address':
      return 'expected an address (like 10.0.1.10 or 2001:db8::1) after the host name';
    case 'network-prefix':
      return prevType === T.Comma
        ? 'expected a prefix (like 10.0.0.0/8) after `,`'
        : 'expected a prefix (like 10.0.0.0/8) after the network name';
    case 'service-proto':
      return 'expected a protocol (`tcp`, `udp`, `icmp` or `all`) after the service name';
    case 'range-low':
      return prevType === T.Ports
        ? 'expected a port range like 1024-65535 after `ports`'
        : 'expected a port range like 32768-60999 after the profile name';
    case 'range-dash':
      return `expected \`-\` after ${after ?? 'the low end'} (a range is written LOW-HIGH, like 1024-65535)`;
    case 'range-high':
      return 'expected the upper end of the range after `-`';
    case 'ephemeral-ref':
      return `expected an ephemeral profile name (like linux) or a range like 32768-60999 after ${after ?? '`ephemeral`'}`;
    case 'default-ephemeral':
      return 'expected `ephemeral` after `default` (`default ephemeral PROFILE` sets the file-wide ephemeral range)';
    case 'include-path':
      return 'expected a quoted path like "common.fw" after `include`';
    case 'nat-address':
      return "expected the gateway's address (like 10.0.0.5) after the NAT gateway name";
    case 'fw-mode':
      return 'expected the firewall kind (`stateless`, `stateful`, `aws-nacl` or `aws-sg`) after the firewall name';
    case 'fw-default':
      return 'expected `allow` or `deny` after `default`';
    case 'endpoint':
      if (prevType === T.Arrow) return 'expected the server (a name, `any` or an address) after `->`';
      if (!p || prevType === T.Flow) return renderExpectation('flow-client', p);
      return `expected an endpoint (a name, \`any\` or an address) after ${after}`;
    case 'flow-client':
      return `expected the client (a name, \`any\` or an address) ${after ? `after ${after}` : 'at the start of the flow'}`;
    case 'ports':
      return `expected a port, a range like 1024-65535, a service name or \`ephemeral\` after ${after ?? '`port`'}`;
    case 'list-close':
      return 'expected `,` or `]` in the port list';
    case 'rule-direction':
      return 'expected `inbound` or `outbound` after the rule number';
    case 'rule-action':
      return `expected \`allow\` or \`deny\` after ${after ?? 'the direction'}`;
    case 'rule-proto':
      return `expected a protocol (\`tcp\`, \`udp\`, \`icmp\` or \`all\`) after ${after ?? 'the action'}`;
    case 'flow-arrow':
      return 'expected `->` between the client and the server';
    case 'flow-target':
      return 'expected a service name, `tcp PORT`, `udp PORT` or `icmp` after the server';
    case 'flow-port':
      return `expected a port number after ${after ?? 'the protocol'}`;
    case 'via-fw':
      return `expected a firewall or NAT gateway name after ${after ?? '`via`'}`;
    case 'expect-action':
      return 'expected `allow` or `deny` after `expect`';
    case 'bracket-address':
      return 'expected an IPv6 address after `[`';
    case 'bracket-close':
      return 'expected `]` after the address';
    default:
      return 'unexpected input';
  }
}

/** The full message of an "expected X, found Y" error. */
export function renderExpectedFound(
  key: string,
  found: IToken | undefined,
  prev: IToken | undefined,
  eof: string,
  foundStartsLine = false,
): string {
  if (key === 'default-ephemeral' && found && found.tokenType.CATEGORIES?.includes(T.ActionKw)) {
    return (
      `\`default ${found.image}\` belongs in a firewall header, before its \`{\`: write \`firewall NAME stateless protects ` +
      `... default ${found.image} {\``
    );
  }
  const expected = renderExpectation(key, prev);
  const foundText = describeToken(found, eof);
  if (
    found &&
    !isEofToken(found) &&
    NAME_KEYS.has(key) &&
    isKeywordToken(found) &&
    !foundStartsLine &&
    !STRUCTURAL_KEYWORDS.has(found.image)
  ) {
    return `${expected}, found ${foundText}, which is a keyword and cannot be used as a name`;
  }
  return `${expected}, found ${foundText}`;
}

/** Is the character before `offset` (spaces and tabs aside) a line break or the start of the text? */
export function startsLine(text: string, offset: number): boolean {
  let i = offset - 1;
  if (i !== i) return false;
  while (i >= 0) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return true;
    if (c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff) i--;
    else return false;
  }
  return true;
}

function isKeywordToken(t: IToken): boolean {
  const cats = t.tokenType.CATEGORIES;
  return cats !== undefined && cats.includes(T.Keyword);
}

const messageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected }) {
    return `expected ${expected.LABEL ?? expected.name}`;
  },
  buildNotAllInputParsedMessage() {
    return K('not-all-input');
  },
  buildNoViableAltMessage({ customUserDescription }) {
    return customUserDescription ?? 'unexpected input';
  },
  buildEarlyExitMessage({ customUserDescription }) {
    return customUserDescription ?? 'unexpected input';
  },
};

// ------------------------------------------------------------------ helpers

export interface ManualError {
  span: Span;
  message: string;
  related?: RelatedInfo[];
  fixes?: Fix[];
}

/** Thrown by the parser's own checks; the diagnostic is already recorded. */
class Abort extends Error {}

const NO_RESYNC = { resyncEnabled: false };
/** Syntax errors in one firewall (header and body) after which the rest of its body is skipped. */
export const MAX_BODY_ERRORS = 200;
const FOLLOWS_CACHE = new Map<string, TokenType[]>();

/**
 * The key of a grammar path in FOLLOWS_CACHE: the token's type and occurrence in the current
 * rule, then each rule on the stack (its short name, a number) with the occurrence its caller
 * called it at. Two paths have the same key exactly when they are the same path.
 */
export function followsKey(
  tokenTypeIdx: number,
  idx: number,
  ruleStack: readonly number[],
  occurrenceStack: readonly number[],
  depth: number,
): string {
  let key = `${tokenTypeIdx}:${idx}`;
  for (let i = 0; i < depth; i++) key += `,${ruleStack[i]}.${occurrenceStack[i]}`;
  return key;
}

/**
 * The parts of chevrotain's recognizer (chevrotain 11) that FwParser's constructor replaces or
 * uses: not in its public types.
 */
interface Recognizer {
  fullRuleNameToShort: Record<string, number>;
  ruleInvocationStateUpdate(shortName: number, fullName: string, idxInCallingRule: number): void;
  ruleFinallyStateUpdate(): void;
  RULE_STACK: number[];
  RULE_STACK_IDX: number;
  RULE_OCCURRENCE_STACK: number[];
  _errors: IRecognitionException[];
  subruleIdx: number;
  subruleInternal(
    rule: { coreRule: { apply(self: unknown, args: unknown[] | undefined): unknown } },
    idx: number,
    options: { ARGS?: unknown[] } | undefined,
  ): unknown;
  raiseNoAltException(occurrence: number, errMsgTypes: string | undefined): never;
  consumeInternalError(tokType: TokenType, nextToken: IToken, options: { ERR_MSG?: string } | undefined): never;
  consumeInternalRecovery(tokType: TokenType, idx: number, error: unknown): IToken;
  getFollowsForInRuleRecovery(tokType: TokenType, idx: number): TokenType[];
  getCurrentGrammarPath(tokType: TokenType, idx: number): ITokenGrammarPath;
  canRecoverWithSingleTokenInsertion(tokType: TokenType, follows: TokenType[]): boolean;
  canRecoverWithSingleTokenDeletion(tokType: TokenType): boolean;
  getTokenToInsert(tokType: TokenType): IToken;
  getCurrRuleFullName(): string;
  SAVE_ERROR(error: IRecognitionException): IRecognitionException;
  SKIP_TOKEN(): IToken;
  consumeToken(): void;
  isBackTracking(): boolean;
}

/** A rule as chevrotain defines it: its entry point, and what SUBRULE calls (`coreRule`). */
interface DefinedRule {
  (...args: unknown[]): unknown;
  ruleName: string;
  originalGrammarAction: (...args: unknown[]) => unknown;
  coreRule: (...args: unknown[]) => unknown;
}

/**
 * A recognition exception as chevrotain makes one (its class, name, message, token, previous
 * token, no resynced tokens), without being built as an Error: Error's constructor, then
 * chevrotain's Object.setPrototypeOf and captureStackTrace took 1.4 µs an error, an eighth of the
 * parse of a file of errors. Still an instance of its class and of Error; it has no stack.
 */
function recognitionError<E>(
  type: abstract new (...args: never[]) => E,
  name: string,
  message: string,
  token: IToken,
  previousToken: IToken,
): E {
  const e = Object.create(type.prototype) as {
    name: string;
    message: string;
    token: IToken;
    resyncedTokens: IToken[];
    previousToken: IToken;
  };
  e.name = name;
  e.message = message;
  e.token = token;
  e.resyncedTokens = [];
  e.previousToken = previousToken;
  return e as E;
}

/** Targets for writes made while chevrotain records the grammar (never part of an AST). */
const PLACEHOLDER_RULE: RuleNode = {
  kind: 'rule',
  span: { start: 0, end: 0 },
  direction: { value: 'inbound', span: { start: 0, end: 0 } },
};
const PLACEHOLDER_FIREWALL: FirewallDecl = {
  kind: 'firewall',
  span: { start: 0, end: 0 },
  keyword: { start: 0, end: 0 },
  name: { text: '', span: { start: 0, end: 0 } },
  protects: [],
  rules: [],
};
const PLACEHOLDER_CLAUSE: Endpoint = { keyword: { start: 0, end: 0 }, span: { start: 0, end: 0 } };
const MAX_LIST_DEPTH = 16;

function sp(t: IToken): Span {
  return { start: tokenStart(t), end: tokenEnd(t) };
}
/**
 * A token actually read from the input: not undefined, not invented by single-token
 * insertion, and not one of chevrotain's recording-phase placeholders (an OPTION returns
 * a placeholder object without `image` while the grammar is being recorded).
 */
function real(t: IToken | undefined): t is IToken {
  return t !== undefined && t.isInsertedInRecovery !== true && typeof t.image === 'string';
}
function nameOf(t: IToken): Name {
  return { text: t.image, span: sp(t) };
}
function numLit(t: IToken): NumberLit {
  return { value: Number(t.image), text: t.image, span: sp(t) };
}
function addrLit(t: IToken): AddressLit {
  return { kind: 'address', text: t.image, span: sp(t) };
}
function word<V extends string>(t: IToken): Word<V> {
  // A keyword read through a typo (`statefull`) has the keyword's type, not its image. The
  // keyword's one string, not a copy per word (a tree of 10,000 rules kept 30,000 of them).
  return { value: (T.keywordWord(t.tokenType) ?? t.image) as V, span: sp(t) };
}

// Keywords a misspelling may stand for, by the place it is found in (see fixTypo).
const MODES = [T.Stateless, T.Stateful, T.AwsNacl, T.AwsSg];
const ACTIONS = [T.Allow, T.Deny];
const DIRECTIONS = [T.Inbound, T.Outbound];
const PROTOS = [T.Tcp, T.Udp, T.Icmp, T.All];
const PORT_PROTOS = [T.Tcp, T.Udp];
const STATEMENT_KEYWORDS = [T.Host, T.Network, T.Service, T.Firewall, T.Flow, T.Include, T.Ephemeral, T.Default, T.Nat];
const KW_EPHEMERAL = [T.Ephemeral];
const KW_PROTECTS = [T.Protects];
const KW_DEFAULT = [T.Default];
const KW_PORT = [T.Port];
const KW_PORT_TO = [T.Port, T.To];
const KW_FROM_TO = [T.From, T.To];
const KW_EXPECT = [T.Expect];
const KW_VIA_EXPECT = [T.Via, T.Expect];

function keywordWord(k: TokenType): string {
  return k.name.slice(3);
}

/** The keywords among `kinds` that the identifier `t` is a close misspelling of. */
function typoOf(t: IToken, kinds: readonly TokenType[]): TokenType[] {
  if (t.tokenType !== T.Identifier) return [];
  const words = kinds.map(keywordWord);
  return closestWords(t.image, words).map((w) => kinds[words.indexOf(w)]!);
}

/** Tokens that single-token insertion may invent (their absence is representable). */
const INSERTABLE = new Set<TokenType>([T.Arrow, T.RBracket, T.Dash, T.ActionKw, T.ProtoKw, T.ModeKw, T.AddressTok, T.Ephemeral]);

const HARD_STATEMENT_KEYWORDS = new Set<TokenType>([T.Host, T.Network, T.Service, T.Firewall, T.Flow, T.Include, T.Nat]);

// ------------------------------------------------------------------ the parser

/** chevrotain's own hook (not in its types; a no-op if a version had none). */
const chevrotainOnAfterParse: (this: unknown, ruleName: string) => void =
  (EmbeddedActionsParser.prototype as unknown as { onAfterParse?: (ruleName: string) => void }).onAfterParse ?? (() => undefined);

export class FwParser extends EmbeddedActionsParser {
  // Per-parse state (prefixed to stay clear of chevrotain's own fields).
  private fwText = '';
  /** Set by the constructor's `chevrotainErrors`: every step on a syntax error chevrotain's own. */
  private fwChevrotainErrors = false;
  private fwStatements: Statement[] = [];
  private fwErrors: ManualError[] = [];
  private fwCurStmt: Statement | undefined;
  private fwCurRule: RuleNode | undefined;
  private fwListDepth = 0;
  private fwScanFrom = -1;
  private fwScanTo = -1;
  private fwScanClose = false;
  /** The firewall whose body is being read. */
  private fwFirewall: FirewallDecl = PLACEHOLDER_FIREWALL;
  /** The rule being read and its current `from`/`to` clause (see ruleLine). */
  private fwRuleNode: RuleNode = PLACEHOLDER_RULE;
  private fwClause: Endpoint = PLACEHOLDER_CLAUSE;
  /** The items of the port list being read (see portSpec). */
  private fwListItems: PortSpec[] | undefined;
  /** Error counts when the current statement / body item / network began (see errCount). */
  private fwStmtBase = 0;
  private fwItemBase = 0;
  private fwDeclBase = 0;
  /** parseChunk: the index of the first token after the chunk (-1: the whole input). */
  private fwStopAt = -1;
  /** parseChunk: the offset in the file of fwText's first character. */
  private fwTextOffset = 0;
  /** parseChunk: rules kept from the last parse of an edited firewall (set by the incremental parser). */
  ruleMemo: RuleMemo | undefined;

  /**
   * `validate`: chevrotain's checks of the grammar itself (ambiguities, left recursion, …),
   * about a tenth of the parser's construction time. They cannot fail at run time on a grammar that
   * passed them once: the tests run them (test/syntax/parser.test.ts), `fwlang` skips them.
   * `chevrotainErrors`: chevrotain's own steps on a syntax error, not useOwnErrorPath's (the tests
   * compare the two).
   */
  constructor(options: { validate?: boolean; chevrotainErrors?: boolean } = {}) {
    super(T.ALL_TOKENS, {
      recoveryEnabled: true,
      maxLookahead: 1,
      errorMessageProvider: messageProvider,
      skipValidations: !options.validate,
    });
    // Our loops handle junk themselves; chevrotain's in-repetition recovery (skipping
    // tokens to re-enter a repetition, with its own messages) is switched off.
    (this as unknown as { attemptInRepetitionRecovery: () => void }).attemptInRepetitionRecovery = () => {};
    this.fwChevrotainErrors = options.chevrotainErrors === true;
    if (!this.fwChevrotainErrors) this.useOwnErrorPath();
    this.performSelfAnalysis();
  }

  /**
   * chevrotain's definition of a rule (called for each RULE), with one change. A rule that does
   * not resync (every rule here but `file`), called from another rule, is entered and left
   * without a catch: chevrotain catches what it throws only to throw it again, a new throw at
   * every rule on the way out; a `finally` passes it on instead (a megabyte of bare `host` lines:
   * 3.0 -> 2.5 s a parse; the `finally` still costs about 1.7 µs an error, docs/performance.md).
   * A rule invoked first (an entry point) keeps chevrotain's own wrapper, which turns an error
   * into a recovered value there.
   */
  protected defineRule(name: string, impl: (...args: unknown[]) => unknown, config: { resyncEnabled?: boolean } | undefined): DefinedRule {
    const define = (EmbeddedActionsParser.prototype as unknown as { defineRule: FwParser['defineRule'] }).defineRule;
    const rule = define.call(this, name, impl, config);
    if (config?.resyncEnabled !== false) return rule;
    const chevrotains = rule.coreRule;
    const shortName = (this as unknown as Recognizer).fullRuleNameToShort[name]!;
    rule.coreRule = function invokeRule(this: FwParser, ...args: unknown[]): unknown {
      const self = this as unknown as Recognizer;
      if (self.RULE_STACK_IDX < 0 || this.fwChevrotainErrors) return chevrotains.apply(this, args);
      self.ruleInvocationStateUpdate(shortName, name, self.subruleIdx);
      try {
        return impl.apply(this, args);
      } finally {
        self.ruleFinallyStateUpdate();
      }
    };
    return rule;
  }

  /**
   * What chevrotain (11.2) does on a syntax error, the same errors and the same recovery, with
   * what makes its steps slow on a file of errors left out (test/syntax/errorPath.property.test.ts
   * holds the two equal).
   */
  private useOwnErrorPath(): void {
    // When no alternative fits, chevrotain works out every path each alternative could take, from
    // the grammar, for a message; ours names only what the alternatives' ERR_MSG says. That
    // walk was a third of the parse of a megabyte of `host` lines (200,000 statements each
    // without a name: 5.7 s). The same exception and message, without the walk.
    const self = this as unknown as Recognizer;
    self.raiseNoAltException = (_occurrence, errMsgTypes) => {
      const previous = this.LA(0);
      const message = messageProvider.buildNoViableAltMessage({
        expectedPathsPerAlt: [],
        actual: [this.LA(1)],
        previous,
        customUserDescription: errMsgTypes,
        ruleName: '',
      });
      throw self.SAVE_ERROR(recognitionError(NoViableAltException, 'NoViableAltException', message, this.LA(1), previous));
    };
    // A token that is not the one expected: chevrotain's own steps (chevrotain 11.2), with
    // what made each of them cost on a file of errors left out (a megabyte of `host a` lines,
    // 143,000 errors: 1.3-1.5 s a parse, a third of it these): the exception is not built as an Error
    // (recognitionError), the error keeps no rule stack that nothing reads (SAVE_ERROR), what
    // may follow is found by the rule stack's numbers (followsAt), and a token neither inserted
    // nor deleted rethrows the error without first throwing chevrotain's "sad sad panda" (recovery
    // is always on in this parser).
    self.consumeInternalError = (tokType, nextToken, options) => {
      const previous = this.LA(0);
      const message = options?.ERR_MSG
        ? options.ERR_MSG
        : messageProvider.buildMismatchTokenMessage({
            expected: tokType,
            actual: nextToken,
            previous,
            ruleName: self.getCurrRuleFullName(),
          });
      throw self.SAVE_ERROR(recognitionError(MismatchedTokenException, 'MismatchedTokenException', message, nextToken, previous));
    };
    self.SAVE_ERROR = (error) => {
      if (!isRecognitionException(error)) throw new Error('Trying to save an Error which is not a RecognitionException');
      self._errors.push(error);
      return error;
    };
    self.consumeInternalRecovery = (tokType, idx, error) => {
      if ((error as { name?: unknown }).name === 'MismatchedTokenException' && !self.isBackTracking()) {
        const follows = self.getFollowsForInRuleRecovery(tokType, idx);
        if (self.canRecoverWithSingleTokenInsertion(tokType, follows)) return self.getTokenToInsert(tokType);
        if (self.canRecoverWithSingleTokenDeletion(tokType)) {
          const skipped = self.SKIP_TOKEN();
          self.consumeToken();
          return skipped;
        }
      }
      throw error;
    };
    self.getFollowsForInRuleRecovery = (tokType, idx) => this.followsAt(tokType, idx);
    // A rule called from another: chevrotain catches what the called rule throws only to give
    // the caller a partial CST (there is none: embedded actions) and throws it again. Without
    // that catch, an error leaves its statement through half as many handlers.
    self.subruleInternal = (rule, idx, options) => {
      self.subruleIdx = idx;
      return rule.coreRule.apply(this, options?.ARGS);
    };
  }

  // ---------------------------------------------------------------- entry points

  parseFile(text: string, tokens: IToken[]): Statement[] {
    this.resetFw(text);
    this.input = tokens;
    this.file();
    return this.fwStatements;
  }

  /**
   * Parses the statements of `tokens[0..stopAt)` exactly as parseFile would inside a whole
   * file: the tokens from `stopAt` on are the ones that follow (lookahead only; the top-level
   * loop stops before them). Returns false when a statement read into them: `stopAt` was
   * not where a statement of the whole file starts. `text` is the file's text from offset
   * `textOffset` on (the tokens' offsets are the file's).
   */
  parseChunk(text: string, textOffset: number, tokens: IToken[], stopAt: number): { statements: Statement[]; clean: boolean } {
    this.resetFw(text);
    this.input = tokens;
    this.fwStopAt = stopAt;
    this.fwTextOffset = textOffset;
    try {
      this.file();
    } finally {
      this.fwStopAt = -1;
      this.fwTextOffset = 0;
    }
    return { statements: this.fwStatements, clean: this.lastConsumed() < stopAt };
  }

  /**
   * chevrotain's hook after its top rule returns: it reports the tokens left unread, making an
   * exception object for the error. A chunk's parse always leaves the tokens that follow the
   * chunk (parseChunk), so it made one for every chunk, only for the incremental parser to drop
   * it: here the chunk's end is the input's end (what the hook looks at is put back after it).
   */
  onAfterParse(ruleName: string): void {
    const at = this as unknown as { currIdx: number; tokVectorLength: number };
    const idx = at.currIdx;
    if (this.fwStopAt >= 0) at.currIdx = at.tokVectorLength - 1;
    try {
      chevrotainOnAfterParse.call(this, ruleName);
    } finally {
      at.currIdx = idx;
    }
  }

  parseFlow(text: string, tokens: IToken[]): FlowDecl | undefined {
    this.resetFw(text);
    this.input = tokens;
    if (tokens.length === 0) return undefined;
    return this.flowOnly();
  }

  /** Drops the references to the last input, its errors and its AST (call after reading them). */
  release(): void {
    this.input = [];
    this.resetFw('');
  }

  get recognitionErrors(): IRecognitionException[] {
    return this.errors;
  }
  get manualErrors(): ManualError[] {
    return this.fwErrors;
  }

  private resetFw(text: string): void {
    this.fwText = text;
    this.fwStatements = [];
    this.fwErrors = [];
    this.fwCurStmt = undefined;
    this.fwCurRule = undefined;
    this.fwListDepth = 0;
    this.fwScanFrom = -1;
    this.fwScanTo = -1;
    this.fwScanClose = false;
    this.fwFirewall = PLACEHOLDER_FIREWALL;
    this.fwRuleNode = PLACEHOLDER_RULE;
    this.fwClause = PLACEHOLDER_CLAUSE;
    this.fwListItems = undefined;
    this.fwStmtBase = 0;
    this.fwItemBase = 0;
    this.fwDeclBase = 0;
  }

  // ---------------------------------------------------------------- top level

  private file = this.RULE(
    'file',
    () => {
      this.MANY({
        // parseChunk: stop before the tokens that follow the chunk.
        GATE: () => this.fwStopAt < 0 || this.lastConsumed() + 1 < this.fwStopAt,
        DEF: () => {
          this.ACTION(() => {
            this.fwStmtBase = this.errCount();
            this.fixStatementTypo();
          });
          this.OR({
            IGNORE_AMBIGUITIES: true,
            DEF: [
              { ALT: () => this.safeStatement() },
              {
                ALT: () => {
                  const t = this.CONSUME(T.AnyToken);
                  this.ACTION(() => this.topJunk(t));
                },
              },
            ],
          });
        },
      });
    },
    NO_RESYNC,
  );

  private safeStatement(): void {
    this.fwListDepth = 0;
    this.fwCurStmt = undefined;
    const base = this.fwStmtBase;
    try {
      this.SUBRULE(this.statement);
    } catch (e) {
      this.rethrowUnlessSyntax(e);
      this.closeCurrentStatement();
      this.skipWhile(() => !this.lineStartStatement() && this.statementTypoKinds().length === 0);
    }
    this.markRecovered(base);
  }

  /** Marks the current statement (not a firewall: its header is marked by firewallDecl) recovered if errors were recorded since `base`. */
  private markRecovered(base: number): void {
    if (this.RECORDING_PHASE) return;
    const st = this.fwCurStmt;
    if (st && st.kind !== 'firewall' && this.errCount() > base) st.recovered = true;
  }

  private statement = this.RULE(
    'statement',
    () => {
      this.OR([
        { ALT: () => this.SUBRULE(this.hostDecl) },
        { ALT: () => this.SUBRULE(this.networkDecl) },
        { ALT: () => this.SUBRULE(this.serviceDecl) },
        { ALT: () => this.SUBRULE(this.ephemeralDecl) },
        { ALT: () => this.SUBRULE(this.defaultEphemeralDecl) },
        { ALT: () => this.SUBRULE(this.includeDecl) },
        { ALT: () => this.SUBRULE(this.natDecl) },
        { ALT: () => this.SUBRULE(this.firewallDecl) },
        { ALT: () => this.SUBRULE(this.flowDecl) },
      ]);
    },
    NO_RESYNC,
  );

  // ---------------------------------------------------------------- declarations

  private hostDecl = this.RULE(
    'hostDecl',
    () => {
      const kw = this.CONSUME(T.Host);
      const node: HostDecl = { kind: 'host', span: sp(kw), keyword: sp(kw), name: this.emptyName(kw) };
      this.begin(node);
      node.name = this.SUBRULE(this.declName);
      const addr = this.CONSUME(T.AddressTok, E_HOST_ADDRESS);
      if (real(addr)) node.address = addrLit(addr);
      node.ephemeral = this.SUBRULE(this.ephemeralClause);
      this.finish(node);
    },
    NO_RESYNC,
  );

  private networkDecl = this.RULE(
    'networkDecl',
    () => {
      const kw = this.CONSUME(T.Network);
      const node: NetworkDecl = {
        kind: 'network',
        span: sp(kw),
        keyword: sp(kw),
        name: this.emptyName(kw),
        prefixes: [],
      };
      this.begin(node);
      if (!this.RECORDING_PHASE) this.fwDeclBase = this.errCount();
      node.name = this.SUBRULE(this.declName);
      const first = this.CONSUME(T.AddressTok, E_NET_PREFIX);
      if (real(first)) node.prefixes.push(addrLit(first));
      this.MANY({
        GATE: this.prefixesGoOn,
        DEF: () => {
          this.CONSUME(T.Comma);
          const next = this.CONSUME2(T.AddressTok, E_NET_PREFIX);
          if (real(next)) node.prefixes.push(addrLit(next));
        },
      });
      node.ephemeral = this.SUBRULE(this.ephemeralClause);
      this.finish(node);
    },
    NO_RESYNC,
  );

  private serviceDecl = this.RULE(
    'serviceDecl',
    () => {
      const kw = this.CONSUME(T.Service);
      const node: ServiceDecl = { kind: 'service', span: sp(kw), keyword: sp(kw), name: this.emptyName(kw) };
      this.begin(node);
      node.name = this.SUBRULE(this.declName);
      if (this.idAhead()) this.fixTypo('protocol', PROTOS);
      const proto = this.CONSUME(T.ProtoKw, E_SERVICE_PROTO);
      if (real(proto)) node.proto = word<Proto>(proto);
      // PORTS is optional here (the model reports a missing one); an `ephemeral NAME NUMBER`
      // on the next line is the next statement, not this service's ports.
      this.OPTION({
        GATE: () => !this.statementStartAt(),
        DEF: () => {
          node.ports = this.SUBRULE(this.portSpec);
        },
      });
      this.finish(node);
    },
    NO_RESYNC,
  );

  private ephemeralDecl = this.RULE(
    'ephemeralDecl',
    () => {
      const kw = this.CONSUME(T.Ephemeral);
      const node: EphemeralDecl = { kind: 'ephemeral', span: sp(kw), keyword: sp(kw), name: this.emptyName(kw) };
      this.begin(node);
      node.name = this.SUBRULE(this.declName);
      const low = this.CONSUME(T.NumberTok, E_RANGE_LOW);
      if (real(low)) node.low = numLit(low);
      this.CONSUME(T.Dash, E_RANGE_DASH);
      const high = this.CONSUME2(T.NumberTok, E_RANGE_HIGH);
      if (real(high)) node.high = numLit(high);
      this.finish(node);
    },
    NO_RESYNC,
  );

  private defaultEphemeralDecl = this.RULE(
    'defaultEphemeralDecl',
    () => {
      const kw = this.CONSUME(T.Default);
      const node: DefaultEphemeralDecl = { kind: 'default-ephemeral', span: sp(kw), keyword: sp(kw) };
      this.begin(node);
      if (this.idAhead()) this.fixTypo('keyword', KW_EPHEMERAL);
      this.CONSUME(T.Ephemeral, E_DEFAULT_EPH);
      node.value = this.SUBRULE(this.ephemeralRef);
      this.finish(node);
    },
    NO_RESYNC,
  );

  private includeDecl = this.RULE(
    'includeDecl',
    () => {
      const kw = this.CONSUME(T.Include);
      const node: IncludeDecl = { kind: 'include', span: sp(kw), keyword: sp(kw) };
      this.begin(node);
      const str = this.CONSUME(T.StringLit, E_INCLUDE_PATH);
      this.ACTION(() => {
        if (!real(str)) return;
        const img = str.image;
        const closed = img.length >= 2 && img.endsWith('"');
        if (!closed) this.error(sp(str), 'unterminated string: a string ends with `"` on the same line');
        node.path = { value: img.slice(1, closed ? -1 : undefined), span: sp(str) };
      });
      this.finish(node);
    },
    NO_RESYNC,
  );

  /** `nat NAME ADDRESS [ports LOW-HIGH]` (spec §3). */
  private natDecl = this.RULE(
    'natDecl',
    () => {
      const kw = this.CONSUME(T.Nat);
      const node: NatDecl = { kind: 'nat', span: sp(kw), keyword: sp(kw), name: this.emptyName(kw) };
      this.begin(node);
      node.name = this.SUBRULE(this.declName);
      const addr = this.CONSUME(T.AddressTok, E_NAT_ADDRESS);
      if (real(addr)) node.address = addrLit(addr);
      this.OPTION(() => {
        node.portsKeyword = sp(this.CONSUME(T.Ports));
        const low = this.CONSUME(T.NumberTok, E_RANGE_LOW);
        if (real(low)) node.low = numLit(low);
        this.CONSUME(T.Dash, E_RANGE_DASH);
        const high = this.CONSUME2(T.NumberTok, E_RANGE_HIGH);
        if (real(high)) node.high = numLit(high);
      });
      this.finish(node);
    },
    NO_RESYNC,
  );

  /** The name after `host`, `network`, ... A keyword there is reported and used as the name. */
  private declName = this.RULE(
    'declName',
    (): Name =>
      this.OR({
        ERR_MSG: K('decl-name'),
        DEF: [
          { ALT: () => nameOf(this.CONSUME(T.Identifier)) },
          {
            GATE: () => this.keywordAsNameOk(),
            ALT: () => {
              const t = this.CONSUME(T.Keyword);
              this.ACTION(() => this.error(sp(t), `${code(t.image)} is a keyword and cannot be used as a name`));
              return nameOf(t);
            },
          },
        ],
      }),
    NO_RESYNC,
  );

  /** `[ephemeral EPHEMERAL]` after a host or a network (not an `ephemeral NAME LOW-HIGH` statement after it). */
  private ephemeralClause = this.RULE(
    'ephemeralClause',
    (): EphemeralRef | undefined => {
      this.ACTION(() => {
        const next = this.LA(2).tokenType;
        if ((next === T.Identifier || next === T.NumberTok) && this.ephemeralClauseAhead()) this.fixTypo('keyword', KW_EPHEMERAL);
      });
      return this.OPTION({
        GATE: () => this.ephemeralClauseAhead(),
        DEF: () => {
          this.CONSUME(T.Ephemeral);
          return this.SUBRULE(this.ephemeralRef);
        },
      });
    },
    NO_RESYNC,
  );

  private ephemeralRef = this.RULE(
    'ephemeralRef',
    (): EphemeralRef =>
      this.OR({
        ERR_MSG: K('ephemeral-ref'),
        DEF: [
          {
            ALT: (): EphemeralRef => {
              const t = this.CONSUME(T.Identifier);
              return { kind: 'name', name: nameOf(t), span: sp(t) };
            },
          },
          {
            ALT: (): EphemeralRef => {
              const low = this.CONSUME(T.NumberTok);
              this.CONSUME(T.Dash, E_RANGE_DASH);
              const high = this.CONSUME2(T.NumberTok, E_RANGE_HIGH);
              return { kind: 'range', low: numLit(low), high: numLit(high), span: { start: tokenStart(low), end: this.lastEnd() } };
            },
          },
        ],
      }),
    NO_RESYNC,
  );

  // ---------------------------------------------------------------- endpoints and ports

  // The alternatives of the hot rules are built once (chevrotain's advice for speed):
  // their closures capture nothing but `this`.
  private endpointAlts = {
    ERR_MSG: K('endpoint'),
    DEF: [
      {
        ALT: (): EndpointRef => {
          const t = this.CONSUME(T.Identifier);
          return { kind: 'name', name: nameOf(t), span: sp(t) };
        },
      },
      {
        ALT: (): EndpointRef => {
          const t = this.CONSUME(T.Any);
          return { kind: 'any', span: sp(t) };
        },
      },
      { ALT: (): EndpointRef => addrLit(this.CONSUME(T.AddressTok)) },
    ],
  };

  private endpoint = this.RULE('endpoint', (): EndpointRef => this.OR(this.endpointAlts), NO_RESYNC);

  private portRangeHigh = (): IToken => {
    this.CONSUME(T.Dash);
    if (this.numberAhead()) this.refuseRuleNumber('range-high');
    return this.CONSUME2(T.NumberTok, E_RANGE_HIGH);
  };

  private portListMore = (): void => {
    this.CONSUME(T.Comma);
    const item = this.SUBRULE2(this.portSpec);
    if (!this.RECORDING_PHASE) this.fwListItems?.push(item);
  };

  private portSpecAlts = {
    ERR_MSG: K('ports'),
    DEF: [
      {
        ALT: (): PortSpec => {
          const low = this.CONSUME(T.NumberTok);
          const high = this.OPTION(this.portRangeHigh);
          if (real(high)) {
            return {
              kind: 'range',
              low: numLit(low),
              high: numLit(high),
              span: { start: tokenStart(low), end: tokenEnd(high) },
            };
          }
          return { kind: 'number', value: numLit(low), span: sp(low) };
        },
      },
      {
        ALT: (): PortSpec => {
          const t = this.CONSUME2(T.Identifier);
          return { kind: 'service', name: nameOf(t), span: sp(t) };
        },
      },
      {
        ALT: (): PortSpec => {
          const t = this.CONSUME(T.Ephemeral);
          return { kind: 'ephemeral', span: sp(t) };
        },
      },
      {
        // The rest of a run of more `[` than lists may be nested, after its first bracket (one
        // token: lex): the error at the bracket that is one too deep, as for single brackets.
        ALT: (): PortSpec => {
          const run = this.CONSUME(T.DeepOpen);
          if (!this.RECORDING_PHASE) {
            const at = tokenStart(run) + Math.max(0, MAX_LIST_DEPTH - this.fwListDepth);
            this.error({ start: at, end: at + 1 }, `port lists may be nested at most ${MAX_LIST_DEPTH} deep`);
            throw new Abort();
          }
          return { kind: 'list', items: [], span: sp(run) };
        },
      },
      {
        ALT: (): PortSpec => {
          const open = this.CONSUME(T.LBracket);
          const items: PortSpec[] = [];
          const list: PortSpec = { kind: 'list', items, span: sp(open) };
          if (!this.RECORDING_PHASE && ++this.fwListDepth > MAX_LIST_DEPTH) {
            this.error(sp(open), `port lists may be nested at most ${MAX_LIST_DEPTH} deep`);
            throw new Abort();
          }
          items.push(this.SUBRULE(this.portSpec));
          const outer = this.fwListItems;
          this.fwListItems = items;
          this.MANY(this.portListMore);
          this.fwListItems = outer;
          this.CONSUME(T.RBracket, E_LIST_CLOSE);
          if (!this.RECORDING_PHASE) {
            this.fwListDepth--;
            list.span.end = this.lastEnd();
          }
          return list;
        },
      },
    ],
  };

  private portSpec = this.RULE(
    'portSpec',
    (): PortSpec => {
      if (this.numberAhead()) this.refuseRuleNumber('ports');
      return this.OR(this.portSpecAlts);
    },
    NO_RESYNC,
  );

  // ---------------------------------------------------------------- firewalls and rules

  private firewallDecl = this.RULE(
    'firewallDecl',
    () => {
      const kw = this.CONSUME(T.Firewall);
      const node: FirewallDecl = {
        kind: 'firewall',
        span: sp(kw),
        keyword: sp(kw),
        name: this.emptyName(kw),
        protects: [],
        rules: [],
      };
      this.begin(node);
      let headerFailed = false;
      try {
        node.name = this.SUBRULE(this.declName);
        if (this.idAhead()) this.fixTypo('firewall kind', MODES);
        const mode = this.CONSUME(T.ModeKw, E_FW_MODE);
        if (real(mode)) node.mode = word<FirewallKind>(mode);
        if (this.idAhead()) this.fixTypo('keyword', KW_PROTECTS);
        this.OPTION(() => {
          node.protectsKeyword = sp(this.CONSUME(T.Protects));
          node.protects.push(this.SUBRULE(this.endpoint));
          this.MANY(() => {
            this.CONSUME(T.Comma);
            node.protects.push(this.SUBRULE2(this.endpoint));
          });
        });
        this.ACTION(() => {
          if (this.actionAt(this.LA(2))) this.fixTypo('keyword', KW_DEFAULT);
        });
        this.OPTION2({
          // `default ephemeral` is the next statement, not this firewall's default.
          GATE: () => this.LA(2).tokenType !== T.Ephemeral,
          DEF: () => {
            this.CONSUME(T.Default);
            if (this.idAhead()) this.fixTypo('action', ACTIONS);
            const action = this.CONSUME(T.ActionKw, E_FW_DEFAULT);
            if (real(action)) node.defaultAction = word<Action>(action);
          },
        });
      } catch (e) {
        this.rethrowUnlessSyntax(e);
        headerFailed = true;
        this.skipWhile(() => !this.headerStop());
      }

      // The body. Without `{`, rules that follow right away are still read as the body.
      let bodyActive = false;
      let openMissing = false;
      this.ACTION(() => {
        const t = this.LA(1);
        if (t.tokenType === T.LCurly) {
          bodyActive = true;
          return;
        }
        openMissing = true;
        if (!headerFailed) this.errorFound(t, `expected \`{\` to start the body of firewall ${this.fwName(node)}`);
        if (!this.ruleStartAt() && !this.ruleStartTypoAt() && t.tokenType !== T.RCurly) this.skipWhile(() => !this.headerStop());
        bodyActive = this.LA(1).tokenType === T.LCurly || this.ruleStartAt() || this.ruleStartTypoAt() || this.LA(1).tokenType === T.RCurly;
        if (this.LA(1).tokenType === T.LCurly) openMissing = false;
      });
      // Errors up to here are the header's: such a firewall is not analysed (§8.1 rule 5).
      this.ACTION(() => {
        if (headerFailed || this.errCount() > this.fwStmtBase) node.recovered = true;
      });
      const open = this.OPTION3(() => this.CONSUME(T.LCurly));
      if (!this.RECORDING_PHASE) this.fwFirewall = node;
      this.MANY2({ GATE: () => bodyActive && this.bodyContinues() && !this.bodyGivenUp(node), DEF: this.bodyItem });
      const close = this.OPTION4({ GATE: () => bodyActive, DEF: () => this.CONSUME(T.RCurly) });
      this.ACTION(() => {
        if (bodyActive && !close && !openMissing) {
          const related: RelatedInfo[] = real(open) ? [{ span: sp(open), message: 'the body opens here' }] : [];
          this.errorFound(this.LA(1), `expected \`}\` to close the body of firewall ${this.fwName(node)}`, related);
        }
        if (real(open)) {
          node.body = {
            start: tokenStart(open),
            end: real(close) ? tokenEnd(close) : Math.max(tokenEnd(open), this.lastEnd()),
          };
        }
        this.fwCurStmt = node;
      });
      this.finish(node);
    },
    NO_RESYNC,
  );

  // One item of a firewall body: a rule, a statement written inside the body by mistake,
  // or junk. Built once; works on the firewall being read (fwFirewall).
  private bodyAlts = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      { GATE: () => this.ruleAltOk(), ALT: () => this.safeRule() },
      { GATE: () => this.misplacedStatementOk(), ALT: () => this.misplacedStatement(this.fwFirewall) },
      {
        ALT: () => {
          const t = this.CONSUME2(T.AnyToken);
          if (!this.RECORDING_PHASE) this.bodyJunk(t, this.fwFirewall);
        },
      },
    ],
  };

  private bodyItem = (): void => {
    if (!this.RECORDING_PHASE) {
      this.fwItemBase = this.errCount();
      const ty = this.LA(1).tokenType;
      if (ty === T.Identifier || ty === T.NumberTok) this.fixRuleStartTypo();
    }
    this.OR2(this.bodyAlts);
  };

  private safeRule(): void {
    this.fwCurRule = undefined;
    this.fwListDepth = 0;
    const base = this.fwItemBase;
    // An edited firewall's unchanged rules are taken from the last parse (ruleMemo.ts).
    const memo = this.ruleMemo && !this.RECORDING_PHASE && this.errCount() === base ? this.ruleMemo : undefined;
    const from = this.lastConsumed() + 1;
    if (memo) {
      const kept = memo.take(this.input, from, this.fwText, this.fwTextOffset);
      if (kept) {
        this.fwFirewall.rules.push(kept.node);
        this.fwCurRule = kept.node;
        this.fwRuleNode = kept.node;
        (this as unknown as { currIdx: number }).currIdx += kept.tokens;
        return;
      }
    }
    let thrown = false;
    try {
      this.SUBRULE(this.ruleLine);
    } catch (e) {
      this.rethrowUnlessSyntax(e);
      thrown = true;
      const rule = this.fwCurRule as RuleNode | undefined;
      if (rule) rule.span.end = Math.max(rule.span.start, this.lastEnd());
      this.skipWhile(() => !this.bodyStop());
    }
    if (!this.RECORDING_PHASE) {
      const rule = this.fwCurRule as RuleNode | undefined;
      if (rule && this.errCount() > base) rule.recovered = true;
      else if (rule && memo && !thrown) memo.record(rule, this.input, from, this.lastConsumed() + 1, this.fwText, this.fwTextOffset);
    }
  }

  private misplacedStatement(fw: FirewallDecl): void {
    this.ACTION(() => {
      const t = this.LA(1);
      const what = t.tokenType === T.Default ? '`default ephemeral`' : code(t.image);
      this.error(
        sp(t),
        `${what} cannot appear inside the body of firewall ${this.fwName(fw)}: declarations and flows go outside the braces`,
      );
    });
    this.fwListDepth = 0;
    this.fwCurStmt = undefined;
    const base = this.fwItemBase;
    try {
      this.SUBRULE(this.statement);
    } catch (e) {
      this.rethrowUnlessSyntax(e);
      this.closeCurrentStatement();
      this.skipWhile(() => !this.bodyStop());
    }
    this.markRecovered(base);
    if (!this.RECORDING_PHASE) {
      this.fwCurStmt = fw;
      this.fwFirewall = fw;
    }
  }

  // ruleLine is the hot path of big files; its optional parts are closures built once,
  // working on the rule being read (fwRuleNode) and the endpoint clause (fwClause).
  private ruleNumber = (): IToken => this.CONSUME(T.NumberTok);

  private fromClause = (): void => {
    const k = this.CONSUME(T.From);
    const ep: Endpoint = { keyword: sp(k), span: sp(k) };
    this.fwRuleNode.from = ep;
    this.fwClause = ep;
    ep.endpoint = this.SUBRULE(this.endpoint);
    if (this.idAhead()) this.fixTypo('keyword', KW_PORT_TO);
    this.OPTION3(this.fromPort);
    ep.span.end = this.lastEnd();
  };

  private fromPort = (): void => {
    const ep = this.fwClause;
    ep.portKeyword = sp(this.CONSUME(T.Port));
    ep.ports = this.SUBRULE(this.portSpec);
  };

  private toClause = (): void => {
    const k = this.CONSUME(T.To);
    const ep: Endpoint = { keyword: sp(k), span: sp(k) };
    this.fwRuleNode.to = ep;
    this.fwClause = ep;
    ep.endpoint = this.SUBRULE2(this.endpoint);
    if (this.idAhead()) this.fixTypo('keyword', KW_PORT);
    this.OPTION5(this.toPort);
    ep.span.end = this.lastEnd();
  };

  private toPort = (): void => {
    const ep = this.fwClause;
    ep.portKeyword = sp(this.CONSUME2(T.Port));
    ep.ports = this.SUBRULE2(this.portSpec);
  };

  private ruleLine = this.RULE(
    'ruleLine',
    () => {
      const num = this.OPTION(this.ruleNumber);
      if (this.idAhead()) this.fixTypo('direction', DIRECTIONS);
      const dir = this.CONSUME(T.DirectionKw, E_RULE_DIRECTION);
      const first = real(num) ? num : dir;
      const node: RuleNode = {
        kind: 'rule',
        span: { start: tokenStart(first), end: tokenEnd(dir) },
        direction: word<Direction>(dir),
      };
      if (real(num)) node.number = numLit(num);
      if (!this.RECORDING_PHASE) {
        this.fwFirewall.rules.push(node);
        this.fwCurRule = node;
      }
      if (this.idAhead()) this.fixTypo('action', ACTIONS);
      const action = this.CONSUME(T.ActionKw, E_RULE_ACTION);
      if (real(action)) node.action = word<Action>(action);
      if (this.idAhead()) this.fixTypo('protocol', PROTOS);
      const proto = this.CONSUME(T.ProtoKw, E_RULE_PROTO);
      if (real(proto)) node.proto = word<Proto>(proto);
      this.fwRuleNode = node;
      if (this.idAhead()) this.fixTypo('keyword', KW_FROM_TO);
      this.OPTION2(this.fromClause);
      this.OPTION4(this.toClause);
      node.span.end = this.lastEnd();
    },
    NO_RESYNC,
  );

  // ---------------------------------------------------------------- flows

  private flowDecl = this.RULE(
    'flowDecl',
    () => {
      const kw = this.CONSUME(T.Flow);
      const node: FlowDecl = { kind: 'flow', span: sp(kw), keyword: sp(kw), via: [] };
      this.begin(node);
      this.SUBRULE(this.flowBody, { ARGS: [node] });
      this.finish(node);
    },
    NO_RESYNC,
  );

  /** A flow given without (or with) the `flow` keyword, as the CLI's `--flow` gives it. */
  private flowOnly = this.RULE(
    'flowOnly',
    (): FlowDecl => {
      const start = this.ACTION(() => tokenStart(this.LA(1))) ?? 0;
      const node: FlowDecl = {
        kind: 'flow',
        span: { start, end: start },
        keyword: { start, end: start },
        via: [],
      };
      this.OPTION(() => {
        node.keyword = sp(this.CONSUME(T.Flow));
      });
      let failed = false;
      try {
        this.SUBRULE(this.flowBody, { ARGS: [node] });
      } catch (e) {
        this.rethrowUnlessSyntax(e);
        failed = true;
        node.span.end = Math.max(node.span.start, this.lastEnd());
        this.skipWhile(() => true);
      }
      this.ACTION(() => {
        if (!failed) node.span.end = Math.max(node.span.start, this.lastEnd());
        const t = this.LA(1);
        if (!isEofToken(t)) {
          this.error(sp(t), `unexpected ${code(t.image)} after the end of the flow`);
          this.skipWhile(() => true);
        }
      });
      return node;
    },
    NO_RESYNC,
  );

  private flowBody = this.RULE(
    'flowBody',
    (node?: FlowDecl) => {
      const flow = node ?? ({ kind: 'flow', span: { start: 0, end: 0 }, keyword: { start: 0, end: 0 }, via: [] } as FlowDecl);
      this.OR({
        ERR_MSG: K('flow-client'),
        DEF: [
          {
            ALT: () => {
              this.CONSUME(T.LBracket);
              const addr = this.CONSUME2(T.AddressTok, E_BRACKET_ADDRESS);
              if (real(addr)) flow.client = addrLit(addr);
              this.CONSUME(T.RBracket, E_BRACKET_CLOSE);
            },
          },
          {
            ALT: () => {
              flow.client = this.SUBRULE(this.endpoint);
            },
          },
        ],
      });
      this.OPTION(() => {
        this.CONSUME(T.Colon);
        flow.clientPorts = this.SUBRULE(this.portSpec);
      });
      this.CONSUME(T.Arrow, E_FLOW_ARROW);
      flow.server = this.SUBRULE2(this.endpoint);
      // `tpc 80`: a name followed by a port number can only be a protocol.
      this.ACTION(() => {
        if (this.LA(2).tokenType === T.NumberTok) this.fixTypo('protocol', PORT_PROTOS);
      });
      this.OR2({
        ERR_MSG: K('flow-target'),
        DEF: [
          {
            ALT: () => {
              const t = this.CONSUME(T.Identifier);
              flow.target = { kind: 'service', name: nameOf(t), span: sp(t) };
            },
          },
          {
            ALT: () => {
              const p = this.CONSUME(T.PortProtoKw);
              const target: FlowTarget = { kind: 'proto', proto: word<'tcp' | 'udp'>(p), span: sp(p) };
              flow.target = target;
              const port = this.OPTION2(() => this.CONSUME(T.NumberTok));
              this.ACTION(() => {
                if (real(port)) {
                  target.port = numLit(port);
                  target.span.end = tokenEnd(port);
                } else {
                  this.errorFound(this.LA(1), renderExpectation('flow-port', p));
                  // Go on with `via` / `expect` if they follow; anything else is skipped.
                  const next = this.LA(1);
                  const ty = next.tokenType;
                  if (ty !== EOF && ty !== T.Via && ty !== T.Expect && !this.lineStartStatement()) throw new Abort();
                }
              });
            },
          },
          {
            ALT: () => {
              const p = this.CONSUME(T.Icmp);
              flow.target = { kind: 'proto', proto: word<'icmp'>(p), span: sp(p) };
            },
          },
        ],
      });
      if (this.idAhead()) this.fixTypo('keyword', KW_VIA_EXPECT);
      this.OPTION3(() => {
        this.CONSUME(T.Via);
        const first = this.CONSUME2(T.Identifier, E_VIA_FW);
        if (real(first)) flow.via.push(nameOf(first));
        this.MANY(() => {
          this.CONSUME(T.Comma);
          const next = this.CONSUME3(T.Identifier, E_VIA_FW);
          if (real(next)) flow.via.push(nameOf(next));
        });
      });
      if (this.idAhead()) this.fixTypo('keyword', KW_EXPECT);
      this.OPTION4(() => {
        this.CONSUME(T.Expect);
        if (this.idAhead()) this.fixTypo('action', ACTIONS);
        const action = this.CONSUME(T.ActionKw, E_EXPECT_ACTION);
        if (real(action)) flow.expect = word<Action>(action);
      });
    },
    NO_RESYNC,
  );

  // ---------------------------------------------------------------- recovery

  /**
   * What may follow `tokType`, at its occurrence `idx` in the current rule, reached through the
   * rules now on the stack (used by single-token insertion). chevrotain walks the grammar on every
   * call, which made files with thousands of errors slow; the answer depends only on the path (the
   * token and its occurrence, each rule on the stack and where its caller called it), so it is
   * cached by the path's numbers.
   */
  private followsAt(tokType: TokenType, idx: number): TokenType[] {
    const self = this as unknown as Recognizer;
    const key = followsKey(tokType.tokenTypeIdx!, idx, self.RULE_STACK, self.RULE_OCCURRENCE_STACK, self.RULE_STACK_IDX + 1);
    let follows = FOLLOWS_CACHE.get(key);
    if (follows === undefined) {
      follows = this.getNextPossibleTokenTypes(self.getCurrentGrammarPath(tokType, idx));
      FOLLOWS_CACHE.set(key, follows);
    }
    return follows;
  }

  protected override canTokenTypeBeInsertedInRecovery(tokType: TokenType): boolean {
    if (!INSERTABLE.has(tokType)) return false;
    // A statement keyword in the middle of a line is a stray word, not the next statement:
    // pretending the missing token was there would start a bogus statement at it.
    const t = this.LA(1);
    if (this.isLineStart(t)) return true;
    if (HARD_STATEMENT_KEYWORDS.has(t.tokenType)) return false;
    // `default` mid-line only legitimately follows as a firewall's `default allow|deny`.
    return t.tokenType !== T.Default || tokenMatcher(this.LA(2), T.ActionKw);
  }

  protected override canTokenTypeBeDeletedInRecovery(): boolean {
    // Never delete a token that starts a statement on its own line, nor a brace.
    const t = this.LA(1);
    if (t.tokenType === T.LCurly || t.tokenType === T.RCurly) return false;
    return !this.lineStartStatement();
  }

  private rethrowUnlessSyntax(e: unknown): void {
    if (e instanceof Abort) return;
    if (e instanceof Error && isRecognitionException(e)) return;
    throw e;
  }

  /** Skips tokens while `cond` holds (never past the end). */
  private skipWhile(cond: () => boolean): void {
    while (this.LA(1).tokenType !== EOF && cond()) this.SKIP_TOKEN();
  }

  private closeCurrentStatement(): void {
    const s = this.fwCurStmt;
    if (s) s.span.end = Math.max(s.span.start, this.lastEnd());
  }

  private topJunk(t: IToken): void {
    const ty = t.tokenType;
    let msg: string;
    if (ty === T.Identifier) msg = `${code(t.image)} is not a keyword here: ${STATEMENT_STARTS}`;
    else if (ty === T.Inbound || ty === T.Outbound || (ty === T.NumberTok && this.isDirection(this.LA(1))))
      msg = `a rule must be inside the braces \`{ }\` of a firewall`;
    else if (ty === T.RCurly) msg = 'unmatched `}`';
    else if ((ty === T.NumberTok || ty === T.Comma) && this.afterPortValue()) msg = `unexpected ${code(t.image)}: ${PORT_LIST_HINT}`;
    else if (tokenMatcher(t, T.AddressTok) && tokenMatcher(this.LA(-1), T.AddressTok))
      msg = `unexpected ${code(t.image)}: separate the prefixes of a network with \`,\``;
    else msg = `unexpected ${code(t.image)}: ${STATEMENT_STARTS}`;
    this.error(sp(t), msg);
    this.skipWhile(() => !this.statementStartAt() && this.statementTypoKinds().length === 0);
  }

  private bodyJunk(t: IToken, fw: FirewallDecl): void {
    const ty = t.tokenType;
    let msg: string;
    if (ty === T.Identifier) msg = `${code(t.image)} is not a keyword here: ${RULE_STARTS}`;
    else if ((ty === T.NumberTok || ty === T.Comma) && this.afterPortValue()) msg = `unexpected ${code(t.image)}: ${PORT_LIST_HINT}`;
    else if (ty === T.Comma && (this.LA(-2).tokenType === T.From || this.LA(-2).tokenType === T.To))
      msg = 'unexpected `,`: a rule names one endpoint on each side (declare a `network` for several prefixes)';
    else if (ty === T.Default) msg = '`default allow` or `default deny` goes in the firewall header, before `{`';
    else if (ty === T.From || ty === T.To || ty === T.Port) msg = `unexpected ${code(t.image)}: ${RULE_SHAPE}`;
    else if (ty === T.Firewall) msg = `a firewall cannot be declared inside the body of firewall ${this.fwName(fw)}`;
    else if (ty === T.LCurly) msg = `unexpected \`{\`: the body of firewall ${this.fwName(fw)} is already open`;
    else if (isKeywordToken(t)) msg = `${code(t.image)} cannot start a rule: ${RULE_STARTS}`;
    else msg = `unexpected ${code(t.image)}: ${RULE_STARTS}`;
    this.error(sp(t), msg);
    this.skipWhile(() => !this.bodyStop());
  }

  // ---------------------------------------------------------------- predicates

  private isDirection(t: IToken): boolean {
    return t.tokenType === T.Inbound || t.tokenType === T.Outbound;
  }

  /** Did the junk token (LA(0)) come right after a port set (`port 80`, `port 1-2`, `port [..]`)? */
  private afterPortValue(): boolean {
    const prev = this.LA(-1).tokenType;
    if (prev === T.RBracket) return true;
    if (prev !== T.NumberTok && prev !== T.Identifier && prev !== T.Ephemeral) return false;
    const before = this.LA(-2);
    const bt = before.tokenType;
    // `port 80`, `1-2`, `bob:80`, or a service's `tcp 80`
    return bt === T.Port || bt === T.Dash || bt === T.Colon || tokenMatcher(before, T.ProtoKw);
  }

  /** Is the token the first one on its line? */
  private isLineStart(t: IToken): boolean {
    return startsLine(this.fwText, t.startOffset - this.fwTextOffset);
  }

  /** Does a statement start at LA(1)? */
  private statementStartAt(): boolean {
    const ty = this.LA(1).tokenType;
    if (HARD_STATEMENT_KEYWORDS.has(ty)) return true;
    if (ty === T.Default) return this.LA(2).tokenType === T.Ephemeral;
    if (ty === T.Ephemeral) return this.LA(2).tokenType === T.Identifier && this.LA(3).tokenType === T.NumberTok;
    return false;
  }

  /** A statement starting at LA(1), first on its line: the strong recovery point. */
  private lineStartStatement(): boolean {
    return this.statementStartAt() && this.isLineStart(this.LA(1));
  }

  /** `inbound`, `outbound`, or a number followed by one of them. */
  private ruleStartAt(): boolean {
    const t = this.LA(1);
    if (this.isDirection(t)) return true;
    return t.tokenType === T.NumberTok && this.isDirection(this.LA(2));
  }

  private ruleAltOk(): boolean {
    const t = this.LA(1);
    if (t.tokenType !== T.NumberTok) return true;
    return this.isDirection(this.LA(2)) || this.isLineStart(t);
  }

  /** A statement written inside a firewall body: on its own line, and looking like one. */
  private misplacedStatementOk(): boolean {
    const t = this.LA(1);
    if (t.tokenType === T.Firewall || !this.isLineStart(t) || !this.statementStartAt()) return false;
    const next = this.LA(2).tokenType;
    switch (t.tokenType) {
      case T.Flow:
        return next === T.Identifier || next === T.Any || next === T.LBracket || tokenMatcher(this.LA(2), T.AddressTok);
      case T.Include:
        return next === T.StringLit;
      case T.Default:
      case T.Ephemeral:
        return true; // statementStartAt already looked at what follows
      default:
        return next === T.Identifier;
    }
  }

  /**
   * A keyword where a declaration's name goes is read as the name (with an error) when what
   * follows fits: `host host 10.0.0.1`. Otherwise it is more likely a missing name followed
   * by something else, and is reported as such.
   */
  private keywordAsNameOk(): boolean {
    if (this.lineStartStatement()) return false;
    const after = this.LA(2);
    switch (this.LA(0).tokenType) {
      case T.Host:
      case T.Network:
      case T.Nat:
        return tokenMatcher(after, T.AddressTok);
      case T.Service:
        return tokenMatcher(after, T.ProtoKw);
      case T.Ephemeral:
        return after.tokenType === T.NumberTok;
      case T.Firewall:
        return tokenMatcher(after, T.ModeKw);
      default:
        return false;
    }
  }

  /** An `ephemeral` clause follows (and not an `ephemeral NAME LOW-HIGH` statement). */
  private ephemeralClauseAhead(): boolean {
    return !(this.LA(2).tokenType === T.Identifier && this.LA(3).tokenType === T.NumberTok);
  }

  /** Where skipping stops after an error in a firewall header. */
  private headerStop(): boolean {
    const t = this.LA(1);
    const ty = t.tokenType;
    if (ty === EOF || ty === T.LCurly || ty === T.RCurly) return true;
    if (this.lineStartStatement()) return true;
    return (this.ruleStartAt() || this.ruleStartTypoAt()) && this.isLineStart(t);
  }

  /**
   * Where skipping stops after an error in a rule: `inbound`/`outbound`, a NUMBER before one
   * of them only when the NUMBER starts its line (in mid-line it is the broken rule's port,
   * say `port 22`, not the next rule's number), `}`, or a statement starting a line.
   */
  private bodyStop(): boolean {
    const t = this.LA(1);
    const ty = t.tokenType;
    if (ty === EOF || ty === T.RCurly) return true;
    if (this.isDirection(t)) return true;
    if (ty === T.NumberTok && this.isDirection(this.LA(2)) && this.isLineStart(t)) return true;
    return this.ruleStartTypoAt() || this.lineStartStatement();
  }

  /**
   * After MAX_BODY_ERRORS syntax errors in one firewall, the rest of its body is skipped (as far
   * as the body goes on): a megabyte of `outbound outbound …` pasted into a body cost a
   * recognition error each, 1.8 s per parse, and a file shows only 100 errors anyway. The
   * firewall is then half-read, so marked recovered: not analysed, not simulated (§8.1 rule 5).
   */
  private bodyGivenUp(fw: FirewallDecl): boolean {
    if (this.RECORDING_PHASE || this.errCount() - this.fwStmtBase < MAX_BODY_ERRORS) return false;
    const t = this.LA(1);
    // On the `firewall` keyword, before the body's own errors: a file shows only its first 100.
    this.error(
      fw.keyword,
      `more than ${MAX_BODY_ERRORS} syntax errors in firewall ${this.fwName(fw)}: the rest of its body was not read, ` +
        'and the firewall is not checked until they are mended',
      [{ span: isEofToken(t) ? { start: this.lastEnd(), end: this.lastEnd() } : sp(t), message: 'not read from here on' }],
    );
    fw.recovered = true;
    this.skipWhile(() => this.bodyContinues());
    return true;
  }

  /**
   * Whether a network's list of prefixes goes on: not past MAX_BODY_ERRORS syntax errors in the
   * network. A megabyte of `, , , …` after a prefix was a recognition error per comma (each an
   * address chevrotain inserted), 3.7 s per parse (fuzz seed 2901, document 18724). The network
   * then says so on its keyword and is read no further: it is half-read (recovered).
   */
  private prefixesGoOn(): boolean {
    if (this.RECORDING_PHASE || this.errCount() - this.fwDeclBase < MAX_BODY_ERRORS) return true;
    const t = this.LA(1);
    // The list ends here anyway: nothing is left unread.
    if (t.tokenType !== T.Comma) return true;
    const st = this.fwCurStmt;
    if (st?.kind === 'network') {
      this.error(
        st.keyword,
        `more than ${MAX_BODY_ERRORS} syntax errors in network${st.name.text ? ` ${code(st.name.text)}` : ''}: the rest of it was not read`,
        [{ span: isEofToken(t) ? { start: this.lastEnd(), end: this.lastEnd() } : sp(t), message: 'not read from here on' }],
      );
    }
    throw new Abort();
  }

  /** Does the firewall body go on at LA(1)? */
  private bodyContinues(): boolean {
    const t = this.LA(1);
    const ty = t.tokenType;
    if (ty === EOF || ty === T.RCurly) return false;
    if (this.lineStartStatement()) {
      // A statement on its own line inside a body: if a `}` comes before any `{`, it was
      // written inside the body by mistake (report it, keep the body); otherwise the
      // body was never closed.
      if (ty === T.Firewall) return false;
      return this.nextBraceIsClose();
    }
    return true;
  }

  private nextBraceIsClose(): boolean {
    const start = this.LA(1).startOffset;
    if (start >= this.fwScanFrom && start <= this.fwScanTo) return this.fwScanClose;
    let k = 1;
    let t = this.LA(1);
    while (t.tokenType !== EOF && t.tokenType !== T.LCurly && t.tokenType !== T.RCurly) t = this.LA(++k);
    this.fwScanFrom = start;
    this.fwScanTo = t.tokenType === EOF ? Number.MAX_SAFE_INTEGER : t.startOffset;
    this.fwScanClose = t.tokenType === T.RCurly;
    return this.fwScanClose;
  }

  // ---------------------------------------------------------------- misspelt keywords

  /** The index of the last token consumed (chevrotain's position in the input). */
  private lastConsumed(): number {
    return (this as unknown as { currIdx: number }).currIdx;
  }

  /** Errors recorded so far, chevrotain's and ours: a node whose parse added some was recovered. */
  private errCount(): number {
    return (this as unknown as { _errors: unknown[] })._errors.length + this.fwErrors.length;
  }

  /**
   * A misspelt keyword where one of `kinds` is expected (`statefull`, `alow`, `inbuond`):
   * reported with "did you mean" and a fix (safe when only one keyword is that close), then
   * retyped as the (first) keyword so that the statement goes on being read. The token is
   * LA(1) unless given. Never called while chevrotain records the grammar.
   */
  private fixTypo(what: string, kinds: readonly TokenType[], t: IToken = this.LA(1)): void {
    const close = typoOf(t, kinds);
    if (close.length === 0) return;
    const k = close[0]!;
    t.tokenType = k;
    t.tokenTypeIdx = k.tokenTypeIdx!;
    const words = close.map(keywordWord);
    const only = words.length === 1;
    const fixes: Fix[] = words.map((w) => ({
      title: `Change to \`${w}\``,
      edits: [{ span: sp(t), newText: w }],
      safe: only,
      ...(only ? { preferred: true } : {}),
    }));
    this.fwErrors.push({
      span: sp(t),
      message: `unknown ${what} ${code(t.image)}: did you mean ${words.map(code).join(' or ')}?`,
      fixes,
    });
  }

  // Cheap guards for the hot path (plain code, not DSL: nothing runs while recording).
  private idAhead(): boolean {
    return !this.RECORDING_PHASE && this.LA(1).tokenType === T.Identifier;
  }
  private numberAhead(): boolean {
    return !this.RECORDING_PHASE && this.LA(1).tokenType === T.NumberTok;
  }

  /** `allow`/`deny`, or a misspelling of one. */
  private actionAt(t: IToken): boolean {
    return tokenMatcher(t, T.ActionKw) || typoOf(t, ACTIONS).length > 0;
  }

  /**
   * A misspelt direction that starts a rule: `inbuond` (first on its line, or before an action),
   * `120 outbond` (the number first on its line).
   */
  private fixRuleStartTypo(): void {
    const t = this.LA(1);
    if (t.tokenType === T.Identifier) {
      if (this.isLineStart(t) || this.actionAt(this.LA(2))) this.fixTypo('direction', DIRECTIONS, t);
    } else if (t.tokenType === T.NumberTok && this.isLineStart(t)) {
      this.fixTypo('direction', DIRECTIONS, this.LA(2));
    }
  }

  /** Does a rule with a misspelt direction start at LA(1), first on its line? (No side effects.) */
  private ruleStartTypoAt(): boolean {
    const t = this.LA(1);
    if (!this.isLineStart(t)) return false;
    if (t.tokenType === T.Identifier) return typoOf(t, DIRECTIONS).length > 0;
    return t.tokenType === T.NumberTok && typoOf(this.LA(2), DIRECTIONS).length > 0;
  }

  /** The statement keywords that LA(1), an identifier first on its line, is a misspelling of, given what follows it. */
  private statementTypoKinds(): TokenType[] {
    const t = this.LA(1);
    if (t.tokenType !== T.Identifier || !this.isLineStart(t)) return [];
    const close = typoOf(t, STATEMENT_KEYWORDS);
    if (close.length === 0) return [];
    const next = this.LA(2);
    const ty = next.tokenType;
    return close.filter((k) => {
      switch (k) {
        case T.Include:
          return ty === T.StringLit;
        case T.Flow:
          return ty === T.Identifier || ty === T.Any || ty === T.LBracket || tokenMatcher(next, T.AddressTok);
        case T.Ephemeral:
          return ty === T.Identifier && this.LA(3).tokenType === T.NumberTok;
        case T.Default:
          return ty === T.Ephemeral;
        default:
          return ty === T.Identifier;
      }
    });
  }

  /** `hots web 10.0.0.1`, `firwall fw ...` at the start of a line at the top level. */
  private fixStatementTypo(): void {
    const kinds = this.statementTypoKinds();
    if (kinds.length > 0) this.fixTypo('keyword', kinds);
  }

  /**
   * A NUMBER first on its line before `inbound`/`outbound` is the next rule's number: it is
   * never read as a port of the rule before (the error says what was missing).
   */
  private refuseRuleNumber(key: string): void {
    const t = this.LA(1);
    if (t.tokenType !== T.NumberTok || !this.isLineStart(t)) return;
    const next = this.LA(2);
    if (!this.isDirection(next) && typoOf(next, DIRECTIONS).length === 0) return;
    this.errorFound(t, renderExpectation(key, this.LA(0)));
    throw new Abort();
  }

  // ---------------------------------------------------------------- AST helpers

  private begin(node: Statement): void {
    if (this.RECORDING_PHASE) return;
    this.fwStatements.push(node);
    this.fwCurStmt = node;
  }

  private finish(node: { span: Span }): void {
    if (this.RECORDING_PHASE) return;
    node.span.end = Math.max(node.span.start, this.lastEnd());
  }

  /** End offset of the last token consumed. */
  private lastEnd(): number {
    const t = this.LA(0);
    const s = t.startOffset;
    return s === s ? tokenEnd(t) : 0;
  }

  /** The name recovery leaves when a declaration has none: empty, just after the keyword. */
  private emptyName(kw: IToken): Name {
    const end = tokenEnd(kw);
    return { text: '', span: { start: end, end } };
  }

  private fwName(fw: FirewallDecl): string {
    return fw.name.text ? code(fw.name.text) : '(unnamed)';
  }

  private error(span: Span, message: string, related?: RelatedInfo[]): void {
    if (this.RECORDING_PHASE) return;
    const e: ManualError = { span, message };
    if (related && related.length > 0) e.related = related;
    this.fwErrors.push(e);
  }

  /** "expected ..., found X" at token X (at the end of the last token for the end of input). */
  private errorFound(t: IToken, expected: string, related?: RelatedInfo[]): void {
    if (isEofToken(t)) {
      const end = this.lastEnd();
      this.error({ start: end, end }, `${expected}, found ${EOF_MARK}`, related);
    } else {
      this.error(sp(t), `${expected}, found ${code(t.image)}`, related);
    }
  }
}

/** Placeholder for "the end of the file" / "the end of the flow" in manual messages; parse.ts substitutes. */
export const EOF_MARK = '\u0002EOF';

let instance: FwParser | undefined;

/** The one parser of the process (built on first use: recording the grammar takes a few ms). */
export function fwParser(): FwParser {
  if (!instance) instance = new FwParser();
  return instance;
}
