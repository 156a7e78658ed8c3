// Before any scenario: prove, with small rule sets written here by hand,
// that the rig measures what the scenarios rely on. Each check throws with
// what went wrong (a set-up failure: the oracle then exits 1, never passes).
//   - with no rules, TCP, UDP and ICMP pass client -> server over IPv4 and IPv6;
//   - a forward policy of drop in r1, and in r2, stops both families: the
//     traffic really crosses both routers;
//   - an input policy of drop on the server and an output policy of drop on
//     the client stop it: host hooks see the probes;
//   - r1 masquerading to 10.99.5.1 ports 20000-20100: the server sees the
//     gateway's ports, conntrack in r1 says which, a client port inside the
//     range keeps its number;
//   - conntrack stays empty in a namespace whose rules have no ct
//     expression, and fills in one whose rules have.

import { ADDR } from './topology.mjs';

const FLOWS = [
  { proto: 'tcp', src: ADDR.client4, dst: ADDR.server4, port: 9 },
  { proto: 'udp', src: ADDR.client4, dst: ADDR.server4, port: 9 },
  { proto: 'icmp', src: ADDR.client4, dst: ADDR.server4, port: null },
  { proto: 'tcp', src: ADDR.client6, dst: ADDR.server6, port: 9 },
  { proto: 'udp', src: ADDR.client6, dst: ADDR.server6, port: 9 },
  { proto: 'icmp', src: ADDR.client6, dst: ADDR.server6, port: null },
];
const show = (f) => `${f.proto} ${f.src} -> ${f.dst}${f.port ? ` port ${f.port}` : ''}`;
const chain = (hook, policy) =>
  `table inet sanity {\n  chain c {\n    type filter hook ${hook} priority filter; policy ${policy};\n  }\n}\n`;

export async function sanity(topo, probe) {
  const expectAll = async (what, passes, timeoutMs, flows = FLOWS) => {
    for (const f of flows) {
      const r = await probe(f, [40000, 40001], timeoutMs);
      const n = r.pass.filter(Boolean).length;
      if (passes && n !== r.pass.length) throw new Error(`${what}: ${show(f)} does not pass`);
      if (!passes && n !== 0) throw new Error(`${what}: ${show(f)} still passes`);
    }
  };
  topo.flushAll();
  await expectAll('no rule set anywhere', true, 2000);
  const blockers = [
    ['r1', 'forward', 'a forward policy of drop in r1'],
    ['r2', 'forward', 'a forward policy of drop in r2'],
    ['s', 'input', 'an input policy of drop on the server'],
    ['c', 'output', 'an output policy of drop on the client'],
  ];
  for (const [k, hook, what] of blockers) {
    topo.nft(k, chain(hook, 'drop'));
    await expectAll(what, false, 150);
    topo.flush(k);
  }
  await expectAll('the rule sets removed again', true, 2000);

  // masquerade in r1 (the shape a nat gateway is exported as)
  topo.nft(
    'r1',
    'table ip sanity {\n  chain post {\n    type nat hook postrouting priority srcnat; policy accept;\n' +
      `    ip daddr != ${ADDR.r1out4} meta l4proto { tcp, udp } masquerade to :20000-20100\n` +
      `    ip daddr != ${ADDR.r1out4} masquerade\n  }\n}\n`,
  );
  const natFlow = FLOWS[0];
  const r = await probe(natFlow, [20050, 40002], 2000, { ctNs: ['r1'], natAt: 'r1' });
  if (!r.pass.every(Boolean)) throw new Error('masquerading r1: the flow does not pass');
  const g = r.gateway;
  if (g.get(20050) !== 20050) throw new Error(`masquerading r1: client port 20050 became gateway port ${g.get(20050)}, not 20050`);
  const other = g.get(40002);
  if (!(other >= 20000 && other <= 20100))
    throw new Error(`masquerading r1: client port 40002 became gateway port ${other}, outside 20000-20100`);
  if (![...r.seen].every((p) => p >= 20000 && p <= 20100)) throw new Error(`masquerading r1: the server saw ports ${[...r.seen]}`);
  topo.flush('r1');
  topo.ctFlush('r1');

  // conntrack: off without a ct expression, on with one
  topo.nft(
    'r2',
    'table inet sanity {\n  chain f {\n    type filter hook forward priority filter; policy accept;\n    meta l4proto tcp accept\n  }\n}\n',
  );
  await probe(FLOWS[0], [40003], 2000, { ctNs: ['r2'] });
  if (topo.ctCount('r2') !== 0)
    throw new Error(`conntrack holds ${topo.ctCount('r2')} entries in r2 although its rules have no ct expression`);
  topo.flush('r2');
  topo.nft(
    'r2',
    'table inet sanity {\n  chain f {\n    type filter hook forward priority filter; policy accept;\n    ct state established,related accept\n  }\n}\n',
  );
  await probe(FLOWS[0], [40004], 2000, { ctNs: ['r2'] });
  if (topo.ctCount('r2') === 0) throw new Error('conntrack holds no entry in r2 although its rules use ct state');
  topo.flushAll();
  for (const k of ['r1', 'r2']) topo.ctFlush(k);
}
