// Document symbols (the outline): declarations, firewalls with their rules, flows.

import { type DocumentSymbol, SymbolKind } from 'vscode-languageserver';
import type { Span } from '../core/diagnostic';
import type { EndpointRef, EphemeralRef, FirewallDecl, PortSpec, RuleNode, Statement } from '../syntax/ast';
import { type DocContext, toRange } from './docContext';

/** The text of a span with comments removed and white space folded. */
function folded(text: string, span: Span | undefined): string {
  if (!span) return '';
  return text
    .slice(span.start, span.end)
    .replace(/#[^\r\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function endpointText(ctx: DocContext, e: EndpointRef | undefined): string {
  return e ? folded(ctx.text, e.span) : '';
}

function portsText(ctx: DocContext, p: PortSpec | undefined): string {
  return p ? folded(ctx.text, p.span) : '';
}

function ephemeralText(ctx: DocContext, e: EphemeralRef | undefined): string {
  return e ? `ephemeral ${folded(ctx.text, e.span)}` : '';
}

function join(...parts: (string | undefined)[]): string {
  return parts.filter((p) => p).join(' ');
}

function symbol(
  ctx: DocContext,
  name: string,
  detail: string,
  kind: SymbolKind,
  span: Span,
  selection: Span | undefined,
  children?: DocumentSymbol[],
): DocumentSymbol {
  const range = toRange(ctx.lines, span);
  // The selection must lie inside the range; recovery can leave a name outside it.
  const sel = selection && selection.start >= span.start && selection.end <= span.end ? selection : { start: span.start, end: span.start };
  const s: DocumentSymbol = {
    name: name.trim() || '(unnamed)',
    detail,
    kind,
    range,
    selectionRange: toRange(ctx.lines, sel),
  };
  if (children) s.children = children;
  return s;
}

function rule(ctx: DocContext, r: RuleNode): DocumentSymbol {
  const head = join(r.number?.text, r.direction?.value, r.action?.value, r.proto?.value);
  const restStart = (r.proto ?? r.action ?? r.direction)?.span.end ?? r.span.start;
  const rest = folded(ctx.text, { start: Math.min(restStart, r.span.end), end: r.span.end });
  const headEnd = (r.proto ?? r.action ?? r.direction)?.span.end ?? r.span.end;
  return symbol(ctx, head, rest, SymbolKind.Method, r.span, { start: r.span.start, end: headEnd });
}

function firewall(ctx: DocContext, f: FirewallDecl): DocumentSymbol {
  const protects = f.protects.map((p) => endpointText(ctx, p)).join(', ');
  const detail = join(f.mode?.value, protects && `protects ${protects}`, f.defaultAction && `default ${f.defaultAction.value}`);
  const rules = f.rules.filter((r): r is RuleNode => !!r?.direction).map((r) => rule(ctx, r));
  return symbol(ctx, f.name?.text ?? '', detail, SymbolKind.Class, f.span, f.name?.span, rules);
}

function statement(ctx: DocContext, s: Statement): DocumentSymbol | undefined {
  switch (s.kind) {
    case 'host':
      return symbol(
        ctx,
        s.name?.text ?? '',
        join(s.address?.text, ephemeralText(ctx, s.ephemeral)),
        SymbolKind.Variable,
        s.span,
        s.name?.span,
      );
    case 'network':
      return symbol(
        ctx,
        s.name?.text ?? '',
        join(
          s.prefixes
            .filter((p) => p)
            .map((p) => p.text)
            .join(', '),
          ephemeralText(ctx, s.ephemeral),
        ),
        SymbolKind.Namespace,
        s.span,
        s.name?.span,
      );
    case 'service':
      return symbol(ctx, s.name?.text ?? '', join(s.proto?.value, portsText(ctx, s.ports)), SymbolKind.Constant, s.span, s.name?.span);
    case 'ephemeral':
      return symbol(
        ctx,
        s.name?.text ?? '',
        s.low && s.high ? `${s.low.text}-${s.high.text}` : '',
        SymbolKind.EnumMember,
        s.span,
        s.name?.span,
      );
    case 'default-ephemeral':
      return symbol(ctx, 'default ephemeral', folded(ctx.text, s.value?.span), SymbolKind.Property, s.span, s.value?.span ?? s.keyword);
    case 'nat':
      return symbol(
        ctx,
        s.name?.text ?? '',
        join(s.address?.text, s.low && s.high ? `ports ${s.low.text}-${s.high.text}` : ''),
        SymbolKind.Interface,
        s.span,
        s.name?.span,
      );
    case 'include':
      return symbol(ctx, `include ${s.path ? `"${s.path.value}"` : ''}`, '', SymbolKind.File, s.span, s.path?.span ?? s.keyword);
    case 'firewall':
      return firewall(ctx, s);
    case 'flow': {
      const end = s.target?.span.end ?? s.server?.span.end ?? s.clientPorts?.span.end ?? s.client?.span.end ?? s.keyword.end;
      const via = s.via.filter((v) => v?.text).map((v) => v.text);
      const detail = join(via.length > 0 ? `via ${via.join(', ')}` : '', s.expect ? `expect ${s.expect.value}` : '');
      return symbol(ctx, folded(ctx.text, { start: s.span.start, end }), detail, SymbolKind.Event, s.span, s.keyword);
    }
  }
}

export function documentSymbols(ctx: DocContext): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const s of ctx.analysis.model.ast.statements) {
    if (!s) continue;
    const sym = statement(ctx, s);
    if (sym) out.push(sym);
  }
  return out;
}
