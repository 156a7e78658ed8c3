#!/usr/bin/env node
// Real-kernel oracle: what `fwlang simulate` says about a flow is what Linux
// netfilter does with the rules `fwlang export` writes, and what `fwlang
// import` reads back from the kernel gives the kernel's verdicts.
//
//   sudo node test/oracle/netfilter.mjs [--seed N] [--random N] [--imports N]
//        [--timeout MS] [--only export|import] [--verbose]
//   (npm run test:oracle; needs root, ip netns, nft, conntrack, iptables
//    (iptables-nft), ping: .ci/install-oracle.sh installs them)
//
// The rig (topology.mjs): client — r1 — r2 — server network namespaces of
// its own, IPv4 10.99.0.0/16 and IPv6 2001:db8:99::/48, checked first with
// rule sets written by hand (sanity.mjs).
//
// 1. Export scenarios (scenarios.mjs): each is written as `.fw` file(s); in
//    every namespace that holds some of its firewalls (or its nat gateway)
//    the oracle loads what the user would load:
//      node bin/fwlang.js export main.fw --to nftables --firewall N... [--on-host]
//    through `nft -f -`, or (every third random scenario and some hand-made
//    ones) `--to iptables -o PREFIX` through iptables-restore PREFIX.v4 and
//    ip6tables-restore PREFIX.v6. Each flow is then sent for real from every
//    probed client port (TCP "ping"/"pong", a UDP echo, an ICMP echo with
//    ping) and compared, port by port, with `fwlang simulate --json`: its
//    allowed/blocked client ports, its verdict, and through a NAT the
//    gateway port r1's conntrack says the kernel picked. A namespace holding
//    only stateless firewalls must keep conntrack empty.
// 2. Import round trips (imports.mjs): random rule sets written in kernel
//    syntax, loaded, read back (nft -j list ruleset / iptables-save),
//    imported with `fwlang import`, and fwlang's verdicts on the import
//    compared with the kernel's, port by port.
//
// Exit 0 only when every comparison agreed; 1 on any disagreement and on any
// set-up failure (never a pass). Environment: FWLANG_ORACLE_SEED,
// FWLANG_ORACLE_RANDOM, FWLANG_ORACLE_IMPORTS, FWLANG_ORACLE_TIMEOUT_MS.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, buildTopology, makeProber, NS_KEYS } from './topology.mjs';
import { sanity } from './sanity.mjs';
import { addressOf, handScenarios, kindText, randomScenario, render } from './scenarios.mjs';
import { runImports } from './imports.mjs';
import { icmpFlow, natFlow, plainFlow } from './compare.mjs';
import {
  cleanUpOnExit,
  cleanupSync,
  fatal,
  findTool,
  fwlang,
  indent,
  mulberry32,
  onCleanup,
  pool,
  ROOT,
  run,
  snapshotCli,
} from './util.mjs';

const NS_NAMES = { c: 'client', r1: 'r1', r2: 'r2', s: 'server' };

// ---------------------------------------------------------- preparation ----
// For each scenario, in the background while the kernel is probed: write its
// files, ask fwlang simulate, and export each namespace's firewalls.

function placements(sc) {
  const at = new Map();
  for (const f of [...sc.firewalls, ...(sc.nats ?? [])]) {
    if (!at.has(f.at)) at.set(f.at, []);
    at.get(f.at).push(f);
  }
  return [...at.entries()].map(([k, items]) => ({
    at: k,
    names: items.map((x) => x.name),
    onHost: k === 'c' || k === 's',
    stateless: items.every((x) => x.stateful === false),
    format: sc.format ?? 'nftables',
  }));
}

