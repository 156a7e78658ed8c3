// What `fwlang export --to nftables|iptables` writes, before it is written (cli.md): each firewall as
// netfilter sees it. Built from the engine's own compiled rules (engine/firewall.ts), so the kernel
// gets exactly the packets §5 gives each rule — platform rules matching their remote side only
// (§10), a security group's peers' rules kept to their members — and nothing is re-derived here.
//
// Shape of one firewall, for both back ends:
//   - a dispatch that sends each packet crossing the firewall (§5.1) to the chain of its direction,
//     once per crossing (an aws-nacl's subnets and an aws-sg's members can be crossed twice);
//   - per direction, the rules in evaluation order (§5.2), then the default;
//   - stateful: established and related packets pass before any rule (§6); stateless: no state.
// Consecutive rules of one action that differ in one field are merged into one (their union is
// exactly the merged rule, and with one action their order does not matter): nft writes the merged
// field as an anonymous set.

import { familyOf } from '../core/address';
import { AddrSet, PortSet } from '../core/intervals';
import { LineIndex } from '../core/text';
import { ALL_PROTOS, type Box, PORTED } from '../engine/packet';
import { type CompiledRule, eachGroupRule, eachJudgingRule, orderedRules } from '../engine/firewall';
import { fileOf, textOf } from '../model/ownership';
import type { Firewall, Model, NatSymbol, ResolvedRule, SecurityGroupSet } from '../model/types';
import type { Action, Direction } from '../syntax/ast';

export type Family = 4 | 6;

/** One netfilter rule: a box of one family (or of both, `family` 0, when it names no address). */
export interface NfRule {
  family: Family | 0;
  protos: number;
  /** Undefined: every address of the family. */
  src?: AddrSet;
  dst?: AddrSet;
  /** Undefined: every port (or no ports). */
  sport?: PortSet;
  dport?: PortSet;
  action: Action;
  /** Where the rule came from: `line 12`, `common/inventory.fw:4`, `db-sg line 7`. */
  origins: string[];
}

export interface NfDirection {
  direction: Direction;
  rules: NfRule[];
  defaultAction: Action;
}

/** How packets reach a direction's rules. */
export type Crossing =
  /** A generic firewall or one aws-nacl subnet: in when only the destination is inside, out when only the source is. */
  | { kind: 'inside'; inside: AddrSet }
  /** An aws-sg's members: in when the destination is a member, out when the source is, whoever is at the other end. */
  | { kind: 'members'; inside: AddrSet };

export interface NfFirewall {
  firewall: Firewall;
  /** A name netfilter accepts, unique in the export (letters, digits, `_`). */
  id: string;
  stateful: boolean;
  crossings: Crossing[];
  /**
   * True when a packet may cross the firewall twice (aws-nacl subnets, aws-sg members): an allow
   * then only ends that crossing (`return`), not the firewall's evaluation.
   */
  twice: boolean;
  inbound: NfDirection;
  outbound: NfDirection;
  /** The families it protects addresses of: the others never cross it. */
  families: Family[];
}

export interface NfNat {
  nat: NatSymbol;
  id: string;
  family: Family;
  address: string;
  ports: [number, number];
}

export interface NetfilterPlan {
  firewalls: NfFirewall[];
  nats: NfNat[];
  /** Where the firewalls filter: a router's forward hook, or a host's input and output. */
  onHost: boolean;
  /** The root file, as the header names it. */
  source: string;
}

const V4_ALL = AddrSet.V4;
const V6_ALL = AddrSet.V6;

export function familyAll(f: Family): AddrSet {
  return f === 4 ? V4_ALL : V6_ALL;
}

/** What the back ends append to an id to name a firewall's chains and sets. */
const SUFFIXES = ['', '_inbound', '_outbound', '_input', '_output', '_forward', '_inside4', '_inside6'];

/** Identifiers handed out, and each part of one that ends before a `_` (`a_b_c`: `a`, `a_b`). */
interface Taken {
  ids: Set<string>;
  prefixes: Set<string>;
}

