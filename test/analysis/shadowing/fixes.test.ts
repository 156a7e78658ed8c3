// The quick fixes and the related information of shadowed-rule and redundant-rule, and the
// promise that the analyses never throw.
import { describe, expect, it } from 'vitest';
import { analyze, check } from '../../../server/src/analysis/analyze';
import { checkShadowing } from '../../../server/src/analysis/shadowing';
import type { Diagnostic, Fix } from '../../../server/src/core/diagnostic';
import { applyEdits } from '../../../server/src/core/edits';
import { simulateAll } from '../../../server/src/engine/simulate';
import { buildModel } from '../../../server/src/model/resolve';
import { fixtureFiles } from '../../support/fixtureFiles';

function diagnostics(text: string, code: string): Diagnostic[] {
  return check('/t.fw', text).diagnostics.filter((d) => d.code === code);
}

function fix(d: Diagnostic, title: RegExp): Fix {
  const f = d.fixes?.find((x) => title.test(x.title));
  if (!f) throw new Error(`no fix ${title} among ${d.fixes?.map((x) => x.title).join(', ')}`);
  return f;
}

const apply = (text: string, f: Fix) => applyEdits(text, f.edits).text;
const slice = (text: string, s: { start: number; end: number }) => text.slice(s.start, s.end);
/** Every flow's request verdict, to compare a file before and after a fix. */
const verdicts = (text: string) => simulateAll(buildModel('/t.fw', text)).map((r) => `${r.flow.text}: ${r.request.verdict}`);

