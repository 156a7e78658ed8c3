// The JSON of `nft -j list ruleset` (libnftables-json(5)) as netfilter chains (chains.ts writes them
// as `.fw`): filter chains on the input, output and forward hooks of ip, ip6 and inet tables, the
// chains they jump to, named and anonymous sets, verdict maps; masquerade in nat chains. What
// `.fw` cannot say (interfaces, marks, limits, other hooks and families) is named. Pure: no IO.

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

type Json = unknown;
type Obj = Record<string, Json>;
const isObj = (x: Json): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The document is `nft -j list ruleset` output: an object whose `nftables` is an array. */
export function isNftablesJson(json: Json): boolean {
  return isObj(json) && Array.isArray(json.nftables);
}

const PROTOCOLS: Record<string, number> = { tcp: TCP, udp: UDP, icmp: ICMP, 'ipv6-icmp': ICMPV6, icmpv6: ICMPV6 };
const SERVICES: Record<string, number> = {
  ssh: 22,
  smtp: 25,
  domain: 53,
  http: 80,
  https: 443,
  ntp: 123,
  'ms-wbt-server': 3389,
  postgresql: 5432,
  mysql: 3306,
  ftp: 21,
  telnet: 23,
  bootps: 67,
  bootpc: 68,
  imap: 143,
  imaps: 993,
  pop3: 110,
  pop3s: 995,
  submission: 587,
  snmp: 161,
};
const STATES = ['new', 'established', 'related', 'invalid', 'untracked'];
const FAMILIES: Record<string, Family[]> = { ip: [4], ip6: [6], inet: [4, 6] };

// --- Rendering expressions back as nft text, for comments and messages.

function value(x: Json): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  if (Array.isArray(x)) return x.map(value).join(',');
  if (isObj(x)) {
    if (isObj(x.prefix)) return `${value(x.prefix.addr)}/${value(x.prefix.len)}`;
    if (Array.isArray(x.range)) return `${value(x.range[0])}-${value(x.range[1])}`;
    if (Array.isArray(x.set))
      return `{ ${x.set.map((e) => (Array.isArray(e) ? `${value(e[0])} : ${value(e[1])}` : value(e))).join(', ')} }`;
    if (isObj(x.elem)) return value(x.elem.val);
    if ('accept' in x || 'drop' in x || 'continue' in x || 'return' in x) return Object.keys(x)[0]!;
    if (isObj(x.jump)) return `jump ${value(x.jump.target)}`;
    if (isObj(x.goto)) return `goto ${value(x.goto.target)}`;
    return left(x);
  }
  return 'null';
}

function left(x: Json): string {
  if (!isObj(x)) return value(x);
  if (isObj(x.payload)) return `${value(x.payload.protocol)} ${value(x.payload.field)}`;
  if (isObj(x.meta)) {
    const k = value(x.meta.key);
    return ['iif', 'iifname', 'oif', 'oifname'].includes(k) ? k : `meta ${k}`;
  }
  if (isObj(x.ct)) return `ct ${value(x.ct.key)}`;
  const k = Object.keys(x)[0];
  return k ?? '?';
}

function render(e: Json): string {
  if (!isObj(e)) return value(e);
  const [k, v] = Object.entries(e)[0] ?? ['?', null];
  if (k === 'match' && isObj(v)) {
    const op = value(v.op);
    const right = typeof v.right === 'string' && !v.right.startsWith('@') && /[^\w.:/-]/.test(v.right) ? `"${v.right}"` : value(v.right);
    return `${left(v.left)} ${op === '==' || op === 'in' ? '' : `${op} `}${right}`;
  }
  if (k === 'vmap' && isObj(v)) return `${left(v.key)} vmap ${value(v.data)}`;
  if (k === 'jump' || k === 'goto') return `${k} ${isObj(v) ? value(v.target) : ''}`;
  if (k === 'reject') return isObj(v) && v.type ? `reject with ${value(v.type)}${v.expr ? ` ${value(v.expr)}` : ''}` : 'reject';
  if (k === 'log') return isObj(v) && v.prefix !== undefined ? `log prefix "${value(v.prefix)}"` : 'log';
  if (k === 'limit' && isObj(v)) return `limit rate ${value(v.rate)}/${value(v.per)}`;
  if (k === 'xt' && isObj(v)) return `xt ${value(v.type)} ${value(v.name)}`;
  if (k === 'counter') return 'counter';
  if (v === null) return k;
  return k;
}

// --- Reading.

interface NftSet {
  type: Json;
  elem: Json[];
}

