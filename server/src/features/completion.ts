// Completion: keywords where they fit and the declared names of the kind the position
// wants (hosts and networks, services, profiles, firewalls). What fits is the grammar's
// answer (syntax/assist: chevrotain's content assist over the tokens before the cursor),
// so it works on text that does not parse and never disagrees with the parser.

import { type CompletionItem, CompletionItemKind, type Position, type Range } from 'vscode-languageserver';
import { BUILTIN_PROFILES, BUILTIN_SERVICES } from '../model/builtins';
import type { ModelSymbol } from '../model/types';
import type { FileAst, RuleNode } from '../syntax/ast';
import { nextTokens } from '../syntax/assist';
import { KEYWORDS } from '../syntax/tokens';
import { tokenize } from '../syntax/tokenize';
import type { DocContext } from './docContext';

/** What fits at the cursor. */
interface Want {
  /** Keywords that continue the current statement or rule. */
  keywords: string[];
  /** Keywords that start the next statement or rule. */
  starts: string[];
  endpoints?: boolean;
  services?: boolean;
  /** `ephemeral` as a port (after `port`). */
  ephemeralPort?: boolean;
  profiles?: boolean;
  firewalls?: boolean;
}

const KEYWORD_DOCS: Record<string, string> = {
  host: 'host NAME ADDRESS [ephemeral PROFILE]',
  network: 'network NAME PREFIX {, PREFIX} [ephemeral PROFILE]',
  service: 'service NAME PROTO PORTS',
  ephemeral: 'ephemeral NAME LOW-HIGH — or the ephemeral range of an endpoint',
  default: "default ephemeral PROFILE — or a firewall's default verdict",
  firewall: 'firewall NAME (stateless | stateful | aws-nacl | aws-sg) protects ENDPOINT {, ENDPOINT} [default (allow | deny)] { RULE* }',
  flow: 'flow CLIENT[:PORTS] -> SERVER SERVICE [via FW|NAT {, FW|NAT}] [expect (allow | deny)]',
  nat: 'nat NAME ADDRESS [ports LOW-HIGH] — a source-NAT gateway; flows `via` it go in two legs',
  ports: 'the source ports a NAT gateway picks (default 1024-65535)',
  include: 'include "relative/path.fw"',
  inbound: 'into the inside the firewall protects',
  outbound: 'out of the inside the firewall protects',
  stateless: 'no connection tracking: a response needs its own rule',
  stateful: 'connection tracking: responses are allowed by themselves',
  'aws-nacl': 'an AWS network ACL: stateless, rules tried lowest number first, no source ports, final `*` deny',
  'aws-sg': 'an AWS security group: stateful, allow rules only, unnumbered, each member behind its own copy',
  any: 'every IPv4 and IPv6 address',
};

/** The grammar's next tokens, as keywords and kinds of names. */
function wantsAt(text: string, ast: FileAst, offset: number): Want {
  const want: Want = { keywords: [], starts: [] };
  for (const next of nextTokens(text, ast, offset)) {
    if (next.token === 'name') {
      if (next.names === 'endpoint') want.endpoints = true;
      else if (next.names === 'service') want.services = true;
      else if (next.names === 'profile') want.profiles = true;
      else if (next.names === 'firewall') want.firewalls = true;
    } else if (next.token === 'any' && next.rules.at(-1) === 'endpoint') {
      want.endpoints = true;
    } else if (next.token === 'ephemeral' && next.rules.at(-1) === 'portSpec') {
      // The ephemeral range of an endpoint: a rule's side has one, a service does not.
      if (next.rules.includes('ruleLine')) want.ephemeralPort = true;
    } else if (next.token === 'port' && next.rules.at(-1) === 'ruleLine' && !portsAllowed(ast, offset)) {
      // `port` is for tcp and udp only (spec §4): the grammar reads it after any protocol.
    } else if (KEYWORDS.includes(next.token)) {
      (next.starts ? want.starts : want.keywords).push(next.token);
    }
  }
  return want;
}

/** Does the rule being written at `offset` (the last one starting before it) have ports (tcp, udp)? */
function portsAllowed(ast: FileAst, offset: number): boolean {
  let rule: RuleNode | undefined;
  for (const s of ast.statements) {
    if (s.span.start >= offset) break;
    if (s.kind !== 'firewall') continue;
    for (const r of s.rules) if (r.span.start < offset && (!rule || r.span.start > rule.span.start)) rule = r;
  }
  const proto = rule?.proto?.value;
  return proto === undefined || proto === 'tcp' || proto === 'udp';
}

function keywordItem(word: string, sortText: string): CompletionItem {
  const item: CompletionItem = { label: word, kind: CompletionItemKind.Keyword, sortText: `${sortText}${word}` };
  const doc = KEYWORD_DOCS[word];
  if (doc) item.detail = doc;
  return item;
}

