#!/usr/bin/env node
// Real-kernel oracle: checks that what `fwlang simulate` says about a flow is
// what Linux netfilter actually does with it.
//
//   sudo node test/oracle/netfilter.mjs [--seed N] [--random N] [--timeout MS] [--verbose]
//   (npm run test:oracle; needs root, `ip netns`, nft and conntrack:
//    .ci/install-oracle.sh installs them)
//
// Set-up (see ../shared/notes/netfilter.md): three network namespaces,
//   client 10.99.1.2/24 — fw 10.99.1.1 | 10.99.2.1 (forwarding) — server 10.99.2.2/24
// joined by veth pairs created directly inside the namespaces; nothing is sent
// anywhere else. Each scenario is ONE firewall, kept here as a small model
// that is rendered twice: as a `.fw` file for fwlang, and as an nftables rule
// set loaded in the fw namespace (translate() below, a literal reading of
// language spec §5 and §6):
//   - the `protects` inside is a set; a packet whose source and destination
//     are both inside or both outside does not cross the firewall (§5.1):
//     accept;
//   - inbound = daddr inside and saddr outside, outbound = the reverse;
//   - the rules in evaluation order (ascending number, else file order), each
//     `accept` or `drop`, first match wins; the firewall's default is the
//     chain policy;
//   - stateless: `notrack` in raw prerouting, no `ct` expression anywhere
//     (checked: conntrack holds no entry after the flows);
//     stateful: `ct state established,related accept` first.
// Each flow is then sent for real from every client source port probed: a
// TCP connection bound to that port (request "ping", response "pong") or a
// UDP datagram echoed by the server. A port passes when the whole exchange
// got through. The result is compared, port by port, with fwlang's
// allowedClientPorts / blockedClientPorts and its verdict.
//
// Exit 0 when every scenario agrees, 1 on any disagreement or set-up failure.
// Environment: FWLANG_ORACLE_SEED, FWLANG_ORACLE_RANDOM, FWLANG_ORACLE_TIMEOUT_MS.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import net from 'node:net';
import dgram from 'node:dgram';

const THIS_FILE = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(THIS_FILE), '..', '..');

const CLIENT_IP = '10.99.1.2';
const SERVER_IP = '10.99.2.2';

// ============================================================== agents ====
// Run inside the client / server namespaces (`ip netns exec NS node THIS
// --agent client|server`); driven by one JSON object per line on stdin,
// answering one JSON object per line on stdout.

function runAgent(role) {
  const send = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
  const rl = createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  const server = role === 'server' ? serverAgent() : null;
  rl.on('line', (line) => {
    const msg = JSON.parse(line);
    queue = queue.then(async () => {
      try {
        const out = role === 'server' ? await server(msg) : await clientProbe(msg);
        send({ id: msg.id, ok: true, ...out });
      } catch (err) {
        send({ id: msg.id, ok: false, error: String(err && err.message ? err.message : err) });
      }
    });
  });
  rl.on('close', () => process.exit(0));
}

function serverAgent() {
  let listeners = [];
  let conns = new Set();
  let seen = new Set(); // client ports whose request reached the server
  return async (msg) => {
    if (msg.cmd === 'listen') {
      if (msg.proto === 'tcp') {
        const srv = net.createServer((sock) => {
          conns.add(sock);
          sock.on('error', () => {});
          sock.on('close', () => conns.delete(sock));
          sock.on('data', () => {
            seen.add(sock.remotePort);
            sock.write('pong');
          });
        });
        await new Promise((res, rej) => {
          srv.once('error', rej);
          srv.listen({ host: SERVER_IP, port: msg.port, backlog: 4096 }, res);
        });
        listeners.push(srv);
      } else {
        const sock = dgram.createSocket('udp4');
        sock.on('message', (_data, rinfo) => {
          seen.add(rinfo.port);
          sock.send('pong', rinfo.port, rinfo.address);
        });
        await new Promise((res, rej) => {
          sock.once('error', rej);
          sock.bind(msg.port, SERVER_IP, res);
        });
        listeners.push(sock);
      }
      return {};
    }
    if (msg.cmd === 'close') {
      // Closing a TCP listener also drops its half-open connections (SYN_RECV),
      // so nothing of this flow is left for the next one.
      for (const l of listeners) l.close();
      for (const c of conns) c.destroy();
      const out = { seen: [...seen].sort((a, b) => a - b) };
      listeners = [];
      conns = new Set();
      seen = new Set();
      return out;
    }
    throw new Error(`unknown command ${msg.cmd}`);
  };
}

async function clientProbe(msg) {
  if (msg.cmd !== 'probe') throw new Error(`unknown command ${msg.cmd}`);
  const one = msg.proto === 'tcp' ? tcpProbe : udpProbe;
  const results = await Promise.all(msg.sports.map((p) => one(msg.host, msg.port, p, msg.timeoutMs)));
  return { results }; // per port: 'pass' | 'timeout' | 'error: ...'
}

function tcpProbe(host, port, sport, timeoutMs) {
  return new Promise((res) => {
    let done = false;
    const sock = net.connect({ host, port, localAddress: CLIENT_IP, localPort: sport });
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // RST instead of FIN: no TIME_WAIT left on either side for the next flow
      if (typeof sock.resetAndDestroy === 'function' && sock.readyState === 'open') sock.resetAndDestroy();
      else sock.destroy();
      res(r);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.on('connect', () => sock.write('ping'));
    let got = '';
    sock.on('data', (d) => {
      got += d.toString();
      if (got.includes('pong')) finish('pass');
    });
    sock.on('error', (e) => finish(`error: ${e.code || e.message}`));
  });
}

function udpProbe(host, port, sport, timeoutMs) {
  return new Promise((res) => {
    let done = false;
    const sock = dgram.createSocket('udp4');
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        sock.close();
      } catch {
        /* already closed */
      }
      res(r);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.on('error', (e) => finish(`error: ${e.code || e.message}`));
    sock.on('message', (data, rinfo) => {
      if (rinfo.address === host && rinfo.port === port && data.toString() === 'pong') finish('pass');
    });
    sock.bind(sport, CLIENT_IP, () => sock.send('ping', port, host));
  });
}

