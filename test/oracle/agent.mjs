// The two ends of every probed connection, run inside the client and server
// namespaces (`ip netns exec NS node agent.mjs client|server`) and driven by
// one JSON object per line on stdin, answering one JSON object per line on
// stdout (see Agent in topology.mjs).
//
//   server: {cmd:'listen', proto, host, port} opens a TCP listener or a UDP
//           echo socket on host:port; {cmd:'close'} closes it and answers
//           the client ports (as the server saw them: with a NAT, the
//           gateway's) whose request arrived.
//   client: {cmd:'probe', proto, src, host, port, sports, timeoutMs} sends
//           the flow from every source port at once (tcp: connect, "ping",
//           wait for "pong"; udp: a datagram echoed back; icmp: one echo
//           request with `ping`, sports ignored) and answers per port
//           'pass' | 'timeout' | 'error: ...'.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import net from 'node:net';
import dgram from 'node:dgram';

const role = process.argv[2];
if (role !== 'client' && role !== 'server') {
  console.error('usage: node agent.mjs client|server');
  process.exit(2);
}

const send = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const rl = createInterface({ input: process.stdin });
let queue = Promise.resolve();
const serve = role === 'server' ? serverAgent() : clientAgent;
rl.on('line', (line) => {
  const msg = JSON.parse(line);
  queue = queue.then(async () => {
    try {
      send({ id: msg.id, ok: true, ...(await serve(msg)) });
    } catch (err) {
      send({ id: msg.id, ok: false, error: String(err && err.message ? err.message : err) });
    }
  });
});
rl.on('close', () => process.exit(0));

const familyOf = (addr) => (addr.includes(':') ? 6 : 4);

function serverAgent() {
  let listeners = [];
  let conns = new Set();
  let seen = new Set(); // client ports (as seen here) whose request reached the server
  return async (msg) => {
    if (msg.cmd === 'listen') {
      if (msg.proto === 'icmp') return {}; // the kernel answers echo requests itself
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
          srv.listen({ host: msg.host, port: msg.port, backlog: 4096 }, res);
        });
        listeners.push(srv);
      } else {
        const sock = dgram.createSocket(familyOf(msg.host) === 6 ? 'udp6' : 'udp4');
        sock.on('message', (_data, rinfo) => {
          seen.add(rinfo.port);
          sock.send('pong', rinfo.port, rinfo.address);
        });
        await new Promise((res, rej) => {
          sock.once('error', rej);
          sock.bind(msg.port, msg.host, res);
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

async function clientAgent(msg) {
  if (msg.cmd !== 'probe') throw new Error(`unknown command ${msg.cmd}`);
  if (msg.proto === 'icmp') return { results: [await icmpProbe(msg.src, msg.host, msg.timeoutMs)] };
  const one = msg.proto === 'tcp' ? tcpProbe : udpProbe;
  const results = await Promise.all(msg.sports.map((p) => one(msg.src, msg.host, msg.port, p, msg.timeoutMs)));
  return { results };
}

function tcpProbe(src, host, port, sport, timeoutMs) {
  return new Promise((res) => {
    let done = false;
    const sock = net.connect({ host, port, localAddress: src, localPort: sport });
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

function udpProbe(src, host, port, sport, timeoutMs) {
  return new Promise((res) => {
    let done = false;
    const sock = dgram.createSocket(familyOf(host) === 6 ? 'udp6' : 'udp4');
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
    sock.bind(sport, src, () => sock.send('ping', port, host));
  });
}

// One echo request with iputils' ping; it passes when the reply arrives (exit 0).
function icmpProbe(src, host, timeoutMs) {
  return new Promise((res) => {
    const secs = Math.max(0.05, timeoutMs / 1000).toFixed(3);
    const p = spawn('ping', ['-n', '-q', '-c', '1', '-W', secs, '-I', src, host], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('error', (e) => res(`error: ping: ${e.message}`));
    p.on('close', (code) => res(code === 0 ? 'pass' : code === 1 ? 'timeout' : `error: ping exited ${code}: ${err.trim()}`));
  });
}
