// `fwlang/import` (the editor's "Import rules…" command): reads the chosen files from disk and
// answers the `.fw` text the CLI's `fwlang import` would write, with what it could not say, or
// why not — and, when the rules need `--host` or `--inside`, says which, so the editor can ask.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { IMPORT_FORMATS, type ImportFormat, type ImportInput, importConfig } from '../convert/import';
import type { ImportAnswer, ImportParams } from '../protocol';
import { tooLargeReason } from '../syntax/parse';

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function importFiles(p: ImportParams): ImportAnswer {
  if (!isStrings(p?.paths) || p.paths.length === 0) return { error: 'choose one or more files to import' };
  if (p.from !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(p.from))
    return { error: `cannot import from ${String(p.from)}: use ${IMPORT_FORMATS.join(', ')}` };
  for (const k of ['host', 'inside'] as const)
    if (p[k] !== undefined && !isStrings(p[k])) return { error: `--${k} takes addresses, as text` };
  const inputs: ImportInput[] = [];
  for (const path of p.paths) {
    const name = nodePath.basename(path);
    try {
      // As the command line: no device or directory, nothing larger than fwlang reads.
      const st = fs.statSync(path);
      if (!st.isFile()) return { error: `cannot read ${name}: not a file` };
      const large = tooLargeReason(st.size);
      if (large) return { error: `cannot read ${name}: ${large}` };
      inputs.push({ name, text: fs.readFileSync(path, 'utf8') });
    } catch (e) {
      return { error: `cannot read ${name}: ${(e as NodeJS.ErrnoException).code ?? 'read error'}` };
    }
  }
  // Each address may be a comma list, as on the command line.
  const list = (v: string[] | undefined) => (v ?? []).flatMap((x) => x.split(/[\s,]+/)).filter((x) => x !== '');
  const r = importConfig(inputs, p.from as ImportFormat | undefined, { host: list(p.host), inside: list(p.inside) });
  if (!('error' in r)) return r;
  return r.needs ? { error: r.error, needs: r.needs } : { error: r.error };
}