describe('shadowed-rule fixes', () => {
  const unnumbered = `host web 10.0.1.10
firewall fw stateless protects 10.0.1.0/24 {
  inbound deny tcp to web          # block web
  # fw-ignore missing-response
  inbound allow tcp from 198.51.100.7 to web port 22   # ops
  inbound allow udp to web port 53
}
flow 198.51.100.7 -> web tcp 22
`;

  it('removes the rule with its line, its trailing comment and its fw-ignore line; not safe', () => {
    const [d] = diagnostics(unnumbered, 'shadowed-rule');
    const f = fix(d!, /^Remove this rule/);
    expect(f.safe).toBe(false);
    expect(apply(unnumbered, f)).toBe(
      unnumbered.replace('  # fw-ignore missing-response\n  inbound allow tcp from 198.51.100.7 to web port 22   # ops\n', ''),
    );
  });

  it('names the covering rule and points at it', () => {
    const [d] = diagnostics(unnumbered, 'shadowed-rule');
    expect(d!.message).toBe('this rule can never match: the rule on line 3 comes first and denies everything this rule would allow');
    expect(d!.related!.map((r) => [slice(unnumbered, r.span), r.message])).toEqual([
      ['inbound deny tcp to web', 'the rule on line 3 denies every packet of the shadowed rule first'],
    ]);
    expect(d!.tags).toBeUndefined();
    expect(d!.severity).toBe('warning');
  });

  it('moves an unnumbered deny above the allow that covers it', () => {
    const text = `host web 10.0.1.10
firewall fw stateless protects 10.0.1.0/24 {
  inbound allow tcp to web port 22
  inbound deny tcp from 198.51.100.7 to web port 22   # the lost laptop
  inbound allow udp to web port 53
}
flow 198.51.100.7 -> web tcp 22
`;
    const [d] = diagnostics(text, 'shadowed-rule');
    const f = fix(d!, /^Move above the rule on line 3$/);
    expect(f.safe).toBe(false);
    const moved = apply(text, f);
    expect(moved).toBe(`host web 10.0.1.10
firewall fw stateless protects 10.0.1.0/24 {
  inbound deny tcp from 198.51.100.7 to web port 22   # the lost laptop
  inbound allow tcp to web port 22
  inbound allow udp to web port 53
}
flow 198.51.100.7 -> web tcp 22
`);
    expect(diagnostics(moved, 'shadowed-rule')).toEqual([]);
    expect(verdicts(text)).toEqual(['198.51.100.7 -> web tcp 22: allowed']);
    expect(verdicts(moved)).toEqual(['198.51.100.7 -> web tcp 22: blocked']);
  });

  it('never offers to move an allow above the deny that hides it: that would open a hole (spec §8.1 rule 1)', () => {
    const [d] = diagnostics(unnumbered, 'shadowed-rule');
    expect(d!.fixes!.map((f) => f.title)).toEqual(['Remove this rule (it never matches)']);
  });

  it('renumbers a numbered deny to come before the covering allow', () => {
    const text = `firewall acl stateless protects 10.0.1.0/24 {
  100 inbound deny tcp to 10.0.1.0/24 port 23
  110 inbound allow tcp from 203.0.113.0/24 to 10.0.1.0/24
  200 inbound deny tcp from 203.0.113.9 to 10.0.1.10 port 443
}
`;
    const [d] = diagnostics(text, 'shadowed-rule');
    expect(d!.message).toContain('rule 110 comes first and allows everything this rule would deny');
    const f = fix(d!, /^Move above rule 110 \(renumber to 105\)$/);
    const renumbered = apply(text, f);
    expect(renumbered).toContain('  105 inbound deny tcp from 203.0.113.9 to 10.0.1.10 port 443\n');
    expect(diagnostics(renumbered, 'shadowed-rule')).toEqual([]);
  });

  it('offers no move when the covering rules all have the same action', () => {
    const text = 'firewall fw stateless protects 10.0.1.0/24 {\n  inbound allow tcp\n  inbound allow tcp to 10.0.1.1\n}\n';
    const [d] = diagnostics(text, 'shadowed-rule');
    expect(d!.fixes!.map((f) => f.title)).toEqual(['Remove this rule (it never matches)']);
  });

  it('offers to turn around a deny whose packets only cross the other way, never an allow', () => {
    const text = 'host web 10.0.1.10\nfirewall fw stateless protects 10.0.1.0/24 {\n  inbound deny tcp from web to any port 443\n}\n';
    const [d] = diagnostics(text, 'shadowed-rule');
    expect(d!.message).toBe(
      "this rule can never match: an inbound packet of `fw` comes from outside 10.0.1.0/24 (what it protects) and goes to an address inside it, but this rule's source `web` is inside 10.0.1.0/24: packets from it leave the inside (outbound) or stay inside (and do not cross `fw`)",
    );
    expect(d!.related!.map((r) => slice(text, r.span))).toEqual(['10.0.1.0/24']);
    const turned = apply(text, fix(d!, /^Change to outbound$/));
    expect(turned).toContain('  outbound deny tcp from web to any port 443\n');
    expect(diagnostics(turned, 'shadowed-rule')).toEqual([]);
    // Turning an allow around would open new connections (spec §8.1 rule 1): explained, not offered.
    const allow = text.replace('inbound deny', 'inbound allow');
    const [a] = diagnostics(allow, 'shadowed-rule');
    expect(a!.fixes!.map((f) => f.title)).toEqual(['Remove this rule (it never matches)']);
  });

  it('on an aws-nacl, turns a deny around only into a rule the ACL can say (§8.1 rule 4)', () => {
    const acl = (rule: string) => `network inside 10.0.1.0/24\nhost web 10.0.1.10\nfirewall fw aws-nacl protects inside {\n  ${rule}\n}\n`;
    // Turned, `from web` would be the inside side of an outbound rule: less than the whole inside.
    const [d] = diagnostics(acl('10 inbound deny tcp from web'), 'shadowed-rule');
    expect(d!.fixes!.map((f) => f.title)).toEqual(['Remove this rule (it never matches)']);
    // `from inside` is the whole inside: turned, it is a rule the ACL can say, and it matches.
    const text = acl('10 inbound deny tcp from inside to any port 443');
    const [e] = diagnostics(text, 'shadowed-rule');
    const turned = apply(text, fix(e!, /^Change to outbound$/));
    expect(turned).toBe(acl('10 outbound deny tcp from inside to any port 443'));
    expect(check('/t.fw', turned).diagnostics.filter((x) => x.code === 'shadowed-rule' || x.severity === 'error')).toEqual([]);
  });

  it('removes only the rule when it shares its line with other text', () => {
    const text = 'firewall fw stateless protects 10.0.1.0/24 { inbound allow tcp  inbound allow tcp to 10.0.1.1 }\n';
    const [d] = diagnostics(text, 'shadowed-rule');
    expect(apply(text, fix(d!, /^Remove/))).toBe('firewall fw stateless protects 10.0.1.0/24 { inbound allow tcp  }\n');
  });
});

