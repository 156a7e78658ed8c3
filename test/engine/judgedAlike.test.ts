// judgedAlike, the advice guard's test of whether a firewall is judged as it was before a fix:
// when it says yes, judgedKey (the whole text of the rules that judge the firewall) is the same
// for both. It compares a set of security groups once, not within each member's key: a thousand
// groups on one address (fuzz document 30150 of seed 1136) wrote a thousand keys of a thousand
// groups' rules for each version check --fix tried. Counted, not timed: the rule keys written.

import { describe, expect, it } from 'vitest';
import { worseThan } from '../../server/src/analysis/adviceGuard';
import { analyze } from '../../server/src/analysis/analyze';
import { judgedAlike, judgedKey, keyWork } from '../../server/src/engine/firewall';
import { buildModel } from '../../server/src/model/resolve';
import type { Firewall } from '../../server/src/model/types';
import type { Direction } from '../../server/src/syntax/ast';
import { Random } from '../fuzz/random';

const DIRECTIONS: Direction[] = ['inbound', 'outbound'];
const HEAD = 'host web 10.0.0.10\nhost db 10.0.1.20\nnetwork public 10.0.0.0/24\n';
const RULES = [
  'inbound allow tcp from any to web port 443',
  'inbound allow tcp from 192.0.2.0/24 to web port 22',
  'outbound allow tcp from web to db port 1433',
  'outbound allow tcp from web to any port 80',
  'inbound allow tcp from public to db port 1433',
];

/** A random file of security groups, some on one address, some on another, and an ACL. */
function randomFile(r: Random): string {
  let t = HEAD;
  const n = r.int(1, 6);
  for (let i = 0; i < n; i++) {
    const on = r.pick(['web', 'web', 'db']);
    t += `firewall g${r.int(0, 3)} aws-sg protects ${on} {\n`;
    for (let k = r.int(0, 3); k > 0; k--) t += `  ${r.pick(RULES)}\n`;
    t += '}\n';
  }
  if (r.chance(0.5)) t += 'firewall acl aws-nacl protects public {\n  100 inbound allow tcp from any to public port 443\n}\n';
  return t;
}

const firewalls = (text: string): Firewall[] => buildModel('/alike.fw', text).firewalls;

