// Packet classes: boxes of protocol × source × source port × destination × destination port.
// A set of packets is a list of disjoint boxes. Invariant: a box whose protocols include a
// port-less one (icmp, other) has every port in both port dimensions, and the two addresses
// of every packet are of one family (boxes are built per family and only cut smaller).

import { AddrSet, PortSet } from '../core/intervals';
import type { Proto } from '../syntax/ast';

export const TCP = 1;
export const UDP = 2;
export const ICMP = 4;
/** Every other IP protocol (GRE, ESP, ...): matched only by `all`. */
export const OTHER = 8;
export const ALL_PROTOS = TCP | UDP | ICMP | OTHER;
export const PORTED = TCP | UDP;

export function protoMask(p: Proto): number {
  switch (p) {
    case 'tcp':
      return TCP;
    case 'udp':
      return UDP;
    case 'icmp':
      return ICMP;
    case 'all':
      return ALL_PROTOS;
  }
}

export function protoName(mask: number): string {
  if (mask === ALL_PROTOS) return 'all';
  const names: string[] = [];
  if (mask & TCP) names.push('tcp');
  if (mask & UDP) names.push('udp');
  if (mask & ICMP) names.push('icmp');
  if (mask & OTHER) names.push('other');
  return names.join('/');
}

export interface Box {
  protos: number;
  src: AddrSet;
  sport: PortSet;
  dst: AddrSet;
  dport: PortSet;
}

/**
 * a ∩ b; undefined when empty. Returns `a` itself when a ⊆ b (the interval sets return an
 * operand when the result equals it), so `intersectBox(a, b) === a` tells containment.
 */
export function intersectBox(a: Box, b: Box): Box | undefined {
  const protos = a.protos & b.protos;
  if (protos === 0) return undefined;
  const src = a.src.intersect(b.src);
  if (src.isEmpty()) return undefined;
  const dst = a.dst.intersect(b.dst);
  if (dst.isEmpty()) return undefined;
  const sport = a.sport.intersect(b.sport);
  if (sport.isEmpty()) return undefined;
  const dport = a.dport.intersect(b.dport);
  if (dport.isEmpty()) return undefined;
  if (protos === a.protos && src === a.src && dst === a.dst && sport === a.sport && dport === a.dport) return a;
  return { protos, src, sport, dst, dport };
}

/** a ∖ b as disjoint boxes. Protocols are cut first so port-less pieces keep all ports. */
export function subtractBox(a: Box, b: Box): Box[] {
  const common = intersectBox(a, b);
  if (!common) return [a];
  const out: Box[] = [];
  pushDifference(out, a, b, common);
  return out;
}

/**
 * Pushes the pieces of a ∖ b onto `out`, given common = a ∩ b (not empty): the protocols b
 * lacks, then per dimension the part outside b of what is left.
 */
export function pushDifference(out: Box[], a: Box, b: Box, common: Box): void {
  if (common === a) return;
  const protosOut = a.protos & ~b.protos;
  if (protosOut) out.push({ protos: protosOut, src: a.src, sport: a.sport, dst: a.dst, dport: a.dport });
  const protos = common.protos;
  const srcOut = a.src.subtract(b.src);
  if (!srcOut.isEmpty()) out.push({ protos, src: srcOut, sport: a.sport, dst: a.dst, dport: a.dport });
  const dstOut = a.dst.subtract(b.dst);
  if (!dstOut.isEmpty()) out.push({ protos, src: common.src, sport: a.sport, dst: dstOut, dport: a.dport });
  const sportOut = a.sport.subtract(b.sport);
  if (!sportOut.isEmpty()) out.push({ protos, src: common.src, sport: sportOut, dst: common.dst, dport: a.dport });
  const dportOut = a.dport.subtract(b.dport);
  if (!dportOut.isEmpty()) out.push({ protos, src: common.src, sport: common.sport, dst: common.dst, dport: dportOut });
}

/** Each box of `set` minus `b`, as disjoint boxes; `set` itself when `b` meets none of them. */
export function subtractBoxes(set: Box[], b: Box): Box[] {
  let out: Box[] | undefined;
  for (let i = 0; i < set.length; i++) {
    const a = set[i]!;
    const common = intersectBox(a, b);
    if (!common) {
      out?.push(a);
      continue;
    }
    if (!out) out = set.slice(0, i);
    pushDifference(out, a, b, common);
  }
  return out ?? set;
}

/** The packets of the inverse direction: addresses and ports swapped, same protocols. */
export function invertBox(b: Box): Box {
  return { protos: b.protos, src: b.dst, sport: b.dport, dst: b.src, dport: b.sport };
}

/** Every packet of one family with the given protocols (ports all). */
export function universeBoxes(protos: number = ALL_PROTOS): Box[] {
  return [AddrSet.V4, AddrSet.V6].map((fam) => ({
    protos,
    src: fam,
    sport: PortSet.ALL,
    dst: fam,
    dport: PortSet.ALL,
  }));
}

/**
 * Builds the boxes for a class of packets; splits by family so no box mixes IPv4 and IPv6
 * addresses, and splits port-bearing from port-less protocols.
 */
export function makeBoxes(protos: number, src: AddrSet, sport: PortSet, dst: AddrSet, dport: PortSet): Box[] {
  const out: Box[] = [];
  const ported = protos & PORTED;
  const portless = protos & ~PORTED;
  for (const fam of [AddrSet.V4, AddrSet.V6]) {
    const s = src.intersect(fam);
    const d = dst.intersect(fam);
    if (s.isEmpty() || d.isEmpty()) continue;
    if (ported && !sport.isEmpty() && !dport.isEmpty()) out.push({ protos: ported, src: s, sport, dst: d, dport });
    if (portless) out.push({ protos: portless, src: s, sport: PortSet.ALL, dst: d, dport: PortSet.ALL });
  }
  return out;
}

/** True when the union of `inner` is covered by the union of `outer`. */
export function boxesCoveredBy(inner: Box[], outer: Box[]): boolean {
  let rest = inner;
  for (const o of outer) {
    rest = subtractBoxes(rest, o);
    if (rest.length === 0) return true;
  }
  return rest.length === 0;
}

export interface Packet {
  proto: number;
  src: bigint;
  sport: number;
  dst: bigint;
  dport: number;
}

export function boxContains(b: Box, p: Packet): boolean {
  return (
    (b.protos & p.proto) !== 0 &&
    b.src.contains(p.src) &&
    b.dst.contains(p.dst) &&
    ((p.proto & PORTED) === 0 || (b.sport.contains(p.sport) && b.dport.contains(p.dport)))
  );
}
