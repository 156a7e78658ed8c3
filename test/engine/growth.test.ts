// How the simulation's work grows with hostile files the fuzzer made (issue 12, seed 12012):
// hundreds of copies of a flow, of a firewall, of a security group. Each test counts the
// operations of the interval sets (or the elements an array search looked at) for a file and
// for the file with twice the copies: work that grows faster than the copies fails it. The
// results are checked too, so a count cannot pass by computing less than it should.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../server/src/core/diagnostic';
import { analyze } from '../../server/src/analysis/analyze';
import { crossesSome, crossings, decide } from '../../server/src/engine/firewall';
import { requestBoxes, simulateFlow } from '../../server/src/engine/simulate';
import { makeBoxes, TCP } from '../../server/src/engine/packet';
import { PortSet } from '../../server/src/core/intervals';
import { parseAddress } from '../../server/src/core/address';
import { buildModel } from '../../server/src/model/resolve';
import type { Firewall, Model } from '../../server/src/model/types';
import { countSetOps } from '../support/setOps';

/** Runs `f` counting the calls of AddrSet's set operations. */
const setOps = (f: () => void): number => countSetOps(f).n;

const model = (text: string): Model => buildModel('/growth/test.fw', text);

describe('simulation work as copies grow', () => {
  // document 16792 (aws-nat.fw, a duplicated stretch): 1,225 flows, 175 copies of each, through
  // 352 firewalls. Each copy was simulated in full: 12 s of analyze.
  it('copies of a flow are simulated once per model', () => {
    const head = `host alice 198.51.100.7
host web 10.0.1.10
firewall edge stateless protects 10.0.1.0/24 {
  inbound allow tcp to web port https
  outbound allow tcp from web port https to any port 1024-65535
}
`;
    const flows = 'flow alice -> web https expect allow\nflow alice -> web ssh expect allow\nflow alice -> web https\n';
    const run = (copies: number) => {
      const m = model(head + flows.repeat(copies));
      let results: ReturnType<typeof simulateFlow>[] = [];
      const ops = setOps(() => (results = m.flows.map((f) => simulateFlow(m, f))));
      return { ops, results, m };
    };
    const one = run(1);
    const many = run(200);
    expect(many.results).toHaveLength(600);
    // Each copy's result is its own flow's: the verdict, and `met` by its own `expect`.
    expect(many.results.map((r) => [r.verdict, r.met]).slice(0, 3)).toEqual([
      ['allowed', true],
      ['blocked', false],
      ['allowed', true],
    ]);
    many.results.forEach((r, i) => expect(r.flow).toBe(many.m.flows[i]));
    const hops = (r: ReturnType<typeof simulateFlow>) =>
      [...r.request.hops, ...(r.response?.hops ?? [])].map((h) => [h.direction, h.action, h.by, h.rule?.index]);
    expect(hops(many.results[597]!)).toEqual(hops(one.results[0]!));
    expect(hops(many.results[598]!)).toEqual(hops(one.results[1]!));
    // 200 copies cost what one does, give or take the first simulation of each.
    expect(many.ops).toBeLessThanOrEqual(one.ops * 1.2 + 10);
  });

  // document 44628 (a paste of 23,000 `firewall f stateless protects 10.0.0.0/8 {` lines): path
  // inference looked each firewall up in the list of client-side firewalls (quadratic, 1 s per
  // flow), and cut every request into the pieces each firewall sees just to know whether it is crossed.
  it('inferring the path through many firewalls looks at each once', () => {
    const text = (n: number) =>
      `host a 10.0.0.1\nhost b 192.0.2.1\n${'firewall f stateless protects 10.0.0.0/8 {\n}\n'.repeat(n)}flow a -> b https\n`;
    // An array that counts the elements its searches look at (filter makes more of its kind).
    class Watched<T> extends Array<T> {
      static looked = 0;
      override includes(x: T, from?: number): boolean {
        Watched.looked += this.length;
        return super.includes(x, from);
      }
      override indexOf(x: T, from?: number): number {
        Watched.looked += this.length;
        return super.indexOf(x, from);
      }
    }
    const run = (n: number) => {
      const m = model(text(n));
      m.firewalls = Watched.from(m.firewalls) as Firewall[];
      Watched.looked = 0;
      let path: Firewall[] = [];
      const ops = setOps(() => (path = simulateFlow(m, m.flows[0]!).path));
      expect(path).toHaveLength(n);
      expect(path.map((f) => f.order)).toEqual(m.firewalls.map((f) => f.order));
      return { looked: Watched.looked, ops };
    };
    const small = run(300);
    const large = run(600);
    expect(large.looked).toBeLessThanOrEqual(2 * small.looked + 600);
    expect(large.ops).toBeLessThanOrEqual(2.2 * small.ops);
  });

  // document 16792 again: 175 copies of each security group, each a peer of the others (§10:
  // one group, the union of their rules). Each group made its own copy of every peer's rules
  // (quadratic), and every decision went through all of them.
  it('copies of a security group: each decision goes through the rules once', () => {
    const text = (n: number) =>
      `host alice 198.51.100.7\nhost web 10.0.1.10\n` +
      Array.from(
        { length: n },
        (_, i) => `firewall sg${i} aws-sg protects web {\n  inbound allow tcp from any to web port https\n}\n`,
      ).join('') +
      'flow alice -> web https expect allow\nflow alice -> web ssh expect deny\n';
    const run = (n: number) => {
      const m = model(text(n));
      expect(m.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      let verdicts: string[] = [];
      const ops = setOps(() => {
        verdicts = m.flows.map((f) => simulateFlow(m, f).verdict);
        for (const fw of m.firewalls) decide(fw, 'inbound', requestBoxes(m.flows[0]!));
      });
      expect(verdicts).toEqual(['allowed', 'blocked']);
      // The first group's rule decides, as before (the copies after it decide nothing).
      const [d] = decide(m.firewalls[5]!, 'inbound', requestBoxes(m.flows[0]!));
      expect(d!.rule).toBe(m.firewalls[5]!.rules[0]);
      return ops;
    };
    const small = run(40);
    const large = run(80);
    expect(large).toBeLessThanOrEqual(2.5 * small);
  });

  // fuzz sequence 1516 of seed 1132: 3,000 copies of a security group header on one network
  // (140 KB). Each group listed the 2,999 others and compared its members with each: 1.1 s to
  // check, and 6,000 copies took 458 MB.
  it('copies of a security group are linked to each other once per inside', () => {
    const text = (n: number) =>
      `network private 10.0.2.0/24
network half 10.0.2.0/25
host db 10.0.2.5
host client 10.0.1.7
` +
      Array.from(
        { length: n },
        (_, i) =>
          `firewall sg${i} aws-sg protects ${i % 7 === 0 ? 'half' : 'private'} {\n` +
          `  inbound allow tcp from 10.0.1.0/24 to private port ${443 + (i % 3)}\n}\n`,
      ).join('') +
      'flow client -> db tcp 443 expect allow\nflow client -> db tcp 446 expect deny\n';
    const run = (n: number) => {
      let m: Model | undefined;
      const ops = setOps(() => (m = model(text(n))));
      const a = analyze(m!);
      expect(a.flowResults.map((r) => r.verdict)).toEqual(['allowed', 'blocked']);
      // One group of members: every group counts the others (spec §10), whichever inside it has.
      const [first, half] = [m!.firewalls[1]!, m!.firewalls[0]!];
      expect(first.securityGroups?.members).toHaveLength(n);
      expect(half.securityGroups?.members).toHaveLength(n);
      return ops;
    };
    const small = run(100);
    const large = run(200);
    expect(large).toBeLessThanOrEqual(2.5 * small);
  });
});

describe('analysis work as copies grow', () => {
  // document 16792 again: the broad-response check asks which stateful firewalls close what a
  // stateless one opens; for each security group it went through every other group, even with
  // nothing left to close (175 copies: a third of a second per rule).
  it('the groups that close a broad response are looked through once each', () => {
    const text = (n: number) =>
      `network public 10.0.1.0/24\nhost web 10.0.1.10\n` +
      `firewall acl aws-nacl protects public {\n  100 inbound allow tcp from any to public port https\n  100 outbound allow tcp from public to any port 1024-65535\n}\n` +
      Array.from(
        { length: n },
        (_, i) => `firewall sg${i} aws-sg protects web {\n  inbound allow tcp to web port https\n  outbound allow tcp to any\n}\n`,
      ).join('');
    // An array that counts the elements iterated over (filter makes more of its kind).
    class Watched<T> extends Array<T> {
      static seen = 0;
      override *[Symbol.iterator](): ArrayIterator<T> {
        for (let i = 0; i < this.length; i++) {
          Watched.seen++;
          yield this[i]!;
        }
      }
    }
    const run = (n: number) => {
      const m = model(text(n));
      m.firewalls = Watched.from(m.firewalls) as Firewall[];
      Watched.seen = 0;
      const codes = analyze(m).diagnostics.map((d) => d.code);
      expect(codes).toContain('broad-response');
      expect(codes.filter((c) => c === 'internal')).toEqual([]);
      return Watched.seen;
    };
    const small = run(100);
    const large = run(200);
    expect(large).toBeLessThanOrEqual(2.2 * small);
  });

  // document 60758 of seed 1132 (the AWS VPC guide's example 1,000 times over, 1.8 MB): every
  // copy of an ACL's broad response was checked against every copy of every group, each against
  // every copy again (42 s). (Its flows' traces also looked through every copy judged so far
  // for each hop: engine/firewall.ts judgedAsGroup keeps them in a set now.)
  it('copies of a VPC: each kind of group is asked once whether it closes a broad response', () => {
    const vpc = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'aws-vpc-guide.fw'), 'utf8');
    const run = (copies: number) => {
      const m = model(vpc.repeat(copies));
      let diagnostics: Diagnostic[] = [];
      const ops = setOps(() => (diagnostics = analyze(m).diagnostics));
      return { ops, diagnostics };
    };
    const one = run(1);
    const small = run(8);
    const large = run(16);
    // The first copy's advice is the file's own (its groups close what they closed alone).
    const advice = (ds: Diagnostic[]) =>
      ds.filter((d) => d.span.end <= vpc.length && d.code !== 'duplicate-name').map((d) => `${d.code}: ${d.message}`);
    expect(one.diagnostics.map((d) => d.code)).toContain('broad-response');
    expect(advice(large.diagnostics)).toEqual(advice(one.diagnostics));
    expect(large.diagnostics.filter((d) => d.code === 'internal')).toEqual([]);
    expect(large.ops).toBeLessThanOrEqual(2.5 * small.ops);
  });

  // document 58362 of seed 1901 (1,214 copies of the AWS guide, 2 MB): each copy of an ACL asked
  // again whether the groups close its broad response, the same question (~100 ms a time).
  it('copies of an ACL: the groups are asked once whether they close the same broad response', () => {
    const sgRules = Array.from({ length: 150 }, (_, i) => `  outbound allow tcp to 198.51.${i}.0/24 port ${1000 + i}`).join('\n');
    const text = (copies: number) =>
      `network internet 0.0.0.0/0\nnetwork public 10.0.0.0/24\ndefault ephemeral 32768-65535\n` +
      `firewall public-sg aws-sg protects public {\n  inbound allow tcp from internet to public port https\n${sgRules}\n}\n` +
      Array.from(
        { length: copies },
        (_, i) =>
          `firewall acl${i} aws-nacl protects public {\n  100 inbound  allow tcp from internet to public port https\n` +
          `  140 outbound allow tcp to internet port 32768-65535\n}\n`,
      ).join('');
    const run = (copies: number) => {
      let diagnostics: Diagnostic[] = [];
      const ops = setOps(() => (diagnostics = analyze(model(text(copies))).diagnostics));
      return { ops, diagnostics };
    };
    const one = run(1);
    const many = run(40);
    // Every copy is told that the group closes the hole, as the one alone is.
    const closed = (ds: Diagnostic[]) =>
      ds.filter((d) => d.code === 'broad-response' && d.message.includes('`public-sg` denies those new'));
    expect(closed(one.diagnostics)).toHaveLength(1);
    expect(closed(many.diagnostics)).toHaveLength(40);
    expect(new Set(closed(many.diagnostics).map((d) => d.message))).toEqual(new Set(closed(one.diagnostics).map((d) => d.message)));
    // 40 copies cost little more than one: the group's 150 rules are gone through once (asked
    // again for each copy, 40 copies took eight times the work of one).
    expect(many.ops).toBeLessThanOrEqual(2 * one.ops);
  });
});

