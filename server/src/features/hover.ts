// Hovers that teach (spec §9): a rule as REQUEST or RESPONSE, from whose side its direction
// is meant, the other half of the connection and who covers it; keywords, names, ports;
// a flow's simulation with its trace.

import type { Hover, MarkupContent } from 'vscode-languageserver';
import { responseIndex } from '../analysis/responseIndex';
import { classifyRule, clientPortsOf, oppositeDirection } from '../analysis/ruleKinds';
import type { Span } from '../core/diagnostic';
import { formatAddrSet } from '../engine/address';
import { PortSet } from '../engine/intervals';
import { BUILTIN_PROFILES, BUILTIN_SERVICES } from '../model/builtins';
import type { Firewall, ModelSymbol, ResolvedEndpoint, ResolvedRule } from '../model/types';
import { Lines, flowJson, flowText } from '../report/flowReport';
import type { Direction, FirewallDecl, PortSpec, RuleNode } from '../syntax/ast';
import { type DocContext, toRange } from '../lsp/docContext';
import { verdictTitle } from './simulation';

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
  return `${proto} from ${from}${sport.isAll() ? '' : ` ${portsWords(sport)}`} to ${to} ${portsWords(dport)}`;
}

export function ruleHover(ctx: DocContext, fw: Firewall, rule: ResolvedRule): string {
  const lines = new Lines(ctx.analysis.model);
  const ported = rule.proto === 'tcp' || rule.proto === 'udp';
  const kind = classifyRule(rule);
  const mode = fw.mode;
  const title =
    rule.action === 'deny'
      ? `**${rule.direction} DENY rule**`
      : kind === 'request'
        ? `**${rule.direction} REQUEST rule**`
        : kind === 'response'
          ? `**${rule.direction} RESPONSE rule**`
          : `**${rule.direction} rule — both REQUEST and RESPONSE**`;
  const out: string[] = [`${title} · ${ruleLabel(rule, lines)} of \`${fw.name}\` (${mode})`, ''];
  out.push(`From the firewall's side — ${insideWords(fw)} — ${directionMeaning(fw, rule.direction)}.`, '');
  const from = endpointWords(rule.from);
  const to = endpointWords(rule.to);
  const matches = packetWords(rule.proto, from, rule.sport, to, rule.dport, ported);
  if (!rule.valid) {
    out.push('This rule has errors, so it matches nothing until they are fixed.');
    return out.join('\n');
  }
  if (rule.action === 'deny') {
    out.push(`It drops ${matches}.`);
    return out.join('\n');
  }
  const ix = responseIndex(fw);
  const servedRequests = kind === 'both' ? ix.servedRequests(rule) : [];
  if (kind === 'both' && servedRequests.length > 0) {
    out.push(`It allows ${matches}.`, '');
    out.push(`It works as the RESPONSE rule of ${servedRequests.map((r) => ruleLabel(r, lines)).join(', ')}: their responses come back ${rule.direction} through it.`);
    out.push('', `But with ${rule.proto === 'icmp' || rule.proto === 'all' ? 'no ports to tell them apart' : 'no source port restriction'} it also admits NEW connections (requests) that are not responses at all${mode === 'stateful' ? '' : ' — a narrower rule would let only the responses in'}.`);
    return out.join('\n');
  }
  if (kind === 'response') {
    out.push(`It lets through ${matches}: packets going back to a client's ephemeral port — the RESPONSE half of connections that were requested the other way (${oppositeDirection(rule.direction)}).`);
    const served = ix.served(rule);
    if (mode === 'stateful') {
      out.push('', `\`${fw.name}\` is **stateful**: connection tracking already lets the responses of the requests it allowed through, so a response rule is not needed for them${served.length ? ` (it answers ${served.map((r) => ruleLabel(r, lines)).join(', ')})` : ''}.`);
    } else if (served.length) {
      out.push('', `It answers the requests of ${served.map((r) => ruleLabel(r, lines)).join(', ')}.`);
    } else {
      out.push('', `It answers no request rule of \`${fw.name}\`: no rule allows the requests these would be responses to.`);
    }
    if (rule.sport.isAll() || rule.dport.intersect(PortSet.range(0, 1023)).size() > 0) {
      out.push('', 'Careful: it also admits packets that are not responses (see its warnings).');
    }
    return out.join('\n');
  }
  // request or both
  out.push(
    kind === 'request'
      ? `It lets in the REQUEST of a connection: ${matches}.`
      : `It allows ${matches}. With ${rule.proto === 'icmp' || rule.proto === 'all' ? 'no ports to tell them apart' : 'no source port restriction'}, it admits new connections (requests) as well as responses.`,
  );
  const clientPorts = clientPortsOf(rule);
  const back = oppositeDirection(rule.direction);
  const inverse = packetWords(rule.proto, to, rule.dport, from, clientPorts, ported);
  const portSource = rule.sportGiven
    ? "the rule's source ports"
    : rule.from.symbol
      ? `the ephemeral range of \`${rule.from.symbol.name}\`: ${rule.from.symbol.ephemeralSource}`
      : `the file's default ephemeral range`;
  out.push('', `**Its RESPONSE** travels the other way — *${back}* — ${inverse}${ported ? ` (the client's ports: ${portSource})` : ''}.`);
  if (mode === 'stateful') {
    out.push('', `\`${fw.name}\` is **stateful**: connection tracking links each response to its request and allows it by itself — no response rule is needed.`);
    return out.join('\n');
  }
  const check = ix.checkOf(rule) ?? ix.responsesTo(rule);
  if (!check) return out.join('\n');
  if (check.dropped.length === 0 && check.allowed.length > 0) {
    const by = check.servedBy.map((r) => ruleLabel(r, lines));
    out.push('', `\`${fw.name}\` is **stateless**, so a rule must allow the response: ✔ ${by.length ? `${by.join(' and ')} ${by.length === 1 ? 'does' : 'do'}` : `the default allow does`}.`);
  } else if (check.allowed.length === 0) {
    const who = check.deniedBy.length ? check.deniedBy.map((r) => ruleLabel(r, lines)).join(', ') + ' drops it' : 'the default deny drops it';
    out.push('', `\`${fw.name}\` is **stateless**, so a rule must allow the response: ✘ none does — ${who}. The connection cannot work.`);
  } else {
    const dropped = check.dropped.reduce((s, b) => s.union(b.dport), PortSet.EMPTY);
    const by = check.servedBy.map((r) => ruleLabel(r, lines)).join(', ');
    const who = check.deniedBy.length ? check.deniedBy.map((r) => ruleLabel(r, lines)).join(', ') : 'the default deny';
    out.push('', `\`${fw.name}\` is **stateless**, so a rule must allow the response: ◐ only in part — ${by || 'some rule'} allows some; responses to client ports ${dropped.toString()} are dropped by ${who}.`);
  }
  return out.join('\n');
}

function symbolHover(sym: ModelSymbol): string {
  switch (sym.kind) {
    case 'host':
    case 'network':
      return [
        `**${sym.kind} \`${sym.name}\`** = ${formatAddrSet(sym.addresses) || '(no valid address)'}`,
        '',
        `Ephemeral range: ${sym.ephemeral.toString()} — ${sym.ephemeralSource}. As a client, it sends requests from these ports, and responses come back to them.`,
      ].join('\n');
    case 'service':
      return `**service \`${sym.name}\`** = ${sym.proto}${sym.proto === 'tcp' || sym.proto === 'udp' ? ` ${sym.ports.toString()}` : ''}${sym.builtin ? ' (built-in)' : ''}`;
    case 'profile':
      return `**ephemeral profile \`${sym.name}\`** = ${sym.ports.toString()}${sym.builtin ? ' (built-in)' : ''}: the source ports such clients pick for their requests.`;
    case 'firewall': {
      const fw = sym.firewall;
      return [
        `**firewall \`${fw.name}\`** — ${fw.mode}, protects ${formatAddrSet(fw.inside) || '(nothing)'}, default ${fw.defaultAction}, ${fw.rules.length} rule${fw.rules.length === 1 ? '' : 's'}`,
        '',
        modeMeaning(fw.mode === 'stateful'),
      ].join('\n');
    }
  }
}

function modeMeaning(stateful: boolean): string {
  return stateful
    ? '**stateful**: like a security group or conntrack — it links each response to its request and allows it by itself. You write rules for the requests only.'
    : '**stateless**: like an AWS network ACL or a router ACL — it judges every packet alone. Each allowed request needs a second rule for its response, going back to the client\'s ephemeral port.';
}

function portHover(port: number, proto: string | undefined): string {
  const svc = Object.entries(BUILTIN_SERVICES).filter(([, s]) => s.port === port && (!proto || s.proto === proto || proto === 'all'));
  const parts = [`**port ${port}**${svc.length ? ` — ${svc.map(([n, s]) => `${n} (${s.proto})`).join(', ')}` : ''}`, ''];
  if (port < 1024) {
    parts.push('A well-known port (0-1023): servers listen here, so it is the destination of a request and the source of its response. Clients never send from it.');
  } else {
    const profiles = Object.entries(BUILTIN_PROFILES)
      .filter(([, [lo, hi]]) => lo <= port && port <= hi && lo !== 1024)
      .map(([n, [lo, hi]]) => `${n} (${lo}-${hi})`);
    parts.push(
      profiles.length
        ? `Within the ephemeral range of ${profiles.join(', ')}: a client may send a request from this port, and the response comes back to it.`
        : port < 32768
          ? 'A registered port (1024-49151) outside the usual client ranges of Linux, Windows and macOS; only the `wide` range (1024-65535) covers it.'
          : 'A high port.',
    );
  }
  return parts.join('\n');
}

function ephemeralPortsAt(ctx: DocContext, rule: ResolvedRule, side: 'from' | 'to'): string {
  const ep = side === 'from' ? rule.from : rule.to;
  const source = ep.symbol ? `\`${ep.symbol.name}\`'s range: ${ep.symbol.ephemeralSource}` : `the file's default ephemeral range (${ctx.analysis.model.defaultEphemeral.toString()})`;
  return `**\`ephemeral\`** here = ${ep.ephemeral.toString()} — the ephemeral ports of the endpoint on this side, ${source}. Clients send requests from such ports, so responses go back to them.`;
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

function ruleAt(ctx: DocContext, offset: number): { fw: Firewall; rule: ResolvedRule } | undefined {
  for (const fw of ctx.analysis.model.firewalls) {
    if (fw.file !== ctx.analysis.model.root || !within(fw.node.span, offset)) continue;
    const rule = fw.rules.find((r) => within(r.node.span, offset));
    if (rule) return { fw, rule };
  }
  return undefined;
}

function firewallAt(ctx: DocContext, offset: number): { fw?: Firewall; node: FirewallDecl } | undefined {
  for (const s of ctx.analysis.model.ast.statements) {
    if (s?.kind === 'firewall' && within(s.span, offset)) {
      return { fw: ctx.analysis.model.firewalls.find((f) => f.node === s), node: s };
    }
  }
  return undefined;
}

export function hover(ctx: DocContext, offset: number): Hover | null {
  const { model } = ctx.analysis;
  // A name: what it resolves to.
  const ref = model.references.find((r) => r.file === model.root && within(r.span, offset));
  if (ref?.symbol) return md(symbolHover(ref.symbol), ctx, ref.span);
  if (ref && !ref.symbol && (BUILTIN_SERVICES[ref.name] || BUILTIN_PROFILES[ref.name])) {
    const svc = BUILTIN_SERVICES[ref.name];
    const prof = BUILTIN_PROFILES[ref.name];
    const text = svc ? `**service \`${ref.name}\`** = ${svc.proto} ${svc.port} (built-in)` : `**ephemeral profile \`${ref.name}\`** = ${prof![0]}-${prof![1]} (built-in)`;
    return md(text, ctx, ref.span);
  }

  const hit = ruleAt(ctx, offset);
  if (hit) {
    const { fw, rule } = hit;
    const node: RuleNode = rule.node;
    if (within(node.direction.span, offset)) {
      const d = node.direction.value;
      const text = [
        `**${d}** — from \`${fw.name}\`'s side: ${insideWords(fw)}, and ${directionMeaning(fw, d)}.`,
        '',
        'Whether a packet is inbound or outbound depends on whose side you stand: the same request is outbound for the client and inbound for the server, and its response goes the opposite way.',
      ].join('\n');
      return md(text, ctx, node.direction.span);
    }
    for (const side of ['from', 'to'] as const) {
      const ep = node[side];
      const spec = findPortSpec(ep?.ports, offset);
      if (!spec) continue;
      if (spec.kind === 'ephemeral') return md(ephemeralPortsAt(ctx, rule, side), ctx, spec.span);
      if (spec.kind === 'number') return md(portHover(spec.value.value, rule.proto), ctx, spec.span);
      if (spec.kind === 'range') {
        const ports = PortSet.range(spec.low.value, spec.high.value);
        const text = `**ports ${spec.low.value}-${spec.high.value}** (${ports.size()} ports)${ports.intersect(PortSet.range(1024, 65535)).size() >= 1024 ? ' — wide enough to be a client\'s ephemeral range: a destination like this is where responses go' : ''}`;
        return md(text, ctx, spec.span);
      }
    }
    return md(ruleHover(ctx, fw, rule), ctx, node.span);
  }

  const fwHit = firewallAt(ctx, offset);
  if (fwHit) {
    const { fw, node } = fwHit;
    if (within(node.mode?.span, offset)) return md(modeMeaning(node.mode!.value === 'stateful'), ctx, node.mode!.span);
    if (fw && within(node.protectsKeyword, offset)) {
      return md(`**protects** — the inside of \`${fw.name}\`: ${formatAddrSet(fw.inside) || '(nothing)'}. \`inbound\` and \`outbound\` in its rules are meant from here.`, ctx, node.protectsKeyword!);
    }
    if (fw && within(node.name.span, offset)) return md(symbolHover({ kind: 'firewall', name: fw.name, firewall: fw, origin: { file: fw.file, span: node.span, nameSpan: node.name.span } }), ctx, node.name.span);
  }

  for (const s of model.ast.statements) {
    if (!s || !within(s.span, offset)) continue;
    if ((s.kind === 'host' || s.kind === 'network') && s.ephemeral && within(s.ephemeral.span, offset)) {
      const sym = model.symbols.get(s.name.text);
      if (sym && (sym.kind === 'host' || sym.kind === 'network')) {
        return md(`**ephemeral range of \`${sym.name}\`** = ${sym.ephemeral.toString()} (${sym.ephemeralSource}): as a client it sends requests from these ports; responses come back to them.`, ctx, s.ephemeral.span);
      }
    }
    if (s.kind === 'flow') {
      const r = ctx.analysis.flowResults.find((x) => x.flow.node === s);
      if (!r) return md('This flow has errors, so it cannot be simulated yet.', ctx, s.span);
      const lines = new Lines(model);
      const j = flowJson(r, model, lines);
      const text = [
        `**Simulation: ${verdictTitle(r, lines)}**${r.flow.expect ? ` — expect ${r.flow.expect}: ${r.met ? 'met' : '**not met**'}` : ''}`,
        '',
        'The REQUEST goes from the client to the server; its RESPONSE comes back the other way, to the client\'s source port.',
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