function endpointDetail(s: ModelSymbol): string {
  return s.kind === 'host' || s.kind === 'network' ? `${s.kind} ${s.texts.join(', ')}` : '';
}

function serviceDetail(proto: string, ports: string, builtin: boolean): string {
  const p = proto === 'tcp' || proto === 'udp' ? `${proto} ${ports}` : proto;
  return builtin ? `${p} (built-in)` : p;
}

function nameItems(ctx: DocContext, want: Want, sortText: string): CompletionItem[] {
  const items: CompletionItem[] = [];
  const symbols = ctx.analysis.model.symbols;
  const add = (label: string, kind: CompletionItemKind, detail: string) =>
    items.push({ label, kind, detail, sortText: `${sortText}${label}` });
  for (const [name, s] of symbols) {
    if (want.endpoints && (s.kind === 'host' || s.kind === 'network')) {
      add(name, s.kind === 'host' ? CompletionItemKind.Variable : CompletionItemKind.Module, endpointDetail(s));
      items[items.length - 1]!.documentation = `ephemeral ports ${s.ephemeral.toString()}: ${s.ephemeralSource}`;
    } else if (want.services && s.kind === 'service') {
      add(name, CompletionItemKind.Constant, serviceDetail(s.proto, s.ports.toString(), s.builtin));
    } else if (want.profiles && s.kind === 'profile') {
      add(name, CompletionItemKind.EnumMember, `${s.ports.toString()}${s.builtin ? ' (built-in)' : ''}`);
    } else if (want.firewalls && s.kind === 'firewall') {
      add(name, CompletionItemKind.Class, `${s.firewall.mode} firewall, protects ${s.firewall.insideLabel}`);
    } else if (want.firewalls && s.kind === 'nat') {
      // A `via` names firewalls and NAT gateways (spec §6).
      add(name, CompletionItemKind.Interface, `NAT gateway at ${s.addressText}, ports ${s.ports.toString()}`);
    }
  }
  // Built-ins a declaration of the same name does not replace.
  if (want.services) {
    for (const [name, svc] of Object.entries(BUILTIN_SERVICES)) {
      if (!symbols.has(name)) add(name, CompletionItemKind.Constant, serviceDetail(svc.proto, String(svc.port), true));
    }
  }
  if (want.profiles) {
    for (const [name, [lo, hi]] of Object.entries(BUILTIN_PROFILES)) {
      if (!symbols.has(name)) add(name, CompletionItemKind.EnumMember, `${lo}-${hi} (built-in)`);
    }
  }
  if (want.endpoints) {
    items.push({ ...keywordItem('any', sortText), detail: KEYWORD_DOCS['any'] });
  }
  if (want.ephemeralPort) {
    items.push({ ...keywordItem('ephemeral', sortText), detail: 'the ephemeral range of the endpoint on this side' });
  }
  return items;
}

/** No completion after this many characters of a line. */
const MAX_LINE = 10_000;

export function completion(ctx: DocContext, position: Position): CompletionItem[] {
  const offset = ctx.lines.offset(position);
  // The tokens of the line before the cursor (no token spans lines): the word being typed.
  const lineStart = ctx.lines.offset({ line: position.line, character: 0 });
  // A line that long is data, not something being typed (and reading it costs time).
  if (offset - lineStart > MAX_LINE) return [];
  const line = tokenize(ctx.text.slice(lineStart, offset));
  const lastTok = line[line.length - 1];
  // Nothing inside a comment or an unterminated string.
  if (lastTok && lastTok.end === offset - lineStart) {
    if (lastTok.kind === 'comment') return [];
    if (lastTok.kind === 'string' && (lastTok.text.length < 2 || !lastTok.text.endsWith('"'))) return [];
  }
  let wordStart = offset;
  const toks = line.filter((t) => t.kind !== 'comment' && t.kind !== 'unknown');
  const word = toks[toks.length - 1];
  if (word && word.end === offset - lineStart) {
    if (word.kind === 'name' || word.kind === 'keyword') wordStart = lineStart + word.start;
    else if (word.kind === 'number' || word.kind === 'address' || word.kind === 'string') return [];
  }
  const want = wantsAt(ctx.text, ctx.analysis.model.ast, wordStart);
  const firstOnLine = !/\S/.test(ctx.text.slice(lineStart, wordStart).replace(/#.*/, ''));
  // At the start of a line a new statement or rule is the likelier wish.
  const cont = firstOnLine ? '1' : '0';
  const next = firstOnLine ? '0' : '1';
  const items: CompletionItem[] = [
    ...want.keywords.map((k) => keywordItem(k, cont)),
    ...nameItems(ctx, want, cont),
    ...want.starts.map((k) => keywordItem(k, next)),
  ];
  const range: Range = { start: ctx.lines.position(wordStart), end: position };
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.label) && seen.add(i.label)).map((i) => ({ ...i, textEdit: { range, newText: i.label } }));
}
