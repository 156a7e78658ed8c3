// Simulation results as the plain data of cli.md (`fwlang simulate --json`) and as text
// for a person. Shared by the command line and the language server.

import type { Diagnostic } from '../core/diagnostic';
import { LineIndex } from '../core/text';
import { formatAddrSet } from '../engine/address';
import type { FlowResult, Hop } from '../engine/simulate';
import type { Model } from '../model/types';

export interface HopJson {
  firewall: string;
  direction: 'inbound' | 'outbound';
  action: 'allow' | 'deny';
  by: 'rule' | 'default' | 'state';
  rule: number | null;
  line: number | null;
}

export interface FlowJson {
  flow: string;
  /** The flow statement's line; null for a flow given on the command line or typed in the editor. */
  line: number | null;
  verdict: 'allowed' | 'blocked' | 'partial';
  expect: 'allow' | 'deny' | null;
  met: boolean;
  request: { verdict: string; hops: HopJson[] };
  response: null | {
    verdict: string;
    allowedClientPorts: string;
    blockedClientPorts: string;
    allowedClientAddresses?: string;
    blockedClientAddresses?: string;
    hops: HopJson[];
  };
  allowedClientAddresses?: string;
  blockedClientAddresses?: string;
  note?: string;
}

/** Line numbers (1-based) of spans in the root file and its includes. */
export class Lines {
  private readonly indexes = new Map<string, LineIndex>();
  constructor(private readonly model: Model) {}
  line(file: string, offset: number): number {
    let idx = this.indexes.get(file);
    if (!idx) {
      const text = file === this.model.root ? this.model.text : this.model.includes.find((i) => i.path === file)?.text;
      idx = new LineIndex(text ?? '');
      this.indexes.set(file, idx);
    }
    return idx.position(offset).line + 1;
  }
}

export function hopJson(h: Hop, lines: Lines): HopJson {
  return {
    firewall: h.firewall.name,
    direction: h.direction,
    action: h.action,
    by: h.by,
    rule: h.by === 'rule' ? (h.rule?.number ?? null) : null,
    line: h.by === 'rule' && h.rule ? lines.line(h.rule.file, h.rule.node.span.start) : null,
  };
}

export function flowJson(r: FlowResult, model: Model, lines = new Lines(model)): FlowJson {
  const out: FlowJson = {
    flow: r.flow.text,
    line: r.flow.adHoc ? null : lines.line(r.flow.file, r.flow.node.span.start),
    verdict: r.verdict,
    expect: r.flow.expect ?? null,
    met: r.met,
    request: { verdict: r.request.verdict, hops: r.request.hops.map((h) => hopJson(h, lines)) },
    response: r.response && {
      verdict: r.response.verdict,
      allowedClientPorts: r.response.allowedClientPorts.toString(),
      blockedClientPorts: r.response.blockedClientPorts.toString(),
      hops: r.response.hops.map((h) => hopJson(h, lines)),
    },
  };
  if (r.flow.clientIsNetwork) {
    const addrs = {
      allowedClientAddresses: formatAddrSet(r.allowedClientAddresses),
      blockedClientAddresses: formatAddrSet(r.blockedClientAddresses),
    };
    Object.assign(out, addrs);
    if (out.response) Object.assign(out.response, addrs);
  }
  if (r.note) out.note = r.note;
  return out;
}

/**
 * The mark that starts a flow's line (cli.md): whether it met its `expect` — `✔` met,
 * `✘` not met, `•` no expect — never the verdict itself (a blocked flow may be what was
 * expected).
 */
export function expectMark(expect: 'allow' | 'deny' | null | undefined, met: boolean): string {
  if (!expect) return '•';
  return met ? '✔' : '✘';
}

function hopLine(kind: string, h: HopJson, width: number): string {
  const by =
    h.by === 'state'
      ? 'by connection tracking (stateful)'
      : h.by === 'default'
        ? 'by the default (no rule matched)'
        : h.rule !== null
          ? `by rule ${h.rule}${h.line !== null ? ` (line ${h.line})` : ''}`
          : `by the rule on line ${h.line}`;
  return `    ${kind.padEnd(8)} ${h.firewall.padEnd(width)} ${h.direction.padEnd(8)} ${h.action.toUpperCase().padEnd(5)} ${by}`;
}

/** The text form: one line per flow with its verdict, then one line per hop. */
export function flowText(j: FlowJson, path?: string): string {
  const expect = j.expect ? ` (expect ${j.expect}: ${j.met ? 'met' : 'NOT met'})` : '';
  const where = j.line === null ? (path ? `${path}: ` : '') : path ? `${path}:${j.line}: ` : `line ${j.line}: `;
  const lines = [`${where}${expectMark(j.expect, j.met)} ${j.flow} — ${j.verdict}${expect}`];
  if (j.note) lines.push(`    note: ${j.note}`);
  else if (j.request.hops.length === 0) lines.push('    no firewall is crossed');
  const width = Math.max(0, ...[...j.request.hops, ...(j.response?.hops ?? [])].map((h) => h.firewall.length));
  for (const h of j.request.hops) lines.push(hopLine('request', h, width));
  if (j.response) {
    for (const h of j.response.hops) lines.push(hopLine('response', h, width));
    if (j.verdict !== 'allowed' || j.response.blockedClientPorts) {
      if (j.response.allowedClientPorts || j.response.blockedClientPorts) {
        lines.push(
          `    client ports passing: ${j.response.allowedClientPorts || 'none'}; dropped: ${j.response.blockedClientPorts || 'none'}`,
        );
      }
    }
  } else if (j.request.hops.length > 0) {
    lines.push('    response: none (the request never gets through)');
  }
  if (j.allowedClientAddresses !== undefined && j.verdict === 'partial') {
    lines.push(
      `    client addresses passing: ${j.allowedClientAddresses || 'none'}; dropped: ${j.blockedClientAddresses || 'none'}`,
    );
  }
  return lines.join('\n');
}

/**
 * Why a flow gets no verdict (spec §8.1 rule 5), for a person: the first error behind the
 * refusal with its line, and how many more there are.
 */
export function refusalReason(errors: Diagnostic[], lines: Lines, model: Model, brief = false): string {
  const first = errors[0];
  if (!first) return 'it does not parse';
  const file = first.file ?? model.root;
  const where = `${file === model.root ? '' : `${baseName(file)}, `}line ${lines.line(file, first.span.start)}`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return brief ? `${first.code} error on ${where}${more}` : `${first.code} error on ${where}: ${first.message}${more}`;
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
