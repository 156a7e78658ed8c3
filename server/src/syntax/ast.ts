// The typed syntax tree of a `.fw` file. Every node knows its source span.
// After a syntax error the parser recovers, so any optional child may be missing:
// consumers must be defensive (a name with text '' was inserted by recovery).
// A node the parser had to recover (an error inside it, a keyword read through a typo) has
// `recovered: true`; spec §8.1 rule 5 keeps such a statement out of analyses and simulations.

import type { Span } from '../core/diagnostic';

export interface Name {
  text: string;
  span: Span;
}

export type Proto = 'tcp' | 'udp' | 'icmp' | 'all';
export type Direction = 'inbound' | 'outbound';
export type Action = 'allow' | 'deny';
/** Whether a firewall tracks connections. */
export type Mode = 'stateless' | 'stateful';
/** A platform a firewall may stand for (spec §10): it fixes the mode and what rules can say. */
export type Platform = 'aws-nacl' | 'aws-sg';
/** The KIND written in a firewall header: a generic mode or a platform. */
export type FirewallKind = Mode | Platform;

export interface Word<T extends string> {
  value: T;
  span: Span;
}

export interface NumberLit {
  value: number;
  /** The digits as written (for error messages on huge numbers). */
  text: string;
  span: Span;
}

/** An address or prefix as written; validated by the model, not the parser. */
export interface AddressLit {
  kind: 'address';
  text: string;
  span: Span;
}

export type EndpointRef = { kind: 'name'; name: Name; span: Span } | { kind: 'any'; span: Span } | AddressLit;

export type PortSpec =
  | { kind: 'number'; value: NumberLit; span: Span }
  | { kind: 'range'; low: NumberLit; high: NumberLit; span: Span }
  | { kind: 'service'; name: Name; span: Span }
  | { kind: 'ephemeral'; span: Span }
  | { kind: 'list'; items: PortSpec[]; span: Span };

export type EphemeralRef = { kind: 'name'; name: Name; span: Span } | { kind: 'range'; low: NumberLit; high: NumberLit; span: Span };

export interface HostDecl {
  kind: 'host';
  span: Span;
  recovered?: true;
  keyword: Span;
  name: Name;
  address?: AddressLit;
  ephemeral?: EphemeralRef;
}

export interface NetworkDecl {
  kind: 'network';
  span: Span;
  recovered?: true;
  keyword: Span;
  name: Name;
  prefixes: AddressLit[];
  ephemeral?: EphemeralRef;
}

export interface ServiceDecl {
  kind: 'service';
  span: Span;
  recovered?: true;
  keyword: Span;
  name: Name;
  proto?: Word<Proto>;
  ports?: PortSpec;
}

export interface EphemeralDecl {
  kind: 'ephemeral';
  span: Span;
  recovered?: true;
  keyword: Span;
  name: Name;
  low?: NumberLit;
  high?: NumberLit;
}

export interface DefaultEphemeralDecl {
  kind: 'default-ephemeral';
  span: Span;
  recovered?: true;
  keyword: Span;
  value?: EphemeralRef;
}

export interface IncludeDecl {
  kind: 'include';
  span: Span;
  recovered?: true;
  keyword: Span;
  /** The path without quotes; `span` of the string literal including quotes. */
  path?: { value: string; span: Span };
}

/** `nat NAME ADDRESS [ports LOW-HIGH]`: a source-NAT gateway (spec §3, §6.1). */
export interface NatDecl {
  kind: 'nat';
  span: Span;
  recovered?: true;
  keyword: Span;
  name: Name;
  address?: AddressLit;
  /** Span of the `ports` keyword, if written. */
  portsKeyword?: Span;
  low?: NumberLit;
  high?: NumberLit;
}

export interface Endpoint {
  /** `from` or `to` keyword span. */
  keyword: Span;
  endpoint?: EndpointRef;
  ports?: PortSpec;
  /** Span of `port` keyword when present. */
  portKeyword?: Span;
  span: Span;
}

export interface RuleNode {
  kind: 'rule';
  span: Span;
  recovered?: true;
  number?: NumberLit;
  direction: Word<Direction>;
  action?: Word<Action>;
  proto?: Word<Proto>;
  from?: Endpoint;
  to?: Endpoint;
}

export interface FirewallDecl {
  kind: 'firewall';
  span: Span;
  /**
   * The header (name, kind, `protects`, `default`, `{`) had to be recovered, or the body was
   * given up after too many errors (MAX_BODY_ERRORS); otherwise rules carry their own flag.
   */
  recovered?: true;
  keyword: Span;
  name: Name;
  mode?: Word<FirewallKind>;
  /** Span of the `protects` keyword, if written. */
  protectsKeyword?: Span;
  protects: EndpointRef[];
  defaultAction?: Word<Action>;
  /** Span from `{` to `}` (or to where the body ended after an error). */
  body?: Span;
  rules: RuleNode[];
}

export type FlowTarget =
  { kind: 'service'; name: Name; span: Span } | { kind: 'proto'; proto: Word<'tcp' | 'udp' | 'icmp'>; port?: NumberLit; span: Span };

export interface FlowDecl {
  kind: 'flow';
  span: Span;
  recovered?: true;
  keyword: Span;
  client?: EndpointRef;
  clientPorts?: PortSpec;
  server?: EndpointRef;
  target?: FlowTarget;
  via: Name[];
  expect?: Word<Action>;
}

export type Statement =
  HostDecl | NetworkDecl | ServiceDecl | EphemeralDecl | DefaultEphemeralDecl | IncludeDecl | NatDecl | FirewallDecl | FlowDecl;

export interface Comment {
  text: string;
  span: Span;
}

export interface FileAst {
  statements: Statement[];
  comments: Comment[];
}
