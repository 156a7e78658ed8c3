// `include` stays in its place (issue 12): only .fw text is read; a refused file is never read
// and none of its content is quoted; the editor's host refuses files outside the workspace.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { MAX_INCLUDE_DEPTH, buildModel } from '../../server/src/model/resolve';
import type { FileHost } from '../../server/src/model/types';
import { nodeFileHost, outsideFolders } from '../../server/src/node/fileHost';
import { MAX_TEXT_LENGTH } from '../../server/src/syntax/parse';
import { expectFixture } from '../support/fixture';
import { FIXTURES, RESPONSE_CODES, fixtureFiles } from '../support/fixtureFiles';

describe('include-error fixtures (read from disk)', () => {
  it.each(fixtureFiles('include-error'))('%s', (name, text) => {
    expectFixture(text, { path: path.join(FIXTURES, 'include-error', name), host: nodeFileHost(), ignore: RESPONSE_CODES });
  });
});

/** A host over `files` that records which paths were read. */
function recordingHost(files: Record<string, string>, refuse?: (p: string) => string | undefined): FileHost & { read: string[] } {
  const read: string[] = [];
  return {
    read,
    readFile: (p) => (read.push(p), files[p]),
    resolve: (from, rel) => (rel.startsWith('/') ? rel : path.posix.join(path.posix.dirname(from), rel)),
    refuse,
  };
}

const SECRET = 'root:x:0:0:hunter2:/root:/bin/bash';

describe('what an include reads', () => {
  it('a file not named .fw is not read, and its content is nowhere in the diagnostics', () => {
    const host = recordingHost({ '/w/passwd': SECRET, '/w/notes.FW': SECRET });
    const a = analyze(buildModel('/w/a.fw', 'include "passwd"\ninclude "notes.FW"\n', host));
    expect(host.read).toEqual([]);
    expect(a.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual([
      'include-error: `passwd` is not a .fw file: only .fw files can be included',
      'include-error: `notes.FW` is not a .fw file: only .fw files can be included',
    ]);
  });

  it('a binary .fw file is one include-error, quoting none of it', () => {
    const bytes = `\u0089PNG\r\n\u001a\n\u0000\u0000${SECRET}`;
    const host = recordingHost({ '/w/logo.fw': bytes });
    const a = analyze(buildModel('/w/a.fw', 'include "logo.fw"\n', host));
    expect(a.diagnostics.map((d) => d.message)).toEqual([
      '`logo.fw` is not a text file (it holds NUL characters, the first at offset 8): nothing in it was read',
    ]);
    expect(JSON.stringify(a.diagnostics)).not.toMatch(/root|hunter2|PNG/);
    // Nor does the model keep its text for the features.
    expect(a.model.includes).toEqual([]);
  });

  it('a text larger than fwlang reads (an open document, say) is one include-error, never parsed', () => {
    // White space only: were it parsed, it would be read as empty, with no error at all.
    const host = recordingHost({ '/w/huge.fw': ' '.repeat(MAX_TEXT_LENGTH + 1) });
    const a = analyze(buildModel('/w/a.fw', 'include "huge.fw"\n', host));
    expect(a.diagnostics.map((d) => d.message)).toEqual([
      '`huge.fw` is too large (16,777,217 characters; fwlang reads files of at most 16 MB): nothing in it was read',
    ]);
    expect(a.model.includes).toEqual([]);
  });

  it('on disk, a file larger than that is refused before it is read, with its size', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-huge-'));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'huge.fw'), 'host x 10.0.0.1\n'.repeat(Math.ceil((17 * 2 ** 20) / 16)));
    fs.writeFileSync(path.join(dir, 'edge.fw'), `host edge 10.0.0.1\n${' '.repeat(MAX_TEXT_LENGTH - 19)}`);
    const host = nodeFileHost();
    expect(host.refuse!(path.join(dir, 'huge.fw'))).toBe('too large (17 MB; fwlang reads files of at most 16 MB)');
    // At the limit exactly, still read.
    expect(host.refuse!(path.join(dir, 'edge.fw'))).toBeUndefined();
    const a = analyze(buildModel(path.join(dir, 'a.fw'), 'include "huge.fw"\ninclude "edge.fw"\nflow edge -> x https\n', host));
    expect(a.diagnostics.filter((d) => d.code === 'include-error' || d.code === 'unknown-name').map((d) => d.message)).toEqual([
      '`huge.fw` is not included: too large (17 MB; fwlang reads files of at most 16 MB)',
      'unknown host or network `x`',
    ]);
  });

  it('a chain of includes is read 100 files deep; deeper, the include that goes past is refused', () => {
    // f0 includes f1, which includes f2, ...: each declares a host; the last one a flow's server.
    const chain = (n: number) => {
      const files: Record<string, string> = {};
      for (let i = 1; i <= n; i++)
        files[`/w/f${i}.fw`] = `${i < n ? `include "f${i + 1}.fw"\n` : ''}host h${i} 10.0.${i >> 8}.${i & 255}\n`;
      return recordingHost(files);
    };
    const root = 'include "f1.fw"\nhost bob 198.51.100.23\n';
    const deep = analyze(buildModel('/w/f0.fw', root, chain(MAX_INCLUDE_DEPTH)));
    expect(deep.diagnostics).toEqual([]);
    expect(deep.model.symbols.has(`h${MAX_INCLUDE_DEPTH}`)).toBe(true);
    // One more file, and then 2,000 (which overflowed the stack: "internal error while resolving").
    for (const n of [MAX_INCLUDE_DEPTH + 1, 2000]) {
      const host = chain(n);
      const a = analyze(buildModel('/w/f0.fw', root, host));
      // The include says its file has an error, and names the first where it is: the refusal.
      expect(a.diagnostics.map((d) => d.message)).toEqual([
        `\`f1.fw\` has 1 error (first, in \`f${MAX_INCLUDE_DEPTH}.fw\`: \`f${MAX_INCLUDE_DEPTH + 1}.fw\` is not included: ` +
          `includes are nested more than ${MAX_INCLUDE_DEPTH} deep here)`,
      ]);
      expect(host.read).toHaveLength(MAX_INCLUDE_DEPTH);
      expect(a.model.symbols.has(`h${MAX_INCLUDE_DEPTH}`)).toBe(true);
      expect(a.model.symbols.has(`h${MAX_INCLUDE_DEPTH + 1}`)).toBe(false);
    }
  });

  it("an include's first error is named in the file that holds it, not nested once per file", () => {
    const host = recordingHost({
      '/w/a.fw': 'include "b.fw"\nhost a 10.0.0.1\n',
      '/w/b.fw': 'include "sub/c.fw"\n',
      '/w/sub/c.fw': 'host c 10.0.0.3\nhost bad 10.0.0.300\n',
    });
    const d = analyze(buildModel('/w/root.fw', 'include "a.fw"\ninclude "sub/c.fw"\n', host)).diagnostics;
    const c = analyze(buildModel('/w/sub/c.fw', host.readFile('/w/sub/c.fw')!)).diagnostics.find((x) => x.severity === 'error')!;
    expect(d.map((x) => x.message)).toEqual([
      `\`a.fw\` has 1 error (first, in \`c.fw\`: ${c.message})`,
      `\`sub/c.fw\` has 1 error (first: ${c.message})`,
    ]);
  });

  it('a .fw text with control characters all through it is binary too', () => {
    const host = recordingHost({ '/w/b.fw': '\u0001\u0002\u0003\u0004host x 10.0.0.1\u0005\u0006\u0007\u0008\u000e\u000f\u0010\u0011' });
    const a = analyze(buildModel('/w/a.fw', 'include "b.fw"\n', host));
    expect(a.diagnostics.map((d) => d.message)).toEqual([
      '`b.fw` is not a text file (44% of its first 27 characters are control characters): nothing in it was read',
    ]);
  });

  it('a file the host refuses is not read; the message is the refusal, not the file', () => {
    const host = recordingHost({ '/elsewhere/x.fw': 'host secret 10.0.0.1\n' }, (p) =>
      p.startsWith('/w/') ? undefined : 'it is outside the workspace folder /w',
    );
    const a = analyze(buildModel('/w/a.fw', 'include "../elsewhere/x.fw"\nflow secret -> secret https\n', host));
    expect(host.read).toEqual([]);
    expect(a.diagnostics.filter((d) => d.code === 'include-error').map((d) => d.message)).toEqual([
      '`../elsewhere/x.fw` is not included: it is outside the workspace folder /w',
    ]);
  });

  it('the refusal applies to includes of includes too', () => {
    const host = recordingHost({ '/w/inc.fw': 'include "../out.fw"\n', '/out.fw': 'host x 10.0.0.1\n' }, (p) =>
      p.startsWith('/w/') ? undefined : 'it is outside the workspace folder /w',
    );
    const a = analyze(buildModel('/w/a.fw', 'include "inc.fw"\n', host));
    expect(host.read).toEqual(['/w/inc.fw']);
    expect(a.diagnostics.map((d) => d.message)).toEqual([
      '`inc.fw` has 1 error (first: `../out.fw` is not included: it is outside the workspace folder /w)',
    ]);
  });
});