interface NftTable {
  family: string;
  name: string;
  sets: Map<string, NftSet>;
  chains: Map<string, { obj: Obj; rules: Obj[] }>;
}

/** The elements of a right-hand side: a value, an anonymous set, a named set. */
function elements(right: Json, table: NftTable): { elems: Json[]; name?: string } | { error: string } {
  if (typeof right === 'string' && right.startsWith('@')) {
    const s = table.sets.get(right.slice(1));
    if (!s) return { error: `set ${right} is not in the input` };
    if (Array.isArray(s.type)) return { error: `set ${right} holds concatenations` };
    return { elems: s.elem, name: right.slice(1) };
  }
  if (isObj(right) && Array.isArray(right.set)) return { elems: right.set };
  if (Array.isArray(right)) return { elems: right };
  return { elems: [right] };
}

const unwrap = (e: Json): Json => (isObj(e) && isObj(e.elem) ? e.elem.val : e);

function addrsOf(elems: Json[]): AddrSet | undefined {
  let s = AddrSet.EMPTY;
  for (const raw of elems) {
    const e = unwrap(raw);
    let x: AddrSet | undefined;
    if (typeof e === 'string') x = addrSetOf(e);
    else if (isObj(e) && isObj(e.prefix)) x = addrSetOf(`${value(e.prefix.addr)}/${value(e.prefix.len)}`);
    else if (isObj(e) && Array.isArray(e.range)) x = addrRangeOf(value(e.range[0]), value(e.range[1]));
    if (!x) return undefined;
    s = s.union(x);
  }
  return s;
}

/** A port: a whole number 0-65535, or a service nft names (a fuzzed `1.5` was written as `port 1.5`). */
function portOf(x: Json): number | undefined {
  const p = typeof x === 'number' ? x : typeof x === 'string' ? (/^\d+$/.test(x) ? Number(x) : SERVICES[x]) : undefined;
  return p !== undefined && Number.isInteger(p) && p >= 0 && p <= 65535 ? p : undefined;
}

function portsOf(elems: Json[]): PortSet | undefined {
  let s = PortSet.EMPTY;
  for (const raw of elems) {
    const e = unwrap(raw);
    if (isObj(e) && Array.isArray(e.range)) {
      const lo = portOf(e.range[0]);
      const hi = portOf(e.range[1]);
      if (lo === undefined || hi === undefined || lo > hi) return undefined;
      s = s.union(PortSet.range(lo, hi));
    } else {
      const p = portOf(e);
      if (p === undefined) return undefined;
      s = s.union(PortSet.range(p, p));
    }
  }
  return s;
}

function protosOf(elems: Json[]): Set<number> | string {
  const out = new Set<number>();
  for (const raw of elems) {
    const e = unwrap(raw);
    const p = typeof e === 'number' ? e : typeof e === 'string' ? (PROTOCOLS[e] ?? (/^\d+$/.test(e) ? Number(e) : undefined)) : undefined;
    if (p === undefined || ![TCP, UDP, ICMP, ICMPV6].includes(p)) return `protocol ${value(e)} has no word in .fw (tcp, udp, icmp, all)`;
    out.add(p);
  }
  return out;
}

interface Acc {
  src: AddrSet;
  dst: AddrSet;
  srcName?: string;
  dstName?: string;
  protos?: Set<number>;
  sport: PortSet;
  dport: PortSet;
  states?: Set<string>;
  loopback: boolean;
  cannot: string[];
  besides: string[];
  action: Action;
}

function restrictProtos(acc: Acc, ps: Set<number>): void {
  acc.protos = acc.protos ? new Set([...acc.protos].filter((p) => ps.has(p))) : new Set(ps);
}