async function prepare(sc, dir) {
  mkdirSync(dir, { recursive: true });
  sc.dir = dir;
  for (const [name, text] of Object.entries(sc.files)) writeFileSync(join(dir, name), text);
  const main = join(dir, 'main.fw');
  const sim = await fwlang(['simulate', main, '--json']);
  if (sim.code !== 0 && sim.code !== 1) throw new Error(`fwlang simulate exited ${sim.code}: ${sim.err.trim() || sim.out.trim()}`);
  try {
    sc.sim = JSON.parse(sim.out);
  } catch (e) {
    throw new Error(`fwlang simulate --json printed no JSON (${e.message}): ${sim.err.trim()}`);
  }
  sc.placements = placements(sc);
  for (const p of sc.placements) {
    const args = ['export', main, '--to', p.format, ...p.names.flatMap((n) => ['--firewall', n]), ...(p.onHost ? ['--on-host'] : [])];
    if (p.format === 'iptables') {
      const prefix = join(dir, `export-${p.at}`);
      args.push('-o', prefix);
      const r = await fwlang(args);
      if (r.code !== 0) throw new Error(`fwlang ${args.slice(0, -2).join(' ')} -o ... exited ${r.code}: ${r.err.trim()}`);
      p.v4 = `${prefix}.v4`;
      p.v6 = existsSync(`${prefix}.v6`) ? `${prefix}.v6` : null;
      if (!existsSync(p.v4)) throw new Error(`fwlang export --to iptables -o ${prefix} wrote no ${prefix}.v4`);
      p.text = `# ${prefix}.v4\n${readFileSync(p.v4, 'utf8')}` + (p.v6 ? `# ${prefix}.v6\n${readFileSync(p.v6, 'utf8')}` : '');
    } else {
      const r = await fwlang(args);
      if (r.code !== 0) throw new Error(`fwlang ${args.join(' ')} exited ${r.code}: ${r.err.trim()}`);
      p.text = r.out;
    }
    p.command = `fwlang ${args.map((a) => (a.startsWith(dir) ? a.slice(dir.length + 1) : a)).join(' ')}`;
  }
}

// What the export promises beyond the kernel's verdicts (the brief's contract).
function exportTextProblems(sc, p) {
  const out = [];
  const t = p.text;
  if (p.format === 'nftables') {
    const lines = t.split('\n').map((l) => l.trim());
    const first = lines.filter((l) => l && !l.startsWith('#'));
    if (!/^table inet fwlang\s*\{\s*\}$/.test(first[0] ?? '') || first[1] !== 'delete table inet fwlang')
      out.push(`${p.at}: the nft script does not start with "table inet fwlang {}" and "delete table inet fwlang"`);
    if (/\btable\s+(?!inet fwlang\b)/.test(t)) out.push(`${p.at}: the nft script touches a table other than inet fwlang`);
    if (/^\s*flush\s+ruleset/m.test(t)) out.push(`${p.at}: the nft script flushes the whole ruleset`);
    if (p.stateless && /\bct\s/.test(t)) out.push(`${p.at}: only stateless firewalls, yet the nft script has a ct expression`);
  } else if (p.stateless && /conntrack|--state\b|-m state/.test(t)) {
    out.push(`${p.at}: only stateless firewalls, yet the iptables rules match connection state`);
  }
  for (const set of sc.expectSets ?? []) {
    if (p.format !== 'nftables') continue;
    const groups = [...t.matchAll(/\{([^{}\n]*)\}/g)].map((m) => m[1].split(',').map((x) => x.trim()));
    if (!groups.some((g) => set.every((e) => g.includes(e))))
      out.push(
        `${p.at}: no anonymous set { ${set.join(', ')} } in the nft script (consecutive rules differing in one field are to be merged)`,
      );
  }
  return out;
}

function load(topo, p) {
  if (p.format === 'nftables') topo.nft(p.at, p.text);
  else {
    topo.iptablesRestore(p.at, p.v4);
    if (p.v6) topo.ip6tablesRestore(p.at, p.v6);
  }
}

// --------------------------------------------------------- one scenario ----

