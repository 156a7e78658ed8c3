// Helpers for the command-line tests: temporary files, `main()` in-process, and the built
// `bin/fwlang.js` as a child process (rebuilt first when dist/cli.js is missing or stale).
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import { main } from '../../server/src/cli/main';

export const ROOT = path.resolve(__dirname, '..', '..');
export { SPEC_EXAMPLE } from '../support/specExample';

const made: string[] = [];

/** A fresh temporary directory with the given files (relative path -> text). */
export function tempFiles(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-cli-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  return dir;
}

/** Removes the directories tempFiles made (call in afterAll). */
export function removeTempFiles(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Runs `fwlang ARGS` in this process; what it prints, split in lines, and its exit code. */
export function runMain(args: string[]): { code: number; out: string; lines: string[] } {
  const chunks: string[] = [];
  const code = main(args, (s) => chunks.push(s));
  if (typeof code !== 'number') throw new Error(`fwlang ${args[0]} is asynchronous: await main() or use runCli`);
  const out = chunks.join('\n');
  return { code, out, lines: out.split('\n') };
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/cli.js unless it is newer than every source file. */
export function ensureBuilt(): void {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const fresh = fs.existsSync(cli) && fs.statSync(cli).mtimeMs >= newestSource(path.join(ROOT, 'server', 'src'));
  if (fresh) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
}

/** Runs the built command line (`node bin/fwlang.js ARGS`) as a child process. */
export function runCli(args: string[], cwd = ROOT): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin', 'fwlang.js'), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
}

/** A usage problem as cli.md has it: exit 2, nothing on stdout, one `fwlang: …` line on stderr. */
export function expectUsage(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^fwlang: /);
  expect(r.stderr).toMatch(pattern);
}
