// The resolved model: names looked up, addresses and ports as exact sets.
// Built from the AST of a file (and the files it includes) by resolve.ts.

import type { Diagnostic, Span } from '../core/diagnostic';
import type { AddrSet, PortSet } from '../core/intervals';
import type { Action, Direction, FileAst, FirewallDecl, FlowDecl, Mode, Name, Platform, Proto, RuleNode, Statement } from '../syntax/ast';

/**
 * The file a node belongs to: the path the model was given for the root file (a file system
 * path, or the URI of an unsaved document) or the resolved path of an included file.
 * Ask ./ownership.ts rather than comparing it by hand.
 */
export type FilePath = string;

/** Where a declaration lives. */
interface Origin {
  file: FilePath;
  span: Span;
  /** Span of the declared name. */
  nameSpan: Span;
  node?: Statement;
}

export interface EndpointSymbol {
  kind: 'host' | 'network';
  name: string;
  addresses: AddrSet;
  /** The prefixes as written. */
  texts: string[];
  ephemeral: PortSet;
  /** Where the ephemeral range came from, for explanations: `linux`, `32768-60999`, `default ephemeral wide`. */
  ephemeralSource: string;
  origin: Origin;
}

export interface ServiceSymbol {
  kind: 'service';
  name: string;
  proto: Proto;
  ports: PortSet;
  builtin: boolean;
  origin?: Origin;
}

export interface ProfileSymbol {
  kind: 'profile';
  name: string;
  ports: PortSet;
  builtin: boolean;
  origin?: Origin;
}

/** A source-NAT gateway (spec §3 `nat`, §6.1). */
export interface NatSymbol {
  kind: 'nat';
  name: string;
  /** The gateway's one address (empty when it did not resolve). */
  address: AddrSet;
  /** The address as written. */
  addressText: string;
  /** The source ports it rewrites connections to: its `ports`, else 1024-65535. */
  ports: PortSet;
  origin: Origin;
}

interface FirewallSymbol {
  kind: 'firewall';
  name: string;
  firewall: Firewall;
  origin: Origin;
}

export type ModelSymbol = EndpointSymbol | ServiceSymbol | ProfileSymbol | FirewallSymbol | NatSymbol;

/** A resolved endpoint reference: the addresses and the ephemeral range of that side. */
export interface ResolvedEndpoint {
  addresses: AddrSet;
  ephemeral: PortSet;
  /** A person's name for it: `catogram`, `any`, `10.0.1.0/24`. */
  label: string;
  symbol?: EndpointSymbol;
}

export interface ResolvedRule {
  /** Position in the firewall's rules, in file order. */
  index: number;
  number?: number;
  direction: Direction;
  action: Action;
  proto: Proto;
  from: ResolvedEndpoint;
  to: ResolvedEndpoint;
  /** Source/destination ports (every port when not written or not applicable). */
  sport: PortSet;
  dport: PortSet;
  /** Whether `port` was written on that side, naming less than every port (`port 0-65535` is no `port`, spec §4). */
  sportGiven: boolean;
  dportGiven: boolean;
  node: RuleNode;
  file: FilePath;
  /**
   * False when a name in the rule could not be resolved, or the parser had to recover inside
   * it; such a rule matches nothing and the analyses pass over it.
   */
  valid: boolean;
}

/** aws-sg firewalls that share members (spec §10), in declaration order. */
export interface SecurityGroupSet {
  members: readonly Firewall[];
  has: ReadonlySet<Firewall>;
}

