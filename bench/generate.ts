// Generated `.fw` files for the benchmark: realistic stateless firewalls (request rules,
// their response rules, denies and overlapping rules), numbered like AWS network ACLs.

export interface Generated {
  text: string;
  /** The same rules as JSON, for the parse-speed comparison. */
  json: string;
  rules: number;
}

const SERVICES = ['https', 'http', 'ssh', 'postgres', 'mysql', 'smtp', 'rdp'];
const PORTS: Record<string, number> = { https: 443, http: 80, ssh: 22, postgres: 5432, mysql: 3306, smtp: 25, rdp: 3389 };

/** `firewalls` stateless firewalls of `perFirewall` rules each, plus hosts and flows. */
export function generate(firewalls: number, perFirewall: number): Generated {
  const lines: string[] = ['# generated for npm run bench', 'network internet 0.0.0.0/0', 'default ephemeral linux', ''];
  const jsonRules: unknown[] = [];
  for (let f = 0; f < firewalls; f++) {
    const a = 10 + Math.floor(f / 250);
    const b = f % 250;
    lines.push(`network subnet${f} 10.${a}.${b}.0/24`);
    lines.push(`host web${f} 10.${a}.${b}.10 ephemeral linux`);
    lines.push(`host db${f} 10.${a}.${b}.20`);
  }
  lines.push('');
  for (let f = 0; f < firewalls; f++) {
    const a = 10 + Math.floor(f / 250);
    const b = f % 250;
    lines.push(`firewall acl${f} stateless protects subnet${f} {`);
    for (let i = 0; i < perFirewall; i++) {
      const n = 100 + i * 10;
      const svc = SERVICES[i % SERVICES.length]!;
      const peer = `198.51.${(i * 7) % 256}.0/24`;
      const kind = i % 8;
      let rule: string;
      let dir: string;
      if (kind === 0 || kind === 4) {
        dir = 'inbound';
        rule = `${n} inbound allow tcp from ${peer} to web${f} port ${svc}`;
      } else if (kind === 1 || kind === 5) {
        dir = 'outbound';
        rule = `${n} outbound allow tcp from web${f} port ${svc} to ${peer} port ephemeral`;
      } else if (kind === 2) {
        dir = 'inbound';
        rule = `${n} inbound deny tcp from 203.0.${i % 256}.0/24 to subnet${f} port ${1000 + (i % 500)}-${2000 + (i % 500)}`;
      } else if (kind === 3) {
        dir = 'outbound';
        rule = `${n} outbound allow tcp from db${f} to 10.${a}.${(b + 1) % 250}.20 port postgres`;
      } else if (kind === 6) {
        dir = 'inbound';
        rule = `${n} inbound allow tcp from 10.${a}.${(b + 1) % 250}.20 port postgres to db${f} port ephemeral`;
      } else {
        dir = 'inbound';
        rule = `${n} inbound allow udp from 192.0.2.${i % 256} port dns to subnet${f} port 1024-65535`;
      }
      lines.push(`  ${rule}`);
      jsonRules.push({ firewall: `acl${f}`, number: n, direction: dir, text: rule, action: rule.includes('deny') ? 'deny' : 'allow', service: svc, port: PORTS[svc] });
    }
    lines.push('}', '');
  }
  for (let f = 0; f < Math.min(firewalls, 20); f++) {
    lines.push(`flow 198.51.0.5 -> web${f} https expect allow`);
  }
  const text = lines.join('\n') + '\n';
  return { text, json: JSON.stringify(jsonRules), rules: firewalls * perFirewall };
}