/** One `match` expression into the accumulated conditions. */
function readMatch(m: Obj, acc: Acc, table: NftTable): void {
  const op = value(m.op);
  const l = m.left;
  const text = render({ match: m });
  const no = (why: string): void => {
    acc.cannot.push(`${text}: ${why}`);
  };
  if (!isObj(l)) return no('.fw has no such match');
  const neg = op === '!=';
  const el = elements(m.right, table);
  if ('error' in el) return no(el.error);
  if (isObj(l.payload)) {
    const proto = value(l.payload.protocol);
    const field = value(l.payload.field);
    if ((proto === 'ip' || proto === 'ip6') && (field === 'saddr' || field === 'daddr')) {
      const space = spaceOf([proto === 'ip' ? 4 : 6]);
      const set = addrsOf(el.elems);
      if (!set || !set.isSubsetOf(space)) return no(`not IPv${proto === 'ip' ? 4 : 6} addresses .fw can write`);
      if (op !== '==' && op !== '!=') return no(`the operator ${op} on addresses`);
      const res = neg ? space.subtract(set) : set;
      const name = el.name ? `${neg ? 'not-' : ''}${el.name}` : neg ? `not-${value(m.right)}` : undefined;
      if (field === 'saddr') {
        acc.src = acc.src.intersect(res);
        acc.srcName = name;
      } else {
        acc.dst = acc.dst.intersect(res);
        acc.dstName = name;
      }
      return;
    }
    if ((proto === 'ip' && field === 'protocol') || (proto === 'ip6' && field === 'nexthdr')) {
      const ps = protosOf(el.elems);
      if (typeof ps === 'string') return no(ps);
      if (neg) return no('.fw cannot say every protocol but some');
      restrictProtos(acc, ps);
      const space = spaceOf([proto === 'ip' ? 4 : 6]);
      acc.src = acc.src.intersect(space);
      return;
    }
    if ((proto === 'tcp' || proto === 'udp' || proto === 'th') && (field === 'sport' || field === 'dport')) {
      restrictProtos(acc, new Set(proto === 'tcp' ? [TCP] : proto === 'udp' ? [UDP] : [TCP, UDP]));
      let set: PortSet | undefined;
      if (['<', '>', '<=', '>='].includes(op)) {
        const p = portOf(m.right);
        if (p === undefined) return no('not a port');
        set =
          op === '<'
            ? PortSet.range(0, p - 1)
            : op === '<='
              ? PortSet.range(0, p)
              : op === '>'
                ? PortSet.range(p + 1, 65535)
                : PortSet.range(p, 65535);
      } else {
        const ps = portsOf(el.elems);
        if (!ps) return no('not ports .fw can write');
        set = neg ? PortSet.ALL.subtract(ps) : ps;
      }
      if (field === 'sport') acc.sport = acc.sport.intersect(set);
      else acc.dport = acc.dport.intersect(set);
      return;
    }
    if (proto === 'icmp' || proto === 'icmpv6') {
      restrictProtos(acc, new Set([proto === 'icmp' ? ICMP : ICMPV6]));
      return no('one ICMP type or code; a .fw icmp rule matches every type');
    }
    return no('.fw has no such match');
  }
  if (isObj(l.meta)) {
    const key = value(l.meta.key);
    if (key === 'l4proto') {
      const ps = protosOf(el.elems);
      if (typeof ps === 'string') return no(ps);
      if (neg) return no('.fw cannot say every protocol but some');
      restrictProtos(acc, ps);
      return;
    }
    if (key === 'nfproto' || key === 'protocol') {
      const fams = el.elems.map((e) => value(unwrap(e)));
      const space = spaceOf(fams.flatMap((f): Family[] => (f === 'ipv4' || f === 'ip' ? [4] : f === 'ipv6' || f === 'ip6' ? [6] : [])));
      if (fams.some((f) => !['ipv4', 'ip', 'ipv6', 'ip6'].includes(f))) return no('.fw knows IPv4 and IPv6 only');
      const res = neg ? AddrSet.ALL.subtract(space) : space;
      acc.src = acc.src.intersect(res);
      acc.dst = acc.dst.intersect(res);
      return;
    }
    if (['iif', 'iifname', 'oif', 'oifname'].includes(key)) {
      if (!neg && el.elems.length === 1 && value(unwrap(el.elems[0])) === 'lo') acc.loopback = true;
      else no('.fw has no interfaces');
      return;
    }
    return no('.fw has no such match');
  }
  if (isObj(l.ct) && value(l.ct.key) === 'state' && l.ct.dir === undefined) {
    const s = new Set(el.elems.map((e) => value(unwrap(e))));
    acc.states = neg ? new Set(STATES.filter((x) => !s.has(x))) : s;
    return;
  }
  return no('.fw has no such match');
}

/** The statements that end a rule's evaluation (what follows one is never reached). */
const VERDICTS = new Set(['accept', 'drop', 'return', 'reject', 'jump', 'goto', 'queue']);

