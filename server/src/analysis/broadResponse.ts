// broad-response (spec §8): in a stateless firewall, a response or both rule that serves a
// request rule and opens more than responses need. One diagnostic per case:
// (a) client-side ports below 1024, (b) client-side ports no client of the requests it
// serves uses, (c) no source port, so it also admits new connections.

import { type Diagnostic, type Fix, type TextEdit, diag } from '../core/diagnostic';
import type { Firewall, ResolvedRule } from '../model/types';
import { PortSet } from '../core/intervals';
import { PORTED } from '../engine/packet';
import type { ResponseContext } from './responseFix';
import { type ResponseIndex, dports } from './responseIndex';
import { clientPortsOf, isGeneralBoth, portSetText } from './ruleKinds';
import { isPorted, listText, perspective, portsPhrase, relatedRule, ruleName } from './responseText';
import { isOwn } from '../model/ownership';

const LOW = PortSet.range(0, 1023);

function names(rules: ResolvedRule[], ctx: ResponseContext): string {
  const n = rules.map((r) => ruleName(r, ctx.lines));
  return n.length > 4 ? `${n.slice(0, 3).join(', ')} and ${n.length - 3} more` : listText(n);
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
    for (const r of requests) needed = needed.union(clientPortsOf(r));
    const extra = opened.subtract(needed);
    const low = extra.intersect(LOW);
    const high = extra.subtract(LOW);
    const who = names(requests, ctx);
    const where = `${s.to.label} (${perspective(fw, s.direction)})`;
    const related = requests
      .slice(0, 8)
      .map((r) => relatedRule(ctx.model, r, `a request this rule answers; its clients use ${clientPortsOf(r)}`));
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
      if (isPorted(s) && !serverPorts.isEmpty() && !serverPorts.isAll()) {
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
      out.push(
        diag(
          'broad-response',
          s.node.span,
          `this rule has no source port, so besides the responses of ${who} it also lets NEW connections from ${s.from.label} ` +
            `reach ${portsPhrase(opened)} of ${where}`,
          { related, fixes },
        ),
      );
    }
  }
  return out;
}
