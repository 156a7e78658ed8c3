// `fwlang simulate` gives no verdict from a half-read file (cli.md, spec §8.1 rule 5): an
// error in a declaration or firewall refuses every flow, one in a flow statement (or its
// `flow-path`) that flow only; the errors are printed as `check` prints them, exit 2.
// Also the marks (✔ met / ✘ not met / • no expect) and a tolerant `--flow`.
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { refusalOf, refusalParts, refusalsOf } from '../../server/src/analysis/flowPath';
import { LineIndex } from '../../server/src/core/text';
import { buildModel } from '../../server/src/model/resolve';
import type { FlowDecl } from '../../server/src/syntax/ast';
import { SPEC_EXAMPLE, runMain, removeTempFiles, tempFiles } from './support';

afterAll(removeTempFiles);

const file = (name: string, text: string) => path.join(tempFiles({ [name]: text }), name);

const STATEFULL = `host web 10.0.1.10
host bob 198.51.100.23
firewall fw statefull protects web {
  inbound allow tcp to web port 443
}
flow bob -> web https expect allow
`;

describe('simulate refuses a file whose declarations or firewalls have errors', () => {
  it('`statefull`: no verdict, the error and the refused flow printed as check prints them, exit 2', () => {
    const f = file('statefull.fw', STATEFULL);
    const r = runMain(['simulate', f]);
    expect(r.code).toBe(2);
    expect(r.out).not.toMatch(/allowed|no firewall is crossed|[✔•]/);
    expect(r.lines.some((l) => l.startsWith(`${f}:3:13: error syntax: `) && l.includes('`statefull`'))).toBe(true);
    expect(
      r.lines.some((l) => l.startsWith(`${f}:6:1: error syntax: flow \`bob -> web https\` is not simulated: syntax error on line 3`)),
    ).toBe(true);
    expect(r.lines[r.lines.length - 1]).toBe('0 flows simulated; 1 not simulated because of errors in the file');
  });

  it('--json: the refused flow has `refused` and its errors, no verdict', () => {
    const f = file('statefull.fw', STATEFULL);
    const r = runMain(['simulate', f, '--json']);
    expect(r.code).toBe(2);
    const flows = (JSON.parse(r.out) as { flows: Record<string, unknown>[] }).flows;
    expect(flows).toHaveLength(1);
    const [one] = flows;
    expect(one).not.toHaveProperty('verdict');
    expect(one).not.toHaveProperty('request');
    expect(one).toMatchObject({ flow: 'bob -> web https', line: 6, expect: 'allow' });
    expect(one!.refused).toMatch(/^syntax error on line 3: /);
    expect(one!.errors).toContainEqual(expect.objectContaining({ line: 3, column: 13, code: 'syntax', severity: 'error' }));
  });

  it('--flow on such a file is refused too', () => {
    const r = runMain(['simulate', file('statefull.fw', STATEFULL), '--flow', 'bob -> web tcp 22']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/is not simulated: syntax error on line 3/);
    expect(r.out).not.toMatch(/blocked|allowed/);
  });

  it('`# fw-ignore` cannot silence an error behind a refusal', () => {
    const text = STATEFULL.replace('firewall fw', '# fw-ignore syntax\nfirewall fw');
    const r = runMain(['simulate', file('ignored.fw', text)]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/4:13: error syntax: .*`statefull`/);
  });

  it('an unknown name in a rule refuses every flow', () => {
    const text = SPEC_EXAMPLE.replace(
      'to updates port https                 # request out',
      'to updatse port https                 # request out',
    );
    const r = runMain(['simulate', file('c.fw', text)]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/:12:\d+: error unknown-name: /);
    expect(r.out.match(/is not simulated: unknown-name error on line 12/g)).toHaveLength(3);
    expect(r.out).not.toMatch(/✔|✘|•/);
  });
});

describe('an error in one flow statement refuses that flow only', () => {
  const text = `${SPEC_EXAMPLE}flow bob -> catogarm https expect allow\n`;

  it('the others are simulated; exit 2', () => {
    const f = file('c.fw', text);
    const r = runMain(['simulate', f]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/:25:1: error unknown-name: flow `bob -> catogarm https` is not simulated: unknown-name error on line 25/);
    expect(r.out).toMatch(/:22: ✔ bob -> catogram https — allowed/);
    expect(r.lines[r.lines.length - 1]).toBe('3 flows simulated, all as expected; 1 not simulated because of errors in the file');
    const json = JSON.parse(runMain(['simulate', f, '--json']).out) as { flows: Record<string, unknown>[] };
    expect(json.flows.map((x) => x.verdict ?? `refused: ${x.refused as string}`)).toEqual([
      'allowed',
      'allowed',
      'blocked',
      expect.stringMatching(/^refused: unknown-name error on line 25: /),
    ]);
  });
});

