// Hovers that teach (spec §9): a rule as REQUEST or RESPONSE, from whose side its direction
// is meant, the other half of the connection and who covers it; keywords, names, ports;
// a flow's simulation with its trace.

import type { Lines } from '../core/text';
import type { Hover, MarkupContent } from 'vscode-languageserver';
import { type ResponseCheck, responseIndex } from '../analysis/responseIndex';
import {
  type RuleKind,
  clientPortsOf,
  gatewaysOf,
  hasResponseLikeDestination,
  isGeneralBoth,
  oppositeDirection,
  rangesOf,
} from '../analysis/ruleKinds';
import type { Span } from '../core/diagnostic';
import { formatAddrSet } from '../core/address';
import { PortSet } from '../core/intervals';
import { BUILTIN_PROFILES, BUILTIN_SERVICES, WIDE } from '../model/builtins';
import type { Firewall, ModelSymbol, NatSymbol, ResolvedEndpoint, ResolvedRule } from '../model/types';
import { flowJson, flowText, modelLines } from '../report/flowReport';
import type {
  DefaultEphemeralDecl,
  Direction,
  EphemeralDecl,
  FirewallDecl,
  FirewallKind,
  HostDecl,
  NetworkDecl,
  PortSpec,
  RuleNode,
  Statement,
} from '../syntax/ast';
import { type DocContext, toRange } from './docContext';
import { flowRefusal, verdictTitle } from './simulation';
import { baseName, modelErrors } from './exportDocument';
import { planNetfilter } from '../convert/netfilterPlan';
import { nftablesPreview } from '../convert/toNftables';
import { firewallAt, referenceAt, ruleAt, symbolsOf } from '../model/ownership';

const within = (span: Span | undefined, offset: number): span is Span => !!span && span.start <= offset && offset <= span.end;

function md(value: string, ctx: DocContext, span: Span): Hover {
  const contents: MarkupContent = { kind: 'markdown', value };
  return { contents, range: toRange(ctx.lines, span) };
}

function endpointWords(ep: ResolvedEndpoint): string {
  const addrs = formatAddrSet(ep.addresses);
  if (ep.label === 'any') return 'any address';
  return ep.label === addrs ? `\`${addrs}\`` : `\`${ep.label}\` (${addrs})`;
}

function portsWords(ports: PortSet): string {
  if (ports.isAll()) return 'any port';
  const s = ports.toString();
  return s.includes(',') || s.includes('-') ? `ports ${s}` : `port ${s}`;
}

function insideWords(fw: Firewall): string {
  const addrs = formatAddrSet(fw.inside) || '(nothing)';
  const label = fw.insideLabel && fw.insideLabel !== addrs ? `${fw.insideLabel} (${addrs})` : addrs;
  return `\`${fw.name}\` protects ${label}`;
}

function directionMeaning(fw: Firewall, d: Direction): string {
  const inside = formatAddrSet(fw.inside) || 'its inside';
  return d === 'inbound'
    ? `*inbound* means packets coming from outside ${inside} to an address inside it`
    : `*outbound* means packets leaving ${inside} for an address outside it`;
}

function ruleLabel(rule: ResolvedRule, lines: Lines): string {
  const line = lines.line(rule.file, rule.node.span.start);
  return rule.number !== undefined ? `rule ${rule.number} (line ${line})` : `the rule on line ${line}`;
}

function packetWords(proto: string, from: string, sport: PortSet, to: string, dport: PortSet, ported: boolean): string {
  if (!ported) return `${proto} from ${from} to ${to}`;
  return `${proto} from ${from}${sport.isAll() ? '' : ` ${portsWords(sport)}`} to ${to}${dport.isAll() ? '' : ` ${portsWords(dport)}`}`;
}

/** The packet's own word for a direction: an inbound packet comes *in*, an outbound one goes *out*. */
const inOut = (d: Direction): string => (d === 'inbound' ? 'in' : 'out');

/** The return-traffic habit (§7, §8 stateful-response): a both rule to high ports only, any source port. */
function isReturnTrafficHabit(fw: Firewall, rule: ResolvedRule, kind: RuleKind | undefined): boolean {
  return kind === 'both' && !isGeneralBoth(rule) && hasResponseLikeDestination(rule, rangesOf(fw));
}

