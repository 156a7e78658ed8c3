// The network the oracle probes: four namespaces of its own on a line,
//
//   client ─── r1 ─── r2 ─── server
//   c0    r1a   r1b  r2a  r2b    s0
//   10.99.1.0/24     10.99.5.0/24     10.99.2.0/24
//   2001:db8:99:1::/64  2001:db8:99:5::/64  2001:db8:99:2::/64
//
// client 10.99.1.2 / 2001:db8:99:1::2, server 10.99.2.2 / 2001:db8:99:2::2;
// r1 and r2 forward (IPv4 and IPv6) and hold router firewalls (forward
// hook); r1's address towards the server, 10.99.5.1, is where a NAT gateway
// lives when r1 masquerades; host firewalls (`--on-host`) sit on the client
// or server namespace itself. Every address is inside 10.99.0.0/16 and
// 2001:db8:99::/48, every packet stays in these namespaces (veth pairs
// created inside them; no link to the host's own network). IPv6 neighbours
// are static and DAD is off, so addresses work at once and no neighbour
// discovery crosses a host firewall.
//
// Namespaces are named fwlang-oracle-PID-{c,r1,r2,s}: parallel runs never
// collide, and the ones of a run that was killed (its pid gone) are removed.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { onCleanup, run } from './util.mjs';

const AGENT = join(dirname(fileURLToPath(import.meta.url)), 'agent.mjs');

export const ADDR = {
  client4: '10.99.1.2',
  client6: '2001:db8:99:1::2',
  server4: '10.99.2.2',
  server6: '2001:db8:99:2::2',
  /** r1's address towards the server: a nat gateway's ADDRESS when r1 masquerades */
  r1out4: '10.99.5.1',
  r1out6: '2001:db8:99:5::1',
};

// [namespace, device, ipv4/24, ipv6/64, mac] for both ends of each link
const LINKS = [
  [
    ['c', 'c0', '10.99.1.2', '2001:db8:99:1::2', '02:99:01:00:00:02'],
    ['r1', 'r1a', '10.99.1.1', '2001:db8:99:1::1', '02:99:01:00:00:01'],
  ],
  [
    ['r1', 'r1b', '10.99.5.1', '2001:db8:99:5::1', '02:99:05:00:00:01'],
    ['r2', 'r2a', '10.99.5.2', '2001:db8:99:5::2', '02:99:05:00:00:02'],
  ],
  [
    ['r2', 'r2b', '10.99.2.1', '2001:db8:99:2::1', '02:99:02:00:00:01'],
    ['s', 's0', '10.99.2.2', '2001:db8:99:2::2', '02:99:02:00:00:02'],
  ],
];
// default routes: [namespace, ipv4 gateway, ipv6 gateway]
const ROUTES = [
  ['c', '10.99.1.1', '2001:db8:99:1::1'],
  ['r1', '10.99.5.2', '2001:db8:99:5::2'],
  ['r2', '10.99.5.1', '2001:db8:99:5::1'],
  ['s', '10.99.2.1', '2001:db8:99:2::1'],
];
export const NS_KEYS = ['c', 'r1', 'r2', 's'];
export const ROUTERS = ['r1', 'r2'];

/** Removes the namespaces of earlier runs that were killed (their pid is gone). */
function removeStale(ip) {
  for (const line of run(ip, ['netns', 'list']).split('\n')) {
    const m = line.match(/^(fwlang-oracle-(\d+)-[a-z0-9]+)\b/);
    if (m && Number(m[2]) !== process.pid && !existsSync(`/proc/${m[2]}`)) spawnSync(ip, ['netns', 'del', m[1]]);
  }
}

/**
 * Builds the namespaces; returns the handles the oracle drives them with.
 * tools: { ip, nft, conntrack, iptablesRestore, ip6tablesRestore }.
 */
