// Netfilter chains as `.fw` (spec §4-§6, cli.md `fwlang import --from iptables|nftables`): what the
// iptables-save and `nft -j` readers both produce, and the one writer behind them. The hooks input
// and output become one firewall protecting `--host`, the hook forward one protecting `--inside`;
// jumps are inlined, chain policies become a default (and a catch-all rule where the two differ), an
// ESTABLISHED,RELATED accept at the head of every chain makes the firewall stateful. What `.fw`
// cannot say is kept as a `# not expressed:` comment where it stood and listed. Pure: no IO.

import { parseAddress, prefixesOf } from '../core/address';
import { AddrSet, PortSet, V4_SIZE } from '../core/intervals';
import { Namer } from './names';
import type { ImportResult } from './write';

export type Family = 4 | 6;
export const TCP = 6;
export const UDP = 17;
export const ICMP = 1;
export const ICMPV6 = 58;

export const spaceOf = (fams: readonly Family[]): AddrSet =>
  fams.reduce((s, f) => s.union(f === 4 ? AddrSet.V4 : AddrSet.V6), AddrSet.EMPTY);

/** One conjunction of conditions on a packet. */
export interface Match {
  src: AddrSet;
  dst: AddrSet;
  /** Protocol numbers; undefined: every protocol. */
  protos?: ReadonlySet<number>;
  sport: PortSet;
  dport: PortSet;
  /** What to call the source or destination set when it needs a `network` (an nft set's name). */
  srcName?: string;
  dstName?: string;
}

export function everything(fams: readonly Family[]): Match {
  const space = spaceOf(fams);
  return { src: space, dst: space, sport: PortSet.ALL, dport: PortSet.ALL };
}

/** Both conditions at once; undefined when no packet meets them. */
export function intersect(a: Match, b: Match): Match | undefined {
  const src = a.src.intersect(b.src);
  const dst = a.dst.intersect(b.dst);
  const sport = a.sport.intersect(b.sport);
  const dport = a.dport.intersect(b.dport);
  let protos: Set<number> | undefined;
  if (a.protos && b.protos) protos = new Set([...a.protos].filter((p) => b.protos!.has(p)));
  else if (a.protos || b.protos) protos = new Set(a.protos ?? b.protos);
  if (src.isEmpty() || dst.isEmpty() || sport.isEmpty() || dport.isEmpty() || protos?.size === 0) return undefined;
  if (!familiesOf(src).some((f) => familiesOf(dst).includes(f))) return undefined;
  const name = (x: AddrSet, s: AddrSet, n?: string) => (n && x.equals(s) ? n : undefined);
  return {
    src,
    dst,
    sport,
    dport,
    ...(protos ? { protos } : {}),
    ...((name(src, a.src, a.srcName) ?? name(src, b.src, b.srcName))
      ? { srcName: name(src, a.src, a.srcName) ?? name(src, b.src, b.srcName) }
      : {}),
    ...((name(dst, a.dst, a.dstName) ?? name(dst, b.dst, b.dstName))
      ? { dstName: name(dst, a.dst, a.dstName) ?? name(dst, b.dst, b.dstName) }
      : {}),
  };
}

export function familiesOf(s: AddrSet): Family[] {
  const out: Family[] = [];
  if (s.intersects(AddrSet.V4)) out.push(4);
  if (s.intersects(AddrSet.V6)) out.push(6);
  return out;
}

/**
 * An address, a prefix (host bits are cleared, as the kernel does) or a dotted netmask prefix as a set;
 * undefined when it is none of these (a non-contiguous mask, a host name).
 */
export function addrSetOf(text: string): AddrSet | undefined {
  const slash = text.indexOf('/');
  const addr = parseAddress(slash >= 0 ? text.slice(0, slash) : text);
  if (!addr.ok) return undefined;
  if (slash < 0) return addr.set;
  const bits = addr.family === 4 ? 32 : 128;
  let lenText = text.slice(slash + 1);
  if (addr.family === 4 && lenText.includes('.')) {
    const mask = parseAddress(lenText);
    if (!mask.ok || mask.family !== 4) return undefined;
    const ones = mask.lo.toString(2).padStart(32, '0');
    if (!/^1*0*$/.test(ones)) return undefined;
    lenText = String(ones.indexOf('0') < 0 ? 32 : ones.indexOf('0'));
  }
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) return undefined;
  const host = (1n << BigInt(bits - Number(lenText))) - 1n;
  const base = addr.family === 4 ? 0n : V4_SIZE;
  const lo = base + ((addr.lo - base) & ~host);
  return AddrSet.range(lo, lo + host);
}

/** How much of a rule's text comments and messages quote. */
const QUOTED = 300;

