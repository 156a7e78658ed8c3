// The topology picture (issue 11): read back with an XML parser, it holds a box per endpoint,
// firewall and NAT gateway, each firewall's box around what it protects, an arrow per flow
// from its client's box to its server's in the class of its verdict, a title and a
// description in words. A small case is pinned as a file (test/pictures/__snapshots__/), to
// be looked at as a picture when it changes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../server/src/model/resolve';
import { nodeFileHost } from '../../server/src/node/fileHost';
import { topologySvg } from '../../server/src/pictures/topology';
import { type El, all, hasClass, parseSvg } from './support';

const classesOf = (el: El): string[] => (el.attrs.class ?? '').split(/\s+/).filter(Boolean);
/** Elements below `el` with every one of the classes. */
const byClass = (el: El, ...classes: string[]): El[] => all(el).filter((e) => classes.every((c) => hasClass(e, c)));
/** All the text inside an element, its descendants' included. */
const textIn = (el: El): string => el.text + el.children.map(textIn).join('');

const SAMPLES = path.resolve(__dirname, '..', '..', 'samples');
const T = 60_000;

function sample(name: string) {
  const file = path.join(SAMPLES, name);
  const text = fs.readFileSync(file, 'utf8');
  return { text, model: buildModel(file, text, nodeFileHost()) };
}

/** The line (1-based) where `kind NAME` is declared, read from the text itself. */
function declLine(text: string, kind: string, name: string): number {
  const i = text.split('\n').findIndex((l) => new RegExp(`^${kind}\\s+${name.replace(/-/g, '\\-')}\\s`).test(l));
  if (i < 0) throw new Error(`no ${kind} ${name}`);
  return i + 1;
}

function box(svg: El, name: string): El {
  const found = all(svg).filter((e) => e.name === 'g' && e.attrs['data-name'] === name);
  expect(found, `one box named ${name}`).toHaveLength(1);
  return found[0]!;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The outline of a box: its (innermost) rect, or the extent of its path (a cloud, a NAT gateway). */
function outline(g: El): Rect {
  const rects = g.children.filter((c) => c.name === 'rect');
  const r = rects[rects.length - 1];
  if (r) return { x: +r.attrs.x!, y: +r.attrs.y!, w: +r.attrs.width!, h: +r.attrs.height! };
  const d = g.children.find((c) => c.name === 'path')!.attrs.d!;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const m of d.matchAll(/([MLHA])\s*([-\d.]+)(?:,([-\d.]+))?/g)) {
    if (m[1] === 'A') continue; // radii
    xs.push(+m[2]!);
    if (m[3] !== undefined) ys.push(+m[3]);
  }
  for (const m of d.matchAll(/A[-\d.]+,[-\d.]+ 0 0 1 ([-\d.]+),([-\d.]+)/g)) {
    xs.push(+m[1]!);
    ys.push(+m[2]!);
  }
  return { x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) };
}

function inside(inner: Rect, outer: Rect): boolean {
  return inner.x > outer.x && inner.y > outer.y && inner.x + inner.w < outer.x + outer.w && inner.y + inner.h < outer.y + outer.h;
}

/** Whether a point lies on the border of a rect (within `tol`) and not far inside or outside it. */
function onBorder(p: { x: number; y: number }, r: Rect, tol = 1.5): boolean {
  const inX = p.x >= r.x - tol && p.x <= r.x + r.w + tol;
  const inY = p.y >= r.y - tol && p.y <= r.y + r.h + tol;
  const nearX = Math.abs(p.x - r.x) <= tol || Math.abs(p.x - (r.x + r.w)) <= tol;
  const nearY = Math.abs(p.y - r.y) <= tol || Math.abs(p.y - (r.y + r.h)) <= tol;
  return inX && inY && (nearX || nearY);
}

/** The first and the last point of a path's `d`. */
function ends(d: string): { first: { x: number; y: number }; last: { x: number; y: number } } {
  const pts = [...d.matchAll(/([-\d.]+),([-\d.]+)/g)].map((m) => ({ x: +m[1]!, y: +m[2]! }));
  return { first: pts[0]!, last: pts[pts.length - 1]! };
}

function flows(svg: El): El[] {
  return byClass(svg, 'flow').filter((e) => e.name === 'g');
}

function verdictOf(g: El): string {
  return classesOf(g).find((c) => ['allowed', 'partial', 'blocked', 'unsimulated'].includes(c))!;
}