describe('crossesSome', () => {
  // Path inference asks it of every firewall for every flow instead of cutting the pieces.
  it('says whether crossings has pieces, for every kind of firewall', () => {
    const m = model(`network a 10.0.1.0/24
network b 10.0.2.0/24
host h 10.0.1.5
firewall acl aws-nacl protects a, b {
}
firewall sg aws-sg protects h {
}
firewall gen stateless protects 10.0.0.0/16 {
}
firewall v6 stateful protects 2001:db8::/32 {
}
`);
    const sets = ['10.0.1.5/32', '10.0.1.0/24', '10.0.2.0/23', '10.0.0.0/8', '192.0.2.0/24', '0.0.0.0/0', '2001:db8::1/128', '::/0'].map(
      (t) => {
        const p = parseAddress(t);
        if (!p.ok) throw new Error(t);
        return p.set;
      },
    );
    let checked = 0;
    for (const fw of m.firewalls) {
      for (const src of sets) {
        for (const dst of sets) {
          for (const box of makeBoxes(TCP, src, PortSet.ALL, dst, PortSet.range(443, 443))) {
            for (const d of ['inbound', 'outbound'] as const) {
              expect(crossesSome(fw, d, box), `${fw.name} ${d}`).toBe(crossings(fw, d, box).length > 0);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});
