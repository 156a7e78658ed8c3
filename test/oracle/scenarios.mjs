// The export scenarios: each is one or more firewalls (and sometimes a nat
// gateway) kept as a small model, rendered as `.fw` text for fwlang, placed
// in a namespace of the rig (topology.mjs), and flows whose every client
// port is probed. Hand-made ones cover what random ones rarely hit (ICMP,
// IPv6, several firewalls on one path, include, NAT, merged sets, security
// groups, network ACLs); random ones are seeded, and about one random firewall
// in three is an aws-nacl or an aws-sg (asPlatform).
//
// A firewall's `at` says where its export is loaded: 'r1' or 'r2' (router,
// forward hook) or 'c' / 's' (host firewall of the client / server,
// `--on-host`). `format` says how: 'nftables' (nft -f) or 'iptables'
// (iptables-restore / ip6tables-restore).

import { ADDR } from './topology.mjs';
import { mergeRanges, randomTools } from './util.mjs';

export const PROFILES = {
  linux: [32768, 60999],
  windows: [49152, 65535],
  macos: [49152, 65535],
  iana: [49152, 65535],
  wide: [1024, 65535],
};
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
const CUSTOM_PROFILES = { narrow: [40000, 45000] };
const CUSTOM_SERVICES = { web: ['tcp', 8080], game: ['udp', 27015] };
export const serviceOf = (name) => CUSTOM_SERVICES[name] || BUILTIN_SERVICES[name] || null;

// The names every scenario declares.
export const HOSTS = {
  client: ADDR.client4,
  client6: ADDR.client6,
  server: ADDR.server4,
  server6: ADDR.server6,
  other: '10.99.3.3',
  other6: '2001:db8:99:3::3',
};
const NETWORKS = {
  clients: ['10.99.1.0/24'],
  servers: ['10.99.2.0/24'],
  partners: ['10.99.1.0/25', '10.99.3.0/24'],
  internet: ['0.0.0.0/0'],
  elsewhere: ['10.99.3.0/24', '10.99.4.0/23'],
  lan: ['10.99.1.0/24', '2001:db8:99:1::/64'],
  dmz: ['10.99.2.0/24', '2001:db8:99:2::/64'],
  servers6: ['2001:db8:99:2::/64'],
  partners6: ['2001:db8:99:1::/80', '2001:db8:99:3::/64'],
  internet6: ['::/0'],
  lab: ['2001:db8:99::/48'],
};

// ------------------------------------------------------------- resolving ----

function profileRange(name) {
  if (/^\d+-\d+$/.test(name)) return name.split('-').map(Number);
  return CUSTOM_PROFILES[name] || PROFILES[name] || null;
}
/** The ephemeral range of a flow's client (spec §3: its own clause, else the file default, else wide). */
export function clientEphemeral(sc, ref) {
  const fileDefault = sc.defaultEphemeral ? profileRange(sc.defaultEphemeral) : PROFILES.wide;
  const clause = HOSTS[ref] || NETWORKS[ref] ? sc.ephemeral?.[ref] : null;
  return clause ? profileRange(clause) : fileDefault;
}
export const addressOf = (ref) => HOSTS[ref] || ref;
export const familyOf = (addr) => (addr.includes(':') ? 6 : 4);

// ------------------------------------------------------------ rendering ----

export function portsText(items) {
  const one = (it) => (typeof it === 'number' ? `${it}` : Array.isArray(it) ? `${it[0]}-${it[1]}` : it);
  return items.length === 1 ? one(items[0]) : `[${items.map(one).join(', ')}]`;
}
export function compressPorts(ports) {
  return mergeRanges(ports.map((p) => [p, p])).map(([lo, hi]) => (lo === hi ? lo : [lo, hi]));
}

function declarations(sc) {
  const L = [];
  for (const [n, [lo, hi]] of Object.entries(CUSTOM_PROFILES)) L.push(`ephemeral ${n} ${lo}-${hi}`);
  if (sc.defaultEphemeral) L.push(`default ephemeral ${sc.defaultEphemeral}`);
  for (const [n, a] of Object.entries(HOSTS)) L.push(`host ${n} ${a}${sc.ephemeral?.[n] ? ` ephemeral ${sc.ephemeral[n]}` : ''}`);
  for (const [n, ps] of Object.entries(NETWORKS))
    L.push(`network ${n} ${ps.join(', ')}${sc.ephemeral?.[n] ? ` ephemeral ${sc.ephemeral[n]}` : ''}`);
  for (const [n, [proto, port]] of Object.entries(CUSTOM_SERVICES)) L.push(`service ${n} ${proto} ${port}`);
  for (const nat of sc.nats ?? []) L.push(`nat ${nat.name} ${nat.address}${nat.ports ? ` ports ${nat.ports[0]}-${nat.ports[1]}` : ''}`);
  return L;
}

/** A firewall's KIND: its platform (`aws-sg`), else stateful or stateless. */
export const kindText = (fw) => fw.platform ?? (fw.stateful ? 'stateful' : 'stateless');