/** A firewall or nat name as a netfilter identifier whose chain and set names are free too. */
function identifier(name: string, taken: Taken): string {
  const base = name.replace(/[^A-Za-z0-9_]/g, '_');
  // Free when no identifier handed out is it, or starts with it and `_`, with any suffix
  // (looked up in sets: a list searched per name was quadratic in the firewalls).
  const free = (id: string) => SUFFIXES.every((s) => !taken.ids.has(id + s) && !taken.prefixes.has(id + s));
  let id = base;
  for (let k = 2; !free(id); k++) id = `${base}_${k}`;
  for (const s of SUFFIXES) {
    const t = id + s;
    taken.ids.add(t);
    for (let i = t.indexOf('_'); i >= 0; i = t.indexOf('_', i + 1)) taken.prefixes.add(t.slice(0, i));
  }
  return id;
}

/** Where each rule came from, as comments say it. */
class Origins {
  private readonly lines = new Map<string, LineIndex>();
  constructor(private readonly model: Model) {}
  /** `group`'s name before the place when it is another firewall than `fw` (or `fw` is undefined). */
  of(fw: Firewall | undefined, rule: ResolvedRule, group?: Firewall): string {
    const file = fileOf(this.model, rule);
    let index = this.lines.get(file);
    if (!index) {
      index = new LineIndex(textOf(this.model, file) ?? '');
      this.lines.set(file, index);
    }
    const line = index.position(rule.node.span.start).line + 1;
    const where = file === this.model.root ? `line ${line}` : `${shortPath(this.model.root, file)}:${line}`;
    return group && group !== fw ? `${group.name} ${where}` : where;
  }
}

/** `common/inventory.fw` for a file beside or below the root file; else its base name. */
function shortPath(root: string, file: string): string {
  const dir = root.replace(/[^/\\]*$/, '');
  if (dir && file.startsWith(dir)) return file.slice(dir.length).replace(/\\/g, '/');
  return file.replace(/^.*[/\\]/, '');
}

function familyOfBox(b: Box): Family {
  return b.src.isSubsetOf(V4_ALL) ? 4 : 6;
}

/** One compiled rule as netfilter rules: its boxes per family, the ported and port-less parts joined again. */
function rulesOf(cr: CompiledRule, origin: string): NfRule[] {
  const out: NfRule[] = [];
  for (const b of cr.boxes) {
    const family = familyOfBox(b);
    const all = familyAll(family);
    out.push({
      family,
      protos: b.protos,
      ...(b.src.equals(all) ? {} : { src: b.src }),
      ...(b.dst.equals(all) ? {} : { dst: b.dst }),
      ...(b.sport.isAll() ? {} : { sport: b.sport }),
      ...(b.dport.isAll() ? {} : { dport: b.dport }),
      action: cr.rule.action,
      origins: [origin],
    });
  }
  return mergeRules(out);
}

const sameAddr = (a?: AddrSet, b?: AddrSet) => (a === undefined || b === undefined ? a === b : a.equals(b));
const samePorts = (a?: PortSet, b?: PortSet) => (a === undefined || b === undefined ? a === b : a.equals(b));
const unionAddr = (a: AddrSet | undefined, b: AddrSet | undefined, f: Family) => {
  if (a === undefined || b === undefined) return undefined;
  const u = a.union(b);
  return u.equals(familyAll(f)) ? undefined : u;
};
const unionPorts = (a?: PortSet, b?: PortSet) => {
  if (a === undefined || b === undefined) return undefined;
  const u = a.union(b);
  return u.isAll() ? undefined : u;
};

/**
 * `a ∪ b` as one rule when it is one: the same action and family and every field but at most
 * one the same (then the union is exactly the rule with that field's union). Undefined otherwise.
 */
