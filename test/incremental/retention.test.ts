// What the editor keeps between versions of a document must not keep the old versions' text
// alive (issue 12's memory): V8 cuts strings as views into the whole text, so one chunk, token
// image, cached key or message cut from a version would hold that whole version. Ten edits,
// each in another firewall of a document, are run through the editor's pipeline in a
// separate Node process; a heap snapshot then counts the versions still in memory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';

const SCRIPT = `
import { getHeapSnapshot } from 'node:v8';
import { generate } from '../../bench/generate';
import { Pipeline } from './pipeline';

const FIREWALLS = 10;
const base = generate(FIREWALLS, 24).text.split('\\n');
/** Version k: its own first line, and one port of firewall k-1 changed. */
function version(k: number): string {
  const lines = [...base];
  const at = lines.findIndex((l) => l.startsWith('firewall acl' + ((k - 1) % FIREWALLS) + ' '));
  const rule = lines.findIndex((l, i) => i > at && / port \\d+/.test(l));
  lines[rule] = lines[rule]!.replace(/ port (\\d+)/, (_m, p) => ' port ' + (Number(p) + k));
  return '# fwlang-retention version ' + k + '\\n' + lines.join('\\n');
}
const p = new Pipeline();
for (let k = 1; k <= FIREWALLS; k++) p.analyze(version(k));

const chunks: Buffer[] = [];
getHeapSnapshot()
  .on('data', (c: Buffer) => chunks.push(c))
  .on('end', () => {
    const snapshot = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const versions = new Set<string>();
    for (const s of snapshot.strings as string[]) {
      const m = /^# fwlang-retention version (\\d+)\\n/.exec(s);
      if (m) versions.add(m[1]!);
    }
    console.log(JSON.stringify([...versions].map(Number).sort((a, b) => a - b)));
  });
`;

describe('the editor pipeline between versions', () => {
  it('keeps no older version of the text alive (chunks, names, cache keys and messages are copies)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fwlang-retention-'));
    const out = join(dir, 'retention.cjs');
    await esbuild.build({
      stdin: { contents: SCRIPT, resolveDir: join(__dirname), loader: 'ts', sourcefile: 'retention.ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: out,
      logLevel: 'error',
    });
    const r = spawnSync(process.execPath, [out], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.stderr).toBe('');
    const alive = JSON.parse(r.stdout.trim()) as number[];
    // Version 10 is the text the pipeline is working on; every earlier one must be gone.
    expect(alive).toEqual([10]);
  });
});
