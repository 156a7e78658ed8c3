// Quick fixes shared by missing-response and partial-response: insert the inverse rule
// where the firewall evaluates it before any rule that drops the responses, or widen the
// one response rule that lets part of them through.

import type { Direction } from '../syntax/ast';
import type { Firewall, Model, ResolvedRule } from '../model/types';
import type { Fix, Span } from '../core/diagnostic';
import type { LineIndex } from '../core/text';
import { type Box, makeBoxes, boxesCoveredBy, protoMask, subtractBoxes, PORTED } from '../engine/packet';
import { crossing } from '../engine/firewall';
import { AddrSet, PortSet } from '../core/intervals';
import { formatAddrSet } from '../core/address';
import { type ResponseCheck, type ResponseIndex, dports } from './responseIndex';
import { inverseRuleText, oppositeDirection, portSetText } from './ruleKinds';
import { isPorted } from './responseText';
import { isOwn } from '../model/ownership';

/** What the fixes of one analysis run share. */
export interface ResponseContext {
  model: Model;
  text: string;
  lines: LineIndex;
  eol: string;
  /** Per firewall: its numbering, and the numbers in use per direction, including those handed out by fixes of this run. */
  numbers: Map<Firewall, FirewallNumbers>;
}

interface FirewallNumbers {
  mode: 'numbered' | 'unnumbered' | undefined;
  used: Record<Direction, Set<number>>;
}

const MAX_NUMBER = 32766;

function numbersOf(ctx: ResponseContext, fw: Firewall): FirewallNumbers {
  let n = ctx.numbers.get(fw);
  if (!n) {
    n = { mode: numbering(fw), used: { inbound: new Set(), outbound: new Set() } };
    for (const r of fw.rules) if (r.number !== undefined) n.used[r.direction].add(r.number);
    ctx.numbers.set(fw, n);
  }
  return n;
}

/** 'numbered' when every rule has a number, 'unnumbered' when none has, else undefined. */
function numbering(fw: Firewall): 'numbered' | 'unnumbered' | undefined {
  const n = fw.rules.filter((r) => r.number !== undefined).length;
  if (n === 0) return 'unnumbered';
  return n === fw.rules.length ? 'numbered' : undefined;
}

/**
 * A number not in `used` for a rule that must be tried before every rule in `before` and,
 * if possible, after the number `after`: the request's number + 10 (as in 100 → 110), else
 * its own number, else the nearest free number above it, else the free numbers just above
 * `after`, and last the highest free number below the first rule of `before`.
 */
function pickNumber(near: number, before: ResolvedRule[], used: Set<number>, after = 0): number | undefined {
  let limit = MAX_NUMBER + 1;
  for (const r of before) if (r.number !== undefined && r.number < limit) limit = r.number;
  const ok = (n: number) => Number.isInteger(n) && n >= 1 && n < limit && !used.has(n);
  const prefer = [near + 10, near];
  for (let k = 1; k < 10; k++) prefer.push(near + k);
  for (const n of prefer) if (n > after && ok(n)) return n;
  if (after > 0) for (let n = after + 1; n < limit && n <= after + 100; n++) if (ok(n)) return n;
  for (const n of prefer) if (ok(n)) return n;
  for (let n = Math.min(limit - 1, MAX_NUMBER); n >= 1; n--) if (ok(n)) return n;
  return undefined;
}