/** The responses dropped, as address and port pairs: `198.51.100.0/24 ports 32768-40000`. */
function droppedWords(check: ResponseCheck, ported: boolean): string {
  const byPorts = new Map<string, { ports: PortSet; clients: string[] }>();
  for (const b of check.dropped) {
    const key = ported ? b.dport.toString() : '';
    const entry = byPorts.get(key) ?? { ports: b.dport, clients: [] };
    const addrs = formatAddrSet(b.dst);
    if (addrs && !entry.clients.includes(addrs)) entry.clients.push(addrs);
    byPorts.set(key, entry);
  }
  const parts = [...byPorts.values()].map(({ ports, clients }) => {
    const who = clients.length > 3 ? `${clients.slice(0, 3).join(', ')} and ${clients.length - 3} more` : clients.join(', ');
    return ported ? `to ${who} ${portsWords(ports)}` : `to ${who}`;
  });
  return parts.length > 3 ? `${parts.slice(0, 3).join('; ')}; and ${parts.length - 3} more` : parts.join('; ');
}

/** In a stateless firewall: which rule lets the responses of a request-like rule through. */
function coverage(fw: Firewall, check: ResponseCheck, lines: Lines, ported: boolean): string | undefined {
  if (check.dropped.length === 0 && check.allowed.length > 0) {
    const by = check.servedBy.map((r) => ruleLabel(r, lines));
    return (
      `\`${fw.name}\` is **stateless**, so a rule must allow the response: ✔ ` +
      `${by.length ? `${by.join(' and ')} ${by.length === 1 ? 'does' : 'do'}` : 'the default allow does'}.`
    );
  }
  if (check.allowed.length === 0 && check.dropped.length > 0) {
    const who = check.deniedBy.length
      ? check.deniedBy.map((r) => ruleLabel(r, lines)).join(', ') + ' drops it'
      : 'the default deny drops it';
    return `\`${fw.name}\` is **stateless**, so a rule must allow the response: ✘ none does — ${who}. The connection cannot work.`;
  }
  if (check.dropped.length === 0) return undefined;
  const by = check.servedBy.map((r) => ruleLabel(r, lines)).join(', ');
  const who = [...check.deniedBy.map((r) => ruleLabel(r, lines)), ...(check.defaultDenies ? ['the default deny'] : [])].join(' and ');
  return (
    `\`${fw.name}\` is **stateless**, so a rule must allow the response: ◐ only in part — ${by || 'the default allow'} ` +
    `allows some; the responses ${droppedWords(check, ported)} are dropped by ${who}.`
  );
}

