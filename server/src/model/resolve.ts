// AST -> model: names resolved across a file and its includes, addresses and ports as
// exact sets, and the structural diagnostics of spec §8 (unknown-name, duplicate-name,
// invalid-address, invalid-port, rule-numbering, include errors). Never throws.

import { type Diagnostic, type Fix, type Span, diag } from '../core/diagnostic';
import { parseAddress } from '../core/address';
import { AddrSet, PortSet } from '../core/intervals';
import { collectSpans } from '../syntax/spans';
import { parse, type ParseResult, unreadableReason } from '../syntax/parse';
import type {
  Action,
  EndpointRef,
  EphemeralRef,
  FileAst,
  FirewallDecl,
  FlowDecl,
  Name,
  PortSpec,
  Proto,
  RuleNode,
  Statement,
} from '../syntax/ast';
import { BUILTIN_PROFILES, BUILTIN_SERVICES, WIDE } from './builtins';
import { closestName } from './suggest';
import { flowStatementText } from './flowStatementText';
import { linkSecurityGroups, platformDiagnostics, subnetsOf } from './platform';
import type {
  EndpointSymbol,
  FileHost,
  Firewall,
  Flow,
  Model,
  ModelSymbol,
  NameReference,
  NatSymbol,
  ProfileSymbol,
  ResolvedEndpoint,
  ResolvedRule,
  ServiceSymbol,
  ViaHop,
} from './types';

/** What one file exports to the files that include it. */
interface FileScope {
  path: string;
  symbols: Map<string, ModelSymbol>;
  firewalls: Firewall[];
  errorCount: number;
  /** The first error, in this file or, through its includes, in the file that holds it. */
  firstError?: { file: string; message: string };
}

interface BuildState {
  host: FileHost;
  done: Map<string, FileScope>;
  inProgress: string[];
  order: { n: number };
  includes: { path: string; text: string }[];
  fallbackEphemeral?: { ports: PortSet; source: string };
  /** What the host answered for each include target: refused (why), else the text read (undefined: none). */
  asked?: Map<string, { refused?: string; text?: string; read: boolean }>;
  /**
   * Include targets this build could not read, and why: the host is asked once per target. A
   * file of 66,000 includes of one missing file asked the disk twice for each (1.5 s of a 2.2 s
   * `fwlang check`).
   */
  unread: Map<string, Unread>;
}

type Unread = { why: 'refused' | 'unreadable'; reason: string } | { why: 'missing' };

/** The error on an include of `quoted` (resolved to `target`) that could not be read. */
function unreadMessage(u: Unread, quoted: string, target: string): string {
  if (u.why === 'refused') return `\`${quoted}\` is not included: ${u.reason}`;
  if (u.why === 'unreadable') return `\`${quoted}\` is ${u.reason}: nothing in it was read`;
  return `cannot read \`${quoted}\` (looked for ${target})`;
}

const NO_HOST: FileHost = {
  readFile: () => undefined,
  resolve: (_from, rel) => rel,
};

/**
 * Builds the model of the file `path` with text `text`. Included files are read through
 * `host`. Diagnostics are for the root file (errors inside included files are summarised
 * on the `include` line).
 */
interface BuildOptions {
  /** An already parsed AST of `text` (with its diagnostics), to avoid parsing twice. */
  parsed?: ParseResult;
  /**
   * The ephemeral range for files without `default ephemeral` (an editor setting):
   * a built-in profile name or `LOW-HIGH`. Spec default: `wide`.
   */
  defaultEphemeral?: string;
  /**
   * Firewalls resolved by earlier builds of the same document (the editor keeps one per
   * document): a firewall whose node (the incremental parser's, unchanged) and whose names'
   * values are the same is not resolved again.
   */
  cache?: ResolveCache;
}

/** What a firewall's resolution read besides its own node: compared before reusing it. */
interface FirewallInputs {
  path: string;
  /** Each name it looked up, with what the name stood for. */
  names: Map<string, string>;
  /** Every declared name and kind, when it reported an unknown name (the "did you mean"). */
  allNames?: string;
  defaultEphemeral: string;
  /** Whether it was the first declaration of its name. */
  first: boolean;
  /** The syntax errors within it, relative to its start. */
  errors: string;
}

interface FirewallEntry {
  inputs: FirewallInputs;
  /** The ephemeral ranges and NAT gateways in use when it was resolved (set on it afterwards). */
  environment: string;
  /** The firewall as resolved (a new object is made from it each time). */
  fw: Firewall;
  /** Its diagnostics, every span relative to the firewall's start. */
  diagnostics: Diagnostic[];
  /**
   * The same placed where the firewall started when last reused: an edit elsewhere that does not
   * move it reports these objects again instead of new copies (garbage at every keystroke).
   */
  placed?: { base: number; diagnostics: Diagnostic[] };
  /** Its references (their spans are the AST's, moved with it); symbols are looked up again. */
  references: NameReference[];
  /** The symbol each name its rules and references use stood for when they were last pointed at it. */
  pointsAt?: Map<string, ModelSymbol | undefined>;
}

/** A host or network kept between builds: its declaration node and what else it read. */
interface EndpointEntry {
  /** The file, the default ephemeral range, and what the profile its `ephemeral` names stood for. */
  inputs: string;
  symbol: EndpointSymbol;
  /** The references its resolution made (the profile name): made again by each build. */
  references: NameReference[];
}

/** Resolved firewalls and hosts and networks kept between builds of one document's model. */
export class ResolveCache {
  private entries = new Map<FirewallDecl, FirewallEntry>();
  private used = new Map<FirewallDecl, FirewallEntry>();
  private endpoints = new Map<Statement, EndpointEntry>();
  private endpointsUsed = new Map<Statement, EndpointEntry>();
  hits = 0;
  misses = 0;

  get(node: FirewallDecl): FirewallEntry | undefined {
    return this.entries.get(node);
  }

  set(node: FirewallDecl, e: FirewallEntry): void {
    this.used.set(node, e);
  }

  /** What an unchanged declaration node gave with the same inputs, kept for this build. */
  endpoint(node: Statement, inputs: string): EndpointEntry | undefined {
    const e = this.endpoints.get(node);
    if (!e || e.inputs !== inputs) return undefined;
    this.endpointsUsed.set(node, e);
    return e;
  }

  setEndpoint(node: Statement, e: EndpointEntry): void {
    this.endpointsUsed.set(node, e);
  }

  /** Keeps only what the last build used. */
  endRound(): void {
    this.entries = this.used;
    this.used = new Map();
    this.endpoints = this.endpointsUsed;
    this.endpointsUsed = new Map();
  }
}

function shiftSpan(s: Span, by: number): Span {
  return { start: s.start + by, end: s.end + by };
}

function shiftDiagnostic(d: Diagnostic, by: number): Diagnostic {
  const out: Diagnostic = { ...d, span: shiftSpan(d.span, by) };
  if (d.related) out.related = d.related.map((r) => (r.file ? { ...r } : { ...r, span: shiftSpan(r.span, by) }));
  if (d.fixes) {
    out.fixes = d.fixes.map((f) => ({ ...f, edits: f.edits.map((e) => (e.file ? { ...e } : { ...e, span: shiftSpan(e.span, by) })) }));
  }
  return out;
}

/**
 * A model of the parse alone: no names resolved, no firewalls nor flows, the given diagnostics
 * (the parse's unless told). What the editor answers the outline from while the analysis runs,
 * and what a resolver that failed leaves.
 */
export function modelOfParse(path: string, text: string, parsed: ParseResult, diagnostics: Diagnostic[] = parsed.diagnostics): Model {
  return {
    root: path,
    ast: parsed.ast,
    text,
    symbols: new Map(),
    firewalls: [],
    flows: [],
    defaultEphemeral: WIDE,
    diagnostics,
    references: [],
    includes: [],
  };
}

/**
 * True for a symbol nothing changes once made: hosts and networks (made whole by
 * endpointSymbol) and the built-ins. (A declared service's ports are set when it is checked.)
 */
export function settledSymbol(sym: ModelSymbol): boolean {
  return sym.kind === 'host' || sym.kind === 'network' || ((sym.kind === 'service' || sym.kind === 'profile') && sym.builtin);
}

