// A TypeScript script run in a Node process of its own (what a test must see without this
// process's heap and flags: retention, page faults, collection policy). Bundled with esbuild
// once per script; its imports resolve from `resolveDir`.

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { expect } from 'vitest';

const bundles = new Map<string, Promise<string>>();

async function bundle(script: string, resolveDir: string, name: string): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), `fwlang-${name}-`)), `${name}.cjs`);
  await esbuild.build({
    stdin: { contents: script, resolveDir, loader: 'ts', sourcefile: `${name}.ts` },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: out,
    logLevel: 'error',
  });
  return out;
}

/** Runs `script` with `args` (Node given `nodeArgs`); its stdout, trimmed. It must write nothing to stderr. */
export async function runAlone(
  script: string,
  { resolveDir, name, args = [], nodeArgs = [] }: { resolveDir: string; name: string; args?: string[]; nodeArgs?: string[] },
): Promise<string> {
  const key = `${resolveDir}\u0000${script}`;
  let file = bundles.get(key);
  if (!file) bundles.set(key, (file = bundle(script, resolveDir, name)));
  const r = spawnSync(process.execPath, [...nodeArgs, await file, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}