/** One rule's expressions (a verdict map: one rule per entry) as rules. */
function readRule(obj: Obj, table: NftTable, fams: Family[], where: string): Rule[] {
  const exprs = Array.isArray(obj.expr) ? obj.expr : [];
  const text = quotedRule(exprs.map(render).join(' '));
  const comment = typeof obj.comment === 'string' ? obj.comment : undefined;
  // A verdict map: the entries' keys are disjoint, so the map is its entries one after the other.
  // Only the first verdict of a rule is read as one: a map after it is never reached (and each
  // entry of a map made of every later map its own rules: 2^50 rules for 50 maps, fuzzed import
  // 5307 of seed 8).
  const vi = exprs.findIndex((e) => isObj(e) && (isObj(e.vmap) || Object.keys(e).some((k) => VERDICTS.has(k))));
  if (vi >= 0 && isObj((exprs[vi] as Obj).vmap)) {
    const vm = (exprs[vi] as Obj).vmap as Obj;
    const el = elements(vm.data, table);
    const entries = 'error' in el ? undefined : el.elems.map(unwrap);
    if (entries && entries.every((e) => Array.isArray(e) && e.length === 2)) {
      return entries.flatMap((e) => {
        const [k, verdict] = e as [Json, Json];
        const expr = [...exprs.slice(0, vi), { match: { op: '==', left: vm.key, right: k } }, verdict, ...exprs.slice(vi + 1)];
        return readRule({ ...obj, expr }, table, fams, where).map((r) => ({ ...r, text }));
      });
    }
  }
  const space = spaceOf(fams);
  const acc: Acc = {
    src: space,
    dst: space,
    sport: PortSet.ALL,
    dport: PortSet.ALL,
    loopback: false,
    cannot: [],
    besides: [],
    action: { kind: 'continue' },
  };
  for (const e of exprs) {
    if (!isObj(e)) continue;
    const [k, v] = Object.entries(e)[0] ?? ['', null];
    if (acc.action.kind !== 'continue') {
      acc.besides.push(`${render(e)} after the verdict`);
      continue;
    }
    switch (k) {
      case 'match':
        if (isObj(v)) readMatch(v, acc, table);
        break;
      case 'counter':
        break;
      case 'accept':
      case 'drop':
      case 'return':
        acc.action = { kind: k };
        break;
      case 'reject': {
        const how = isObj(v) && v.type ? `${value(v.type)}${v.expr ? ` ${value(v.expr)}` : ''}` : 'an ICMP port-unreachable';
        acc.action = { kind: 'reject', answer: how };
        break;
      }
      case 'jump':
      case 'goto':
        acc.action = { kind: k, chain: isObj(v) ? value(v.target) : '' };
        break;
      case 'log':
        acc.besides.push(`${render(e)}: .fw does not log`);
        break;
      case 'mangle':
      case 'notrack':
        acc.besides.push(`${render(e)}: .fw has no such statement`);
        break;
      case 'xt':
        acc.cannot.push(`${render(e)}: an iptables extension (read this table with iptables-save instead)`);
        break;
      default:
        acc.cannot.push(`${render(e)}: .fw has no such statement`);
    }
  }
  const protosNeeded = !acc.sport.isAll() || !acc.dport.isAll();
  if (protosNeeded && !acc.protos) acc.protos = new Set([TCP, UDP]);
  const m: Match = {
    src: acc.src,
    dst: acc.dst,
    sport: acc.sport,
    dport: acc.dport,
    ...(acc.protos ? { protos: acc.protos } : {}),
    ...(acc.srcName ? { srcName: acc.srcName } : {}),
    ...(acc.dstName ? { dstName: acc.dstName } : {}),
  };
  const empty = m.src.isEmpty() || m.dst.isEmpty() || m.sport.isEmpty() || m.dport.isEmpty() || m.protos?.size === 0;
  return [
    {
      where,
      text,
      matches: empty ? [] : [m],
      cannot: acc.cannot,
      besides: acc.besides,
      action: acc.action,
      ...(acc.states ? { states: acc.states } : {}),
      ...(acc.loopback ? { loopback: true } : {}),
      ...(comment !== undefined ? { comment } : {}),
    },
  ];
}

