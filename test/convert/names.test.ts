// The names an import gives (convert/names.ts): valid, never a keyword or built-in, never given
// twice, numbered when taken; and numbering thousands alike is linear (fuzzed import 37438 of
// seed 13: 4,001 copies of one masquerade rule, each a `nat masquerade-N`, took 1.2 s).
import { describe, expect, it, vi } from 'vitest';
import { Namer, identifier } from '../../server/src/convert/names';

describe('Namer', () => {
  it('gives each name once, numbered from 2, past names taken otherwise, never a keyword or built-in', () => {
    const n = new Namer();
    expect([n.name('web'), n.name('web'), n.name('web')]).toEqual(['web', 'web-2', 'web-3']);
    expect(n.name('web-4')).toBe('web-4');
    expect(n.name('web')).toBe('web-5');
    expect(n.name(undefined, 'sg-1')).toBe('sg-1');
    expect(n.name('sg-1', 'sg-1')).toBe('sg-1-2');
    expect(n.name('host')).toBe('host-2');
    expect(n.name('https')).toBe('https-2');
    // With no candidate, a numbered `unnamed`.
    expect(n.name('')).toBe('unnamed-2');
    expect(n.name()).toBe('unnamed-3');
    expect(identifier('My Web (prod)')).toBe('My-Web-prod');
  });

  it('numbers thousands of one name in time proportional to them', () => {
    const lookups = (count: number) => {
      const n = new Namer();
      const has = vi.spyOn(Set.prototype, 'has');
      const names = Array.from({ length: count }, () => n.name('masquerade'));
      const calls = has.mock.calls.length;
      has.mockRestore();
      expect(new Set(names).size).toBe(count);
      expect(names[count - 1]).toBe(`masquerade-${count}`);
      return calls;
    };
    const a = lookups(2000);
    const b = lookups(4000);
    // Counting from 2 each time: 2,000 names made 2 million lookups, and twice the names four times as many.
    expect(b).toBeLessThan(2.2 * a);
    expect(b).toBeLessThan(20 * 4000);
  });
});
