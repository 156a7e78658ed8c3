// `fwlang/picture` over stdio (the editor's webview beside a .fw file, issue 11): the flow picture
// of the flow on a line (the same SVG as `fwlang simulate --svg` writes), redrawn from the newest
// text; a flow that is not simulated gets the lens's reason instead; a response rule of a stateless
// firewall gets its ports picture; the topology of the file. The "Show picture" lens and the hover's
// ports image only for a client that says it shows pictures.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol';
import { type PictureAnswer, type PictureParams, PictureRequest } from '../../server/src/protocol';
import { ensureBuilt as ensureCliBuilt, runCli } from '../cli/support';
import { type El, all, hasClass, parseSvg } from '../pictures/support';
import { ROOT, TestClient, fileUri, offsetOf, resolvedLenses } from './client';

const SAMPLES = path.join(ROOT, 'samples');
const CATOGRAM = fs.readFileSync(path.join(SAMPLES, 'catogram.fw'), 'utf8');
/** 0-based line of the first line of `text` holding `needle`. */
const lineOf = (text: string, needle: string) => text.slice(0, offsetOf(text, needle)).split('\n').length - 1;

let client: TestClient; // says it shows pictures, as the VS Code extension does
let plain: TestClient; // says nothing, as Neovim
let n = 0;

beforeAll(async () => {
  [client, plain] = await Promise.all([TestClient.start(SAMPLES, { pictures: true }), TestClient.start(SAMPLES)]);
  ensureCliBuilt();
}, 120_000);

afterAll(async () => {
  await Promise.all([client?.stop(), plain?.stop()]);
});

/** Opens `text` as a new document beside the samples (a file URI: includes would resolve there). */
async function open(text: string, c = client): Promise<string> {
  const uri = fileUri(path.join(SAMPLES, `picture-test-${++n}.fw`));
  await c.open(uri, text);
  await c.diagnosticsFor(uri);
  return uri;
}

const ask = (p: PictureParams, c = client): Promise<PictureAnswer> => c.connection.sendRequest(PictureRequest, p);

function svgOf(a: PictureAnswer): { svg: string; root: El; title: string; desc: string } {
  if (!('svg' in a)) throw new Error(`no picture: ${JSON.stringify(a)}`);
  const root = parseSvg(a.svg);
  const text = (name: string) => root.children.find((e) => e.name === name)?.text ?? '';
  return { svg: a.svg, root, title: text('title'), desc: text('desc') };
}

