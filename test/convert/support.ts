// Helpers of the import tests: the hand-written fixtures and one firewall statement of a text.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';

export const AWS = path.resolve(__dirname, '..', 'fixtures', 'aws');

/** A fixture of test/fixtures/aws/, parsed. */
export const json = (f: string): unknown => JSON.parse(fs.readFileSync(path.join(AWS, f), 'utf8'));

/** The lines of one firewall statement, from its `firewall` line to its `}`. */
export function firewall(text: string, name: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`firewall ${name} `));
  expect(start, `firewall ${name} in\n${text}`).toBeGreaterThanOrEqual(0);
  return lines.slice(start, lines.indexOf('}', start) + 1);
}
