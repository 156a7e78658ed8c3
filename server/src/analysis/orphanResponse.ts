// orphan-response (spec §8): in a stateless firewall, a response rule that serves no
// request rule: no rule of the firewall allows a request whose response it would carry.

import { type Diagnostic, diag } from '../core/diagnostic';
import type { Firewall } from '../model/types';
import type { ResponseContext } from './responseFix';
import type { ResponseIndex } from './responseIndex';
import { oppositeDirection } from './ruleKinds';
import { requestsPhrase } from './responseText';

export function checkOrphanResponses(ctx: ResponseContext, fw: Firewall, ix: ResponseIndex): Diagnostic[] {
  if (fw.mode !== 'stateless') return [];
  const out: Diagnostic[] = [];
  for (const s of fw.rules) {
    if (ix.kindOf(s) !== 'response' || s.file !== ctx.model.root || ix.served(s).length > 0) continue;
    out.push(
      diag(
        'orphan-response',
        s.node.span,
        `this response rule answers no request: it would let through the responses of requests going ${requestsPhrase(fw, s, oppositeDirection(s.direction))}, ` +
          `but no rule of ${fw.name} allows such requests`,
      ),
    );
  }
  return out;
}
