// Completion: keywords where they fit and the declared names of the kind the position
// wants (hosts and networks, services, profiles, firewalls). The position is read from the
// tokens before the cursor, so it works on text that does not parse.

import {
  type CompletionItem,
  CompletionItemKind,
  type Position,
  type Range,
} from 'vscode-languageserver';
import { BUILTIN_PROFILES, BUILTIN_SERVICES } from '../model/builtins';
import type { ModelSymbol } from '../model/types';
import { type Token, tokenize } from '../syntax/tokenize';
import type { DocContext } from '../lsp/docContext';

const STATEMENT_KEYWORDS = ['host', 'network', 'service', 'ephemeral', 'default', 'firewall', 'flow', 'include'];
const DIRECTIONS = ['inbound', 'outbound'];
const ACTIONS = ['allow', 'deny'];
const PROTOS = ['tcp', 'udp', 'icmp', 'all'];
const MODES = ['stateless', 'stateful'];

/** What fits at the cursor. */
interface Want {
  /** Keywords that continue the current statement or rule. */
  keywords: string[];
  endpoints?: boolean;
  services?: boolean;
  /** `ephemeral` as a port (after `port`). */
  ephemeralPort?: boolean;
  profiles?: boolean;
  firewalls?: boolean;
  /** The current statement may end here: offer the starts of the next one. */
  statements?: boolean;
  /** The current rule may end here: offer the start of the next rule. */
  rules?: boolean;
}

const NOTHING: Want = { keywords: [] };

const KEYWORD_DOCS: Record<string, string> = {
  host: 'host NAME ADDRESS [ephemeral PROFILE]',
  network: 'network NAME PREFIX {, PREFIX} [ephemeral PROFILE]',
  service: 'service NAME PROTO PORTS',
  ephemeral: 'ephemeral NAME LOW-HIGH — or the ephemeral range of an endpoint',
  default: 'default ephemeral PROFILE — or a firewall\'s default verdict',
  firewall: 'firewall NAME (stateless | stateful) protects ENDPOINT {, ENDPOINT} [default (allow | deny)] { RULE* }',
  flow: 'flow CLIENT[:PORTS] -> SERVER SERVICE [via FW {, FW}] [expect (allow | deny)]',
  include: 'include "relative/path.fw"',
  inbound: 'into the inside the firewall protects',
  outbound: 'out of the inside the firewall protects',
  stateless: 'no connection tracking: a response needs its own rule',
  stateful: 'connection tracking: responses are allowed by themselves',
  any: 'every IPv4 and IPv6 address',
};

function is(t: Token | undefined, ...words: string[]): boolean {
  return !!t && t.kind === 'keyword' && words.includes(t.text);
}

function isWord(t: Token | undefined): boolean {
  return !!t && (t.kind === 'name' || t.kind === 'keyword');
}

/** Rule tokens starting at the direction keyword. */
function ruleWants(rule: Token[]): Want {
  const last = rule[rule.length - 1];
  if (rule.length === 1) return { keywords: ACTIONS };
  if (rule.length === 2) return is(last, ...ACTIONS) ? { keywords: PROTOS } : NOTHING;
  if (is(last, 'from', 'to')) return { keywords: [], endpoints: true };
  if (is(last, 'port')) return { keywords: [], services: true, ephemeralPort: true };
  const lastOpen = rule.map((t) => t.kind).lastIndexOf('lbracket');
  const lastClose = rule.map((t) => t.kind).lastIndexOf('rbracket');
  if (lastOpen > lastClose) {
    return last?.kind === 'lbracket' || last?.kind === 'comma' ? { keywords: [], services: true, ephemeralPort: true } : NOTHING;
  }
  if (last?.kind === 'dash' || last?.kind === 'comma' || last?.kind === 'colon') return NOTHING;
  const proto = rule[2]?.text;
  const withPorts = proto === 'tcp' || proto === 'udp';
  let side = -1;
  let port = -1;
  rule.forEach((t, i) => {
    if (is(t, 'from', 'to')) side = i;
    if (is(t, 'port')) port = i;
  });
  const hasTo = rule.some((t) => is(t, 'to'));
  if (side < 0) return { keywords: ['from', 'to'], rules: true };
  const onFrom = is(rule[side], 'from');
  const next = onFrom && !hasTo ? ['to'] : [];
  if (port > side) return { keywords: next, rules: true };
  return { keywords: [...(withPorts ? ['port'] : []), ...next], rules: true };
}

