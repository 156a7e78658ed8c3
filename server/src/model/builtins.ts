// Built-in services and ephemeral profiles (spec §3).

import { PortSet } from '../core/intervals';
import type { Proto } from '../syntax/ast';

// Without a prototype: a name like `constructor` or `toString` is no built-in.
export const BUILTIN_SERVICES: Record<string, { proto: Proto; port: number }> = Object.assign(Object.create(null) as object, {
  http: { proto: 'tcp', port: 80 },
  https: { proto: 'tcp', port: 443 },
  ssh: { proto: 'tcp', port: 22 },
  dns: { proto: 'udp', port: 53 },
  smtp: { proto: 'tcp', port: 25 },
  ntp: { proto: 'udp', port: 123 },
  rdp: { proto: 'tcp', port: 3389 },
  postgres: { proto: 'tcp', port: 5432 },
  mysql: { proto: 'tcp', port: 3306 },
} satisfies Record<string, { proto: Proto; port: number }>);

export const BUILTIN_PROFILES: Record<string, [number, number]> = Object.assign(Object.create(null) as object, {
  linux: [32768, 60999],
  windows: [49152, 65535],
  macos: [49152, 65535],
  iana: [49152, 65535],
  wide: [1024, 65535],
} satisfies Record<string, [number, number]>);

export const WIDE = PortSet.range(1024, 65535);

/** The reserved words (spec §2), as the lexer knows them: one list, so no new keyword is missed. */
export { KEYWORDS } from '../syntax/tokens';
