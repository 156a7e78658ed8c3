// Issue 10's figures: exporting 10,000 rules, and how long the kernel takes to load the export
// (merged rules with anonymous sets) against the same rules written one netfilter rule per box.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AddrSet, PortSet } from '../server/src/core/intervals';
import { type NfRule, planNetfilter } from '../server/src/convert/netfilterPlan';
import { toIptables } from '../server/src/convert/toIptables';
import { toNftables } from '../server/src/convert/toNftables';
import { buildModel } from '../server/src/model/resolve';
import type { Generated } from './generate';

type Row = (label: string, value: string, target?: string) => void;

function ms(f: () => unknown): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function medianOf(runs: number, f: () => unknown): number {
  f();
  const ts = Array.from({ length: runs }, () => ms(f)).sort((a, b) => a - b);
  return ts[Math.floor(runs / 2)]!;
}

/** A rule as one rule per address prefix and port range of its sets. */
function oneByOne(r: NfRule): NfRule[] {
  const addrs = (a?: AddrSet) => (a ? [...a.ranges()].map(([lo, hi]) => AddrSet.range(lo, hi)) : [undefined]);
  const ports = (p?: PortSet) => (p ? [...p.ranges()].map(([lo, hi]) => PortSet.range(lo, hi)) : [undefined]);
  const out: NfRule[] = [];
  for (const src of addrs(r.src))
    for (const dst of addrs(r.dst))
      for (const sport of ports(r.sport))
        for (const dport of ports(r.dport))
          out.push({ ...r, ...(src ? { src } : {}), ...(dst ? { dst } : {}), ...(sport ? { sport } : {}), ...(dport ? { dport } : {}) });
  return out;
}

export function netfilterBench(dir: string, big: Generated, row: Row, fmt: (ms: number) => string): void {
  const model = buildModel(join(dir, 'big.fw'), big.text);
  const tNft = medianOf(5, () => toNftables(planNetfilter(model)));
  row(`export --to nftables, ${big.rules.toLocaleString('en')} rules (model built)`, fmt(tNft), '< 500 ms');
  const cli = () =>
    spawnSync(process.execPath, ['bin/fwlang.js', 'export', join(dir, 'big.fw'), '--to', 'nftables'], { maxBuffer: 1 << 28 });
  row('`fwlang export --to nftables` on that file, wall incl. Node start', fmt(medianOf(3, cli)));
  const tIpt = medianOf(5, () => toIptables(planNetfilter(model)));
  row(`export --to iptables, ${big.rules.toLocaleString('en')} rules (model built)`, fmt(tIpt));

  const merged = toNftables(planNetfilter(model));
  // "The same rules one by one": no merging, and every set spelt out as one rule per element.
  const plan = planNetfilter(model, { merge: false });
  for (const fw of plan.firewalls) for (const d of [fw.inbound, fw.outbound]) d.rules = d.rules.flatMap(oneByOne);
  const single = toNftables(plan);
  const count = (t: string) => t.split('\n').filter((l) => /^ {4}.*(accept|drop|return) comment/.test(l)).length;
  row('netfilter rules written: merged / one per rule', `${count(merged)} / ${count(single)}`);

  const root = process.getuid?.() === 0;
  const nft = spawnSync('sh', ['-c', 'command -v nft'], { env: { PATH: `${process.env.PATH}:/usr/sbin:/sbin` } }).status === 0;
  if (!root || !nft) {
    row('nft -f of the export ÷ of the rules one by one', 'not measured', 'needs root and nft');
    return;
  }
  const ns = `fwlang-bench-${process.pid}`;
  const env = { PATH: `${process.env.PATH}:/usr/sbin:/sbin` };
  spawnSync('ip', ['netns', 'add', ns], { env });
  try {
    const load = (file: string) => {
      const t = process.hrtime.bigint();
      const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', file], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    writeFileSync(join(dir, 'merged.nft'), merged);
    writeFileSync(join(dir, 'single.nft'), single);
    const times = (file: string) => {
      const ts = Array.from({ length: 5 }, () => load(file)).sort((a, b) => a - b);
      return ts[2]!;
    };
    const tm = times(join(dir, 'merged.nft'));
    const ts = times(join(dir, 'single.nft'));
    row('nft -f of the export (merged)', fmt(tm));
    row('nft -f of the same rules one by one', fmt(ts));
    row('ratio export ÷ one by one', `${(tm / ts).toFixed(2)}×`, '≤ 1.5×');
  } catch (e) {
    row('nft -f of the export', `failed: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    spawnSync('ip', ['netns', 'del', ns], { env });
  }
}
