// Random edit sequences for the incremental properties: what typing, deleting, pasting and
// undoing do to a `.fw` text — characters, lines and whole statements, anywhere, breaking the
// syntax and repairing it. Each sequence is made from (seed, index) alone, so it replays.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../fuzz/random';

const ROOT = join(__dirname, '..', '..');

/** The samples and the fixtures without includes: the texts sequences start from. */
export function baseTexts(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.fw')) {
        const text = readFileSync(p, 'utf8');
        if (!/^\s*include\b/m.test(text)) out.push({ name: p.slice(ROOT.length + 1), text });
      }
    }
  };
  walk(join(ROOT, 'samples'));
  walk(join(ROOT, 'test', 'fixtures'));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Pieces people type: tokens of every kind, and things that break the syntax. */
const PIECES = [
  ' ',
  '\n',
  '\r\n',
  '\t',
  '{',
  '}',
  '[',
  ']',
  ',',
  '-',
  '->',
  ':',
  '#',
  '# note',
  '"',
  '"x.fw"',
  'host',
  'network',
  'service',
  'firewall',
  'flow',
  'include',
  'nat',
  'default',
  'ephemeral',
  'inbound',
  'outbound',
  'allow',
  'deny',
  'tcp',
  'udp',
  'icmp',
  'all',
  'from',
  'to',
  'port',
  'via',
  'expect',
  'protects',
  'stateless',
  'stateful',
  'aws-nacl',
  'aws-sg',
  'any',
  'https',
  'ssh',
  'linux',
  'wide',
  '0',
  '1',
  '22',
  '443',
  '65536',
  '1024-65535',
  '10.0.0.0/8',
  '10.0.1.5',
  '192.168.0.0/16',
  '::1',
  'fe80::/10',
  'web',
  'db',
  'bob',
  'x',
  '$',
  'é',
  '\u00a0',
  'hots',
  'firwall',
  'inbuond',
];

/** Whole statements and rules to paste. */
const STATEMENTS = [
  'host extra 10.9.9.9\n',
  'network extranet 10.9.0.0/16\n',
  'service extra-svc tcp 8443\n',
  'ephemeral odd 40000-50000\n',
  'default ephemeral linux\n',
  'nat gw 203.0.113.1\n',
  'flow any -> 10.0.0.1 tcp 443 expect allow\n',
  'firewall fx stateless protects 10.0.0.0/8 {\n  inbound allow tcp from any to 10.0.0.1 port 443\n  outbound allow tcp from 10.0.0.1 port 443 to any port ephemeral\n}\n',
  '  inbound allow tcp from any to any port 22\n',
  '  outbound allow tcp from any port 22 to any port ephemeral\n',
  '  200 inbound deny udp from 10.0.0.0/8 to any\n',
  '}\n',
];

export type Edit = { start: number; end: number; text: string };

export function applyEdit(text: string, e: Edit): string {
  return text.slice(0, e.start) + e.text + text.slice(e.end);
}

function lineAround(text: string, at: number): { start: number; end: number } {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  const nl = text.indexOf('\n', at);
  return { start, end: nl < 0 ? text.length : nl + 1 };
}

/** One random edit of `text`; `history` holds earlier versions (for undo). */
export function randomEdit(r: Random, text: string, history: string[]): Edit {
  const at = r.int(0, text.length);
  const kind = r.weighted<string>([
    [8, 'type'],
    [5, 'delete'],
    [4, 'replace'],
    [3, 'digit'],
    [3, 'delete-line'],
    [2, 'duplicate-line'],
    [2, 'move-line'],
    [3, 'paste-statement'],
    [2, 'delete-statement'],
    [2, 'undo'],
    [1, 'paste-text'],
  ]);
  switch (kind) {
    case 'type':
      return { start: at, end: at, text: r.pick(PIECES) + (r.chance(0.3) ? ' ' : '') };
    case 'delete':
      return { start: at, end: Math.min(text.length, at + r.int(1, r.chance(0.8) ? 4 : 60)), text: '' };
    case 'replace':
      return { start: at, end: Math.min(text.length, at + r.int(1, 8)), text: r.pick(PIECES) };
    case 'digit': {
      const j = text.slice(at).search(/\d/);
      if (j < 0) return { start: at, end: at, text: String(r.int(0, 9)) };
      return { start: at + j, end: at + j + 1, text: String(r.int(0, 9)) };
    }
    case 'delete-line': {
      const l = lineAround(text, at);
      return { start: l.start, end: l.end, text: '' };
    }
    case 'duplicate-line': {
      const l = lineAround(text, at);
      return { start: l.end, end: l.end, text: text.slice(l.start, l.end) + (text.endsWith('\n') || l.end < text.length ? '' : '\n') };
    }
    case 'move-line': {
      // Cut a line and paste it elsewhere: one edit that replaces the span between the two places.
      const l = lineAround(text, at);
      const to = lineAround(text, r.int(0, text.length)).start;
      const line = text.slice(l.start, l.end);
      if (to <= l.start) return { start: to, end: l.end, text: line + text.slice(to, l.start) };
      return { start: l.start, end: to, text: text.slice(l.end, to) + line };
    }
    case 'paste-statement': {
      const l = lineAround(text, at);
      return { start: r.chance(0.8) ? l.start : at, end: r.chance(0.8) ? l.start : at, text: r.pick(STATEMENTS) };
    }
    case 'delete-statement': {
      // From a line start to the next line that starts a statement (or a firewall's end).
      const l = lineAround(text, at);
      const m = /\n(?=[ \t]*(host|network|service|firewall|flow|include|nat|default|ephemeral|\}))/g;
      m.lastIndex = l.end;
      const next = m.exec(text);
      return { start: l.start, end: next ? next.index + 1 : text.length, text: '' };
    }
    case 'undo':
      if (history.length > 0) return { start: 0, end: text.length, text: r.pick(history) };
      return { start: at, end: at, text: ' ' };
    default: {
      // A piece of the text itself, pasted elsewhere.
      const from = r.int(0, text.length);
      return { start: at, end: at, text: text.slice(from, from + r.int(1, 200)) };
    }
  }
}

export interface Sequence {
  seed: number;
  index: number;
  base: string;
  start: string;
  edits: Edit[];
}

/** Sequence `index` of a run from `seed`: a base text and 1–`maxEdits` edits. */
export function makeSequence(seed: number, index: number, bases: { name: string; text: string }[], maxEdits = 12): Sequence {
  const r = Random.of(seed, index);
  const base = r.pick(bases);
  let text = base.text;
  const history: string[] = [];
  const edits: Edit[] = [];
  const n = r.int(1, maxEdits);
  for (let i = 0; i < n; i++) {
    const e = randomEdit(r, text, history);
    history.push(text);
    text = applyEdit(text, e);
    edits.push(e);
  }
  return { seed, index, base: base.name, start: base.text, edits };
}
