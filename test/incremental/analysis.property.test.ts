// After any sequence of edits, the editor's incremental analysis (incremental parse, resolve
// cache, per-firewall analysis cache) equals a fresh analysis of the final text: diagnostics,
// flows' verdicts and reports, references. FWLANG_INCREMENTAL_RUNS sets the number of
// sequences (npm run test:fuzz runs 10,000 through its `incremental` suite).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../bench/generate';
import { applyEdit, baseTexts, makeSequence } from './edits';
import { Pipeline, fresh, observable } from './pipeline';

/** The AWS VPC guide's example (test/platforms/advice.test.ts pins its advice): ACLs and the security groups behind them. */
const AWS = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'aws-vpc-guide.fw'), 'utf8');

const RUNS = Number(process.env['FWLANG_INCREMENTAL_RUNS'] ?? 150);
const SEED = Number(process.env['FWLANG_INCREMENTAL_SEED'] ?? 12);

describe('incremental analysis', () => {
  const bases = baseTexts();

  it(`equals a fresh analysis after each edit of ${RUNS} random sequences`, () => {
    for (let i = 0; i < RUNS; i++) {
      const s = makeSequence(SEED, i, bases);
      const p = new Pipeline();
      let text = s.start;
      expect(observable(p.analyze(text)), `sequence ${SEED}/${i} (${s.base}) before any edit`).toEqual(observable(fresh(text)));
      s.edits.forEach((e, k) => {
        text = applyEdit(text, e);
        expect(observable(p.analyze(text)), `sequence ${SEED}/${i} (${s.base}) after edit ${k + 1}: ${JSON.stringify(e)}`).toEqual(
          observable(fresh(text)),
        );
      });
    }
  });

  it('re-checks an ACL when a security group that closes its broad responses changes', () => {
    // An aws-nacl's broad-response says whether the security groups of its addresses close
    // the hole (spec §10): edits of those groups alone must reach the ACL's cached analysis.
    const edits: [string, string][] = [
      [
        'firewall public-sg aws-sg protects public {\n',
        'firewall public-sg aws-sg protects public {\n  inbound allow tcp to public port 1024-65535\n',
      ],
      [
        '  inbound  allow tcp from public to private port mssql\n}',
        '  inbound  allow tcp from public to private port mssql\n  inbound allow tcp to private port 32768-65535\n}',
      ],
      ['  outbound allow tcp to private port mssql\n}', '}'],
    ];
    for (const [from, to] of edits) {
      const p = new Pipeline();
      p.analyze(AWS);
      const text = AWS.replace(from, to);
      expect(text).not.toBe(AWS);
      expect(observable(p.analyze(text)), `after ${to}`).toEqual(observable(fresh(text)));
    }
    // (The first edit opens the hole the public group closed: the ACL's advice changes.)
    const broad = (text: string) =>
      fresh(text)
        .diagnostics.filter((d) => d.code === 'broad-response')
        .map((d) => d.message);
    expect(broad(AWS.replace(edits[0]![0], edits[0]![1]))).not.toEqual(broad(AWS));
  });

  it('re-checks a firewall kept from the last version when a name it uses changes', () => {
    // The firewall's text and node stay; what `web` stands for does not: its cached analysis
    // (keyed by its text and the values of its names) must not serve.
    const text =
      'host web 10.0.1.5\nhost db 10.0.2.5\n' +
      'firewall edge stateless protects 10.0.1.0/24 {\n  inbound allow tcp to web port https\n}\n';
    const p = new Pipeline();
    p.analyze(text);
    for (const next of [
      text.replace('10.0.1.5', '10.0.1.6'),
      text.replace('10.0.1.5', '10.0.2.6'),
      text.replace('host web', 'network web'),
    ]) {
      expect(observable(p.analyze(next)), next).toEqual(observable(fresh(next)));
    }
  });

  it('resolves a kept host again when the name of its ephemeral profile comes to stand for something else', () => {
    // Fuzz case 614 of seed 1134: `ephemeral linux` read the built-in profile; then a firewall
    // named `linux` was declared below. The host's node and text stay; its profile does not.
    const text =
      'host bob 198.51.100.23 ephemeral linux\nhost web 10.0.1.5\n' +
      'firewall edge stateless protects 10.0.1.0/24 {\n  inbound allow tcp from bob to web port https\n}\n' +
      'flow bob -> web https expect allow\n';
    for (const shadow of ['firewall linux stateless protects 10.9.0.0/16 {\n}\n', 'host linux 10.0.9.9\n', 'network linux 10.0.8.0/24\n']) {
      const p = new Pipeline();
      p.analyze(text);
      const next = text + shadow;
      expect(observable(p.analyze(next)), next).toEqual(observable(fresh(next)));
      expect(observable(p.analyze(text)), text).toEqual(observable(fresh(text)));
    }
  });

  it('resolves and analyses only the firewall an edit touches', () => {
    let text = generate(10, 40).text;
    const p = new Pipeline();
    const before = p.analyze(text).model;
    const at = text.indexOf('port 8003-8103');
    text = `${text.slice(0, at + 5)}8004${text.slice(at + 9)}`;
    const [h, m, ah, am] = [p.resolveCache.hits, p.resolveCache.misses, p.analysisCache.hits, p.analysisCache.misses];
    const after = p.analyze(text);
    expect(observable(after)).toEqual(observable(fresh(text)));
    expect([p.resolveCache.hits - h, p.resolveCache.misses - m]).toEqual([9, 1]);
    expect([p.analysisCache.hits - ah, p.analysisCache.misses - am]).toEqual([9, 1]);
    // Unchanged declarations keep their symbols (the kept firewalls need not be pointed again).
    for (const name of ['web3', 'subnet7', 'internet', 'https']) expect(after.model.symbols.get(name), name).toBe(before.symbols.get(name));
  });

  it('simulates again only the flows through the firewall an edit touches', () => {
    // One flow per firewall (bench/generate.ts); the edit is in acl5's rules.
    let text = generate(10, 40).text;
    const p = new Pipeline();
    const before = p.analyze(text).flowResults;
    const at = text.indexOf('port 8003-8103', text.indexOf('firewall acl5 '));
    text = `${text.slice(0, at + 5)}8004${text.slice(at + 9)}`;
    const after = p.analyze(text).flowResults;
    expect(after).toHaveLength(10);
    const through = (r: (typeof after)[number]) => r.path.map((f) => f.name).join(',');
    expect(after.map(through)).toEqual(before.map(through));
    // The report objects of the other nine are the ones made before (their flows are new objects).
    const same = after.map((r, i) => r.passed === before[i]!.passed);
    expect(same).toEqual(after.map((r) => through(r) !== 'acl5'));
  });
});