export function buildTopology(tools) {
  const { ip } = tools;
  removeStale(ip);
  const NS = Object.fromEntries(NS_KEYS.map((k) => [k, `fwlang-oracle-${process.pid}-${k}`]));
  const inNs = (k, cmd, args, input) => run(ip, ['netns', 'exec', NS[k], cmd, ...args], input);
  for (const k of NS_KEYS) {
    run(ip, ['netns', 'add', NS[k]]);
    onCleanup(() => spawnSync(ip, ['netns', 'del', NS[k]]));
  }
  // /proc/sys/net is the namespace's own: IPv6 on, no DAD, no router advertisements; routers forward
  for (const k of NS_KEYS) {
    const router = ROUTERS.includes(k);
    const sets = [
      'ipv6/conf/all/disable_ipv6=0',
      'ipv6/conf/default/disable_ipv6=0',
      'ipv6/conf/all/accept_dad=0',
      'ipv6/conf/default/accept_dad=0',
      'ipv6/conf/all/accept_ra=0',
      'ipv6/conf/default/accept_ra=0',
      'ipv6/conf/default/router_solicitations=0',
      `ipv4/ip_forward=${router ? 1 : 0}`,
      `ipv6/conf/all/forwarding=${router ? 1 : 0}`,
    ];
    inNs(k, 'sh', ['-ec', sets.map((s) => `echo ${s.split('=')[1]} > /proc/sys/net/${s.split('=')[0]}`).join('; ')]);
    run(ip, ['-n', NS[k], 'link', 'set', 'lo', 'up']);
  }
  for (const [a, b] of LINKS) {
    run(ip, [
      'link',
      'add',
      a[1],
      'netns',
      NS[a[0]],
      'address',
      a[4],
      'type',
      'veth',
      'peer',
      'name',
      b[1],
      'netns',
      NS[b[0]],
      'address',
      b[4],
    ]);
    for (const [me, peer] of [
      [a, b],
      [b, a],
    ]) {
      run(ip, ['-n', NS[me[0]], 'addr', 'add', `${me[2]}/24`, 'dev', me[1]]);
      run(ip, ['-n', NS[me[0]], 'addr', 'add', `${me[3]}/64`, 'dev', me[1], 'nodad']);
      run(ip, ['-n', NS[me[0]], 'link', 'set', me[1], 'up']);
      run(ip, ['-n', NS[me[0]], '-6', 'neigh', 'replace', peer[3], 'lladdr', peer[4], 'dev', me[1], 'nud', 'permanent']);
      run(ip, ['-n', NS[me[0]], '-4', 'neigh', 'replace', peer[2], 'lladdr', peer[4], 'dev', me[1], 'nud', 'permanent']);
    }
  }
  for (const [k, gw4, gw6] of ROUTES) {
    run(ip, ['-n', NS[k], 'route', 'add', 'default', 'via', gw4]);
    run(ip, ['-n', NS[k], '-6', 'route', 'add', 'default', 'via', gw6]);
  }

  const ct = (k, args) => spawnSync(ip, ['netns', 'exec', NS[k], tools.conntrack, ...args], { encoding: 'utf8' });
  const topo = {
    NS,
    inNs,
    /** Loads an nft script in namespace k. */
    nft: (k, text) => inNs(k, tools.nft, ['-f', '-'], text),
    /** Removes every table of namespace k (nft's and iptables-nft's). */
    flush: (k) => inNs(k, tools.nft, ['flush', 'ruleset']),
    flushAll: () => NS_KEYS.forEach((k) => inNs(k, tools.nft, ['flush', 'ruleset'])),
    iptablesRestore: (k, file) => inNs(k, tools.iptablesRestore, [file]),
    ip6tablesRestore: (k, file) => inNs(k, tools.ip6tablesRestore, [file]),
    ruleset: (k) => inNs(k, tools.nft, ['list', 'ruleset']),
    ctFlush: (k) => {
      const r = ct(k, ['-F']);
      if (r.status !== 0 && !/0 flow entries/.test(r.stderr || '')) throw new Error(`conntrack -F in ${k}: ${(r.stderr || '').trim()}`);
    },
    ctCount: (k) => {
      const r = ct(k, ['-C']);
      if (r.status !== 0) throw new Error(`conntrack -C in ${k}: ${(r.stderr || '').trim()}`);
      return Number(r.stdout.trim());
    },
    /** The conntrack entries of namespace k for proto: [{ sport, replyDport, replyDst }] (sport: the original source port). */
    ctEntries: (k, proto) => {
      const r = ct(k, ['-L', '-p', proto]);
      if (r.status !== 0) throw new Error(`conntrack -L in ${k}: ${(r.stderr || '').trim()}`);
      return r.stdout
        .split('\n')
        .filter((l) => l.includes('sport='))
        .map((l) => {
          const sports = [...l.matchAll(/sport=(\d+)/g)].map((m) => Number(m[1]));
          const dports = [...l.matchAll(/dport=(\d+)/g)].map((m) => Number(m[1]));
          const dsts = [...l.matchAll(/dst=(\S+)/g)].map((m) => m[1]);
          return { sport: sports[0], replyDport: dports[dports.length - 1], replyDst: dsts[dsts.length - 1] };
        });
    },
  };
  return topo;
}

