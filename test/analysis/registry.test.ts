// The analysis's own failures: reported under `internal` (not `syntax`, which a user may turn
// off), each where it happened, without taking the other firewalls' diagnostics with it.
import { describe, expect, it } from 'vitest';
import { AnalysisCache, analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/model/resolve';

// Two stateless firewalls, each with a missing response and a rule written twice.
const TEXT = `host web 10.0.1.10
host db 10.0.2.10
firewall broken stateless protects 10.0.1.0/24 {
  inbound allow tcp to web port https
  inbound allow tcp to web port 443
}
firewall intact stateless protects 10.0.2.0/24 {
  inbound allow tcp to db port 5432
  inbound allow tcp to db port 5432
}
`;

/** The model of TEXT with one rule of `broken` damaged so that every check of it throws. */
function damagedModel() {
  const model = buildModel('/registry/f.fw', TEXT);
  const broken = model.firewalls.find((f) => f.name === 'broken')!;
  (broken.rules[0] as unknown as { dport: unknown }).dport = undefined;
  return model;
}

describe('a check that throws', () => {
  it('is reported under the code `internal`, as an error', () => {
    const internal = analyze(damagedModel()).diagnostics.filter((d) => d.message.startsWith('internal error'));
    expect(internal.length).toBeGreaterThan(0);
    for (const d of internal) {
      expect(d.code).toBe('internal');
      expect(d.severity).toBe('error');
    }
  });

  it('the intact text gives no internal error (the damage above is what fails)', () => {
    const ds = analyze(buildModel('/registry/f.fw', TEXT)).diagnostics;
    expect(ds.filter((d) => d.code === 'internal' || d.message.startsWith('internal error'))).toEqual([]);
    expect(ds.map((d) => d.code).sort()).toEqual([
      'missing-response',
      'missing-response',
      // the second of two equal rules is shadowed; the first is not "redundant" for its sake
      'shadowed-rule',
      'shadowed-rule',
    ]);
  });

  it('sits on the firewall whose check failed, and the other firewalls are still checked', () => {
    const ds = analyze(damagedModel()).diagnostics;
    const internal = ds.filter((d) => d.code === 'internal');
    const name = TEXT.indexOf('broken');
    expect(internal.map((d) => [d.span.start, d.span.end])).toEqual(internal.map(() => [name, name + 'broken'.length]));
    expect(internal.map((d) => d.message)).toEqual([
      expect.stringMatching(/^internal error in checkResponses of `broken`: /),
      expect.stringMatching(/^internal error in checkShadowing of `broken`: /),
    ]);
    const intact = TEXT.indexOf('firewall intact');
    const others = ds.filter((d) => d.code !== 'internal');
    expect(others.every((d) => d.span.start > intact)).toBe(true);
    expect(others.map((d) => d.code).sort()).toEqual(['missing-response', 'shadowed-rule']);
  });

  it('is not kept by the cache: the next analysis reports it again', () => {
    const cache = new AnalysisCache();
    const first = analyze(damagedModel(), cache).diagnostics.filter((d) => d.code === 'internal');
    const again = analyze(damagedModel(), cache).diagnostics.filter((d) => d.code === 'internal');
    expect(first.length).toBe(2);
    expect(again).toEqual(first);
  });
});