/**
 * A rule's text as the comments and messages quote it: its first 300 characters, and how long it
 * is. Each rule of a verdict map quotes the map's rule, and one of 17,566 entries quoted whole
 * for each entry made gigabytes (fuzzed import 21968 of seed 14 ran out of memory).
 */
export function quotedRule(text: string): string {
  return text.length <= QUOTED ? text : `${text.slice(0, QUOTED)}… (${text.length.toLocaleString('en')} characters)`;
}

/** `a-b` address ranges. */
export function addrRangeOf(lo: string, hi: string): AddrSet | undefined {
  const a = parseAddress(lo);
  const b = parseAddress(hi);
  if (!a.ok || !b.ok || a.family !== b.family || a.lo > b.lo) return undefined;
  return AddrSet.range(a.lo, b.lo);
}

export type Action =
  { kind: 'accept' | 'drop' | 'return' | 'continue' } | { kind: 'reject'; answer: string } | { kind: 'jump' | 'goto'; chain: string };

export interface Rule {
  /** Where it stands, for messages: `rules.txt:12`, `inet filter input handle 9`. */
  where: string;
  /** The rule as the input writes it. */
  text: string;
  /** It matches a packet that one of these matches (an empty list: no packet). */
  matches: Match[];
  /** The connection states it asks for (lower case), when it asks. */
  states?: ReadonlySet<string>;
  /** It matches loopback traffic only (`-i lo`, `iif lo`). */
  loopback?: boolean;
  /** Conditions `.fw` cannot say: the rule is kept as a comment. */
  cannot: string[];
  /** What it does besides matching and deciding that `.fw` cannot say (a log line): written, and named. */
  besides: string[];
  action: Action;
  comment?: string;
}

export interface Chain {
  name: string;
  rules: Rule[];
}

export type Hook = 'input' | 'output' | 'forward';

export interface BaseChain {
  chain: Chain;
  hook: Hook;
  policy: 'accept' | 'drop';
  /** The families of the packets it sees (an `inet` table: both). */
  families: Family[];
  /** How comments name it: `INPUT`, `ip6tables INPUT`, `chain input of table inet filter`. */
  label: string;
  /** The name a firewall made of it takes: `filter`. */
  table: string;
}

export interface Table {
  /** Jump targets, by name. */
  chains: Map<string, Chain>;
  bases: BaseChain[];
}

export interface Ruleset {
  from: 'iptables' | 'nftables';
  /** What the header says was read. */
  about: string;
  tables: Table[];
  /** Masquerading rules: a NAT gateway at the router's address. */
  masquerades: { where: string; text: string }[];
  /** What stands outside the filter chains and `.fw` cannot say (other NAT rules, mangle, other hooks). */
  unexpressed: { where: string; text: string; why: string }[];
}

export interface Targets {
  /** `--host`: the addresses the input and output hooks protect. */
  host?: string[];
  /** `--inside`: the prefixes the forward hook protects. */
  inside?: string[];
}

// ---------------------------------------------------------------------------------------------
// Inlining jumps: one base chain as a flat list of items.

type Verdict = 'accept' | 'drop' | 'reject';

type Item =
  /** `again`: a rule repeated for the packets a RETURN sends back to it (named where it stands already). */
  | { kind: 'rule'; rule: Rule; matches: Match[]; verdict: Verdict; newState: boolean; note?: string; again?: boolean }
  /** An ESTABLISHED(,RELATED) accept; `plain` when it takes every packet of its chain. */
  | { kind: 'est'; rule: Rule; plain: boolean }
  | { kind: 'loopback'; rule: Rule }
  /** Cannot be written: a comment, and named. */
  | { kind: 'cannot'; rule: Rule; why: string }
  /** Decides nothing and loses nothing (a bare counter): a comment. */
  | { kind: 'quiet'; rule: Rule; why: string };

const EST_ONLY = new Set(['established', 'related']);
const MAX_DEPTH = 64;

function isEverything(ms: Match[], fams: Family[]): boolean {
  const space = spaceOf(fams);
  return ms.some((m) => space.isSubsetOf(m.src) && space.isSubsetOf(m.dst) && m.protos === undefined && m.sport.isAll() && m.dport.isAll());
}

function intersectAll(a: Match[], b: Match[]): Match[] {
  const out: Match[] = [];
  for (const x of a) for (const y of b) out.push(...[intersect(x, y)].filter((m): m is Match => m !== undefined));
  return out;
}

/** Where a chain returns to: the rest of the chain that jumped to it, for the packets it sent. */
interface Frame {
  chain: Chain;
  from: number;
  /**
   * The chains entered when the jump from `chain` was made, `chain` last: where the loop check
   * stands when the packets come back to it. (Not the stack at the RETURN: the chains entered
   * since, by that jump and the gotos after it, are left by then.)
   */
  stack: string[];
}

