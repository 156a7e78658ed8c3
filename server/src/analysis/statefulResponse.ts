// stateful-response (spec §8): in a stateful firewall, (1) a response rule that serves a
// request rule of the same firewall: connection tracking already lets those responses
// through (hint, unnecessary); (2) a both rule with a response-like destination — the
// stateless return-traffic habit (`inbound allow tcp to web port 1024-65535`) carried into a
// security group: needless for responses, and it admits new connections to all those ports
// (warning).

import { type Diagnostic, type Span, diag } from '../core/diagnostic';
import type { Firewall, ResolvedRule } from '../model/types';
import type { ResponseContext } from './responseFix';
import type { ResponseIndex } from './responseIndex';
import { hasResponseLikeDestination, isGeneralBoth, rangesOf } from './ruleKinds';
import { perspective, portsPhrase, relatedRule, ruleList } from './responseText';
import { isOwn } from '../model/ownership';

/** The rule's whole line(s) with their line break, when nothing else shares them; else the rule. */
function ruleLinesSpan(text: string, rule: ResolvedRule): Span {
  const { start, end } = rule.node.span;
  let ls = start;
  while (ls > 0 && text[ls - 1] !== '\n' && text[ls - 1] !== '\r') ls--;
  let le = end;
  while (le < text.length && text[le] !== '\n' && text[le] !== '\r') le++;
  const alone = /^[ \t]*$/.test(text.slice(ls, start)) && /^[ \t]*(#.*)?$/.test(text.slice(end, le));
  if (!alone) return { start, end };
  if (text[le] === '\r' && text[le + 1] === '\n') le += 2;
  else if (le < text.length) le += 1;
  return { start: ls, end: le };
}

export function checkStatefulResponses(ctx: ResponseContext, fw: Firewall, ix: ResponseIndex): Diagnostic[] {
  if (fw.mode !== 'stateful') return [];
  const out: Diagnostic[] = [];
  const ranges = rangesOf(fw);
  for (const s of fw.rules) {
    const kind = ix.kindOf(s);
    if (!isOwn(ctx.model, s) || ix.isRedundant(s)) continue;
    if (kind === 'both' && !isGeneralBoth(s) && hasResponseLikeDestination(s, ranges)) {
      out.push(
        diag(
          'stateful-response',
          s.node.span,
          `${fw.name} is stateful: connection tracking already lets every response through, so this rule is not needed for responses — ` +
            `and with no source port it admits NEW connections from ${s.from.label} to ${portsPhrase(s.dport)} of ${s.to.label} ` +
            `(${perspective(fw, s.direction)}). This is the stateless return-traffic habit; ` +
            `a stateful firewall needs only the request rules`,
          {
            severity: 'warning',
            fixes: [
              {
                // Removing it closes the new connections it admits; `check --fix` takes it only when a flow asks for that.
                title: 'Remove this rule (connection tracking allows the responses; it only admits new connections)',
                edits: [{ span: ruleLinesSpan(ctx.text, s), newText: '' }],
                safe: false,
                preferred: true,
              },
            ],
          },
        ),
      );
      continue;
    }
    if (kind !== 'response') continue;
    const served = ix.served(s);
    if (served.length === 0) continue;
    const who = ruleList(served, ctx.lines);
    out.push(
      diag(
        'stateful-response',
        s.node.span,
        `${fw.name} is stateful: connection tracking already lets the responses of ${who} through, so this response rule is ` +
          `not needed for them`,
        {
          tags: ['unnecessary'],
          related: served.slice(0, 8).map((r) => relatedRule(ctx.model, r, 'the request whose responses connection tracking allows')),
          fixes: [
            {
              title: 'Remove this response rule (connection tracking allows the responses)',
              edits: [{ span: ruleLinesSpan(ctx.text, s), newText: '' }],
              safe: true,
              preferred: true,
            },
          ],
        },
      ),
    );
  }
  return out;
}