export function mergeTwo(a: NfRule, b: NfRule, withOrigins = true): NfRule | undefined {
  if (a.action !== b.action || a.family !== b.family) return undefined;
  const diff: string[] = [];
  if (a.protos !== b.protos) diff.push('protos');
  if (!sameAddr(a.src, b.src)) diff.push('src');
  if (!sameAddr(a.dst, b.dst)) diff.push('dst');
  if (!samePorts(a.sport, b.sport)) diff.push('sport');
  if (!samePorts(a.dport, b.dport)) diff.push('dport');
  if (diff.length > 1) return undefined;
  const origins = withOrigins ? [...a.origins, ...b.origins.filter((o) => !a.origins.includes(o))] : a.origins;
  if (diff.length === 0) return { ...a, origins };
  const field = diff[0]!;
  const f = a.family as Family;
  const m: NfRule = { ...a, origins };
  switch (field) {
    case 'protos':
      // Ports belong to tcp and udp only: a merged rule that holds another protocol must name no port.
      if ((a.protos | b.protos) & ~PORTED && (a.sport || a.dport)) return undefined;
      m.protos = a.protos | b.protos;
      break;
    case 'src':
      setOrDelete(m, 'src', unionAddr(a.src, b.src, f));
      break;
    case 'dst':
      setOrDelete(m, 'dst', unionAddr(a.dst, b.dst, f));
      break;
    case 'sport':
      setOrDelete(m, 'sport', unionPorts(a.sport, b.sport));
      break;
    case 'dport':
      setOrDelete(m, 'dport', unionPorts(a.dport, b.dport));
      break;
  }
  return m;
}

function setOrDelete<K extends 'src' | 'dst' | 'sport' | 'dport'>(r: NfRule, key: K, v: NfRule[K]): void {
  if (v === undefined) delete r[key];
  else r[key] = v;
}

/**
 * Merges each rule into the one before it while the two are one rule (see mergeTwo). The
 * origins of a run of merges are gathered in a set and written once (a thousand security
 * groups on one address each brought their peers' rules: a list searched at each merge made
 * the export cubic in the groups).
 */
export function mergeRules(rules: NfRule[]): NfRule[] {
  const out: NfRule[] = [];
  let origins: Set<string> | undefined;
  const settle = () => {
    if (origins) out[out.length - 1] = { ...out[out.length - 1]!, origins: [...origins] };
    origins = undefined;
  };
  for (const r of rules) {
    const last = out[out.length - 1];
    const m = last && mergeTwo(last, r, false);
    if (m) {
      origins ??= new Set(last.origins);
      for (const o of r.origins) origins.add(o);
      out[out.length - 1] = m;
    } else {
      settle();
      out.push(r);
    }
  }
  settle();
  return out;
}

/**
 * Joins the IPv4 and IPv6 halves of a rule that names no address (`inbound allow tcp to any port
 * 22`) into one rule of both families. ICMP stays per family: it is a different protocol in each.
 */
function joinFamilies(rules: NfRule[]): NfRule[] {
  const out: NfRule[] = [];
  for (const r of rules) {
    const last = out[out.length - 1];
    const joinable = (x: NfRule) => !x.src && !x.dst && (x.protos === ALL_PROTOS || (x.protos & ~PORTED) === 0);
    if (
      last &&
      last.family !== 0 &&
      r.family !== 0 &&
      last.family !== r.family &&
      joinable(last) &&
      joinable(r) &&
      last.action === r.action &&
      last.protos === r.protos &&
      samePorts(last.sport, r.sport) &&
      samePorts(last.dport, r.dport)
    ) {
      out[out.length - 1] = { ...last, family: 0, origins: [...new Set([...last.origins, ...r.origins])] };
    } else out.push(r);
  }
  return out;
}

/**
 * The rules with those of each family together between rules of both families (a packet has one
 * family, so only the order within a family counts), so that runs of one family can merge.
 */
function byFamily(rules: NfRule[]): NfRule[] {
  const out: NfRule[] = [];
  let v4: NfRule[] = [];
  let v6: NfRule[] = [];
  const flush = () => {
    out.push(...v4, ...v6);
    v4 = [];
    v6 = [];
  };
  for (const r of rules) {
    if (r.family === 4) v4.push(r);
    else if (r.family === 6) v6.push(r);
    else {
      flush();
      out.push(r);
    }
  }
  flush();
  return out;
}

/**
 * Security groups of one set past which each group's chain ends with the rules of the whole set,
 * its own among them, made once for the set: with its peers only, each of n groups on one address
 * went through the rules of n − 1 others (4,000 groups: 59 s and 2.6 GB). Its own rules, kept to
 * its members, come after the same rules unchanged and match nothing more (allow rules only).
 */
export const EXACT_PEERS_MAX = 64;

/** The rules of `families` (or of both): packets of a family the firewall protects no address of never reach its rules. */
function ofFamilies(rules: NfRule[], families: Family[]): NfRule[] {
  return rules.filter((r) => r.family === 0 || families.includes(r.family));
}