function firewallText(fw) {
  const L = [`firewall ${fw.name} ${kindText(fw)} protects ${fw.protects.join(', ')}${fw.default ? ` default ${fw.default}` : ''} {`];
  for (const r of fw.rules) {
    let s = `  ${r.num != null ? `${r.num} ` : ''}${r.dir} ${r.action} ${r.proto}`;
    if (r.from) s += ` from ${r.from.ep}${r.from.ports ? ` port ${portsText(r.from.ports)}` : ''}`;
    if (r.to) s += ` to ${r.to.ep}${r.to.ports ? ` port ${portsText(r.to.ports)}` : ''}`;
    L.push(s);
  }
  L.push('}');
  return L;
}

function flowText(f, sports) {
  const client = `${f.client}${sports ? `:${portsText(compressPorts(sports))}` : ''}`;
  const what = f.proto === 'icmp' ? 'icmp' : (f.service ?? `${f.proto} ${f.port}`);
  return `${client} -> ${f.server} ${what}${f.via ? ` via ${f.via.join(', ')}` : ''}`;
}

/**
 * Renders the scenario's files: { 'main.fw': text, ... } and sc.simFlows, the
 * texts of the flows fwlang is asked about, in file order. A flow through a
 * NAT gets one extra flow per probed client port (its gateway ports are then
 * exactly those that pass with that client port).
 */
export function render(sc) {
  const head = [`# fwlang kernel oracle: ${sc.name}`];
  const fwLines = sc.firewalls.flatMap((fw) => firewallText(fw));
  sc.simFlows = [];
  const flowLines = [];
  for (const f of sc.flows) {
    f.text = flowText(f, f.sports);
    f.simIndex = sc.simFlows.push(f.text) - 1;
    if (f.via?.some((h) => (sc.nats ?? []).some((n) => n.name === h))) {
      f.natName = f.via.find((h) => sc.nats.some((n) => n.name === h));
      f.perPort = f.sports.map((p) => {
        const text = flowText(f, [p]);
        return { port: p, text, simIndex: sc.simFlows.push(text) - 1 };
      });
    }
  }
  for (const t of sc.simFlows) flowLines.push(`flow ${t}`);
  if (sc.include) {
    // the declarations and the included firewalls live in common.fw; main.fw includes it
    const inc = new Set(sc.include);
    const common = [
      `# included by main.fw (${sc.name})`,
      ...declarations(sc),
      ...sc.firewalls.filter((fw) => inc.has(fw.name)).flatMap((fw) => firewallText(fw)),
    ];
    const main = [
      ...head,
      'include "common.fw"',
      ...sc.firewalls.filter((fw) => !inc.has(fw.name)).flatMap((fw) => firewallText(fw)),
      ...flowLines,
    ];
    return { 'main.fw': main.join('\n') + '\n', 'common.fw': common.join('\n') + '\n' };
  }
  return { 'main.fw': [...head, ...declarations(sc), ...fwLines, ...flowLines].join('\n') + '\n' };
}

// ============================================================ scenarios ====

export const BOUNDARY_PORTS = [1000, 1023, 1024, 1025, 32767, 32768, 39999, 40000, 45000, 45001, 49151, 49152, 60999, 61000, 65535];
const B = {
  linux: [32767, 32768, 60999, 61000],
  iana: [49151, 49152, 65535],
  wide: [1023, 1024, 65535],
  narrow: [39999, 40000, 45000, 45001],
};
const ALL_B = [...new Set([...B.linux, ...B.iana, ...B.wide])].sort((a, b) => a - b);

export const R = (num, dir, action, proto, from, to) => ({
  num,
  dir,
  action,
  proto,
  from: from ? { ep: from[0], ports: from[1] ?? null } : null,
  to: to ? { ep: to[0], ports: to[1] ?? null } : null,
});
const flow = (proto, port, sports, client = 'client', server = 'server', extra = {}) => ({ client, server, proto, port, sports, ...extra });
const tcpFlow = (port, sports, client, server) => flow('tcp', port, sports, client, server);
const udpFlow = (port, sports, client, server) => flow('udp', port, sports, client, server);
const icmpFlow = (client, server) => flow('icmp', null, null, client, server);
const svcFlow = (service, sports, client, server) =>
  flow(serviceOf(service)[0], serviceOf(service)[1], sports, client, server, { service });
const fw = (name, at, stateful, protects, rules, extra = {}) => ({ name, at, stateful, protects, rules, ...extra });

/** The single-firewall scenarios of the first oracle (its firewall `fw`, in r2), kept as they were. */
function classicScenarios(S) {
  const add = (name, firewall, flows, extra = {}) =>
    S.push({ name, kind: 'single', firewalls: [{ name: 'fw', at: 'r2', ...firewall }], flows, ...extra });

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
    { stateful: false, protects: ['servers'], rules: [R(null, 'inbound', 'allow', 'tcp', ['client'], ['server', [80]])] },
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
    { format: 'iptables' },
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
    { format: 'iptables' },
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
    { format: 'iptables' },
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
        R(null, 'outbound', 'allow', 'tcp', ['server', ['http', 22]], [ADDR.client4, ['ephemeral', 1000]]),
      ],
    },
    [tcpFlow(80, [999, 1000, 1001, 32767, 32768, 49151, 49152, 65535]), svcFlow('ssh', [32768, 60999, 61000])],
    { ephemeral: { client: 'linux' }, defaultEphemeral: 'windows', format: 'iptables' },
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
    [svcFlow('web', B.narrow), svcFlow('web', null, ADDR.client4), svcFlow('web', null)],
    { defaultEphemeral: 'narrow', ephemeral: { client: 'linux' } },
  );
  add(
    'protects both sides: no firewall crossed',
    {
      stateful: false,
      protects: ['10.99.0.0/16'],
      rules: [R(null, 'inbound', 'deny', 'all', null, null), R(null, 'outbound', 'deny', 'all', null, null)],
    },
    [tcpFlow(80, [40000]), udpFlow(53, [40000]), icmpFlow()],
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
    [tcpFlow(5432, [40000, 65535]), udpFlow(27015, [1024]), icmpFlow()],
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
}

