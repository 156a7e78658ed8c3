// broad-response (spec §8): in a stateless firewall, a response or both rule that serves a
// request rule and opens more than responses need. One diagnostic per case:
// (a) client-side ports below 1024, (b) client-side ports no client of the requests it
// serves uses, (c) no source port, so it also admits new connections.

import { type Diagnostic, type Fix, type TextEdit, diag } from '../core/diagnostic';
import type { Firewall, ResolvedRule } from '../model/types';
import { PortSet } from '../core/intervals';
import { crossings, decide, decisionKind, keyOfBoxes } from '../engine/firewall';
import { type Box, PORTED, subtractBoxes } from '../engine/packet';
import type { ResponseContext } from './responseFix';
import { type ResponseIndex, dports } from './responseIndex';
import { clientPortsOf, isGeneralBoth, portSetText } from './ruleKinds';
import { isPorted, listText, perspective, portsPhrase, relatedRule, ruleList } from './responseText';
import { isOwn } from '../model/ownership';

const LOW = PortSet.range(0, 1023);

function names(rules: ResolvedRule[], ctx: ResponseContext): string {
  return ruleList(rules, ctx.lines);
}

/** Sets the destination ports of `rule` to `ports` (replacing or adding `port ...`). */
function setDestinationPorts(rule: ResolvedRule, text: string): TextEdit | undefined {
  const to = rule.node.to;
  if (to?.ports) return { span: to.ports.span, newText: text };
  if (to?.endpoint) return { span: { start: to.endpoint.span.end, end: to.endpoint.span.end }, newText: ` port ${text}` };
  if (to) return undefined;
  return { span: { start: rule.node.span.end, end: rule.node.span.end }, newText: ` to any port ${text}` };
}

/** Sets the source ports of `rule` to `ports`. */
function setSourcePorts(rule: ResolvedRule, text: string): TextEdit | undefined {
  const from = rule.node.from;
  if (from?.ports) return { span: from.ports.span, newText: text };
  if (from?.endpoint) return { span: { start: from.endpoint.span.end, end: from.endpoint.span.end }, newText: ` port ${text}` };
  if (from) return undefined;
  const to = rule.node.to;
  if (to) return { span: { start: to.keyword.start, end: to.keyword.start }, newText: `from any port ${text} ` };
  return { span: { start: rule.node.span.end, end: rule.node.span.end }, newText: ` from any port ${text}` };
}

function narrowFix(rule: ResolvedRule, keep: PortSet, what: string): Fix[] {
  if (!isPorted(rule) || keep.isEmpty()) return [];
  const text = !rule.to.ephemeral.isEmpty() && keep.equals(rule.to.ephemeral) ? 'ephemeral' : portSetText(keep);
  const edit = setDestinationPorts(rule, text);
  if (!edit) return [];
  return [
    { title: `Narrow the client ports to ${text === 'ephemeral' ? `ephemeral (${keep})` : text} (${what})`, edits: [edit], safe: false },
  ];
}

/**
 * The parts of `boxes` that `g` denies (§5) as new connections: leaving its inside (the
 * sender's copy of a group) or entering it (the receiver's), whichever comes first.
 */
function deniedBy(g: Firewall, boxes: Box[]): Box[] {
  const out: Box[] = [];
  for (const b of boxes) {
    let rest = [b];
    for (const way of ['outbound', 'inbound'] as const) {
      const next: Box[] = [];
      for (const r of rest) {
        const cs = crossings(g, way, r);
        for (const c of cs) for (const d of decide(g, way, [c])) (d.action === 'deny' ? out : next).push(d.box);
        for (const n of cs.reduce((left, c) => subtractBoxes(left, c), [r])) next.push(n);
      }
      rest = next;
    }
  }
  return out;
}

const guardLists = new WeakMap<readonly Firewall[], { sgs: Firewall[]; others: Firewall[] }>();

/** The valid stateful firewalls of a model, the first of each decisionKind: security groups, the others. */
function guardsOf(firewalls: readonly Firewall[]): { sgs: Firewall[]; others: Firewall[] } {
  let g = guardLists.get(firewalls);
  if (!g) {
    const kinds = new Set<string>();
    const guards = firewalls.filter((f) => {
      if (!f.valid || f.mode !== 'stateful') return false;
      const kind = decisionKind(f);
      if (kinds.has(kind)) return false;
      kinds.add(kind);
      return true;
    });
    g = { sgs: guards.filter((f) => f.platform === 'aws-sg'), others: guards.filter((f) => f.platform !== 'aws-sg') };
    guardLists.set(firewalls, g);
  }
  return g;
}

/**
 * Spec §10: the stateful firewalls (security groups first) that deny every one of the new
 * connections `admitted`, or undefined when some of them get through. Several aws-sg on one
 * address act as one group: a connection is closed only when each of them denies it.
 */
function closingGroups(ctx: ResponseContext, admitted: Box[]): Firewall[] | undefined {
  // A guard that decides exactly as one before it (a group pasted a hundred times) closes
  // nothing the first did not: what each closes is taken out of what is open, and what one
  // group denies, a copy of it denies again. Only the first of each kind is looked at (a file
  // of 1,000 copies of a VPC took 42 s here: every copy of an ACL against every copy of a group,
  // against every copy again).
  const guards = guardsOf(ctx.model.firewalls);
  // The answer depends on the guards and the connections only (the ACL asking is stateless,
  // never one of the guards): copies of an ACL ask the same question, answered once (1,214
  // copies of the AWS guide's ACLs asked it ~100 ms a time).
  let answers = closingAnswers.get(guards);
  if (!answers) closingAnswers.set(guards, (answers = new Map()));
  const key = keyOfBoxes(admitted);
  if (answers.has(key)) return answers.get(key);
  const answer = closingGroupsOf(guards, admitted);
  answers.set(key, answer);
  return answer;
}

