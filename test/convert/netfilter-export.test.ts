// `fwlang export --to nftables|iptables`: the text written for small cases (reviewed by eye once,
// then pinned), and the command line's files and exit codes (cli.md). That the kernel gives these
// texts the engine's verdicts is proven by npm run test:oracle; that the plan under them does, by
// netfilterPlan.property.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from '../../server/src/convert/export';
import { planNetfilter } from '../../server/src/convert/netfilterPlan';
import { nftablesPreview } from '../../server/src/convert/toNftables';
import { buildModel } from '../../server/src/model/resolve';
import { ensureBuilt, removeTempFiles, runCli, tempFiles } from '../cli/support';

const WEB = `host web 10.0.1.10
network clients 192.0.2.0/24, 2001:db8:5::/48
firewall edge stateless protects web {
  inbound allow tcp from clients to web port 80
  inbound allow tcp from clients to web port 443
  outbound allow tcp from web port [80, 443] to clients port ephemeral
}
firewall web-sg stateful protects web default deny {
  inbound allow tcp to web port ssh
  inbound allow icmp
}
`;

function exported(text: string, target: 'nftables' | 'iptables', options = {}) {
  const r = exportModel(buildModel('/srv/web.fw', text), target, options);
  if ('problems' in r) throw new Error(r.problems.map((d) => d.message).join('\n'));
  return r;
}