/** How many items one base chain may grow into when RETURNs repeat the rest of their callers. */
const MAX_ITEMS = 200_000;
/** How many rules following the jumps and RETURNs of one base chain may visit, at most. */
export const MAX_VISITS = 2_000_000;

/** Rules visited by every expand so far (the tests set it to 0, import, and read how the work grows). */
export const expandStats = { visits: 0 };

const matchKey = (ms: Match[]): string =>
  ms
    .map((m) =>
      [m.src.bounds, m.dst.bounds, m.sport.bounds, m.dport.bounds, m.protos ? [...m.protos].sort() : ['*']]
        .map((b) => b.join(','))
        .join('/'),
    )
    .join(';');

/**
 * Per rule of `chain`: the earlier rule it repeats, when it is a jump to the same chain on the
 * same packets. Such a jump changes nothing: a packet reaches it only through the first one,
 * whose target (a chain decides each packet alone) sent it back already, and will again. Seen
 * as such, a chain of 3,000 copies of one jump into a chain with RETURNs is walked once, not
 * 3,000² times (fuzzed import 631 of seed 7 took 56 s).
 */
const repeatsOf = new WeakMap<Chain, Map<number, Rule>>();
function repeatedJumps(chain: Chain): Map<number, Rule> {
  let out = repeatsOf.get(chain);
  if (out) return out;
  out = new Map();
  const first = new Map<string, Rule>();
  chain.rules.forEach((r, i) => {
    const a = r.action;
    if (a.kind !== 'jump' || r.states || r.loopback || r.cannot.length > 0 || r.besides.length > 0) return;
    const key = `${a.chain}\u0000${matchKey(r.matches)}`;
    const earlier = first.get(key);
    if (earlier) out!.set(i, earlier);
    else first.set(key, r);
  });
  repeatsOf.set(chain, out);
  return out;
}