/** `nft -j list ruleset` documents (several are merged) as chains, or why they are not. */
export function readNftables(inputs: { name: string; json: Json }[]): Ruleset | { error: string } {
  const tables = new Map<string, NftTable>();
  const rs: Ruleset = { from: 'nftables', about: '', tables: [], masquerades: [], unexpressed: [] };
  const tableOf = (o: Obj): NftTable | undefined => tables.get(`${value(o.family)} ${value(o.table)}`);
  for (const input of inputs) {
    if (!isNftablesJson(input.json)) return { error: `${input.name}: not the JSON of nft -j list ruleset (no "nftables" array)` };
    for (const item of (input.json as Obj).nftables as Json[]) {
      if (!isObj(item)) continue;
      const [k, v] = Object.entries(item)[0] ?? ['', null];
      if (!isObj(v)) continue;
      if (k === 'table') {
        const key = `${value(v.family)} ${value(v.name)}`;
        if (!tables.has(key)) tables.set(key, { family: value(v.family), name: value(v.name), sets: new Map(), chains: new Map() });
      } else if (k === 'set' || k === 'map') {
        const t = tableOf(v);
        if (t) t.sets.set(value(v.name), { type: k === 'map' ? ['map'] : v.type, elem: Array.isArray(v.elem) ? v.elem : [] });
      } else if (k === 'element') {
        const t = tableOf(v);
        const s = t?.sets.get(value(v.name));
        if (s && Array.isArray(v.elem)) s.elem.push(...v.elem);
      } else if (k === 'chain') {
        const t = tableOf(v);
        if (!t)
          return { error: `${input.name}: chain ${value(v.name)} of a table not in the input (${value(v.family)} ${value(v.table)})` };
        if (!t.chains.has(value(v.name))) t.chains.set(value(v.name), { obj: v, rules: [] });
      } else if (k === 'rule') {
        const t = tableOf(v);
        const c = t?.chains.get(value(v.chain));
        if (!c) return { error: `${input.name}: a rule of chain ${value(v.chain)}, which is not in the input` };
        c.rules.push(v);
      }
    }
  }

  const filterTables: string[] = [];
  for (const t of tables.values()) {
    const fams = FAMILIES[t.family];
    const label = `${t.family} ${t.name}`;
    const where = (c: string, r: Obj) => `${label} ${c} handle ${value(r.handle)}`;
    if (!fams) {
      for (const [name, c] of t.chains) {
        for (const r of c.rules)
          rs.unexpressed.push({ where: where(name, r), text: ruleText(r), why: `.fw does not filter ${t.family} packets` });
        if (value(c.obj.policy) === 'drop')
          rs.unexpressed.push({
            where: `${label} ${name}`,
            text: `chain ${name} policy drop`,
            why: `.fw does not filter ${t.family} packets`,
          });
      }
      continue;
    }
    const chains = new Map<string, Chain>();
    for (const [name, c] of t.chains) chains.set(name, { name, rules: c.rules.flatMap((r) => readRule(r, t, fams, where(name, r))) });
    const table: Table = { chains, bases: [] };
    for (const [name, c] of t.chains) {
      const hook = c.obj.hook === undefined ? undefined : value(c.obj.hook);
      if (hook === undefined) continue;
      const type = value(c.obj.type);
      const policy = c.obj.policy === undefined ? 'accept' : value(c.obj.policy);
      if (type === 'nat') {
        for (const r of c.rules) {
          const exprs = Array.isArray(r.expr) ? r.expr : [];
          if (exprs.some((e) => isObj(e) && 'masquerade' in e)) rs.masquerades.push({ where: where(name, r), text: ruleText(r) });
          else if (exprs.some((e) => isObj(e) && !('match' in e) && !('counter' in e)))
            rs.unexpressed.push({ where: where(name, r), text: ruleText(r), why: 'NAT other than masquerade has no .fw form' });
        }
        continue;
      }
      if ((hook === 'input' || hook === 'output' || hook === 'forward') && (type === 'filter' || type === 'route')) {
        if (policy !== 'accept' && policy !== 'drop') return { error: `${label} ${name}: policy ${policy}` };
        const base: BaseChain = { chain: chains.get(name)!, hook, policy, families: fams, label: `${label} ${name}`, table: t.name };
        table.bases.push(base);
        continue;
      }
      for (const r of c.rules) {
        const exprs = Array.isArray(r.expr) ? r.expr : [];
        if (exprs.every((e) => isObj(e) && ('match' in e || 'counter' in e))) continue; // decides nothing
        rs.unexpressed.push({ where: where(name, r), text: ruleText(r), why: `.fw does not filter at the ${hook} hook` });
      }
      if (policy === 'drop')
        rs.unexpressed.push({
          where: `${label} ${name}`,
          text: `${label} ${name} policy drop`,
          why: `.fw does not filter at the ${hook} hook`,
        });
    }
    if (table.bases.length > 0) filterTables.push(`table ${label}`);
    rs.tables.push(table);
  }
  rs.about = filterTables.length > 0 ? filterTables.join(', ') : 'no filter chain on the input, output or forward hook';
  return rs;
}

function ruleText(r: Obj): string {
  return quotedRule((Array.isArray(r.expr) ? r.expr : []).map(render).join(' '));
}