function ruleHover(ctx: DocContext, fw: Firewall, rule: ResolvedRule): string {
  const lines = modelLines(ctx.analysis.model);
  const ported = rule.proto === 'tcp' || rule.proto === 'udp';
  const ix = responseIndex(fw);
  // The analyses decide what a rule is (§7: judged against the ephemeral ranges in use).
  const kind = ix.kindOf(rule);
  const mode = fw.mode;
  const d = rule.direction;
  const back = oppositeDirection(d);
  const title =
    rule.action === 'deny'
      ? `**${d} DENY rule**`
      : kind === 'request'
        ? `**${d} REQUEST rule**`
        : kind === 'response'
          ? `**${d} RESPONSE rule**`
          : `**${d} rule — both REQUEST and RESPONSE**`;
  const out: string[] = [`${title} · ${ruleLabel(rule, lines)} of \`${fw.name}\` (${mode})`, ''];
  out.push(`From the firewall's side — ${insideWords(fw)} — ${directionMeaning(fw, d)}.`, '');
  const from = endpointWords(rule.from);
  const to = endpointWords(rule.to);
  const matches = packetWords(rule.proto, from, rule.sport, to, rule.dport, ported);
  if (!rule.valid || (rule.action === 'allow' && !kind)) {
    out.push('This rule has errors, so it matches nothing until they are fixed.');
    return out.join('\n');
  }
  // A rule reported redundant counts as absent in the index (§8.1 rule 2): say so rather than
  // "serves nothing".
  const redundant = ix.isRedundant(rule)
    ? `fwlang reports it **redundant**: the rules after it (or the default) decide all its packets the same way, so removing ` +
      `it changes no verdict, and it counts as absent when fwlang decides which rule carries which request's responses.`
    : undefined;
  if (rule.action === 'deny') {
    out.push(`It drops ${matches}: such packets may not ${d === 'inbound' ? 'come *in*' : 'go *out*'}.`);
    if (redundant) out.push('', redundant);
    return out.join('\n');
  }
  if (redundant) {
    out.push(
      kind === 'request'
        ? `It lets the REQUEST of a connection *${inOut(d)}*: ${matches}.`
        : kind === 'response'
          ? `It lets the RESPONSE *${inOut(d)}*: ${matches}.`
          : `It allows ${matches}.`,
      '',
      redundant,
    );
    return out.join('\n');
  }
  const noPorts = rule.proto === 'icmp' || rule.proto === 'all' ? 'no ports to tell them apart' : 'no source port restriction';

  if (mode === 'stateful' && isReturnTrafficHabit(fw, rule, kind)) {
    // The stateless habit carried into a stateful firewall (§8 stateful-response).
    const answered = ix.servedRequests(rule);
    out.push(`It allows ${matches}.`, '');
    out.push(
      `This is the stateless habit of a return-traffic rule: \`${fw.name}\` is **stateful**, so connection tracking already ` +
        `lets the responses of the requests it allowed come back *${inOut(d)}* — this rule is not needed for them` +
        `${answered.length ? ` (the responses of ${answered.map((r) => ruleLabel(r, lines)).join(', ')} pass without it)` : ''}.`,
      '',
      `With ${noPorts}, what it really does is let NEW connections (requests) *${inOut(d)}* to all ${countWords(rule.dport)} ` +
        `(${rule.dport.toString()}) of ${to}.`,
    );
    return out.join('\n');
  }

  if (kind === 'response') {
    const requested = back === 'inbound' ? 'came *in*' : 'went *out*';
    out.push(
      `It lets the RESPONSE *${inOut(d)}*: ${matches} — packets going back to a client's ephemeral port, answering requests ` +
        `that ${requested} (*${back}*).`,
    );
    const served = ix.served(rule);
    if (mode === 'stateful') {
      out.push(
        '',
        `\`${fw.name}\` is **stateful**: connection tracking already lets the responses of the requests it allowed through, so ` +
          `a response rule is not needed for them` +
          `${served.length ? ` (it answers ${served.map((r) => ruleLabel(r, lines)).join(', ')})` : ''}.`,
      );
    } else if (served.length) {
      out.push('', `It answers the requests of ${served.map((r) => ruleLabel(r, lines)).join(', ')}.`);
    } else {
      out.push('', `It answers no request rule of \`${fw.name}\`: no rule lets *${inOut(back)}* the requests these would answer.`);
    }
    if (rule.sport.isAll() || rule.dport.intersect(PortSet.range(0, 1023)).size() > 0) {
      out.push('', 'Careful: it also admits packets that are not responses (see its warnings).');
    }
    return out.join('\n');
  }

  const servedRequests = kind === 'both' ? ix.servedRequests(rule) : [];
  if (kind === 'both' && servedRequests.length > 0) {
    out.push(`It allows ${matches}.`, '');
    const comeBack = d === 'inbound' ? 'come back *in*' : 'go back *out*';
    out.push(
      `It works as the RESPONSE rule of ${servedRequests.map((r) => ruleLabel(r, lines)).join(', ')}: their responses ` +
        `${comeBack} through it.`,
    );
    out.push(
      '',
      `But with ${noPorts} it also lets NEW connections (requests) *${inOut(d)}* that are not responses at all` +
        `${mode === 'stateful' ? '' : ` — a narrower rule would let only the responses *${inOut(d)}*`}.`,
    );
    // A general both rule is also meant as a request rule: its own responses must pass (§7).
    if (!isGeneralBoth(rule)) return out.join('\n');
    out.push('');
  } else if (kind === 'both' && !isGeneralBoth(rule)) {
    // The return-traffic habit with nothing to return (orphan-response): not checked as a request.
    const requested = back === 'inbound' ? 'in' : 'out';
    out.push(`It allows ${matches}.`, '');
    out.push(
      `It looks like a return-traffic rule (a response-like destination, any source port), but it answers no request rule of ` +
        `\`${fw.name}\`: no rule lets *${requested}* requests whose responses it would carry.`,
    );
    out.push('', `With ${noPorts}, what it does is let NEW connections (requests) *${inOut(d)}* to ${portsWords(rule.dport)} of ${to}.`);
    return out.join('\n');
  } else {
    out.push(
      kind === 'request'
        ? `It lets the REQUEST of a connection *${inOut(d)}*: ${matches}.`
        : `It allows ${matches}. With ${noPorts}, it lets NEW connections (requests) *${inOut(d)}* as well as responses.`,
    );
    out.push('');
  }
  const clientPorts = clientPortsOf(rule, fw);
  const inverse = packetWords(rule.proto, to, rule.dport, from, clientPorts, ported);
  // Spec §6.1: the responses to a NAT gateway go to the gateway's ports.
  const gateways = gatewaysOf(fw, rule)
    .map((g) => `; the responses to the NAT gateway \`${g.name}\` (${g.addressText}) go to its ports ${g.ports}`)
    .join('');
  const portSource =
    (rule.sportGiven
      ? "the rule's source ports"
      : rule.from.symbol
        ? `the ephemeral range of \`${rule.from.symbol.name}\`: ${rule.from.symbol.ephemeralSource}`
        : `the file's default ephemeral range, ${defaultEphemeralSource(ctx)}`) + gateways;
  const responseGoes = d === 'inbound' ? 'goes back *out*' : 'comes back *in*';
  out.push(`**Its RESPONSE** ${responseGoes} (*${back}*): ${inverse}${ported ? ` (the client's ports: ${portSource})` : ''}.`);
  if (mode === 'stateful') {
    out.push(
      '',
      `\`${fw.name}\` is **stateful**: connection tracking links each response to its request and allows it by itself — no ` +
        `response rule is needed.`,
    );
    return out.join('\n');
  }
  const check = ix.checkOf(rule) ?? ix.responsesTo(rule);
  const covered = check && coverage(fw, check, lines, ported);
  if (covered) out.push('', covered);
  return out.join('\n');
}

function symbolHover(sym: ModelSymbol): string {
  switch (sym.kind) {
    case 'host':
    case 'network':
      return [
        `**${sym.kind} \`${sym.name}\`** = ${formatAddrSet(sym.addresses) || '(no valid address)'}`,
        '',
        `Ephemeral range: ${sym.ephemeral.toString()} — ${sym.ephemeralSource}. As a client, it sends requests from these ` +
          `ports, and responses come back to them.`,
      ].join('\n');
    case 'service':
      return (
        `**service \`${sym.name}\`** = ${sym.proto}` +
        `${sym.proto === 'tcp' || sym.proto === 'udp' ? ` ${sym.ports.toString()}` : ''}${sym.builtin ? ' (built-in)' : ''}`
      );
    case 'profile':
      return (
        `**ephemeral profile \`${sym.name}\`** = ${sym.ports.toString()}${sym.builtin ? ' (built-in)' : ''}: the source ports ` +
        `such clients pick for their requests.`
      );
    case 'firewall': {
      const fw = sym.firewall;
      return [
        `**firewall \`${fw.name}\`** — ${fw.platform ?? fw.mode}, protects ${formatAddrSet(fw.inside) || '(nothing)'}, default ` +
          `${fw.defaultAction}, ${fw.rules.length} rule${fw.rules.length === 1 ? '' : 's'}`,
        '',
        kindMeaning(fw.platform ?? fw.mode),
      ].join('\n');
    }
    case 'nat':
      return natHover(sym);
  }
}

/** PREVIEW_LINES lines of what `fwlang export --to nftables` writes for a firewall, and the command that writes it all. */
const PREVIEW_LINES = 10;
function nftablesHover(ctx: DocContext, fw: Firewall): string {
  const { model } = ctx.analysis;
  if (modelErrors(model).length > 0) return '---\n\nno nftables preview: the file has errors';
  const preview = nftablesPreview(planNetfilter(model, { only: [fw.name] }), PREVIEW_LINES);
  const name = baseName(ctx.path);
  const file = /^[\w./-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`;
  return [
    '---',
    '',
    '**nftables** (the forward hook of a router):',
    '',
    '```nft',
    preview,
    '```',
    '',
    `\`fwlang export ${file} --to nftables --firewall ${fw.name}\` writes the whole of it.`,
  ].join('\n');
}

/** A NAT gateway (spec §6.1): where it lives, the ports it picks, and how flows cross it. */
function natHover(sym: NatSymbol): string {
  const at = formatAddrSet(sym.address) || '(no valid address)';
  return [
    `**nat \`${sym.name}\`** = ${at}, ports ${sym.ports.toString()}`,
    '',
    `A source-NAT gateway: a connection sent \`via ${sym.name}\` goes in two legs. Leg 1, client to gateway: its firewalls are ` +
      `those between the client and ${at}, and their rules see the real addresses. Leg 2, gateway to server: the source is ` +
      `rewritten to ${at} and a port of ${sym.ports.toString()}, so the responses come back to ${at} on those ports — a ` +
      `stateless firewall on the way must let them in, whatever the clients' own ephemeral range.`,
  ].join('\n');
}

function kindMeaning(kind: FirewallKind): string {
  switch (kind) {
    case 'stateful':
      return (
        '**stateful**: like a security group or conntrack — it links each response to its request and allows it by itself. You ' +
        'write rules for the requests only.'
      );
    case 'stateless':
      return (
        '**stateless**: like an AWS network ACL or a router ACL — it judges every packet alone. Each allowed request needs a ' +
        "second rule for its response, going back to the client's ephemeral port."
      );
    case 'aws-nacl':
      return (
        '**aws-nacl**: an AWS network ACL: stateless, rules tried lowest number first, no source ports, final `*` deny. ' +
        'Each allowed request needs a second rule for its response, and that rule cannot say "only from port 443": it ' +
        'matches the remote address and the destination ports only. Each subnet it protects is its own inside: traffic ' +
        'between two of them crosses it twice, traffic within one crosses nothing.'
      );
    case 'aws-sg':
      return (
        '**aws-sg**: an AWS security group: stateful (responses are allowed by themselves), allow rules only, unnumbered, ' +
        'no source ports, everything else denied. Each member sits behind its own copy: traffic between two members ' +
        'crosses the group twice. Several groups on one address act as one, the union of their rules.'
      );
  }
}

function portHover(port: number, proto: string | undefined): string {
  const svc = Object.entries(BUILTIN_SERVICES).filter(([, s]) => s.port === port && (!proto || s.proto === proto || proto === 'all'));
  const parts = [`**port ${port}**${svc.length ? ` — ${svc.map(([n, s]) => `${n} (${s.proto})`).join(', ')}` : ''}`, ''];
  if (port < 1024) {
    parts.push(
      'A well-known port (0-1023): servers listen here, so it is the destination of a request and the source of its ' +
        'response. Clients never send from it.',
    );
  } else {
    const profiles = Object.entries(BUILTIN_PROFILES)
      .filter(([, [lo, hi]]) => lo <= port && port <= hi && lo !== 1024)
      .map(([n, [lo, hi]]) => `${n} (${lo}-${hi})`);
    parts.push(
      profiles.length
        ? `Within the ephemeral range of ${profiles.join(', ')}: a client may send a request from this port, and the response ` +
            `comes back to it.`
        : port < 32768
          ? 'A registered port (1024-49151) outside the usual client ranges of Linux, Windows and macOS; only the `wide` range ' +
            '(1024-65535) covers it.'
          : 'A high port.',
    );
  }
  return parts.join('\n');
}

// ---- `ephemeral`, wherever it is written (§9) ---------------------------------------------

/** The `default ephemeral` statements of the open file; the first one is in effect. */
function defaultStatements(ctx: DocContext): DefaultEphemeralDecl[] {
  return ctx.analysis.model.ast.statements.filter((s): s is DefaultEphemeralDecl => s?.kind === 'default-ephemeral');
}

/** Where the file's default ephemeral range comes from: `` `default ephemeral linux` ``. */
function defaultOrigin(ctx: DocContext): string {
  const { model } = ctx.analysis;
  const value = defaultStatements(ctx)[0]?.value;
  if (value) return `\`default ephemeral ${model.text.slice(value.span.start, value.span.end)}\``;
  if (model.defaultEphemeral.equals(WIDE)) return '`wide`, as the file has no `default ephemeral`';
  return "the editor's default ephemeral setting";
}

/** The file's default ephemeral range and where it comes from: `32768-60999 from \`default ephemeral linux\``. */
function defaultEphemeralSource(ctx: DocContext): string {
  return `${ctx.analysis.model.defaultEphemeral.toString()} from ${defaultOrigin(ctx)}`;
}

function countWords(ports: PortSet): string {
  const n = ports.size();
  return `${n.toLocaleString('en-US')} port${n === 1 ? '' : 's'}`;
}

/** `port ephemeral` in a rule: whose range it is, resolved. */
function ephemeralPortsAt(ctx: DocContext, rule: ResolvedRule, side: 'from' | 'to'): string {
  const ep = side === 'from' ? rule.from : rule.to;
  const whose = ep.symbol
    ? `the ephemeral range of \`${ep.symbol.name}\`, the \`${side}\` side of this rule (${ep.symbol.ephemeralSource})`
    : `the ephemeral range of ${ep.label === 'any' ? '`any`' : `\`${ep.label}\``}, the \`${side}\` side of this rule: the ` +
      `file's default, ${defaultEphemeralSource(ctx)}`;
  const meaning =
    side === 'to'
      ? 'as a destination, these are the ports a response is addressed to'
      : "as a source, these are the ports a client's request comes from";
  return [
    `**\`ephemeral\`** here = ${ep.ephemeral.toString()} — ${whose}.`,
    '',
    `Clients send their requests from such ports, so responses go back to them: ${meaning}.`,
  ].join('\n');
}

/** The endpoints of the open file that take the file's default (no `ephemeral` clause of their own). */
function endpointsOnDefault(ctx: DocContext): string[] {
  const { model } = ctx.analysis;
  const names: string[] = [];
  for (const sym of symbolsOf(model)) {
    if (sym.kind !== 'host' && sym.kind !== 'network') continue;
    const node = sym.origin.node;
    if ((node?.kind === 'host' || node?.kind === 'network') && !node.ephemeral) names.push(`\`${sym.name}\``);
  }
  return names;
}

function listWords(items: string[], max = 6): string {
  if (items.length > max) return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The identifier-like word under the cursor, outside comments. */
function wordAt(text: string, offset: number): { text: string; span: Span } | undefined {
  const isWord = (c: string | undefined) => !!c && /[A-Za-z0-9_-]/.test(c);
  let a = offset;
  while (a > 0 && isWord(text[a - 1])) a--;
  let b = offset;
  while (b < text.length && isWord(text[b])) b++;
  if (a === b) return undefined;
  const lineStart = text.lastIndexOf('\n', a - 1) + 1;
  if (text.slice(lineStart, a).includes('#')) return undefined;
  return { text: text.slice(a, b), span: { start: a, end: b } };
}

/** `host … ephemeral X` / `network … ephemeral X`: the endpoint's own range. */
function endpointClauseHover(ctx: DocContext, decl: HostDecl | NetworkDecl): string | undefined {
  const sym = ctx.analysis.model.symbols.get(decl.name.text);
  if (!sym || (sym.kind !== 'host' && sym.kind !== 'network') || sym.origin.node !== decl) return undefined;
  const addrs = formatAddrSet(sym.addresses) || '(no valid address)';
  return [
    `**\`ephemeral\`** — the ephemeral range of ${sym.kind} \`${sym.name}\` (${addrs}) = ${sym.ephemeral.toString()} (` +
      `${sym.ephemeralSource === sym.ephemeral.toString() ? '' : `\`${sym.ephemeralSource}\`, `}` +
      `${countWords(sym.ephemeral)}).`,
    '',
    `As a client, \`${sym.name}\` sends its requests from these ports, and their responses come back to them: \`port ` +
      `ephemeral\` on \`${sym.name}\`'s side of a rule means these ports, and a stateless firewall must let the responses ` +
      `through to them. Without this clause it would take the file's default, ${defaultEphemeralSource(ctx)}.`,
  ].join('\n');
}