function directionOf(origins: Origins, fw: Firewall, direction: Direction, merge: boolean, families: Family[]): NfDirection {
  let rules: NfRule[] = [];
  const set = fw.securityGroups;
  if (set && set.members.length > EXACT_PEERS_MAX) {
    for (const cr of orderedRules(fw, direction)) rules.push(...rulesOf(cr, origins.of(fw, cr.rule)));
    rules = ofFamilies(rules, families).concat(groupRules(origins, set, direction, merge, families));
  } else {
    eachJudgingRule(fw, direction, (cr) => rules.push(...rulesOf(cr, origins.of(fw, cr.rule, cr.group))));
    rules = ofFamilies(rules, families);
  }
  if (merge) rules = mergeRules(byFamily(joinFamilies(rules)));
  return { direction, rules, defaultAction: fw.defaultAction };
}

/** The rules of each set made so far, by direction, merge and families (a set is one model's). */
const setRules = new WeakMap<SecurityGroupSet, Map<string, NfRule[]>>();

/** The rules of every group of `set` as its members' chains end with them (EXACT_PEERS_MAX), once per set. */
function groupRules(origins: Origins, set: SecurityGroupSet, direction: Direction, merge: boolean, families: Family[]): NfRule[] {
  let byKey = setRules.get(set);
  if (!byKey) setRules.set(set, (byKey = new Map()));
  const key = `${direction} ${merge} ${families.join(',')}`;
  let rules = byKey.get(key);
  if (!rules) {
    rules = [];
    eachGroupRule(set, direction, (cr) => rules!.push(...rulesOf(cr, origins.of(undefined, cr.rule, cr.group))));
    rules = ofFamilies(rules, families);
    if (merge) rules = mergeRules(byFamily(joinFamilies(rules)));
    byKey.set(key, rules);
  }
  return rules;
}

export interface PlanOptions {
  /** Only these firewalls and nat gateways (cli.md `--firewall NAME`); all when undefined. */
  only?: readonly string[];
  onHost?: boolean;
  /** Merge consecutive rules (default true); false writes one netfilter rule per box. */
  merge?: boolean;
}

/** The plan of the model's firewalls (and nat gateways). The model must have no errors: the caller refuses first. */
export function planNetfilter(model: Model, options: PlanOptions = {}): NetfilterPlan {
  const only = options.only;
  const taken: Taken = { ids: new Set(), prefixes: new Set() };
  const origins = new Origins(model);
  const firewalls: NfFirewall[] = [];
  for (const fw of model.firewalls) {
    if (only && !only.includes(fw.name)) continue;
    const crossings: Crossing[] =
      fw.platform === 'aws-sg'
        ? [{ kind: 'members', inside: fw.inside }]
        : fw.insides.filter((i) => !i.isEmpty()).map((inside) => ({ kind: 'inside' as const, inside }));
    const families: Family[] = ([4, 6] as Family[]).filter((f) => !fw.inside.intersect(familyAll(f)).isEmpty());
    const merge = options.merge ?? true;
    firewalls.push({
      firewall: fw,
      id: identifier(fw.name, taken),
      stateful: fw.mode === 'stateful',
      crossings,
      twice: fw.platform === 'aws-sg' || crossings.length > 1,
      inbound: directionOf(origins, fw, 'inbound', merge, families),
      outbound: directionOf(origins, fw, 'outbound', merge, families),
      families,
    });
  }
  const nats: NfNat[] = [];
  for (const sym of model.symbols.values()) {
    if (sym.kind !== 'nat' || sym.address.isEmpty()) continue;
    if (only ? !only.includes(sym.name) : false) continue;
    const [lo] = [...sym.address.ranges()][0]!;
    const ports = [...sym.ports.ranges()];
    nats.push({
      nat: sym,
      id: identifier(`nat_${sym.name}`, taken),
      family: familyOf(lo),
      address: sym.addressText,
      ports: [ports[0]![0], ports[ports.length - 1]![1]],
    });
  }
  return { firewalls, nats, onHost: options.onHost ?? false, source: model.root.replace(/^.*[/\\]/, '') };
}