// =============================================================== model ====

const PROFILES = { linux: [32768, 60999], windows: [49152, 65535], macos: [49152, 65535], iana: [49152, 65535], wide: [1024, 65535] };
const BUILTIN_SERVICES = {
  http: ['tcp', 80],
  https: ['tcp', 443],
  ssh: ['tcp', 22],
  dns: ['udp', 53],
  smtp: ['tcp', 25],
  ntp: ['udp', 123],
  rdp: ['tcp', 3389],
  postgres: ['tcp', 5432],
  mysql: ['tcp', 3306],
};

// The names every scenario declares (rendered at the top of each .fw file).
// Each scenario may give `client`/`server` an ephemeral clause, declare a
// default ephemeral range, and its own services.
const NETWORKS = {
  clients: ['10.99.1.0/24'],
  servers: ['10.99.2.0/24'],
  partners: ['10.99.1.0/25', '10.99.3.0/24'],
  internet: ['0.0.0.0/0'],
  elsewhere: ['10.99.3.0/24', '10.99.4.0/23'],
};
const HOSTS = { client: CLIENT_IP, server: SERVER_IP, other: '10.99.3.3' };
const CUSTOM_PROFILES = { narrow: [40000, 45000] };
const CUSTOM_SERVICES = { web: ['tcp', 8080], game: ['udp', 27015] };

const ipToInt = (s) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const intToIp = (n) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
function prefixRange(p) {
  const [a, len = '32'] = p.split('/');
  const size = 2 ** (32 - Number(len));
  const lo = ipToInt(a);
  if (lo % size !== 0) throw new Error(`host bits set in ${p}`);
  return [lo, lo + size - 1];
}
function mergeRanges(rs) {
  const s = [...rs].sort((x, y) => x[0] - y[0]);
  const out = [];
  for (const [lo, hi] of s) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}
const inRanges = (rs, x) => rs.some(([lo, hi]) => lo <= x && x <= hi);
const sameRanges = (a, b) => JSON.stringify(mergeRanges(a)) === JSON.stringify(mergeRanges(b));
const rangesText = (rs) =>
  mergeRanges(rs)
    .map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`))
    .join(',');
function parsePortList(s) {
  if (s === '' || s == null) return [];
  return s.split(',').map((x) => {
    const [lo, hi = lo] = x.trim().split('-').map(Number);
    return [lo, hi];
  });
}

function profileRange(sc, name) {
  if (/^\d+-\d+$/.test(name)) return name.split('-').map(Number);
  return CUSTOM_PROFILES[name] || PROFILES[name] || null;
}
function serviceOf(name) {
  return CUSTOM_SERVICES[name] || BUILTIN_SERVICES[name] || null;
}

// An endpoint reference: a declared name, `any`, or a literal address/prefix.
// Its addresses and its ephemeral range (spec §3: its own clause, else the
// file's default, else wide; `any` and literals have no clause).
function resolveEndpoint(sc, ref) {
  const fileDefault = sc.defaultEphemeral ? profileRange(sc, sc.defaultEphemeral) : PROFILES.wide;
  if (ref === 'any') return { addrs: [[0, 2 ** 32 - 1]], eph: fileDefault };
  if (HOSTS[ref] || NETWORKS[ref]) {
    const prefixes = HOSTS[ref] ? [HOSTS[ref]] : NETWORKS[ref];
    const clause = sc.ephemeral?.[ref];
    return { addrs: mergeRanges(prefixes.map(prefixRange)), eph: clause ? profileRange(sc, clause) : fileDefault };
  }
  if (/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(ref)) return { addrs: [prefixRange(ref)], eph: fileDefault };
  throw new Error(`unknown endpoint ${ref}`);
}

// Port items: a number, [lo, hi], a service name, or 'ephemeral' (the
// ephemeral range of the endpoint on the same side, spec §4).
function resolvePorts(sc, items, sideRef) {
  const out = [];
  for (const it of items) {
    if (typeof it === 'number') out.push([it, it]);
    else if (Array.isArray(it)) out.push(it);
    else if (it === 'ephemeral') out.push(resolveEndpoint(sc, sideRef ?? 'any').eph);
    else out.push([serviceOf(it)[1], serviceOf(it)[1]]);
  }
  return mergeRanges(out);
}

// ----------------------------------------------------------- rendering ----

function portsText(items) {
  const one = (it) => (typeof it === 'number' ? `${it}` : Array.isArray(it) ? `${it[0]}-${it[1]}` : it);
  return items.length === 1 ? one(items[0]) : `[${items.map(one).join(', ')}]`;
}

function renderFw(sc) {
  const L = [`# fwlang kernel oracle: ${sc.name}`];
  for (const [n, [lo, hi]] of Object.entries(CUSTOM_PROFILES)) L.push(`ephemeral ${n} ${lo}-${hi}`);
  if (sc.defaultEphemeral) L.push(`default ephemeral ${sc.defaultEphemeral}`);
  for (const [n, a] of Object.entries(HOSTS)) L.push(`host ${n} ${a}${sc.ephemeral?.[n] ? ` ephemeral ${sc.ephemeral[n]}` : ''}`);
  for (const [n, ps] of Object.entries(NETWORKS))
    L.push(`network ${n} ${ps.join(', ')}${sc.ephemeral?.[n] ? ` ephemeral ${sc.ephemeral[n]}` : ''}`);
  for (const [n, [proto, port]] of Object.entries(CUSTOM_SERVICES)) L.push(`service ${n} ${proto} ${port}`);
  const fw = sc.firewall;
  L.push(
    `firewall fw ${fw.stateful ? 'stateful' : 'stateless'} protects ${fw.protects.join(', ')}${fw.default ? ` default ${fw.default}` : ''} {`,
  );
  fw.rules.forEach((r) => {
    r.line = L.length + 1;
    let s = `  ${r.num != null ? `${r.num} ` : ''}${r.dir} ${r.action} ${r.proto}`;
    if (r.from) s += ` from ${r.from.ep}${r.from.ports ? ` port ${portsText(r.from.ports)}` : ''}`;
    if (r.to) s += ` to ${r.to.ep}${r.to.ports ? ` port ${portsText(r.to.ports)}` : ''}`;
    L.push(s);
  });
  L.push('}');
  for (const f of sc.flows) {
    f.text = `${f.client}${f.sports ? `:${portsText(compressPorts(f.sports))}` : ''} -> server ${f.service ?? `${f.proto} ${f.port}`}`;
    L.push(`flow ${f.text}`);
  }
  return L.join('\n') + '\n';
}

