// missing-response (spec §8): in a stateless firewall, a request rule — or a both rule that
// is general (§7) — none of whose responses is allowed back.

import { type Diagnostic, diag } from '../core/diagnostic';
import type { Firewall } from '../model/types';
import { type ResponseContext, insertInverseFix } from './responseFix';
import type { ResponseCheck, ResponseIndex } from './responseIndex';
import { oppositeDirection } from './ruleKinds';
import { gatewayNote, relatedRule, responsesPhrase, ruleName, whoDrops } from './responseText';
import { isOwn } from '../model/ownership';

/** "this request" / "the connections this rule admits", for the messages of both codes. */
export function whatIsChecked(c: ResponseCheck): string {
  return c.kind === 'request'
    ? 'this request'
    : 'the new connections this rule admits (its request half is meant, so its responses must get back too)';
}

export function checkMissingResponses(ctx: ResponseContext, fw: Firewall, ix: ResponseIndex): Diagnostic[] {
  if (fw.mode !== 'stateless') return [];
  const out: Diagnostic[] = [];
  for (const c of ix.checks) {
    const r = c.rule;
    if (!isOwn(ctx.model, r) || c.responses.length === 0 || c.allowed.length > 0) continue;
    const phrase = responsesPhrase(fw, r, c.clientPorts, oppositeDirection(r.direction));
    const who = whoDrops(c.deniedBy, c.defaultDenies, ctx.lines);
    const fix = insertInverseFix(ctx, fw, c);
    out.push(
      diag(
        'missing-response',
        r.node.span,
        `the response half of ${whatIsChecked(c)} is missing: ${fw.name} is stateless, so responses need a rule of their own. ` +
          `The responses go ${phrase}, and nothing allows them: ${who}${gatewayNote(c.gateways, c.responses)}`,
        {
          related: c.deniedBy.map((d) => relatedRule(ctx.model, d, `this rule drops the responses of ${ruleName(r, ctx.lines)}`)),
          fixes: fix ? [fix] : [],
        },
      ),
    );
  }
  return out;
}
