// Layers point one way (conventions: front ends → features → analysis → report → engine →
// model → syntax → core). Read from the import lines of every source file; a file may import
// from its own folder and from lower layers only. The pure core (up to analysis) imports
// neither an editor API nor Node.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '..', '..', 'server', 'src');
const CLIENT = path.resolve(__dirname, '..', '..', 'client', 'src');

/** Lowest first. A folder (or top-level file) of server/src and its rank. */
const LAYERS: Record<string, number> = {
  core: 0,
  syntax: 1,
  model: 2,
  engine: 3,
  report: 4,
  analysis: 5,
  convert: 5,
  pictures: 5,
  'protocol.ts': 6,
  features: 7,
  node: 7,
  lsp: 8,
  cli: 8,
  'main.ts': 9,
};
const PURE = 5; // core … analysis

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The module specifiers of a file's import and export-from statements. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /^\s*(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push((m[1] ?? m[2])!);
  return out;
}

function layerOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel[0]!;
}

function violations(): string[] {
  const out: string[] = [];
  for (const file of sources(SRC)) {
    const from = layerOf(file);
    const rank = LAYERS[from];
    if (rank === undefined) {
      out.push(`${path.relative(SRC, file)}: in no layer (add its folder to LAYERS)`);
      continue;
    }
    for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        if (!target.startsWith(SRC + path.sep)) {
          out.push(`${path.relative(SRC, file)} imports ${spec}, outside server/src`);
          continue;
        }
        const to = layerOf(target.endsWith('.ts') ? target : `${target}.ts`);
        const toRank = LAYERS[to] ?? LAYERS[`${to}.ts`];
        if (to === from) continue;
        if (toRank === undefined || toRank >= rank)
          out.push(`${path.relative(SRC, file)} (${from}) imports ${spec} (${to}): it points up or sideways`);
      } else if (
        rank <= PURE &&
        (/^vscode/.test(spec) || spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process'].includes(spec))
      ) {
        out.push(`${path.relative(SRC, file)} (${from}, pure core) imports ${spec}`);
      }
    }
  }
  return out;
}

describe('layers point one way', () => {
  it('no source file imports from a layer above its own or beside it', () => {
    expect(violations()).toEqual([]);
  });

  it('the client imports only the shared protocol from the server', () => {
    const bad: string[] = [];
    for (const file of sources(CLIENT)) {
      for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
        if (spec.includes('server/src') && !spec.endsWith('server/src/protocol'))
          bad.push(`${path.relative(CLIENT, file)} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the check itself sees an upward import (so it can fail)', () => {
    expect(
      importsOf("import { x } from '../features/hover';\nimport type { Y } from './y';\nexport { z } from '../lsp/server';\n"),
    ).toEqual(['../features/hover', './y', '../lsp/server']);
    expect(importsOf("import {\n  a,\n  b,\n} from '../analysis/analyze';\n")).toEqual(['../analysis/analyze']);
  });
});
