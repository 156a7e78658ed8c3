// The build leaves V8's code of the CLI bundle in dist/cli.js.cache (bin/fwlang.js): it must be
// one this Node.js accepts for this bundle. (bin/fwlang.js also refuses a cache made from another
// bundle, by its SHA-1: V8's own check compares only the source's length.)
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { Module } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './support';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

describe('the code cache of the CLI', () => {
  beforeAll(() => ensureBuilt());

  it('is made by the build for the bundle beside it, and V8 accepts it', () => {
    const source = fs.readFileSync(CLI, 'utf8');
    const cache = fs.readFileSync(`${CLI}.cache`);
    expect(cache.subarray(0, 20).equals(crypto.createHash('sha1').update(source).digest())).toBe(true);
    const script = new vm.Script(Module.wrap(source), { filename: CLI, cachedData: cache.subarray(20) });
    expect(script.cachedDataRejected).toBe(false);
  });
});
