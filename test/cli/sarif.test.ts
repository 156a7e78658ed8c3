// `fwlang check --format sarif` checked by Microsoft's own SARIF validator
// (`sarif-multitool validate`, the devDependency @microsoft/sarif-multitool, a self-contained
// .NET binary per platform that runs offline): it checks the SARIF 2.1.0 JSON schema and the
// SARIF rules (SARIF1xxx/2xxx). The log it writes is SARIF too; we read its results.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain, tempFiles, removeTempFiles } from './support';

afterAll(removeTempFiles);

function validator(): string {
  const bin = createRequire(__filename)('@microsoft/sarif-multitool') as string;
  // npm may skip the package's postinstall `chmod u+x`.
  if (process.platform !== 'win32') {
    const mode = fs.statSync(bin).mode;
    if ((mode & 0o100) === 0) fs.chmodSync(bin, mode | 0o100);
  }
  return bin;
}

interface ValidationResult {
  ruleId: string;
  level?: string;
  message: { id?: string; arguments?: string[]; text?: string };
  locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[];
}

/** Runs the validator on the files; its own SARIF log's results (level omitted = warning). */
function validate(files: string[]): { ok: boolean; results: ValidationResult[]; output: string } {
  const log = path.join(path.dirname(files[0]!), 'validation.sarif');
  const r = spawnSync(validator(), ['validate', ...files, '--output', log, '--log', 'ForceOverwrite'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0 || !fs.existsSync(log)) return { ok: false, results: [], output };
  const parsed = JSON.parse(fs.readFileSync(log, 'utf8'));
  const run = parsed.runs[0];
  return { ok: run.invocations?.[0]?.executionSuccessful === true, results: run.results ?? [], output };
}

const describeResult = (x: ValidationResult) =>
  `${x.level ?? 'warning'} ${x.ruleId} ${x.message.id ?? ''} ${(x.message.arguments ?? []).join(' | ')}`;

describe('SARIF output, validated by sarif-multitool', () => {
  it('has no schema or rule violations, with every severity and several files', () => {
    const dir = tempFiles({
      'web.fw': `host web 10.0.1.10
network n 10.0.1.5/24
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound allow tcp to web port 443
  110 inbound allow tcp from 198.51.100.0/24 to web port 443
  120 outbound allow tcp from web port 443 to any port 80
  # fw-ignore syntax
  130 inbound deny udp to web port 53
}
flow 198.51.100.7 -> web https expect allow
`,
      'sub/ok é.fw': 'host ok 10.0.0.1\n',
    });
    const cwd = process.cwd();
    let sarifText: string;
    try {
      // Artifact URIs are relative to the working directory (SRCROOT).
      process.chdir(dir);
      const r = runMain(['check', '.', '--format', 'sarif']);
      expect(r.code).toBe(1);
      sarifText = r.out;
    } finally {
      process.chdir(cwd);
    }
    const sarif = JSON.parse(sarifText);
    const levels = new Set(sarif.runs[0].results.map((x: { level: string }) => x.level));
    expect([...levels].sort()).toEqual(['error', 'note', 'warning']);
    const withResults = path.join(dir, 'check.sarif');
    fs.writeFileSync(withResults, sarifText);
    // And a log with no results at all.
    const empty = path.join(dir, 'empty.sarif');
    fs.writeFileSync(empty, runMain(['check', path.join(dir, 'sub'), '--format', 'sarif']).out);

    const v = validate([withResults, empty]);
    expect(v.ok, v.output).toBe(true);
    const errors = v.results.filter((x) => x.level === 'error');
    expect(errors.map(describeResult)).toEqual([]);
    // Nor any warning (SARIF's own advice on ids, names, URIs, ...).
    expect(v.results.filter((x) => (x.level ?? 'warning') === 'warning').map(describeResult)).toEqual([]);
  }, 180_000);

  it('the validator does catch a broken log (so a pass means something)', () => {
    const dir = tempFiles({
      'bad.sarif': JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: {} }, results: [{ message: {} }] }] }),
    });
    const v = validate([path.join(dir, 'bad.sarif')]);
    expect(v.results.filter((x) => x.level === 'error').map((x) => x.ruleId)).toContain('JSON1002');
  }, 180_000);
});