/** `default ephemeral X`: the range of every endpoint of the file without a clause of its own. */
function defaultEphemeralHover(ctx: DocContext, decl: DefaultEphemeralDecl): string {
  const first = defaultStatements(ctx)[0];
  if (first && first !== decl) {
    const line = ctx.lines.position(first.span.start).line + 1;
    return (
      `**\`default ephemeral\`** — ignored: the file sets it twice, and the first one (line ${line}) is used: ` +
      `${defaultEphemeralSource(ctx)}.`
    );
  }
  const users = endpointsOnDefault(ctx);
  return [
    `**\`default ephemeral\`** = ${ctx.analysis.model.defaultEphemeral.toString()} (` +
      `${countWords(ctx.analysis.model.defaultEphemeral)}), from ${defaultOrigin(ctx)}: the ephemeral range of every ` +
      `endpoint declared in this file without an \`ephemeral\` clause of its own` +
      `${users.length ? ` (${listWords(users)})` : ''}, and of \`any\` and literal addresses in its rules and flows.`,
    '',
    'Clients there send their requests from these ports, so the responses come back to them.',
  ].join('\n');
}

/** `ephemeral NAME LOW-HIGH`: a profile declared for clients that pick their ports there. */
function ephemeralDeclHover(ctx: DocContext, decl: EphemeralDecl): string | undefined {
  const { model } = ctx.analysis;
  const sym = model.symbols.get(decl.name.text);
  if (!sym || sym.kind !== 'profile' || sym.origin?.node !== decl) return undefined;
  const users: string[] = [];
  for (const s of model.symbols.values()) {
    const node = s.kind === 'host' || s.kind === 'network' ? s.origin.node : undefined;
    if ((node?.kind === 'host' || node?.kind === 'network') && node.ephemeral?.kind === 'name' && node.ephemeral.name.text === sym.name)
      users.push(`\`${s.name}\``);
  }
  const dflt = defaultStatements(ctx)[0]?.value;
  if (dflt?.kind === 'name' && dflt.name.text === sym.name) users.push(`the file's \`default ephemeral\``);
  return [
    `**\`ephemeral ${sym.name}\`** declares an ephemeral profile = ${sym.ports.toString()} (${countWords(sym.ports)}): the ` +
      `source ports some clients pick for their requests, where the responses come back.`,
    '',
    users.length
      ? `Used by ${listWords(users)}.`
      : `No endpoint uses it yet: write \`host NAME ADDRESS ephemeral ${sym.name}\` (or \`default ephemeral ${sym.name}\`).`,
    '',
    'As a range in use, it also counts when fwlang decides whether a destination port set is response-like (it holds at ' +
      'least half of some ephemeral range).',
  ].join('\n');
}

