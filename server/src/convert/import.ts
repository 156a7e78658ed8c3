// `fwlang import`'s core: the inputs' text in, `.fw` text and what it could not express out
// (cli.md). The format is the one asked for, else recognised from the content.

import { isAwsJson, readAws } from './aws';
import { type ImportError, type Targets, writeRuleset } from './chains';
import { isIptablesSave, readIptables } from './iptables';
import { isNftablesJson, readNftables } from './nftables';
import { isTerraformJson, readTerraform } from './terraform';
import { type ImportResult, writeFw } from './write';

export type ImportFormat = 'aws' | 'terraform' | 'iptables' | 'nftables';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['aws', 'terraform', 'iptables', 'nftables'];

export interface ImportInput {
  /** How messages name the input: its path, or `<stdin>`. */
  name: string;
  /** The input as read. */
  text?: string;
  /** The input, already parsed (JSON formats); else parsed from `text` when the format is JSON. */
  json?: unknown;
}

/** The format of a parsed JSON document, from its content. */
export function detectFormat(json: unknown): ImportFormat | undefined {
  if (isAwsJson(json)) return 'aws';
  if (isTerraformJson(json)) return 'terraform';
  if (isNftablesJson(json)) return 'nftables';
  return undefined;
}

/** The JSON of an input, or the one-line reason it is not JSON. */
function jsonOf(i: ImportInput): { json: unknown } | { error: string } {
  let json = i.json;
  if (json === undefined) {
    try {
      json = JSON.parse(i.text ?? '') as unknown;
    } catch (e) {
      return { error: `${i.name}: not JSON (${(e as Error).message})` };
    }
  }
  if (nestsDeeper(json, MAX_JSON_DEPTH))
    return { error: `${i.name}: JSON nested more than ${MAX_JSON_DEPTH} deep, as no configuration is` };
  return { json };
}

/**
 * How deep the JSON read may nest. The configurations are a few levels deep (terraform's child
 * modules a few more); the readers recurse, and 5,000 nested arrays overflowed their stack
 * (fuzzed imports 17189 and 21820 of seed 12).
 */
const MAX_JSON_DEPTH = 200;

/** Whether `v` has arrays or objects nested more than `limit` deep (without recursing). */
function nestsDeeper(v: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (depth >= limit) return true;
    for (const y of Array.isArray(x) ? x : Object.values(x)) if (y !== null && typeof y === 'object') stack.push([y, depth + 1]);
  }
  return false;
}

const kind = (f: ImportFormat) => (f === 'iptables' ? 'iptables-save text' : `${f} JSON`);
const KNOWN = 'AWS CLI JSON, terraform show -json, iptables-save text or nft -j list ruleset JSON';

/** The `.fw` text of the inputs, or the one-line reason they are not of the format. */
export function importConfig(inputs: ImportInput[], from?: ImportFormat, targets: Targets = {}): ImportResult | ImportError {
  const r = importAny(inputs, from, targets);
  if ('error' in r) return { ...r, error: printable(r.error) };
  return { ...r, text: printable(r.text), unexpressed: r.unexpressed.map(printable) };
}

/**
 * Control characters, U+FFFD and lone surrogates, written as escapes (`\x00`, `\ufffd`). The
 * import quotes its input in comments and messages: a NUL quoted from a mangled input made the
 * `.fw` it wrote "not a text file" (fuzzed import 965 of seed 8), and an escape sequence in a
 * message would reach the terminal. Tabs and line ends stay.
 */
export function printable(s: string): string {
  return s.replace(
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => {
      const n = c.charCodeAt(0);
      return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
    },
  );
}

function importAny(inputs: ImportInput[], from: ImportFormat | undefined, targets: Targets): ImportResult | ImportError {
  let format = from;
  const parsed = new Map<ImportInput, unknown>();
  if (!format) {
    for (const i of inputs) {
      let f: ImportFormat | undefined;
      if (i.json === undefined && isIptablesSave(i.text ?? '')) f = 'iptables';
      else {
        const j = jsonOf(i);
        if ('json' in j) {
          parsed.set(i, j.json);
          f = detectFormat(j.json);
        } else if (/^\s*[[{]/.test(i.text ?? '')) return j;
      }
      if (!f) return { error: `${i.name}: not a format fwlang can import (${KNOWN})` };
      if (format && f !== format) return { error: `${i.name}: ${kind(f)} among ${kind(format)}: import one format at a time` };
      format = f;
    }
  }
  if (format !== 'iptables' && format !== 'nftables' && (targets.host?.length || targets.inside?.length))
    return { error: `${targets.host?.length ? '--host' : '--inside'} is for --from iptables or nftables, not ${format}` };
  if (format === 'iptables') {
    const texts = inputs.map((i) => ({ name: i.name, text: i.text ?? '' }));
    for (const t of texts)
      if (!isIptablesSave(t.text)) return { error: `${t.name}: not iptables-save output (no *table or :CHAIN line first)` };
    const rs = readIptables(texts);
    return 'error' in rs ? rs : writeRuleset(rs, targets);
  }
  const docs: { name: string; json: unknown }[] = [];
  for (const i of inputs) {
    const known = parsed.get(i);
    if (known !== undefined) docs.push({ name: i.name, json: known });
    else {
      const j = jsonOf(i);
      if ('error' in j) return j;
      docs.push({ name: i.name, json: j.json });
    }
  }
  if (format === 'nftables') {
    const rs = readNftables(docs);
    return 'error' in rs ? rs : writeRuleset(rs, targets);
  }
  const inv = format === 'terraform' ? readTerraform(docs) : readAws(docs);
  if ('error' in inv) return inv;
  return writeFw(inv);
}