describe('flow-path: a `via` naming a firewall the request does not cross', () => {
  const text = `host bob 198.51.100.23
host web 10.0.1.10
host db  10.0.2.5
firewall web-sg stateful protects web {
  inbound allow tcp to web port 443
}
firewall db-sg stateful protects db {
  inbound allow tcp from web to db port 5432
}
firewall both stateless protects 10.0.0.0/8 {
  inbound allow all
  outbound allow all
}
flow bob -> web https via db-sg expect deny
flow web -> db tcp 5432 via both
flow bob -> web https via web-sg expect allow
`;

  it('check reports flow-path on the `via` name, neither end or both ends inside', () => {
    const f = file('via.fw', text);
    const r = runMain(['check', f]);
    expect(r.code).toBe(1);
    expect(r.lines).toContain(
      `${f}:14:27: error flow-path: \`via db-sg\`: neither \`bob\` nor \`web\` is inside \`db-sg\`, so the request does not cross it; name only firewalls on the flow's path, or leave \`via\` out`,
    );
    expect(r.out).toMatch(/15:29: error flow-path: `via both`: both `web` and `db` are inside `both`/);
    // No verdict was computed for them, so no flow-expectation either.
    expect(r.out).not.toMatch(/flow-expectation/);
  });

  it('simulate leaves those flows out, never "no firewall is crossed"; exit 2', () => {
    const r = runMain(['simulate', file('via.fw', text)]);
    expect(r.code).toBe(2);
    expect(r.out).not.toMatch(/no firewall is crossed/);
    expect(r.out).toMatch(/:14:1: error flow-path: flow `bob -> web https via db-sg` is not simulated/);
    expect(r.out).toMatch(/:15:1: error flow-path: flow `web -> db tcp 5432 via both` is not simulated/);
    expect(r.out).toMatch(/:16: ✔ bob -> web https via web-sg — allowed \(expect allow: met\)/);
  });

  it('a --flow with such a via is refused', () => {
    const r = runMain(['simulate', file('via.fw', text), '--flow', 'bob -> web tcp 80 via db-sg']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/error flow-path: flow `bob -> web tcp 80 via db-sg` is not simulated/);
  });
});

describe('marks say whether the flow met its expect', () => {
  const text = `${SPEC_EXAMPLE}flow bob -> catogram tcp 22\nflow bob -> catogram tcp 22 expect allow\n`;
  it('✔ met (also for a blocked flow that expects deny), ✘ not met, • no expect', () => {
    const r = runMain(['simulate', file('c.fw', text)]);
    expect(r.code).toBe(1);
    const heads = r.lines.filter((l) => !l.startsWith(' ')).map((l) => l.replace(/^.*?:\d+: /, ''));
    expect(heads.slice(0, 5)).toEqual([
      '✔ bob -> catogram https — allowed (expect allow: met)',
      '✔ catogram -> updates https — allowed (expect allow: met)',
      '✔ bob:51000 -> catogram tcp 22 — blocked (expect deny: met)',
      '• bob -> catogram tcp 22 — blocked',
      '✘ bob -> catogram tcp 22 — blocked (expect allow: NOT met)',
    ]);
  });
});

describe('--flow tolerates spacing and the keyword', () => {
  it("'flow  bob->catogram   https' is the file's `bob -> catogram https` (its line and expect)", () => {
    const f = file('c.fw', SPEC_EXAMPLE);
    for (const arg of ['flow  bob->catogram   https', 'bob->catogram https', '  flow bob ->catogram https  ']) {
      const r = runMain(['simulate', f, '--flow', arg, '--json']);
      expect(r.code, arg).toBe(0);
      const flows = (JSON.parse(r.out) as { flows: Record<string, unknown>[] }).flows;
      expect(flows, arg).toHaveLength(1);
      expect(flows[0], arg).toMatchObject({ flow: 'bob -> catogram https', line: 22, expect: 'allow', met: true });
    }
  });
});

type RefusedJson = { flows: { errors: { code: string }[]; moreErrors?: number }[] };

