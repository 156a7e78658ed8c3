// The built command line as a child process (`node bin/fwlang.js ...`, what `npx fwlang`
// runs): exit codes 0/1/2 and the one-line message on stderr, never a stack trace.
// Builds dist/cli.js first when it is missing or older than the sources.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectUsage, removeTempFiles, ROOT, runCli, SPEC_EXAMPLE, tempFiles } from './support';

afterAll(removeTempFiles);

let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = tempFiles({
    'ok.fw': SPEC_EXAMPLE,
    'warn.fw': 'firewall sg stateful protects 10.0.1.10 {\n  inbound allow tcp\n  inbound allow tcp to 10.0.1.10 port 22\n}\n',
    'unmet.fw': 'host web 10.0.1.10\nfirewall sg stateful protects web {\n}\nflow 198.51.100.1 -> web https expect allow\n',
    'syntax.fw': 'host web 10.0.1.10\nfirewall {{{\n',
    'badflow.fw': 'host web 10.0.1.10\nflow nobody -> web https\n',
    'empty/readme.txt': 'no fw here',
  });
}, 120_000);

/** Exit code, stdout and stderr; asserts that stderr never holds a stack trace. */
function run(...args: string[]) {
  const r = runCli(args, dir);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A usage problem: exit 2, exactly one line on stderr starting with `fwlang:`, nothing on stdout. */
describe('fwlang check exit codes', () => {
  it('0 without errors (warnings are fine)', () => {
    expect(run('check', 'ok.fw').code).toBe(0);
    const w = run('check', 'warn.fw');
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(/^warn\.fw:3:3: warning shadowed-rule: /m);
    expect(w.stderr).toBe('');
  });

  it('1 with an error: a flow-expectation, a syntax error', () => {
    expect(run('check', 'unmet.fw').code).toBe(1);
    expect(run('check', 'syntax.fw').code).toBe(1);
    expect(run('check', 'ok.fw', 'unmet.fw', '--format', 'json').code).toBe(1);
    expect(run('check', 'unmet.fw', '--format', 'sarif').code).toBe(1);
  });

  it('2 for a missing file, a directory without .fw files, and usage problems', () => {
    expectUsage(run('check', 'nosuch.fw'), /nosuch\.fw/);
    expectUsage(run('check', 'empty'), /no \.fw files in empty/);
    expectUsage(run('check'), /check needs a file/);
    expectUsage(run('check', 'ok.fw', '--format', 'xml'), /unknown format xml/);
    expectUsage(run('check', 'ok.fw', '--format'), /--format needs a value/);
    expectUsage(run('check', 'ok.fw', '--bogus'), /unknown option --bogus/);
    expectUsage(run(), /missing command/);
    expectUsage(run('frobnicate'), /unknown command frobnicate/);
  });

  it('2 for a file that cannot be read', () => {
    expectUsage(run('simulate', 'empty'), /cannot read empty/);
    if (process.getuid?.() !== 0) {
      const p = path.join(dir, 'secret.fw');
      fs.writeFileSync(p, 'host a 10.0.0.1\n');
      fs.chmodSync(p, 0);
      expectUsage(run('check', 'secret.fw'), /cannot read secret\.fw/);
    }
  });
});

describe('fwlang simulate exit codes', () => {
  it('0 when every flow meets its expect, 1 when one does not', () => {
    const ok = run('simulate', 'ok.fw', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).flows).toHaveLength(3);
    expect(run('simulate', 'ok.fw').code).toBe(0);
    expect(run('simulate', 'unmet.fw').code).toBe(1);
    expect(run('simulate', 'unmet.fw', '--json').code).toBe(1);
  });

  it("--flow 'bob -> catogram https' on the spec example", () => {
    const r = run('simulate', 'ok.fw', '--flow', 'bob -> catogram https', '--json');
    expect(r.code).toBe(0);
    const [f] = JSON.parse(r.stdout).flows;
    expect(f.request.hops.map((h: { firewall: string; by: string; rule: number | null }) => [h.firewall, h.by, h.rule])).toEqual([
      ['edge', 'rule', 100],
      ['catogram-sg', 'rule', null],
    ]);
    expect(f.response.allowedClientPorts).toBe('32768-60999');
  });

  it('2 for a flow that does not parse or names an unknown endpoint', () => {
    expectUsage(run('simulate', 'ok.fw', '--flow', 'bob ->'), /bad --flow 'bob ->'/);
    expectUsage(run('simulate', 'ok.fw', '--flow', 'bob -> nobody https'), /nobody/);
    expectUsage(run('simulate', 'ok.fw', '--flow', 'bob -> catogram nosuchservice'), /nosuchservice/);
  });

  it('2 for a flow of the file that is refused, printed as check prints its errors (cli.md)', () => {
    const r = run('simulate', 'badflow.fw');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^badflow\.fw:2:6: error unknown-name: .*nobody/m);
    expect(r.stdout).toMatch(/^badflow\.fw:2:1: error unknown-name: flow `nobody -> web https` is not simulated/m);
    expect(r.stderr).toBe('');
  });

  it('2 for usage problems', () => {
    expectUsage(run('simulate'), /exactly one file/);
    expectUsage(run('simulate', 'ok.fw', 'unmet.fw'), /exactly one file/);
    expectUsage(run('simulate', 'nosuch.fw'), /cannot read nosuch\.fw/);
    expectUsage(run('simulate', 'ok.fw', '--flow'), /--flow needs a value/);
  });
});

describe('the package bin', () => {
  it('`npx fwlang` runs the command line from the project root', () => {
    const r = spawnSync('npx', ['--no-install', 'fwlang', 'check', path.join(dir, 'ok.fw')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/0 errors/);
  }, 60_000);
});
