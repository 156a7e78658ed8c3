// stateful-response (spec §8): in a stateful firewall, a response rule that serves a request
// rule of the same firewall. Connection tracking already lets those responses through.

import { type Diagnostic, type Span, diag } from '../core/diagnostic';
import type { Firewall, ResolvedRule } from '../model/types';
import type { ResponseContext } from './responseFix';
import type { ResponseIndex } from './responseIndex';
import { listText, relatedRule, ruleName } from './responseText';

/** The rule's whole line(s) with their line break, when nothing else shares them; else the rule. */
export function ruleLinesSpan(text: string, rule: ResolvedRule): Span {
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
  for (const s of fw.rules) {
    if (ix.kindOf(s) !== 'response' || s.file !== ctx.model.root) continue;
    const served = ix.served(s);
    if (served.length === 0) continue;
    const names = served.map((r) => ruleName(r, ctx.lines));
    const who = names.length > 4 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : listText(names);
    out.push(
      diag(
        'stateful-response',
        s.node.span,
        `${fw.name} is stateful: connection tracking already lets the responses of ${who} through, so this response rule is not needed for them`,
        {
          tags: ['unnecessary'],
          related: served.slice(0, 8).map((r) => relatedRule(ctx.model, r, 'the request whose responses connection tracking allows')),
          fixes: [{ title: 'Remove this response rule (connection tracking allows the responses)', edits: [{ span: ruleLinesSpan(ctx.text, s), newText: '' }], safe: true, preferred: true }],
        },
      ),
    );
  }
  return out;
}
