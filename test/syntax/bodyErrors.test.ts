// A firewall body with more syntax errors than anyone reads (fuzz seed 1131, document 57769: a
// megabyte of `outbound outbound …` pasted into a body, one recognition error per word, 1.8 s
// per parse) is given up after MAX_BODY_ERRORS: the rest of the body is skipped, the firewall
// is half-read and so neither analysed nor simulated (spec §8.1 rule 5), and what follows the
// body is read as before. Counted by what is in the tree, not timed.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/model/resolve';
import type { FirewallDecl } from '../../server/src/syntax/ast';
import { IncrementalParser } from '../../server/src/syntax/incremental';
import { parse } from '../../server/src/syntax/parse';
import { MAX_BODY_ERRORS } from '../../server/src/syntax/parser';

const rule = '  inbound allow tcp to web port 443\n';
const head = 'host web 10.0.0.5\nfirewall f stateless protects web {\n';
const tail = '}\nhost after 10.0.0.6\nflow web -> after https\n';

/** A body of `broken` rules that each have an error, between two whole ones. */
const body = (broken: number) => `${head}${rule}${'  outbound allow\n'.repeat(broken)}${rule}${tail}`;

describe('a firewall body with too many errors', () => {
  it('is read whole up to MAX_BODY_ERRORS errors', () => {
    const r = parse(body(MAX_BODY_ERRORS - 10));
    const fw = r.ast.statements.find((s) => s?.kind === 'firewall') as FirewallDecl;
    expect(fw.rules.filter((x) => x && !x.recovered)).toHaveLength(2);
    expect(fw.recovered).toBeUndefined();
    expect(r.diagnostics.some((d) => d.message.startsWith('more than'))).toBe(false);
  });

  it('is given up past them: the rest is skipped, the firewall is half-read, what follows is read', () => {
    const text = body(100_000);
    const r = parse(text);
    const fw = r.ast.statements.find((s) => s?.kind === 'firewall') as FirewallDecl;
    expect(fw.recovered).toBe(true);
    // Not 100,002 rules: reading stopped.
    expect(fw.rules.length).toBeLessThanOrEqual(MAX_BODY_ERRORS + 1);
    expect(fw.body?.end).toBe(text.indexOf('}\nhost after') + 1);
    expect(r.ast.statements.map((s) => s?.kind)).toEqual(['host', 'firewall', 'host', 'flow']);
    // The file shows its first 100 errors, then says how many more; the firewall's own "more
    // than 200" sits on its keyword, before its body's errors, so it is among those shown.
    expect(r.diagnostics.at(-1)?.message).toMatch(/^too many syntax errors: \d+ more not shown$/);
    expect(r.diagnostics.filter((d) => d.message.startsWith(`more than ${MAX_BODY_ERRORS}`)).map((d) => d.span.start)).toEqual([
      text.indexOf('firewall f'),
    ]);

    const a = analyze(buildModel('/f.fw', text));
    expect(a.model.firewalls[0]!.valid).toBe(false);
    expect(a.diagnostics.filter((d) => d.code === 'missing-response')).toEqual([]);
  });

  it('says so on the firewall, and where reading stopped', () => {
    const text = `firewall f stateless protects 10.0.0.0/8 {\n  ${'outbound '.repeat(MAX_BODY_ERRORS + 50)}\n}\n`;
    const r = parse(text);
    expect((r.ast.statements[0] as FirewallDecl).recovered).toBe(true);
    // First, before the body's errors (a file shows its first 100 only).
    const d = r.diagnostics[0]!;
    expect(d.span).toEqual({ start: 0, end: 'firewall'.length });
    expect(d.message).toBe(
      `more than ${MAX_BODY_ERRORS} syntax errors in firewall \`f\`: the rest of its body was not read, ` +
        'and the firewall is not checked until they are mended',
    );
    const stop = text.indexOf('outbound', 2 + text.indexOf('{\n') + 'outbound '.length * MAX_BODY_ERRORS);
    expect(d.related).toEqual([{ span: { start: stop, end: stop + 'outbound'.length }, message: 'not read from here on' }]);
    expect(new IncrementalParser().parse(text).diagnostics).toEqual(r.diagnostics);
  });

  it('is parsed alike by the incremental parser, edit after edit', () => {
    let text = `${body(300)}firewall g stateless protects 10.0.0.0/8 {\n${rule}}\n`;
    const p = new IncrementalParser();
    expect(p.parse(text)).toEqual(parse(text));
    for (const [from, to] of [
      ['outbound allow\n', 'outbound allow tcp\n'],
      ['port 443\n}', 'port 444\n}'],
      ['  outbound allow\n', ''],
    ] as const) {
      text = text.replace(from, to);
      expect(p.parse(text)).toEqual(parse(text));
    }
  });
});