function flowWants(toks: Token[]): Want {
  const last = toks[toks.length - 1];
  if (toks.length === 1) return { keywords: [], endpoints: true };
  const arrow = toks.findIndex((t) => t.kind === 'arrow');
  if (arrow < 0) return NOTHING;
  if (last?.kind === 'arrow') return { keywords: [], endpoints: true };
  const after = toks.slice(arrow + 1);
  if (after.length === 1) return { keywords: ['tcp', 'udp', 'icmp'], services: true };
  if (is(last, 'expect')) return { keywords: ACTIONS };
  const via = toks.findIndex((t) => is(t, 'via'));
  if (is(last, 'via') || (via >= 0 && last?.kind === 'comma')) return { keywords: [], firewalls: true };
  if (is(last, 'tcp', 'udp')) return NOTHING;
  if (toks.some((t) => is(t, 'expect'))) return { keywords: [], statements: true };
  return { keywords: via < 0 ? ['via', 'expect'] : ['expect'], statements: true };
}

function headerWants(toks: Token[]): Want {
  const last = toks[toks.length - 1];
  if (toks.length === 1) return NOTHING;
  if (toks.length === 2) return { keywords: MODES };
  if (is(last, ...MODES)) return { keywords: ['protects'] };
  if (is(last, 'protects') || last?.kind === 'comma') return { keywords: [], endpoints: true };
  if (is(last, 'default')) return { keywords: ACTIONS };
  if (is(last, ...ACTIONS)) return NOTHING;
  if (toks.some((t) => is(t, 'protects'))) return { keywords: toks.some((t) => is(t, 'default')) ? [] : ['default'] };
  return { keywords: ['protects'] };
}

function statementWants(toks: Token[]): Want {
  const first = toks[0];
  const last = toks[toks.length - 1];
  if (!first) return { keywords: [], statements: true };
  switch (first.text) {
    case 'host':
    case 'network': {
      if (is(last, 'ephemeral')) return { keywords: [], profiles: true };
      if (toks.length <= 2 || last?.kind === 'comma') return NOTHING;
      if (toks.some((t) => is(t, 'ephemeral'))) return { keywords: [], statements: true };
      return { keywords: ['ephemeral'], statements: true };
    }
    case 'service':
      if (toks.length === 1) return NOTHING;
      if (toks.length === 2) return { keywords: PROTOS };
      if (is(last, ...PROTOS) || last?.kind === 'lbracket' || last?.kind === 'comma') return { keywords: [], services: true };
      if (last?.kind === 'dash') return NOTHING;
      return { keywords: [], statements: true };
    case 'ephemeral':
      if (toks.length <= 2 || last?.kind === 'dash') return NOTHING;
      return { keywords: [], statements: true };
    case 'default':
      if (toks.length === 1) return { keywords: ['ephemeral'] };
      if (is(last, 'ephemeral')) return { keywords: [], profiles: true };
      return { keywords: [], statements: true };
    case 'include':
      return toks.length === 1 ? NOTHING : { keywords: [], statements: true };
    case 'flow':
      return flowWants(toks);
    case 'firewall':
      return headerWants(toks);
    default:
      return { keywords: [], statements: true };
  }
}

/** Tokens of the rule being written in a firewall body (from its direction), or [] at a rule start. */
function currentRule(body: Token[]): { rule: Token[]; atStart: boolean } {
  let d = -1;
  body.forEach((t, i) => {
    if (is(t, ...DIRECTIONS)) d = i;
  });
  if (d < 0) {
    // Only a rule number (or nothing) so far.
    return { rule: [], atStart: body.length === 0 || (body.length === 1 && body[0]!.kind === 'number') };
  }
  const rule = body.slice(d);
  return { rule, atStart: false };
}

