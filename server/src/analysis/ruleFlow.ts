// A flow statement that exercises a rule: its `from` as the client, its `to` as the server,
// its destination port as the service. Used by "▶ Simulate a request like this" and by the
// "add a flow that tests this rule" code action.

import type { EndpointRef, PortSpec } from '../syntax/ast';
import type { ResolvedRule } from '../model/types';

function endpointText(ep: EndpointRef | undefined, text: string): string {
  if (!ep) return 'any';
  return text.slice(ep.span.start, ep.span.end);
}

function singleService(spec: PortSpec | undefined, text: string): string | undefined {
  if (spec?.kind === 'service') return text.slice(spec.span.start, spec.span.end);
  return undefined;
}

/** The flow (without `flow` and `expect`) for a rule, or undefined when none fits. */
export function flowForRule(rule: ResolvedRule, text: string): string | undefined {
  if (!rule.valid) return undefined;
  const client = endpointText(rule.node.from?.endpoint, text);
  const server = endpointText(rule.node.to?.endpoint, text);
  let target: string;
  if (rule.proto === 'icmp') target = 'icmp';
  else if (rule.proto === 'all') target = 'tcp 80';
  else {
    const svc = singleService(rule.node.to?.ports, text);
    const low = rule.dport.min();
    if (low === undefined) return undefined;
    target = svc ?? `${rule.proto} ${low}`;
  }
  let clientPart = client;
  if (rule.sportGiven && rule.node.from?.ports && rule.proto !== 'icmp' && rule.proto !== 'all') {
    const ports = text.slice(rule.node.from.ports.span.start, rule.node.from.ports.span.end);
    const ep = rule.node.from.endpoint;
    if (ep?.kind === 'address' && ep.text.includes(':')) {
      if (ep.text.includes('/')) return `${client} -> ${server} ${target}`;
      clientPart = `[${client}]:${ports}`;
    } else clientPart = `${client}:${ports}`;
  }
  return `${clientPart} -> ${server} ${target}`;
}