function compressPorts(ports) {
  return mergeRanges(ports.map((p) => [p, p])).map(([lo, hi]) => (lo === hi ? lo : [lo, hi]));
}

// ---------------------------------------------------------- translation ----
// The firewall as an nftables rule set: spec §5 (direction, order, first
// match, default) and §6 (stateless: no tracking; stateful: established and
// related packets accepted before any rule).

function evaluationOrder(rules) {
  const numbered = rules.some((r) => r.num != null);
  const idx = rules.map((r, i) => [r, i]);
  if (numbered) idx.sort((a, b) => a[0].num - b[0].num || a[1] - b[1]);
  return idx.map(([r]) => r);
}

function nftAddrs(ranges) {
  const one = ([lo, hi]) => {
    const size = hi - lo + 1;
    const len = 32 - Math.log2(size);
    if (Number.isInteger(len) && lo % size === 0) return len === 32 ? intToIp(lo) : `${intToIp(lo)}/${len}`;
    return `${intToIp(lo)}-${intToIp(hi)}`;
  };
  return `{ ${ranges.map(one).join(', ')} }`;
}
function nftPorts(ranges) {
  return `{ ${ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(', ')} }`;
}

function translate(sc) {
  const fw = sc.firewall;
  const inside = mergeRanges(fw.protects.flatMap((p) => resolveEndpoint(sc, p).addrs));
  const L = [];
  L.push('flush ruleset');
  L.push('table ip fwlang_oracle {');
  L.push(`  set inside { type ipv4_addr; flags interval; elements = ${nftAddrs(inside)}; }`);
  if (!fw.stateful) {
    L.push('  chain raw_prerouting {');
    L.push('    type filter hook prerouting priority raw; policy accept;');
    L.push('    notrack');
    L.push('  }');
  }
  L.push('  chain forward {');
  L.push(`    type filter hook forward priority filter; policy ${fw.default === 'allow' ? 'accept' : 'drop'};`);
  if (fw.stateful) L.push('    ct state established,related accept');
  L.push('    ip saddr @inside ip daddr @inside accept comment "does not cross fw"');
  L.push('    ip saddr != @inside ip daddr != @inside accept comment "does not cross fw"');
  for (const r of evaluationOrder(fw.rules)) {
    const m = [r.dir === 'inbound' ? 'ip saddr != @inside ip daddr @inside' : 'ip saddr @inside ip daddr != @inside'];
    if (r.proto !== 'all') m.push(`meta l4proto ${r.proto}`);
    if (r.from && r.from.ep !== 'any') m.push(`ip saddr ${nftAddrs(resolveEndpoint(sc, r.from.ep).addrs)}`);
    if (r.from?.ports) m.push(`${r.proto} sport ${nftPorts(resolvePorts(sc, r.from.ports, r.from.ep))}`);
    if (r.to && r.to.ep !== 'any') m.push(`ip daddr ${nftAddrs(resolveEndpoint(sc, r.to.ep).addrs)}`);
    if (r.to?.ports) m.push(`${r.proto} dport ${nftPorts(resolvePorts(sc, r.to.ports, r.to.ep))}`);
    m.push(r.action === 'allow' ? 'accept' : 'drop');
    m.push(`comment "line ${r.line}"`);
    L.push(`    ${m.join(' ')}`);
  }
  L.push('  }');
  L.push('}');
  return L.join('\n') + '\n';
}

// ============================================================ scenarios ====

const BOUNDARY_PORTS = [1000, 1023, 1024, 1025, 32767, 32768, 39999, 40000, 45000, 45001, 49151, 49152, 60999, 61000, 65535];
const B = {
  linux: [32767, 32768, 60999, 61000],
  iana: [49151, 49152, 65535],
  wide: [1023, 1024, 65535],
  narrow: [39999, 40000, 45000, 45001],
};
const ALL_B = [...new Set([...B.linux, ...B.iana, ...B.wide])].sort((a, b) => a - b);

const R = (num, dir, action, proto, from, to) => ({
  num,
  dir,
  action,
  proto,
  from: from ? { ep: from[0], ports: from[1] ?? null } : null,
  to: to ? { ep: to[0], ports: to[1] ?? null } : null,
});
const tcpFlow = (port, sports, client = 'client') => ({ client, proto: 'tcp', port, sports });
const udpFlow = (port, sports, client = 'client') => ({ client, proto: 'udp', port, sports });
const svcFlow = (service, sports, client = 'client') => ({
  client,
  service,
  proto: serviceOf(service)[0],
  port: serviceOf(service)[1],
  sports,
});

