// Pictures of a file that includes another (test/fixtures/include-picture): what is clickable and
// written in the included file (a hop decided by its firewall's rule, the box of a host or a
// firewall declared there, a ports picture's rule) carries `data-file` with that file's path and
// its line there, when the picture is drawn for the editor. `fwlang simulate --json` and the
// CLI's pictures name no file. The client's panel opens only the files a picture names.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesNamedIn } from '../../client/src/pictureFiles';
import { simulateFlow } from '../../server/src/engine/simulate';
import { buildModel } from '../../server/src/model/resolve';
import type { Model } from '../../server/src/model/types';
import { nodeFileHost } from '../../server/src/node/fileHost';
import { firewallModes, flowSvg } from '../../server/src/pictures/flow';
import { portsSvg } from '../../server/src/pictures/ports';
import { topologySvg } from '../../server/src/pictures/topology';
import { flowJson, modelLines } from '../../server/src/report/flowReport';
import { type El, all, hasClass, parseSvg } from './support';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'include-picture');
const MAIN = path.join(FIXTURE, 'main.fw');
const EDGE = path.join(FIXTURE, 'shared', 'edge.fw');

function modelAt(file: string): Model {
  const model = buildModel(file, fs.readFileSync(file, 'utf8'), nodeFileHost());
  expect(model.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return model;
}

/** The 1-based line of `needle` in `file`. */
function lineIn(file: string, needle: string): number {
  const i = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no ${needle} in ${file}`);
  return i + 1;
}

/** The flow's JSON, with the hops' files as the editor asks for them or without, as the CLI. */
function flowOf(model: Model, hopFiles: boolean) {
  const lines = modelLines(model);
  return flowJson(simulateFlow(model, model.flows[0]!), model, lines, hopFiles ? { hopFiles } : undefined);
}

const hopLabels = (svg: string): El[] => all(parseSvg(svg)).filter((e) => hasClass(e, 'hop-label') && e.attrs['data-line']);
const where = (e: El) => ({ line: e.attrs['data-line'], file: e.attrs['data-file'] });
const box = (svg: string, name: string): El => {
  const found = all(parseSvg(svg)).filter((e) => e.name === 'g' && e.attrs['data-name'] === name);
  expect(found, `one box named ${name}`).toHaveLength(1);
  return found[0]!;
};

describe('the flow picture of a flow through a firewall of an included file', () => {
  it("each hop label of edge (shared/edge.fw) names that file and its rule's line there; home's, of main.fw, no file", () => {
    const model = modelAt(MAIN);
    const svg = flowSvg(flowOf(model, true), { modes: firewallModes(model) });
    const inbound = lineIn(EDGE, 'inbound  allow tcp from any to web');
    const outbound = lineIn(EDGE, 'outbound allow tcp from web');
    // edge's outbound rule is on the same line number as home's rule in main.fw: the line alone would open the wrong rule.
    expect(outbound).toBe(lineIn(MAIN, 'outbound allow tcp to web'));
    expect(hopLabels(svg).map(where)).toEqual([
      { line: String(lineIn(MAIN, 'outbound allow tcp to web')), file: undefined },
      { line: String(inbound), file: EDGE },
      { line: String(outbound), file: EDGE },
    ]);
    // The panel accepts a click toward exactly that file.
    expect([...filesNamedIn(svg)]).toEqual([EDGE]);
  });

  it('the JSON names no file unless asked (simulate --json, shared/spec/cli.md), so neither does the CLI picture', () => {
    const model = modelAt(MAIN);
    const plain = flowOf(model, false);
    expect(JSON.stringify(plain)).not.toMatch(/"file"/);
    const asked = flowOf(model, true);
    const edgeHops = [...asked.request.hops, ...(asked.response?.hops ?? [])].filter((h) => 'firewall' in h && h.firewall === 'edge');
    expect(edgeHops.map((h) => 'file' in h && h.file)).toEqual([EDGE, EDGE]);
    const svg = flowSvg(plain, { modes: firewallModes(model) });
    expect(svg).not.toMatch(/data-file/);
    expect(filesNamedIn(svg).size).toBe(0);
  });
});

describe('the topology of a file that includes another', () => {
  it('the boxes of web and edge, declared in shared/edge.fw, carry its path and their lines; bob and home only a line', async () => {
    const model = modelAt(MAIN);
    const svg = await topologySvg(model, { files: true });
    expect(where(box(svg, 'web'))).toEqual({ line: String(lineIn(EDGE, 'host web')), file: EDGE });
    expect(where(box(svg, 'edge'))).toEqual({ line: String(lineIn(EDGE, 'firewall edge')), file: EDGE });
    expect(hasClass(box(svg, 'web'), 'decl')).toBe(true);
    expect(where(box(svg, 'bob'))).toEqual({ line: String(lineIn(MAIN, 'host bob')), file: undefined });
    expect(where(box(svg, 'home'))).toEqual({ line: String(lineIn(MAIN, 'firewall home')), file: undefined });
    expect([...filesNamedIn(svg)]).toEqual([EDGE]);
  });

  it('without `files` (fwlang graph): an included declaration is not clickable and no path is written', async () => {
    const svg = await topologySvg(modelAt(MAIN));
    expect(where(box(svg, 'web'))).toEqual({ line: undefined, file: undefined });
    expect(where(box(svg, 'bob'))).toEqual({ line: String(lineIn(MAIN, 'host bob')), file: undefined });
    expect(svg).not.toMatch(/data-file/);
  });
});

describe('the ports picture of a firewall of an included file', () => {
  it("its response rule's label names the included file and the rule's line there", () => {
    const model = modelAt(MAIN);
    const edge = model.firewalls.find((f) => f.name === 'edge')!;
    const labels = hopLabels(portsSvg(model, edge, { files: true }));
    expect(labels.map(where)).toEqual([{ line: String(lineIn(EDGE, 'outbound allow tcp from web')), file: EDGE }]);
    expect(portsSvg(model, edge)).not.toMatch(/data-file/);
  });
});

describe('a path that needs escaping', () => {
  it('is written XML-escaped and read back whole, by the XML parser and by the panel', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-pictures-'));
    try {
      const shared = path.join(dir, "a&b 'c' <d>"); // an include's string holds no double quote
      fs.mkdirSync(shared);
      fs.copyFileSync(EDGE, path.join(shared, 'edge.fw'));
      const main = path.join(dir, 'main.fw');
      fs.writeFileSync(main, fs.readFileSync(MAIN, 'utf8').replace('"shared/edge.fw"', `"${path.basename(shared)}/edge.fw"`));
      const model = modelAt(main);
      const svg = flowSvg(flowOf(model, true));
      const file = path.join(shared, 'edge.fw');
      expect(hopLabels(svg).map((e) => e.attrs['data-file'])).toEqual([undefined, file, file]);
      expect([...filesNamedIn(svg)]).toEqual([file]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