async function runScenario(sc, ctx) {
  const { topo, stats } = ctx;
  const problems = [];
  let nPorts = 0;
  const sims = sc.sim.flows;
  if (!Array.isArray(sims) || sims.length !== sc.simFlows.length)
    throw new Error(`fwlang returned ${sims?.length} flows for ${sc.simFlows.length}`);
  sc.simFlows.forEach((text, k) => {
    if (sims[k].flow !== text) throw new Error(`flow ${k + 1}: fwlang says "${sims[k].flow}", expected "${text}"`);
  });
  topo.flushAll();
  for (const k of NS_KEYS) topo.ctFlush(k);
  for (const p of sc.placements) {
    problems.push(...exportTextProblems(sc, p));
    try {
      load(topo, p);
    } catch (e) {
      throw new Error(`${NS_NAMES[p.at]} rejected \`${p.command}\`: ${e.message}`);
    }
  }
  const ctNs = sc.placements.filter((p) => !p.stateless).map((p) => p.at);
  const statelessNs = sc.placements.filter((p) => p.stateless).map((p) => p.at);
  const natAt = sc.nats?.length ? sc.nats[0].at : null;

  for (const f of sc.flows) {
    const sim = sims[f.simIndex];
    const wire = { proto: f.proto, src: addressOf(f.client), dst: addressOf(f.server), port: f.port };
    const v = sim.verdict;
    stats.verdicts[v] = (stats.verdicts[v] ?? 0) + 1;
    if (f.proto === 'icmp') {
      nPorts += await icmpFlow(f, sim, wire, ctx, ctNs, problems);
    } else if (f.natName) {
      nPorts += await natFlow(sc, f, sims, wire, ctx, { ctNs, natAt }, problems);
    } else {
      nPorts += await plainFlow(sc, f, sim, wire, ctx, ctNs, problems);
    }
    for (const k of statelessNs) {
      const n = topo.ctCount(k);
      if (n !== 0) problems.push(`${NS_NAMES[k]} holds only stateless firewalls, yet conntrack holds ${n} entries after flow "${f.text}"`);
    }
  }
  return { problems, nPorts };
}

// ================================================================= main ====

function parseArgs() {
  const a = process.argv.slice(2);
  const opt = (name, env, dflt) => {
    const i = a.indexOf(name);
    const v = i >= 0 ? a[i + 1] : process.env[env];
    return v == null || v === '' ? dflt : Number(v);
  };
  const only = a.includes('--only') ? a[a.indexOf('--only') + 1] : null;
  const o = {
    seed: opt('--seed', 'FWLANG_ORACLE_SEED', 20250601),
    random: opt('--random', 'FWLANG_ORACLE_RANDOM', 110),
    imports: opt('--imports', 'FWLANG_ORACLE_IMPORTS', 60),
    timeoutMs: opt('--timeout', 'FWLANG_ORACLE_TIMEOUT_MS', 50),
    verbose: a.includes('--verbose'),
    only,
  };
  if (
    a.includes('--help') ||
    ![o.seed, o.random, o.imports, o.timeoutMs].every((n) => Number.isInteger(n) && n >= 0) ||
    (only && !['export', 'import'].includes(only))
  ) {
    console.error(
      'usage: node test/oracle/netfilter.mjs [--seed N] [--random COUNT] [--imports COUNT] [--timeout MS] [--only export|import] [--verbose]  (as root)',
    );
    process.exit(a.includes('--help') ? 0 : 2);
  }
  return o;
}