function handScenarios() {
  const S = [];
  const add = (name, firewall, flows, extra = {}) => S.push({ name, firewall, flows, ...extra });

  add(
    'spec §1 edge: request and response rules, numbered',
    {
      stateful: false,
      protects: ['servers'],
      rules: [
        R(100, 'inbound', 'allow', 'tcp', ['internet'], ['server', ['https']]),
        R(110, 'outbound', 'allow', 'tcp', ['server', ['https']], ['internet', ['ephemeral']]),
      ],
    },
    [svcFlow('https', [1000, 1023, 1024, 32768, 65535]), tcpFlow(22, [40000])],
  );

  add(
    'the note: response rule 49152-65535, linux client',
    {
      stateful: false,
      protects: ['servers'],
      rules: [
        R(100, 'inbound', 'allow', 'tcp', null, ['server', [80]]),
        R(110, 'outbound', 'allow', 'tcp', ['server', [80]], ['clients', [[49152, 65535]]]),
      ],
    },
    [tcpFlow(80, ALL_B), tcpFlow(80, null)],
    { ephemeral: { client: 'linux' } },
  );

  add(
    'stateless, request rule only',
    {
      stateful: false,
      protects: ['servers'],
      rules: [R(null, 'inbound', 'allow', 'tcp', ['client'], ['server', [80]])],
    },
    [tcpFlow(80, [1024, 40001, 50001]), udpFlow(80, [40001])],
  );

  add(
    'stateful, request rule only',
    {
      stateful: true,
      protects: ['servers'],
      rules: [
        R(null, 'inbound', 'allow', 'tcp', ['client'], ['server', [80]]),
        R(null, 'inbound', 'allow', 'udp', ['client'], ['server', ['dns']]),
      ],
    },
    [tcpFlow(80, [1024, 40001, 50001]), svcFlow('dns', [32767, 60999, 61000]), tcpFlow(81, [40001])],
  );

  add(
    'protects the client: dns out, response in to ephemeral linux',
    {
      stateful: false,
      protects: ['clients'],
      rules: [
        R(null, 'outbound', 'allow', 'udp', ['client'], ['servers', ['dns']]),
        R(null, 'inbound', 'allow', 'udp', ['servers', ['dns']], ['client', ['ephemeral']]),
      ],
    },
    [svcFlow('dns', [1024, 32767, 32768, 60999, 61000, 65535]), svcFlow('dns', null), udpFlow(54, [40000])],
    { ephemeral: { client: 'linux' } },
  );

  add(
    'unnumbered: deny before allow, file order',
    {
      stateful: false,
      protects: ['servers'],
      rules: [
        R(null, 'inbound', 'deny', 'tcp', ['any', [[1024, 32767]]], ['server', [80]]),
        R(null, 'inbound', 'allow', 'tcp', null, ['server', [80]]),
        R(null, 'outbound', 'allow', 'tcp', ['server', [80]], null),
        R(null, 'outbound', 'deny', 'tcp', ['server'], ['client', [[60000, 65535]]]),
      ],
    },
    [tcpFlow(80, [1023, 1024, 32767, 32768, 59999, 60000, 65535])],
  );

  add(
    'numbered out of file order: lower number wins',
    {
      stateful: false,
      protects: ['servers'],
      rules: [
        R(200, 'inbound', 'allow', 'tcp', null, ['server', [80]]),
        R(100, 'inbound', 'deny', 'tcp', ['client', [[49152, 65535]]], ['server', [80]]),
        R(100, 'outbound', 'allow', 'tcp', ['server', [80]], ['client', [[1024, 65535]]]),
        R(50, 'outbound', 'deny', 'tcp', ['server', [80]], ['client', [[32768, 40000]]]),
      ],
    },
    [tcpFlow(80, [1024, 32767, 32768, 40000, 40001, 49151, 49152, 65535])],
  );

  add(
    'stateless default allow, responses to iana denied',
    {
      stateful: false,
      protects: ['server'],
      default: 'allow',
      rules: [
        R(10, 'outbound', 'deny', 'tcp', ['server'], ['any', [[49152, 65535]]]),
        R(20, 'inbound', 'deny', 'udp', null, ['server', [53]]),
      ],
    },
    [tcpFlow(443, ALL_B), udpFlow(53, [40000]), udpFlow(123, [49152])],
  );

  add(
    'stateful default allow, some requests denied',
    {
      stateful: true,
      protects: ['servers'],
      default: 'allow',
      rules: [
        R(null, 'inbound', 'deny', 'tcp', ['clients', [[32768, 49151]]], ['server', [22]]),
        R(null, 'inbound', 'deny', 'udp', null, null),
      ],
    },
    [svcFlow('ssh', [1024, 32767, 32768, 49151, 49152]), udpFlow(53, [50000]), tcpFlow(80, [50000])],
  );

  add(
    'stateful: a response deny rule is never used for responses',
    {
      stateful: true,
      protects: ['servers'],
      default: 'deny',
      rules: [
        R(null, 'outbound', 'deny', 'tcp', ['server', [80]], ['client']),
        R(null, 'outbound', 'deny', 'udp', ['server'], null),
        R(null, 'inbound', 'allow', 'tcp', ['client'], ['server', [80]]),
        R(null, 'inbound', 'allow', 'udp', ['client'], ['server', [53]]),
      ],
    },
    [tcpFlow(80, [1024, 40000, 65535]), udpFlow(53, [1024, 40000])],
  );

  add(
    'stateful protects the client: only response rules, requests denied',
    {
      stateful: true,
      protects: ['clients'],
      rules: [
        R(null, 'inbound', 'allow', 'tcp', ['server', [80]], ['client', ['ephemeral']]),
        R(null, 'outbound', 'deny', 'tcp', null, null),
      ],
    },
    [tcpFlow(80, [40000, 50000])],
  );

  add(
    'port lists with ephemeral and services; literal address uses the file default',
    {
      stateful: false,
      protects: ['servers'],
      rules: [
        R(null, 'inbound', 'allow', 'tcp', ['client'], ['server', [80, 'ssh']]),
        R(null, 'outbound', 'allow', 'tcp', ['server', ['http', 22]], [CLIENT_IP, ['ephemeral', 1000]]),
      ],
    },
    [tcpFlow(80, [999, 1000, 1001, 32767, 32768, 49151, 49152, 65535]), svcFlow('ssh', [32768, 60999, 61000])],
    { ephemeral: { client: 'linux' }, defaultEphemeral: 'windows' },
  );

  add(
    'custom profile as the file default; flow from a literal client',
    {
      stateful: false,
      protects: ['clients'],
      rules: [
        R(null, 'outbound', 'allow', 'tcp', ['clients', ['ephemeral']], ['server', ['web']]),
        R(null, 'inbound', 'allow', 'tcp', ['server', ['web']], ['clients', ['ephemeral']]),
      ],
    },
    [svcFlow('web', B.narrow), svcFlow('web', null, CLIENT_IP), svcFlow('web', null)],
    { defaultEphemeral: 'narrow', ephemeral: { client: 'linux' } },
  );

  add(
    'protects both sides: no firewall crossed',
    {
      stateful: false,
      protects: ['10.99.0.0/16'],
      rules: [R(null, 'inbound', 'deny', 'all', null, null), R(null, 'outbound', 'deny', 'all', null, null)],
    },
    [tcpFlow(80, [40000]), udpFlow(53, [40000])],
  );

  add(
    'protects the server host only; `all` rules and a network with two prefixes',
    {
      stateful: false,
      protects: ['server'],
      rules: [
        R(1, 'inbound', 'deny', 'icmp', null, null),
        R(2, 'inbound', 'allow', 'all', ['partners'], ['server']),
        R(1, 'outbound', 'allow', 'all', ['server'], ['10.99.1.0/25']),
      ],
    },
    [tcpFlow(5432, [40000, 65535]), udpFlow(27015, [1024])],
  );

  add(
    'stateful udp, requests from high ports denied',
    {
      stateful: true,
      protects: ['servers'],
      rules: [
        R(10, 'inbound', 'deny', 'udp', ['client', [[49152, 65535]]], null),
        R(20, 'inbound', 'allow', 'udp', null, ['servers', ['game', 'ntp']]),
      ],
    },
    [svcFlow('game', ALL_B), svcFlow('ntp', [49151, 49152]), udpFlow(53, [40000])],
  );

  add(
    'server port range; client ports below 1024',
    {
      stateful: false,
      protects: ['servers'],
      rules: [
        R(null, 'inbound', 'allow', 'tcp', null, ['servers', [[8000, 8100]]]),
        R(null, 'outbound', 'allow', 'tcp', ['servers', [[8000, 8100]]], ['clients', [[1024, 65535]]]),
        R(null, 'outbound', 'allow', 'tcp', ['servers', [8100]], ['clients', [[1, 1023]]]),
      ],
    },
    [tcpFlow(8080, [1000, 1023, 1024]), tcpFlow(8100, [1000, 1023, 1024]), tcpFlow(8101, [1024])],
  );

  add(
    'client ephemeral windows, default ephemeral linux, response to the client network',
    {
      stateful: false,
      protects: ['servers'],
      rules: [
        R(null, 'inbound', 'allow', 'udp', ['clients'], ['server', [53]]),
        R(null, 'outbound', 'allow', 'udp', ['server', [53]], ['clients', ['ephemeral']]),
      ],
    },
    [udpFlow(53, ALL_B), udpFlow(53, null)],
    { ephemeral: { client: 'windows' }, defaultEphemeral: 'linux' },
  );

  return S;
}

