// `iptables-save` / `ip6tables-save` text as netfilter chains (chains.ts writes them as `.fw`):
// the filter table's INPUT, OUTPUT and FORWARD chains and the user chains they jump to; the nat
// table's MASQUERADE; every other rule of the other tables is named as not expressed. Pure: no IO.

import { AddrSet, PortSet } from '../core/intervals';
import {
  type Action,
  type BaseChain,
  type Chain,
  type Family,
  ICMP,
  ICMPV6,
  type Match,
  type Rule,
  type Ruleset,
  TCP,
  type Table,
  UDP,
  addrRangeOf,
  addrSetOf,
  quotedRule,
  spaceOf,
} from './chains';

export interface TextInput {
  /** How messages name the input: its path, or `<stdin>`. */
  name: string;
  text: string;
}

/** The text looks like iptables-save output: its first statement is a table (`*filter`) or a chain (`:INPUT ACCEPT [0:0]`). */
export function isIptablesSave(text: string): boolean {
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) continue;
    return /^\*[A-Za-z_]+$/.test(l) || /^:\S+ (ACCEPT|DROP|-) \[\d+:\d+\]$/.test(l);
  }
  return false;
}

const PROTOCOLS: Record<string, number | 'all'> = {
  all: 'all',
  '0': 'all',
  tcp: TCP,
  udp: UDP,
  icmp: ICMP,
  'ipv6-icmp': ICMPV6,
  icmpv6: ICMPV6,
};
const PROTOCOL_NAMES: Record<string, number> = { sctp: 132, gre: 47, esp: 50, ah: 51, udplite: 136, dccp: 33, ipip: 4, igmp: 2 };

const STATES = ['new', 'established', 'related', 'invalid', 'untracked'];
/** Targets that decide nothing: the packet goes on to the next rule. */
const QUIET_TARGETS = new Set([
  'LOG',
  'NFLOG',
  'ULOG',
  'MARK',
  'CONNMARK',
  'TCPMSS',
  'CLASSIFY',
  'DSCP',
  'TOS',
  'TTL',
  'HL',
  'SET',
  'AUDIT',
  'CT',
  'NOTRACK',
  'TRACE',
  'CHECKSUM',
  'SECMARK',
  'CONNSECMARK',
  'IDLETIMER',
  'LED',
  'TEE',
]);
const CORE = new Set([
  '-s',
  '--source',
  '-d',
  '--destination',
  '-p',
  '--protocol',
  '-i',
  '--in-interface',
  '-o',
  '--out-interface',
  '-f',
  '--fragment',
  '-m',
  '--match',
  '-j',
  '--jump',
  '-g',
  '--goto',
]);

/** The words of a line as iptables-save quotes them (`"web ports"`, `\"`). */
function words(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let w = '';
    let quoted = false;
    while (i < line.length && (quoted || !/\s/.test(line[i]!))) {
      const ch = line[i]!;
      if (ch === '"') quoted = !quoted;
      else if (ch === '\\' && i + 1 < line.length) w += line[++i];
      else w += ch;
      i++;
    }
    if (quoted) return undefined;
    out.push(w);
  }
  return out;
}

/** `22`, `8000:8080`, `:1024`, `1024:`, comma lists (multiport). */
function portsOf(text: string): PortSet | undefined {
  let s = PortSet.EMPTY;
  for (const part of text.split(',')) {
    const m = /^(\d*)(?::(\d*))?$/.exec(part);
    if (!m || (m[1] === '' && m[2] === undefined)) return undefined;
    const lo = m[1] === '' ? 0 : Number(m[1]);
    const hi = m[2] === undefined ? lo : m[2] === '' ? 65535 : Number(m[2]);
    if (lo > 65535 || hi > 65535) return undefined;
    s = s.union(PortSet.range(Math.min(lo, hi), Math.max(lo, hi)));
  }
  return s;
}

interface Parsed {
  chain: string;
  rule: Rule;
}

