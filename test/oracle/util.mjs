// Small helpers shared by the oracle's modules: port ranges, a seeded random
// source, running commands, and the clean-up that runs on every exit path.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
let cli = join(ROOT, 'bin', 'fwlang.js');
/** Runs fwlang from a copy of bin/ and dist/cli.js taken at start (snapshotCli), so a build running meanwhile cannot change it mid-run. */
export const cliPath = () => cli;

/**
 * Copies bin/fwlang.js and dist/cli.js (a self-contained bundle) to DIR/bin and DIR/dist and
 * runs fwlang from there; retries while the copy does not start (a build was writing dist/).
 */
export async function snapshotCli(dir) {
  let last = '';
  for (let attempt = 0; attempt < 6; attempt++) {
    mkdirSync(join(dir, 'bin'), { recursive: true });
    mkdirSync(join(dir, 'dist'), { recursive: true });
    copyFileSync(join(ROOT, 'bin', 'fwlang.js'), join(dir, 'bin', 'fwlang.js'));
    copyFileSync(join(ROOT, 'dist', 'cli.js'), join(dir, 'dist', 'cli.js'));
    cli = join(dir, 'bin', 'fwlang.js');
    const r = await fwlang(['--version']);
    if (r.code === 0) return r.out.trim();
    last = r.err.trim().split('\n').slice(0, 3).join(' ');
    await new Promise((res) => setTimeout(res, 2000));
  }
  throw new Error(`a copy of dist/cli.js does not run (${last}); npm run build`);
}

// ----------------------------------------------------------- port ranges ----

export function mergeRanges(rs) {
  const s = [...rs].map(([lo, hi]) => [lo, hi]).sort((x, y) => x[0] - y[0]);
  const out = [];
  for (const [lo, hi] of s) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}
export const inRanges = (rs, x) => rs.some(([lo, hi]) => lo <= x && x <= hi);
export const sameRanges = (a, b) => JSON.stringify(mergeRanges(a)) === JSON.stringify(mergeRanges(b));
export const rangesText = (rs) =>
  mergeRanges(rs)
    .map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`))
    .join(',');
/** fwlang's JSON port lists: "1024-32767,40000" (empty: none). */
export function parsePortList(s) {
  if (s === '' || s == null) return [];
  return s.split(',').map((x) => {
    const [lo, hi = lo] = x.trim().split('-').map(Number);
    return [lo, hi];
  });
}

// --------------------------------------------------------------- random ----

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export function randomTools(rnd) {
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const chance = (p) => rnd() < p;
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  return { pick, chance, int };
}

// -------------------------------------------------------------- commands ----

export function findTool(name) {
  for (const d of (process.env.PATH || '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin'])) {
    if (!d) continue;
    try {
      accessSync(join(d, name), constants.X_OK);
      return join(d, name);
    } catch {
      /* not here */
    }
  }
  return null;
}

export function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

export function indent(text, by = '       ') {
  return (
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => `${by}${l}`)
      .join('\n') + '\n'
  );
}

/** Runs the CLI; resolves { code, out, err }. */
export function fwlang(args, cwd = ROOT) {
  return new Promise((res) => {
    const p = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('error', (e) => res({ code: -1, out, err: String(e) }));
    p.on('close', (code) => res({ code, out, err }));
  });
}

/** Runs tasks (functions returning promises) at most `width` at a time; each task's promise settles as it finishes. */
export function pool(tasks, width) {
  const queue = [...tasks];
  const results = tasks.map(() => {
    let r;
    const p = new Promise((res) => {
      r = res;
    });
    return { p, r };
  });
  let next = 0;
  const worker = async () => {
    while (queue.length) {
      const i = next++;
      const t = queue.shift();
      results[i].r(await t().catch((e) => ({ error: e })));
    }
  };
  Promise.all(Array.from({ length: width }, worker));
  return results.map((x) => x.p);
}

// -------------------------------------------------------------- clean-up ----
// Every resource the oracle creates registers its removal here; it runs on a
// normal exit, on a set-up failure, on an uncaught error and on a signal.

const cleanups = [];
let cleanedUp = false;
export const onCleanup = (f) => cleanups.push(f);
export function cleanupSync() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const f of cleanups.reverse()) {
    try {
      f();
    } catch {
      /* best effort */
    }
  }
}
export function fatal(msg) {
  console.error(`netfilter oracle: SET-UP FAILURE: ${msg}`);
  cleanupSync();
  process.exit(1);
}
export function cleanUpOnExit() {
  process.on('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      console.error(`netfilter oracle: interrupted (${sig}), cleaning up`);
      cleanupSync();
      process.exit(1);
    });
  }
}