export function handScenarios() {
  const S = [];
  classicScenarios(S);
  const add = (kind, name, firewalls, flows, extra = {}) => S.push({ kind, name, firewalls, flows, ...extra });

  // ---- ICMP (echo request and reply)
  add(
    'icmp',
    'stateless: echo request in, reply out',
    [
      fw(
        'fw',
        'r2',
        false,
        ['servers'],
        [
          R(null, 'inbound', 'allow', 'icmp', ['clients'], ['server']),
          R(null, 'outbound', 'allow', 'icmp', ['server'], ['clients']),
          R(null, 'inbound', 'allow', 'tcp', null, ['server', [80]]),
        ],
      ),
    ],
    [icmpFlow(), tcpFlow(80, [40000]), icmpFlow(ADDR.client4, ADDR.server4)],
  );
  add(
    'icmp',
    'stateless: the echo reply has no rule',
    [
      fw(
        'fw',
        'r1',
        false,
        ['servers'],
        [R(null, 'inbound', 'allow', 'icmp', null, null), R(null, 'outbound', 'deny', 'icmp', null, null)],
      ),
    ],
    [icmpFlow()],
    { format: 'iptables' },
  );
  add(
    'icmp',
    'stateful: the echo reply by connection tracking; icmp denied from the other side',
    [
      fw(
        'fw',
        'r2',
        true,
        ['clients'],
        [R(null, 'outbound', 'allow', 'icmp', ['client'], ['servers']), R(null, 'inbound', 'deny', 'all', null, null)],
      ),
    ],
    [icmpFlow(), udpFlow(53, [40000])],
  );
  add(
    'icmp',
    'stateless `all` rules carry icmp too; icmp deny before them',
    [
      fw(
        'fw',
        'r1',
        false,
        ['clients'],
        [
          R(10, 'outbound', 'allow', 'all', ['clients'], ['servers']),
          R(10, 'inbound', 'deny', 'icmp', ['other'], null),
          R(20, 'inbound', 'allow', 'all', ['servers'], ['clients']),
        ],
      ),
    ],
    [icmpFlow(), tcpFlow(5000, [40000, 1024])],
  );

  // ---- IPv6
  add(
    'ipv6',
    'IPv6 stateless: request and response rules for client6, linux',
    [
      fw(
        'fw',
        'r2',
        false,
        ['servers6'],
        [
          R(null, 'inbound', 'allow', 'tcp', ['lan'], ['server6', [80]]),
          R(null, 'outbound', 'allow', 'tcp', ['server6', [80]], ['client6', ['ephemeral']]),
          R(null, 'inbound', 'allow', 'udp', ['client6'], ['servers6', ['dns']]),
        ],
      ),
    ],
    [
      tcpFlow(80, ALL_B, 'client6', 'server6'),
      tcpFlow(80, null, 'client6', 'server6'),
      svcFlow('dns', [40000, 50000], 'client6', 'server6'),
      tcpFlow(80, [40000]),
    ],
    { ephemeral: { client6: 'linux' } },
  );
  add(
    'ipv6',
    'IPv6 and IPv4 in one firewall (dmz): icmp echo both ways, icmpv6 replies',
    [
      fw(
        'fw',
        'r2',
        false,
        ['dmz'],
        [
          R(null, 'inbound', 'allow', 'icmp', ['lan'], ['dmz']),
          R(null, 'outbound', 'allow', 'icmp', ['server6'], null),
          R(null, 'inbound', 'allow', 'udp', ['internet6'], ['dmz', ['game']]),
          R(null, 'outbound', 'allow', 'udp', ['dmz', ['game']], ['lab', [[1024, 49151]]]),
        ],
      ),
    ],
    [icmpFlow('client6', 'server6'), icmpFlow(), svcFlow('game', [1024, 49151, 49152], 'client6', 'server6'), svcFlow('game', [40000])],
    { format: 'iptables' },
  );
  add(
    'ipv6',
    'IPv6 stateful protecting the clients: out to https, nothing in',
    [
      fw(
        'fw',
        'r1',
        true,
        ['lan'],
        [
          R(null, 'outbound', 'allow', 'tcp', ['lan'], ['dmz', ['https']]),
          R(null, 'outbound', 'deny', 'udp', ['client6', [[32768, 60999]]], null),
          R(null, 'outbound', 'allow', 'udp', null, ['servers6']),
        ],
      ),
    ],
    [
      svcFlow('https', [1024, 65535], 'client6', 'server6'),
      tcpFlow(80, [40000], 'client6', 'server6'),
      udpFlow(53, ALL_B, 'client6', 'server6'),
      svcFlow('https', [40000]),
    ],
  );
  add(
    'ipv6',
    'IPv6 host firewall on the server (--on-host), stateless, default allow',
    [
      fw(
        'srv',
        's',
        false,
        ['server6'],
        [
          R(10, 'inbound', 'deny', 'tcp', ['lan', [[1024, 32767]]], ['server6', [22]]),
          R(20, 'outbound', 'deny', 'udp', ['server6', [53]], ['partners6']),
          R(30, 'inbound', 'deny', 'icmp', ['other6'], null),
        ],
        { default: 'allow' },
      ),
    ],
    [
      svcFlow('ssh', [1024, 32767, 32768], 'client6', 'server6'),
      udpFlow(53, [40000], 'client6', 'server6'),
      icmpFlow('client6', 'server6'),
      svcFlow('ssh', [1024]),
    ],
  );

  // ---- several firewalls on one path
  add(
    'multi-hop',
    'two routers: stateless for the clients (r1), stateful for the servers (r2)',
    [
      fw(
        'lanfw',
        'r1',
        false,
        ['clients'],
        [
          R(null, 'outbound', 'allow', 'tcp', ['clients'], ['servers', [[1, 1023]]]),
          R(null, 'inbound', 'allow', 'tcp', ['servers', [[1, 1023]]], ['clients', [[32768, 65535]]]),
          R(null, 'outbound', 'allow', 'udp', null, null),
          R(null, 'inbound', 'allow', 'udp', ['servers', ['dns']], null),
        ],
      ),
      fw(
        'dmzfw',
        'r2',
        true,
        ['servers'],
        [
          R(null, 'inbound', 'allow', 'tcp', null, ['server', ['http', 'https']]),
          R(null, 'inbound', 'allow', 'udp', ['clients', [[1024, 49151]]], ['server', ['dns', 'ntp']]),
        ],
      ),
    ],
    [svcFlow('http', ALL_B), svcFlow('https', [32768]), tcpFlow(22, [40000]), svcFlow('dns', ALL_B), svcFlow('ntp', [40000])],
  );
  add(
    'multi-hop',
    'two routers, both stateless, IPv4 and IPv6, as iptables',
    [
      fw(
        'edge',
        'r1',
        false,
        ['lan'],
        [
          R(null, 'outbound', 'allow', 'all', null, null),
          R(null, 'inbound', 'allow', 'tcp', ['dmz', [80]], ['lan', ['ephemeral']]),
          R(null, 'inbound', 'allow', 'icmp', ['dmz'], null),
        ],
      ),
      fw(
        'core',
        'r2',
        false,
        ['dmz'],
        [
          R(null, 'inbound', 'allow', 'tcp', null, ['dmz', [80]]),
          R(null, 'outbound', 'allow', 'tcp', ['dmz', [80]], ['lab', [[40000, 65535]]]),
          R(null, 'outbound', 'allow', 'tcp', ['dmz', [80]], ['clients', [[1024, 50000]]]),
          R(null, 'inbound', 'allow', 'icmp', null, null),
          R(null, 'outbound', 'allow', 'icmp', ['server'], null),
        ],
      ),
    ],
    [tcpFlow(80, ALL_B, 'client6', 'server6'), tcpFlow(80, ALL_B), icmpFlow(), icmpFlow('client6', 'server6')],
    { ephemeral: { lan: 'linux' }, format: 'iptables' },
  );
  add(
    'multi-hop',
    'three firewalls: client host (stateful, --on-host), router (stateless), server host (stateless, --on-host)',
    [
      fw(
        'laptop',
        'c',
        true,
        ['client'],
        [
          R(null, 'outbound', 'allow', 'tcp', null, ['any', [80, 443, 8080]]),
          R(null, 'outbound', 'allow', 'udp', [ADDR.client4, [[40000, 65535]]], null),
          R(null, 'outbound', 'allow', 'icmp', null, null),
        ],
      ),
      fw(
        'router',
        'r1',
        false,
        ['servers'],
        [
          R(null, 'inbound', 'allow', 'all', ['clients'], ['servers']),
          R(null, 'outbound', 'allow', 'tcp', ['servers', [[1, 1023]]], ['clients', ['ephemeral']]),
          R(null, 'outbound', 'allow', 'udp', ['servers'], ['clients']),
        ],
      ),
      fw(
        'websrv',
        's',
        false,
        ['server'],
        [
          R(null, 'inbound', 'allow', 'tcp', null, ['server', [[80, 443]]]),
          R(null, 'outbound', 'allow', 'tcp', ['server', [[80, 443]]], null),
          R(null, 'inbound', 'allow', 'udp', null, null),
          R(null, 'outbound', 'allow', 'udp', null, ['client', [[1024, 50000]]]),
          R(null, 'inbound', 'allow', 'icmp', null, null),
        ],
      ),
    ],
    [tcpFlow(80, ALL_B), tcpFlow(443, [40000]), tcpFlow(8080, [40000]), udpFlow(53, ALL_B), icmpFlow()],
    { ephemeral: { clients: 'linux' } },
  );
  add(
    'multi-hop',
    'three firewalls as iptables: client host stateless, router stateful, server host stateful',
    [
      fw(
        'laptop',
        'c',
        false,
        ['client'],
        [
          R(null, 'outbound', 'allow', 'tcp', null, ['servers', ['ssh']]),
          R(null, 'inbound', 'allow', 'tcp', ['servers', ['ssh']], ['client', [[32768, 65535]]]),
        ],
      ),
      fw('router', 'r2', true, ['servers'], [R(null, 'inbound', 'allow', 'tcp', ['clients', [[1024, 60999]]], null)]),
      fw(
        'sshd',
        's',
        true,
        ['server'],
        [R(null, 'inbound', 'deny', 'tcp', null, ['server', [[23, 65535]]]), R(null, 'inbound', 'allow', 'tcp', null, null)],
      ),
    ],
    [svcFlow('ssh', [1024, 32767, 32768, 60999, 61000, 65535]), tcpFlow(23, [40000])],
    { format: 'iptables' },
  );

  // ---- include
  add(
    'include',
    'include: the router firewall declared in common.fw, exported from main.fw',
    [
      fw(
        'shared',
        'r2',
        false,
        ['servers'],
        [
          R(null, 'inbound', 'allow', 'tcp', ['clients'], ['server', ['postgres']]),
          R(null, 'outbound', 'allow', 'tcp', ['server', ['postgres']], ['clients', ['ephemeral']]),
        ],
      ),
      fw('local', 'r1', true, ['clients'], [R(null, 'outbound', 'allow', 'tcp', null, ['servers', [[5000, 6000]]])]),
    ],
    [svcFlow('postgres', ALL_B), tcpFlow(5433, [40000]), svcFlow('mysql', [40000])],
    { include: ['shared'], ephemeral: { clients: 'iana' } },
  );
  add(
    'include',
    'include, as iptables: both firewalls from the included file',
    [
      fw('a', 'r1', true, ['clients'], [R(null, 'outbound', 'allow', 'udp', null, ['servers', ['dns']])]),
      fw(
        'b',
        'r2',
        false,
        ['servers'],
        [
          R(null, 'inbound', 'allow', 'udp', null, ['servers', ['dns']]),
          R(null, 'outbound', 'allow', 'udp', ['servers', ['dns']], ['client', [[1024, 40000]]]),
        ],
      ),
    ],
    [svcFlow('dns', [1024, 40000, 40001, 65535]), udpFlow(54, [40000])],
    { include: ['a', 'b'], format: 'iptables' },
  );

  // ---- NAT through a masquerading router: client — r1 (nat) — r2 (fw) — server
  const nat = (ports) => [{ name: 'natgw', address: ADDR.r1out4, ports, at: 'r1' }];
  const natPorts = [20000, 20001, 20049, 20050, 20051, 20052, 20099, 20100, 40000, 50000];
  add(
    'nat',
    'NAT: stateless firewall behind the gateway lets responses back to half its ports',
    [
      fw(
        'fw',
        'r2',
        false,
        ['servers'],
        [
          R(null, 'inbound', 'allow', 'tcp', [ADDR.r1out4], ['server', [80]]),
          R(null, 'outbound', 'allow', 'tcp', ['server', [80]], [ADDR.r1out4, [[20000, 20050]]]),
          R(null, 'inbound', 'allow', 'udp', [ADDR.r1out4], ['server', [53]]),
          R(null, 'outbound', 'allow', 'udp', ['server', [53]], [ADDR.r1out4, [[20000, 20100]]]),
        ],
      ),
    ],
    [
      flow('tcp', 80, natPorts, 'client', 'server', { via: ['natgw'] }),
      flow('udp', 53, natPorts, 'client', 'server', { via: ['natgw'] }),
      flow('tcp', 81, [20000, 40000], 'client', 'server', { via: ['natgw'] }),
    ],
    { nats: nat([20000, 20100]) },
  );
  add(
    'nat',
    "NAT: stateful firewall behind the gateway; the client's own addresses denied",
    [
      fw(
        'fw',
        'r2',
        true,
        ['servers'],
        [
          R(null, 'inbound', 'deny', 'all', ['clients'], null),
          R(null, 'inbound', 'allow', 'tcp', [ADDR.r1out4, [[20000, 20060]]], ['server', [443]]),
        ],
      ),
    ],
    [
      flow('tcp', 443, natPorts, 'client', 'server', { via: ['natgw'] }),
      flow('tcp', 80, [20010, 45000], 'client', 'server', { via: ['natgw'] }),
    ],
    { nats: nat([20000, 20100]), format: 'iptables' },
  );
  add(
    'nat',
    'NAT with a firewall in front of it on the same router (leg 1) and one behind it (leg 2)',
    [
      fw(
        'lanfw',
        'r1',
        false,
        ['clients'],
        [
          R(null, 'outbound', 'allow', 'tcp', ['client', [[20000, 20080]]], ['server', [80]]),
          R(null, 'inbound', 'allow', 'tcp', ['server', [80]], ['clients']),
        ],
      ),
      fw(
        'fw',
        'r2',
        false,
        ['servers'],
        [
          R(null, 'inbound', 'allow', 'tcp', null, ['server', [80]]),
          R(null, 'outbound', 'allow', 'tcp', ['server', [80]], [ADDR.r1out4, [[20040, 20100]]]),
        ],
      ),
    ],
    [flow('tcp', 80, [20000, 20039, 20040, 20041, 20080, 20081, 20100, 40000], 'client', 'server', { via: ['natgw'] })],
    { nats: nat([20000, 20100]) },
  );

  // ---- merged sets: consecutive rules of one action differing in one field
  add(
    'merged',
    'merged set: three server ports, and their responses',
    [
      fw(
        'fw',
        'r2',
        false,
        ['servers'],
        [
          R(null, 'inbound', 'allow', 'tcp', ['clients'], ['server', [80]]),
          R(null, 'inbound', 'allow', 'tcp', ['clients'], ['server', [443]]),
          R(null, 'inbound', 'allow', 'tcp', ['clients'], ['server', [8080]]),
          R(null, 'outbound', 'allow', 'tcp', ['server', [80]], ['clients', ['ephemeral']]),
          R(null, 'outbound', 'allow', 'tcp', ['server', [443]], ['clients', ['ephemeral']]),
          R(null, 'outbound', 'allow', 'tcp', ['server', [8080]], ['clients', ['ephemeral']]),
        ],
      ),
    ],
    [
      tcpFlow(80, [32767, 32768, 60999, 61000]),
      tcpFlow(443, [40000]),
      tcpFlow(8080, [40000, 61000]),
      tcpFlow(8081, [40000]),
      tcpFlow(81, [40000]),
    ],
    { ephemeral: { clients: 'linux' }, expectSets: [['80', '443', '8080']] },
  );
  add(
    'merged',
    'merged set: denied client prefixes (one holds the client), then an allow',
    [
      fw(
        'fw',
        'r1',
        true,
        ['servers'],
        [
          R(null, 'inbound', 'deny', 'tcp', ['10.99.3.0/24'], ['server', [22]]),
          R(null, 'inbound', 'deny', 'tcp', ['10.99.1.0/28'], ['server', [22]]),
          R(null, 'inbound', 'deny', 'tcp', ['10.99.4.0/24'], ['server', [22]]),
          R(null, 'inbound', 'allow', 'tcp', null, ['server', [[20, 25]]]),
        ],
      ),
    ],
    [svcFlow('ssh', [40000]), tcpFlow(23, [40000])],
    { expectSets: [['10.99.3.0/24', '10.99.1.0/28', '10.99.4.0/24']] },
  );
  add(
    'merged',
    'merged set: denied client prefixes that miss the client; udp ports merged',
    [
      fw(
        'fw',
        'r2',
        false,
        ['servers'],
        [
          R(null, 'inbound', 'deny', 'udp', ['10.99.3.0/24'], ['server']),
          R(null, 'inbound', 'deny', 'udp', ['10.99.1.128/25'], ['server']),
          R(null, 'inbound', 'allow', 'udp', ['client'], ['server', [53]]),
          R(null, 'inbound', 'allow', 'udp', ['client'], ['server', [123]]),
          R(null, 'inbound', 'allow', 'udp', ['client'], ['server', [27015]]),
          R(null, 'outbound', 'allow', 'udp', ['server'], ['client', [[1024, 65535]]]),
        ],
      ),
    ],
    [udpFlow(53, [40000, 1023, 1024]), udpFlow(123, [40000]), udpFlow(27015, [40000]), udpFlow(54, [40000])],
    {
      expectSets: [
        ['10.99.3.0/24', '10.99.1.128/25'],
        ['53', '123', '27015'],
      ],
    },
  );
  // rules that differ in two fields must stay two rules: their union as one rule would let more through
  const twoFields = [
    R(null, 'inbound', 'allow', 'tcp', ['client'], ['server', [80]]),
    R(null, 'inbound', 'allow', 'tcp', ['10.99.3.0/24'], ['server', [443]]),
    R(null, 'inbound', 'deny', 'udp', ['client', [[40000, 45000]]], ['server', [53]]),
    R(null, 'inbound', 'deny', 'udp', ['client', [[1024, 2000]]], ['server', [123]]),
    R(null, 'inbound', 'allow', 'udp', ['client'], ['server']),
    R(null, 'outbound', 'allow', 'tcp', ['server', [80]], ['client', [[32768, 60999]]]),
    R(null, 'outbound', 'allow', 'tcp', ['server', [443]], ['client', [[1024, 32767]]]),
    R(null, 'outbound', 'allow', 'udp', ['server'], ['client']),
  ];
  const twoFieldFlows = () => [
    tcpFlow(80, [1024, 32767, 32768, 60999, 61000]),
    tcpFlow(443, [1024, 32767, 32768, 40000]),
    udpFlow(53, [1024, 1500, 2001, 39999, 40000, 45000, 45001]),
    udpFlow(123, [1024, 1500, 2000, 2001, 40000, 45000]),
  ];
  for (const format of ['nftables', 'iptables'])
    add(
      'merged',
      `rules differing in two fields are not merged (${format})`,
      [fw('fw', 'r2', false, ['servers'], twoFields)],
      twoFieldFlows(),
      {
        format,
      },
    );

  // ---- security groups (§10): stateful, allow rules only; every group of one address judges
  // each packet of it as one group whose rules are the union of theirs (each has its own chain)
  const sg = (name, at, protects, rules) => fw(name, at, true, protects, rules, { platform: 'aws-sg' });
  for (const format of ['nftables', 'iptables'])
    add(
      'aws-sg',
      `security groups: two groups of the server judge as one, a group on the client (${format})`,
      [
        sg(
          'laptop-sg',
          'c',
          ['client'],
          [R(null, 'outbound', 'allow', 'tcp', null, ['servers']), R(null, 'outbound', 'allow', 'icmp', null, ['server'])],
        ),
        sg(
          'web-sg',
          's',
          ['servers'],
          [R(null, 'inbound', 'allow', 'tcp', ['clients'], ['servers', [80, 443]]), R(null, 'inbound', 'allow', 'icmp', ['client'], null)],
        ),
        sg('admin-sg', 's', ['server'], [R(null, 'inbound', 'allow', 'tcp', ['client'], ['server', ['ssh']])]),
      ],
      [tcpFlow(80, ALL_B), tcpFlow(22, [40000]), tcpFlow(443, [1024, 65535]), tcpFlow(8080, [40000]), udpFlow(53, [40000]), icmpFlow()],
      { format },
    );
  // Past 64 groups on one address the export writes the set's rules once, at the end of each
  // group's chain (netfilterPlan.ts EXACT_PEERS_MAX): 66 groups, each opening one port.
  for (const format of ['nftables', 'iptables'])
    add(
      'aws-sg',
      `security groups: 66 groups on the server, each opening one port (${format})`,
      Array.from({ length: 66 }, (_, i) =>
        sg(`sg${i}`, 's', ['server'], [R(null, 'inbound', 'allow', 'tcp', ['client'], ['server', [8000 + i]])]),
      ),
      [7999, 8000, 8001, 8032, 8064, 8065, 8066].map((p) => tcpFlow(p, [40000])),
      { format },
    );

  // ---- network ACLs (§10): stateless, numbered, no source port; each subnet its own inside,
  // so a packet between two subnets of one ACL crosses it twice (out of one, into the other)
  const acl = (name, at, protects, rules) => fw(name, at, false, protects, rules, { platform: 'aws-nacl' });
  for (const format of ['nftables', 'iptables'])
    add(
      'aws-nacl',
      `network ACL: numbered rules, a deny before the allow, responses to every high port (${format})`,
      [
        acl(
          'servers-acl',
          'r2',
          ['servers'],
          [
            R(100, 'inbound', 'deny', 'tcp', ['10.99.1.0/30'], ['servers', [22]]),
            R(110, 'inbound', 'allow', 'tcp', ['clients'], ['servers', [22, 80, 443]]),
            R(120, 'outbound', 'allow', 'tcp', null, ['clients', [[1024, 65535]]]),
            R(130, 'inbound', 'allow', 'udp', ['clients'], ['servers', [53]]),
            R(140, 'outbound', 'allow', 'udp', null, ['clients', [[32768, 60999]]]),
            R(150, 'inbound', 'allow', 'icmp', ['clients'], null),
            R(160, 'outbound', 'allow', 'icmp', null, ['clients']),
          ],
        ),
      ],
      [tcpFlow(80, ALL_B), tcpFlow(22, [40000]), tcpFlow(8080, [40000]), udpFlow(53, [32767, 32768, 60999, 61000]), icmpFlow()],
      { format },
    );
  for (const format of ['nftables', 'iptables'])
    add(
      'aws-nacl',
      `network ACL of two subnets: a packet between them crosses it twice (${format})`,
      [
        acl(
          'lab-acl',
          'r1',
          ['clients', 'servers'],
          [
            R(100, 'outbound', 'allow', 'tcp', null, ['servers', [80]]),
            R(110, 'inbound', 'allow', 'tcp', ['clients'], null),
            R(120, 'outbound', 'allow', 'tcp', null, ['clients', [[1024, 65535]]]),
            R(130, 'inbound', 'allow', 'tcp', ['servers'], null),
          ],
        ),
      ],
      [tcpFlow(80, ALL_B), tcpFlow(443, [40000])],
      { format },
    );
  return S;
}

