// The complete example of the language spec (§1), kept verbatim as samples/catogram.fw;
// test/samples/spec.test.ts checks that it still is the spec's text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SPEC_EXAMPLE_PATH = join(__dirname, '..', '..', 'samples', 'catogram.fw');
export const SPEC_EXAMPLE = readFileSync(SPEC_EXAMPLE_PATH, 'utf8');
