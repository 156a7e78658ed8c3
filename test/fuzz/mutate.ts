// The fuzzer's documents: the samples and the test fixtures, cut, doubled, spliced, sprinkled
// with random characters, huge numbers, deep brackets, 1 MB lines, NULs, lone surrogates and
// mixed line ends. Each mutation is named, so a saved case says how it was made.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEYWORDS } from '../../server/src/model/builtins';
import type { Random } from './random';

/** The repository (this file is two folders down; so is the fuzzer's bundle, .tmp/fuzz/). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CorpusFile {
  /** Path relative to the repository, e.g. `samples/catogram.fw`. */
  name: string;
  text: string;
}

/** Every `.fw` file of samples/ and test/fixtures/ (the seeds of the mutations). */
export function loadCorpus(root = ROOT): CorpusFile[] {
  const out: CorpusFile[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.fw')) out.push({ name: path.relative(root, p), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(path.join(root, 'samples'));
  walk(path.join(root, 'test', 'fixtures'));
  return out;
}

const WORDS = [
  ...KEYWORDS,
  'internet',
  'bob',
  'web',
  'https',
  'ssh',
  'dns',
  'linux',
  'wide',
  '10.0.0.1',
  '10.0.0.0/8',
  '0.0.0.0/0',
  '::',
  '::/0',
  '2001:db8::1',
  '[2001:db8::1]:443',
  'fe80::1%eth0',
  '->',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '-',
  '"x.fw"',
  '"common/base.fw"',
  '# fw-ignore shadowed-rule',
  '#',
  '100',
  '32766',
  'port',
  'tcp',
  'udp',
  'icmp',
  'all',
];

const HUGE_NUMBERS = [
  '99999999999999999999999999999999',
  '4294967296',
  '4294967295',
  '65536',
  '65535',
  '-1',
  '1e400',
  '0x10',
  '007',
  '1.5',
  '9007199254740993',
  '256.256.256.256',
  '10.0.0.0/33',
  '10.0.0.0/999999999999',
  '::/129',
  '1-99999999999999999999',
  '65535-0',
  '0-65535',
  '1:2:3:4:5:6:7:8:9',
  'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128',
  '1'.repeat(400),
];

const ODD_CHARS = [
  '\u0000',
  '\uD800',
  '\uDC00',
  '\uDBFF\uDFFF',
  '\uFEFF',
  '\u200B',
  '\u2028',
  '\u2029',
  '\u0085',
  '\r',
  '\r\n',
  '\n',
  '\t',
  '\v',
  '\f',
  '\u00A0',
  '\uFFFD',
  'é',
  'ß',
  '𝔉',
  '😀',
  '"',
  '\\',
  '`',
  '$',
  '\u001b[31m',
];

/** A character of any kind: printable ASCII most often, then controls, surrogates, astral planes. */
function randomChar(r: Random): string {
  return r.weighted<() => string>([
    [6, () => String.fromCharCode(r.int(0x20, 0x7e))],
    [2, () => r.pick(ODD_CHARS)],
    [1, () => String.fromCharCode(r.int(0, 0x1f))],
    [1, () => String.fromCharCode(r.int(0x80, 0xffff))],
    [1, () => String.fromCodePoint(r.int(0x10000, 0x10ffff))],
  ])();
}

function randomChars(r: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += randomChar(r);
  return s;
}

/** A random offset, at a line start half of the time. */
function offset(r: Random, text: string): number {
  const at = r.int(0, text.length);
  if (r.chance(0.5)) {
    const nl = text.lastIndexOf('\n', at - 1);
    return nl + 1;
  }
  return at;
}

function range(r: Random, text: string, maxLen: number): [number, number] {
  const a = offset(r, text);
  return [a, Math.min(text.length, a + r.int(0, maxLen))];
}

const splice = (text: string, at: number, del: number, insert: string) => text.slice(0, at) + insert + text.slice(at + del);

type Mutator = (r: Random, text: string, corpus: CorpusFile[]) => string;

/** A line of about `size` characters. */
function longLine(r: Random, size: number): string {
  const kind = r.int(0, 5);
  const unit =
    kind === 0
      ? 'a'
      : kind === 1
        ? `${r.pick(WORDS)} `
        : kind === 2
          ? 'web, '
          : kind === 3
            ? '10.0.0.1, '
            : kind === 4
              ? '# comment '
              : randomChars(r, 64);
  return unit.repeat(Math.ceil(size / unit.length));
}

export const MUTATORS: Record<string, Mutator> = {
  delete: (r, t) => {
    const [a, b] = range(r, t, r.chance(0.2) ? t.length : 200);
    return splice(t, a, b - a, '');
  },
  duplicate: (r, t) => {
    const [a, b] = range(r, t, r.chance(0.2) ? 2000 : 200);
    const times = r.chance(0.02) ? r.int(2, 200) : 1;
    const piece = t.slice(a, b);
    return splice(t, offset(r, t), 0, piece.repeat(Math.min(times, Math.floor(2_000_000 / (piece.length + 1)) || 1)));
  },
  splice: (r, t, corpus) => {
    const other = r.pick(corpus).text;
    return t.slice(0, offset(r, t)) + other.slice(offset(r, other));
  },
  insertFile: (r, t, corpus) => splice(t, offset(r, t), 0, r.pick(corpus).text),
  randomChars: (r, t) => splice(t, offset(r, t), r.int(0, 3), randomChars(r, r.int(1, 40))),
  randomBytes: (r, t) => {
    // What a binary file decoded as UTF-8 looks like.
    const bytes = new Uint8Array(r.int(1, r.chance(0.03) ? 20000 : 300));
    for (let i = 0; i < bytes.length; i++) bytes[i] = r.int(0, 255);
    return splice(t, offset(r, t), 0, new TextDecoder().decode(bytes));
  },
  word: (r, t) => {
    const [a, b] = range(r, t, 12);
    return splice(t, a, r.chance(0.5) ? b - a : 0, ` ${r.pick(WORDS)} `);
  },
  hugeNumber: (r, t) => {
    const numbers = [...t.matchAll(/\d+(?:[./:-]\d+)*/g)];
    const n = numbers.length ? r.pick(numbers) : undefined;
    const at = n?.index ?? offset(r, t);
    return splice(t, at, n ? n[0].length : 0, r.pick(HUGE_NUMBERS));
  },
  deepNesting: (r, t) => {
    const open = r.pick(['{', '[', '[a, ', 'firewall f stateless protects 10.0.0.0/8 {\n', '(', '{ [']);
    // Mostly tens or hundreds deep; now and then about 1 MB of brackets.
    const deep = r.weighted<number>([
      [8, 50],
      [6, 500],
      [3, 5000],
      [1, 50000],
      [1, 1_000_000],
    ]);
    const depth = Math.min(deep, Math.floor(1_000_000 / open.length));
    const close = r.chance(0.5) ? r.pick(['}', ']', ')', '] }']).repeat(depth) : '';
    return splice(t, offset(r, t), 0, open.repeat(depth) + close);
  },
  megabyteLine: (r, t) => splice(t, offset(r, t), 0, longLine(r, r.chance(0.3) ? 1 << 20 : r.int(1000, 100_000)) + '\n'),
  nul: (r, t) => splice(t, offset(r, t), 0, '\u0000'.repeat(r.int(1, 3))),
  loneSurrogate: (r, t) => splice(t, offset(r, t), r.int(0, 1), r.pick(['\uD800', '\uDFFF', '\uDBFF', '\uDC00x', 'a\uD83D'])),
  lineEnds: (r, t) => {
    const style = r.int(0, 3);
    return t.replace(/\r?\n/g, (nl) => {
      if (style === 0) return '\r\n';
      if (style === 1) return '\r';
      if (style === 2) return r.chance(0.5) ? '\r' : nl;
      return r.pick(['\n', '\r\n', '\r', '\n\r', '\u2028']);
    });
  },
  swapLines: (r, t) => {
    const lines = t.split('\n');
    const a = r.int(0, lines.length - 1);
    const b = r.int(0, lines.length - 1);
    [lines[a], lines[b]] = [lines[b]!, lines[a]!];
    return lines.join('\n');
  },
  repeatLine: (r, t) => {
    // Many copies of one statement: thousands of rules, or of duplicate declarations.
    const lines = t.split('\n');
    const i = r.int(0, lines.length - 1);
    // At most about 2 MB of copies.
    const n = Math.min(r.pick([10, 100, 1000, 3000]), Math.floor(2_000_000 / (lines[i]!.length + 1)));
    lines.splice(i, 0, ...Array<string>(n).fill(lines[i]!));
    return lines.join('\n');
  },
  truncate: (r, t) => t.slice(0, r.int(0, t.length)),
  whitespace: (r, t) => t.replace(/ +/g, () => r.pick([' ', '', '\t', '  ', '\u00A0', '\u3000'])),
};

const WEIGHTS: [number, string][] = [
  [10, 'delete'],
  [8, 'duplicate'],
  [6, 'splice'],
  [2, 'insertFile'],
  [10, 'randomChars'],
  [3, 'randomBytes'],
  [12, 'word'],
  [8, 'hugeNumber'],
  [2, 'deepNesting'],
  [1, 'megabyteLine'],
  [1, 'nul'],
  [3, 'loneSurrogate'],
  [3, 'lineEnds'],
  [4, 'swapLines'],
  [1, 'repeatLine'],
  [2, 'truncate'],
  [2, 'whitespace'],
];

export interface Mutated {
  base: string;
  mutations: string[];
  text: string;
}

/** One document: a corpus file with one to four mutations. */
export function mutate(r: Random, corpus: CorpusFile[], base = r.pick(corpus)): Mutated {
  let text = base.text;
  const mutations: string[] = [];
  const n = r.weighted<number>([
    [4, 1],
    [3, 2],
    [2, 3],
    [1, 4],
  ]);
  for (let i = 0; i < n; i++) {
    const m = r.weighted(WEIGHTS);
    mutations.push(m);
    text = MUTATORS[m]!(r, text, corpus);
    // Keep documents to a few MB: a 1 MB line, doubled, is hostile enough.
    if (text.length > 4_000_000) text = text.slice(0, 4_000_000);
  }
  return { base: base.name, mutations, text };
}