describe('fwlang/picture: a flow', () => {
  it('the flow on a line: the SVG `fwlang simulate --svg` writes for it, with a caption as the lens says', async () => {
    const uri = await open(CATOGRAM);
    const line = lineOf(CATOGRAM, 'flow bob -> catogram https');
    const a = await ask({ uri, what: 'at', line });
    const { svg, title, desc, root } = svgOf(a);
    expect(a).toMatchObject({ kind: 'flow', line, caption: 'flow bob -> catogram https: ✔ allowed' });
    expect(title).toBe('bob -> catogram https — allowed');
    expect(desc).toMatch(/allowed/);
    // Each hop label names the line of its rule: 100 (line 10) lets the request in, 110 (line 11) the response out.
    const hops = all(root).filter((e) => hasClass(e, 'hop-label') && e.attrs['data-line']);
    expect(hops.map((e) => e.attrs['data-line'])).toEqual(expect.arrayContaining(['10', '11']));

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-pictures-'));
    try {
      const r = runCli(['simulate', 'catogram.fw', '--svg', dir], SAMPLES);
      expect(r.stderr).toBe('');
      expect(svg).toBe(fs.readFileSync(path.join(dir, `${line + 1}.svg`), 'utf8'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('any line of a flow written over several lines gives its picture, with the line it starts on', async () => {
    const text = CATOGRAM.replace('flow catogram -> updates https expect allow', 'flow catogram -> updates\n  https\n  expect allow');
    const uri = await open(text);
    const start = lineOf(text, 'flow catogram -> updates');
    const a = await ask({ uri, what: 'at', line: start + 2 });
    expect(a).toMatchObject({ kind: 'flow', line: start });
    expect(svgOf(a).title).toBe('catogram -> updates https — allowed');
  });

  it('after an edit, the picture comes from the new text: rule 110 denied, the flow is blocked', async () => {
    const uri = await open(CATOGRAM);
    const line = lineOf(CATOGRAM, 'flow bob -> catogram https');
    expect(svgOf(await ask({ uri, what: 'at', line })).title).toMatch(/— allowed$/);
    const at = offsetOf(CATOGRAM, '110 outbound allow') + '110 outbound '.length;
    await client.replace(uri, at, at + 'allow'.length, 'deny');
    // asked at once, without waiting for the diagnostics: the server answers from the newest version
    const a = await ask({ uri, what: 'at', line });
    expect(svgOf(a).title).toBe('bob -> catogram https — blocked');
    expect('caption' in a && a.caption).toBe('flow bob -> catogram https: ✘ blocked at edge#110');
  });

  it('a flow that is not simulated: no picture, the reason its lens gives', async () => {
    const text = CATOGRAM.replace('to catogram port https                # request in', 'to catogrm port https # request in');
    const uri = await open(text);
    const line = lineOf(text, 'flow bob -> catogram https');
    const a = await ask({ uri, what: 'at', line });
    expect('svg' in a).toBe(false);
    expect(a).toMatchObject({ kind: 'flow', line });
    const error = 'error' in a ? a.error : '';
    expect(error).toMatch(/^`bob -> catogram https` is not simulated: unknown-name error on line 10: unknown host or network `catogrm`/);
    const lenses = await resolvedLenses(client, uri);
    const lens = lenses.find((l) => l.range.start.line === line && l.command?.title.startsWith('⚠'));
    expect(lens?.command?.title).toBe('⚠ Not simulated: unknown-name error on line 10');
  });

  it('a line with no flow and no response rule: nothing (the panel keeps its picture)', async () => {
    const uri = await open(CATOGRAM);
    for (const needle of ['# Bob browses', '100 inbound  allow', 'host    bob']) {
      expect(await ask({ uri, what: 'at', line: lineOf(CATOGRAM, needle) })).toMatchObject({ nothing: true });
    }
  });

  it('bad questions get an answer, not a crash', async () => {
    const uri = await open(CATOGRAM);
    expect(await ask({ uri, what: 'at' })).toEqual({ error: 'missing line' });
    expect(await ask({ uri: fileUri('/nowhere/closed.fw'), what: 'at', line: 0 })).toEqual({ error: 'the document is not open' });
    expect(client.alive).toBe(true);
  });
});

describe('fwlang/picture: ports and topology', () => {
  it("a response rule of a stateless firewall: that firewall's ports picture, its bars clickable to their lines", async () => {
    const uri = await open(CATOGRAM);
    const line = lineOf(CATOGRAM, '110 outbound allow');
    const a = await ask({ uri, what: 'at', line });
    expect(a).toMatchObject({ kind: 'ports', line });
    const { root, title } = svgOf(a);
    expect(title).toMatch(/edge/);
    const bars = all(root).filter((e) => hasClass(e, 'hop-label') && e.attrs['data-line']);
    expect(bars.map((e) => e.attrs['data-line'])).toEqual(expect.arrayContaining(['11', '13']));
  });

  it('a response rule of a stateful firewall gets no ports picture', async () => {
    const text =
      'host web 10.0.1.10\nfirewall sg stateful protects web {\n  outbound allow tcp from web port 443 to any port 32768-60999\n}\n';
    const uri = await open(text);
    expect(await ask({ uri, what: 'at', line: 2 })).toMatchObject({ nothing: true });
  });

  it('the topology: a box per declaration with its line, an arrow per flow; flows of a file with errors drawn as not simulated', async () => {
    const uri = await open(CATOGRAM);
    const a = await ask({ uri, what: 'topology' });
    expect(a).toMatchObject({ kind: 'topology', line: null, caption: 'topology' });
    const { root } = svgOf(a);
    const decls = all(root).filter((e) => hasClass(e, 'decl'));
    expect(Object.fromEntries(decls.map((e) => [e.attrs['data-name'], e.attrs['data-line']]))).toMatchObject({
      bob: '3',
      catogram: '4',
      edge: '9',
    });
    const flows = all(root).filter((e) => hasClass(e, 'flow'));
    expect(flows.map((e) => e.attrs.class).sort()).toEqual(['flow allowed', 'flow allowed', 'flow blocked']);

    const broken = await open(CATOGRAM.replace('from internet to catogram port https     ', 'from internet to catogrm port https     '));
    const b = await ask({ uri: broken, what: 'topology' });
    expect('caption' in b && b.caption).toMatch(/not simulated/);
    expect(all(svgOf(b).root).filter((e) => hasClass(e, 'flow') && !hasClass(e, 'unsimulated'))).toEqual([]);
  });
});

describe('fwlang/picture: a file that includes another (test/fixtures/include-picture)', () => {
  // Its own workspace folder: the editor reads includes only inside the folders.
  const dir = path.join(ROOT, 'test', 'fixtures', 'include-picture');
  const main = path.join(dir, 'main.fw');
  const edge = path.join(dir, 'shared', 'edge.fw');
  const MAIN = fs.readFileSync(main, 'utf8');
  const EDGE = fs.readFileSync(edge, 'utf8');
  let c: TestClient;
  let uri: string;
  beforeAll(async () => {
    c = await TestClient.start(dir, { pictures: true });
    uri = fileUri(main);
    await c.open(uri, MAIN);
    await c.diagnosticsFor(uri);
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
  });

  it("a hop decided by the included firewall's rule: its label names that file and the rule's line in it", async () => {
    const a = await ask({ uri, what: 'at', line: lineOf(MAIN, 'flow bob -> web https') }, c);
    const hops = all(svgOf(a).root).filter((e) => hasClass(e, 'hop-label') && e.attrs['data-line']);
    expect(hops.map((e) => [e.attrs['data-line'], e.attrs['data-file']])).toEqual([
      [String(lineOf(MAIN, 'outbound allow tcp to web') + 1), undefined],
      [String(lineOf(EDGE, 'inbound  allow tcp from any to web') + 1), edge],
      [String(lineOf(EDGE, 'outbound allow tcp from web') + 1), edge],
    ]);
  });

  it('the topology: the boxes of the included host and firewall are clickable to their file and line', async () => {
    const { root } = svgOf(await ask({ uri, what: 'topology' }, c));
    const decls = all(root).filter((e) => hasClass(e, 'decl'));
    expect(Object.fromEntries(decls.map((e) => [e.attrs['data-name'], [e.attrs['data-line'], e.attrs['data-file']]]))).toEqual({
      bob: [String(lineOf(MAIN, 'host bob') + 1), undefined],
      home: [String(lineOf(MAIN, 'firewall home') + 1), undefined],
      web: [String(lineOf(EDGE, 'host web') + 1), edge],
      edge: [String(lineOf(EDGE, 'firewall edge') + 1), edge],
    });
  });
});

describe('"Show picture" lens and the hover image: only for a client that shows pictures', () => {
  it('a "Show picture" lens beside each simulated flow\'s "▶ Simulate", none beside a flow that is not simulated', async () => {
    const text = CATOGRAM + 'flow bob -> nobody https\n';
    const uri = await open(text);
    const lenses = await resolvedLenses(client, uri);
    const pictures = lenses.filter((l) => l.command?.command === 'fwlang.showPicture');
    const flowLines = ['flow bob -> catogram https', 'flow catogram -> updates', 'flow bob:51000'].map((f) => lineOf(text, f));
    expect(pictures.map((l) => l.range.start.line)).toEqual(flowLines);
    for (const l of pictures) {
      expect(l.command?.title).toBe('Show picture');
      expect(l.command?.arguments).toEqual([{ uri, line: l.range.start.line }]);
      expect(lenses.some((x) => x.range.start.line === l.range.start.line && x.command?.title === '▶ Simulate')).toBe(true);
    }

    const other = await open(text, plain);
    const theirs = await resolvedLenses(plain, other);
    expect(theirs.filter((l) => l.command?.command === 'fwlang.showPicture')).toEqual([]);
    expect(theirs.filter((l) => l.command?.title === '▶ Simulate')).toHaveLength(3);
  });

  it("the hover of a response rule ends with the firewall's ports picture as a data: image; other hovers have none", async () => {
    const uri = await open(CATOGRAM);
    const hoverAt = async (needle: string, c = client, u = uri) => {
      const h = await c.connection.sendRequest(HoverRequest.type, {
        textDocument: { uri: u },
        position: c.docs.get(u)!.positionAt(offsetOf(CATOGRAM, needle)),
      });
      return (h?.contents as MarkupContent | undefined)?.value ?? '';
    };
    const value = await hoverAt('allow tcp from catogram port https to internet port ephemeral');
    expect(value).toMatch(/RESPONSE rule/);
    const m = value.match(/\n\n!\[ports of edge: what its response rules open\]\(data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)\)$/);
    expect(m, value.slice(-300)).toBeTruthy();
    const svg = Buffer.from(m![1]!, 'base64').toString('utf8');
    const root = parseSvg(svg);
    expect(root.children.find((e) => e.name === 'title')?.text).toMatch(/edge/);
    // inside an <img> the theme's variables are not defined: the picture brings a white background for its fallback colours
    expect(svg).toContain('<rect width="100%" height="100%" fill="#ffffff"/>');

    expect(await hoverAt('allow tcp from internet to catogram port https')).not.toContain('data:image'); // a request rule
    expect(await hoverAt('outbound allow tcp from catogram port https to internet')).not.toContain('data:image'); // its direction
    const other = await open(CATOGRAM, plain);
    const theirs = await hoverAt('allow tcp from catogram port https to internet port ephemeral', plain, other);
    expect(theirs).toMatch(/RESPONSE rule/);
    expect(theirs).not.toContain('data:image');
  });
});
