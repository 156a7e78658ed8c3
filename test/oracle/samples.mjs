#!/usr/bin/env node
// Every sample, exported as users export it, is accepted by the kernel's own tools (issue 10):
//   fwlang export SAMPLE --to nftables [--on-host]   →  nft -c -f        (checked by the kernel)
//   fwlang export SAMPLE --to iptables [--on-host]   →  iptables-restore --test / ip6tables-restore --test
// Run as root (npm run test:oracle runs it first); everything happens in a network namespace of
// its own, so the host's rule set is never read or touched. Exit 0 only when every check passed.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'fwlang.js');
const NS = `fwlang-samples-${process.pid}`;

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', ...opts });
}
function fail(msg) {
  console.error(`export samples: ${msg}`);
  cleanup();
  process.exit(1);
}
function cleanup() {
  run('ip', ['netns', 'del', NS]);
}

if (process.getuid?.() !== 0) fail('needs root (ip netns, nft); run it as root');
for (const tool of ['ip', 'nft', 'iptables-restore', 'ip6tables-restore']) {
  if (run('sh', ['-c', `command -v ${tool}`], { env: { PATH: `${process.env.PATH}:/usr/sbin:/sbin` } }).status !== 0)
    fail(`\`${tool}\` not found: run .ci/install-oracle.sh`);
}
if (!existsSync(join(ROOT, 'dist', 'cli.js'))) fail('dist/cli.js missing: npm run build');
process.env.PATH = `${process.env.PATH}:/usr/sbin:/sbin`;
if (run('ip', ['netns', 'add', NS]).status !== 0) fail('ip netns add failed');
process.on('exit', cleanup);

const inNs = (cmd, args) => run('ip', ['netns', 'exec', NS, cmd, ...args]);
const tmp = mkdtempSync(join(tmpdir(), 'fwlang-samples-'));
const samples = readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.fw'));
let checks = 0;
const problems = [];
for (const s of samples) {
  const file = join(ROOT, 'samples', s);
  for (const onHost of [false, true]) {
    const host = onHost ? ['--on-host'] : [];
    const label = `${s}${onHost ? ' --on-host' : ''}`;
    const nft = run(process.execPath, [CLI, 'export', file, '--to', 'nftables', ...host, '-o', join(tmp, 'x.nft')]);
    if (nft.status !== 0) problems.push(`${label}: fwlang export --to nftables exited ${nft.status}: ${nft.stderr.trim()}`);
    else {
      const c = inNs('nft', ['-c', '-f', join(tmp, 'x.nft')]);
      checks++;
      if (c.status !== 0) problems.push(`${label}: nft -c -f rejects the export: ${c.stderr.trim()}`);
    }
    rmSync(join(tmp, 'x.v6'), { force: true });
    const ipt = run(process.execPath, [CLI, 'export', file, '--to', 'iptables', ...host, '-o', join(tmp, 'x')]);
    if (ipt.status !== 0) problems.push(`${label}: fwlang export --to iptables exited ${ipt.status}: ${ipt.stderr.trim()}`);
    else {
      for (const [fam, tool] of [
        ['v4', 'iptables-restore'],
        ['v6', 'ip6tables-restore'],
      ]) {
        const f = join(tmp, `x.${fam}`);
        if (!existsSync(f)) continue;
        const c = inNs(tool, ['--test', f]);
        checks++;
        if (c.status !== 0) problems.push(`${label}: ${tool} --test rejects the export: ${c.stderr.trim()}\n${readFileSync(f, 'utf8')}`);
      }
    }
  }
}
rmSync(tmp, { recursive: true, force: true });
for (const p of problems) console.log(`FAIL ${p}`);
console.log(`export samples: ${samples.length} samples, ${checks} checks by nft -c and iptables-restore --test, ${problems.length} failed`);
process.exit(problems.length ? 1 : 0);