const symbolValues = new WeakMap<ModelSymbol, string>();

/** What a symbol stands for, as far as a firewall that names it can tell. */
function symbolValue(sym: ModelSymbol | undefined): string {
  if (!sym) return '-';
  if (!settledSymbol(sym)) return symbolValueOf(sym);
  let v = symbolValues.get(sym);
  if (v === undefined) symbolValues.set(sym, (v = symbolValueOf(sym)));
  return v;
}

function symbolValueOf(sym: ModelSymbol): string {
  switch (sym.kind) {
    case 'host':
    case 'network':
      return [
        sym.kind,
        sym.name,
        sym.addresses.bounds.join(','),
        sym.texts.join(','),
        sym.ephemeral.bounds.join(','),
        sym.ephemeralSource,
      ].join('|');
    case 'service':
      return `service|${sym.name}|${sym.proto}|${sym.ports.bounds.join(',')}|${sym.builtin}`;
    case 'profile':
      return `profile|${sym.name}|${sym.ports.bounds.join(',')}|${sym.builtin}`;
    case 'nat':
      return `nat|${sym.name}|${sym.addressText}|${sym.address.bounds.join(',')}|${sym.ports.bounds.join(',')}`;
    case 'firewall':
      return `firewall|${sym.name}`;
  }
}

export function buildModel(path: string, text: string, host: FileHost = NO_HOST, options: BuildOptions = {}): Model {
  try {
    return buildModelUnsafe(path, text, host, options);
  } catch (e) {
    // Last resort: the core must never throw into a front end.
    const parsed = options.parsed ?? safeParse(text);
    return modelOfParse(path, text, parsed, [
      ...parsed.diagnostics,
      diag('syntax', { start: 0, end: 0 }, `internal error while resolving this file: ${(e as Error)?.message ?? e}`),
    ]);
  }
}

function safeParse(text: string) {
  try {
    return parse(text);
  } catch {
    return { ast: { statements: [], comments: [] } as FileAst, diagnostics: [] as Diagnostic[] };
  }
}

/** The built-in services and profiles, one object each, the same in every build. */
const builtinSymbols = new Map<string, ModelSymbol>();

function builtinSymbol(name: string): ModelSymbol | undefined {
  let sym = builtinSymbols.get(name);
  if (sym) return sym;
  const svc = BUILTIN_SERVICES[name];
  const prof = BUILTIN_PROFILES[name];
  if (svc) sym = { kind: 'service', name, proto: svc.proto, ports: PortSet.range(svc.port, svc.port), builtin: true };
  else if (prof) sym = { kind: 'profile', name, ports: PortSet.range(prof[0], prof[1]), builtin: true };
  if (sym) builtinSymbols.set(name, sym);
  return sym;
}

function settingRange(setting: string | undefined): PortSet | undefined {
  if (!setting) return undefined;
  const prof = BUILTIN_PROFILES[setting];
  if (prof) return PortSet.range(prof[0], prof[1]);
  const m = /^(\d{1,5})\s*-\s*(\d{1,5})$/.exec(setting.trim());
  if (m && Number(m[1]) <= Number(m[2]) && Number(m[2]) <= 65535) return PortSet.range(Number(m[1]), Number(m[2]));
  return undefined;
}

function buildModelUnsafe(path: string, text: string, host: FileHost, options: BuildOptions): Model {
  const parsed = options.parsed ?? parse(text);
  const fallback = settingRange(options.defaultEphemeral);
  const state: BuildState = {
    host,
    done: new Map(),
    inProgress: [path],
    order: { n: 0 },
    includes: [],
    fallbackEphemeral: fallback
      ? { ports: fallback, source: `${options.defaultEphemeral} (the editor's default ephemeral setting)` }
      : undefined,
    asked: new Map(),
    unread: new Map(),
  };
  const r = new FileResolver(path, text, parsed.ast, state, true, syntaxErrorOffsets(parsed));
  r.cache = options.cache;
  const scope = r.run();
  options.cache?.endRound();
  const ephemeralRanges = rangesInUse(scope.symbols, r.defaultEphemeral, fallback);
  const nats = [...scope.symbols.values()].filter((s): s is NatSymbol => s.kind === 'nat' && !s.address.isEmpty());
  for (const fw of r.allFirewalls) {
    fw.ephemeralRanges = ephemeralRanges;
    fw.nats = nats;
  }
  linkSecurityGroups(r.allFirewalls);
  const references = r.references;
  let flat: NameReference[] | undefined;
  const model: Model = {
    ephemeralRanges,
    root: path,
    ast: parsed.ast,
    text,
    symbols: scope.symbols,
    firewalls: r.allFirewalls,
    flows: r.flows,
    defaultEphemeral: r.defaultEphemeral,
    diagnostics: [...parsed.diagnostics, ...r.diagnostics],
    // One array, made when first asked (by the features that find names: definition,
    // references, rename, highlights, semantic tokens). The diagnostics of an edit never ask:
    // at 10,000 rules the 19,000 references made a new 150 KB array at every edit, allocated
    // as a large object and moved to the old generation by the next young collection.
    get references(): NameReference[] {
      return (flat ??= references.toArray());
    },
    includes: state.includes,
  };
  builtWith.set(model, { defaultEphemeral: options.defaultEphemeral ?? '', asked: state.asked! });
  return model;
}

/**
 * How each model was built: its `defaultEphemeral` option and what the host answered for its
 * includes (resolveFlowText extends only the models it knows, when the host answers the same).
 */
const builtWith = new WeakMap<Model, { defaultEphemeral: string; asked: NonNullable<BuildState['asked']> }>();

/** Spec §7: the ranges that could be somebody's ephemeral range, each once. */
function rangesInUse(symbols: Map<string, ModelSymbol>, defaultEphemeral: PortSet, fallback: PortSet | undefined): PortSet[] {
  const out: PortSet[] = Object.values(BUILTIN_PROFILES).map(([lo, hi]) => PortSet.range(lo, hi));
  const add = (p: PortSet | undefined) => {
    if (p && !p.isEmpty() && !out.some((q) => q.equals(p))) out.push(p);
  };
  add(defaultEphemeral);
  add(fallback);
  for (const s of symbols.values()) {
    if (s.kind === 'profile' || s.kind === 'nat') add(s.ports);
    else if (s.kind === 'host' || s.kind === 'network') add(s.ephemeral);
  }
  return out;
}

type Want = 'endpoint' | 'service' | 'profile' | 'firewall' | 'nat';

const KIND_WORDS: Record<Want, string> = {
  endpoint: 'a host or network',
  service: 'a service',
  profile: 'an ephemeral profile',
  firewall: 'a firewall',
  nat: 'a NAT gateway',
};

function kindOf(sym: ModelSymbol): Want {
  return sym.kind === 'host' || sym.kind === 'network' ? 'endpoint' : sym.kind === 'profile' ? 'profile' : sym.kind;
}

function describeKind(sym: ModelSymbol): string {
  switch (sym.kind) {
    case 'host':
      return 'a host';
    case 'network':
      return 'a network';
    case 'service':
      return 'a service';
    case 'profile':
      return 'an ephemeral profile';
    case 'firewall':
      return 'a firewall';
    case 'nat':
      return 'a NAT gateway';
  }
}

/** What depends on every name of a build while none is added (FileResolver.namesNow). */
interface NamesNow {
  /** allNames(). */
  all?: string;
  /** Per wanted kind, keywords and unknown name: its suggestion and message. */
  unknown: Map<string, { suggestion?: string; message: string }>;
}

/**
 * The references of a build in their order: those made one by one, and the lists kept by the
 * cache for the firewalls it reuses, taken as they are. Joined once, into an array of the exact
 * length: pushed one by one, the 19,000 references of a 10,000-rule file were three times
 * their size in garbage at every edit (issue 12).
 */
class ReferenceList {
  private readonly parts: (readonly NameReference[])[] = [];
  private loose: NameReference[] = [];
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(ref: NameReference): void {
    this.loose.push(ref);
    this.count++;
  }

