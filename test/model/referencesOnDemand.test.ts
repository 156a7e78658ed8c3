// The model's list of name references is one array made when a feature first asks for it: an
// edit's way to its diagnostics (resolve, analyse, the diagnostics the server publishes) never
// reads it, so a big file's edits do not each join 19,000 references into a new large array.

import { describe, expect, it } from 'vitest';
import { generate } from '../../bench/generate';
import { analyze } from '../../server/src/analysis/analyze';
import { LineIndex } from '../../server/src/core/text';
import { DEFAULT_SETTINGS, type DocContext } from '../../server/src/features/docContext';
import { toLspDiagnostics } from '../../server/src/features/diagnostics';
import { referencesOf } from '../../server/src/model/ownership';
import { ResolveCache, buildModel } from '../../server/src/model/resolve';
import type { Model } from '../../server/src/model/types';
import { IncrementalParser } from '../../server/src/syntax/incremental';

/** Counts the reads of `model.references` from now on. */
function countReads(model: Model): { reads: number } {
  const counter = { reads: 0 };
  const own = Object.getOwnPropertyDescriptor(model, 'references')!;
  const read = own.get ? () => own.get!.call(model) : () => own.value;
  Object.defineProperty(model, 'references', {
    get: () => {
      counter.reads++;
      return read();
    },
    configurable: true,
    enumerable: true,
  });
  return counter;
}

describe("the model's name references", () => {
  it('are not read on the way from a build to its diagnostics, and are made once when asked', () => {
    const text = generate(4, 50).text;
    const cache = new ResolveCache();
    const parser = new IncrementalParser();
    buildModel('/t/refs.fw', text, undefined, { cache, parsed: parser.parse(text) });
    // A second build, as after an edit: the other firewalls come from the cache.
    const edited = text.replace('port 8003', 'port 8004');
    const model = buildModel('/t/refs.fw', edited, undefined, { cache, parsed: parser.parse(edited) });
    expect(cache.hits).toBeGreaterThan(0);
    const counter = countReads(model);
    const analysis = analyze(model);
    const ctx: DocContext = {
      uri: 'file:///t/refs.fw',
      path: '/t/refs.fw',
      version: 2,
      text: model.text,
      lines: LineIndex.of(model.text),
      analysis,
      settings: DEFAULT_SETTINGS,
    };
    expect(toLspDiagnostics(ctx).length).toBeGreaterThan(0);
    expect(counter.reads).toBe(0);

    const first = model.references;
    expect(first.length).toBeGreaterThan(0);
    expect(model.references).toBe(first);
    expect(referencesOf(model).length).toBe(first.length);
  });
});