describe('redundant-rule fixes', () => {
  const text = `host web 10.0.1.10
firewall fw stateless protects 10.0.1.0/24 {
  100 inbound allow tcp from 198.51.100.0/24 to web port 443
  200 inbound allow tcp to 10.0.1.0/24 port 443
  300 inbound deny udp to web port 53
}
flow 198.51.100.9 -> web https
flow 203.0.113.1 -> web udp 53
`;

  it('is a hint with the unnecessary tag, naming and pointing at what decides instead', () => {
    const ds = diagnostics(text, 'redundant-rule');
    expect(ds.map((d) => [slice(text, d.span), d.severity, d.tags, d.message])).toEqual([
      [
        '100 inbound allow tcp from 198.51.100.0/24 to web port 443',
        'hint',
        ['unnecessary'],
        'removing this rule changes no verdict: the packets it decides would be allowed anyway, by rule 200',
      ],
      [
        '300 inbound deny udp to web port 53',
        'hint',
        ['unnecessary'],
        'removing this rule changes no verdict: the packets it decides would be denied anyway, by the default of `fw` (deny)',
      ],
    ]);
    expect(ds[0]!.related!.map((r) => [slice(text, r.span), r.message])).toEqual([
      ['200 inbound allow tcp to 10.0.1.0/24 port 443', 'rule 200 allows them too'],
    ]);
  });

  it('removes the rule (a safe fix) and no flow changes its verdict', () => {
    let fixed = text;
    const ds = diagnostics(text, 'redundant-rule');
    for (const d of ds) expect(fix(d, /^Remove this redundant rule$/).safe).toBe(true);
    fixed = applyEdits(
      text,
      ds.flatMap((d) => d.fixes![0]!.edits),
    ).text;
    expect(fixed).toBe(
      text
        .replace('  100 inbound allow tcp from 198.51.100.0/24 to web port 443\n', '')
        .replace('  300 inbound deny udp to web port 53\n', ''),
    );
    expect(verdicts(fixed)).toEqual(verdicts(text));
    expect(diagnostics(fixed, 'redundant-rule')).toEqual([]);
  });

  it('reports only the rules whose removal is safe together with the earlier ones (spec §8.1 rule 2)', () => {
    const chain =
      'firewall fw stateless protects 10.0.1.0/24 {\n  inbound allow tcp port 1-2\n  inbound allow tcp port 1-3\n  inbound allow tcp port 2-3\n}\n'.replace(
        /tcp port/g,
        'tcp to 10.0.1.10 port',
      );
    const ds = diagnostics(chain, 'redundant-rule');
    expect(ds.map((d) => d.fixes![0]!.safe)).toEqual([true]);
    expect(ds.map((d) => d.span.start)).toEqual([chain.indexOf('inbound allow tcp to 10.0.1.10 port 1-2')]);
  });
});

describe('the analyses never throw', () => {
  it('on every prefix of every fixture (broken, half-written text)', () => {
    const texts = [...fixtureFiles('shadowed-rule'), ...fixtureFiles('redundant-rule')].map(([, t]) => t);
    for (const text of texts) {
      for (let n = 0; n <= text.length; n += 7) {
        const model = buildModel('/t.fw', text.slice(0, n));
        for (const fw of model.firewalls) expect(() => checkShadowing({ model, flowResults: [] }, fw)).not.toThrow();
        // analyze() turns a throwing check into an "internal error" diagnostic: there must be none.
        expect(analyze(model).diagnostics.filter((d) => d.message.startsWith('internal error'))).toEqual([]);
      }
    }
  });

  it('skips invalid firewalls and invalid rules', () => {
    const text = `firewall fw stateless protects nosuch {
  inbound allow tcp
  inbound allow tcp
}
firewall ok stateless protects 10.0.1.0/24 {
  inbound allow tcp from typo
  inbound allow tcp from typo
  inbound allow udp
}
`;
    const codes = check('/t.fw', text)
      .diagnostics.map((d) => d.code)
      .filter((c) => c === 'shadowed-rule' || c === 'redundant-rule');
    expect(codes).toEqual([]);
  });
});

describe('rules the parser had to recover', () => {
  it('are out of the model, while whole rules around them still count', () => {
    // `inbound allow tcp port 22` is broken at `port`: that rule is half-written and counts for
    // nothing. The parser resumes at the next line's `inbound` (the `22` is never read as a
    // rule number, spec §8.1 rule 5), and the whole rule `inbound allow tcp` before it does
    // take every packet that one would.
    const text = `firewall sg stateful protects 10.0.1.10 {
  inbound allow udp to 10.0.1.10 port 53
  inbound allow udp to 10.0.1.10 port 53
  inbound allow tcp
  inbound allow tcp port 22
  inbound allow tcp to 10.0.1.10 port 80
}
`;
    const a = check('/t.fw', text);
    expect(a.diagnostics.some((d) => d.code === 'syntax')).toBe(true);
    expect(a.model.firewalls[0]!.rules.map((r) => r.valid)).toEqual([true, true, true, false, true]);
    const mine = a.diagnostics.filter((d) => d.code === 'shadowed-rule' || d.code === 'redundant-rule');
    expect(mine.map((d) => [text.slice(d.span.start, d.span.end), d.code, d.message.replace(/^.*: /, '')])).toEqual([
      [
        'inbound allow udp to 10.0.1.10 port 53',
        'shadowed-rule',
        'the rule on line 2 comes first and already allows everything this rule would allow',
      ],
      [
        'inbound allow tcp to 10.0.1.10 port 80',
        'shadowed-rule',
        'the rule on line 4 comes first and already allows everything this rule would allow',
      ],
    ]);
    // Nothing is said about the half-written rule itself, nor does it cover anything.
    const broken = text.indexOf('inbound allow tcp port 22');
    expect(mine.filter((d) => d.span.start === broken)).toEqual([]);
  });
});