describe('simulate of a file of many refused flows and many errors', () => {
  // Every refused flow shares the file's errors: a fuzzed 2 MB file of 13,000 flows and 22,000
  // errors made a line index of the whole file per flow and per printed error (minutes).
  const text = (flows: number) =>
    `firewall fw statefull protects 10.0.0.0/8 {\n  inbound allow tcp to 10.0.0.1 port 443\n}\n` +
    Array.from({ length: flows }, (_, i) => `host h${i} 10.1.${i >> 8}.${i & 255} extra\nflow h${i} -> 10.0.0.1 tcp 443\n`).join('');

  it("indexes the file's lines a fixed number of times, however many flows and errors", () => {
    const made = (flows: number) => {
      const f = file(`many-${flows}.fw`, text(flows));
      const before = LineIndex.made;
      const r = runMain(['simulate', f]);
      expect(r.code).toBe(2);
      expect(r.lines[r.lines.length - 1]).toBe(`0 flows simulated; ${flows} not simulated because of errors in the file`);
      // Each error printed once (a file lists at most so many of one code).
      const errors = r.lines.filter((l) => / error syntax: .*`extra`/.test(l));
      expect(errors.length).toBeGreaterThanOrEqual(Math.min(flows, 50));
      expect(new Set(errors).size).toBe(errors.length);
      return LineIndex.made - before;
    };
    const small = made(50);
    expect(made(400)).toBe(small);
  });

  it('--json lists the first 100 errors of each refused flow and counts the rest', () => {
    // 150 unknown names in one firewall's rules (syntax errors stop at 100 a file).
    const unknown = (n: number) =>
      `firewall fw stateful protects 10.0.0.0/8 {\n` +
      Array.from({ length: n }, (_, i) => `  inbound allow tcp from u${i} to 10.0.0.1 port 443\n`).join('') +
      `}\n` +
      Array.from({ length: n }, (_, i) => `flow 10.1.0.${i} -> 10.0.0.1 tcp 443\n`).join('');
    const f = file('many-json.fw', unknown(150));
    const before = LineIndex.made;
    const r = runMain(['simulate', f, '--json']);
    expect(r.code).toBe(2);
    expect(LineIndex.made - before).toBeLessThan(10);
    const flows = (JSON.parse(r.out) as RefusedJson).flows;
    expect(flows).toHaveLength(150);
    for (const fl of flows) {
      expect(fl.errors).toHaveLength(100);
      expect(fl.errors.every((e) => e.code === 'unknown-name')).toBe(true);
      expect(fl.moreErrors).toBe(50);
    }
    // All 150 are on stderr (the runner does not capture it here); a file with fewer lists all.
    const few = JSON.parse(runMain(['simulate', file('few-json.fw', unknown(3)), '--json']).out) as RefusedJson;
    expect(few.flows[0]!.errors).toHaveLength(3);
    expect(few.flows[0]!.moreErrors).toBeUndefined();
  });

  /** `n` unknown names in the rules, and `n` flows each from an unknown name of its own. */
  const both = (n: number) =>
    `firewall fw stateful protects 10.0.0.0/8 {\n` +
    Array.from({ length: n }, (_, i) => `  inbound allow tcp from u${i} to 10.0.0.1 port 443\n`).join('') +
    `}\n` +
    Array.from({ length: n }, (_, i) => `flow v${i} -> 10.0.0.1 tcp 443\n`).join('');

  it("places each error once, when every refused flow has errors of its own besides the file's", () => {
    // Printed per flow, the file's errors were placed once per flow when each flow's list held
    // them too (1,098 flows and 17,600 errors: 23 s).
    const placed = (n: number) => {
      const f = file(`both-${n}.fw`, both(n));
      const spy = vi.spyOn(LineIndex.prototype, 'position');
      try {
        const r = runMain(['simulate', f]);
        expect(r.code).toBe(2);
        expect(r.lines.filter((l) => /error unknown-name: unknown host or network `u\d+`/.test(l))).toHaveLength(n);
        return spy.mock.calls.length;
      } finally {
        spy.mockRestore();
      }
    };
    const small = placed(50);
    // Linear: four times the flows and errors, about four times the placings (quadratic: 16).
    expect(placed(200)).toBeLessThanOrEqual(5 * small);
  });

  it("keeps the file's errors once for all the flows, not a copy per flow, and counts them all", () => {
    // A copy per flow was 144 MB and 2 s for 3,000 flows and 6,000 errors (fuzz document 18973
    // of seed 1145): the refused flows keep the lists the errors are in.
    const f = file('both-parts.fw', both(150));
    const model = buildModel(f, both(150));
    const refusals = refusalsOf(model, analyze(model).diagnostics);
    const flows = model.ast.statements.filter((s): s is FlowDecl => s?.kind === 'flow');
    const parts = flows.map((s) => refusalParts(refusals, s));
    const fileErrors = parts[0]![0]!;
    expect(fileErrors).toHaveLength(150);
    for (const [i, p] of parts.entries()) {
      expect(p).toHaveLength(2);
      expect(p[0]).toBe(fileErrors);
      expect(p[1]!.map((d) => d.message)).toEqual([`unknown host or network \`v${i}\``]);
      expect(refusalOf(refusals, flows[i]!)).toEqual([...fileErrors, ...p[1]!]);
    }
    const json = JSON.parse(runMain(['simulate', f, '--json']).out) as RefusedJson & { flows: { refused: string }[] };
    expect(json.flows).toHaveLength(150);
    for (const fl of json.flows) {
      expect(fl.errors).toHaveLength(100);
      expect(fl.moreErrors).toBe(51);
      expect(fl.refused).toMatch(/\(and 150 more errors\)$/);
    }
  });
});