/** Hover on the word `ephemeral` (or its value) outside rules. */
function ephemeralStatementHover(ctx: DocContext, s: Statement, offset: number): Hover | undefined {
  const word = wordAt(ctx.analysis.model.text, offset);
  if (s.kind === 'host' || s.kind === 'network') {
    if (!s.ephemeral) return undefined;
    const onKeyword = word?.text === 'ephemeral' && word.span.end <= s.ephemeral.span.start;
    if (!onKeyword && !within(s.ephemeral.span, offset)) return undefined;
    const text = endpointClauseHover(ctx, s);
    return text ? md(text, ctx, { start: onKeyword ? word!.span.start : s.ephemeral.span.start, end: s.ephemeral.span.end }) : undefined;
  }
  if (s.kind === 'default-ephemeral') {
    const onKeywords = (word?.text === 'ephemeral' || word?.text === 'default') && (!s.value || word.span.end <= s.value.span.start);
    if (!onKeywords && !within(s.value?.span, offset)) return undefined;
    return md(defaultEphemeralHover(ctx, s), ctx, s.span);
  }
  if (s.kind === 'ephemeral') {
    const onValue = (s.low && within({ start: s.low.span.start, end: (s.high ?? s.low).span.end }, offset)) || within(s.keyword, offset);
    if (!onValue) return undefined;
    const text = ephemeralDeclHover(ctx, s);
    return text ? md(text, ctx, s.span) : undefined;
  }
  return undefined;
}

