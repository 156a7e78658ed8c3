// Issue 12's first figure: `fwlang check` of the 10,000-rule file against `nft -c -f` of the
// same rules (the file's `fwlang export --to nftables`), both wall time with their process start,
// measured alternately in the same run so that the machine's load falls on both alike.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Row = (label: string, value: string, target?: string) => void;

export interface CheckVsNft {
  check: number;
  nft?: number;
  ratio?: number;
}

function wall(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `runs` alternate timings of `fwlang check FILE` and (as root, with nft) `nft -c -f` of its export. */
export function checkVsNft(dir: string, file: string, row: Row, fmt: (ms: number) => string, runs = 7): CheckVsNft {
  const env = { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` };
  const check = () => {
    const r = spawnSync(process.execPath, ['bin/fwlang.js', 'check', file, '--format', 'json'], { maxBuffer: 1 << 28 });
    if (r.status === 2) throw new Error(`fwlang check failed: ${r.stderr.toString().trim()}`);
  };
  const root = process.getuid?.() === 0;
  const haveNft = spawnSync('sh', ['-c', 'command -v nft && command -v ip'], { env }).status === 0;
  let nft: (() => void) | undefined;
  const ns = `fwlang-bench-${process.pid}`;
  if (root && haveNft) {
    const exported = spawnSync(process.execPath, ['bin/fwlang.js', 'export', file, '--to', 'nftables'], { maxBuffer: 1 << 28 });
    const rules = join(dir, 'check.nft');
    writeFileSync(rules, exported.stdout);
    if (exported.status === 0 && spawnSync('ip', ['netns', 'add', ns], { env }).status === 0) {
      nft = () => {
        const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-c', '-f', rules], { env, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`nft -c failed: ${r.stderr.split('\n')[0]}`);
      };
    }
  }
  // What every `fwlang check` pays before it reads a rule: Node's own start, then loading the
  // bundle and building the parser (a check of a one-line file). The rest is the check's work,
  // done once, cold: docs/performance.md compares it with the same work in a warm process.
  const tiny = join(dir, 'one-line.fw');
  writeFileSync(tiny, 'network internet 0.0.0.0/0\n');
  const nodeStart = () => void spawnSync(process.execPath, ['-e', '0']);
  const tinyCheck = () => void spawnSync(process.execPath, ['bin/fwlang.js', 'check', tiny, '--format', 'json']);
  try {
    check();
    nft?.();
    const tc: number[] = [];
    const tn: number[] = [];
    const t0: number[] = [];
    const t1: number[] = [];
    for (let i = 0; i < runs; i++) {
      tc.push(wall(check));
      if (nft) tn.push(wall(nft));
      t0.push(wall(nodeStart));
      t1.push(wall(tinyCheck));
    }
    const c = median(tc);
    row('`fwlang check` on that file, wall incl. Node start (median)', fmt(c), '< 1.5 s');
    row("  Node's own start (`node -e 0`)", fmt(median(t0)));
    row('  check of a one-line file: Node + loading fwlang', fmt(median(t1)));
    row("  the rules' own work, cold (check − one-line)", fmt(c - median(t1)));
    if (!nft) {
      row('`nft -c -f` of the same rules, and the ratio', 'not measured', 'needs root and nft');
      return { check: c };
    }
    const n = median(tn);
    row('`nft -c -f` of its nftables export, in a netns', fmt(n));
    row('ratio fwlang check ÷ nft -c', `${(c / n).toFixed(2)}×`, '≤ 1.0');
    return { check: c, nft: n, ratio: c / n };
  } catch (e) {
    row('`fwlang check` ÷ `nft -c -f`', `failed: ${(e as Error).message.split('\n')[0]}`);
    return { check: NaN };
  } finally {
    if (nft) spawnSync('ip', ['netns', 'del', ns], { env });
  }
}
