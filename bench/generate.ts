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

/** A small seeded generator (mulberry32), so every run draws the same rules. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The worst case of the exact analyses: one stateless firewall of `rules` random rules that
 * overlap everywhere — prefixes from /8 to /32 nested in a few blocks on both sides, port
 * ranges, single ports, services and `ephemeral`, source ports on some, both directions,
 * allow and deny, tcp, udp and (rarely) all. Shadowing then cuts rules into many boxes.
 */
export function generateOverlapping(rules: number, seed = 12): Generated {
  const rnd = random(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  // A prefix of length 8..32 (weighted toward /16../28) inside a base block, host bits zero.
  const prefix = (base: [number, number], minLen: number): string => {
    const len = minLen + int(33 - minLen);
    const addr = ((base[0] << 24) | (base[1] << 16) | (int(256) << 8) | int(256)) >>> 0;
    const masked = len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
    const ip = [masked >>> 24, (masked >>> 16) & 255, (masked >>> 8) & 255, masked & 255].join('.');
    return len === 32 ? ip : `${ip}/${len}`;
  };
  const inside: [number, number][] = [
    [10, 0],
    [10, 1],
  ];
  const outside: [number, number][] = [
    [198, 51],
    [203, 0],
    [192, 0],
    [100, 64],
  ];
  const ports = (): string => {
    switch (int(6)) {
      case 0:
        return pick(['https', 'http', 'ssh', 'postgres', 'smtp']);
      case 1:
        return 'ephemeral';
      case 2:
        return String(int(65536));
      case 3: {
        const lo = int(65536);
        return `${lo}-${Math.min(65535, lo + int(20000))}`;
      }
      case 4: {
        const lo = int(2000);
        return `${lo}-${lo + int(200)}`;
      }
      default:
        return `[${int(1024)}, ${1024 + int(64000)}-65535]`;
    }
  };
  const lines: string[] = [
    '# generated for npm run bench: one firewall of random overlapping rules',
    'network inside 10.0.0.0/16, 10.1.0.0/16',
    'default ephemeral linux',
    '',
    'firewall edge stateless protects inside {',
  ];
  const jsonRules: unknown[] = [];
  for (let i = 0; i < rules; i++) {
    const direction = rnd() < 0.5 ? 'inbound' : 'outbound';
    const action = rnd() < 0.8 ? 'allow' : 'deny';
    const proto = rnd() < 0.05 ? 'all' : rnd() < 0.75 ? 'tcp' : 'udp';
    const inner = rnd() < 0.1 ? 'inside' : prefix(pick(inside), 16);
    const outer = rnd() < 0.05 ? 'any' : prefix(pick(outside), 8);
    const [from, to] = direction === 'inbound' ? [outer, inner] : [inner, outer];
    let rule = `${10 + i * 10} ${direction} ${action} ${proto} from ${from}`;
    const ported = proto !== 'all';
    const sport = ported && rnd() < 0.3 ? ports() : undefined;
    const dport = ported && rnd() < 0.9 ? ports() : undefined;
    // `port SERVICE` of the other protocol is an error: services are tcp here, so udp gets numbers.
    const fix = (p: string | undefined) => (p && proto === 'udp' && /^[a-z]/.test(p) && p !== 'ephemeral' ? '53' : p);
    if (fix(sport)) rule += ` port ${fix(sport)}`;
    rule += ` to ${to}`;
    if (fix(dport)) rule += ` port ${fix(dport)}`;
    lines.push(`  ${rule}`);
    jsonRules.push({ firewall: 'edge', number: 10 + i * 10, direction, action, proto, from, to, sport: fix(sport), dport: fix(dport) });
  }
  lines.push('}', '');
  const text = lines.join('\n') + '\n';
  return { text, json: JSON.stringify(jsonRules), rules };
}