describe('export --to nftables', () => {
  it('writes one table that replaces itself: a base chain per firewall, merged rules, conntrack only where stateful', () => {
    expect(exported(WEB, 'nftables').text).toBe(`#!/usr/sbin/nft -f
# web.fw, exported by fwlang: 2 firewall(s) in the forward hook of the router.
# Loading it replaces the table inet fwlang and touches nothing else.
table inet fwlang {}
delete table inet fwlang
table inet fwlang {
  # firewall edge: stateless, protects web, default deny
  set edge_inside4 {
    type ipv4_addr; flags interval;
    elements = { 10.0.1.10 }
  }
  chain edge {
    type filter hook forward priority filter; policy accept;
    ip saddr @edge_inside4 ip daddr != @edge_inside4 jump edge_outbound
    ip saddr != @edge_inside4 ip daddr @edge_inside4 jump edge_inbound
  }
  chain edge_inbound {
    ip saddr 192.0.2.0/24 ip daddr 10.0.1.10 tcp dport { 80, 443 } accept comment "line 4, line 5"
    drop comment "default deny"
  }
  chain edge_outbound {
    ip saddr 10.0.1.10 ip daddr 192.0.2.0/24 tcp sport { 80, 443 } tcp dport 1024-65535 accept comment "line 6"
    drop comment "default deny"
  }

  # firewall web-sg: stateful, protects web, default deny
  set web_sg_inside4 {
    type ipv4_addr; flags interval;
    elements = { 10.0.1.10 }
  }
  chain web_sg {
    type filter hook forward priority filter; policy accept;
    ct state established,related accept
    ip saddr @web_sg_inside4 ip daddr != @web_sg_inside4 jump web_sg_outbound
    ip saddr != @web_sg_inside4 ip daddr @web_sg_inside4 jump web_sg_inbound
  }
  chain web_sg_inbound {
    ip daddr 10.0.1.10 tcp dport 22 accept comment "line 9"
    meta l4proto icmp accept comment "line 10"
    drop comment "default deny"
  }
  chain web_sg_outbound {
    drop comment "default deny"
  }
}
`);
  });

  it('--on-host filters in the input and output hooks', () => {
    const t = exported(WEB, 'nftables', { onHost: true, only: ['web-sg'] }).text;
    expect(t).toMatch(
      /chain web_sg_input \{\n {4}type filter hook input priority filter; policy accept;\n {4}ct state established,related accept\n/,
    );
    expect(t).toMatch(/chain web_sg_output \{\n {4}type filter hook output priority filter; policy accept;/);
    expect(t).not.toMatch(/hook forward|chain edge/);
  });

  it('IPv6: a set per family, ICMPv6 for icmp, rules of both families joined where they name no address', () => {
    const t = exported(
      'network lan 10.0.0.0/24, 2001:db8:1::/64\nfirewall fw stateless protects lan default allow {\n  inbound deny tcp to any port 23\n  inbound allow icmp\n  inbound deny all\n}\n',
      'nftables',
    ).text;
    expect(t).toContain('set fw_inside6 {\n    type ipv6_addr; flags interval;\n    elements = { 2001:db8:1::/64 }\n  }');
    expect(t).toContain('ip6 saddr != @fw_inside6 ip6 daddr @fw_inside6 jump fw_inbound');
    expect(t).toContain(`  chain fw_inbound {
    tcp dport 23 drop comment "line 3"
    meta nfproto ipv4 meta l4proto icmp accept comment "line 4"
    meta nfproto ipv6 meta l4proto ipv6-icmp accept comment "line 4"
    drop comment "line 5"
    accept comment "default allow"
  }`);
  });

  it('an aws-nacl of two subnets: a packet between them crosses twice, so an allow returns', () => {
    const t = exported(
      'firewall acl aws-nacl protects 10.0.1.0/24, 10.0.2.0/24 {\n  100 inbound allow tcp from 10.0.0.0/16 to any port 22\n  100 outbound allow tcp from any to 10.0.0.0/16 port 1024-65535\n}\n',
      'nftables',
    ).text;
    expect(t).toContain('elements = { 10.0.1.0/24 }');
    expect(t).toContain('ip saddr @acl_inside4_2 ip daddr != @acl_inside4_2 jump acl_outbound');
    expect(t).toContain('ip saddr 10.0.0.0/16 tcp dport 22 return comment "line 2"');
  });

  it('names clash with no chain or set of another firewall', () => {
    // `a_inbound` is the chain of `a`; `a` then must not be a prefix of `a_inbound`'s own names.
    const fw = (name: string) => `firewall ${name} stateless protects 10.0.${name.length}.0/24 {\n  inbound allow tcp to any port 22\n}\n`;
    const t = exported(fw('a_inbound') + fw('a') + fw('a-inbound'), 'nftables').text;
    const chains = [...t.matchAll(/^ {2}chain (\S+) \{$/gm)].map((m) => m[1]);
    expect(chains).toEqual([
      'a_inbound',
      'a_inbound_inbound',
      'a_inbound_outbound',
      'a_2',
      'a_2_inbound',
      'a_2_outbound',
      'a_inbound_2',
      'a_inbound_2_inbound',
      'a_inbound_2_outbound',
    ]);
    // An identifier is not taken when another starts with it and `_`: `x_y` came first.
    const u = exported(fw('x_y') + fw('x'), 'nftables').text;
    expect([...u.matchAll(/^ {2}chain (\S+) \{$/gm)].map((m) => m[1])).toEqual([
      'x_y',
      'x_y_inbound',
      'x_y_outbound',
      'x_2',
      'x_2_inbound',
      'x_2_outbound',
    ]);
  });

  it('a nat gateway masquerades in postrouting, its ports for tcp and udp', () => {
    const t = exported('nat gw 10.0.0.5 ports 20000-20100\n', 'nftables').text;
    expect(t).toContain(`  chain nat_gw {
    type nat hook postrouting priority srcnat; policy accept;
    meta l4proto { tcp, udp } ip saddr != 10.0.0.5 masquerade to :20000-20100
    ip saddr != 10.0.0.5 masquerade
  }`);
  });

  it('names rules of an included file by its path', () => {
    const files: Record<string, string> = {
      '/srv/main.fw': 'include "lib/fw.fw"\n',
      '/srv/lib/fw.fw': 'firewall fw stateless protects 10.0.0.0/24 {\n  inbound allow tcp to any port 80\n}\n',
    };
    const host = {
      readFile: (p: string) => files[p],
      resolve: (from: string, rel: string) => path.posix.join(path.posix.dirname(from), rel),
    };
    const m = buildModel('/srv/main.fw', files['/srv/main.fw']!, host);
    const r = exportModel(m, 'nftables');
    if ('problems' in r) throw new Error('refused');
    expect(r.text).toContain('tcp dport 80 accept comment "lib/fw.fw:2"');
  });
});

describe('the preview of a firewall (its hover)', () => {
  it('is its rule chains as the export writes them, cut after N lines', () => {
    const m = buildModel('/srv/web.fw', WEB);
    const full = nftablesPreview(planNetfilter(m, { only: ['edge'] }), 100);
    expect(exported(WEB, 'nftables').text).toContain(full.replace(/^/gm, '  '));
    expect(full.split('\n')[0]).toBe('chain edge_inbound {');
    expect(nftablesPreview(planNetfilter(m, { only: ['edge'] }), 3).split('\n')).toEqual([...full.split('\n').slice(0, 3), '…']);
  });
});

describe('export --to iptables', () => {
  it('a user chain per firewall: allow returns, deny drops, the hook policy accepts what every firewall let through', () => {
    const r = exported(WEB, 'iptables');
    expect(r.v6).toBeUndefined();
    expect(r.text).toBe(`# web.fw, exported by fwlang: iptables-restore input (IPv4), 2 firewall(s) in FORWARD.
# Loading it replaces the filter table.
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:fw-edge - [0:0]
:fw-edge-in - [0:0]
:fw-edge-out - [0:0]
:fw-edge-from - [0:0]
:fw-edge-to - [0:0]
:fw-web_sg - [0:0]
:fw-web_sg-in - [0:0]
:fw-web_sg-out - [0:0]
:fw-web_sg-from - [0:0]
:fw-web_sg-to - [0:0]
# firewall edge: stateless, protects web, default deny
-A FORWARD -j fw-edge
-A fw-edge -s 10.0.1.10 -j fw-edge-from
-A fw-edge -d 10.0.1.10 -j fw-edge-to
-A fw-edge-from -d 10.0.1.10 -j RETURN
-A fw-edge-from -j fw-edge-out
-A fw-edge-to -s 10.0.1.10 -j RETURN
-A fw-edge-to -j fw-edge-in
-A fw-edge-in -s 192.0.2.0/24 -d 10.0.1.10 -p tcp -m multiport --dports 80,443 -m comment --comment "line 4, line 5" -j RETURN
-A fw-edge-in -m comment --comment "default deny" -j DROP
-A fw-edge-out -s 10.0.1.10 -d 192.0.2.0/24 -p tcp -m tcp --dport 1024:65535 -m multiport --sports 80,443 -m comment --comment "line 6" -j RETURN
-A fw-edge-out -m comment --comment "default deny" -j DROP
# firewall web-sg: stateful, protects web, default deny
-A FORWARD -j fw-web_sg
-A fw-web_sg -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN
-A fw-web_sg -s 10.0.1.10 -j fw-web_sg-from
-A fw-web_sg -d 10.0.1.10 -j fw-web_sg-to
-A fw-web_sg-from -d 10.0.1.10 -j RETURN
-A fw-web_sg-from -j fw-web_sg-out
-A fw-web_sg-to -s 10.0.1.10 -j RETURN
-A fw-web_sg-to -j fw-web_sg-in
-A fw-web_sg-in -d 10.0.1.10 -p tcp -m tcp --dport 22 -m comment --comment "line 9" -j RETURN
-A fw-web_sg-in -p icmp -m comment --comment "line 10" -j RETURN
-A fw-web_sg-in -m comment --comment "default deny" -j DROP
-A fw-web_sg-out -m comment --comment "default deny" -j DROP
COMMIT
`);
  });

  it('ip6tables-restore input when a firewall protects IPv6 addresses; more than 15 ports split over multiport rules', () => {
    const ports = Array.from({ length: 20 }, (_, i) => 1000 + 2 * i).join(', ');
    const r = exported(
      `firewall fw stateless protects 2001:db8:1::/64 {\n  inbound allow udp to any port [${ports}]\n  inbound allow icmp\n}\n`,
      'iptables',
    );
    expect(r.v6).toBeDefined();
    const lines = r.v6!.split('\n').filter((l) => l.startsWith('-A fw-fw-in'));
    expect(lines).toEqual([
      '-A fw-fw-in -p udp -m multiport --dports 1000,1002,1004,1006,1008,1010,1012,1014,1016,1018,1020,1022,1024,1026,1028 -m comment --comment "line 2" -j RETURN',
      '-A fw-fw-in -p udp -m multiport --dports 1030,1032,1034,1036,1038 -m comment --comment "line 2" -j RETURN',
      '-A fw-fw-in -p ipv6-icmp -m comment --comment "line 3" -j RETURN',
      '-A fw-fw-in -m comment --comment "default deny" -j DROP',
    ]);
    // the IPv4 input has no chain of a firewall that protects no IPv4 address
    expect(r.text).not.toContain('fw-fw');
  });
});

describe('fwlang export --to nftables|iptables (command line)', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = tempFiles({
      'web.fw': WEB,
      'v6.fw': 'firewall fw stateless protects 2001:db8:1::/64 {\n  inbound allow tcp to any port 22\n}\n',
      'broken.fw': 'firewall fw stateless protects 10.0.0.0/24 {\n  inbound alow tcp to any port 22\n}\n',
      'gw.fw': 'nat natgw 10.0.0.5\nfirewall fw stateless protects 10.0.0.0/24 {\n}\n',
    });
  }, 120_000);
  afterAll(removeTempFiles);
  const run = (args: string[]) => runCli(args, dir);

  it('prints the nft script, exit 0', () => {
    const r = run(['export', 'web.fw', '--to', 'nftables']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^#!\/usr\/sbin\/nft -f\n/);
    expect(r.stdout).toContain('table inet fwlang {}\ndelete table inet fwlang\n');
  });

  it('-o PREFIX writes PREFIX.v4, and PREFIX.v6 only with IPv6', () => {
    expect(run(['export', 'web.fw', '--to', 'iptables', '-o', 'web']).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'web.v4'), 'utf8')).toMatch(/^# web\.fw, exported by fwlang: iptables-restore input/);
    expect(fs.existsSync(path.join(dir, 'web.v6'))).toBe(false);
    expect(run(['export', 'v6.fw', '--to', 'iptables', '-o', 'v6']).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'v6.v6'), 'utf8')).toContain('-A fw-fw-in -p tcp -m tcp --dport 22');
  });

  it('--firewall may repeat and name a nat gateway', () => {
    const r = run(['export', 'gw.fw', '--to', 'nftables', '--firewall', 'natgw']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('chain nat_natgw {');
    expect(r.stdout).not.toContain('chain fw {');
    const both = run(['export', 'gw.fw', '--to', 'nftables', '--firewall', 'natgw', '--firewall', 'fw']);
    expect(both.stdout).toContain('chain fw {');
  });

  it('a file with errors is not exported: exit 1, the errors on stderr, nothing written', () => {
    const r = run(['export', 'broken.fw', '--to', 'nftables', '-o', 'broken.nft']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^broken\.fw:2:11: error syntax: .*alow/m);
    expect(fs.existsSync(path.join(dir, 'broken.nft'))).toBe(false);
  });

  it('exit 2 for a firewall that is not there', () => {
    const r = run(['export', 'web.fw', '--to', 'iptables', '--firewall', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('fwlang: web.fw: no firewall nope (or nat gateway)\n');
  });
});