/** One agent process in a namespace, answering JSON lines (agent.mjs). */
export class Agent {
  constructor(ipPath, ns, role) {
    this.role = role;
    this.next = 1;
    this.pending = new Map();
    this.proc = spawn(ipPath, ['netns', 'exec', ns, process.execPath, AGENT, role], { stdio: ['pipe', 'pipe', 'pipe'] });
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
    onCleanup(() => this.proc.kill('SIGKILL'));
  }
  call(msg) {
    if (this.dead) return Promise.reject(new Error(`${this.role} agent is not running: ${this.stderr.trim()}`));
    const id = this.next++;
    return new Promise((res, rej) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        rej(new Error(`${this.role} agent did not answer within 15 s`));
      }, 15000);
      this.pending.set(id, { res, rej, timer });
      this.proc.stdin.write(JSON.stringify({ id, ...msg }) + '\n');
    });
  }
}

/**
 * probe(flow, sports, timeoutMs, ctNs): sends one flow from every client port
 * in sports, first flushing conntrack in the namespaces ctNs; answers
 * { pass: [bool per port], seen: Set of ports the server saw, gateway: Map
 * client port -> the source port r1's NAT gave it (when natAt is given) }.
 * flow: { proto, src, dst, port }.
 */
export function makeProber(topo, client, server) {
  return async (flow, sports, timeoutMs, { ctNs = [], natAt = null } = {}) => {
    for (const k of ctNs) topo.ctFlush(k);
    await server.call({ cmd: 'listen', proto: flow.proto, host: flow.dst, port: flow.port });
    const answer = await client
      .call({ cmd: 'probe', proto: flow.proto, src: flow.src, host: flow.dst, port: flow.port, sports, timeoutMs })
      .catch((e) => ({ failure: e }));
    let gateway = null;
    let gatewayError = null;
    if (natAt && !answer.failure) {
      try {
        gateway = new Map();
        for (const e of topo.ctEntries(natAt, flow.proto)) if (sports.includes(e.sport)) gateway.set(e.sport, e.replyDport);
      } catch (e) {
        gatewayError = e;
      }
    }
    const { seen } = await server.call({ cmd: 'close' });
    if (answer.failure) throw answer.failure;
    if (gatewayError) throw gatewayError;
    const { results } = answer;
    const shown = flow.proto === 'icmp' ? ['icmp'] : sports;
    const errors = shown.map((p, i) => [p, results[i]]).filter(([, r]) => r.startsWith('error'));
    if (errors.length)
      throw new Error(`probe ${flow.proto} ${flow.dst} ${flow.port ?? ''}: ${errors.map(([p, r]) => `${p}: ${r}`).join('; ')}`);
    return { pass: results.map((r) => r === 'pass'), seen: new Set(seen), gateway };
  };
}
