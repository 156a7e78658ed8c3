// referenceAt finds the name under an offset by a binary search over the references by start.
// Checked against the spec's reading, a walk over every reference in model order, at every
// offset of every sample and fixture (and of a file whose names touch, repeat and are long).

import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceAt, referencesOf } from '../../server/src/model/ownership';
import { buildModel } from '../../server/src/model/resolve';
import type { Model, NameReference } from '../../server/src/model/types';

/** The first reference holding `offset` in model order, or a later one starting where it ends. */
function walk(model: Model, offset: number): NameReference | undefined {
  let best: NameReference | undefined;
  for (const r of referencesOf(model, model.root)) {
    if (r.span.start > offset || offset > r.span.end) continue;
    if (!best || (best.span.end === offset && r.span.start === offset)) best = r;
  }
  return best;
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.name.endsWith('.fw') ? [p] : [];
  });
}

const ROOT = path.resolve(__dirname, '..', '..');
const texts: [string, string][] = [...files(path.join(ROOT, 'samples')), ...files(path.join(ROOT, 'test', 'fixtures'))].map((f) => [
  path.relative(ROOT, f),
  fs.readFileSync(f, 'utf8'),
]);
texts.push([
  'names that repeat, touch a comma and are long',
  `host ${'a'.repeat(300)} 10.0.0.1\nhost b 10.0.0.2\nfirewall fw stateless protects b,b,${'a'.repeat(300)}, web, web,web {\n  inbound allow tcp from web,b to b port https,ssh\n}\nflow b -> ${'a'.repeat(300)} https\n`,
]);

describe('referenceAt', () => {
  it('is asked of files with names (not vacuous)', () => {
    const counts = texts.map(([name, text]) => referencesOf(buildModel(`/ref/${path.basename(name)}`, text)).length);
    expect(counts.filter((n) => n > 0).length).toBeGreaterThan(texts.length / 2);
  });

  it.each(texts)('equals a walk over every reference, at every offset: %s', (name, text) => {
    const model = buildModel(`/ref/${path.basename(name)}`, text);
    for (let offset = 0; offset <= text.length; offset++) {
      const got = referenceAt(model, model.root, offset);
      const want = walk(model, offset);
      if (got !== want) expect({ offset, got: got?.span, want: want?.span }).toEqual({ offset, got: want?.span, want: want?.span });
    }
  });

  // The resolver's references never overlap in the samples; the rule for those that do (the
  // first in model order, or a later one starting where it ends) is kept all the same.
  it('equals the walk on references that repeat, touch and overlap, at every offset', () => {
    const span = fc
      .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 12 }))
      .map(([start, n]) => ({ start, end: start + n }));
    fc.assert(
      fc.property(fc.array(span, { minLength: 1, maxLength: 30 }), (spans) => {
        const references = spans.map((sp, i) => ({ name: `n${i}`, file: '/r.fw', span: sp }));
        const model = { root: '/r.fw', references } as unknown as Model;
        for (let offset = 0; offset <= 55; offset++) expect(referenceAt(model, '/r.fw', offset)).toBe(walk(model, offset));
      }),
      { numRuns: 300 },
    );
  });
});