  /** A kept list, not copied (it must not change afterwards). */
  pushAll(list: readonly NameReference[]): void {
    if (list.length === 0) return;
    if (this.loose.length > 0) {
      this.parts.push(this.loose);
      this.loose = [];
    }
    this.parts.push(list);
    this.count += list.length;
  }

  /** Each reference in order. */
  forEach(f: (ref: NameReference) => void): void {
    for (const part of this.parts) for (let i = 0; i < part.length; i++) f(part[i]!);
    const loose = this.loose;
    for (let i = 0; i < loose.length; i++) f(loose[i]!);
  }

  /** The references from the `from`th on, a new array. */
  since(from: number): NameReference[] {
    const out: NameReference[] = [];
    let at = 0;
    const take = (part: readonly NameReference[]) => {
      for (let i = Math.max(0, from - at); i < part.length; i++) out.push(part[i]!);
      at += part.length;
    };
    for (const part of this.parts) take(part);
    take(this.loose);
    return out;
  }

  /** All of them, one array. */
  toArray(): NameReference[] {
    if (this.parts.length === 0) return this.loose;
    const all = new Array<NameReference>(this.count);
    let j = 0;
    this.forEach((ref) => (all[j++] = ref));
    return all;
  }
}

class FileResolver {
  readonly diagnostics: Diagnostic[] = [];
  readonly references = new ReferenceList();
  /** Own declarations first, then what includes bring. */
  readonly symbols: Map<string, ModelSymbol>;
  readonly firewalls: Firewall[] = [];
  /** Own firewalls and those of included files, in declaration order. */
  allFirewalls: Firewall[] = [];
  readonly flows: Flow[] = [];
  defaultEphemeral: PortSet = WIDE;
  defaultEphemeralSource = 'wide (no `default ephemeral` in this file)';
  private readonly endpointCache = new Map<string, EndpointSymbol | null>();
  private readonly resolving = new Set<string>();
  /** Firewalls kept from earlier builds (root file only). */
  cache?: ResolveCache;
  /** While a firewall is resolved for the cache: the names it looks up. */
  private recording?: FirewallInputs;
  private environment?: string;

  /**
   * The ephemeral ranges in use and the NAT gateways, which buildModel sets on every firewall
   * after resolving (known before the firewalls: they come from declarations).
   */
  private firewallEnvironment(): string {
    if (this.environment === undefined) {
      const ranges = rangesInUse(this.symbols, this.defaultEphemeral, this.state.fallbackEphemeral?.ports);
      const parts = ranges.map((r) => r.bounds.join(','));
      for (const sym of this.symbols.values()) if (sym.kind === 'nat') parts.push(symbolValue(sym));
      this.environment = parts.join('|');
    }
    return this.environment;
  }

  constructor(
    readonly path: string,
    readonly text: string,
    readonly ast: FileAst,
    readonly state: BuildState,
    readonly isRoot: boolean,
    /** Where the parser reported syntax errors in this file (offsets). */
    readonly syntaxErrors: number[] = [],
    /** The names of a resolved file, for flows resolved against it (resolveFlowText): only read. */
    symbols?: Map<string, ModelSymbol>,
  ) {
    this.symbols = symbols ?? new Map();
    if (state.fallbackEphemeral) {
      this.defaultEphemeral = state.fallbackEphemeral.ports;
      this.defaultEphemeralSource = state.fallbackEphemeral.source;
    }
  }

  run(): FileScope {
    const statements = this.ast.statements.filter((s): s is Statement => !!s);
    // Pass 1: includes and declarations, so names may be used before they are declared.
    const declared = new Map<string, { span: Span; file: string }>();
    for (const s of statements) {
      if (s.kind === 'include') this.include(s, declared);
      else if (s.kind === 'default-ephemeral') continue;
      else if (s.kind !== 'flow') this.declare(s, declared);
    }
    // Default ephemeral (resolved after profiles are declared).
    let defaultSeen: Span | undefined;
    for (const s of statements) {
      if (s.kind !== 'default-ephemeral') continue;
      if (defaultSeen) {
        this.report(diag('duplicate-name', s.span, '`default ephemeral` is set twice in this file; the first one is used'));
        continue;
      }
      defaultSeen = s.span;
      if (s.value) {
        const r = this.ephemeralRef(s.value);
        if (r) {
          this.defaultEphemeral = r.ports;
          this.defaultEphemeralSource = `\`default ephemeral ${r.label}\``;
        }
      }
    }
    // Pass 2: endpoints (their ephemeral ranges need the default), firewalls, flows.
    for (const s of statements) {
      if (s.kind === 'host' || s.kind === 'network') this.endpointSymbol(s.name.text);
    }
    for (const s of statements) {
      if (s.kind === 'service') this.checkService(s.name.text);
    }
    // Each firewall once, in declaration order, an included one at its first include. (A set:
    // an include of 23,000 firewall headers was looked for in the list one by one, 1 s.)
    const listed = new Set<Firewall>();
    for (const s of statements) {
      if (s.kind === 'firewall') {
        const fw = this.cachedFirewall(s);
        if (fw) {
          this.firewalls.push(fw);
          this.allFirewalls.push(fw);
          listed.add(fw);
        }
      } else if (s.kind === 'include') {
        const target = this.includeTargets.get(s);
        if (!target) continue;
        for (const fw of target.firewalls) {
          if (listed.has(fw)) continue;
          listed.add(fw);
          this.allFirewalls.push(fw);
        }
      }
    }
    if (this.isRoot) {
      for (const s of statements) if (s.kind === 'flow') this.flow(s);
    }
    // Declarations point at what they declared (resolved only now, after every pass).
    // (Index loops: run() runs once per build, too few times to be optimised, and an
    // iterator would allocate a result per reference.)
    this.references.forEach((r) => {
      if (!r.declaration || r.symbol) return;
      const sym = this.symbols.get(r.name);
      if (sym && 'origin' in sym && sym.origin?.file === this.path && sym.origin.nameSpan.start === r.span.start) r.symbol = sym;
    });
    const errors = this.diagnostics.filter((d) => d.severity === 'error');
    return {
      path: this.path,
      symbols: this.symbols,
      firewalls: this.allFirewalls,
      errorCount: errors.length,
      firstError: errors[0] && (this.causes.get(errors[0]) ?? { file: this.path, message: errors[0].message }),
    };
  }

  private report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  /** Of an include's "has N errors": the first error it stands for, in the file that holds it. */
  private readonly causes = new Map<Diagnostic, { file: string; message: string }>();

  private ref(name: Name, symbol: ModelSymbol | undefined, declaration = false): void {
    if (!name.text) return;
    this.references.push({ name: name.text, file: this.path, span: name.span, symbol, declaration });
  }

  // ---- includes ----------------------------------------------------------------------

  private readonly includeTargets = new Map<Statement, FileScope>();