/** A port range in a rule: its size and, as a destination, whether it is response-like (§7). */
function rangeHover(ctx: DocContext, fw: Firewall, rule: ResolvedRule, side: 'from' | 'to', low: number, high: number): string {
  const ports = PortSet.range(low, high);
  const head = `**ports ${low}-${high}** (${countWords(ports)})`;
  if (low > high || (rule.proto !== 'tcp' && rule.proto !== 'udp')) return head;
  const covered = rangesOf(fw).find((r) => r.size() > 0 && ports.intersect(r).size() * 2 >= r.size());
  if (side === 'from') {
    return covered ? `${head} — as a source, a client's ephemeral ports: where requests come from and responses go back to.` : head;
  }
  if (ports.isAll()) return `${head} — every port: the same as no \`port\` at all.`;
  if (!covered) {
    return (
      `${head} — not response-like: it holds less than half of every ephemeral range in use, so as a destination it reads as ` +
      `an application's ports, where requests go.`
    );
  }
  return (
    `${head} — response-like: it holds at least half of ${rangeName(ctx, covered)}, so as a destination it could be a ` +
    `client's ephemeral ports, where responses go.`
  );
}

/** `` the `linux` range (32768-60999) ``, or just the range when no profile has it. */
function rangeName(ctx: DocContext, range: PortSet): string {
  const names = Object.entries(BUILTIN_PROFILES)
    .filter(([n, [lo, hi]]) => range.equals(PortSet.range(lo, hi)) && !ctx.analysis.model.symbols.has(n))
    .map(([n]) => `\`${n}\``);
  for (const sym of ctx.analysis.model.symbols.values())
    if (sym.kind === 'profile' && sym.ports.equals(range)) names.push(`\`${sym.name}\``);
  return names.length ? `the ${listWords(names)} range (${range.toString()})` : `the ephemeral range ${range.toString()}`;
}

