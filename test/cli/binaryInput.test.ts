// A binary file given to `fwlang` (issue 12): `check` says "not a text file" once — not once
// per line, per code or per format — and quotes none of it; `--fix` leaves it alone;
// `simulate` refuses it in one line; an include of one is a single include-error.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt, removeTempFiles, runCli, tempFiles } from './support';

/** Bytes like the start of a PNG: a NUL at offset 8, a "secret" after it, and invalid UTF-8. */
const IMAGE = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]),
  Buffer.from('host secret 10.9.9.9\nfoo bar baz\n'.repeat(50)),
  Buffer.from([0xff, 0xfe, 0x80, 0x81]),
]);

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempFiles({ 'uses.fw': 'include "image.fw"\ninclude "notes.txt"\nhost bob 198.51.100.23\n', 'notes.txt': 'root:x:0:0' });
  fs.writeFileSync(path.join(dir, 'image.fw'), IMAGE);
  fs.mkdirSync(path.join(dir, 'tree'));
  fs.writeFileSync(path.join(dir, 'tree', 'logo.fw'), IMAGE);
  fs.writeFileSync(path.join(dir, 'tree', 'ok.fw'), 'host a 10.0.0.1\n');
});
afterAll(removeTempFiles);

const NOT_TEXT = 'not a text file (it holds NUL characters, the first at offset 8): nothing in it was read';

describe('fwlang check of a binary file', () => {
  it('one diagnostic, in text', () => {
    const r = runCli(['check', 'image.fw'], dir);
    expect(r.stdout.trim().split('\n')).toEqual([
      `image.fw:1:1: error syntax: ${NOT_TEXT}`,
      '1 error, 0 warnings, 0 infos, 0 hints in 1 file',
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
  });

  it('one diagnostic in JSON and in SARIF', () => {
    const json = JSON.parse(runCli(['check', 'image.fw', '--format', 'json'], dir).stdout) as {
      files: { diagnostics: { message: string }[] }[];
    };
    expect(json.files.flatMap((f) => f.diagnostics.map((d) => d.message))).toEqual([NOT_TEXT]);
    const sarif = JSON.parse(runCli(['check', 'image.fw', '--format', 'sarif'], dir).stdout) as {
      runs: { results: { message: { text: string } }[] }[];
    };
    expect(sarif.runs.flatMap((x) => x.results.map((res) => res.message.text))).toEqual([NOT_TEXT]);
  });

  it('--fix changes nothing and says it once', () => {
    const r = runCli(['check', 'image.fw', '--fix'], dir);
    expect(r.stdout.trim().split('\n')).toEqual([
      `image.fw:1:1: error syntax: ${NOT_TEXT}`,
      '1 error, 0 warnings, 0 infos, 0 hints in 1 file',
    ]);
    expect(fs.readFileSync(path.join(dir, 'image.fw')).equals(IMAGE)).toBe(true);
  });

  it('in a directory: once for it, the other files checked as usual', () => {
    const r = runCli(['check', 'tree'], dir);
    expect(r.stdout.trim().split('\n')).toEqual([
      `tree/logo.fw:1:1: error syntax: ${NOT_TEXT}`,
      '1 error, 0 warnings, 0 infos, 0 hints in 2 files',
    ]);
  });

  it('from standard input: the same', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'fwlang.js'), 'check', '-'], { input: IMAGE, encoding: 'utf8' });
    expect(r.stdout.trim().split('\n')).toEqual([
      `<stdin>:1:1: error syntax: ${NOT_TEXT}`,
      '1 error, 0 warnings, 0 infos, 0 hints in 1 file',
    ]);
  });
});

describe('other commands and includes', () => {
  it('simulate refuses it in one line, exit 2', () => {
    const r = runCli(['simulate', 'image.fw'], dir);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`fwlang: cannot simulate image.fw: ${NOT_TEXT}\n`);
  });

  it('an include of a binary .fw, or of a file not named .fw, is one include-error each, quoting nothing', () => {
    const r = runCli(['check', 'uses.fw'], dir);
    expect(r.stdout.trim().split('\n')).toEqual([
      `uses.fw:1:9: error include-error: \`image.fw\` is not a text file (it holds NUL characters, the first at offset 8): nothing in it was read`,
      'uses.fw:2:9: error include-error: `notes.txt` is not a .fw file: only .fw files can be included',
      '2 errors, 0 warnings, 0 infos, 0 hints in 1 file',
    ]);
    expect(r.stdout).not.toMatch(/secret|root/);
  });
});