  private include(s: Extract<Statement, { kind: 'include' }>, declared: Map<string, { span: Span; file: string }>): void {
    if (!s.path) return;
    const target = this.state.host.resolve(this.path, s.path.value);
    const where = s.path.span;
    if (this.state.inProgress.includes(target)) {
      const cycle = [...this.state.inProgress.slice(this.state.inProgress.indexOf(target)), target];
      this.report(diag('include-error', where, `include cycle: ${cycle.map(baseName).join(' → ')}`));
      return;
    }
    // A chain of includes deeper than this is refused where it goes past it: resolving an include
    // resolves the file it names first, and a chain of 2,000 files overflowed the stack.
    if (this.state.inProgress.length > MAX_INCLUDE_DEPTH) {
      this.report(
        diag('include-error', where, `\`${s.path.value}\` is not included: includes are nested more than ${MAX_INCLUDE_DEPTH} deep here`),
      );
      return;
    }
    // Only .fw text is read, and none of what is refused is quoted: an include is no way to
    // show another file's content (`include "/etc/shadow"`) in a diagnostic.
    if (!target.endsWith('.fw')) {
      this.report(diag('include-error', where, `\`${s.path.value}\` is not a .fw file: only .fw files can be included`));
      return;
    }
    const unread = this.state.unread.get(target);
    if (unread) {
      this.report(diag('include-error', where, unreadMessage(unread, s.path.value, target)));
      return;
    }
    // A file read already was not refused (it was asked before it was read).
    let scope = this.state.done.get(target);
    if (!scope) {
      const refused = this.state.host.refuse?.(target);
      const asked = this.state.asked?.get(target) ?? { read: false };
      asked.refused = refused || undefined;
      this.state.asked?.set(target, asked);
      const quoted = s.path.value;
      const cannot = (u: Unread): void => {
        this.state.unread.set(target, u);
        this.report(diag('include-error', where, unreadMessage(u, quoted, target)));
      };
      if (refused) return cannot({ why: 'refused', reason: refused });
      const text = this.state.host.readFile(target);
      asked.read = true;
      asked.text = text;
      if (text === undefined) return cannot({ why: 'missing' });
      const unreadable = unreadableReason(text);
      if (unreadable) return cannot({ why: 'unreadable', reason: unreadable });
      this.state.includes.push({ path: target, text });
      const parsed = parse(text);
      this.state.inProgress.push(target);
      const sub = new FileResolver(target, text, parsed.ast, this.state, false, syntaxErrorOffsets(parsed));
      scope = sub.run();
      scope.errorCount += parsed.diagnostics.filter((d) => d.severity === 'error').length;
      const syntaxError = parsed.diagnostics.find((d) => d.severity === 'error');
      scope.firstError ??= syntaxError && { file: target, message: syntaxError.message };
      this.state.inProgress.pop();
      this.state.done.set(target, scope);
    }
    this.includeTargets.set(s, scope);
    if (scope.errorCount > 0) {
      // The first error is named where it is: down a chain of includes, in the file that holds
      // it, not as each file's "has 1 error (first: …)" nested in the next.
      const first = scope.firstError;
      const inFile = first && first.file !== target ? `, in \`${baseName(first.file)}\`` : '';
      const d = diag(
        'include-error',
        where,
        `\`${s.path.value}\` has ${scope.errorCount} error${scope.errorCount === 1 ? '' : 's'}` +
          `${first ? ` (first${inFile}: ${first.message})` : ''}`,
      );
      if (first) this.causes.set(d, first);
      this.report(d);
    }
    for (const [name, sym] of scope.symbols) {
      const prev = declared.get(name);
      if (prev && prev.file !== this.path) {
        // The same file reached by two includes is one declaration.
        const same = this.symbols.get(name) === sym;
        if (same) continue;
      }
      if (prev) {
        this.report(
          diag('duplicate-name', where, `\`${name}\` from \`${s.path.value}\` is already declared`, {
            related: [{ file: prev.file === this.path ? undefined : prev.file, span: prev.span, message: 'first declared here' }],
          }),
        );
        continue;
      }
      declared.set(name, { span: where, file: target });
      this.symbols.set(name, sym);
    }
  }

  // ---- declarations ------------------------------------------------------------------

  private readonly decls = new Map<string, Statement>();

  private declare(s: Statement, declared: Map<string, { span: Span; file: string }>): void {
    if (s.kind === 'include' || s.kind === 'flow' || s.kind === 'default-ephemeral') return;
    const name = s.name;
    if (!name?.text) return;
    const prev = declared.get(name.text);
    if (prev) {
      this.report(
        diag('duplicate-name', name.span, `\`${name.text}\` is already declared`, {
          related: [{ file: prev.file === this.path ? undefined : prev.file, span: prev.span, message: 'first declared here' }],
        }),
      );
      this.ref(name, this.symbols.get(name.text));
      return;
    }
    declared.set(name.text, { span: name.span, file: this.path });
    this.decls.set(name.text, s);
    const origin = { file: this.path, span: s.span, nameSpan: name.span, node: s };
    switch (s.kind) {
      case 'service': {
        // Ports resolved lazily in checkService (they may name other services).
        const sym: ServiceSymbol = {
          kind: 'service',
          name: name.text,
          proto: s.proto?.value ?? 'tcp',
          ports: PortSet.EMPTY,
          builtin: false,
          origin,
        };
        this.symbols.set(name.text, sym);
        break;
      }
      case 'ephemeral': {
        let ports = WIDE;
        if (s.low && s.high) ports = this.checkRange(s.low, s.high) ?? WIDE;
        const sym: ProfileSymbol = { kind: 'profile', name: name.text, ports, builtin: false, origin };
        this.symbols.set(name.text, sym);
        break;
      }
      case 'nat': {
        const address = s.address ? this.address(s.address, 'address') : undefined;
        let ports = WIDE;
        if (s.low && s.high) ports = this.checkRange(s.low, s.high) ?? WIDE;
        const sym: NatSymbol = {
          kind: 'nat',
          name: name.text,
          address: address ?? AddrSet.EMPTY,
          addressText: s.address?.text ?? '',
          ports,
          origin,
        };
        this.symbols.set(name.text, sym);
        break;
      }
      case 'firewall':
        // Filled when the firewall is resolved; a placeholder keeps the name taken.
        break;
      case 'host':
      case 'network':
        break;
    }
    this.ref(name, undefined, true);
  }

  private lookup(name: string): ModelSymbol | undefined {
    const own = this.symbols.get(name);
    if (own) return own;
    const decl = this.decls.get(name);
    if (decl && (decl.kind === 'host' || decl.kind === 'network')) return this.endpointSymbol(name) ?? undefined;
    if (decl && decl.kind === 'firewall') return undefined;
    return builtinSymbol(name);
  }

  private candidates(want: Want): string[] {
    const names: string[] = [];
    for (const [n, s] of this.symbols) if (kindOf(s) === want) names.push(n);
    for (const [n, d] of this.decls) {
      const k: Want | undefined = d.kind === 'host' || d.kind === 'network' ? 'endpoint' : d.kind === 'firewall' ? 'firewall' : undefined;
      if (k === want) names.push(n);
    }
    if (want === 'service') names.push(...Object.keys(BUILTIN_SERVICES));
    if (want === 'profile') names.push(...Object.keys(BUILTIN_PROFILES));
    if (want === 'endpoint') names.push('any');
    return names;
  }