/** One `-A CHAIN …` line of a table of the family. */
function parseRule(args: string[], fam: Family, where: string, text: string, chains: Set<string>): Parsed | { error: string } {
  const space = spaceOf([fam]);
  const cannot: string[] = [];
  const besides: string[] = [];
  let chain = '';
  let src = space;
  let dst = space;
  let srcName: string | undefined;
  let dstName: string | undefined;
  let protos: Set<number> | undefined;
  let sport = PortSet.ALL;
  let dport = PortSet.ALL;
  let either: PortSet | undefined;
  let states: Set<string> | undefined;
  let loopback = false;
  let comment: string | undefined;
  let action: Action = { kind: 'continue' };
  let module = '';
  let neg = false;
  const take = (i: number): string[] => {
    // The values of an option: the words up to the next option.
    const vals: string[] = [];
    for (let j = i + 1; j < args.length && !args[j]!.startsWith('-') && args[j] !== '!'; j++) vals.push(args[j]!);
    return vals;
  };
  let i = 0;
  while (i < args.length) {
    const t = args[i]!;
    const v = args[i + 1];
    const bang = neg ? '! ' : '';
    if (t === '!') {
      neg = true;
      i++;
      continue;
    }
    if (t === '-A' || t === '--append') {
      chain = v ?? '';
      i += 2;
      continue;
    }
    const need = () => {
      if (v === undefined) throw new Error(`${t} needs a value`);
      return v;
    };
    switch (t) {
      case '-s':
      case '--source':
      case '-d':
      case '--destination': {
        const val = need();
        let set = AddrSet.EMPTY;
        let ok = true;
        for (const a of val.split(',')) {
          const s = addrSetOf(a);
          if (!s || !s.isSubsetOf(space)) ok = false;
          else set = set.union(s);
        }
        if (!ok) cannot.push(`${bang}${t} ${val}: not an IPv${fam} address or prefix .fw can write`);
        else {
          const res = neg ? space.subtract(set) : set;
          const name = neg ? `not-${val}` : undefined;
          if (t === '-s' || t === '--source') [src, srcName] = [res, name];
          else [dst, dstName] = [res, name];
        }
        i += 2;
        break;
      }
      case '-p':
      case '--protocol': {
        const val = need().toLowerCase();
        const p = PROTOCOLS[val] ?? (/^\d+$/.test(val) ? Number(val) : PROTOCOL_NAMES[val]);
        if (neg) cannot.push(`! -p ${val}: .fw cannot say every protocol but one`);
        else if (p === undefined) cannot.push(`-p ${val}: an unknown protocol`);
        else if (p !== 'all') {
          if (![TCP, UDP, ICMP, ICMPV6].includes(p)) cannot.push(`-p ${val}: protocol ${p} has no word in .fw (tcp, udp, icmp, all)`);
          else protos = new Set([p]);
        }
        i += 2;
        break;
      }
      case '-i':
      case '--in-interface':
      case '-o':
      case '--out-interface': {
        const val = need();
        if (val === 'lo' && !neg) loopback = true;
        else cannot.push(`${bang}${t} ${val}: .fw has no interfaces`);
        i += 2;
        break;
      }
      case '-f':
      case '--fragment':
        cannot.push(`${bang}-f: .fw does not tell fragments from whole packets`);
        i += 1;
        break;
      case '-m':
      case '--match':
        module = need();
        i += 2;
        if (!['tcp', 'udp', 'multiport', 'conntrack', 'state', 'comment', 'icmp', 'icmp6', 'iprange'].includes(module)) {
          // A match .fw has no counterpart for: its options, up to the next core option, go with it.
          const opts: string[] = [];
          while (i < args.length && !CORE.has(args[i]!) && !(args[i] === '!' && CORE.has(args[i + 1] ?? ''))) opts.push(args[i++]!);
          cannot.push(`${bang}-m ${module}${opts.length ? ` ${opts.join(' ')}` : ''}: .fw has no such match`);
        }
        break;
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        const target = need();
        const opts = args.slice(i + 2);
        i = args.length;
        if (t === '-g' || t === '--goto') action = { kind: 'goto', chain: target };
        else if (target === 'ACCEPT') action = { kind: 'accept' };
        else if (target === 'DROP') action = { kind: 'drop' };
        else if (target === 'RETURN') action = { kind: 'return' };
        else if (target === 'REJECT') {
          const w = opts.indexOf('--reject-with');
          const answer = w >= 0 && opts[w + 1] ? opts[w + 1]! : fam === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable';
          action = { kind: 'reject', answer };
        } else if (QUIET_TARGETS.has(target))
          besides.push(`-j ${target}: ${/LOG$/.test(target) ? '.fw does not log' : '.fw has no such target'}`);
        else if (chains.has(target)) action = { kind: 'jump', chain: target };
        else cannot.push(`-j ${target}: .fw has no such target`);
        break;
      }
      case '-c':
      case '--set-counters':
        i += 3;
        break;
      case '--dport':
      case '--destination-port':
      case '--sport':
      case '--source-port':
      case '--dports':
      case '--destination-ports':
      case '--sports':
      case '--source-ports':
      case '--ports': {
        const val = need();
        const p = portsOf(val);
        if (!p) cannot.push(`${bang}${t} ${val}: not ports .fw can write`);
        else {
          const set = neg ? PortSet.ALL.subtract(p) : p;
          if (t === '--ports') {
            if (neg) cannot.push(`! --ports ${val}: .fw cannot say that neither port is one of these`);
            else either = set;
          } else if (['--dport', '--destination-port', '--dports', '--destination-ports'].includes(t)) dport = dport.intersect(set);
          else sport = sport.intersect(set);
        }
        i += 2;
        break;
      }
      case '--ctstate':
      case '--state': {
        const val = need();
        const s = new Set(val.toLowerCase().split(','));
        states = neg ? new Set(STATES.filter((x) => !s.has(x))) : s;
        i += 2;
        break;
      }
      case '--comment':
        comment = need();
        i += 2;
        break;
      case '--icmp-type':
      case '--icmpv6-type': {
        const val = need();
        if (val !== 'any' || neg) cannot.push(`${bang}${t} ${val}: one ICMP type; a .fw icmp rule matches every type`);
        i += 2;
        break;
      }
      case '--src-range':
      case '--dst-range': {
        const val = need();
        const [lo, hi] = val.split('-');
        const r = lo !== undefined && hi !== undefined ? addrRangeOf(lo, hi) : undefined;
        if (!r || !r.isSubsetOf(space)) cannot.push(`${bang}${t} ${val}: not an IPv${fam} address range`);
        else {
          const res = neg ? space.subtract(r) : r;
          const name = `${neg ? 'not' : 'range'}-${val}`;
          if (t === '--src-range') [src, srcName] = [src.intersect(res), name];
          else [dst, dstName] = [dst.intersect(res), name];
        }
        i += 2;
        break;
      }
      default: {
        const vals = take(i);
        cannot.push(`${bang}${[t, ...vals].join(' ')}${module ? ` (-m ${module})` : ''}: .fw has no such match`);
        i += 1 + vals.length;
      }
    }
    neg = false;
  }
  if (!chain) return { error: 'a rule without -A CHAIN' };
  if ((!sport.isAll() || !dport.isAll() || either) && !protos) protos = new Set([TCP, UDP]);
  const base: Match = {
    src,
    dst,
    sport,
    dport,
    ...(protos ? { protos } : {}),
    ...(srcName ? { srcName } : {}),
    ...(dstName ? { dstName } : {}),
  };
  const matches: Match[] = [];
  if (either) {
    if (!sport.intersect(either).isEmpty()) matches.push({ ...base, sport: sport.intersect(either) });
    if (!dport.intersect(either).isEmpty()) matches.push({ ...base, dport: dport.intersect(either) });
  } else if (!sport.isEmpty() && !dport.isEmpty() && !src.isEmpty() && !dst.isEmpty()) matches.push(base);
  const rule: Rule = {
    where,
    text: quotedRule(text),
    matches,
    cannot,
    besides,
    action,
    ...(states ? { states } : {}),
    ...(loopback ? { loopback } : {}),
    ...(comment !== undefined ? { comment } : {}),
  };
  return { chain, rule };
}