describe('judgedAlike', () => {
  it('says alike only when judgedKey is the same (1,000 random pairs of files, every pair of firewalls)', () => {
    let alike = 0;
    let pairs = 0;
    for (let i = 0; i < 1000; i++) {
      const r = Random.of(77, i);
      const text = randomFile(r);
      // The other version: the same file, or one with a group moved, dropped or changed.
      const other = r.chance(0.3) ? text : randomFile(Random.of(77, r.int(0, 40)));
      const a = firewalls(text);
      const b = firewalls(other);
      for (const x of a)
        for (const y of b)
          for (const d of DIRECTIONS) {
            pairs++;
            if (!judgedAlike(x, y, d)) continue;
            alike++;
            expect(judgedKey(x, d), `${i}: ${x.name} / ${y.name} ${d}\n${text}\n---\n${other}`).toBe(judgedKey(y, d));
          }
    }
    // Both answers were given many times.
    expect(alike).toBeGreaterThan(2000);
    expect(pairs - alike).toBeGreaterThan(2000);
  });

  // Without security groups it compares the firewalls as they are, not their text (writing the
  // text was a quarter of what check --fix's guard spent on a file of 3,644 firewalls): it must
  // still say alike exactly when the texts are the same, or fixes would be checked for nothing.
  it('says alike exactly when judgedKey is the same, for firewalls without groups (1,000 random pairs of files)', () => {
    const kinds = ['stateless', 'stateful', 'aws-nacl'];
    const insides = ['public', 'web', '10.0.0.0/24, 10.0.1.0/24', '2001:db8::/64', 'any'];
    const plain = (r: Random): string => {
      let t = HEAD;
      for (let i = r.int(1, 4); i > 0; i--) {
        const kind = r.pick(kinds);
        const inside = kind === 'aws-nacl' && r.chance(0.5) ? insides[2] : r.pick(insides);
        t += `firewall f ${kind} protects ${inside}${kind !== 'aws-nacl' && r.chance(0.2) ? ' default allow' : ''} {\n`;
        for (let k = r.int(0, 3); k > 0; k--)
          t += `  ${kind === 'aws-nacl' ? `${100 * k} ` : ''}${r.pick([...RULES, RULES[0]!.replace('allow', 'deny')])}\n`;
        t += '}\n';
      }
      return t;
    };
    const nearMiss = (r: Random, text: string): string => {
      const [from, to] = r.pick([
        ['tcp', 'udp'],
        ['to web', 'to db'],
        ['from any', 'from 192.0.2.0/24'],
        ['port 443', 'port 444'],
        ['allow', 'deny'],
        ['10.0.0.0/24, 10.0.1.0/24', '10.0.0.0/23'],
        ['10.0.0.0/24, 10.0.1.0/24', '10.0.0.0/24, 10.0.1.0/24, 10.0.1.0/25'],
        [' {\n', ' default allow {\n'],
        ['default allow', 'default deny'],
      ]);
      const at = [...text.matchAll(new RegExp(from.replace(/[./]/g, '\\$&'), 'g'))].map((m) => m.index);
      if (at.length === 0) return text;
      const i = r.pick(at);
      return text.slice(0, i) + to + text.slice(i + from.length);
    };
    let alike = 0;
    let pairs = 0;
    for (let i = 0; i < 1000; i++) {
      const r = Random.of(78, i);
      const text = plain(r);
      // The other version: the same file, another file, or the same with one near miss (what a
      // fix changes: one word of one rule, the default, how the same addresses are split).
      const other = r.chance(0.2) ? text : r.chance(0.2) ? plain(Random.of(78, r.int(0, 60))) : nearMiss(r, text);
      for (const x of firewalls(text))
        for (const y of firewalls(other))
          for (const d of DIRECTIONS) {
            pairs++;
            const same = judgedKey(x, d) === judgedKey(y, d);
            expect(judgedAlike(x, y, d), `${i}: ${d}\n${text}\n---\n${other}`).toBe(same);
            if (same) alike++;
          }
    }
    expect(alike).toBeGreaterThan(1000);
    expect(pairs - alike).toBeGreaterThan(1000);
  });

  it('finds a group that moved in its set, or whose peer changed, not alike', () => {
    const g = (name: string, rule: string) => `firewall ${name} aws-sg protects web {\n  ${rule}\n}\n`;
    const before = firewalls(HEAD + g('a', RULES[0]!) + g('b', RULES[1]!) + g('c', RULES[2]!));
    const changedPeer = firewalls(HEAD + g('a', RULES[0]!) + g('b', RULES[3]!) + g('c', RULES[2]!));
    const same = firewalls(HEAD + g('a', RULES[0]!) + g('b', RULES[1]!) + g('c', RULES[2]!));
    expect(judgedAlike(before[0]!, same[0]!, 'inbound')).toBe(true);
    expect(judgedAlike(before[0]!, changedPeer[0]!, 'outbound')).toBe(false);
    expect(judgedKey(before[0]!, 'outbound')).not.toBe(judgedKey(changedPeer[0]!, 'outbound'));
  });
});

describe('the advice guard on many copies of a security group', () => {
  /** `n` copies of a group on one address, and an ACL with a rule a fix removes. */
  function copies(n: number, acl: string): string {
    let t = HEAD;
    for (let i = 0; i < n; i++) t += `firewall web-sg aws-sg protects web {\n  ${RULES[0]}\n  ${RULES[3]}\n}\n`;
    return `${t}firewall acl aws-nacl protects public {\n${acl}}\n`;
  }
  // A fix removes the ACL's second rule, a copy of the first: it opens nothing.
  const acl = '  100 inbound allow tcp from any to public port 443\n  110 inbound allow tcp from any to public port 443\n';
  const fixedAcl = '  100 inbound allow tcp from any to public port 443\n';

  it('writes rule keys in proportion to the copies, not their square', () => {
    const work: number[] = [];
    for (const n of [100, 200]) {
      const before = analyze(buildModel('/many.fw', copies(n, acl)));
      const after = analyze(buildModel('/many.fw', copies(n, fixedAcl)));
      keyWork.rules = 0;
      expect(worseThan(before, after)).toBeUndefined();
      work.push(keyWork.rules);
    }
    expect(work[0]).toBeGreaterThan(0);
    expect(work[1]!).toBeLessThanOrEqual(work[0]! * 2.2);
  });
});
