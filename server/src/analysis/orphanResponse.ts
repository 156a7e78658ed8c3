// orphan-response (spec §8): in a stateless firewall, a response rule — or a both rule that is
// not general (§7), the return-traffic habit — that serves no request rule: no rule of the
// firewall allows a request whose response it would carry. Rules reported redundant count as
// absent (§8.1 rule 2), so a pair is never "redundant" and "orphan" at once.

import { type Diagnostic, diag } from '../core/diagnostic';
import type { Firewall } from '../model/types';
import type { ResponseContext } from './responseFix';
import type { ResponseIndex } from './responseIndex';
import { isGeneralBoth, oppositeDirection } from './ruleKinds';
import { requestsPhrase } from './responseText';
import { isOwn } from '../model/ownership';

export function checkOrphanResponses(ctx: ResponseContext, fw: Firewall, ix: ResponseIndex): Diagnostic[] {
  if (fw.mode !== 'stateless') return [];
  const out: Diagnostic[] = [];
  for (const s of fw.rules) {
    const kind = ix.kindOf(s);
    if (kind !== 'response' && !(kind === 'both' && !isGeneralBoth(s))) continue;
    // A rule that allows nothing is shadowed-rule's to report.
    if (!isOwn(ctx.model, s) || ix.isRedundant(s) || ix.served(s).length > 0 || ix.allowedBy(s).length === 0) continue;
    const what = kind === 'response' ? 'this response rule' : 'this return-traffic rule';
    out.push(
      diag(
        'orphan-response',
        s.node.span,
        `${what} answers no request: it would let through the responses of requests going ` +
          `${requestsPhrase(fw, s, oppositeDirection(s.direction))}, ` +
          `but no rule of ${fw.name} allows such requests`,
      ),
    );
  }
  return out;
}
