// Helpers of the iptables and nftables import tests: the captured fixtures (test/fixtures/import,
// made by its capture.sh in a network namespace), the import, and the engine's verdicts of flows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import type { Targets } from '../../server/src/convert/chains';
import { type ImportFormat, importConfig } from '../../server/src/convert/import';
import type { ImportResult } from '../../server/src/convert/write';
import { simulateFlow } from '../../server/src/engine/simulate';
import { buildModel } from '../../server/src/model/resolve';
import { nodeFileHost } from '../../server/src/node/fileHost';

export const IMPORT = path.resolve(__dirname, '..', 'fixtures', 'import');

/** A captured fixture's text. */
export const fixture = (f: string): string => fs.readFileSync(path.join(IMPORT, f), 'utf8');

/** Imports texts (name → text), expecting success. */
export function imported(files: Record<string, string>, targets: Targets, from?: ImportFormat): ImportResult {
  const r = importConfig(
    Object.entries(files).map(([name, text]) => ({ name, text })),
    from,
    targets,
  );
  if ('error' in r) throw new Error(r.error);
  return r;
}

/** The import's error, expecting one. */
export function importError(files: Record<string, string>, targets: Targets, from?: ImportFormat): string {
  const r = importConfig(
    Object.entries(files).map(([name, text]) => ({ name, text })),
    from,
    targets,
  );
  expect(r).toHaveProperty('error');
  return (r as { error: string }).error;
}

/** Which address the import's error says is missing (what the editor asks for), expecting an error. */
export function importNeeds(files: Record<string, string>, targets: Targets, from?: ImportFormat): string | undefined {
  const r = importConfig(
    Object.entries(files).map(([name, text]) => ({ name, text })),
    from,
    targets,
  );
  expect(r).toHaveProperty('error');
  return (r as { needs?: string }).needs;
}

/** The error diagnostics of a `.fw` text: an import must have none. */
export function errors(text: string): string[] {
  return analyze(buildModel('/imported.fw', text))
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.code}: ${d.message}`);
}

/** The engine's verdict of each flow (`CLIENT -> SERVER SERVICE`) appended to the text. */
export function verdicts(text: string, flows: string[]): string[] {
  const m = buildModel('/imported.fw', `${text}\n${flows.map((f) => `flow ${f}`).join('\n')}\n`);
  expect(m.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(m.flows).toHaveLength(flows.length);
  return m.flows.map((f) => simulateFlow(m, f).verdict);
}

/** The flows through `srv` of samples/linux-host.fw, with literal addresses and client ports. */
export const SRV_FLOWS = [
  '10.20.0.5:40000 -> 192.0.2.10 ssh',
  '10.20.9.5:1000 -> 192.0.2.10 ssh',
  '198.51.100.7:40000 -> 192.0.2.10 ssh',
  '198.51.100.7:1024 -> 192.0.2.10 https',
  '198.51.100.7:50000 -> 192.0.2.10 http',
  '192.0.2.10:40000 -> 203.0.113.80 https',
  '192.0.2.10:61000 -> 203.0.113.80 https',
  '192.0.2.10:40000 -> 198.51.100.7 https',
  '192.0.2.10:40000 -> 192.0.2.53 dns',
  '192.0.2.10:40000 -> 198.51.100.53 dns',
  '192.0.2.10:40000 -> 198.51.100.123 ntp',
  '192.0.2.10:40000 -> 198.51.100.123 dns',
  '203.0.113.80:443 -> 192.0.2.10 tcp 40000',
];

/** The verdicts of flows through one firewall of samples/linux-host.fw (`via` it), by the engine. */
export function sampleVerdicts(firewall: string, flows: string[]): string[] {
  const file = path.resolve(__dirname, '..', '..', 'samples', 'linux-host.fw');
  const own = fs.readFileSync(file, 'utf8').replace(/^flow .*$/gm, '');
  const m = buildModel(file, `${own}\n${flows.map((f) => `flow ${f} via ${firewall}`).join('\n')}\n`, nodeFileHost());
  expect(m.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return m.flows.map((f) => simulateFlow(m, f).verdict);
}