// ----------------------------------------------------- random scenarios ----

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomScenario(rnd, i) {
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const chance = (p) => rnd() < p;
  const stateful = chance(0.5);
  const serverSide = chance(0.5); // protects the server side (else the client side)
  const serverEps = ['server', 'servers', SERVER_IP, '10.99.2.0/24'];
  const clientEps = ['client', 'clients', 'partners', CLIENT_IP, '10.99.1.0/24'];
  const protects = serverSide
    ? pick([['server'], ['servers'], ['10.99.2.0/24'], ['servers', 'other']])
    : pick([['client'], ['clients'], ['10.99.1.0/24'], ['partners'], ['clients', 'elsewhere']]);
  const svcPorts = { tcp: [80, 443, 8080, 22], udp: [53, 123, 27015] };
  const svcNames = { tcp: ['http', 'https', 'web', 'ssh'], udp: ['dns', 'ntp', 'game'] };
  const clientPortItems = () => {
    const one = () =>
      pick(['ephemeral', 'ephemeral', [1024, 65535], [32768, 60999], [49152, 65535], [40000, 45000], [1, 1023], 40000, [32768, 49151]]);
    return chance(0.2) ? [one(), one()] : [one()];
  };
  const serverPortItems = (proto) => {
    const one = () =>
      chance(0.5)
        ? pick(svcPorts[proto])
        : chance(0.5)
          ? pick(svcNames[proto])
          : pick([
              [1, 1023],
              [8000, 8100],
              [20, 80],
            ]);
    return chance(0.2) ? [one(), one()] : [one()];
  };
  const n = 2 + Math.floor(rnd() * 5);
  const numbered = chance(0.5);
  const used = { inbound: new Set(), outbound: new Set() };
  const rules = [];
  for (let k = 0; k < n; k++) {
    const dir = chance(0.5) ? 'inbound' : 'outbound';
    // request-oriented (client side -> server side) or response-oriented
    const outsideIsClient = serverSide;
    const fromClientSide = (dir === 'inbound') === outsideIsClient;
    const proto = pick(['tcp', 'tcp', 'tcp', 'udp', 'udp', 'udp', 'all', 'icmp']);
    const action = chance(0.7) ? 'allow' : 'deny';
    const side = (isClient) => {
      if (chance(0.25)) return null;
      const ep = isClient ? pick([...clientEps, 'any', 'internet', 'other']) : pick([...serverEps, 'any']);
      let ports = null;
      if ((proto === 'tcp' || proto === 'udp') && chance(0.7)) {
        const clientish = chance(0.85) ? isClient : !isClient;
        ports = clientish ? clientPortItems() : serverPortItems(proto);
      }
      return { ep, ports };
    };
    let num = null;
    if (numbered) {
      do num = 10 * (1 + Math.floor(rnd() * 20));
      while (used[dir].has(num));
      used[dir].add(num);
    }
    rules.push({ num, dir, action, proto, from: side(fromClientSide), to: side(!fromClientSide) });
  }
  const profiles = [undefined, 'linux', 'windows', 'wide', 'narrow', '40000-45000'];
  const ephemeral = { client: pick(profiles), server: pick([undefined, undefined, 'linux']), clients: pick([undefined, 'iana']) };
  const defaultEphemeral = pick([undefined, undefined, 'linux', 'iana', 'narrow']);
  const flows = [];
  const nf = 2 + Math.floor(rnd() * 2);
  for (let k = 0; k < nf; k++) {
    const proto = chance(0.55) ? 'tcp' : 'udp';
    const port = pick(svcPorts[proto]);
    let sports = null;
    if (chance(0.8)) {
      const s = new Set();
      const m = 5 + Math.floor(rnd() * 6);
      while (s.size < m) s.add(pick(BOUNDARY_PORTS));
      sports = [...s];
    }
    flows.push({ client: chance(0.85) ? 'client' : CLIENT_IP, proto, port, sports });
  }
  return {
    name: `random #${i}`,
    ephemeral,
    defaultEphemeral,
    firewall: { stateful, protects, default: pick([undefined, 'deny', 'allow']), rules },
    flows,
  };
}