describe('topologySvg: samples/catogram.fw', () => {
  const { text, model } = sample('catogram.fw');
  let xml: string;
  let svg: El;
  beforeAll(async () => {
    xml = await topologySvg(model);
    svg = parseSvg(xml);
  }, T);

  it('is an SVG with a title and a description in words', () => {
    expect(svg.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(svg.attrs.role).toBe('img');
    const title = svg.children.find((c) => c.name === 'title')!;
    const desc = svg.children.find((c) => c.name === 'desc')!;
    expect(textIn(title)).toBe('Topology of catogram.fw');
    const words = textIn(desc);
    for (const w of ['bob', 'catogram', 'updates', 'internet', 'edge, stateless', 'catogram-sg, stateful']) expect(words).toContain(w);
    expect(words).toContain('bob -> catogram https: allowed (expect allow: met)');
    expect(words).toContain('bob:51000 -> catogram tcp 22: blocked (expect deny: met)');
    expect(svg.attrs['aria-labelledby']).toBe(`${title.attrs.id} ${desc.attrs.id}`);
  });

  it('has a box per endpoint and firewall, with its name and its declaration line', () => {
    for (const name of ['bob', 'catogram', 'updates']) {
      const g = box(svg, name);
      expect(classesOf(g)).toEqual(expect.arrayContaining(['endpoint', 'host', 'decl']));
      expect(g.attrs['data-line']).toBe(String(declLine(text, 'host', name)));
      expect(textIn(g)).toContain(name);
    }
    const internet = box(svg, 'internet');
    expect(classesOf(internet)).toEqual(expect.arrayContaining(['endpoint', 'cloud', 'decl']));
    expect(internet.attrs['data-line']).toBe(String(declLine(text, 'network', 'internet')));
    const edge = box(svg, 'edge');
    expect(classesOf(edge)).toEqual(expect.arrayContaining(['firewall', 'stateless', 'decl']));
    expect(edge.attrs['data-line']).toBe(String(declLine(text, 'firewall', 'edge')));
    const sg = box(svg, 'catogram-sg');
    expect(classesOf(sg)).toEqual(expect.arrayContaining(['firewall', 'stateful', 'decl']));
    // Stateful: a double border (two rects), stateless: one.
    expect(sg.children.filter((c) => c.name === 'rect')).toHaveLength(2);
    expect(edge.children.filter((c) => c.name === 'rect')).toHaveLength(1);
  });

  it('draws each firewall around what it protects, and nothing else', () => {
    const edge = outline(box(svg, 'edge'));
    const sg = outline(box(svg, 'catogram-sg'));
    const catogram = outline(box(svg, 'catogram'));
    expect(inside(sg, edge)).toBe(true);
    expect(inside(catogram, sg)).toBe(true);
    for (const other of ['bob', 'updates', 'internet']) expect(inside(outline(box(svg, other)), edge), other).toBe(false);
  });

  it('draws each flow from its client to its server, in the class of its verdict, labelled with its service', () => {
    const fs_ = flows(svg);
    expect(fs_.map((g) => [g.attrs['data-line'], verdictOf(g), textIn(g.children.find((c) => c.name === 'text')!)])).toEqual([
      ['22', 'allowed', 'https'],
      ['23', 'allowed', 'https'],
      ['24', 'blocked', 'tcp 22'],
    ]);
    const pairs = [
      ['bob', 'catogram'],
      ['catogram', 'updates'],
      ['bob', 'catogram'],
    ];
    fs_.forEach((g, i) => {
      const paths = g.children.filter((c) => c.name === 'path');
      expect(paths).toHaveLength(1);
      const { first, last } = ends(paths[0]!.attrs.d!);
      expect(onBorder(first, outline(box(svg, pairs[i]![0]!))), `flow ${i} starts at ${pairs[i]![0]}`).toBe(true);
      expect(onBorder(last, outline(box(svg, pairs[i]![1]!))), `flow ${i} ends at ${pairs[i]![1]}`).toBe(true);
      expect(paths[0]!.attrs['marker-end']).toMatch(new RegExp(`^url\\(#.*head-${verdictOf(g)}\\)$`));
    });
  });

  it('keeps every id unique, and every reference points at one of them', () => {
    const ids = all(svg)
      .map((e) => e.attrs.id)
      .filter((x): x is string => !!x);
    expect(new Set(ids).size).toBe(ids.length);
    const refs = [...xml.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(ids).toContain(r);
    for (const r of svg.attrs['aria-labelledby']!.split(' ')) expect(ids).toContain(r);
  });

  it('takes its colours from the theme, with fallbacks', () => {
    const style = all(svg)
      .filter((e) => e.name === 'style')
      .map(textIn)
      .join('\n');
    expect(style).toMatch(/var\(--vscode-charts-green, #[0-9a-f]{6}\)/);
    expect(style).toMatch(/var\(--vscode-charts-red, #[0-9a-f]{6}\)/);
    expect(style).toMatch(/var\(--vscode-charts-orange, #[0-9a-f]{6}\)/);
    expect(style).toMatch(/var\(--vscode-editor-background, #[0-9a-f]{6}\)/);
  });
});

describe('topologySvg: samples/aws-nat.fw', () => {
  const { text, model } = sample('aws-nat.fw');
  let svg: El;
  beforeAll(async () => {
    svg = parseSvg(await topologySvg(model));
  }, T);

  it('has a box per endpoint, firewall and NAT gateway', () => {
    for (const name of ['web', 'dbsrv', 'alice', 'admin', 'site', 'scanner']) {
      expect(classesOf(box(svg, name))).toContain('host');
      expect(box(svg, name).attrs['data-line']).toBe(String(declLine(text, 'host', name)));
    }
    for (const name of ['home', 'public', 'private']) expect(classesOf(box(svg, name))).toContain('network');
    expect(classesOf(box(svg, 'internet'))).toContain('cloud');
    for (const name of ['public-acl', 'private-acl'])
      expect(classesOf(box(svg, name))).toEqual(expect.arrayContaining(['firewall', 'stateless']));
    for (const name of ['web-sg', 'db-sg']) expect(classesOf(box(svg, name))).toEqual(expect.arrayContaining(['firewall', 'stateful']));
    const natgw = box(svg, 'natgw');
    expect(classesOf(natgw)).toEqual(expect.arrayContaining(['nat', 'decl']));
    expect(natgw.attrs['data-line']).toBe(String(declLine(text, 'nat', 'natgw')));
    expect(textIn(natgw)).toContain('10.0.0.5');
  });

  it('puts each subnet, its hosts and its security groups in its network ACL, and the gateway in the public subnet', () => {
    const pub = outline(box(svg, 'public-acl'));
    const priv = outline(box(svg, 'private-acl'));
    for (const name of ['web-sg', 'web', 'public', 'natgw']) expect(inside(outline(box(svg, name)), pub), name).toBe(true);
    for (const name of ['db-sg', 'dbsrv', 'private']) expect(inside(outline(box(svg, name)), priv), name).toBe(true);
    expect(inside(outline(box(svg, 'web')), outline(box(svg, 'web-sg')))).toBe(true);
    expect(inside(outline(box(svg, 'dbsrv')), outline(box(svg, 'db-sg')))).toBe(true);
    for (const name of ['alice', 'admin', 'site', 'scanner', 'home', 'internet']) {
      expect(inside(outline(box(svg, name)), pub), name).toBe(false);
      expect(inside(outline(box(svg, name)), priv), name).toBe(false);
    }
  });

  it('has an arrow per flow in the class of its verdict; the flow through the gateway goes through its box', () => {
    const fs_ = flows(svg);
    expect(fs_.map((g) => [g.attrs['data-line'], verdictOf(g)])).toEqual([
      ['63', 'allowed'],
      ['64', 'allowed'],
      ['65', 'allowed'],
      ['66', 'allowed'],
      ['67', 'blocked'],
      ['68', 'blocked'],
      ['69', 'blocked'],
    ]);
    const nat = fs_.find((g) => g.attrs['data-line'] === '66')!;
    const legs = nat.children.filter((c) => c.name === 'path').map((p) => ends(p.attrs.d!));
    expect(legs).toHaveLength(2);
    expect(onBorder(legs[0]!.first, outline(box(svg, 'dbsrv')))).toBe(true);
    expect(onBorder(legs[0]!.last, outline(box(svg, 'natgw')), 9)).toBe(true); // its pointed ends
    expect(onBorder(legs[1]!.first, outline(box(svg, 'natgw')), 9)).toBe(true);
    expect(onBorder(legs[1]!.last, outline(box(svg, 'site')))).toBe(true);
    expect(textIn(nat.children.find((c) => c.name === 'title')!)).toBe('dbsrv -> site https via natgw: allowed (expect allow: met)');
  });
});

describe(
  'topologySvg: small cases',
  () => {
    const PARTIAL = [
      'network internet 0.0.0.0/0',
      'host client 198.51.100.1',
      'host server 10.0.0.1',
      'firewall acl stateless protects server {',
      '  inbound  allow tcp from internet to server port https',
      '  outbound allow tcp from server port https to internet port 32768-65535',
      '}',
      'flow client -> server https',
      'flow client -> server ssh expect allow',
      'flow any -> server https',
      '',
    ].join('\n');

    it('a partial flow is drawn as partial, an address written in a flow gets a box of its own', async () => {
      const svg = parseSvg(await topologySvg(buildModel('/x/small.fw', PARTIAL)));
      expect(flows(svg).map(verdictOf)).toEqual(['partial', 'blocked', 'partial']);
      expect(textIn(svg.children.find((c) => c.name === 'desc')!)).toContain('client -> server ssh: blocked (expect allow: not met)');
      const any = box(svg, 'any');
      expect(classesOf(any)).toContain('cloud');
      expect(classesOf(any)).not.toContain('decl');
      expect(any.attrs['data-line']).toBeUndefined();
    });

    it('is pinned: the SVG of a small case', async () => {
      const xml = await topologySvg(buildModel('/x/small.fw', PARTIAL), { idPrefix: 'small-' });
      await expect(xml).toMatchFileSnapshot('__snapshots__/topology-small.svg');
    });

    it('draws no verdict from a half-read file: every flow is "not simulated"', async () => {
      const broken = PARTIAL.replace('from internet to server port https', 'from nowhere to server port https');
      const svg = parseSvg(await topologySvg(buildModel('/x/small.fw', broken)));
      expect(flows(svg).map(verdictOf)).toEqual(['unsimulated', 'unsimulated', 'unsimulated']);
      expect(textIn(svg.children.find((c) => c.name === 'desc')!)).toContain('client -> server https: not simulated');
    });

    it('a caller may refuse some flows (the CLI and the editor pass their refusals)', async () => {
      const model = buildModel('/x/small.fw', PARTIAL);
      const svg = parseSvg(await topologySvg(model, { refused: (f) => f.text.endsWith('ssh') }));
      expect(flows(svg).map(verdictOf)).toEqual(['partial', 'unsimulated', 'partial']);
    });

    it('a file that declares nothing: a picture that says so, not one of no size', async () => {
      const svg = parseSvg(await topologySvg(buildModel('/x/empty.fw', '# nothing yet\n')));
      expect(+svg.attrs.width!).toBeGreaterThan(100);
      expect(+svg.attrs.height!).toBeGreaterThan(20);
      expect(
        all(svg)
          .filter((e) => e.name === 'text')
          .map(textIn),
      ).toEqual(['nothing to draw: no host, network, NAT gateway or firewall']);
      expect(textIn(svg.children.find((c) => c.name === 'desc')!)).toBe('0 hosts and networks: none. No firewalls. No flows.');
    });

    it('idPrefix keeps two pictures on one page apart', async () => {
      const model = buildModel('/x/small.fw', PARTIAL);
      const a = await topologySvg(model, { idPrefix: 'a-' });
      const b = await topologySvg(model, { idPrefix: 'b-' });
      const ids = (xml: string) =>
        all(parseSvg(xml))
          .map((e) => e.attrs.id)
          .filter(Boolean);
      expect(ids(a).every((id) => id!.startsWith('a-'))).toBe(true);
      expect(ids(b).every((id) => id!.startsWith('b-'))).toBe(true);
      expect(parseSvg(a).attrs.id).toBe('a-fwlang-topology');
    });

    it('a firewall whose inside overlaps another without nesting: a dashed line to what it also protects', async () => {
      const text = [
        'host a 10.0.0.5',
        'host b 10.0.1.5',
        'firewall left stateless protects 10.0.0.0/24 {',
        '}',
        'firewall wide stateful protects 10.0.0.0/25, 10.0.1.0/24 {',
        '}',
        '',
      ].join('\n');
      const svg = parseSvg(await topologySvg(buildModel('/x/overlap.fw', text)));
      // `a` is in both: drawn in the smaller (`wide` holds 384 addresses, `left` 256), tied to the other.
      expect(inside(outline(box(svg, 'a')), outline(box(svg, 'left')))).toBe(true);
      expect(inside(outline(box(svg, 'b')), outline(box(svg, 'wide')))).toBe(true);
      expect(byClass(svg, 'fw-also')).toHaveLength(1);
      expect(textIn(svg.children.find((c) => c.name === 'desc')!)).toMatch(/wide, stateful, protects [^;]*\(a, b\)/);
    });
  },
  T,
);