  /** Resolves a name of the wanted kind, reporting unknown or wrong-kind names. */
  private resolveName(name: Name, want: Want, keywords: readonly string[] = []): ModelSymbol | undefined {
    if (!name.text) return undefined;
    if (this.recording && !this.recording.names.has(name.text)) this.recording.names.set(name.text, this.nameValue(name.text));
    if (want === 'firewall') {
      const fw = this.firewallByName(name.text);
      if (fw) {
        this.ref(name, fw);
        return fw;
      }
    }
    const sym = want === 'firewall' ? this.symbols.get(name.text) : this.lookup(name.text);
    if (sym && kindOf(sym) === want) {
      this.ref(name, sym);
      return sym;
    }
    const other = sym ?? (this.decls.get(name.text) ? this.lookup(name.text) : undefined);
    if (other || this.decls.has(name.text)) {
      const what = other ? describeKind(other) : `a ${this.decls.get(name.text)!.kind}`;
      this.report(diag('unknown-name', name.span, `\`${name.text}\` is ${what}, but ${KIND_WORDS[want]} is expected here`));
      this.ref(name, other);
      return undefined;
    }
    const names = this.namesNow();
    if (this.recording) this.recording.allNames = names.all ??= this.allNames();
    // A megabyte of one unknown name (a fuzzed `protects web, web, …`) asks the same question
    // 200,000 times: the answer is the same while no name is added.
    const key = `${want}\u0000${keywords.join(',')}\u0000${name.text}`;
    let said = names.unknown.get(key);
    if (!said) {
      const suggestion = closestName(name.text, [...this.candidates(want), ...keywords]);
      const message = `unknown ${KIND_WORDS[want].replace(/^an? /, '')} \`${name.text}\`${suggestion ? ` — did you mean \`${suggestion}\`?` : ''}`;
      names.unknown.set(key, (said = { suggestion, message }));
    }
    const { suggestion, message } = said;
    const fixes: Fix[] = suggestion
      ? [{ title: `Change to \`${suggestion}\``, edits: [{ span: name.span, newText: suggestion }], safe: false, preferred: true }]
      : [];
    this.report(diag('unknown-name', name.span, message, { fixes }));
    this.ref(name, undefined);
    return undefined;
  }

  /** What `name` stands for now (for the firewall cache). */
  private nameValue(name: string): string {
    const d = this.decls.get(name);
    return `${d?.kind ?? ''}|${symbolValue(this.symbols.get(name) ?? this.lookup(name))}`;
  }

  /**
   * What depends on every name (allNames, what an unknown name is told), kept while no name
   * is added. A build sets each name once (duplicates are reported, not set), so the two
   * maps' sizes say whether a name was added.
   */
  private names?: { at: string } & NamesNow;

  private namesNow(): NamesNow {
    const at = `${this.symbols.size}/${this.decls.size}`;
    if (this.names?.at !== at) this.names = { at, unknown: new Map() };
    return this.names;
  }

  /** Every name declared or brought in, with its kind (what "did you mean" chooses from). */
  private allNames(): string {
    const parts: string[] = [];
    for (const [n, sym] of this.symbols) parts.push(`${n}:${sym.kind}`);
    for (const [n, d] of this.decls) parts.push(`${n}:${d.kind}`);
    return parts.join('\u0000');
  }

  private firewallByName(name: string): ModelSymbol | undefined {
    const s = this.symbols.get(name);
    return s?.kind === 'firewall' ? s : undefined;
  }

  // ---- addresses ---------------------------------------------------------------------

  private address(lit: { text: string; span: Span }, what: 'address' | 'prefix'): AddrSet | undefined {
    const p = parseAddress(lit.text);
    if (!p.ok) {
      const fixes: Fix[] = p.networkText
        ? [
            {
              title: `Use the network address \`${p.networkText}\``,
              edits: [{ span: lit.span, newText: p.networkText }],
              safe: true,
              preferred: true,
            },
          ]
        : [];
      // Not safe unless octal and decimal agree (`01`): for a reader of octal, `010` is 8.
      if (p.decimalText) {
        fixes.push({
          title: `Read it as decimal: \`${p.decimalText}\``,
          edits: [{ span: lit.span, newText: p.decimalText }],
          safe: p.decimalSameAsOctal === true,
        });
      }
      this.report(diag('invalid-address', lit.span, p.message, { fixes }));
      return undefined;
    }
    if (what === 'address' && p.isPrefix && p.prefixLength !== (p.family === 4 ? 32 : 128)) {
      this.report(diag('invalid-address', lit.span, `a host is one address, but \`${lit.text}\` is a prefix; declare it as a \`network\``));
      return undefined;
    }
    return p.set;
  }

  private endpointSymbol(name: string): EndpointSymbol | null {
    const cached = this.endpointCache.get(name);
    if (cached !== undefined) return cached;
    const own = this.symbols.get(name);
    if (own && (own.kind === 'host' || own.kind === 'network')) return own;
    const decl = this.decls.get(name);
    if (!decl || (decl.kind !== 'host' && decl.kind !== 'network')) return null;
    if (this.resolving.has(name)) return null;
    // An unchanged declaration (the incremental parser's same node) that reported nothing, read
    // with the same default ephemeral range and the same profile, stands for the same as before:
    // the same symbol object, so that the firewalls kept from the last build need not be
    // pointed at a new one (issue 12).
    const reusable = !!this.cache && this.isRoot;
    let inputs = '';
    if (reusable) {
      inputs = `${this.path}\u0000${this.defaultEphemeral.bounds.join(',')}\u0000${this.defaultEphemeralSource}`;
      const profile = decl.ephemeral?.kind === 'name' ? decl.ephemeral.name.text : undefined;
      // What the name is declared as too: a firewall or host declared later under a built-in
      // profile's name has no symbol yet, and makes the profile an error (resolveName).
      if (profile) {
        inputs += `\u0000${this.decls.get(profile)?.kind ?? ''}|${symbolValue(this.symbols.get(profile) ?? builtinSymbol(profile))}`;
      }
    }
    const kept = reusable ? this.cache!.endpoint(decl, inputs) : undefined;
    if (kept) {
      for (const ref of kept.references) {
        ref.symbol = this.symbols.get(ref.name) ?? builtinSymbol(ref.name);
        this.references.push(ref);
      }
      this.symbols.set(name, kept.symbol);
      this.endpointCache.set(name, kept.symbol);
      return kept.symbol;
    }
    const reported = this.diagnostics.length;
    const referenced = this.references.length;
    this.resolving.add(name);
    let addresses = AddrSet.EMPTY;
    const texts: string[] = [];
    const lits = decl.kind === 'host' ? (decl.address ? [decl.address] : []) : decl.prefixes;
    for (const lit of lits) {
      if (!lit) continue;
      const set = this.address(lit, decl.kind === 'host' ? 'address' : 'prefix');
      texts.push(lit.text);
      if (set) addresses = addresses.union(set);
    }
    let ephemeral = this.defaultEphemeral;
    let ephemeralSource = this.defaultEphemeralSource;
    if (decl.ephemeral) {
      const r = this.ephemeralRef(decl.ephemeral);
      if (r) {
        ephemeral = r.ports;
        ephemeralSource = r.label;
      }
    }
    const sym: EndpointSymbol = {
      kind: decl.kind,
      name,
      addresses,
      texts,
      ephemeral,
      ephemeralSource,
      origin: { file: this.path, span: decl.span, nameSpan: decl.name.span, node: decl },
    };
    this.symbols.set(name, sym);
    this.endpointCache.set(name, sym);
    this.resolving.delete(name);
    if (reusable && this.diagnostics.length === reported) {
      this.cache!.setEndpoint(decl, { inputs, symbol: sym, references: this.references.since(referenced) });
    }
    return sym;
  }

  private ephemeralRef(ref: EphemeralRef): { ports: PortSet; label: string } | undefined {
    if (ref.kind === 'range') {
      const ports = this.checkRange(ref.low, ref.high);
      return ports ? { ports, label: `${ref.low.value}-${ref.high.value}` } : undefined;
    }
    const sym = this.resolveName(ref.name, 'profile');
    if (sym?.kind !== 'profile') return undefined;
    return { ports: sym.ports, label: sym.name };
  }

  /** Resolves an endpoint reference; undefined when it has errors. */
  endpoint(ref: EndpointRef | undefined): ResolvedEndpoint | undefined {
    if (!ref) return undefined;
    switch (ref.kind) {
      case 'any':
        return { addresses: AddrSet.ALL, ephemeral: this.defaultEphemeral, label: 'any' };
      case 'address': {
        const set = this.address(ref, 'prefix');
        return set ? { addresses: set, ephemeral: this.defaultEphemeral, label: ref.text } : undefined;
      }
      case 'name': {
        const sym = this.resolveName(ref.name, 'endpoint');
        if (!sym || (sym.kind !== 'host' && sym.kind !== 'network')) return undefined;
        return { addresses: sym.addresses, ephemeral: sym.ephemeral, label: sym.name, symbol: sym };
      }
    }
  }

  // ---- ports -------------------------------------------------------------------------

  private checkPort(n: { value: number; text: string; span: Span }): number | undefined {
    if (!Number.isFinite(n.value) || n.value < 0 || n.value > 65535 || !/^\d+$/.test(n.text)) {
      this.report(diag('invalid-port', n.span, `port \`${n.text}\` is outside 0-65535`));
      return undefined;
    }
    return n.value;
  }

  private checkRange(
    low: { value: number; text: string; span: Span },
    high: { value: number; text: string; span: Span },
  ): PortSet | undefined {
    const lo = this.checkPort(low);
    const hi = this.checkPort(high);
    if (lo === undefined || hi === undefined) return undefined;
    if (lo > hi) {
      this.report(
        diag(
          'invalid-port',
          { start: low.span.start, end: high.span.end },
          `range \`${lo}-${hi}\` is empty: the low port must not be above the high port`,
          {
            fixes: [
              {
                title: `Swap to \`${hi}-${lo}\``,
                edits: [{ span: { start: low.span.start, end: high.span.end }, newText: `${hi}-${lo}` }],
                safe: true,
              },
            ],
          },
        ),
      );
      return undefined;
    }
    return PortSet.range(lo, hi);
  }

  /**
   * Resolves a port spec. `proto` is the protocol it is used with (a service of another
   * protocol is an error), `ephemeral` what `ephemeral` means on this side.
   */
  private ports(spec: PortSpec, proto: Proto | undefined, ephemeral: PortSet | undefined, depth = 0): PortSet | undefined {
    switch (spec.kind) {
      case 'number': {
        const p = this.checkPort(spec.value);
        return p === undefined ? undefined : PortSet.range(p, p);
      }
      case 'range':
        return this.checkRange(spec.low, spec.high);
      case 'ephemeral':
        if (!ephemeral) {
          this.report(diag('invalid-port', spec.span, '`ephemeral` has no meaning here: it names the ephemeral range of an endpoint'));
          return undefined;
        }
        return ephemeral;
      case 'service': {
        // `port ephmeral` is a misspelt keyword more likely than a service.
        const sym = this.resolveName(spec.name, 'service', PORT_KEYWORDS);
        if (sym?.kind !== 'service') return undefined;
        const svcPorts = this.checkService(sym.name) ?? sym.ports;
        if (proto && proto !== 'all' && sym.proto !== proto && depth === 0) {
          this.report(diag('invalid-port', spec.span, `service \`${sym.name}\` is ${sym.proto}, but this is a ${proto} rule`));
          return undefined;
        }
        return svcPorts;
      }
      case 'list': {
        let set = PortSet.EMPTY;
        let ok = true;
        for (const item of spec.items) {
          if (!item) continue;
          const s = this.ports(item, proto, ephemeral, depth);
          if (s) set = set.union(s);
          else ok = false;
        }
        return ok ? set : undefined;
      }
    }
  }

  private readonly servicesChecked = new Map<string, PortSet | undefined>();

  /** Resolves a declared service's ports (once); returns undefined for built-ins/unknown. */
  private checkService(name: string): PortSet | undefined {
    if (this.servicesChecked.has(name)) return this.servicesChecked.get(name);
    const decl = this.decls.get(name);
    const sym = this.symbols.get(name);
    if (!decl || decl.kind !== 'service' || sym?.kind !== 'service') return undefined;
    this.servicesChecked.set(name, undefined); // cycle guard
    let ports: PortSet | undefined = PortSet.EMPTY;
    const proto = decl.proto?.value;
    if (proto === 'tcp' || proto === 'udp') {
      if (!decl.ports) {
        this.report(
          diag('invalid-port', decl.span, `service \`${name}\` needs its ${proto} port(s), e.g. \`service ${name} ${proto} 8080\``),
        );
        ports = undefined;
      } else ports = this.ports(decl.ports, proto, undefined, 0);
    } else if (decl.ports) {
      this.report(diag('invalid-port', decl.ports.span, `a ${proto ?? 'protocol'} service has no ports`));
      ports = undefined;
    } else ports = PortSet.ALL;
    if (ports) sym.ports = ports;
    this.servicesChecked.set(name, ports);
    return ports;
  }

  // ---- firewalls ---------------------------------------------------------------------

  /** firewall() through the cache: the same node with the same inputs gives the same firewall. */
  private cachedFirewall(s: FirewallDecl): Firewall | undefined {
    const cache = this.cache;
    if (!cache || !this.isRoot || !s.name?.text) return this.firewall(s);
    const start = s.span.start;
    const inside: number[] = [];
    for (let i = firstPast(this.syntaxErrors, start); i < this.syntaxErrors.length && this.syntaxErrors[i]! <= s.span.end; i++) {
      inside.push(this.syntaxErrors[i]! - start);
    }
    const errors = inside.join(',');
    const first = this.decls.get(s.name.text) === s;
    const defaultEphemeral = this.defaultEphemeral.bounds.join(',');
    const hit = cache.get(s);
    if (hit) {
      const i = hit.inputs;
      let same =
        i.path === this.path &&
        i.errors === errors &&
        i.first === first &&
        i.defaultEphemeral === defaultEphemeral &&
        (i.allNames === undefined || i.allNames === (this.namesNow().all ??= this.allNames()));
      if (same) {
        for (const [n, v] of i.names) {
          if (this.nameValue(n) !== v) {
            same = false;
            break;
          }
        }
      }
      if (same) {
        cache.hits++;
        cache.set(s, hit);
        return this.reuseFirewall(s, hit, hit.environment === this.firewallEnvironment());
      }
    }
    cache.misses++;
    const inputs: FirewallInputs = { path: this.path, names: new Map(), defaultEphemeral, first, errors };
    const d0 = this.diagnostics.length;
    const r0 = this.references.length;
    this.recording = inputs;
    let fw: Firewall | undefined;
    try {
      fw = this.firewall(s);
    } finally {
      this.recording = undefined;
    }
    if (fw) {
      cache.set(s, {
        inputs,
        environment: this.firewallEnvironment(),
        fw,
        diagnostics: this.diagnostics.slice(d0).map((d) => shiftDiagnostic(d, -start)),
        references: this.references.since(r0),
      });
    }
    return fw;
  }

  /**
   * A firewall from the cache, its symbols the current ones: the same object when what is set
   * on it afterwards is the same too (so what the engine and the analyses keep per firewall
   * object stays valid), else a new object with the kept rules. Security groups are always new
   * (their peers are other firewalls).
   */
  private reuseFirewall(s: FirewallDecl, e: FirewallEntry, sameEnvironment: boolean): Firewall {
    const start = s.span.start;
    const current = new Map<string, ModelSymbol | undefined>();
    const now = (name: string): ModelSymbol | undefined => {
      if (!current.has(name)) current.set(name, this.symbols.get(name) ?? this.lookup(name));
      return current.get(name);
    };
    let fw: Firewall;
    if (sameEnvironment && e.fw.platform !== 'aws-sg') {
      fw = e.fw;
      fw.order = this.state.order.n++;
    } else {
      fw = { ...e.fw, order: this.state.order.n++ };
      delete fw.securityGroups;
      delete fw.ephemeralRanges;
      delete fw.nats;
      e.fw = fw;
      e.environment = this.firewallEnvironment();
    }
    if (this.decls.get(s.name.text) === s) {
      this.symbols.set(s.name.text, {
        kind: 'firewall',
        name: s.name.text,
        firewall: fw,
        origin: { file: this.path, span: s.span, nameSpan: s.name.span, node: s },
      });
    }
    // Its rules and references point at the symbols of the build that placed it last: pointed
    // again only when some name stands for another symbol object now (hosts and networks whose
    // declaration did not change keep theirs: endpointSymbol).
    let stale = !e.pointsAt;
    if (e.pointsAt) {
      for (const [name, sym] of e.pointsAt) {
        if (now(name) !== sym) {
          stale = true;
          break;
        }
      }
    }
    const refs = e.references;
    if (stale) {
      const repoint = (ep: ResolvedEndpoint): void => {
        if (!ep.symbol) return;
        const sym = now(ep.symbol.name);
        if (sym !== ep.symbol && (sym?.kind === 'host' || sym?.kind === 'network')) ep.symbol = sym;
      };
      const rules = fw.rules;
      for (let i = 0; i < rules.length; i++) {
        repoint(rules[i]!.from);
        repoint(rules[i]!.to);
      }
      for (let i = 0; i < refs.length; i++) {
        const ref = refs[i]!;
        if (ref.symbol && ref.symbol.kind !== 'firewall') ref.symbol = now(ref.name);
      }
      // Every name looked at above, with what it stood for.
      e.pointsAt = current;
    }
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      // Firewall symbols are made anew by every build.
      if (ref.symbol?.kind === 'firewall') ref.symbol = this.symbols.get(ref.name);
    }
    this.references.pushAll(refs);
    if (e.placed?.base !== start) e.placed = { base: start, diagnostics: e.diagnostics.map((d) => shiftDiagnostic(d, start)) };
    for (const d of e.placed.diagnostics) this.report(d);
    return fw;
  }

  private firewall(s: FirewallDecl): Firewall | undefined {
    if (!s.name?.text) return undefined;
    let valid = true;
    let inside = AddrSet.EMPTY;
    const labels: string[] = [];
    if (!s.protectsKeyword && s.protects.length === 0) {
      this.report(
        diag(
          'syntax',
          s.name.span,
          `firewall \`${s.name.text}\` needs \`protects\`: the inside it guards, from whose side \`inbound\` and \`outbound\` are meant`,
        ),
      );
      valid = false;
    }
    const subnets: AddrSet[] = [];
    for (const p of s.protects) {
      const ep = this.endpoint(p);
      if (!ep) {
        valid = false;
        continue;
      }
      inside = inside.union(ep.addresses);
      labels.push(ep.label);
      subnets.push(...subnetsOf(ep));
    }
    const kind = s.mode?.value ?? 'stateless';
    const platform = kind === 'aws-nacl' || kind === 'aws-sg' ? kind : undefined;
    const fw: Firewall = {
      name: s.name.text,
      mode: kind === 'aws-sg' || kind === 'stateful' ? 'stateful' : 'stateless',
      platform,
      inside,
      insides: platform === 'aws-nacl' ? subnets : [inside],
      insideLabel: labels.join(', '),
      defaultAction: (s.defaultAction?.value ?? 'deny') as Action,
      rules: [],
      node: s,
      file: this.path,
      order: this.state.order.n++,
      // A header the parser had to recover (a misspelt kind read as `stateful`, say) is not
      // analysed nor simulated as if it were right (spec §8.1 rule 5).
      valid: valid && !!s.mode && !s.recovered && !this.headerHasErrors(s),
    };
    // Register now so `via` can find it (its declaration reference is linked at the end of run()).
    if (this.decls.get(s.name.text) === s) {
      this.symbols.set(s.name.text, {
        kind: 'firewall',
        name: s.name.text,
        firewall: fw,
        origin: { file: this.path, span: s.span, nameSpan: s.name.span, node: s },
      });
    }
    const rules = s.rules.filter((r): r is RuleNode => !!r && !!r.direction);
    rules.forEach((node, index) => {
      const r = this.rule(node, index);
      // A rule the parser had to recover is half-written: it takes part in nothing until it
      // is whole again. The parser marks it; errors it cannot attribute (unknown characters,
      // junk after the rule) lie after its first token and before the next rule.
      const next = rules[index + 1]?.span.start;
      const errors =
        next === undefined
          ? errorIn(this.syntaxErrors, node.span.start, s.span.end)
          : errorIn(this.syntaxErrors, node.span.start, next, true);
      if (node.recovered || errors) r.valid = false;
      fw.rules.push(r);
    });
    this.checkNumbering(fw);
    for (const d of platformDiagnostics(fw)) this.report(d);
    return fw;
  }

  /** A syntax error in the header: after `firewall`, up to its `{` (or its first rule). */
  private headerHasErrors(s: FirewallDecl): boolean {
    const end = s.body?.start ?? s.rules[0]?.span.start ?? s.span.end;
    return errorIn(this.syntaxErrors, s.span.start, end);
  }

  private rule(node: RuleNode, index: number): ResolvedRule {
    let valid = !!node.action && !!node.proto;
    const proto: Proto = node.proto?.value ?? 'all';
    const from = node.from?.endpoint ? this.endpoint(node.from.endpoint) : anyEndpoint(this.defaultEphemeral);
    const to = node.to?.endpoint ? this.endpoint(node.to.endpoint) : anyEndpoint(this.defaultEphemeral);
    if (!from || !to) valid = false;
    const side = (ep: typeof node.from, resolved: ResolvedEndpoint | undefined): PortSet => {
      if (!ep?.ports) return PortSet.ALL;
      // A rule whose protocol is missing (recovered) is already a syntax error: `all` is only
      // the stand-in, so its ports are not judged against it (§8.1 rule 5).
      if (!node.proto) return PortSet.ALL;
      if (proto !== 'tcp' && proto !== 'udp') {
        this.report(
          diag(
            'invalid-port',
            { start: ep.portKeyword?.start ?? ep.ports.span.start, end: ep.ports.span.end },
            `\`port\` only applies to tcp and udp; an \`${proto}\` rule has no ports`,
            {
              fixes: [
                {
                  title: 'Remove the port',
                  edits: [{ span: { start: ep.portKeyword?.start ?? ep.ports.span.start, end: ep.ports.span.end }, newText: '' }],
                  safe: false,
                },
              ],
            },
          ),
        );
        valid = false;
        return PortSet.ALL;
      }
      const p = this.ports(ep.ports, proto, resolved?.ephemeral ?? this.defaultEphemeral);
      if (!p) {
        valid = false;
        return PortSet.EMPTY;
      }
      return p;
    };
    const sport = side(node.from, from);
    const dport = side(node.to, to);
    return {
      index,
      number: node.number ? node.number.value : undefined,
      direction: node.direction.value,
      action: node.action?.value ?? 'deny',
      proto,
      from: from ?? anyEndpoint(this.defaultEphemeral, AddrSet.EMPTY),
      to: to ?? anyEndpoint(this.defaultEphemeral, AddrSet.EMPTY),
      sport,
      dport,
      // Spec §4: any spelling of every port (`0-65535`, a service of every port) is no `port`.
      sportGiven: !!node.from?.ports && (proto === 'tcp' || proto === 'udp') && !sport.isAll(),
      dportGiven: !!node.to?.ports && (proto === 'tcp' || proto === 'udp') && !dport.isAll(),
      node,
      file: this.path,
      valid,
    };
  }

  private checkNumbering(fw: Firewall): void {
    const numbered = fw.rules.filter((r) => r.number !== undefined);
    if (numbered.length > 0 && numbered.length < fw.rules.length) {
      const unnumbered = fw.rules.filter((r) => r.number === undefined);
      for (const r of unnumbered) {
        this.report(
          diag(
            'rule-numbering',
            r.node.direction.span,
            `this rule has no number, but other rules of \`${fw.name}\` are numbered: number every rule or none`,
          ),
        );
      }
    }
    const seen: Record<string, Map<number, ResolvedRule>> = { inbound: new Map(), outbound: new Map() };
    for (const r of numbered) {
      const n = r.number!;
      const span = r.node.number!.span;
      if (!Number.isInteger(n) || n < 1 || n > 32766) {
        this.report(diag('rule-numbering', span, `rule number ${r.node.number!.text} is outside 1-32766`));
        continue;
      }
      const prev = seen[r.direction]!.get(n);
      if (prev) {
        this.report(
          diag('rule-numbering', span, `${r.direction} rule ${n} is numbered twice in \`${fw.name}\``, {
            related: [
              {
                file: prev.file === this.path ? undefined : prev.file,
                span: prev.node.span,
                message: `the first ${r.direction} rule ${n}`,
              },
            ],
          }),
        );
      } else seen[r.direction]!.set(n, r);
    }
  }

  // ---- flows -------------------------------------------------------------------------

  /** Resolves flows written after a resolved file (resolveFlowText), as run() would at its end. */
  flowsAfter(statements: FlowDecl[], defaultEphemeral: PortSet): void {
    this.defaultEphemeral = defaultEphemeral;
    for (const s of statements) this.flow(s);
  }

  private flow(s: FlowDecl): void {
    const client = this.endpoint(s.client);
    const server = this.endpoint(s.server);
    let ok = !!client && !!server && !!s.target;
    let clientPorts = client?.ephemeral ?? this.defaultEphemeral;
    if (s.clientPorts) {
      const p = this.ports(s.clientPorts, undefined, client?.ephemeral ?? this.defaultEphemeral);
      if (p) clientPorts = p;
      else ok = false;
    }
    let proto: Flow['proto'] = 'tcp';
    let serverPorts = PortSet.ALL;
    const t = s.target;
    if (t?.kind === 'service') {
      const sym = this.resolveName(t.name, 'service');
      if (sym?.kind === 'service') {
        const ports = this.checkService(sym.name) ?? sym.ports;
        if (sym.proto === 'all') {
          this.report(diag('invalid-port', t.span, `a flow needs a tcp, udp or icmp service; \`${sym.name}\` is \`all\``));
          ok = false;
        } else {
          proto = sym.proto;
          serverPorts = proto === 'icmp' ? PortSet.ALL : ports;
          if (serverPorts.isEmpty()) ok = false;
        }
      } else ok = false;
    } else if (t?.kind === 'proto') {
      proto = t.proto.value;
      if (proto === 'icmp') {
        if (t.port) {
          this.report(diag('invalid-port', t.port.span, 'an icmp flow has no port'));
          ok = false;
        }
      } else if (!t.port) {
        this.report(diag('invalid-port', t.span, `a ${proto} flow needs the server's port, e.g. \`${proto} 8080\``));
        ok = false;
      } else {
        const p = this.checkPort(t.port);
        if (p === undefined) ok = false;
        else serverPorts = PortSet.range(p, p);
      }
    }
    if (proto === 'icmp' && s.clientPorts) {
      this.report(diag('invalid-port', s.clientPorts.span, 'an icmp flow has no client port'));
      ok = false;
    }
    let via: Firewall[] | undefined;
    let hops: ViaHop[] | undefined;
    let nat: NatSymbol | undefined;
    if (s.via.length > 0) {
      via = [];
      hops = [];
      for (const n of s.via) {
        if (!n) continue;
        // A `via` name is a firewall or a NAT gateway (spec §6).
        const named = this.symbols.get(n.text);
        if (named?.kind === 'nat') {
          this.ref(n, named);
          if (named.address.isEmpty()) ok = false;
          hops.push({ kind: 'nat', nat: named, name: n });
          nat ??= named;
          continue;
        }
        const sym = this.resolveName(n, 'firewall');
        if (sym?.kind === 'firewall') {
          via.push(sym.firewall);
          hops.push({ kind: 'firewall', firewall: sym.firewall, name: n });
        } else ok = false;
      }
    }
    if (!ok || !client || !server) return;
    const clientIsNetwork =
      s.client?.kind === 'any' ||
      (client.symbol ? client.symbol.kind === 'network' : client.addresses.size() > 1n) ||
      client.addresses.size() > 1n;
    this.flows.push({
      node: s,
      file: this.path,
      text: flowStatementText(this.text, s),
      client,
      clientPorts: proto === 'icmp' ? PortSet.ALL : clientPorts,
      server,
      proto,
      serverPorts,
      via,
      ...(nat ? { hops, nat } : {}),
      expect: s.expect?.value,
      clientIsNetwork,
    });
  }
}