describe('outsideFolders (the editor: includes stay in the workspace folders)', () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fwlang-folders-')));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ws = path.join(dir, 'ws');
  const out = path.join(dir, 'out');
  fs.mkdirSync(path.join(ws, 'sub'), { recursive: true });
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'x.fw'), 'host x 10.0.0.1\n');
  fs.symlinkSync(path.join(out, 'x.fw'), path.join(ws, 'link.fw'));
  fs.symlinkSync(out, path.join(ws, 'linkdir'));

  it('inside a folder, or in a folder below it, or not yet written: allowed', () => {
    expect(outsideFolders(path.join(ws, 'a.fw'), [ws])).toBeUndefined();
    expect(outsideFolders(path.join(ws, 'sub', 'b.fw'), [ws])).toBeUndefined();
    expect(outsideFolders(path.join(ws, 'sub', '..', 'c.fw'), [ws])).toBeUndefined();
    expect(outsideFolders(path.join(out, 'x.fw'), [ws, out])).toBeUndefined();
  });

  it('outside every folder, by `..`, or by a symbolic link: refused, naming the folders', () => {
    expect(outsideFolders(path.join(ws, '..', 'out', 'x.fw'), [ws])).toBe(`it is outside the workspace folder ${ws}`);
    expect(outsideFolders(path.join(ws, 'link.fw'), [ws])).toBe(`it is outside the workspace folder ${ws}`);
    expect(outsideFolders(path.join(ws, 'linkdir', 'x.fw'), [ws])).toBe(`it is outside the workspace folder ${ws}`);
    expect(outsideFolders('/etc/x.fw', [ws, path.join(dir, 'other')])).toBe(
      `it is outside the workspace folders (${ws}, ${path.join(dir, 'other')})`,
    );
    // A folder whose name starts like the workspace's is another folder.
    expect(outsideFolders(`${ws}2/x.fw`, [ws])).toBe(`it is outside the workspace folder ${ws}`);
  });
});
