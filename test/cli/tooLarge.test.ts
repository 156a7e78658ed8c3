// A file larger than fwlang reads (issue 12: hostile input) is refused in one line, exit 2,
// before it is read: parsing 200 MB took minutes and gigabytes, past Node's heap (a crash).
// Standard input is read only up to that size, so an endless one ends too.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt, removeTempFiles, runCli, tempFiles } from './support';

const TOO_LARGE = 'too large (17 MB; fwlang reads files of at most 16 MB)';
const STDIN_TOO_LARGE = 'fwlang: cannot read standard input: too large (fwlang reads at most 16 MB)\n';
const BIN = path.join(ROOT, 'bin', 'fwlang.js');

let dir: string;
let big: Buffer;
beforeAll(() => {
  ensureBuilt();
  dir = tempFiles({ 'uses.fw': 'include "big.fw"\nhost bob 198.51.100.23\n', 'tree/ok.fw': 'host a 10.0.0.1\n' });
  // 17 MB of one valid declaration, over and over: read, it would be 1.1 million duplicate-name errors.
  big = Buffer.from('host twin 10.20.30.40\n'.repeat(Math.ceil((17 * 2 ** 20) / 22)));
  fs.writeFileSync(path.join(dir, 'big.fw'), big);
  fs.writeFileSync(path.join(dir, 'tree', 'big.fw'), big);
});
afterAll(removeTempFiles);

describe('a file larger than fwlang reads', () => {
  it.each([
    [['check', 'big.fw']],
    [['check', 'big.fw', '--format', 'json']],
    [['check', 'big.fw', '--fix']],
    [['simulate', 'big.fw']],
    [['export', 'big.fw', '--to', 'nftables']],
    [['import', 'big.fw', '--from', 'iptables']],
  ])('fwlang %j: one line on stderr, exit 2, nothing on stdout', (args) => {
    const r = runCli(args, dir);
    expect(r.stderr).toBe(`fwlang: cannot read big.fw: ${TOO_LARGE}\n`);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
    // --fix left it as it was.
    expect(fs.statSync(path.join(dir, 'big.fw')).size).toBe(big.length);
  });

  it('in a directory: refused the same, by its path', () => {
    const r = runCli(['check', 'tree'], dir);
    expect(r.stderr).toBe(`fwlang: cannot read ${path.join('tree', 'big.fw')}: ${TOO_LARGE}\n`);
    expect(r.status).toBe(2);
  });

  it('included: one include-error, and the including file checked as usual', () => {
    const r = runCli(['check', 'uses.fw'], dir);
    expect(r.stdout.trim().split('\n')).toEqual([
      `uses.fw:1:9: error include-error: \`big.fw\` is not included: ${TOO_LARGE}`,
      '1 error, 0 warnings, 0 infos, 0 hints in 1 file',
    ]);
    expect(r.status).toBe(1);
  });
});

describe('standard input', () => {
  it('more than fwlang reads: refused in one line, exit 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', '-'], { input: big, encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.stderr).toBe(STDIN_TOO_LARGE);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  });

  it('an endless one (/dev/zero) ends, refused the same', () => {
    const zero = fs.openSync('/dev/zero', 'r');
    try {
      const r = spawnSync(process.execPath, [BIN, 'check', '-'], { stdio: [zero, 'pipe', 'pipe'], encoding: 'utf8', timeout: 60_000 });
      expect(r.signal).toBeNull();
      expect(r.stderr).toBe(STDIN_TOO_LARGE);
      expect(r.status).toBe(2);
    } finally {
      fs.closeSync(zero);
    }
  });

  it('within the limit, in several reads: read whole, to its last line', () => {
    const n = 60_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`host h${i} 10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    lines.push('host last 1.2.3', '');
    const text = lines.join('\n');
    expect(text.length).toBeGreaterThan(1.2 * 2 ** 20);
    const r = spawnSync(process.execPath, [BIN, 'check', '-'], { input: text, encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual([
      `<stdin>:${n + 1}:11: error invalid-address: \`1.2.3\` is not a valid IPv4 address (four numbers 0-255 separated by dots)`,
      '1 error, 0 warnings, 0 infos, 0 hints in 1 file',
    ]);
    expect(r.status).toBe(1);
  });
});
