// The table of diagnostic codes (server/src/core/codes.ts) is the one place a code is written:
// package.json's severity settings, the docs index and the SARIF rules agree with it, and a
// hand edit of a generated part (or a forgotten `npm run codes`) fails here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toSarif } from '../../server/src/cli/sarif';
import { CODE_TABLE, DIAGNOSTIC_CODES, docPage } from '../../server/src/core/codes';

interface SarifRule {
  id: keyof typeof CODE_TABLE;
  shortDescription: { text: string };
  defaultConfiguration: { level: string };
  helpUri: string;
}

const root = path.resolve(__dirname, '..', '..');
const generator = path.join(root, 'scripts', 'codes.mjs');
const read = (f: string) => readFileSync(path.join(root, f), 'utf8');

/** Runs the generator's check against the repository's files, or a copy of them. */
function check(dir = root): { status: number | null; stderr: string } {
  const script = dir === root ? generator : path.join(dir, 'scripts', 'codes.mjs');
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8', cwd: dir });
  return { status: r.status, stderr: r.stderr };
}

describe('the table of codes', () => {
  it('package.json and docs/diagnostics/README.md are generated from it (npm run codes)', () => {
    const r = check();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('package.json has one severity setting per code, in its order, with its default and summary', () => {
    const props = JSON.parse(read('package.json')).contributes.configuration.properties['fwlang.severity'].properties;
    expect(Object.keys(props)).toEqual(DIAGNOSTIC_CODES);
    for (const code of DIAGNOSTIC_CODES) {
      const { severity, summary } = CODE_TABLE[code];
      expect(props[code].markdownDescription).toBe(`${summary.replace(/\.$/, '')} (default: ${severity}).`);
    }
  });

  it('every code has its doc page, every page its code, and the index links each', () => {
    const pages = readdirSync(path.join(root, 'docs', 'diagnostics')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(pages.map((f) => f.replace(/\.md$/, '')).sort()).toEqual([...DIAGNOSTIC_CODES].sort());
    const index = read('docs/diagnostics/README.md');
    for (const code of DIAGNOSTIC_CODES) {
      expect(existsSync(path.join(root, docPage(code))), docPage(code)).toBe(true);
      expect(index).toContain(`| [\`${code}\`](${code}.md) | ${CODE_TABLE[code].severity} | ${CODE_TABLE[code].summary} |`);
    }
  });

  it("the language guide's table (§9, written by hand with an example per code) has a row per code", () => {
    const rows = [...read('docs/language.md').matchAll(/^\| \[`([a-z-]+)`\]\(diagnostics\/\1\.md\) \| ([a-z /]+) \|/gm)];
    expect(rows.map((m) => m[1])).toEqual(DIAGNOSTIC_CODES);
    for (const [, code, severity] of rows) expect(severity!.split(' / ')[0]).toBe(CODE_TABLE[code as keyof typeof CODE_TABLE].severity);
  });

  it('gives the SARIF rules: one per code, with its summary, level and page', () => {
    const sarif = toSarif([], '0.0.0', 'file:///w/') as { runs: { tool: { driver: { rules: SarifRule[] } } }[] };
    const rules = sarif.runs[0]!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(DIAGNOSTIC_CODES);
    const level = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as const;
    for (const r of rules) {
      const info = CODE_TABLE[r.id];
      expect(r.shortDescription.text).toBe(info.summary);
      expect(r.defaultConfiguration.level).toBe(level[info.severity]);
      expect(r.helpUri).toMatch(new RegExp(`/${docPage(r.id).replace(/\./g, '\\.')}$`));
    }
  });

  it('a hand edit of a generated part is found', () => {
    // A copy of the repository's inputs, so that the check runs on edited files.
    const dir = mkdtempSync(path.join(tmpdir(), 'fwlang-codes-'));
    try {
      const copy = (f: string, text = read(f)) => {
        const to = path.join(dir, f);
        mkdirSync(path.dirname(to), { recursive: true });
        writeFileSync(to, text);
      };
      copy('scripts/codes.mjs');
      copy('server/src/core/codes.ts');
      copy('docs/diagnostics/README.md');
      copy('package.json');
      // esbuild is resolved from the copy's node_modules: point it at ours.
      symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      expect(check(dir).status).toBe(0);

      copy(
        'package.json',
        read('package.json').replace('A name declared twice (default: error).', 'A name declared twice (default: warning).'),
      );
      const stale = check(dir);
      expect(stale.status).toBe(1);
      expect(stale.stderr).toContain('package.json');

      copy('package.json');
      copy(
        'server/src/core/codes.ts',
        read('server/src/core/codes.ts').replace("'duplicate-name': { severity: 'error'", "'duplicate-name': { severity: 'warning'"),
      );
      const forgotten = check(dir);
      expect(forgotten.status).toBe(1);
      expect(forgotten.stderr).toContain('package.json, docs/diagnostics/README.md');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