function findPortSpec(spec: PortSpec | undefined, offset: number): PortSpec | undefined {
  if (!within(spec?.span, offset)) return undefined;
  if (spec!.kind === 'list') {
    for (const item of spec!.items) {
      const hit = findPortSpec(item, offset);
      if (hit) return hit;
    }
    return undefined;
  }
  return spec;
}

/** The firewall statement of the open file under `offset`, with its firewall when the model resolved one. */
function firewallDeclAt(ctx: DocContext, offset: number): { fw?: Firewall; node: FirewallDecl } | undefined {
  const { model } = ctx.analysis;
  const fw = firewallAt(model, model.root, offset);
  if (fw) return { fw, node: fw.node };
  // A firewall statement the model could not resolve still has its keywords to explain.
  const node = model.ast.statements.find((s): s is FirewallDecl => s?.kind === 'firewall' && within(s.span, offset));
  return node ? { node } : undefined;
}

export function hover(ctx: DocContext, offset: number): Hover | null {
  const { model } = ctx.analysis;
  // A name: what it resolves to.
  const ref = referenceAt(model, model.root, offset);
  if (ref?.symbol) {
    // `firewall NAME …`: also the first lines of its nftables form.
    const more = ref.declaration && ref.symbol.kind === 'firewall' ? `\n\n${nftablesHover(ctx, ref.symbol.firewall)}` : '';
    return md(symbolHover(ref.symbol) + more, ctx, ref.span);
  }
  if (ref && !ref.symbol && (BUILTIN_SERVICES[ref.name] || BUILTIN_PROFILES[ref.name])) {
    const svc = BUILTIN_SERVICES[ref.name];
    const prof = BUILTIN_PROFILES[ref.name];
    const text = svc
      ? `**service \`${ref.name}\`** = ${svc.proto} ${svc.port} (built-in)`
      : `**ephemeral profile \`${ref.name}\`** = ${prof![0]}-${prof![1]} (built-in)`;
    return md(text, ctx, ref.span);
  }

  const hit = ruleAt(model, model.root, offset);
  if (hit) {
    const { firewall: fw, rule } = hit;
    const node: RuleNode = rule.node;
    if (within(node.direction.span, offset)) {
      const d = node.direction.value;
      const text = [
        `**${d}** — from \`${fw.name}\`'s side: ${insideWords(fw)}, and ${directionMeaning(fw, d)}.`,
        '',
        'Whether a packet is inbound or outbound depends on whose side you stand: the same request is outbound for the client ' +
          'and inbound for the server, and its response goes the opposite way.',
      ].join('\n');
      return md(text, ctx, node.direction.span);
    }
    for (const side of ['from', 'to'] as const) {
      const ep = node[side];
      const spec = findPortSpec(ep?.ports, offset);
      if (!spec) continue;
      if (spec.kind === 'ephemeral') return md(ephemeralPortsAt(ctx, rule, side), ctx, spec.span);
      if (spec.kind === 'number') return md(portHover(spec.value.value, rule.proto), ctx, spec.span);
      if (spec.kind === 'range') return md(rangeHover(ctx, fw, rule, side, spec.low.value, spec.high.value), ctx, spec.span);
    }
    return md(ruleHover(ctx, fw, rule), ctx, node.span);
  }

  const fwHit = firewallDeclAt(ctx, offset);
  if (fwHit) {
    const { fw, node } = fwHit;
    if (within(node.mode?.span, offset)) return md(kindMeaning(node.mode!.value), ctx, node.mode!.span);
    if (fw && within(node.protectsKeyword, offset)) {
      return md(
        `**protects** — the inside of \`${fw.name}\`: ${formatAddrSet(fw.inside) || '(nothing)'}. \`inbound\` and \`outbound\` ` +
          `in its rules are meant from here.`,
        ctx,
        node.protectsKeyword!,
      );
    }
    if (fw && within(node.name.span, offset))
      return md(
        symbolHover({
          kind: 'firewall',
          name: fw.name,
          firewall: fw,
          origin: { file: fw.file, span: node.span, nameSpan: node.name.span },
        }),
        ctx,
        node.name.span,
      );
  }

  for (const s of model.ast.statements) {
    if (!s || !within(s.span, offset)) continue;
    const eph = ephemeralStatementHover(ctx, s, offset);
    if (eph) return eph;
    if (s.kind === 'nat') {
      // `nat`, its address, `ports` and its range: the gateway as resolved.
      const sym = model.symbols.get(s.name.text);
      if (sym?.kind === 'nat' && sym.origin.node === s) return md(natHover(sym), ctx, s.span);
    }
    if (s.kind === 'flow') {
      // No verdict from a half-read file (§8.1 rule 5): say which error, on which line.
      const refused = flowRefusal(ctx, s);
      const r = ctx.analysis.flowResults.find((x) => x.flow.node === s);
      if (refused || !r) {
        const why = refused?.error ?? 'this flow has errors; fix them to simulate it';
        return md(['**Not simulated**: fwlang gives no verdict while the file or the flow has errors.', '', why].join('\n'), ctx, s.span);
      }
      const lines = modelLines(model);
      const j = flowJson(r, model, lines);
      const text = [
        `**Simulation: ${verdictTitle(r, lines)}**${r.flow.expect ? ` — expect ${r.flow.expect}: ${r.met ? 'met' : '**not met**'}` : ''}`,
        '',
        "The REQUEST goes from the client to the server; its RESPONSE comes back the other way, to the client's source port.",
        '',
        '```text',
        flowText(j),
        '```',
      ].join('\n');
      return md(text, ctx, s.span);
    }
  }
  return null;
}