/** Works out what fits after `toks` (the significant tokens before the word at the cursor). */
function wantsAt(toks: Token[], text: string): Want {
  // Split into statements at depth 0 and find the open firewall body, if any.
  let depth = 0;
  let stmtStart = -1;
  let bodyStart = -1;
  let stmtKind = '';
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === 'lcurly') {
      if (depth === 0) bodyStart = i + 1;
      depth++;
      continue;
    }
    if (t.kind === 'rcurly') {
      if (depth > 0) depth--;
      if (depth === 0) {
        stmtStart = -1;
        stmtKind = '';
      }
      continue;
    }
    if (depth > 0 || t.kind !== 'keyword') continue;
    const prev = toks[i - 1];
    let starts = false;
    switch (t.text) {
      case 'host':
      case 'network':
      case 'service':
      case 'firewall':
      case 'flow':
      case 'include':
        starts = true;
        break;
      case 'default':
        // `default allow` closes a firewall header; `default ephemeral` is a statement.
        starts = stmtKind !== 'firewall' || is(toks[i + 1], 'ephemeral');
        break;
      case 'ephemeral':
        // A clause of host/network/default on the same line; a declaration otherwise.
        if (is(prev, 'default')) starts = false;
        else if (stmtKind === 'host' || stmtKind === 'network') starts = !!prev && lineBreakBetween(text, prev.end, t.start);
        else starts = true;
        break;
    }
    if (starts) {
      stmtStart = i;
      stmtKind = t.text;
    }
  }
  if (depth > 0 && bodyStart >= 0) {
    const { rule, atStart } = currentRule(toks.slice(bodyStart));
    if (atStart) return { keywords: DIRECTIONS };
    return ruleWants(rule);
  }
  if (stmtStart < 0) return { keywords: [], statements: true };
  return statementWants(toks.slice(stmtStart));
}

function lineBreakBetween(text: string, from: number, to: number): boolean {
  return /[\r\n]/.test(text.slice(from, to));
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

export function completion(ctx: DocContext, position: Position): CompletionItem[] {
  const offset = ctx.lines.offset(position);
  const all = tokenize(ctx.text.slice(0, offset));
  const lastTok = all[all.length - 1];
  // Nothing inside a comment or an unterminated string.
  if (lastTok && lastTok.end === offset) {
    if (lastTok.kind === 'comment') return [];
    if (lastTok.kind === 'string' && (lastTok.text.length < 2 || !lastTok.text.endsWith('"'))) return [];
  }
  let wordStart = offset;
  let toks = all.filter((t) => t.kind !== 'comment' && t.kind !== 'unknown');
  const word = toks[toks.length - 1];
  if (word && word.end === offset) {
    if (isWord(word)) {
      wordStart = word.start;
      toks = toks.slice(0, -1);
    } else if (word.kind === 'number' || word.kind === 'address' || word.kind === 'string') {
      return [];
    }
  }
  const want = wantsAt(toks, ctx.text);
  const prev = toks[toks.length - 1];
  const firstOnLine = !prev || lineBreakBetween(ctx.text, prev.end, wordStart);
  // At the start of a line a new statement or rule is the likelier wish.
  const cont = firstOnLine ? '1' : '0';
  const next = firstOnLine ? '0' : '1';
  const items: CompletionItem[] = [
    ...want.keywords.map((k) => keywordItem(k, cont)),
    ...nameItems(ctx, want, cont),
  ];
  if (want.statements) items.push(...STATEMENT_KEYWORDS.map((k) => keywordItem(k, next)));
  if (want.rules) items.push(...DIRECTIONS.map((k) => keywordItem(k, next)));
  const range: Range = { start: ctx.lines.position(wordStart), end: position };
  const seen = new Set<string>();
  return items
    .filter((i) => !seen.has(i.label) && seen.add(i.label))
    .map((i) => ({ ...i, textEdit: { range, newText: i.label } }));
}
