// Built-in services and profiles are looked up by name: a name that is a property of every
// JavaScript object (`constructor`, `toString`) is not one of them (it was read as a service
// whose protocol is "undefined").
import { describe, expect, it } from 'vitest';
import { check } from '../../server/src/analysis/analyze';

const codes = (text: string) => check('/t/builtins.fw', text).diagnostics.map((d) => `${d.code}: ${d.message}`);

describe('built-in names', () => {
  it('are only the services and profiles of spec §3', () => {
    const text = [
      'firewall f stateless protects 10.0.0.0/8 {',
      '  inbound allow tcp from any to any port constructor',
      '  inbound allow tcp from toString ephemeral to any port 80',
      '  outbound allow tcp from any port 80 to any port hasOwnProperty',
      '}',
      '',
    ].join('\n');
    const found = codes(text).filter((c) => c.startsWith('unknown-name') || c.startsWith('invalid-port'));
    expect(found).toEqual([
      expect.stringMatching(/^unknown-name: unknown service `constructor`/),
      expect.stringMatching(/^unknown-name: unknown host or network `toString`/),
      expect.stringMatching(/^unknown-name: unknown service `hasOwnProperty`/),
    ]);
  });

  it('still resolve https and linux', () => {
    const text = 'host web 10.0.0.5 ephemeral linux\nfirewall f stateless protects web {\n  inbound allow tcp to web port https\n}\n';
    expect(codes(text).filter((c) => c.startsWith('unknown-name'))).toEqual([]);
  });
});