// ============================================================== driver ====

const cleanups = [];
let cleanedUp = false;
function cleanupSync() {
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
function fatal(msg) {
  console.error(`netfilter oracle: SET-UP FAILURE: ${msg}`);
  cleanupSync();
  process.exit(1);
}
function cleanUpOnExit() {
  process.on('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      console.error(`netfilter oracle: interrupted (${sig}), cleaning up`);
      cleanupSync();
      process.exit(1);
    });
  }
}

function findTool(name) {
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

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

function parseArgs() {
  const a = process.argv.slice(2);
  const opt = (name, env, dflt) => {
    const i = a.indexOf(name);
    const v = i >= 0 ? a[i + 1] : process.env[env];
    return v == null || v === '' ? dflt : Number(v);
  };
  const o = {
    seed: opt('--seed', 'FWLANG_ORACLE_SEED', 20250601),
    random: opt('--random', 'FWLANG_ORACLE_RANDOM', 30),
    timeoutMs: opt('--timeout', 'FWLANG_ORACLE_TIMEOUT_MS', 50),
    verbose: a.includes('--verbose'),
  };
  if (a.includes('--help') || ![o.seed, o.random, o.timeoutMs].every((n) => Number.isInteger(n) && n >= 0)) {
    console.error('usage: node test/oracle/netfilter.mjs [--seed N] [--random COUNT] [--timeout MS] [--verbose]  (as root)');
    process.exit(a.includes('--help') ? 0 : 2);
  }
  return o;
}

class Agent {
  constructor(ns, role, ipPath) {
    this.role = role;
    this.next = 1;
    this.pending = new Map();
    this.proc = spawn(ipPath, ['netns', 'exec', ns, process.execPath, THIS_FILE, '--agent', role], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.stderr = '';
    this.proc.stderr.on('data', (d) => {
      this.stderr += d;
    });
    this.proc.on('exit', (code) => {
      for (const { rej } of this.pending.values()) rej(new Error(`${role} agent exited (${code}): ${this.stderr.trim()}`));
      this.pending.clear();
      this.dead = true;
    });
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok) p.res(msg);
      else p.rej(new Error(`${role} agent: ${msg.error}`));
    });
    cleanups.push(() => this.proc.kill('SIGKILL'));
  }
  call(msg) {
    if (this.dead) return Promise.reject(new Error(`${this.role} agent is not running: ${this.stderr.trim()}`));
    const id = this.next++;
    return new Promise((res, rej) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        rej(new Error(`${this.role} agent did not answer within 10 s`));
      }, 10000);
      this.pending.set(id, { res, rej, timer });
      this.proc.stdin.write(JSON.stringify({ id, ...msg }) + '\n');
    });
  }
}

