// Document symbols (the outline): declarations, firewalls with their rules, flows.

import { type DocumentSymbol, SymbolKind } from 'vscode-languageserver';
import type { Span } from '../core/diagnostic';
import type { EndpointRef, EphemeralRef, FirewallDecl, PortSpec, RuleNode, Statement } from '../syntax/ast';
import { type DocContext, toRange } from './docContext';
import { ownCopy } from '../core/text';

/**
 * The text of a span with comments removed and white space folded: a string of its own, not a
 * view into the document's text (symbols are kept from one version to the next, `made` below,
 * and a view would keep the whole version alive).
 */
function folded(text: string, span: Span | undefined): string {
  if (!span) return '';
  return ownCopy(
    text
      .slice(span.start, span.end)
      .replace(/#[^\r\n]*/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
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

/**
 * The outline lists at most this many symbols per file (rules count); one more symbol then says
 * how many were left out, and covers them. 600,000 declarations made ~140 MB of JSON, which took
 * the server and the client seconds each to write and read (issue 12). VS Code's JSON outline
 * stops at 5,000 in the same way.
 */
export const MAX_OUTLINE_SYMBOLS = 10_000;

/** How many more symbols the outline may list. */
interface Budget {
  left: number;
}

/** The symbol that stands for `count` left-out statements or rules, from `span` on. */
function unlisted(ctx: DocContext, count: number, what: string, span: Span): DocumentSymbol {
  return symbol(
    ctx,
    `… ${count.toLocaleString('en')} more ${what}${count === 1 ? '' : 's'}`,
    `the outline lists the first ${MAX_OUTLINE_SYMBOLS.toLocaleString('en')} symbols of a file`,
    SymbolKind.Null,
    span,
    { start: span.start, end: span.start },
  );
}

function firewall(ctx: DocContext, f: FirewallDecl, budget: Budget): DocumentSymbol {
  const protects = f.protects.map((p) => endpointText(ctx, p)).join(', ');
  const detail = join(f.mode?.value, protects && `protects ${protects}`, f.defaultAction && `default ${f.defaultAction.value}`);
  const nodes = f.rules.filter((r): r is RuleNode => !!r?.direction);
  const listed = Math.min(nodes.length, budget.left);
  budget.left -= listed;
  const rules = nodes.slice(0, listed).map((r) => rule(ctx, r));
  if (listed < nodes.length) {
    rules.push(unlisted(ctx, nodes.length - listed, 'rule', { start: nodes[listed]!.span.start, end: nodes.at(-1)!.span.end }));
  }
  return symbol(ctx, f.name?.text ?? '', detail, SymbolKind.Class, f.span, f.name?.span, rules);
}

function statement(ctx: DocContext, s: Statement, budget: Budget): DocumentSymbol | undefined {
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
      return firewall(ctx, s, budget);
    case 'flow': {
      const end = s.target?.span.end ?? s.server?.span.end ?? s.clientPorts?.span.end ?? s.client?.span.end ?? s.keyword.end;
      const via = s.via.filter((v) => v?.text).map((v) => v.text);
      const detail = join(via.length > 0 ? `via ${via.join(', ')}` : '', s.expect ? `expect ${s.expect.value}` : '');
      return symbol(ctx, folded(ctx.text, { start: s.span.start, end }), detail, SymbolKind.Event, s.span, s.keyword);
    }
  }
}

/**
 * A statement's symbol as last made, with the text and the place it was made from. An editor asks
 * for the outline after every edit, and the editor's incremental parse keeps the nodes of the
 * statements an edit did not touch: at 10,000 rules, making every symbol again took ~35 ms of
 * each edit's requests. A statement's symbol reads nothing but its own text and where it starts.
 */
interface Made {
  /** The statement's text (its own copy, as `folded` makes). */
  text: string;
  line: number;
  character: number;
  symbol: DocumentSymbol;
  /** The symbols it takes from the budget after its own: its rules, all of them listed. */
  children: number;
}
const made = new WeakMap<Statement, Made>();

/** `s` with every line moved by `delta` (a statement whose text moved down or up whole lines). */
function movedLines(s: DocumentSymbol, delta: number): DocumentSymbol {
  const at = (r: DocumentSymbol['range']) => ({
    start: { line: r.start.line + delta, character: r.start.character },
    end: { line: r.end.line + delta, character: r.end.character },
  });
  const moved: DocumentSymbol = { ...s, range: at(s.range), selectionRange: at(s.selectionRange) };
  if (s.children) moved.children = s.children.map((c) => movedLines(c, delta));
  return moved;
}

/** The symbol of `s`, the one made before when its text and column are the same. */
function statementSymbol(ctx: DocContext, s: Statement, budget: Budget): DocumentSymbol | undefined {
  const text = ctx.text.slice(s.span.start, s.span.end);
  const { line, character } = ctx.lines.position(s.span.start);
  const before = made.get(s);
  if (before && before.text === text && before.character === character && before.children <= budget.left) {
    budget.left -= before.children;
    if (before.line === line) return before.symbol;
    const symbol = movedLines(before.symbol, line - before.line);
    made.set(s, { ...before, line, symbol });
    return symbol;
  }
  const left = budget.left;
  const symbol = statement(ctx, s, budget);
  // Kept only when nothing of it was cut by the budget (then it is the same whatever came before).
  const children = left - budget.left;
  if (symbol && (s.kind !== 'firewall' || children === s.rules.filter((r) => r?.direction).length)) {
    made.set(s, { text: ownCopy(text), line, character, symbol, children });
  }
  return symbol;
}

export function documentSymbols(ctx: DocContext): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  const budget: Budget = { left: MAX_OUTLINE_SYMBOLS };
  const statements = ctx.analysis.model.ast.statements;
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i];
    if (!s) continue;
    if (budget.left === 0) {
      const rest = statements.slice(i).filter((r): r is Statement => !!r);
      out.push(unlisted(ctx, rest.length, 'statement', { start: s.span.start, end: rest.at(-1)!.span.end }));
      break;
    }
    budget.left--;
    const sym = statementSymbol(ctx, s, budget);
    if (sym) out.push(sym);
  }
  return out;
}