function expand(table: Table, base: BaseChain): Item[] {
  const items: Item[] = [];
  const top = [everything(base.families)];
  let overflow: string | undefined;
  let visits = 0;
  const pushItem = (it: Item) => {
    if (items.length < MAX_ITEMS) items.push(it);
    else overflow ??= `its jumps and RETURNs make more than ${MAX_ITEMS} rules; the rest is left out`;
  };
  // The packets `eff` leave their chain (a RETURN, the end of a goto's target): they go on with the rest of
  // each caller, innermost first, and meet the policy at the end of the base chain. First match makes this
  // exact: the packets decided here never reach the rules after.
  const resume = (eff: Match[], frames: Frame[], r: Rule, how: string): void => {
    for (let k = frames.length - 1; k >= 0; k--) {
      const f = frames[k]!;
      if (walk(f.chain, f.from, eff, frames.slice(0, k), f.stack, true)) return;
    }
    const comment = `${r.comment ? `${r.comment}: ` : ''}${how}, then the policy of ${base.chain.name}`;
    pushItem({ kind: 'rule', rule: { ...r, comment }, matches: eff, verdict: base.policy, newState: false, again: true });
  };
  /** Pushes the items of `chain` from rule `from` on, for the packets `ctx`; true when they decide every one of them. */
  const walk = (chain: Chain, from: number, ctx: Match[], frames: Frame[], stack: string[], again = false): boolean => {
    let decided = false;
    // Repeated rules: only those that decide (the others are named, or commented, where they stand).
    const push = (it: Item) => {
      if (!again) pushItem(it);
      else if (it.kind === 'rule') pushItem({ ...it, again: true });
    };
    const repeats = repeatedJumps(chain);
    for (let i = from; i < chain.rules.length && !overflow && !(again && decided); i++) {
      const r = chain.rules[i]!;
      if (++visits > MAX_VISITS) {
        overflow = `following its jumps and RETURNs visits more than ${MAX_VISITS.toLocaleString('en')} rules; the rest is left out`;
        break;
      }
      const same = repeats.get(i);
      if (same) {
        const target = (r.action as { chain: string }).chain;
        push({
          kind: 'quiet',
          rule: r,
          why: `the same jump as ${same.where}: what it would send to ${target} came back from ${target} already`,
        });
        continue;
      }
      if (r.cannot.length > 0) {
        push({ kind: 'cannot', rule: r, why: r.cannot.join('; ') });
        continue;
      }
      const eff = intersectAll(ctx, r.matches);
      if (eff.length === 0) continue; // no packet of this chain and this jump can match it
      const trivial = () => ctx === top && isEverything(eff, base.families);
      if (r.states) {
        if (r.states.size === 1 && r.states.has('related') && r.action.kind === 'accept') {
          push({ kind: 'quiet', rule: r, why: 'RELATED packets (the ICMP errors of known connections): .fw does not model them' });
          continue;
        }
        const est = [...r.states].every((s) => EST_ONLY.has(s)) && r.states.has('established');
        const fresh = r.states.has('new') && [...r.states].every((s) => s === 'new' || EST_ONLY.has(s));
        if (est && r.action.kind === 'accept' && !r.loopback) {
          if (trivial()) push({ kind: 'est', rule: r, plain: true });
          else
            push({
              kind: 'cannot',
              rule: r,
              why: 'connection state for some packets only: a stateful .fw firewall tracks every connection',
            });
          continue;
        }
        if (!fresh || !['accept', 'drop', 'reject'].includes(r.action.kind)) {
          const states = [...r.states].join(',').toUpperCase();
          push({
            kind: 'cannot',
            rule: r,
            why: `connection state ${states}: .fw knows requests and their responses only (no INVALID, UNTRACKED or NEW match)`,
          });
          continue;
        }
      }
      if (r.loopback) {
        if (r.action.kind === 'accept') push({ kind: 'loopback', rule: r });
        else push({ kind: 'cannot', rule: r, why: 'a rule on the loopback interface that does not accept' });
        continue;
      }
      const a = r.action;
      const newState = r.states !== undefined;
      switch (a.kind) {
        case 'accept':
        case 'drop':
          push({ kind: 'rule', rule: r, matches: eff, verdict: a.kind, newState });
          decided ||= trivialIn(eff, ctx);
          break;
        case 'reject':
          push({ kind: 'rule', rule: r, matches: eff, verdict: 'reject', newState, note: a.answer });
          decided ||= trivialIn(eff, ctx);
          break;
        case 'continue':
          if (r.besides.length > 0) push({ kind: 'cannot', rule: r, why: r.besides.join('; ') });
          else push({ kind: 'quiet', rule: r, why: 'no verdict: it only counts packets' });
          break;
        case 'return':
          if (newState) {
            push({ kind: 'cannot', rule: r, why: 'a RETURN on connection state' });
            break;
          }
          resume(eff, frames, r, 'RETURN');
          if (trivialIn(eff, ctx)) return true; // the rest of the chain is never reached
          break;
        case 'jump':
        case 'goto': {
          const target = table.chains.get(a.chain);
          if (!target) {
            push({ kind: 'cannot', rule: r, why: `chain ${a.chain} is not in the input` });
            break;
          }
          if (stack.includes(a.chain) || stack.length > MAX_DEPTH) {
            push({ kind: 'cannot', rule: r, why: `a loop of jumps through ${a.chain}` });
            break;
          }
          if (newState) {
            push({ kind: 'cannot', rule: r, why: `a ${a.kind} on connection state` });
            break;
          }
          if (a.kind === 'jump') {
            // What falls through the target comes back here, to the next rule.
            if (walk(target, 0, eff, [...frames, { chain, from: i + 1, stack }], [...stack, a.chain], again))
              decided ||= trivialIn(eff, ctx);
            break;
          }
          // goto: what falls through the target goes where the end of this chain goes.
          if (!walk(target, 0, eff, frames, [...stack, a.chain], again)) resume(eff, frames, r, `the end of ${a.chain}`);
          if (trivialIn(eff, ctx)) return true;
          break;
        }
      }
    }
    return decided;
  };
  walk(base.chain, 0, top, [], [base.chain.name]);
  expandStats.visits += visits;
  if (overflow)
    items.push({
      kind: 'cannot',
      rule: { where: base.label, text: base.label, matches: [], cannot: [], besides: [], action: { kind: 'continue' } },
      why: overflow,
    });
  return items;
}

