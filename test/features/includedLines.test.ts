// The editor places spans in an included file with one line index per file for as long as the
// document's context lives (docContext.ts linesOf): it made one per span, so a rename of a name
// used n times in an included file indexed that file n times (as `fwlang simulate` did per
// error, minutes on a 1.5 MB file). Counted, not timed.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { LineIndex } from '../../server/src/core/text';
import { DEFAULT_SETTINGS, type DocContext } from '../../server/src/features/docContext';
import { rename } from '../../server/src/features/rename';
import { buildModel } from '../../server/src/model/resolve';
import type { FileHost } from '../../server/src/model/types';

/** main.fw includes inv.fw, which declares `h` and uses it in n rules; main uses it once. */
function context(n: number): DocContext {
  const inv =
    'host h 10.0.0.1\nfirewall fw stateful protects h {\n' +
    Array.from({ length: n }, (_, i) => `  inbound allow tcp to h port ${1000 + i}\n`).join('') +
    '}\n';
  const text = 'include "inv.fw"\nflow 198.51.100.1 -> h tcp 1000\n';
  const host: FileHost = {
    readFile: (p) => (p === '/w/inv.fw' ? inv : undefined),
    resolve: (_from, rel) => `/w/${rel}`,
  };
  return {
    uri: 'file:///w/main.fw',
    path: '/w/main.fw',
    version: 1,
    text,
    lines: new LineIndex(text),
    analysis: analyze(buildModel('/w/main.fw', text, host)),
    settings: DEFAULT_SETTINGS,
  };
}

describe('ranges in an included file', () => {
  it('a rename of a name used n times there indexes that file once, however large n is', () => {
    const made = (n: number) => {
      const ctx = context(n);
      const at = ctx.lines.position(ctx.text.indexOf('-> h') + 3);
      const before = LineIndex.made;
      const edit = rename(ctx, at, 'web');
      expect(edit && 'changes' in edit ? edit.changes?.['file:///w/inv.fw'] : undefined).toHaveLength(n + 2);
      return LineIndex.made - before;
    };
    expect(made(50)).toBeLessThanOrEqual(2);
    expect(made(400)).toBe(made(50));
  });
});
