// `fwlang import`'s core: parsed JSON documents in, `.fw` text and what it could not express out
// (cli.md). The format is the one asked for, else recognised from the content.

import { isAwsJson, readAws } from './aws';
import { isTerraformJson, readTerraform } from './terraform';
import { type ImportResult, writeFw } from './write';

export type ImportFormat = 'aws' | 'terraform';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['aws', 'terraform'];

export interface ImportInput {
  /** How messages name the input: its path, or `<stdin>`. */
  name: string;
  json: unknown;
}

/** The format of a document, from its content. */
export function detectFormat(json: unknown): ImportFormat | undefined {
  if (isAwsJson(json)) return 'aws';
  if (isTerraformJson(json)) return 'terraform';
  return undefined;
}

/** The `.fw` text of the inputs, or the one-line reason they are not of the format. */
export function importConfig(inputs: ImportInput[], from?: ImportFormat): ImportResult | { error: string } {
  let format = from;
  if (!format) {
    for (const i of inputs) {
      const f = detectFormat(i.json);
      if (!f) return { error: `${i.name}: not a format fwlang can import (AWS CLI JSON or terraform show -json)` };
      if (format && f !== format) return { error: `${i.name}: ${f} JSON among ${format} JSON: import one format at a time` };
      format = f;
    }
  }
  const inv = format === 'terraform' ? readTerraform(inputs) : readAws(inputs);
  if ('error' in inv) return inv;
  return writeFw(inv);
}
