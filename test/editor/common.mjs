// Shared bits of the editor-test harness: where things are, whether the
// editors are installed, temp folders, process groups, polling.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HARNESS_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HARNESS_DIR, '..', '..');
export const TOOLS_DIR = process.env.FWLANG_EDITORS_DIR
  ? path.resolve(process.env.FWLANG_EDITORS_DIR)
  : path.join(REPO_ROOT, '.tools', 'editors');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'editor');
export const CODE_SERVER_ENTRY = path.join(TOOLS_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.FWLANG_CHROMIUM || '/usr/bin/chromium';
export const NVIM = process.env.FWLANG_NVIM || 'nvim';
export const INSTALL_HINT =
  'run `bash .ci/install-editors.sh` (installs chromium, neovim, code-server and playwright-core into .tools/editors/)';

function onPath(cmd) {
  if (cmd.includes('/')) return existsSync(cmd);
  return spawnSync('sh', ['-c', `command -v "${cmd}"`], { stdio: 'ignore' }).status === 0;
}

/** Lists what is missing for each editor; empty arrays mean ready. */
export function missingEditors() {
  const codeServer = [];
  if (!existsSync(CODE_SERVER_ENTRY)) codeServer.push(`code-server (${CODE_SERVER_ENTRY})`);
  if (!existsSync(path.join(TOOLS_DIR, 'node_modules', 'playwright-core', 'package.json')))
    codeServer.push(`playwright-core (${path.join(TOOLS_DIR, 'node_modules')})`);
  if (!existsSync(CHROMIUM)) codeServer.push(`chromium (${CHROMIUM})`);
  const nvim = onPath(NVIM) ? [] : [`neovim (${NVIM})`];
  return { codeServer, nvim };
}

/** playwright-core lives in .tools/editors, not in the project's node_modules. */
export function loadPlaywright() {
  const req = createRequire(path.join(TOOLS_DIR, 'package.json'));
  return req('playwright-core');
}

export function makeTempDir(prefix) {
  const base = process.env.FWLANG_EDITOR_TMP || tmpdir();
  mkdirSync(base, { recursive: true });
  return mkdtempSync(path.join(base, `fwlang-${prefix}-`));
}

export function removeDir(dir) {
  if (!dir || process.env.FWLANG_KEEP_TMP) return;
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    /* best effort */
  }
}

export function ensureResultsDir(sub = '') {
  const d = path.join(RESULTS_DIR, sub);
  mkdirSync(d, { recursive: true });
  return d;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `fn` until it returns a truthy value (which is returned) or the
 * deadline passes (throws with `what` and the last error). Never a fixed wait.
 */
export async function pollUntil(fn, { timeout = 10_000, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let lastErr;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() >= end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${lastErr ? ` (last error: ${lastErr.message})` : ''}`);
    }
    await sleep(interval);
  }
}

/** Rejects after `ms` with a clear message; the timer never keeps Node alive. */
export function withTimeout(promise, ms, what) {
  let t;
  const timeout = new Promise((_, rej) => {
    t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms);
    t.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(t));
}

// ---- process groups ---------------------------------------------------------
// Every editor process is spawned detached (its own process group) and
// registered here, so it is killed at the end even when a test throws, and on
// exit/SIGINT/SIGTERM of the harness.
const liveGroups = new Set();
let hooksInstalled = false;

function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      for (const pid of liveGroups) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

export function trackGroup(child) {
  installExitHooks();
  liveGroups.add(child.pid);
  child.once('exit', () => {
    // the leader exited; children in its group may still be alive, so the
    // group stays registered until killGroup() is called.
  });
}

// A killed process whose parent already exited is re-parented to PID 1, which
// on these machines reaps zombies only after ~1 s: kill(-pgid, 0) still
// succeeds for them. So on Linux, count only live (non-zombie) members.
function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
  } catch {
    return false;
  }
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'utf8');
    } catch {
      continue;
    }
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state ppid pgrp ...
    if (Number(rest[2]) === pid && rest[0] !== 'Z' && rest[0] !== 'X') return true;
  }
  return false;
}

/** SIGTERM the whole process group, then SIGKILL whatever is left after graceMs. */
export async function killGroup(child, graceMs = 3000) {
  if (!child?.pid) return;
  const pid = child.pid;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const end = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < end) await sleep(50);
  if (groupAlive(pid)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  const end2 = Date.now() + 2000;
  while (groupAlive(pid) && Date.now() < end2) await sleep(50);
  liveGroups.delete(pid);
}
