// `fwlang graph FILE --svg OUT` as a child process: it writes the topology picture (well-formed
// SVG with a box per declared name and an arrow per flow), exit 0; a file with errors that
// refuse verdicts gets no picture, its errors on stderr as `check` prints them, exit 1; a usage
// problem is one line on stderr, exit 2, and nothing is written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectUsage, removeTempFiles, ROOT, runCli, tempFiles } from './support';
import { type El, all, hasClass, parseSvg } from '../pictures/support';

afterAll(removeTempFiles);

const byClass = (el: El, ...classes: string[]): El[] => all(el).filter((e) => classes.every((c) => hasClass(e, c)));

let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = tempFiles({
    'ok.fw':
      'host web 10.0.1.10\nhost bob 198.51.100.1\nfirewall sg stateful protects web {\n  inbound allow tcp to web port https\n}\nflow bob -> web https\n',
    'unknown.fw': 'host web 10.0.1.10\nfirewall sg stateful protects web {\n  inbound allow tcp from nobody to web port https\n}\n',
    'badflow.fw': 'host web 10.0.1.10\nhost bob 198.51.100.1\nfirewall sg stateful protects 10.9.9.9 {\n}\nflow bob -> web https via sg\n',
  });
}, 120_000);

function run(...args: string[]) {
  const r = runCli(args, dir);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('fwlang graph', () => {
  it('writes the topology of a sample as SVG, exit 0, nothing on stdout', () => {
    const out = path.join(dir, 'aws-nat.svg');
    const r = run('graph', path.join(ROOT, 'samples', 'aws-nat.fw'), '--svg', out);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const svg = parseSvg(fs.readFileSync(out, 'utf8'));
    const names = all(svg)
      .filter((e) => e.name === 'g' && e.attrs['data-name'])
      .map((e) => e.attrs['data-name']);
    expect(names.sort()).toEqual(
      [
        'admin',
        'alice',
        'db-sg',
        'dbsrv',
        'home',
        'internet',
        'natgw',
        'private',
        'private-acl',
        'public',
        'public-acl',
        'scanner',
        'site',
        'web',
        'web-sg',
      ].sort(),
    );
    expect(byClass(svg, 'flow').filter((e) => e.name === 'g')).toHaveLength(7);
  });

  it('accepts --svg=OUT and a relative path', () => {
    const r = run('graph', 'ok.fw', '--svg=ok.svg');
    expect(r.code).toBe(0);
    const svg = parseSvg(fs.readFileSync(path.join(dir, 'ok.svg'), 'utf8'));
    expect(byClass(svg, 'flow', 'allowed')).toHaveLength(1);
  });

  it('a file with errors: the errors as check prints them, exit 1, no picture', () => {
    const r = run('graph', 'unknown.fw', '--svg', 'unknown.svg');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^unknown\.fw:3:26: error unknown-name: unknown host or network `nobody`/m);
    expect(r.stderr).toMatch(/^fwlang: unknown\.fw: no picture drawn: /m);
    expect(fs.existsSync(path.join(dir, 'unknown.svg'))).toBe(false);
    // The same error line as `fwlang check` prints.
    const check = run('check', 'unknown.fw');
    const line = r.stderr.split('\n')[0]!;
    expect(check.stdout.split('\n')).toContain(line);
  });

  it('a flow that simulate would refuse (a via it does not cross) refuses the picture too', () => {
    const r = run('graph', 'badflow.fw', '--svg', 'badflow.svg');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^badflow\.fw:5:27: error flow-path: `via sg`: /m);
    expect(fs.existsSync(path.join(dir, 'badflow.svg'))).toBe(false);
  });

  it('usage problems: exit 2, one line, nothing written', () => {
    expectUsage(run('graph', 'ok.fw'), /graph needs --svg OUT/);
    expectUsage(run('graph', '--svg', 'x.svg'), /graph needs exactly one file/);
    expectUsage(run('graph', 'ok.fw', 'unknown.fw', '--svg', 'x.svg'), /graph needs exactly one file/);
    expectUsage(run('graph', 'missing.fw', '--svg', 'x.svg'), /cannot read missing\.fw/);
    expectUsage(run('graph', 'ok.fw', '--svg'), /--svg needs a value/);
    expectUsage(run('graph', 'ok.fw', '--svg', 'x.svg', '--json'), /unknown option --json/);
    expectUsage(run('graph', 'ok.fw', '--svg', path.join(dir, 'no', 'such', 'dir', 'x.svg')), /cannot write .*x\.svg/);
    expect(fs.existsSync(path.join(dir, 'x.svg'))).toBe(false);
  });

  it('is in the usage text', () => {
    expect(run('--help').stdout).toMatch(/^\s+fwlang graph FILE --svg OUT$/m);
  });
});
