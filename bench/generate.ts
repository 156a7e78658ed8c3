// Generated `.fw` files for the benchmark: realistic stateless firewalls (request rules,
// their response rules, denies and overlapping rules), numbered like AWS network ACLs.

export interface Generated {
  text: string;
  /** The same rules as JSON, for the parse-speed comparison. */
  json: string;
  rules: number;
}

const SERVICES = ['https', 'http', 'ssh', 'postgres', 'mysql', 'smtp', 'rdp'];

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
      // Blocks of eight rules: request/response pairs both ways, a deny, an overlapping rule.
      const n = 100 + i * 10;
      const j = Math.floor(i / 8);
      const svc = SERVICES[j % SERVICES.length]!;
      const peer = `198.51.${j % 256}.0/24`;
      const kind = i % 8;
      let rule: string;
      switch (kind) {
        case 0:
          rule = `${n} inbound allow tcp from ${peer} to web${f} port ${svc}`;
          break;
        case 1:
          rule = `${n} outbound allow tcp from web${f} port ${svc} to ${peer} port ephemeral`;
          break;
        case 2:
          rule = `${n} inbound deny tcp from 203.0.${j % 256}.0/24 to subnet${f} port ${8000 + j}-${8100 + j}`;
          break;
        case 3:
          rule = `${n} outbound allow tcp from db${f} to 10.${a}.${(b + 1) % 250}.${20 + j} port postgres`;
          break;
        case 4:
          rule = `${n} inbound allow tcp from 10.${a}.${(b + 1) % 250}.${20 + j} port postgres to db${f} port ephemeral`;
          break;
        case 5:
          rule = `${n} outbound allow udp from web${f} to 192.0.2.${j % 256} port dns`;
          break;
        case 6:
          rule = `${n} inbound allow udp from 192.0.2.${j % 256} port dns to web${f} port ephemeral`;
          break;
        default:
          rule = `${n} inbound allow tcp from 198.51.${j % 256}.0/25 to web${f} port ${svc}`;
      }
      const dir = rule.includes(' inbound ') ? 'inbound' : 'outbound';
      lines.push(`  ${rule}`);
      const m = /^(\d+) (\w+) (\w+) (\w+) from (\S+)(?: port (\S+))? to (\S+)(?: port (\S+))?$/.exec(rule)!;
      jsonRules.push({
        firewall: `acl${f}`,
        number: n,
        direction: dir,
        action: m[3],
        proto: m[4],
        from: { endpoint: m[5], ports: m[6] ?? null },
        to: { endpoint: m[7], ports: m[8] ?? null },
      });
    }
    lines.push('}', '');
  }
  for (let f = 0; f < Math.min(firewalls, 20); f++) {
    lines.push(`flow 198.51.0.5 -> web${f} https expect allow`);
  }
  const text = lines.join('\n') + '\n';
  return { text, json: JSON.stringify(jsonRules), rules: firewalls * perFirewall };
}