// ----------------------------------------------------- random scenarios ----

/**
 * A random scenario: one or two firewalls (sometimes a host firewall on the
 * client or server), IPv6 sometimes, tcp/udp/icmp flows. index % 3 === 0:
 * loaded as iptables.
 */
export function randomScenario(rnd, i) {
  const { pick, chance } = randomTools(rnd);
  const v6 = chance(0.35);
  const nFw = chance(0.4) ? 2 : 1;
  // where the firewalls stand, and which side each protects
  const layouts1 = [[['r1', 'any']], [['r2', 'any']], [['s', 'host']], [['c', 'host']]];
  const layouts2 = [
    [
      ['r1', 'client'],
      ['r2', 'server'],
    ],
    [
      ['r1', 'any'],
      ['r2', 'any'],
    ],
    [
      ['r2', 'any'],
      ['s', 'host'],
    ],
    [
      ['c', 'host'],
      ['r1', 'any'],
    ],
    [
      ['c', 'host'],
      ['s', 'host'],
    ],
  ];
  const layout = nFw === 1 ? pick([...layouts1, ...layouts1.slice(0, 2)]) : pick(layouts2);
  const firewalls = layout.map(([at, side], k) => {
    const f = randomFirewall(rnd, `fw${k + 1}`, at, side, v6);
    return chance(0.3) ? asPlatform(f, chance(0.6) ? 'aws-nacl' : 'aws-sg') : f;
  });
  const profiles = [undefined, 'linux', 'windows', 'wide', 'narrow', '40000-45000'];
  const ephemeral = {
    client: pick(profiles),
    client6: pick(profiles),
    server: pick([undefined, undefined, 'linux']),
    clients: pick([undefined, 'iana']),
    lan: pick([undefined, 'linux']),
  };
  const defaultEphemeral = pick([undefined, undefined, 'linux', 'iana', 'narrow']);
  const svcPorts = { tcp: [80, 443, 8080, 22], udp: [53, 123, 27015] };
  const flows = [];
  const nf = 2 + Math.floor(rnd() * 2);
  for (let k = 0; k < nf; k++) {
    const six = v6 && chance(0.6);
    const proto = chance(0.12) ? 'icmp' : chance(0.55) ? 'tcp' : 'udp';
    const client = six ? 'client6' : chance(0.85) ? 'client' : ADDR.client4;
    const server = six ? 'server6' : 'server';
    if (proto === 'icmp') {
      flows.push(flow('icmp', null, null, client, server));
      continue;
    }
    let sports = null;
    if (chance(0.8)) {
      const s = new Set();
      const m = 5 + Math.floor(rnd() * 6);
      while (s.size < m) s.add(pick(BOUNDARY_PORTS));
      sports = [...s];
    }
    flows.push(flow(proto, pick(svcPorts[proto]), sports, client, server));
  }
  return {
    kind: 'random',
    name: `random #${i}`,
    ephemeral,
    defaultEphemeral,
    firewalls,
    flows,
    format: i % 3 === 0 ? 'iptables' : 'nftables',
  };
}