// The same bound for a network's prefixes (fuzz seed 2901, document 18724: a megabyte of
// `, , , …` after a network's prefix, each comma an address chevrotain inserted and a
// recognition error, 3.7 s per parse): past MAX_BODY_ERRORS the network is read no further.
describe('a network with too many errors in its prefixes', () => {
  const network = (empty: number) => `network n 10.0.0.0/8${', '.repeat(empty)}\nhost after 10.0.0.6\nflow after -> n https\n`;
  const moreThan = (r: { diagnostics: { message: string }[] }) => r.diagnostics.filter((d) => d.message.startsWith('more than'));
  /** Errors found: those shown (a file shows its first 100) and the count of those not shown. */
  const found = (r: { diagnostics: { message: string }[] }) => {
    const rest = /^too many syntax errors: (\d+) more not shown$/.exec(r.diagnostics.at(-1)?.message ?? '');
    return rest ? r.diagnostics.length - 1 + Number(rest[1]) : r.diagnostics.length;
  };

  it('is read whole up to MAX_BODY_ERRORS errors', () => {
    // With exactly MAX_BODY_ERRORS, the list ends where they do: nothing is left unread.
    const exactly = parse(network(MAX_BODY_ERRORS));
    expect(exactly.ast.statements.map((s) => s?.kind)).toEqual(['network', 'host', 'flow']);
    expect(found(exactly)).toBe(MAX_BODY_ERRORS);
    expect(moreThan(exactly)).toEqual([]);
    expect(found(parse(network(3)))).toBe(3);
    const r = parse(network(MAX_BODY_ERRORS - 10));
    expect(r.ast.statements.map((s) => s?.kind)).toEqual(['network', 'host', 'flow']);
    expect(found(r)).toBe(MAX_BODY_ERRORS - 10);
    expect(r.diagnostics.filter((d) => !d.message.startsWith('expected a prefix') && !d.message.startsWith('too many'))).toEqual([]);
  });

  it('is given up past them: it says so on its keyword, once, and what follows is read', () => {
    const text = network(100_000);
    const r = parse(text);
    expect(r.ast.statements.map((s) => `${s?.kind}${s?.recovered ? ' (recovered)' : ''}`)).toEqual(['network (recovered)', 'host', 'flow']);
    const d = r.diagnostics[0]!;
    expect(d.message).toBe(`more than ${MAX_BODY_ERRORS} syntax errors in network \`n\`: the rest of it was not read`);
    expect(d.span).toEqual({ start: 0, end: 'network'.length });
    // Reading stopped at the comma after the MAX_BODY_ERRORS-th empty prefix (each is `, `).
    const stop = 'network n 10.0.0.0/8'.length + 2 * MAX_BODY_ERRORS;
    expect(text[stop]).toBe(',');
    expect(d.related).toEqual([{ span: { start: stop, end: stop + 1 }, message: 'not read from here on' }]);
    expect(moreThan(r)).toHaveLength(1);
    // Not 100,000 errors: MAX_BODY_ERRORS and the network's own.
    expect(found(r)).toBe(MAX_BODY_ERRORS + 1);
    expect(new IncrementalParser().parse(text)).toEqual(r);
  });

  it('inside a firewall body, ends there too', () => {
    const text = `firewall f stateless protects 10.0.0.0/8 {\n  network n 10.0.0.0/8${', '.repeat(5_000)}\n}\nhost after 10.0.0.6\n`;
    const r = parse(text);
    expect(r.ast.statements.map((s) => s?.kind)).toEqual(['firewall', 'network', 'host']);
    // That it is misplaced, and MAX_BODY_ERRORS empty prefixes. Its "more than" shares its
    // offset with the first (one error is reported per offset).
    expect(found(r)).toBe(MAX_BODY_ERRORS + 1);
    expect(r.diagnostics[0]!.message).toMatch(/^`network` cannot appear inside the body of firewall `f`/);
  });
});
