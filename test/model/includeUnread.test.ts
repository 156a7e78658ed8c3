// A file that includes one missing, refused or binary file many times (a paste of 66,000
// `include "x.fw"` lines: 1.5 s of a 2.2 s `fwlang check` went to asking the disk about x.fw
// twice per line) asks the host once per file in a build. Each include still has its error,
// quoting its own spelling of the path.
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../server/src/model/resolve';
import type { FileHost } from '../../server/src/model/types';

function countingHost(): { host: FileHost; asked: string[] } {
  const asked: string[] = [];
  const host: FileHost = {
    readFile: (p) => {
      asked.push(`read ${p}`);
      if (p === '/g/bin.fw') return 'host a\u0000';
      if (p === '/g/ok.fw') return 'host ok 10.0.0.1\n';
      return undefined;
    },
    resolve: (_from, rel) => `/g/${rel.replace(/^\.\//, '')}`,
    refuse: (p) => {
      asked.push(`refuse ${p}`);
      return p === '/g/secret.fw' ? 'it is outside the workspace folder /g' : undefined;
    },
  };
  return { host, asked };
}

describe('includes of files that cannot be read', () => {
  const paths = ['x.fw', './x.fw', 'secret.fw', 'bin.fw', 'ok.fw'];
  const text = [...paths, ...paths, ...paths].map((p) => `include "${p}"\n`).join('');

  it('ask the host once per file, and report every include', () => {
    const { host, asked } = countingHost();
    const m = buildModel('/g/root.fw', text, host);
    expect(asked.sort()).toEqual(
      [
        'refuse /g/x.fw',
        'read /g/x.fw',
        'refuse /g/secret.fw',
        'refuse /g/bin.fw',
        'read /g/bin.fw',
        'refuse /g/ok.fw',
        'read /g/ok.fw',
      ].sort(),
    );
    const errors = m.diagnostics.filter((d) => d.code === 'include-error').map((d) => d.message);
    const once = [
      'cannot read `x.fw` (looked for /g/x.fw)',
      'cannot read `./x.fw` (looked for /g/x.fw)',
      '`secret.fw` is not included: it is outside the workspace folder /g',
      '`bin.fw` is not a text file (it holds NUL characters, the first at offset 6): nothing in it was read',
    ];
    expect(errors).toEqual([...once, ...once, ...once]);
    expect(m.symbols.has('ok')).toBe(true);
  });

  it('are asked about again in the next build (a file may have appeared)', () => {
    const { host, asked } = countingHost();
    buildModel('/g/root.fw', 'include "x.fw"\n', host);
    buildModel('/g/root.fw', 'include "x.fw"\n', host);
    expect(asked).toEqual(['refuse /g/x.fw', 'read /g/x.fw', 'refuse /g/x.fw', 'read /g/x.fw']);
  });
});