async function main() {
  const t0 = Date.now();
  cleanUpOnExit();
  const opts = parseArgs();

  // ---- preflight: never pretend to pass
  if (process.platform !== 'linux') fatal('needs Linux (network namespaces and netfilter)');
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    fatal('needs root (ip netns, nft); run it as root, e.g. `sudo npm run test:oracle`');
  const tools = {};
  for (const [key, t, pkg] of [
    ['ip', 'ip', 'iproute2'],
    ['nft', 'nft', 'nftables'],
    ['conntrack', 'conntrack', 'conntrack'],
    ['iptablesRestore', 'iptables-restore', 'iptables'],
    ['ip6tablesRestore', 'ip6tables-restore', 'iptables'],
    ['iptablesSave', 'iptables-save', 'iptables'],
    ['ip6tablesSave', 'ip6tables-save', 'iptables'],
    ['ping', 'ping', 'iputils-ping'],
  ]) {
    tools[key] = findTool(t);
    if (!tools[key]) fatal(`\`${t}\` not found (Debian package ${pkg}); run .ci/install-oracle.sh`);
  }
  const iptv = run(tools.iptablesRestore, ['--version']).trim();
  if (!/nf_tables/.test(iptv)) fatal(`iptables-restore is not iptables-nft (${iptv}): the oracle flushes rules with nft`);
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
    console.log('dist/cli.js missing: npm run build');
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) fatal('npm run build failed');
  }

  // ---- scenarios, and fwlang's answers in the background
  const rnd = mulberry32(opts.seed);
  const hand = handScenarios();
  const scenarios = opts.only === 'import' ? [] : [...hand, ...Array.from({ length: opts.random }, (_, i) => randomScenario(rnd, i + 1))];
  for (const sc of scenarios) sc.files = render(sc);
  const tmp = mkdtempSync(join(tmpdir(), 'fwlang-oracle-'));
  onCleanup(() => rmSync(tmp, { recursive: true, force: true }));
  let version;
  try {
    version = await snapshotCli(join(tmp, 'fwlang'));
  } catch (e) {
    fatal(e.message);
  }
  const width = Math.max(1, Math.min(4, availableParallelism()));
  const prepared = pool(
    scenarios.map((sc, i) => () => prepare(sc, join(tmp, `scenario-${String(i + 1).padStart(3, '0')}`))),
    width,
  );

  // ---- the rig
  let topo;
  try {
    topo = buildTopology(tools);
  } catch (e) {
    fatal(`could not build the client — r1 — r2 — server namespaces: ${e.message}`);
  }
  const client = new Agent(tools.ip, topo.NS.c, 'client');
  const server = new Agent(tools.ip, topo.NS.s, 'server');
  const probe = makeProber(topo, client, server);
  try {
    await sanity(topo, probe);
  } catch (e) {
    fatal(`sanity check of the namespaces: ${e.message}`);
  }
  console.log(
    `netfilter oracle (Linux ${release()}, ${run(tools.nft, ['--version']).trim()}, ${iptv}, fwlang ${version}): namespaces ready and checked in ${Date.now() - t0} ms; ` +
      `${scenarios.length} export scenarios (${scenarios.length - (opts.only === 'import' ? 0 : opts.random)} by hand, ${opts.only === 'import' ? 0 : opts.random} random, seed ${opts.seed}), timeout ${opts.timeoutMs} ms`,
  );

  // ---- 1. export scenarios
  const stats = { probes: 0, kernelPasses: 0, reprobed: 0, verdicts: { allowed: 0, partial: 0, blocked: 0 } };
  const ctx = { topo, probe, opts, stats, tools, tmp };
  const tally = new Map(); // kind -> { passed, failed }
  const count = (kind, ok) => {
    if (!tally.has(kind)) tally.set(kind, { passed: 0, failed: 0 });
    tally.get(kind)[ok ? 'passed' : 'failed']++;
  };
  for (const [i, sc] of scenarios.entries()) {
    // A scenario of many firewalls (66 security groups) names its first few.
    const FEW = 4;
    const fwDesc = sc.firewalls
      .slice(0, FEW)
      .map(
        (f) =>
          `${f.name}@${NS_NAMES[f.at]} ${kindText(f)} protects ${f.protects.join(', ')}${f.default ? ` default ${f.default}` : ''}, ${f.rules.length} rules`,
      )
      .concat(sc.firewalls.length > FEW ? [`${sc.firewalls.length - FEW} more`] : [])
      .join('; ');
    const label = `${String(i + 1).padStart(3)} ${sc.name} [${sc.format ?? 'nftables'}${sc.nats?.length ? ', nat@r1' : ''}; ${fwDesc}]`;
    let problems;
    let nPorts = 0;
    const prep = await prepared[i];
    try {
      if (prep?.error) throw prep.error;
      ({ problems, nPorts } = await runScenario(sc, ctx));
    } catch (e) {
      problems = [`set-up: ${e.message}`];
    }
    const kinds = [sc.kind, `${sc.format ?? 'nftables'}`];
    if (problems.length === 0) {
      kinds.forEach((k) => count(k, true));
      console.log(`ok   ${label}: ${sc.flows.length} flows, ${nPorts} client ports`);
      if (opts.verbose) {
        for (const n of sc.notes ?? []) console.log(`     ${n}`);
        console.log(showScenario(sc));
      }
    } else {
      kinds.forEach((k) => count(k, false));
      console.log(`FAIL ${label}`);
      for (const p of problems) console.log(`     ${p}`);
      console.log(showScenario(sc));
    }
  }
  try {
    topo.flushAll();
  } catch {
    /* the namespaces are removed anyway */
  }
  if (scenarios.length)
    console.log(
      `export flows: ${Object.entries(stats.verdicts)
        .map(([k, n]) => `${n} ${k}`)
        .join(
          ', ',
        )}; probes: ${stats.probes} client ports, ${stats.kernelPasses} passed the kernel, ${stats.probes - stats.kernelPasses} dropped, ${stats.reprobed} re-probed with a 1 s timeout`,
    );

  // ---- 2. import round trips
  if (opts.only !== 'export') {
    const imp = await runImports(
      { ...ctx, stats: { probes: 0, kernelPasses: 0, reprobed: 0, verdicts: { allowed: 0, partial: 0, blocked: 0 } } },
      opts.imports,
      mulberry32(opts.seed ^ 0x5eed),
    );
    for (const [k, v] of imp) {
      for (let n = 0; n < v.passed; n++) count(k, true);
      for (let n = 0; n < v.failed; n++) count(k, false);
    }
  }

  console.log(`oracle run took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const order = [
    'single',
    'random',
    'icmp',
    'ipv6',
    'multi-hop',
    'include',
    'nat',
    'merged',
    'nftables',
    'iptables',
    'import nftables',
    'import iptables',
  ];
  const keys = [...tally.keys()].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  for (const k of keys) {
    const { passed, failed } = tally.get(k);
    console.log(`  ${k.padEnd(16)} ${String(passed + failed).padStart(4)} ran, ${passed} passed, ${failed} failed`);
  }
  const exportKinds = ['nftables', 'iptables'].map((k) => tally.get(k) ?? { passed: 0, failed: 0 });
  const importKinds = ['import nftables', 'import iptables'].map((k) => tally.get(k) ?? { passed: 0, failed: 0 });
  const sum = (xs, f) => xs.reduce((a, x) => a + x[f], 0);
  const failed = sum(exportKinds, 'failed') + sum(importKinds, 'failed');
  console.log(
    `export scenarios: ${sum(exportKinds, 'passed')} passed, ${sum(exportKinds, 'failed')} failed; import round trips: ${sum(importKinds, 'passed')} passed, ${sum(importKinds, 'failed')} failed`,
  );
  console.log(`${sum(exportKinds, 'passed') + sum(importKinds, 'passed')} passed, ${failed} failed`);
  cleanupSync();
  process.exit(failed ? 1 : 0);
}

function showScenario(sc) {
  let s = '';
  for (const [name, text] of Object.entries(sc.files ?? {})) s += `     --- ${name}\n${indent(text)}`;
  for (const p of sc.placements ?? []) s += `     --- ${NS_NAMES[p.at]}: ${p.command}\n${indent(p.text ?? '')}`;
  return s.replace(/\n$/, '');
}

main().catch((err) => fatal(err && err.stack ? err.stack : String(err)));