async function simulateAll(dir, scenarios) {
  const cli = join(ROOT, 'bin', 'fwlang.js');
  const one = (sc, i) =>
    new Promise((res) => {
      const file = join(dir, `scenario-${String(i + 1).padStart(2, '0')}.fw`);
      writeFileSync(file, sc.fw);
      sc.file = file;
      const p = spawn(process.execPath, [cli, 'simulate', file, '--json'], { cwd: ROOT });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => {
        out += d;
      });
      p.stderr.on('data', (d) => {
        err += d;
      });
      p.on('close', (code) => {
        try {
          if (code !== 0 && code !== 1) throw new Error(`exit ${code}`);
          sc.sim = JSON.parse(out);
        } catch (e) {
          sc.simError = `fwlang simulate failed (${e.message}): ${err.trim() || out.trim()}`;
        }
        res();
      });
    });
  // at most as many fwlang processes at once as CPUs; sc.simulated settles with each
  const waiting = scenarios.map((sc, i) => {
    let go;
    sc.simulated = new Promise((res) => {
      go = () => one(sc, i).then(res);
    });
    return () => go();
  });
  const width = Math.max(1, Math.min(8, availableParallelism()));
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (waiting.length) await waiting.shift()();
    }),
  );
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
  for (const [t, pkg] of [
    ['ip', 'iproute2'],
    ['nft', 'nftables'],
    ['conntrack', 'conntrack'],
  ]) {
    tools[t] = findTool(t);
    if (!tools[t]) fatal(`\`${t}\` not found (Debian package ${pkg}); run .ci/install-oracle.sh`);
  }
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
    console.log('dist/cli.js missing: npm run build');
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) fatal('npm run build failed');
  }

  // ---- scenarios and fwlang's answers
  const rnd = mulberry32(opts.seed);
  const scenarios = [...handScenarios(), ...Array.from({ length: opts.random }, (_, i) => randomScenario(rnd, i + 1))];
  for (const sc of scenarios) {
    sc.fw = renderFw(sc);
    sc.nft = translate(sc);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'fwlang-oracle-'));
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
  // fwlang runs in the background while the kernel is probed (both take seconds)
  const simulated = simulateAll(tmp, scenarios);

  // ---- namespaces
  const ip = tools.ip;
  const prefix = 'fwlang-oracle-';
  // namespaces left by an earlier run that was killed (its pid is gone)
  try {
    for (const line of run(ip, ['netns', 'list']).split('\n')) {
      const m = line.match(/^(fwlang-oracle-(\d+)-[cfs])\b/);
      if (m && Number(m[2]) !== process.pid && !existsSync(`/proc/${m[2]}`)) spawnSync(ip, ['netns', 'del', m[1]]);
    }
  } catch (e) {
    fatal(`\`ip netns list\` does not work here: ${e.message}`);
  }
  const NS = { c: `${prefix}${process.pid}-c`, f: `${prefix}${process.pid}-f`, s: `${prefix}${process.pid}-s` };
  const inNs = (ns, cmd, args, input) => run(ip, ['netns', 'exec', ns, cmd, ...args], input);
  try {
    for (const ns of Object.values(NS)) {
      run(ip, ['netns', 'add', ns]);
      cleanups.push(() => spawnSync(ip, ['netns', 'del', ns]));
    }
    run(ip, ['link', 'add', 'c0', 'netns', NS.c, 'type', 'veth', 'peer', 'name', 'f0', 'netns', NS.f]);
    run(ip, ['link', 'add', 's0', 'netns', NS.s, 'type', 'veth', 'peer', 'name', 'f1', 'netns', NS.f]);
    // /proc/sys/net is the namespace's own; no IPv6 chatter (best effort: IPv6 may be off already)
    for (const ns of Object.values(NS)) {
      spawnSync(ip, ['netns', 'exec', ns, 'sh', '-c', 'for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do echo 1 > $f; done'], {
        stdio: 'ignore',
      });
      run(ip, ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    inNs(NS.f, 'sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
    run(ip, ['-n', NS.c, 'addr', 'add', `${CLIENT_IP}/24`, 'dev', 'c0']);
    run(ip, ['-n', NS.f, 'addr', 'add', '10.99.1.1/24', 'dev', 'f0']);
    run(ip, ['-n', NS.f, 'addr', 'add', '10.99.2.1/24', 'dev', 'f1']);
    run(ip, ['-n', NS.s, 'addr', 'add', `${SERVER_IP}/24`, 'dev', 's0']);
    for (const [ns, dev] of [
      [NS.c, 'c0'],
      [NS.f, 'f0'],
      [NS.f, 'f1'],
      [NS.s, 's0'],
    ])
      run(ip, ['-n', ns, 'link', 'set', dev, 'up']);
    run(ip, ['-n', NS.c, 'route', 'add', 'default', 'via', '10.99.1.1']);
    run(ip, ['-n', NS.s, 'route', 'add', 'default', 'via', '10.99.2.1']);
  } catch (e) {
    fatal(`could not build the client — fw — server namespaces: ${e.message}`);
  }
  const nft = (text) => inNs(NS.f, tools.nft, ['-f', '-'], text);
  const conntrack = (...args) => inNs(NS.f, tools.conntrack, args);
  const ctFlush = () => {
    const r = spawnSync(ip, ['netns', 'exec', NS.f, tools.conntrack, '-F'], { encoding: 'utf8' });
    if (r.status !== 0 && !/0 flow entries/.test(r.stderr || '')) throw new Error(`conntrack -F: ${(r.stderr || '').trim()}`);
  };
  const ctCount = () => Number(conntrack('-C').trim());

  const client = new Agent(NS.c, 'client', ip);
  const server = new Agent(NS.s, 'server', ip);

  // Probe one flow for a list of client ports: 'pass' | 'timeout' per port.
  const probe = async (proto, port, sports, timeoutMs) => {
    ctFlush();
    await server.call({ cmd: 'listen', proto, port });
    const answer = await client.call({ cmd: 'probe', proto, host: SERVER_IP, port, sports, timeoutMs }).catch((e) => ({ failure: e }));
    const { seen } = await server.call({ cmd: 'close' });
    if (answer.failure) throw answer.failure;
    const { results } = answer;
    const errors = sports.map((p, i) => [p, results[i]]).filter(([, r]) => r.startsWith('error'));
    if (errors.length) throw new Error(`probe ${proto} ${port}: ${errors.map(([p, r]) => `${p}: ${r}`).join('; ')}`);
    return { pass: results.map((r) => r === 'pass'), seen: new Set(seen) };
  };

  // ---- sanity: traffic crosses the fw namespace, and nft decides it
  try {
    nft('flush ruleset\n');
    for (const proto of ['tcp', 'udp']) {
      const open = await probe(proto, 9, [40000, 40001], 2000);
      if (!open.pass.every(Boolean)) fatal(`no ${proto} connectivity client -> fw -> server without any rule set`);
    }
    nft('flush ruleset\ntable ip t {\n  chain forward {\n    type filter hook forward priority filter; policy drop;\n  }\n}\n');
    for (const proto of ['tcp', 'udp']) {
      const shut = await probe(proto, 9, [40000], 100);
      if (shut.pass[0]) fatal(`${proto} still passes with a forward policy of drop: the traffic does not cross the fw namespace`);
    }
    nft('flush ruleset\n');
  } catch (e) {
    fatal(`sanity probe: ${e.message}`);
  }
  const versions = `Linux ${release()}, ${run(tools.nft, ['--version']).trim()}`;
  console.log(
    `netfilter oracle (${versions}): namespaces ready in ${Date.now() - t0} ms; ${scenarios.length} scenarios (${scenarios.length - opts.random} by hand, ${opts.random} random, seed ${opts.seed}), timeout ${opts.timeoutMs} ms`,
  );

  // ---- the scenarios
  let passed = 0;
  let failed = 0;
  let probes = 0;
  let kernelPasses = 0;
  let reprobed = 0;
  const verdicts = { allowed: 0, partial: 0, blocked: 0 };
  for (const [i, sc] of scenarios.entries()) {
    const fw = sc.firewall;
    const label = `${String(i + 1).padStart(2)} ${sc.name} [${fw.stateful ? 'stateful' : 'stateless'}, protects ${fw.protects.join(', ')}, default ${fw.default ?? 'deny'}, ${fw.rules.length} ${fw.rules.some((r) => r.num != null) ? 'numbered' : 'unnumbered'} rules]`;
    const problems = [];
    let nPorts = 0;
    try {
      await sc.simulated;
      if (sc.simError) throw new Error(sc.simError);
      const flows = sc.sim.flows;
      if (!Array.isArray(flows) || flows.length !== sc.flows.length)
        throw new Error(`fwlang returned ${flows?.length} flows for ${sc.flows.length}`);
      try {
        nft(sc.nft);
      } catch (e) {
        throw new Error(`nft rejected the translation: ${e.message}`);
      }
      for (const [k, f] of sc.flows.entries()) {
        const sim = flows[k];
        if (sim.flow !== f.text) throw new Error(`flow ${k + 1}: fwlang says "${sim.flow}", expected "${f.text}"`);
        const allowed = sim.response ? parsePortList(sim.response.allowedClientPorts) : [];
        const blocked = sim.response ? parsePortList(sim.response.blockedClientPorts) : null;
        // the client ports the flow considers (spec §6): given, else the client's ephemeral range
        const considered = f.sports ? mergeRanges(f.sports.map((p) => [p, p])) : [resolveEndpoint(sc, f.client).eph];
        if (blocked && !sameRanges([...allowed, ...blocked], considered)) {
          problems.push(
            `flow "${f.text}": fwlang's allowed (${rangesText(allowed)}) + blocked (${rangesText(blocked)}) client ports are not the ports the flow considers (${rangesText(considered)})`,
          );
        }
        const ownVerdict = !blocked || allowed.length === 0 ? 'blocked' : blocked.length === 0 ? 'allowed' : 'partial';
        if (sim.verdict !== ownVerdict)
          problems.push(
            `flow "${f.text}": fwlang's verdict ${sim.verdict} does not match its own client ports (allowed ${rangesText(allowed) || '-'}, blocked ${blocked ? rangesText(blocked) || '-' : 'all'})`,
          );
        let sports = f.sports;
        if (!sports) {
          // a whole ephemeral range: probe its ends and the boundaries inside it
          const [lo, hi] = considered[0];
          sports = [...new Set([lo, lo + 1, hi - 1, hi, ...BOUNDARY_PORTS.filter((p) => p >= lo && p <= hi)])].sort((a, b) => a - b);
        }
        const want = sports.map((p) => inRanges(allowed, p));
        let got = await probe(f.proto, f.port, sports, opts.timeoutMs);
        probes += sports.length;
        nPorts += sports.length;
        // A port can only look blocked by being slow: confirm such disagreements with a long timeout.
        const slow = sports.filter((p, j) => want[j] && !got.pass[j]);
        if (slow.length) {
          reprobed += slow.length;
          const again = await probe(f.proto, f.port, slow, 1000);
          slow.forEach((p, j) => {
            if (again.pass[j]) got.pass[sports.indexOf(p)] = true;
          });
        }
        if (!fw.stateful) {
          const n = ctCount();
          if (n !== 0) problems.push(`stateless, yet conntrack holds ${n} entries after flow "${f.text}" (translation not stateless)`);
        }
        const kernelOk = sports.filter((_, j) => got.pass[j]);
        kernelPasses += kernelOk.length;
        const kernelNo = sports.filter((_, j) => !got.pass[j]);
        const bad = sports.filter((_, j) => got.pass[j] !== want[j]);
        // the verdict must agree with what the kernel let through
        const v = sim.verdict;
        verdicts[v] = (verdicts[v] ?? 0) + 1;
        const verdictBad =
          (kernelOk.length && v === 'blocked') ||
          (kernelNo.length && v === 'allowed') ||
          (f.sports && kernelOk.length && kernelNo.length && v !== 'partial');
        if (bad.length || verdictBad) {
          problems.push(
            `flow "${f.text}": fwlang ${v} (allowed ${rangesText(allowed) || '-'}), kernel passes ${kernelOk.join(',') || '-'}, drops ${kernelNo.join(',') || '-'}` +
              (bad.length
                ? `; disagree on ${bad.map((p) => `${p} (fwlang ${inRanges(allowed, p) ? 'allow' : 'deny'}, kernel ${got.pass[sports.indexOf(p)] ? 'pass' : 'drop'}; request ${got.seen.has(p) ? 'reached' : 'did not reach'} the server)`).join(', ')}`
                : ''),
          );
        }
      }
    } catch (e) {
      problems.push(`set-up: ${e.message}`);
    }
    if (problems.length === 0) {
      passed++;
      console.log(`ok   ${label}: ${sc.flows.length} flows, ${nPorts} client ports`);
      if (opts.verbose) console.log(indent(sc.fw) + indent(sc.nft));
    } else {
      failed++;
      console.log(`FAIL ${label}`);
      for (const p of problems) console.log(`     ${p}`);
      console.log(`     --- the .fw file\n${indent(sc.fw)}     --- the nftables translation\n${indent(sc.nft)}`);
    }
  }
  try {
    nft('flush ruleset\n');
  } catch {
    /* cleanup removes the namespace anyway */
  }
  await simulated;
  console.log(
    `flows: ${Object.entries(verdicts)
      .map(([k, n]) => `${n} ${k}`)
      .join(
        ', ',
      )}; client ports: ${probes} probed, ${kernelPasses} passed the kernel, ${probes - kernelPasses} dropped, ${reprobed} re-probed with a 1 s timeout`,
  );
  console.log(`oracle run took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  cleanupSync();
  process.exit(failed ? 1 : 0);
}

function indent(text) {
  return (
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => `       ${l}`)
      .join('\n') + '\n'
  );
}

// (dispatched last: every const above is initialised by now)
if (process.argv[2] === '--agent') {
  runAgent(process.argv[3]);
} else {
  main().catch((err) => fatal(err && err.stack ? err.stack : String(err)));
}