/** `eff` takes every packet `ctx` lets into the chain. */
function trivialIn(eff: Match[], ctx: Match[]): boolean {
  return ctx.every((c) =>
    eff.some(
      (e) =>
        c.src.isSubsetOf(e.src) &&
        c.dst.isSubsetOf(e.dst) &&
        (e.protos === undefined || (c.protos !== undefined && [...c.protos].every((p) => e.protos!.has(p)))) &&
        c.sport.isSubsetOf(e.sport) &&
        c.dport.isSubsetOf(e.dport),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Writing.

type Dir = 'inbound' | 'outbound';

const PROTO_WORD: Record<number, string> = { [TCP]: 'tcp', [UDP]: 'udp', [ICMP]: 'icmp', [ICMPV6]: 'icmp' };

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}

function portsText(p: PortSet): string {
  const parts = [...p.ranges()].map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`));
  return parts.length === 1 ? parts[0]! : `[${parts.join(', ')}]`;
}

/**
 * Of sets that mean the same, the one written with the fewest prefixes (the whole space: none); the first when it is
 * one prefix, or on a tie.
 */
function shortest(first: AddrSet, others: AddrSet[], space: AddrSet): AddrSet {
  const cost = (s: AddrSet) => (s.equals(space) ? 0 : prefixesOf(s).length);
  let best = first;
  let bestCost = cost(first);
  if (bestCost <= 1) return first; // one prefix, as the input wrote it, reads best
  for (const o of others) {
    const c = cost(o);
    if (c < bestCost) [best, bestCost] = [o, c];
  }
  return best;
}

/** Base chains in layers: within a layer no two chains see packets of one family (a packet meets one of them). */
function layers(chains: BaseChain[]): BaseChain[][] {
  const out: BaseChain[][] = [];
  for (const c of chains) {
    const layer = out.find((l) => !l.some((x) => x.families.some((f) => c.families.includes(f))));
    if (layer) layer.push(c);
    else out.push([c]);
  }
  return out;
}

/** A base chain that decides nothing: no rule, policy accept. */
const idle = (c: BaseChain) => c.policy === 'accept' && c.chain.rules.length === 0;

interface FirewallPlan {
  kind: 'host' | 'forward';
  chains: BaseChain[];
}

/** Why rules could not be imported; `needs`: the address they need given (`--host` / `--inside`). */
export interface ImportError {
  error: string;
  needs?: 'host' | 'inside';
}

export function writeRuleset(rs: Ruleset, targets: Targets): ImportResult | ImportError {
  const names = new Namer();
  const unexpressed: string[] = [];
  const said = new Set<string>();
  const named = (msg: string) => {
    const m = oneLine(msg);
    if (!said.has(m)) {
      said.add(m);
      unexpressed.push(m);
    }
  };

  const all = rs.tables.flatMap((t) => t.bases.map((b) => ({ t, b })));
  const hostChains = all.filter(({ b }) => b.hook !== 'forward');
  const fwdChains = all.filter(({ b }) => b.hook === 'forward');
  const flag = rs.from === 'iptables' ? { host: 'INPUT or OUTPUT', fwd: 'FORWARD' } : { host: 'input or output hook', fwd: 'forward hook' };
  if (!targets.host?.length && hostChains.some(({ b }) => !idle(b)))
    return { error: `the ${flag.host} chains have rules or a DROP policy: give --host ADDR, the address they protect`, needs: 'host' };
  if (!targets.inside?.length && fwdChains.some(({ b }) => !idle(b)))
    return {
      error: `the ${flag.fwd} chains have rules or a DROP policy: give --inside PREFIX, the addresses behind the router`,
      needs: 'inside',
    };

  const decls: string[] = [];
  const parseList = (list: string[], flagName: string, prefix: boolean): AddrSet | { error: string } => {
    let s = AddrSet.EMPTY;
    for (const t of list) {
      const p = parseAddress(t);
      if (!p.ok) return { error: `${flagName} ${t}: ${p.message.replace(/`/g, '')}` };
      if (!prefix && p.isPrefix) return { error: `${flagName} ${t}: an address, not a prefix` };
      s = s.union(p.set);
    }
    return s;
  };
  let hostSet: AddrSet | undefined;
  let insideSet: AddrSet | undefined;
  let hostName = '';
  let insideName = '';
  if (targets.host?.length) {
    const s = parseList(targets.host, '--host', false);
    if ('error' in s) return s;
    hostSet = s;
    hostName = names.name('this-host');
    decls.push(
      targets.host.length === 1
        ? `host ${hostName} ${targets.host[0]} # --host`
        : `network ${hostName} ${prefixesOf(s).join(', ')} # --host`,
    );
  }
  if (targets.inside?.length) {
    const s = parseList(targets.inside, '--inside', true);
    if ('error' in s) return s;
    insideSet = s;
    insideName = names.name('inside');
    decls.push(`network ${insideName} ${prefixesOf(s).join(', ')} # --inside`);
  }

  // Sets a rule names more than one prefix of: one `network` each, by content.
  const netByKey = new Map<string, string>();
  const netDecls: string[] = [];
  const endpoint = (s: AddrSet, hint?: string): string => {
    const prefixes = prefixesOf(s);
    if (prefixes.length === 1) return prefixes[0]!;
    const key = prefixes.join(',');
    const known = netByKey.get(key);
    if (known) return known;
    const name = names.name(hint, 'addresses');
    netByKey.set(key, name);
    netDecls.push(`network ${name} ${prefixes.join(', ')}`);
    return name;
  };

  const firewalls: string[] = [];
  const plans: FirewallPlan[] = [];
  if (hostSet) {
    const ins = layers(hostChains.filter(({ b }) => b.hook === 'input').map(({ b }) => b));
    const outs = layers(hostChains.filter(({ b }) => b.hook === 'output').map(({ b }) => b));
    for (let i = 0; i < Math.max(ins.length, outs.length, 1); i++)
      plans.push({ kind: 'host', chains: [...(ins[i] ?? []), ...(outs[i] ?? [])] });
  }
  if (insideSet) {
    const fw = layers(fwdChains.map(({ b }) => b));
    for (let i = 0; i < Math.max(fw.length, 1); i++) plans.push({ kind: 'forward', chains: fw[i] ?? [] });
  }
  const tableOf = new Map(all.map(({ t, b }) => [b, t]));

  for (const plan of plans) {
    const inside = plan.kind === 'host' ? hostSet! : insideSet!;
    const insideFams = familiesOf(inside);
    const used = plan.chains.filter((c) => c.families.some((f) => insideFams.includes(f)));
    const expanded = new Map(used.map((c) => [c, expand(tableOf.get(c)!, c)]));

    // Stateful: every chain lets established packets through, and one of them by an ESTABLISHED accept.
    const why: string[] = [];
    let anyEst = false;
    for (const [c, items] of expanded) {
      let ok: boolean | undefined;
      let dropped = false;
      for (const it of items) {
        if (it.kind === 'est' && it.plain) {
          anyEst = true;
          if (ok === undefined) ok = !dropped;
          if (dropped) why.push(`${c.label}: ESTABLISHED,RELATED is accepted after a rule that drops`);
        } else if (it.kind === 'rule' && it.verdict !== 'accept') dropped = true;
      }
      if (ok === undefined && (dropped || c.policy !== 'accept')) why.push(`${c.label} does not accept ESTABLISHED,RELATED first`);
    }
    const stateful = anyEst && why.length === 0;

    const fwName = names.name(
      `${[...new Set(plan.chains.map((c) => c.table))].join('-') || (rs.from === 'iptables' ? 'filter' : 'nftables')}-${plan.kind}`,
    );
    const dirs: Dir[] = ['inbound', 'outbound'];
    const body: Record<Dir, string[]> = { inbound: [], outbound: [] };
    const possible = (dir: Dir, m: Match) =>
      dir === 'inbound' ? m.dst.intersects(inside) && !m.src.isSubsetOf(inside) : m.src.intersects(inside) && !m.dst.isSubsetOf(inside);
    const chainDirs = (c: BaseChain): Dir[] => (c.hook === 'input' ? ['inbound'] : c.hook === 'output' ? ['outbound'] : dirs);

    const lineOf = (dir: Dir, verdict: Verdict, m: Match, comment?: string): string[] => {
      const out: string[] = [];
      const word = verdict === 'accept' ? 'allow' : 'deny';
      const ported = !m.sport.isAll() || !m.dport.isAll();
      // ICMP and ICMPv6 together are what a .fw `icmp` rule matches; one of them alone, in its family only.
      const both = m.protos?.has(ICMP) && m.protos.has(ICMPV6);
      const protoList: (number | undefined)[] = m.protos
        ? [...m.protos].filter((p) => !(both && p === ICMPV6)).sort((a, b) => a - b)
        : [undefined];
      for (const p of protoList) {
        let src = m.src;
        let dst = m.dst;
        if (p === ICMP && !both) [src, dst] = [src.intersect(AddrSet.V4), dst.intersect(AddrSet.V4)];
        if (p === ICMPV6 && !both) [src, dst] = [src.intersect(AddrSet.V6), dst.intersect(AddrSet.V6)];
        if (ported && p !== TCP && p !== UDP) continue;
        const fams = familiesOf(src).filter((f) => familiesOf(dst).includes(f));
        if (fams.length === 0) continue;
        const space = spaceOf(fams);
        src = src.intersect(space);
        dst = dst.intersect(space);
        // Spec §5.1: an inbound packet goes from outside to the inside, an outbound one the other way. So
        // each side may take in, or leave out, what the direction rules out: whichever is written shorter.
        const inner = inside.intersect(space);
        const outer = space.subtract(inside);
        const near = dir === 'inbound' ? dst : src;
        const far = dir === 'inbound' ? src : dst;
        if (!near.intersects(inner) || !far.intersects(outer)) continue; // no packet of this family crosses
        const nearBest = shortest(near, [near.union(outer), near.intersect(inner)], space);
        const farBest = shortest(far, [far.union(inner), far.intersect(outer)], space);
        const srcName = (dir === 'inbound' ? farBest : nearBest) === src ? m.srcName : undefined;
        const dstName = (dir === 'inbound' ? nearBest : farBest) === dst ? m.dstName : undefined;
        [src, dst] = dir === 'inbound' ? [farBest, nearBest] : [nearBest, farBest];
        const implied = insideFams.every((f) => fams.includes(f));
        const sWhole = src.equals(space);
        const dWhole = dst.equals(space);
        let sText: string | undefined = sWhole ? undefined : endpoint(src, srcName);
        let dText: string | undefined = dWhole ? undefined : endpoint(dst, dstName);
        if (sWhole && dWhole && !implied) {
          // Only the family restricts it: say so on the far side.
          if (dir === 'inbound') sText = prefixesOf(space).join(', ');
          else dText = prefixesOf(space).join(', ');
        }
        const proto = p === undefined ? 'all' : PROTO_WORD[p];
        if (!proto) continue;
        const sp = m.sport.isAll() ? '' : ` port ${portsText(m.sport)}`;
        const dp = m.dport.isAll() ? '' : ` port ${portsText(m.dport)}`;
        const from = sText || sp ? ` from ${sText ?? 'any'}${sp}` : '';
        const to = dText || dp ? ` to ${dText ?? 'any'}${dp}` : '';
        out.push(`  ${dir} ${word} ${proto}${from}${to}`);
      }
      if (comment && out.length > 0) out[0] += ` # ${oneLine(comment)}`;
      return out;
    };

    for (const c of plan.chains) {
      const items = expanded.get(c);
      for (const dir of chainDirs(c)) {
        const what =
          c.hook !== 'forward' ? '' : dir === 'inbound' ? `: what is routed to ${insideName}` : `: what is routed from ${insideName}`;
        body[dir].push(`  # ${c.label}, policy ${c.policy.toUpperCase()}${what}`);
      }
      if (!items) {
        const whose = plan.kind === 'host' ? hostName : insideName;
        body[chainDirs(c)[0]!].push(
          `  # not written: it sees only IPv${c.families.join('/IPv')} packets, and ${whose} has no such address`,
        );
        continue;
      }
      const own = new Set(c.chain.rules);
      for (const it of items) {
        const r = it.rule;
        const comment = (why: string, dir: Dir) => body[dir].push(`  # ${oneLine(`${r.text}: ${why}`)}`);
        const place = (why: string, isNamed: boolean) => {
          // Once, in the first direction it can act in.
          const d = chainDirs(c).find((x) => r.matches.some((m) => possible(x, m))) ?? chainDirs(c)[0]!;
          if (isNamed) body[d].push(`  # not expressed: ${oneLine(`${r.text}: ${why}`)}`);
          else comment(why, d);
          // (What stands for the whole chain, a bound reached, is named once: `INPUT: why`.)
          if (isNamed) named(r.text === r.where ? `${r.where}: ${why}` : `${r.where}: ${r.text}: ${why}`);
        };
        switch (it.kind) {
          case 'cannot':
            place(it.why, true);
            break;
          case 'quiet':
            place(it.why, false);
            break;
          case 'loopback':
            place('loopback traffic never crosses a .fw firewall (both ends are inside), so it needs no rule', false);
            break;
          case 'est':
            if (stateful) place('the firewall is stateful: it lets the responses of the connections it allows through', false);
            else if (anyEst) place(`.fw cannot say connection state in some chains only (${why.join('; ')})`, true);
            break;
          case 'rule': {
            if (it.newState && !stateful) {
              if (!it.again) place('NEW: a stateless .fw firewall cannot match the first packet of a connection only', true);
              break;
            }
            const notes = [...r.besides];
            if (it.note) notes.push(`REJECT answers ${it.note}; .fw writes it as deny, which drops without an answer`);
            if (it.newState)
              notes.push('written without its NEW match: the stateful firewall decides requests only (INVALID packets are not modelled)');
            const lines: Record<Dir, string[]> = { inbound: [], outbound: [] };
            for (const d of chainDirs(c))
              for (const m of it.matches) if (possible(d, m)) lines[d].push(...lineOf(d, it.verdict, m, r.comment));
            const written = dirs.filter((d) => lines[d].length > 0);
            // Never crossing: said of a rule of the base chain that never crosses, not of the rules of a chain it jumps to.
            const itself = !own.has(r) || r.matches.some((m) => chainDirs(c).some((d) => possible(d, m)));
            if (written.length === 0) {
              if (!it.again && !itself)
                place(
                  plan.kind === 'host'
                    ? `never matches a packet to or from ${hostName}`
                    : 'never matches a packet that crosses the firewall (both ends inside, or both outside)',
                  false,
                );
              break;
            }
            const say = notes.length > 0 && !it.again;
            for (const d of written) {
              if (say) body[d].push(`  # not expressed: ${oneLine(`${r.text}: ${notes.join('; ')}`)}`);
              body[d].push(...lines[d]);
            }
            if (say) named(`${r.where}: ${r.text}: ${notes.join('; ')}`);
          }
        }
      }
    }

    // Policies: one default, the other policy as a catch-all at the end of its direction.
    const policyOf = (dir: Dir, f: Family): 'accept' | 'drop' => {
      const c = plan.chains.find((x) => chainDirs(x).includes(dir) && x.families.includes(f));
      return c?.policy ?? 'accept';
    };
    const slots = dirs.flatMap((d) => insideFams.map((f) => ({ d, f, p: policyOf(d, f) })));
    const drops = slots.filter((s) => s.p === 'drop').length;
    const dflt: 'accept' | 'drop' = drops * 2 >= slots.length ? 'drop' : 'accept';
    for (const d of dirs) {
      const other = slots.filter((s) => s.d === d && s.p !== dflt);
      if (other.length === 0) continue;
      const word = dflt === 'drop' ? 'allow' : 'deny';
      const where = plan.chains
        .filter((c) => chainDirs(c).includes(d) && c.policy !== dflt)
        .map((c) => c.label)
        .join(', ');
      const because = `# the policy ${dflt === 'drop' ? 'ACCEPT' : 'DROP'} of ${where || 'no chain (a hook without chains accepts)'}`;
      if (other.length === insideFams.length) body[d].push(`  ${d} ${word} all ${because}`);
      else
        for (const s of other)
          body[d].push(`  ${d} ${word} all ${d === 'inbound' ? 'from' : 'to'} ${s.f === 4 ? '0.0.0.0/0' : '::/0'} ${because}`);
    }
    const missing = insideFams.filter((f) => !plan.chains.some((c) => c.families.includes(f)));
    if (plan.chains.length === 0)
      body.inbound.push(
        `  # no chain on the ${plan.kind === 'host' ? 'input and output hooks' : 'forward hook'}: every packet is accepted`,
      );
    const about =
      plan.kind === 'host'
        ? `# The input and output hooks of ${hostName}: inbound is what the input chains see, outbound what the output chains see.`
        : `# The forward hook: inbound is what is routed to ${insideName}, outbound what is routed from it.`;
    const head = [about];
    if (missing.length > 0 && plan.chains.length > 0)
      head.push(
        rs.from === 'iptables'
          ? `# No IPv${missing.join('/IPv')} table in the input: such packets are taken to be accepted, as by empty chains.`
          : `# No IPv${missing.join('/IPv')} chain on these hooks: such packets are accepted (no chain decides them).`,
      );
    if (!stateful && anyEst) head.push('# Stateless: connection state is not used the way a stateful .fw firewall uses it (see below).');
    firewalls.push(
      ...head,
      `firewall ${fwName} ${stateful ? 'stateful' : 'stateless'} protects ${plan.kind === 'host' ? hostName : insideName} ` +
        `default ${dflt === 'drop' ? 'deny' : 'allow'} {`,
      ...body.inbound,
      ...body.outbound,
      '}',
      '',
    );
  }

  // Masquerade: a NAT gateway at the router's address (--host), used by flows `via` it.
  const natDecls: string[] = [];
  for (const m of rs.masquerades) {
    const addr = hostSet ? prefixesOf(hostSet)[0]?.replace(/\/\d+$/, '') : undefined;
    if (addr) {
      natDecls.push(`nat ${names.name('masquerade')} ${addr} # ${oneLine(m.text)}: flows through it are written \`via\` it`);
    } else {
      natDecls.push(`# not expressed: ${oneLine(m.text)}: a masquerading router; its address is not in the input (give --host)`);
      named(`${m.where}: ${m.text}: a masquerading router; its address is not in the input (give --host, the router's address)`);
    }
  }
  const others: string[] = [];
  for (const u of rs.unexpressed) {
    others.push(`# not expressed: ${oneLine(`${u.text}: ${u.why}`)}`);
    named(`${u.where}: ${u.text}: ${u.why}`);
  }

  const header = [`# Imported by \`fwlang import --from ${rs.from}\`: ${oneLine(rs.about)}.`];
  if (unexpressed.length > 0)
    header.push(
      `# ${unexpressed.length} item${unexpressed.length === 1 ? '' : 's'} could not be expressed: see the "not expressed" comments.`,
    );
  const blocks = [header, [...decls, ...netDecls, ...natDecls], others, firewalls].filter((b) => b.length > 0);
  const text = blocks
    .map((b) => b.join('\n'))
    .join('\n\n')
    .replace(/\n+$/, '\n');
  return { text: text.endsWith('\n') ? text : `${text}\n`, unexpressed };
}
