// check --fix analyses the versions it tries incrementally (versionAnalyzer: the editor's
// analysis cache; each version is parsed and resolved whole). What it does must be exactly what
// it does with a fresh parse, resolve and analysis of each version.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnalysisCache, analyze } from '../../server/src/analysis/analyze';
import { type FixAllResult, fixAll, versionAnalyzer } from '../../server/src/analysis/fixAll';
import { buildModel } from '../../server/src/model/resolve';
import { nodeFileHost } from '../../server/src/node/fileHost';
import { IncrementalParser } from '../../server/src/syntax/incremental';

const ROOT = path.resolve(__dirname, '..', '..');

function fwFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? fwFiles(p) : e.name.endsWith('.fw') ? [p] : [];
  });
}

function outcome(r: FixAllResult) {
  return {
    text: r.text,
    applied: r.applied.map((f) => [f.offset, f.code, f.title, f.because]),
    skipped: r.skipped.map((f) => [f.offset, f.code, f.title, f.reason]),
    diagnostics: r.analysis.diagnostics.map((d) => [d.code, d.span.start, d.span.end, d.message]),
    flows: r.analysis.flowResults.map((f) => [f.flow.text, f.verdict, f.met]),
  };
}

/** Many firewalls, each with a safe fix, and a flow failing its expect: a version per fix. */
function many(n: number): string {
  let t = 'host web 10.0.0.5\nhost scanner 198.51.100.66\n';
  for (let i = 0; i < n; i++) {
    t += `firewall f${i} stateless protects 10.${i + 1}.0.0/24 {\n  inbound allow tcp to any port 443\n}\n`;
  }
  t += `firewall g stateless protects web {\n  inbound allow tcp to web port [80, 443]\n  inbound deny tcp from scanner to web port [80, 443]\n`;
  t += `  outbound allow tcp from web port [80, 443] to any port ephemeral\n}\nflow scanner -> web https expect deny\n`;
  return t;
}

describe('check --fix with incremental analysis of its versions', () => {
  const host = nodeFileHost();
  const files = [...fwFiles(path.join(ROOT, 'samples')), ...fwFiles(path.join(ROOT, 'test', 'fixtures'))];

  it.each(files.map((f) => [path.relative(ROOT, f), f]))('%s: the same fixes as with fresh analyses', (_name, file) => {
    const text = fs.readFileSync(file, 'utf8');
    const fresh = fixAll(text, (t) => analyze(buildModel(file, t, host)));
    const incremental = fixAll(text, versionAnalyzer(file, host));
    expect(outcome(incremental)).toEqual(outcome(fresh));
  });

  it.each(files.map((f) => [path.relative(ROOT, f), f]))(
    '%s: the same, the first analysis made elsewhere with its cache',
    (_name, file) => {
      // As the fuzzer does: fixAll's first analysis is the editor's, and the versions it tries
      // are analysed with that analysis's cache.
      const text = fs.readFileSync(file, 'utf8');
      const fresh = fixAll(text, (t) => analyze(buildModel(file, t, host)));
      const analyses = new AnalysisCache();
      const first = analyze(buildModel(file, text, host), analyses);
      const versions = versionAnalyzer(file, host, { analyses });
      expect(outcome(fixAll(text, (t) => (t === text ? first : versions(t))))).toEqual(outcome(fresh));
    },
  );

  it('the same fixes in a file of many firewalls, fix after fix', () => {
    const text = many(12);
    const fresh = fixAll(text, (t) => analyze(buildModel('/x.fw', t)));
    expect(fresh.applied.map((f) => f.code)).toEqual([...Array<string>(12).fill('missing-response'), 'shadowed-rule']);
    expect(fresh.applied.at(-1)!.because).toEqual(['scanner -> web https']);
    expect(outcome(fixAll(text, versionAnalyzer('/x.fw')))).toEqual(outcome(fresh));
  });

  it("given the first analysis's cache, the first try analyses only the firewall it fixed", () => {
    let text = 'host web 10.0.0.5\n';
    for (let i = 0; i < 10; i++) {
      text += `firewall f${i} stateless protects 10.${i + 1}.0.0/24 {\n  inbound allow tcp to any port 443\n`;
      text += `  outbound allow tcp from any port 443 to any port ephemeral\n}\n`;
    }
    text += 'firewall last stateless protects 10.99.0.0/24 {\n  inbound allow tcp to any port 443\n}\n';
    const fresh = fixAll(text, (t) => analyze(buildModel('/x.fw', t)));
    expect(fresh.applied.map((f) => f.code)).toEqual(['missing-response']);
    const analyses = new AnalysisCache();
    const first = analyze(buildModel('/x.fw', text), analyses);
    const versions = versionAnalyzer('/x.fw', undefined, { analyses });
    const [hits, misses] = [analyses.hits, analyses.misses];
    expect(outcome(fixAll(text, (t) => (t === text ? first : versions(t))))).toEqual(outcome(fresh));
    expect([analyses.hits - hits, analyses.misses - misses]).toEqual([10, 1]);
  });
});

describe("versionAnalyzer's parser", () => {
  /** What fixAll reads of an earlier version's analysis: its diagnostics' and firewalls' places. */
  const places = (a: ReturnType<ReturnType<typeof versionAnalyzer>>) => ({
    diagnostics: a.diagnostics.map((d) => [d.code, d.span.start, d.span.end, d.message, d.fixes?.map((f) => f.edits)]),
    firewalls: a.model.firewalls.map((fw) => [fw.name, fw.node.span.start, fw.node.span.end, fw.rules.map((r) => r.node.span.start)]),
  });

  it("leaves an earlier version's analysis as it was, and parses again only the chunk a fix touched", () => {
    // fixAll keeps the analyses of the versions before a try (the offsets of their fixes, the
    // firewalls they are in). The parser of its versions reuses the chunks a fix did not touch,
    // copying those that moved: the editor's moves them in place.
    // Firewalls of more than 512 characters (smaller ones share a chunk), in chunks of about 512.
    const notes = `  # ${'a note. '.repeat(70)}\n`;
    let text = 'host web 10.0.0.5\n';
    for (let i = 0; i < 10; i++) {
      text += `firewall f${i} stateless protects 10.${i + 1}.0.0/24 {\n${notes}  inbound allow tcp to any port 443\n}\n`;
    }
    const versions = versionAnalyzer('/x.fw', undefined, { parser: IncrementalParser.copying({ chunkChars: 512 }) });
    const first = versions(text);
    const before = places(first);
    expect(before.diagnostics.filter((d) => d[0] === 'missing-response')).toHaveLength(10);
    const fixed = fixAll(text, versions);
    expect(fixed.applied).toHaveLength(10);
    expect(places(first)).toEqual(before);
    expect(before).toEqual(places(analyze(buildModel('/x.fw', text))));
    // A fix in the first firewall, one character longer: the nine chunks after it moved, none parsed again.
    const parser = IncrementalParser.copying({ chunkChars: 512 });
    const one = versionAnalyzer('/x.fw', undefined, { parser });
    const a = one(text);
    const next = text.replace('port 443\n', 'port 4430\n');
    const b = one(next);
    expect(parser.parsedChunks).toBe(1);
    expect(parser.movedChunks).toBe(9);
    expect(places(a)).toEqual(before);
    expect(places(b)).toEqual(places(analyze(buildModel('/x.fw', next))));
  });
});