/**
 * A random firewall as a platform can say it (spec §10): no source port, the inside side not
 * written (`to` of an inbound rule, `from` of an outbound one; its destination port stays),
 * default deny; an `aws-nacl` stateless and numbered (in file order when it was not), an
 * `aws-sg` stateful, unnumbered, allow rules only.
 */
function asPlatform(f, platform) {
  const nacl = platform === 'aws-nacl';
  let rules = f.rules.map((r, k) => {
    const remote = r.dir === 'inbound' ? r.from : r.to;
    const dport = r.to?.ports ?? null;
    const inboundTo = dport ? { ep: 'any', ports: dport } : null;
    return {
      ...r,
      num: nacl ? (r.num ?? 10 * (k + 1)) : null,
      from: r.dir === 'inbound' ? (remote ? { ep: remote.ep, ports: null } : null) : null,
      to: r.dir === 'inbound' ? inboundTo : remote ? { ep: remote.ep, ports: dport } : dport ? { ep: 'any', ports: dport } : null,
    };
  });
  if (!nacl) {
    rules = rules.filter((r) => r.action === 'allow');
    if (rules.length === 0)
      rules = [{ num: null, dir: 'inbound', action: 'allow', proto: 'tcp', from: null, to: { ep: 'any', ports: [80] } }];
  }
  return { ...f, platform, stateful: !nacl, default: undefined, rules };
}