interface RawTable {
  family: Family;
  name: string;
  where: string;
  policies: Map<string, { policy: string; where: string }>;
  rules: { chain: string; args: string[]; where: string; text: string }[];
}

const BUILTIN: Record<string, 'input' | 'output' | 'forward'> = { INPUT: 'input', OUTPUT: 'output', FORWARD: 'forward' };

/** iptables-save and ip6tables-save outputs (one or several per file) as chains, or why they are not. */
export function readIptables(inputs: TextInput[]): Ruleset | { error: string } {
  const raw: RawTable[] = [];
  for (const input of inputs) {
    const lines = input.text.split(/\r?\n/);
    let family: Family | undefined;
    let cur: RawTable | undefined;
    const block: RawTable[] = [];
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n]!.trim();
      const where = `${input.name}:${n + 1}`;
      if (line === '') continue;
      if (line.startsWith('#')) {
        if (/^# Generated by ip6tables-save/.test(line)) family = 6;
        else if (/^# Generated by iptables-save/.test(line)) family = 4;
        continue;
      }
      if (line.startsWith('*')) {
        if (cur) return { error: `${where}: table ${line.slice(1)} begins before COMMIT ends table ${cur.name}` };
        cur = { family: family ?? 4, name: line.slice(1), where, policies: new Map(), rules: [] };
        block.push(cur);
        continue;
      }
      if (!cur) return { error: `${where}: not iptables-save output (a line before the first *table)` };
      if (line === 'COMMIT') {
        // No header: the family of the block is that of its addresses and protocols.
        if (family === undefined && cur.rules.some((r) => /(^|\s)(-[sd]|--source|--destination)\s+\S*:|ipv6-icmp|icmpv6/.test(r.text)))
          cur.family = 6;
        raw.push(cur);
        cur = undefined;
        family = undefined;
        continue;
      }
      if (line.startsWith(':')) {
        const m = /^:(\S+)\s+(\S+)(\s+\[\d+:\d+\])?$/.exec(line);
        if (!m) return { error: `${where}: not an iptables-save chain line: ${line}` };
        cur.policies.set(m[1]!, { policy: m[2]!, where });
        continue;
      }
      let text = line.replace(/^\[\d+:\d+\]\s+/, '');
      const w = words(text);
      if (!w || (w[0] !== '-A' && w[0] !== '--append')) return { error: `${where}: not iptables-save output: ${line}` };
      text = text.replace(/\s+/g, ' ');
      cur.rules.push({ chain: w[1] ?? '', args: w, where, text });
    }
    if (cur) return { error: `${input.name}: table ${cur.name} has no COMMIT` };
  }
  if (raw.length === 0) return { error: 'no table in the input: not iptables-save output' };

  const rs: Ruleset = { from: 'iptables', about: '', tables: [], masquerades: [], unexpressed: [] };
  const families = new Set(raw.filter((t) => t.name === 'filter').map((t) => t.family));
  const seen = new Set<string>();
  for (const t of raw) {
    const key = `${t.family}/${t.name}`;
    if (seen.has(key))
      return {
        error:
          `${t.where}: a second IPv${t.family} ${t.name} table ` +
          `(ip6tables-save output is told by its '# Generated by ip6tables-save' line or its addresses)`,
      };
    seen.add(key);
    const tool = t.family === 4 ? 'iptables' : 'ip6tables';
    const chainNames = new Set(t.policies.keys());
    const parsed: Parsed[] = [];
    for (const r of t.rules) {
      let p: Parsed | { error: string };
      try {
        p = parseRule(r.args, t.family, r.where, r.text, chainNames);
      } catch (e) {
        p = { error: (e as Error).message };
      }
      if ('error' in p) return { error: `${r.where}: ${p.error}` };
      parsed.push(p);
    }
    if (t.name === 'filter') {
      const chains = new Map<string, Chain>();
      for (const name of chainNames) chains.set(name, { name, rules: [] });
      for (const p of parsed) {
        if (!chains.has(p.chain)) return { error: `${p.rule.where}: chain ${p.chain} is not declared (no :${p.chain} line)` };
        chains.get(p.chain)!.rules.push(p.rule);
      }
      const table: Table = { chains, bases: [] };
      for (const [name, { policy, where }] of t.policies) {
        const hook = BUILTIN[name];
        if (!hook) continue;
        if (policy !== 'ACCEPT' && policy !== 'DROP') return { error: `${where}: policy ${policy} of ${name}: ACCEPT or DROP` };
        const base: BaseChain = {
          chain: chains.get(name)!,
          hook,
          policy: policy === 'ACCEPT' ? 'accept' : 'drop',
          families: [t.family],
          label: families.size > 1 ? `${tool} ${name}` : name,
          table: 'filter',
        };
        table.bases.push(base);
      }
      rs.tables.push(table);
      continue;
    }
    // Other tables: masquerade is a NAT gateway; anything else that acts is not expressed.
    for (const [name, { policy, where }] of t.policies)
      if (policy !== 'ACCEPT' && policy !== '-')
        rs.unexpressed.push({ where, text: `*${t.name} :${name} ${policy}`, why: `.fw expresses the filter table (and masquerade) only` });
    for (const p of parsed) {
      const r = p.rule;
      if (t.name === 'nat' && /\s-j MASQUERADE\b/.test(r.text)) rs.masquerades.push({ where: r.where, text: r.text });
      else if (r.action.kind === 'continue' && r.besides.length === 0 && r.cannot.length === 0) continue;
      else
        rs.unexpressed.push({
          where: r.where,
          text: `*${t.name} ${r.text}`,
          why: t.name === 'nat' ? 'NAT other than masquerade has no .fw form' : `.fw expresses the filter table (and masquerade) only`,
        });
    }
  }
  const fams = [...families].sort();
  rs.about = fams.length
    ? `the filter table of ${fams.map((f) => (f === 4 ? 'iptables-save' : 'ip6tables-save')).join(' and ')}`
    : 'no filter table';
  return rs;
}
