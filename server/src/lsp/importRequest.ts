// `fwlang/import` (the editor's "Import rules…" command): reads the chosen JSON files from disk
// and answers the `.fw` text the CLI's `fwlang import` would write, with what it could not say.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { type ImportInput, importConfig } from '../convert/import';
import type { ImportAnswer, ImportParams } from '../protocol';

export function importFiles(p: ImportParams): ImportAnswer {
  if (!Array.isArray(p?.paths) || p.paths.length === 0 || !p.paths.every((x) => typeof x === 'string')) {
    return { error: 'choose one or more JSON files to import' };
  }
  if (p.from !== undefined && p.from !== 'aws' && p.from !== 'terraform')
    return { error: `cannot import from ${String(p.from)}: use aws or terraform` };
  const inputs: ImportInput[] = [];
  for (const path of p.paths) {
    const name = nodePath.basename(path);
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (e) {
      return { error: `cannot read ${name}: ${(e as NodeJS.ErrnoException).code ?? 'read error'}` };
    }
    try {
      inputs.push({ name, json: JSON.parse(text) as unknown });
    } catch {
      return { error: `${name} is not JSON: import reads the JSON of the AWS CLI or of terraform show -json` };
    }
  }
  return importConfig(inputs, p.from);
}
