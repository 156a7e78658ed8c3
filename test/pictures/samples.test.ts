// Every picture of every sample is well-formed XML with a <title> and a <desc> that say what
// it shows; every clickable hop label points at a line that holds a rule; and the flow picture
// the docs show (docs/images/flow-partial.svg) is what `fwlang simulate --svg` draws today.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../server/src/model/resolve';
import { nodeFileHost } from '../../server/src/node/fileHost';
import { firewallModes, flowSvg } from '../../server/src/pictures/flow';
import { portsSvg } from '../../server/src/pictures/ports';
import { simulateFlow } from '../../server/src/engine/simulate';
import { flowJson, modelLines } from '../../server/src/report/flowReport';
import { removeTempFiles, runMain, tempFiles } from '../cli/support';
import { all, hasClass, parseSvg } from './support';

afterAll(removeTempFiles);

const ROOT = path.join(__dirname, '..', '..');
const SAMPLES = path.join(ROOT, 'samples');
const samples = fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.fw'));

describe('the pictures of the samples', () => {
  it.each(samples)('%s: every flow and ports picture is XML with a title and a description; hop labels point at rules', (name) => {
    const file = path.join(SAMPLES, name);
    const text = fs.readFileSync(file, 'utf8');
    const model = buildModel(file, text, nodeFileHost());
    const lines = modelLines(model);
    const sourceLines = text.split('\n');
    const modes = firewallModes(model);
    expect(model.flows.length).toBeGreaterThan(0);
    for (const flow of model.flows) {
      const json = flowJson(simulateFlow(model, flow), model, lines);
      const root = parseSvg(flowSvg(json, { modes, idPrefix: `l${json.line}-` }));
      expect(root.attrs.id).toBe(`l${json.line}-fwlang-flow-${json.line}`);
      expect(root.children.find((e) => e.name === 'title')?.text).toBe(`${json.flow} — ${json.verdict}`);
      const desc = root.children.find((e) => e.name === 'desc')?.text ?? '';
      expect(desc.startsWith(`The flow ${json.flow} is ${json.verdict}`)).toBe(true);
      if (json.verdict !== 'allowed') expect(desc).toMatch(/is dropped at /);
      for (const g of all(root).filter((e) => hasClass(e, 'hop-label') && e.attrs['data-line'])) {
        const line = Number(g.attrs['data-line']);
        // Samples keep their firewalls in the root file: the line is one of its rules.
        expect(sourceLines[line - 1], `${name}:${line}`).toMatch(/\b(allow|deny)\b/);
      }
    }
    for (const fw of model.firewalls) {
      const root = parseSvg(portsSvg(model, fw));
      expect(root.children.find((e) => e.name === 'title')?.text).toBe(`Ports of ${fw.name}: what it opens toward clients`);
      expect(root.children.find((e) => e.name === 'desc')?.text).toMatch(new RegExp(`^${fw.name} is (stateless|stateful)\\.`));
    }
  });

  it('docs/images/flow-partial.svg is the picture fwlang simulate --svg draws of samples/mistakes.fw line 102 (node scripts/doc-flow-picture.mjs)', () => {
    const dir = tempFiles({});
    runMain(['simulate', path.join(SAMPLES, 'mistakes.fw'), '--svg', dir]);
    const drawn = fs.readFileSync(path.join(dir, '102.svg'), 'utf8');
    expect(drawn).toContain('partial');
    expect(fs.readFileSync(path.join(ROOT, 'docs', 'images', 'flow-partial.svg'), 'utf8')).toBe(drawn);
  });
});
