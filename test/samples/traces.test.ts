// The samples' simulations, compared with the traces stored beside them
// (samples/NAME.trace.json, exactly `fwlang simulate samples/NAME.fw --json`).
// The traces were checked by hand against samples/EXPECTED.md; to rewrite them after a
// deliberate change: FWLANG_UPDATE_TRACES=1 npx vitest run test/samples
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/model/resolve';
import { nodeFileHost } from '../../server/src/node/fileHost';
import { flowJson, modelLines } from '../../server/src/report/flowReport';

const SAMPLES = join(__dirname, '..', '..', 'samples');
const samples = readdirSync(SAMPLES)
  .filter((f) => f.endsWith('.fw'))
  .sort();

function simulateJson(file: string): unknown {
  const path = join(SAMPLES, file);
  const model = buildModel(path, readFileSync(path, 'utf8'), nodeFileHost());
  const { flowResults } = analyze(model);
  const lines = modelLines(model);
  return { flows: flowResults.map((r) => flowJson(r, model, lines)) };
}

describe('sample simulations match their stored traces', () => {
  it('has samples', () => expect(samples.length).toBeGreaterThanOrEqual(6));
  for (const file of samples) {
    it(file, () => {
      const tracePath = join(SAMPLES, file.replace(/\.fw$/, '.trace.json'));
      const actual = simulateJson(file);
      if (process.env.FWLANG_UPDATE_TRACES === '1' || !existsSync(tracePath)) {
        writeFileSync(tracePath, JSON.stringify(actual, null, 2) + '\n');
      }
      expect(actual).toEqual(JSON.parse(readFileSync(tracePath, 'utf8')));
    });
  }
});
