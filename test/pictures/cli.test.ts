// `fwlang simulate FILE --svg DIR` (cli.md): one picture per simulated flow, DIR/<line>.svg
// (flow.svg for --flow), DIR created; the printed output and the exit code as without it;
// refused flows get none; a DIR that cannot be written is one line on stderr, exit 2.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SPEC_EXAMPLE, ensureBuilt, removeTempFiles, runCli, runMain, tempFiles } from '../cli/support';
import { parseSvg, texts } from './support';

afterAll(removeTempFiles);
beforeAll(ensureBuilt);

const CATOGRAM = path.join(ROOT, 'samples', 'catogram.fw');

/** The title and description of an SVG file, after checking it is well-formed XML. */
function readPicture(file: string): { title: string; desc: string; texts: string[] } {
  const root = parseSvg(fs.readFileSync(file, 'utf8'));
  expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
  const title = root.children.find((e) => e.name === 'title')?.text ?? '';
  const desc = root.children.find((e) => e.name === 'desc')?.text ?? '';
  return { title, desc, texts: texts(root) };
}

describe('fwlang simulate --svg DIR', () => {
  it('samples/catogram.fw: 22.svg, 23.svg, 24.svg, each a valid SVG of its flow; stdout and exit code as without --svg', () => {
    const dir = path.join(tempFiles({}), 'pictures', 'nested'); // created by the command
    const r = runCli(['simulate', CATOGRAM, '--svg', dir]);
    const plain = runCli(['simulate', CATOGRAM]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(plain.stdout);
    expect(fs.readdirSync(dir).sort()).toEqual(['22.svg', '23.svg', '24.svg']);
    const pics = Object.fromEntries(['22', '23', '24'].map((l) => [l, readPicture(path.join(dir, `${l}.svg`))]));
    expect(pics['22']!.title).toBe('bob -> catogram https — allowed');
    expect(pics['23']!.title).toBe('catogram -> updates https — allowed');
    expect(pics['24']!.title).toBe('bob:51000 -> catogram tcp 22 — blocked');
    expect(pics['24']!.desc).toContain('The request is dropped at edge (inbound, by the default deny).');
    // The modes come from the model: catogram-sg is stateful, edge stateless.
    expect(pics['22']!.texts).toEqual(expect.arrayContaining(['edge', 'stateless', 'catogram-sg', 'stateful']));
  });

  it('--json prints the same JSON with --svg; --flow writes flow.svg', () => {
    const dir = tempFiles({});
    const a = runMain(['simulate', CATOGRAM, '--json', '--svg', dir]);
    const b = runMain(['simulate', CATOGRAM, '--json']);
    expect(a.out).toBe(b.out);
    expect(a.code).toBe(b.code);
    const dir2 = path.join(tempFiles({}), 'one');
    const r = runMain(['simulate', CATOGRAM, '--flow', 'bob -> catogram tcp 8080', '--svg', dir2]);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(dir2)).toEqual(['flow.svg']);
    expect(readPicture(path.join(dir2, 'flow.svg')).title).toBe('bob -> catogram tcp 8080 — blocked');
  });

  it('a flow written in the file, given with --flow, keeps its line as its name', () => {
    const dir = tempFiles({});
    runMain(['simulate', CATOGRAM, '--flow', 'bob -> catogram https', '--svg', dir]);
    expect(fs.readdirSync(dir)).toEqual(['22.svg']);
  });

  it('a refused flow gets no picture, the others do; the exit code stays 2', () => {
    const d = tempFiles({ 'c.fw': `${SPEC_EXAMPLE}flow bob -> catogarm https expect allow\n` });
    const out = path.join(d, 'svg');
    const r = runMain(['simulate', path.join(d, 'c.fw'), '--svg', out]);
    expect(r.code).toBe(2);
    expect(fs.readdirSync(out).sort()).toEqual(['22.svg', '23.svg', '24.svg']);
  });

  it('a DIR that is a file: one line on stderr, exit 2, no stack trace', () => {
    const d = tempFiles({ taken: 'x' });
    const r = runCli(['simulate', CATOGRAM, '--svg', path.join(d, 'taken')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^fwlang: cannot write the pictures to .*taken: /);
    const missing = runCli(['simulate', CATOGRAM, '--svg']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('fwlang: --svg needs a value\n');
  });
});