/** How deep includes may be nested: a file, a file it includes, and so on, 100 files below the first. */
export const MAX_INCLUDE_DEPTH = 100;

/** Keywords that may stand where a port's service name does. */
const PORT_KEYWORDS = ['ephemeral'];

/**
 * Where the parse's syntax errors start, in order: the reported ones' and those past the
 * diagnostics' limit (`unreported`), so that a rule with an error in it is half-read however
 * many errors came before it.
 */
function syntaxErrorOffsets(parsed: ParseResult): number[] {
  const out = parsed.diagnostics.filter((d) => d.code === 'syntax').map((d) => d.span.start);
  if (parsed.unreported) for (const x of parsed.unreported) out.push(x);
  for (let i = 1; i < out.length; i++) {
    if (out[i]! < out[i - 1]!) return out.sort((a, b) => a - b);
  }
  return out;
}

/** The index of the first offset in the sorted `offsets` past `x`. */
function firstPast(offsets: readonly number[], x: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Whether a syntax error starts in (from, to]; with `before`, in (from, to) instead. */
function errorIn(offsets: readonly number[], from: number, to: number, before = false): boolean {
  const i = firstPast(offsets, from);
  return i < offsets.length && (before ? offsets[i]! < to : offsets[i]! <= to);
}

function anyEndpoint(ephemeral: PortSet, addresses: AddrSet = AddrSet.ALL): ResolvedEndpoint {
  return { addresses, ephemeral, label: 'any' };
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

/** Moves every span of freshly parsed statements, comments and diagnostics by `by` (each span object once). */
function moveSpans(roots: unknown[], by: number): void {
  for (const s of collectSpans(roots)) {
    s.start += by;
    s.end += by;
  }
}

/** What resolveFlowText added to a model it extended (without building the whole text again). */
export interface AddedFlows {
  statements: FlowDecl[];
  /** The diagnostics of their parse and resolution. */
  diagnostics: Diagnostic[];
  flows: Flow[];
}

/**
 * The model of the root file with `line` (one flow statement) appended after `prefix` (its text
 * and a line break), made from `model` without parsing or resolving the file again: the line is
 * parsed alone (a statement starts where a line begins with its keyword, so the file's
 * statements are the same), and its flow resolved against the file's names. Undefined when that
 * could differ from building the whole text: another ephemeral setting, or includes that the host
 * reads or refuses differently now.
 */
function withFlowLine(
  model: Model,
  prefix: string,
  line: string,
  host: FileHost,
  options: BuildOptions,
): { model: Model; added: AddedFlows } | undefined {
  const built = builtWith.get(model);
  if (!built || built.defaultEphemeral !== (options.defaultEphemeral ?? '')) return undefined;
  // Includes (and what they include) read as they were, or refused as they were: else the whole text is built again.
  for (const [target, was] of built.asked) {
    if ((host.refuse?.(target) || undefined) !== was.refused) return undefined;
    if (was.read && host.readFile(target) !== was.text) return undefined;
  }
  // A line of control characters is not "not a text file" in a text file: the whole is parsed then.
  if (unreadableReason(line)) return undefined;
  const parsed = parse(line);
  const statements = parsed.ast.statements.filter((s): s is Statement => !!s);
  if (statements.some((s) => s.kind !== 'flow')) return undefined;
  moveSpans([statements, parsed.ast.comments, parsed.diagnostics], prefix.length);
  const text = prefix + line;
  const state: BuildState = { host, done: new Map(), inProgress: [model.root], order: { n: 0 }, includes: [], unread: new Map() };
  const r = new FileResolver(model.root, text, parsed.ast, state, true, syntaxErrorOffsets(parsed), model.symbols);
  r.flowsAfter(statements as FlowDecl[], model.defaultEphemeral);
  const extended: Model = {
    ...model,
    ast: { statements: [...model.ast.statements, ...statements], comments: [...model.ast.comments, ...parsed.ast.comments] },
    text,
    flows: [...model.flows, ...r.flows],
    diagnostics: [...model.diagnostics, ...parsed.diagnostics, ...r.diagnostics],
    references: [...model.references, ...r.references.toArray()],
  };
  builtWith.set(extended, built);
  return {
    model: extended,
    added: { statements: statements as FlowDecl[], diagnostics: [...parsed.diagnostics, ...r.diagnostics], flows: r.flows },
  };
}

/** Resolves a flow written without the keyword against an existing model (for `--flow`). */
export function resolveFlowText(
  model: Model,
  flowTextInput: string,
  host: FileHost = NO_HOST,
  options: BuildOptions = {},
): { flow?: Flow; model: Model; diagnostics: Diagnostic[]; added?: AddedFlows } {
  // The root file with the extra flow appended, so names resolve exactly as in the file: from
  // the file's model (a 1 MB file was parsed and resolved again for each flow typed).
  const prefix = model.text + '\n';
  const line = `flow ${flowTextInput.replace(/[\r\n]+/g, ' ')}\n`;
  const extended = withFlowLine(model, prefix, line, host, options);
  const extra = extended?.model ?? buildModel(model.root, prefix + line, host, { defaultEphemeral: options.defaultEphemeral });
  const offset = prefix.length + 'flow '.length;
  const mine = extra.diagnostics
    .filter((d) => !d.file && d.span.start >= prefix.length && d.severity === 'error')
    .map((d) => ({ ...d, span: { start: Math.max(0, d.span.start - offset), end: Math.max(0, d.span.end - offset) } }));
  const flow = extra.flows.find((f) => f.node.span.start >= prefix.length);
  if (!flow && mine.length === 0) {
    return {
      model: extra,
      diagnostics: [diag('syntax', { start: 0, end: flowTextInput.length }, 'expected a flow like `bob -> catogram https`')],
    };
  }
  if (flow) flow.adHoc = true;
  return { flow: mine.length === 0 ? flow : undefined, model: extra, diagnostics: mine, ...(extended ? { added: extended.added } : {}) };
}
