// References and rename through includes: the names of the included files are resolved from
// the texts the model read once per version (fuzz seed 1144 case 82915: an include of a
// megabyte was built again at every request), and the result is the same at every request.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { LineIndex } from '../../server/src/core/text';
import { allReferences } from '../../server/src/features/definition';
import { DEFAULT_SETTINGS, type DocContext } from '../../server/src/features/docContext';
import { references } from '../../server/src/features/references';
import { buildModel } from '../../server/src/model/resolve';
import type { FileHost } from '../../server/src/model/types';

const INC = 'host db 10.0.2.20\nfirewall back stateful protects 10.0.2.0/24 {\n  inbound allow tcp from any to db port 5432\n}\n';
const ROOT = 'include "inc.fw"\nhost web 10.0.1.10\nflow web -> db tcp 5432\nflow db -> web https\n';

function context(): DocContext {
  const host: FileHost = { readFile: (p) => (p === '/w/inc.fw' ? INC : undefined), resolve: (_from, rel) => `/w/${rel}` };
  const path = '/w/root.fw';
  return {
    uri: `file://${path}`,
    path,
    version: 1,
    text: ROOT,
    lines: new LineIndex(ROOT),
    analysis: analyze(buildModel(path, ROOT, host)),
    settings: DEFAULT_SETTINGS,
  };
}

describe('references through an include', () => {
  it('finds the uses in the root file and the declaration and uses in the included one, the same at each request', () => {
    const ctx = context();
    const at = ROOT.indexOf('db');
    const position = ctx.lines.position(at);
    const first = references(ctx, position, true);
    expect(first.map((l) => `${l.uri.replace('file://', '')}:${l.range.start.line}:${l.range.start.character}`).sort()).toEqual([
      '/w/inc.fw:0:5',
      '/w/inc.fw:2:32',
      '/w/root.fw:2:12',
      '/w/root.fw:3:5',
    ]);
    expect(references(ctx, position, true)).toEqual(first);
  });

  it('resolves the included files once per version', () => {
    const ctx = context();
    const names = allReferences(ctx);
    expect(names.filter((r) => r.file === '/w/inc.fw').map((r) => r.name)).toContain('db');
    expect(allReferences(ctx)).toBe(names);
    // A new version is resolved again.
    expect(
      allReferences({
        ...ctx,
        analysis: analyze(buildModel('/w/root.fw', ROOT, { readFile: () => INC, resolve: (_f, rel) => `/w/${rel}` })),
      }),
    ).not.toBe(names);
  });
});
