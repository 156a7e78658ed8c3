// The `.fw` fixture files of one diagnostic code (test/fixtures/CODE/*.fw), for `it.each`.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

export function fixtureFiles(code: string): [string, string][] {
  const dir = path.join(FIXTURES, code);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.fw'))
    .sort()
    .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);
}

/** The response analyses: they speak about stateless rules in almost every fixture. */
export const RESPONSE_CODES = ['missing-response', 'partial-response', 'broad-response', 'orphan-response', 'stateful-response'];
