// IPv4/IPv6 literals <-> the engine's single address space (IPv4 at 0..2^32-1,
// IPv6 shifted up by 2^32, so one AddrSet holds both families without overlap).

import { AddrSet, V4_MAX, V4_SIZE, V6_MAX, V6_MIN } from './intervals';

type Family = 4 | 6;

type ParsedAddress =
  | { ok: true; family: Family; lo: bigint; hi: bigint; prefixLength: number; isPrefix: boolean; set: AddrSet }
  | {
      ok: false;
      message: string;
      /** The network address form, when only host bits were wrong. */
      networkText?: string;
      /** The same address with its IPv4 octets written without leading zeros (read as decimal). */
      decimalText?: string;
      /** Every zero-led octet means the same in octal and decimal (`01`..`07`): the decimal form changes nothing. */
      decimalSameAsOctal?: boolean;
    };

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(text: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  let head = text;
  let v4tail: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    v4tail = parseV4(text.slice(lastColon + 1));
    if (v4tail === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  let groups: string[];
  if (dbl >= 0) {
    const left = head.slice(0, dbl) === '' ? [] : head.slice(0, dbl).split(':');
    const right = head.slice(dbl + 2) === '' ? [] : head.slice(dbl + 2).split(':');
    const fill = 8 - left.length - right.length;
    if (fill < 1) return undefined;
    groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  } else {
    groups = head.split(':');
    if (groups.length !== 8) return undefined;
  }
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (v4tail !== undefined) v = (v & ~0xffffffffn) | v4tail;
  return v;
}

const parsed = new Map<string, ParsedAddress>();

/** Parses `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `v6/n`. Never throws. Memoised: files repeat their literals. */
export function parseAddress(text: string): ParsedAddress {
  let p = parsed.get(text);
  if (!p) {
    if (parsed.size > 50_000) parsed.clear();
    parsed.set(text, (p = parseAddressUncached(text)));
  }
  return p;
}

function parseAddressUncached(text: string): ParsedAddress {
  const zero = leadingZero(text);
  if (zero) return zero;
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const lenText = slash >= 0 ? text.slice(slash + 1) : undefined;
  const isV6 = addrText.includes(':');
  const family: Family = isV6 ? 6 : 4;
  const bits = isV6 ? 128 : 32;
  const raw = isV6 ? parseV6(addrText) : parseV4(addrText);
  if (raw === undefined) {
    return {
      ok: false,
      message: isV6
        ? `\`${addrText}\` is not a valid IPv6 address`
        : `\`${addrText}\` is not a valid IPv4 address (four numbers 0-255 separated by dots)`,
    };
  }
  let len = bits;
  if (lenText !== undefined) {
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) {
      return { ok: false, message: `\`/${lenText}\` is not a valid IPv${family} prefix length (0-${bits})` };
    }
    len = Number(lenText);
  }
  const hostBits = BigInt(bits - len);
  const hostMask = (1n << hostBits) - 1n;
  if ((raw & hostMask) !== 0n) {
    const net = raw & ~hostMask;
    const networkText = `${formatRaw(net, family)}/${len}`;
    return {
      ok: false,
      message: `\`${text}\` has host bits set: the network of this prefix is \`${networkText}\``,
      networkText,
    };
  }
  const base = isV6 ? V4_SIZE : 0n;
  const lo = base + raw;
  const hi = lo + hostMask;
  return { ok: true, family, lo, hi, prefixLength: len, isPrefix: lenText !== undefined, set: AddrSet.range(lo, hi) };
}

/**
 * Spec §2: an IPv4 octet with a leading zero is an error, as `inet_aton` and many tools read
 * `010` as octal 8 while others read decimal 10. Checked before anything else so the message
 * says why; `decimalText` is the decimal reading, when that reading is a valid address.
 */