function randomFirewall(rnd, name, at, side, v6) {
  const { pick, chance } = randomTools(rnd);
  const stateful = chance(0.5);
  // a host firewall protects its host; a router firewall the client or the server side
  const serverSide = at === 's' ? true : at === 'c' ? false : side === 'server' ? true : side === 'client' ? false : chance(0.5);
  let protects;
  if (at === 's') protects = v6 ? pick([['server6'], ['server']]) : ['server'];
  else if (at === 'c') protects = v6 ? pick([['client6'], ['client']]) : ['client'];
  else if (serverSide)
    protects = v6
      ? pick([['dmz'], ['servers6'], ['servers', 'server6'], ['2001:db8:99:2::/64', '10.99.2.0/24'], ['servers']])
      : pick([['server'], ['servers'], ['10.99.2.0/24'], ['servers', 'other']]);
  else
    protects = v6
      ? pick([['lan'], ['clients', 'client6'], ['2001:db8:99:1::/64'], ['partners6', 'clients']])
      : pick([['client'], ['clients'], ['10.99.1.0/24'], ['partners'], ['clients', 'elsewhere']]);
  const serverEps = [
    'server',
    'servers',
    ADDR.server4,
    '10.99.2.0/24',
    ...(v6 ? ['server6', 'servers6', 'dmz', '2001:db8:99:2::/64'] : []),
  ];
  const clientEps = [
    'client',
    'clients',
    'partners',
    ADDR.client4,
    '10.99.1.0/24',
    ...(v6 ? ['client6', 'lan', 'partners6', ADDR.client6] : []),
  ];
  const wideEps = ['any', 'internet', 'other', ...(v6 ? ['internet6', 'lab', 'other6'] : [])];
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
    const fromClientSide = (dir === 'inbound') === serverSide;
    const proto = pick(['tcp', 'tcp', 'tcp', 'udp', 'udp', 'udp', 'all', 'icmp']);
    const action = chance(0.7) ? 'allow' : 'deny';
    const sideOf = (isClient) => {
      if (chance(0.25)) return null;
      const ep = isClient ? pick([...clientEps, ...wideEps]) : pick([...serverEps, 'any']);
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
    rules.push({ num, dir, action, proto, from: sideOf(fromClientSide), to: sideOf(!fromClientSide) });
  }
  return { name, at, stateful, protects, default: pick([undefined, 'deny', 'allow']), rules };
}
