// parse and analyze never throw, and no check fails inside (no "internal error" diagnostic),
// on token soup made of the language's own words and on the spec example cut anywhere.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { KEYWORDS } from '../../server/src/model/builtins';
import { buildModel } from '../../server/src/model/resolve';

const WORDS = [
  ...KEYWORDS,
  'a',
  'b',
  'web',
  'https',
  'linux',
  '10.0.0.1',
  '10.0.0.0/24',
  '10.0.0.5/24',
  '::1',
  '2001:db8::/32',
  '[2001:db8::5]:51000',
  '0',
  '22',
  '443',
  '1024-65535',
  '70000',
  '5-1',
  '{',
  '}',
  '[',
  ']',
  ',',
  '->',
  ':',
  '-',
  '"x.fw"',
  '# fw-ignore missing-response\n',
  '\n',
  '100',
  '32766',
  '32767',
];

function check(text: string): void {
  const a = analyze(buildModel('/fuzz/f.fw', text));
  const internal = a.diagnostics.filter((d) => d.message.includes('internal error'));
  expect(internal.map((d) => d.message)).toEqual([]);
  for (const d of a.diagnostics) {
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeLessThanOrEqual(text.length);
  }
}

describe('analyze on any input', () => {
  it("token soup of the language's words", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...WORDS), { maxLength: 60 }), (words) => check(words.join(' '))),
      { numRuns: 400 },
    );
  });

  it('a valid file with a few statements made of random pieces', () => {
    const stmt = fc.oneof(
      fc
        .tuple(fc.constantFrom('a', 'b', 'web'), fc.constantFrom('10.0.0.1', '10.0.0.9', '::1', '198.51.100.7'))
        .map(([n, ip]) => `host ${n} ${ip}`),
      fc
        .tuple(
          fc.constantFrom('inbound', 'outbound'),
          fc.constantFrom('allow', 'deny'),
          fc.constantFrom('tcp', 'udp', 'all', 'icmp'),
          fc.constantFrom('', 'from a', 'from any port 443', 'to web port ephemeral', 'to 10.0.0.0/24 port [22, 80]'),
        )
        .map(([d, a, p, rest]) => `firewall f stateless protects 10.0.0.0/24 { ${d} ${a} ${p} ${rest} }`),
      fc.constantFrom('a', 'b', 'web', '10.0.0.1', '2001:db8::1').map((c) => `flow ${c} -> web https expect allow`),
    );
    fc.assert(
      fc.property(fc.array(stmt, { maxLength: 8 }), (ss) => check(ss.join('\n'))),
      { numRuns: 300 },
    );
  });

  it('the spec example cut at every character', () => {
    const text = readFileSync(new URL('../../samples/catogram.fw', import.meta.url), 'utf8');
    for (let i = 0; i <= text.length; i += 3) check(text.slice(0, i));
  });
});

describe('half-written rules', () => {
  it('a rule the parser had to recover gets its syntax error and no analysis noise', () => {
    const text = `host a 10.0.0.1
firewall f stateless protects a {
  inbound allow tcp from any port
  outbound allow tcp from a port 443 to any port ephemeral
  inbound allow tcp to a port 443
}
`;
    const a = analyze(buildModel('/fuzz/half.fw', text));
    const onLine3 = a.diagnostics.filter(
      (d) => d.span.start >= text.indexOf('inbound allow tcp from any port') && d.span.start < text.indexOf('outbound'),
    );
    expect(onLine3.map((d) => d.code)).toEqual([]);
    expect(a.diagnostics.map((d) => d.code)).toEqual(['syntax']);
    // The half-written rule is out of the model's evaluation; the whole ones still count.
    expect(a.model.firewalls[0]!.rules.map((r) => r.valid)).toEqual([false, true, true]);
  });
});

describe('bad input through the whole check (parse, resolve, analyse)', () => {
  const cases: Record<string, string> = {
    empty: '',
    'only comments': '# one\n# two\n',
    binary: Array.from({ length: 4000 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join(''),
    '1 MB line': 'host a 10.0.0.1 '.repeat(65536),
    '5,000 unclosed {': 'firewall f stateless protects 10.0.0.0/8 {\n'.repeat(1) + '{\n'.repeat(5000),
    'every keyword in a row':
      'host network service ephemeral firewall stateless stateful protects default inbound outbound allow deny tcp udp icmp all from to port flow via expect any include\n'.repeat(
        50,
      ),
  };
  for (const [name, text] of Object.entries(cases)) {
    it(name, () => {
      const a = analyze(buildModel('/fuzz/bad.fw', text));
      expect(a.diagnostics.filter((d) => d.message.includes('internal error'))).toEqual([]);
      if (name !== 'empty' && name !== 'only comments') expect(a.diagnostics.some((d) => d.severity === 'error')).toBe(true);
      else expect(a.diagnostics).toEqual([]);
    });
  }
});
