import { describe, expect, it } from 'vitest';
import { formatAddrSet, formatAddress, parseAddress, prefixesOf } from '../../server/src/core/address';
import { Random } from '../fuzz/random';
import { AddrSet } from '../../server/src/core/intervals';

function set(text: string): AddrSet {
  const p = parseAddress(text);
  if (!p.ok) throw new Error(p.message);
  return p.set;
}

describe('addresses', () => {
  it('parses IPv4 addresses and prefixes', () => {
    expect(set('10.0.1.0/24').size()).toBe(256n);
    expect(set('0.0.0.0/0').equals(AddrSet.V4)).toBe(true);
    expect(formatAddress(set('198.51.100.23').min()!)).toBe('198.51.100.23');
  });

  it('parses IPv6 in its usual forms', () => {
    expect(set('::/0').equals(AddrSet.V6)).toBe(true);
    expect(formatAddress(set('2001:db8::1').min()!)).toBe('2001:db8::1');
    expect(formatAddress(set('2001:0db8:0000:0000:0000:0000:0000:0001').min()!)).toBe('2001:db8::1');
    expect(set('2001:db8::/32').size()).toBe(1n << 96n);
    expect(formatAddress(set('::ffff:1.2.3.4').min()!)).toBe('::ffff:102:304');
    expect(formatAddress(set('::').min()!)).toBe('::');
    expect(formatAddress(set('fe80::1').min()!)).toBe('fe80::1');
  });

  it('rejects bad literals with a clear message', () => {
    for (const bad of ['300.1.1.1', '10.0.1', '10.0.1.0/33', '2001:db8:::1', '1:2:3:4:5:6:7:8:9', 'gggg::1', '::/129']) {
      const p = parseAddress(bad);
      expect(p.ok, bad).toBe(false);
    }
  });

  it('names the network address when host bits are set', () => {
    const p = parseAddress('10.0.1.5/24');
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.networkText).toBe('10.0.1.0/24');
      expect(p.message).toContain('host bits');
    }
    const q = parseAddress('2001:db8::1/32');
    expect(!q.ok && q.networkText).toBe('2001:db8::/32');
  });

  it('rejects an IPv4 octet with a leading zero, which many tools read as octal (spec §2)', () => {
    const p = parseAddress('010.0.0.1');
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.message).toContain('leading zero');
      expect(p.message).toContain('octal (8)');
      expect(p.decimalText).toBe('10.0.0.1');
      expect(p.decimalSameAsOctal).toBe(false);
    }
    const q = parseAddress('10.0.01.0/24');
    expect(!q.ok && [q.decimalText, q.decimalSameAsOctal]).toEqual(['10.0.1.0/24', true]);
    const v6 = parseAddress('::ffff:192.168.001.010');
    expect(!v6.ok && v6.decimalText).toBe('::ffff:192.168.1.10');
    // `0` alone, and leading zeros in IPv6 groups, are fine.
    expect(parseAddress('10.0.0.0/8').ok).toBe(true);
    expect(parseAddress('2001:0db8::0001').ok).toBe(true);
  });

  it('formats sets as addresses, prefixes and ranges', () => {
    expect(formatAddrSet(AddrSet.ALL)).toBe('0.0.0.0/0,::/0');
    expect(formatAddrSet(set('10.0.1.0/24').union(set('10.0.2.7')))).toBe('10.0.1.0/24,10.0.2.7');
    const odd = AddrSet.range(set('10.0.0.1').min()!, set('10.0.0.254').min()!);
    expect(formatAddrSet(odd)).toBe('10.0.0.1-10.0.0.254');
    expect(formatAddrSet(AddrSet.EMPTY)).toBe('');
  });

  it('writes a range as its prefixes up to four of them, else as LOW-HIGH (random ranges, both families)', () => {
    // formatAddrSet stops counting prefixes past four; the reference counts them all.
    const r = Random.of(7, 0);
    const V6 = AddrSet.V6.min()!;
    for (let i = 0; i < 2000; i++) {
      const v6 = r.chance(0.5);
      const base = v6 ? V6 + (BigInt(r.int(0, 1 << 30)) << 96n) : 0n;
      const lo = base + BigInt(r.int(0, 1 << 24));
      const hi = lo + BigInt(r.chance(0.3) ? r.int(0, 16) : r.int(0, 1 << 20)) * (v6 ? BigInt(r.int(1, 1 << 20)) : 1n);
      const s = AddrSet.range(lo, hi);
      const all = prefixesOf(s);
      const expected = all.length <= 4 ? all.join(',') : `${formatAddress(lo)}-${formatAddress(hi)}`;
      expect(formatAddrSet(s), `${lo}-${hi}`).toBe(expected);
      expect(formatAddrSet(s)).toBe(expected);
    }
  });
});