export interface Firewall {
  name: string;
  /** Whether it tracks connections; a platform fixes it (aws-nacl stateless, aws-sg stateful). */
  mode: Mode;
  /** The platform its KIND names (spec §10), if any. */
  platform?: Platform;
  /** Everything it protects (the union of its insides). */
  inside: AddrSet;
  /**
   * Its insides for §5.1: an aws-nacl has one per `protects` prefix (each subnet); every other
   * kind has one, `inside` (an aws-sg's members each sit behind their own copy: engine/firewall.ts).
   */
  insides: AddrSet[];
  /**
   * For an aws-sg with peers: the aws-sg firewalls that protect some of its addresses, itself
   * among them (its peers are the others: `peersOf` in engine/firewall.ts). For such an address
   * they act as one group whose rules are the union of theirs (spec §10). One object for all the
   * groups of one inside (a thousand copies of a group share it, instead of a thousand lists of
   * 999). Set by resolve.
   */
  securityGroups?: SecurityGroupSet;
  insideLabel: string;
  defaultAction: Action;
  /** All rules, file order. */
  rules: ResolvedRule[];
  node: FirewallDecl;
  file: FilePath;
  /** Order of declaration across the root file and its includes. */
  order: number;
  /** False when the firewall has errors that make analysing it misleading. */
  valid: boolean;
  /**
   * The ephemeral ranges in use where the firewall is declared (spec §7): the built-in
   * profiles and every range the file (and its includes) declares or writes. Set by resolve.
   */
  ephemeralRanges?: PortSet[];
  /**
   * The NAT gateways in scope (spec §6.1): for the analyses, a gateway's `ports` are the
   * ephemeral range of its address. Set by resolve.
   */
  nats?: NatSymbol[];
}

export interface Flow {
  node: FlowDecl;
  file: FilePath;
  /** The flow as written without `flow` and `expect`, white space folded. */
  text: string;
  client: ResolvedEndpoint;
  clientPorts: PortSet;
  server: ResolvedEndpoint;
  proto: 'tcp' | 'udp' | 'icmp';
  serverPorts: PortSet;
  /** The firewalls `via` names, in order (NAT gateways left out: see `hops`). */
  via?: Firewall[];
  /** Set with `nat`: every name of `via`, firewalls and NAT gateways, in order, as written. */
  hops?: ViaHop[];
  /** The first NAT gateway `via` names: the flow goes in two legs (spec §6.1). */
  nat?: NatSymbol;
  expect?: Action;
  /** True when the client is a network (or a prefix / several addresses). */
  clientIsNetwork: boolean;
  /** A flow typed by the user (`--flow`, an input box), not written in the file. */
  adHoc?: boolean;
}

export type ViaHop = { kind: 'firewall'; firewall: Firewall; name: Name } | { kind: 'nat'; nat: NatSymbol; name: Name };

export interface Model {
  root: FilePath;
  ast: FileAst;
  text: string;
  symbols: Map<string, ModelSymbol>;
  firewalls: Firewall[];
  /** Flows of the root file only (includes bring no flows). */
  flows: Flow[];
  /** The root file's default ephemeral range (its `default ephemeral`, the editor's setting, or `wide`). */
  defaultEphemeral: PortSet;
  /** Every diagnostic of parsing and resolution, for the root file (and include errors). */
  diagnostics: Diagnostic[];
  /** References from name uses to symbols, for definition/references/rename. */
  references: NameReference[];
  /** Included files that were read, with their text. */
  includes: { path: FilePath; text: string }[];
  /** The ephemeral ranges in use (spec §7): built-in profiles, declared profiles, `ephemeral` clauses, defaults. */
  ephemeralRanges?: PortSet[];
}

export interface NameReference {
  name: string;
  file: FilePath;
  span: Span;
  symbol?: ModelSymbol;
  /** True for the declaration itself. */
  declaration: boolean;
}

/** How the core reads included files; the CLI and the server supply their own. */
export interface FileHost {
  /** Returns the text, or undefined when the file does not exist or cannot be read. */
  readFile(path: string): string | undefined;
  /** Resolves `relative` against the directory of `from`. */
  resolve(from: string, relative: string): string;
  /**
   * Why `path` may not be included, if it may not (the editor's: it is outside the workspace
   * folders). Asked before the file is read; a refused file is never read.
   */
  refuse?(path: string): string | undefined;
}
