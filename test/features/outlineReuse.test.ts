// The outline after an edit, as the server makes it: from the editor's incremental parse, whose
// unchanged statements keep their nodes, so that their symbols are reused (moved when lines
// were added or removed before them). Whatever the edits, it equals the outline of the same
// text parsed afresh; and an edit in one firewall leaves the other statements' symbols as they were.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DocumentSymbol } from 'vscode-languageserver';
import { LineIndex } from '../../server/src/core/text';
import { DEFAULT_SETTINGS, type DocContext } from '../../server/src/features/docContext';
import { documentSymbols } from '../../server/src/features/symbols';
import { modelOfParse } from '../../server/src/model/resolve';
import { IncrementalParser } from '../../server/src/syntax/incremental';
import { parse } from '../../server/src/syntax/parse';

const PATH = '/fixture/outline.fw';

function outline(text: string, parser?: IncrementalParser): DocumentSymbol[] {
  const parsed = parser ? parser.parse(text) : parse(text);
  const ctx: DocContext = {
    uri: `file://${PATH}`,
    path: PATH,
    version: 1,
    text,
    lines: new LineIndex(text),
    analysis: { model: modelOfParse(PATH, text, parsed), diagnostics: [], flowResults: [] },
    settings: DEFAULT_SETTINGS,
  };
  return documentSymbols(ctx);
}

const SAMPLES = ['samples/aws-nat.fw', 'samples/mistakes.fw', 'samples/side-by-side.fw'].map((f) => readFileSync(f, 'utf8'));
const PIECES = ['\n', '\r\n', '\n\n', 'a', ' ', '#', '}', '{', 'host ', '  inbound allow tcp port 22\n', 'flow a -> b tcp 22\n', ''];

describe('the outline of an edited document', () => {
  it('equals the outline of its text parsed afresh, after any edits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: SAMPLES.length - 1 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 3 }), fc.constantFrom(...PIECES)), {
          minLength: 1,
          maxLength: 12,
        }),
        (sample, edits) => {
          const parser = new IncrementalParser();
          let text = SAMPLES[sample]!;
          outline(text, parser);
          for (const [where, removed, inserted] of edits) {
            const at = Math.floor(where * text.length);
            text = text.slice(0, at) + inserted + text.slice(at + removed);
            expect(outline(text, parser)).toEqual(outline(text));
          }
        },
      ),
      { numRuns: 300, seed: 20261202 },
    );
  });

  it('keeps the symbols of the statements an edit did not touch; moves them when lines were added', () => {
    // Five firewalls of 20 rules: each is a chunk of the incremental parse.
    const firewall = (f: number) =>
      [
        `firewall fw${f} stateless protects 10.0.${f}.0/24 {`,
        ...Array.from({ length: 20 }, (_, i) => `  ${100 + i} inbound allow tcp from 198.51.100.0/24 to 10.0.${f}.10 port ${2000 + i}`),
        '}',
      ].join('\n');
    const text = [0, 1, 2, 3, 4].map(firewall).join('\n') + '\n';
    const parser = new IncrementalParser();
    const first = outline(text, parser);
    expect(first).toHaveLength(5);
    // A one-port edit in the third firewall: the other four symbols are the same objects.
    const at = text.indexOf('port 2005', text.indexOf('firewall fw2')) + 8;
    const edited = text.slice(0, at) + '6' + text.slice(at + 1);
    const second = outline(edited, parser);
    expect(second).toEqual(outline(edited));
    expect(second.map((s, i) => s === first[i])).toEqual([true, true, false, true, true]);
    // A line added in the second firewall: the first is kept, the last three move down a line.
    const at2 = text.indexOf('\n', text.indexOf('firewall fw1')) + 1;
    const third = outline(edited.slice(0, at2) + '\n' + edited.slice(at2), parser);
    expect(third).toEqual(outline(edited.slice(0, at2) + '\n' + edited.slice(at2)));
    expect(third[0]).toBe(second[0]);
    expect(third.slice(2).map((s) => s.range.start.line)).toEqual(second.slice(2).map((s) => s.range.start.line + 1));
  });
});