function leadingZero(text: string): ParsedAddress | undefined {
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  // The IPv4 part: the whole literal, or the dotted tail of an IPv6 literal.
  const v4Start = addrText.includes(':') ? addrText.lastIndexOf(':') + 1 : 0;
  const v4 = addrText.slice(v4Start);
  if (!v4.includes('.')) return undefined;
  const octets = v4.split('.');
  const zeroLed = octets.filter((o) => /^0\d+$/.test(o));
  const bad = zeroLed[0];
  if (bad === undefined) return undefined;
  const same = zeroLed.every((o) => /^0+[0-7]$/.test(o));
  const decimal = octets.map((o) => (/^\d+$/.test(o) ? String(Number(o)) : o)).join('.');
  const decimalText = addrText.slice(0, v4Start) + decimal + (slash >= 0 ? text.slice(slash) : '');
  const octal = /^[0-7]+$/.test(bad) ? parseInt(bad, 8) : undefined;
  const readings =
    octal !== undefined && octal !== Number(bad)
      ? `many tools read \`${bad}\` as octal (${octal}), others as decimal (${Number(bad)})`
      : 'many tools read a number with a leading zero as octal';
  const message = `\`${text}\` is ambiguous: the octet \`${bad}\` has a leading zero, and ${readings}; write it without the leading zero`;
  const reparsed = parseAddressUncached(decimalText);
  return reparsed.ok || reparsed.networkText ? { ok: false, message, decimalText, decimalSameAsOctal: same } : { ok: false, message };
}

function formatRaw(raw: bigint, family: Family): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((raw >> s) & 255n).toString()).join('.');
  }
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((raw >> s) & 0xffffn));
  // Longest run of zeros (length >= 2) becomes `::` (RFC 5952).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function familyOf(addr: bigint): Family {
  return addr <= V4_MAX ? 4 : 6;
}

/** One address of the engine's space as text. */
export function formatAddress(addr: bigint): string {
  return familyOf(addr) === 4 ? formatRaw(addr, 4) : formatRaw(addr - V4_SIZE, 6);
}

/**
 * Splits [lo, hi] (one family) into the fewest aligned prefixes, ascending; only the first
 * `limit` + 1 of them when there are more.
 */
function toPrefixes(lo: bigint, hi: bigint, family: Family, limit = Infinity): string[] {
  const base = family === 4 ? 0n : V4_SIZE;
  const bits = family === 4 ? 32 : 128;
  const out: string[] = [];
  let cur = lo - base;
  const end = hi - base;
  while (cur <= end && out.length <= limit) {
    let size = 0;
    while (size < bits) {
      const next = size + 1;
      const block = 1n << BigInt(next);
      if ((cur & (block - 1n)) !== 0n || cur + block - 1n > end) break;
      size = next;
    }
    out.push(size === 0 ? formatRaw(cur, family) : `${formatRaw(cur, family)}/${bits - size}`);
    cur += 1n << BigInt(size);
  }
  return out;
}

/**
 * An address set as text: addresses, prefixes, or `LOW-HIGH` ranges where a range would
 * need more than four prefixes. Comma-separated, ascending; '' when empty.
 */
export function formatAddrSet(set: AddrSet): string {
  let text = formatted.get(set);
  if (text !== undefined) return text;
  const parts: string[] = [];
  for (const [lo, hi] of set.ranges()) {
    for (const [flo, fhi, fam] of splitFamilies(lo, hi)) {
      const prefixes = toPrefixes(flo, fhi, fam, 4);
      if (prefixes.length <= 4) parts.push(...prefixes);
      else parts.push(`${formatAddress(flo)}-${formatAddress(fhi)}`);
    }
  }
  text = parts.join(',');
  formatted.set(set, text);
  return text;
}

/**
 * Sets are values that never change: each is written out once. The reports of 3,000 copies of
 * a flow share their result's sets and wrote them 3,000 times (half of a fuzzed file's 1 s
 * `fwlang simulate`).
 */
const formatted = new WeakMap<AddrSet, string>();

/** An address set as the fewest aligned prefixes (CIDR blocks), one family each, ascending. */
export function prefixesOf(set: AddrSet): string[] {
  const out: string[] = [];
  for (const [lo, hi] of set.ranges()) for (const [flo, fhi, fam] of splitFamilies(lo, hi)) out.push(...toPrefixes(flo, fhi, fam));
  return out;
}

function splitFamilies(lo: bigint, hi: bigint): [bigint, bigint, Family][] {
  const out: [bigint, bigint, Family][] = [];
  if (lo <= V4_MAX) out.push([lo, hi < V4_MAX ? hi : V4_MAX, 4]);
  if (hi >= V6_MIN) out.push([lo > V6_MIN ? lo : V6_MIN, hi < V6_MAX ? hi : V6_MAX, 6]);
  return out;
}
