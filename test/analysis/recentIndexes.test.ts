// The per-firewall response and coverage indexes are kept for the last two firewalls looked at,
// not more (issue 12's memory): kept for four, the indexes an open makes lived long enough for V8
// to make every later one in the old generation, where each edit's stayed as garbage. The one
// looked at and the one before are served from the cache; a third firewall drops the oldest.

import { describe, expect, it } from 'vitest';
import { responseIndex } from '../../server/src/analysis/responseIndex';
import { directionCoverage } from '../../server/src/analysis/ruleCoverage';
import { buildModel } from '../../server/src/model/resolve';

const TEXT = ['a', 'b', 'c']
  .map(
    (n, i) => `firewall ${n} stateless protects 10.0.${i}.0/24 {
  inbound allow tcp to 10.0.${i}.5 port 443
  outbound allow tcp from 10.0.${i}.5 port 443 to any port 1024-65535
}`,
  )
  .join('\n');

describe('per-firewall indexes', () => {
  const [a, b, c] = buildModel('/recent.fw', TEXT).firewalls;

  it('are kept for the last two firewalls', () => {
    const first = { a: responseIndex(a!), b: responseIndex(b!) };
    expect(responseIndex(a!)).toBe(first.a);
    expect(responseIndex(b!)).toBe(first.b);
    responseIndex(c!);
    // b and c are the last two now: a was dropped and is built again.
    expect(responseIndex(b!)).toBe(first.b);
    expect(responseIndex(a!)).not.toBe(first.a);
  });

  it('for coverage too', () => {
    const first = { a: directionCoverage(a!, 'inbound'), b: directionCoverage(b!, 'inbound') };
    expect(directionCoverage(a!, 'inbound')).toBe(first.a);
    directionCoverage(c!, 'inbound');
    // a (looked at again) and c are the last two: b was dropped.
    expect(directionCoverage(a!, 'inbound')).toBe(first.a);
    expect(directionCoverage(b!, 'inbound')).not.toBe(first.b);
  });
});