function lineEndAt(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

function nextLineStart(text: string, lineEnd: number): number {
  if (text[lineEnd] === '\r' && text[lineEnd + 1] === '\n') return lineEnd + 2;
  return Math.min(text.length, lineEnd + 1);
}

function lineStartAt(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/** The white space that starts the line holding `offset`. */
function indentAt(text: string, offset: number): string {
  const start = lineStartAt(text, offset);
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

function isBlankOrComment(s: string): boolean {
  return /^[ \t]*(#.*)?$/.test(s);
}

/** An insertion of `line` (a statement without line break) on its own line right after `span`'s line. */
function insertAfterLine(ctx: ResponseContext, span: Span, line: string, indent: string): { span: Span; newText: string } {
  const { text, eol } = ctx;
  const end = lineEndAt(text, span.end);
  if (!isBlankOrComment(text.slice(span.end, end))) {
    // Something else follows on the same line (another rule, the closing brace).
    return { span: { start: span.end, end: span.end }, newText: `${eol}${indent}${line}` };
  }
  if (end >= text.length) return { span: { start: end, end }, newText: `${eol}${indent}${line}` };
  const at = nextLineStart(text, end);
  return { span: { start: at, end: at }, newText: `${indent}${line}${eol}` };
}

/** An insertion of `line` on its own line right before `span`'s line. */
function insertBeforeLine(ctx: ResponseContext, span: Span, line: string): { span: Span; newText: string } {
  const { text, eol } = ctx;
  const start = lineStartAt(text, span.start);
  const before = text.slice(start, span.start);
  if (/^[ \t]*$/.test(before)) return { span: { start, end: start }, newText: `${before}${line}${eol}` };
  return { span: { start: span.start, end: span.start }, newText: `${line}${eol}${indentAt(text, span.start)}` };
}

/**
 * The lines of the inverse of `rule` (§7), each a rule that opens nothing but the rule's
 * responses: an `all` rule's responses are written as tcp and udp to the client's ephemeral
 * ports plus icmp (opening every port of every protocol would admit new connections).
 */
function inverseLines(
  rule: ResolvedRule,
  text: string,
  numbers: () => number | undefined,
  clients: readonly (Client | undefined)[],
  noSourcePort = false,
): string[] | undefined {
  const protos = rule.proto === 'all' ? (['tcp', 'udp', 'icmp'] as const) : [undefined];
  const out: string[] = [];
  for (const proto of protos) {
    // icmp has no client port: one line, to the client side as written, answers every client.
    for (const client of proto === 'icmp' && clients.length > 1 ? [undefined] : clients) {
      const n = numbers();
      if (n === -1) return undefined;
      out.push(inverseRuleText(rule, text, n, proto, client, noSourcePort));
    }
  }
  return out;
}

/** The client side of an inserted response rule: an endpoint (as written in the request rule when absent) and ports. */
type Client = { endpoint?: string; ports: string };

/**
 * Spec §6.1: the responses to a NAT gateway go to its ports, not to the ephemeral range of
 * the request rule's `from`. One client per gateway the responses reach, written with its
 * address (a gateway is no endpoint): `to 10.0.0.5 port 1024-65535`; then, for the other
 * addresses, the rule's own client side (undefined: as written, `port ephemeral`). On an
 * AWS network ACL whose inside is the client side, no rule can name less than the whole
 * inside (§10): one client, as written, with every client port.
 */
function clientsOf(fw: Firewall, check: ResponseCheck): (Client | undefined)[] {
  const r = check.rule;
  const reached = (a: AddrSet) => check.responses.some((b) => (b.protos & PORTED) !== 0 && b.dst.intersects(a));
  const gateways = check.gateways.filter((g) => reached(g.address));
  if (gateways.length === 0 || !isPorted(r)) return [undefined];
  if (fw.platform === 'aws-nacl' && oppositeDirection(r.direction) === 'inbound') {
    return [{ ports: portSetText(dports(check.responses)) }];
  }
  const out: (Client | undefined)[] = gateways.map((g) => ({ endpoint: g.addressText, ports: portSetText(g.ports) }));
  let rest = AddrSet.EMPTY;
  for (const b of check.responses) rest = rest.union(b.dst);
  for (const g of gateways) rest = rest.subtract(g.address);
  if (!rest.isEmpty()) out.push(undefined);
  return out;
}

/**
 * The clients whose responses are dropped, written as one endpoint and port set, when the
 * dropped responses are exactly "from the rule's servers and server ports to one prefix (or
 * the rule's own client endpoint) at some ports"; else undefined (the whole inverse is used).
 */
function droppedClients(fw: Firewall, check: ResponseCheck): Client | undefined {
  const r = check.rule;
  if (!isPorted(r) || check.dropped.length === 0) return undefined;
  // An AWS network ACL names no less than its whole inside (§10): there, only the ports narrow.
  const insideClients = fw.platform === 'aws-nacl' && oppositeDirection(r.direction) === 'inbound';
  let clients = AddrSet.EMPTY;
  let ports = PortSet.EMPTY;
  for (const b of check.dropped) {
    if ((b.protos & ~PORTED) !== 0) return undefined;
    clients = clients.union(b.dst);
    ports = ports.union(b.dport);
  }
  let all = AddrSet.EMPTY;
  for (const b of check.responses) all = all.union(b.dst);
  if (insideClients) {
    // The gateways' whole `ports` (spec §6.1): `1024-65535`, a response-like range (§7), where
    // the dropped part alone (`1024-32767`) would read as a request rule of its own.
    const gateways = check.gateways.filter((g) => clients.intersects(g.address));
    if (gateways.length > 0) return { ports: portSetText(gateways.reduce((p, g) => p.union(g.ports), ports)) };
  }
  if (clients.equals(all)) return undefined;
  // The dropped set must be the whole product: the rule's servers and ports to those clients.
  const full: Box[] = [];
  for (const b of makeBoxes(protoMask(r.proto), r.to.addresses, r.dport, clients, ports)) {
    const c = crossing(fw, oppositeDirection(r.direction), b);
    if (c) full.push(c);
  }
  if (!boxesCoveredBy(full, check.dropped)) return undefined;
  const endpoint = formatAddrSet(clients);
  if (endpoint.includes(',') || (!endpoint.includes('/') && endpoint.includes('-'))) return undefined;
  // The ports as numbers: `ephemeral` of a literal prefix would be the file's default.
  return { endpoint, ports: portSetText(ports) };
}

/**
 * Inserts the inverse of the checked rule, numbered to be tried before every rule that
 * drops part of its responses (or placed before them in the file when unnumbered). With
 * `afterServing`, it goes after the rules that already let some responses through, so they
 * keep serving the request; else right after the request rule.
 *
 * Spec §8.1 rule 1: the inserted rules open nothing but the rule's inverse. When the
 * request rule names no server port, the inverse has every source port, so the inserted
 * rule also admits new connections to the client's ephemeral ports: that fix is offered
 * (its title says so) but not `safe`.
 */
export function insertInverseFix(ctx: ResponseContext, fw: Firewall, check: ResponseCheck, afterServing = false): Fix | undefined {
  const rule = check.rule;
  if (!isOwn(ctx.model, rule)) return undefined;
  const opposite = oppositeDirection(rule.direction);
  const numbers = numbersOf(ctx, fw);
  const mode = numbers.mode;
  if (!mode) return undefined;
  const indent = indentAt(ctx.text, rule.node.span.start);
  const serving = afterServing ? check.servedBy.filter((s) => isOwn(ctx.model, s)) : [];
  // When only some clients lose their responses, the rule names just them: it then takes
  // nothing from the rules that serve the others (which would be left answering nothing).
  const dropped = afterServing ? droppedClients(fw, check) : undefined;
  const clients = dropped ? [dropped] : clientsOf(fw, check);
  const nacl = fw.platform === 'aws-nacl';
  let edit: { span: Span; newText: string };
  let lines: string[] | undefined;
  if (mode === 'numbered') {
    const used = numbers.used[opposite];
    let after = Math.max(0, ...serving.map((s) => s.number ?? 0));
    const taken: number[] = [];
    lines = inverseLines(
      rule,
      ctx.text,
      () => {
        const n = pickNumber(rule.number ?? 100, check.deniedBy, used, after);
        if (n === undefined) return -1;
        used.add(n);
        taken.push(n);
        after = n;
        return n;
      },
      clients,
      nacl,
    );
    if (!lines) {
      for (const n of taken) used.delete(n);
      return undefined;
    }
    edit = insertAfterLine(ctx, rule.node.span, lines.join(`${ctx.eol}${indent}`), indent);
  } else {
    lines = inverseLines(rule, ctx.text, () => undefined, clients, nacl)!;
    const ruleText = lines.join(`${ctx.eol}${indent}`);
    // Unnumbered rules are tried in file order: after the serving rules if that is still
    // before the first rule that drops responses, else right before that rule.
    let first: ResolvedRule | undefined;
    for (const d of check.deniedBy) if (!first || d.node.span.start < first.node.span.start) first = d;
    const limit = first?.node.span.start ?? Infinity;
    let anchor = rule;
    for (const s of serving) if (s.node.span.start > anchor.node.span.start) anchor = s;
    edit = insertAfterLine(ctx, anchor.node.span, ruleText, indent);
    if (anchor !== rule && edit.span.start > limit) edit = insertAfterLine(ctx, rule.node.span, ruleText, indent);
    if (first && edit.span.start > limit) {
      if (!isOwn(ctx.model, first)) return undefined;
      edit = insertBeforeLine(ctx, first.node.span, ruleText);
    }
  }
  const shown = lines.map((l) => `\`${l}\``).join(', ');
  const noServerPort = rule.proto === 'all' || (isPorted(rule) && rule.dport.isAll());
  if (nacl && !noServerPort) {
    // Spec §8.1 rules 1 and 4: the only response rule an ACL can hold also admits new connections.
    return {
      title:
        `Add the response rule${lines.length > 1 ? 's' : ''} ${shown} — an AWS network ACL cannot match the server's port, so it ` +
        `also admits new connections from the server side to those client ports`,
      edits: [edit],
      safe: false,
      preferred: true,
    };
  }
  if (noServerPort) {
    return {
      title:
        `Add the response rule ${shown} — it cannot name the server's port (the request rule has none), so it also admits new ` +
        `connections to those client ports`,
      edits: [edit],
      safe: false,
      preferred: true,
    };
  }
  return { title: `Add the response rule${lines.length > 1 ? 's' : ''} ${shown}`, edits: [edit], safe: true, preferred: true };
}

/**
 * When exactly one rule lets part of the responses through and it only lacks client
 * ports, widen its destination ports to take the rest (it comes before every rule that
 * drops them, so the widened rule decides them first). Spec §8.1 rule 1: never a rule with
 * no source-port restriction (that would admit new connections), and only when every packet
 * the wider rule adds is one of the checked rule's responses.
 */
export function widenFix(ctx: ResponseContext, ix: ResponseIndex, check: ResponseCheck): Fix | undefined {
  if (check.servedBy.length !== 1) return undefined;
  const s = check.servedBy[0]!;
  const portsSpec = s.node.to?.ports;
  if (!isPorted(s) || !portsSpec || !isOwn(ctx.model, s) || s.sport.isAll()) return undefined;
  if (check.dropped.some((b) => (b.protos & ~PORTED) !== 0)) return undefined;
  const pos = ix.position(s);
  if (check.deniedBy.some((d) => ix.position(d) < pos)) return undefined;
  const wider = s.dport.union(dports(check.dropped));
  const boxes = makeBoxes(protoMask(s.proto), s.from.addresses, s.sport, s.to.addresses, wider);
  if (!boxesCoveredBy(check.dropped, boxes)) return undefined;
  // What the wider rule matches that the rule did not: it must all be responses of the check.
  let added = boxes;
  for (const b of makeBoxes(protoMask(s.proto), s.from.addresses, s.sport, s.to.addresses, s.dport)) added = subtractBoxes(added, b);
  const crossingAdded: Box[] = [];
  for (const b of added) {
    const c = crossing(ix.firewall, s.direction, b);
    if (c) crossingAdded.push(c);
  }
  if (!boxesCoveredBy(crossingAdded, check.responses)) return undefined;
  const newText = !s.to.ephemeral.isEmpty() && wider.equals(s.to.ephemeral) ? 'ephemeral' : portSetText(wider);
  const shown = newText === 'ephemeral' ? `ephemeral (${wider})` : newText;
  return {
    title: `Widen the response rule's client ports to ${shown}`,
    edits: [{ span: portsSpec.span, newText }],
    safe: true,
    preferred: true,
  };
}
