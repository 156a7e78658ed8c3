// What the fuzzer found, each pinned by the smallest input that showed it (the saved cases
// were larger: a mutated sample, or an edit sequence over stdio).

import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { LineIndex } from '../../server/src/core/text';
import { refusalHead, refusalOf, refusalsOf } from '../../server/src/analysis/flowPath';
import { completion } from '../../server/src/features/completion';
import { MAX_DIAGNOSTICS_PER_CODE, toLspDiagnostics } from '../../server/src/features/diagnostics';
import { topologySvg } from '../../server/src/pictures/topology';
import { pictureAt, withPortsPicture } from '../../server/src/features/pictures';
import { hover } from '../../server/src/features/hover';
import { buildModel } from '../../server/src/model/resolve';
import type { FlowDecl } from '../../server/src/syntax/ast';
import { nextTokens } from '../../server/src/syntax/assist';
import { IncrementalParser } from '../../server/src/syntax/incremental';
import { LensState, codeLenses, resolveCodeLens } from '../../server/src/features/simulation';
import { docContext } from '../support/docContext';

describe('fuzzer findings', () => {
  // sequence 19 of seed 20250101: a paste made ~40 firewall headers in a row, each box inside
  // the one before; the topology request overflowed elk's stack ("Maximum call stack size").
  it('the topology of firewalls nested hundreds deep is a line saying why, not a stack overflow', async () => {
    const text =
      'host web 10.0.1.10\n' + Array.from({ length: 300 }, (_, i) => `firewall f${i} stateless protects 10.0.1.0/24 {\n}\n`).join('');
    const svg = await topologySvg(buildModel('/x.fw', text));
    expect(svg).toMatch(/too much to draw: \d+ boxes, firewalls nested more than 40 deep/);
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  });

  it('a topology of a few nested firewalls is still drawn', async () => {
    const text =
      'host web 10.0.1.10\n' + Array.from({ length: 5 }, (_, i) => `firewall f${i} stateless protects 10.0.1.0/24 {\n}\n`).join('');
    const svg = await topologySvg(buildModel('/x.fw', text));
    expect(svg).not.toMatch(/too much to draw|layout failed/);
    expect(svg).toContain('firewall f4');
  });

  // documents 31, 499, 552 of seed 11: completion in a 1 MB line read the whole line, then
  // walked the grammar over 200,000 tokens (2.4 s).
  it('no completion after 10,000 characters of a line; none from a 20,000-character statement', () => {
    const long = `host a 10.0.0.1\nnetwork n ${'10.0.0.1, '.repeat(2000)}`;
    const ctx = docContext(long);
    expect(completion(ctx, ctx.lines.position(long.length))).toEqual([]);
    const manyLines = `host a 10.0.0.1\nnetwork n ${'10.0.0.1,\n  '.repeat(3000)}`;
    const ast = analyze(buildModel('/x.fw', manyLines)).model.ast;
    expect(nextTokens(manyLines, ast, manyLines.length)).toEqual([]);
    // A statement of ordinary length still gets its completions.
    const short = 'host a 10.0.0.1\nflow a -> ';
    const c = docContext(short);
    expect(completion(c, c.lines.position(short.length)).map((i) => i.label)).toContain('a');
  });

  // document 773 of seed 11: 50,000 firewall headers; each firewall's response checks searched
  // the whole 2 MB text for "\r\n", and each error looked through every flow for its own
  // (refusalsOf): minutes. The binary search must still give each flow its own errors.
  it('each flow gets the errors inside it, among many flows', () => {
    const flows = Array.from({ length: 200 }, (_, i) => (i % 7 === 3 ? `flow a -> nosuch${i} https` : 'flow a -> a https')).join('\n');
    const text = `host a 10.0.0.1\n${flows}\n`;
    const model = buildModel('/x.fw', text);
    const r = refusalsOf(model);
    const stmts = model.ast.statements.filter((s): s is FlowDecl => s.kind === 'flow');
    expect(stmts).toHaveLength(200);
    stmts.forEach((s, i) => {
      const errors = refusalOf(r, s);
      if (i % 7 === 3) expect(errors.map((d) => d.message).join()).toContain(`nosuch${i}`);
      else expect(errors).toEqual([]);
    });
  });

  // sequence 7 of seed 7: a pasted line repeated 2,000 times published 2,017 diagnostics.
  it('the editor lists 100 diagnostics of a code, then one that says how many more', () => {
    const text = Array.from({ length: 250 }, () => 'host a 10.0.0.1').join('\n') + '\n';
    const ctx = docContext(text);
    const dup = toLspDiagnostics(ctx).filter((d) => d.code === 'duplicate-name');
    expect(dup).toHaveLength(MAX_DIAGNOSTICS_PER_CODE + 1);
    const more = dup.at(-1)!;
    expect(more.severity).toBe(3);
    expect(more.message).toBe(
      '149 more `duplicate-name` diagnostics in this file, from here on, not listed: the editor lists the first 100 of each code (`fwlang check` lists them all)',
    );
    // It sits on the first one left out (line 102: line 1 declares, lines 2–101 are listed).
    expect(more.range.start.line).toBe(101);
    // check (the analysis) still has them all.
    expect(ctx.analysis.diagnostics.filter((d) => d.code === 'duplicate-name')).toHaveLength(249);
  });

  it('codes turned off do not count toward the limit', () => {
    const text = Array.from({ length: 150 }, () => 'host a 10.0.0.1').join('\n') + '\n';
    const ctx = { ...docContext(text), settings: { defaultEphemeral: '', severity: { 'duplicate-name': 'off' } } };
    expect(toLspDiagnostics(ctx).filter((d) => d.code === 'duplicate-name')).toEqual([]);
  });

  // The 10 MB document of the protocol tests: 450,000 declarations in one chunk of the editor's
  // incremental parser were pushed with push(...spread), more arguments than the stack holds;
  // the editor showed "internal error in the parser" and nothing else.
  it("the editor's parser takes 200,000 statements in one piece", () => {
    const text = 'host twin 10.20.30.40\n'.repeat(200_000);
    const r = new IncrementalParser().parse(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.statements).toHaveLength(200_000);
  });

  // A file of 300,000 flows: analyze threw "Maximum call stack size exceeded" (the same spread
  // of the file checks' diagnostics), and the code lenses searched the results once per flow.
  it('analyze and the lenses take 200,000 flows', () => {
    const text = `host a 10.0.0.1\n${'flow a -> a https expect deny\n'.repeat(200_000)}`;
    const ctx = docContext(text);
    expect(ctx.analysis.diagnostics.filter((d) => d.code === 'internal')).toEqual([]);
    expect(ctx.analysis.diagnostics.filter((d) => d.code === 'flow-expectation')).toHaveLength(200_000);
    const lenses = codeLenses(ctx, new LensState());
    expect(lenses).toHaveLength(200_000);
    expect(lenses[199_999]!.range.start.line).toBe(200_000);
  }, 60_000);

  // document 18100 of seed 2203: 948 copies of a sample, 64,000 errors outside the flows and
  // 6,600 flows with an error of their own. Each lens joined the file's errors with the flow's
  // (a copy of 64,000 per flow): 65 s of code lenses. A lens needs the first error and how many
  // there are; the file's list is shared by every flow, never copied.
  it("a refused flow's lens names the first error and counts them all, sharing the file's list", () => {
    const flows = Array.from({ length: 300 }, (_, i) => `flow a -> nosuch${i} https`).join('\n');
    const text = `host a 10.0.0.1\n${'host a 10.0.0.2\n'.repeat(400)}${flows}\n`;
    const ctx = docContext(text);
    const refusals = refusalsOf(ctx.analysis.model, ctx.analysis.diagnostics);
    expect(refusals.everything.length).toBeGreaterThanOrEqual(400);
    const stmts = ctx.analysis.model.ast.statements.filter((s): s is FlowDecl => s.kind === 'flow');
    for (const s of [stmts[0]!, stmts[299]!]) {
      const head = refusalHead(refusals, s);
      expect(head.errors).toBe(refusals.everything);
      expect(head.count).toBe(refusalOf(refusals, s).length);
      expect(head.count).toBe(refusals.everything.length + 1);
    }
    const state = new LensState();
    const lenses = codeLenses(ctx, state);
    // Resolving a lens indexes no file again (document 7032 of seed 2503: each lens resolved made
    // the line index of the file to name its error's line, 15 s for a 2 MB file's lenses).
    const made = LineIndex.made;
    const titles = lenses.map((l) => resolveCodeLens(l, state, ctx).command!.title);
    expect(LineIndex.made - made).toBeLessThanOrEqual(1);
    expect(titles).toHaveLength(300);
    expect(new Set(titles)).toEqual(
      new Set([`⚠ Not simulated: duplicate-name error on line 2 (and ${refusals.everything.length} more errors)`]),
    );
  });

  // document 179 of seed 12012: 1,000 copies of a response rule. The ports picture asked, for
  // each response rule, which requests it serves, looking each rule up in the list of response
  // rules: cubic, 2 s per hover of a response rule, and the hover draws the picture. The picture
  // of 2,000 such rules took minutes; the hovers now share one picture per analysis.
  it('the ports picture of a firewall of 2,000 response rules, and the hovers that show it', () => {
    const rules = '  110 outbound allow tcp from shop port 80 to any port 32768-60999\n'.repeat(2000);
    const text = `host shop 10.0.2.20\nfirewall edge stateless protects 10.0.2.0/24 {\n  100 inbound allow tcp from any to shop port 80\n${rules}}\n`;
    const ctx = docContext(text);
    const p = pictureAt(ctx, 3);
    expect(p.kind).toBe('ports');
    const at = text.indexOf('110 outbound');
    const a = withPortsPicture(ctx, at, hover(ctx, at));
    const b = withPortsPicture(ctx, at + 70, hover(ctx, at + 70));
    const image = (h: typeof a) => JSON.stringify(h?.contents).match(/data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+/)?.[0];
    expect(image(a)).toBeDefined();
    expect(image(b)).toBe(image(a));
  }, 30_000);

  // document 9987 of seed 12012: 13 pasted `firewall … protects 10.0.0.0/8 {` lines, then
  // `protects 10.` being typed. Content assist read every unclosed header before the cursor, and
  // its paths doubled with each: 36 s for one completion. The window now starts at the last
  // statement keyword that begins a line, and gives up past four headers on one line.
  it('completion after many unclosed firewall headers is immediate, and still right', () => {
    const lines = `host a 10.0.0.1\n${'firewall f stateless protects 10.0.0.0/8 {\n'.repeat(20)}firewall g stateless protects `;
    const c = docContext(lines);
    expect(completion(c, c.lines.position(lines.length)).map((i) => i.label)).toEqual(['a', 'any']);
    const oneLine = `host a 10.0.0.1\n${'firewall f stateless protects 10.0.0.0/8 { '.repeat(20)}firewall g stateless protects 10.`;
    const d = docContext(oneLine);
    expect(completion(d, d.lines.position(oneLine.length))).toEqual([]);
  }, 30_000);

  // sequence 196 of seed 12012: a paste made 23,000 firewalls, then the topology was asked for;
  // placing each firewall around what it protects took minutes before the box limit was looked at.
  it('the topology of 5,000 firewalls says it is too much before placing any', async () => {
    const text = Array.from({ length: 5000 }, (_, i) => `firewall f${i} stateless protects 10.${i >> 8}.${i & 255}.0/24 {\n}\n`).join('');
    const svg = await topologySvg(buildModel('/x.fw', text));
    expect(svg).toContain('too much to draw: 5000 firewalls and 0 hosts, networks and NAT gateways');
  }, 30_000);
});