const closingAnswers = new WeakMap<object, Map<string, Firewall[] | undefined>>();

function closingGroupsOf({ sgs, others }: { sgs: Firewall[]; others: Firewall[] }, admitted: Box[]): Firewall[] | undefined {
  let open = admitted;
  const closing: Firewall[] = [];
  for (const g of [...sgs, ...others]) {
    let closed = deniedBy(g, open);
    if (g.platform === 'aws-sg') {
      for (const h of sgs) {
        // Nothing left that another group could open.
        if (closed.length === 0) break;
        if (h === g) continue;
        const inH = closed.flatMap((b) => [...crossings(h, 'outbound', b), ...crossings(h, 'inbound', b)]);
        const outsideH = inH.reduce((left, c) => subtractBoxes(left, c), closed);
        closed = outsideH.concat(deniedBy(h, inH));
      }
    }
    if (closed.length === 0) continue;
    closing.push(g);
    open = closed.reduce((left, c) => subtractBoxes(left, c), open);
    if (open.length === 0) return closing;
  }
  return undefined;
}

export function checkBroadResponses(ctx: ResponseContext, fw: Firewall, ix: ResponseIndex): Diagnostic[] {
  if (fw.mode !== 'stateless') return [];
  const out: Diagnostic[] = [];
  for (const s of fw.rules) {
    const kind = ix.kindOf(s);
    if ((kind !== 'response' && kind !== 'both') || !isOwn(ctx.model, s) || s.proto === 'icmp') continue;
    // A general both rule's request half is meant (§7): opening ports is what it is for.
    if (ix.isRedundant(s) || (kind === 'both' && isGeneralBoth(s))) continue;
    const requests = ix.served(s);
    if (requests.length === 0) continue;
    const allowed = ix.allowedBy(s).filter((b) => b.protos & PORTED);
    if (allowed.length === 0) continue;
    const opened = dports(allowed);
    let needed = PortSet.EMPTY;
    for (const r of requests) needed = needed.union(clientPortsOf(r, fw));
    const extra = opened.subtract(needed);
    const low = extra.intersect(LOW);
    const high = extra.subtract(LOW);
    const who = names(requests, ctx);
    const where = `${s.to.label} (${perspective(fw, s.direction)})`;
    const related = requests
      .slice(0, 8)
      .map((r) => relatedRule(ctx.model, r, `a request this rule answers; its clients use ${clientPortsOf(r, fw)}`));
    if (!low.isEmpty()) {
      out.push(
        diag(
          'broad-response',
          s.node.span,
          `this rule lets packets reach ${portsPhrase(low)} of ${where}, below 1024: ` +
            `responses go to the ephemeral port a client sent its request from, ` +
            `never that low (the clients of ${who} use ${needed})`,
          { related, fixes: narrowFix(s, s.dport.subtract(low), 'no ports below 1024') },
        ),
      );
    }
    if (!high.isEmpty()) {
      out.push(
        diag(
          'broad-response',
          s.node.span,
          `this rule opens ${portsPhrase(high)} of ${where} that no client of the requests it serves uses: the clients of ` +
            `${who} use ${needed}`,
          { related, fixes: narrowFix(s, s.dport.subtract(high), "only the served clients' ranges") },
        ),
      );
    }
    if (s.sport.isAll()) {
      let serverPorts = PortSet.EMPTY;
      for (const r of requests) serverPorts = serverPorts.union(r.dport);
      const fixes: Fix[] = [];
      // An AWS network ACL cannot match a source port (spec §10, §8.1 rule 4): no such fix there.
      if (fw.platform !== 'aws-nacl' && isPorted(s) && !serverPorts.isEmpty() && !serverPorts.isAll()) {
        const written = new Set(
          requests.map((r) => (r.node.to?.ports ? ctx.text.slice(r.node.to.ports.span.start, r.node.to.ports.span.end) : '')),
        );
        const only = written.size === 1 ? [...written][0]! : '';
        const text = only && !/\bephemeral\b/.test(only) ? only : portSetText(serverPorts);
        const edit = setSourcePorts(s, text);
        if (edit)
          fixes.push({
            title: `Allow only responses from ${portsPhrase(serverPorts)} (the served requests' server ports)`,
            edits: [edit],
            safe: false,
          });
      }
      const message =
        `this rule has no source port, so besides the responses of ${who} it also lets NEW connections from ${s.from.label} ` +
        `reach ${portsPhrase(opened)} of ${where}`;
      // On an ACL there is no other way to write it: what matters is whether those connections
      // get further, past the security groups (or stateful firewalls) of the addresses they reach.
      const closing = fw.platform === 'aws-nacl' ? closingGroups(ctx, allowed) : undefined;
      if (closing) {
        const groups = listText(closing.map((g) => `\`${g.name}\``));
        out.push(
          diag(
            'broad-response',
            s.node.span,
            `${message}; an AWS network ACL cannot match a source port, and ${groups} ` +
              `${closing.length === 1 ? 'denies' : 'deny'} those new connections, which closes the hole`,
            { related, fixes, severity: 'info' },
          ),
        );
      } else {
        out.push(
          diag(
            'broad-response',
            s.node.span,
            fw.platform === 'aws-nacl'
              ? `${message}, and no security group of those addresses denies them: an AWS network ACL cannot match a source ` +
                  'port, so close them in the security groups of the addresses behind it, or narrow the rule by address or port'
              : message,
            { related, fixes },
          ),
        );
      }
    }
  }
  return out;
}
