// `fwlang check` in-process (cli.md): the text, json and sarif shapes, the exit codes for
// warnings and errors, directories, and `--fix`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../server/src/core/diagnostic';
import { runMain, tempFiles, removeTempFiles } from './support';

afterAll(removeTempFiles);

const WARN_ONLY = `host web 10.0.1.10
firewall sg stateful protects web {
  inbound allow tcp to web port 443
  inbound allow tcp from 198.51.100.7 to web port 443
}
`;
const FLOW_ERROR = `host web 10.0.1.10
firewall sg stateful protects web {
  inbound allow tcp to web port 443
}
flow 198.51.100.7 -> web tcp 22 expect allow
`;

describe('fwlang check, text', () => {
  it('prints path:line:col: severity code: message, then a summary; exit 0 with warnings only', () => {
    const dir = tempFiles({ 'a.fw': WARN_ONLY });
    const file = path.join(dir, 'a.fw');
    const r = runMain(['check', file]);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      `${file}:4:3: warning shadowed-rule: this rule can never match: the rule on line 3 comes first and already allows everything this rule would allow`,
      '0 errors, 1 warning, 0 infos, 0 hints in 1 file',
    ]);
  });

  it('exits 1 on an error, a flow-expectation too', () => {
    const dir = tempFiles({ 'a.fw': FLOW_ERROR });
    const r = runMain(['check', path.join(dir, 'a.fw')]);
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(/a\.fw:5:1: error flow-expectation: expected allow, but the flow is blocked/);
    expect(r.lines[1]).toBe('1 error, 0 warnings, 0 infos, 0 hints in 1 file');
  });

  it('checks every .fw file below a directory, in order, skipping node_modules and dot folders', () => {
    const dir = tempFiles({
      'b.fw': WARN_ONLY,
      'sub/a.fw': FLOW_ERROR,
      'sub/notes.txt': 'not fw',
      'node_modules/x/c.fw': 'garbage garbage',
      '.hidden/d.fw': 'garbage garbage',
    });
    const r = runMain(['check', dir, '--format', 'json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { files: { path: string }[] };
    expect(json.files.map((f) => path.relative(dir, f.path))).toEqual(['b.fw', path.join('sub', 'a.fw')]);
  });
});

describe('fwlang check --format json', () => {
  it('is one document: files, each with its path and 1-based diagnostics', () => {
    const dir = tempFiles({ 'a.fw': WARN_ONLY, 'b.fw': FLOW_ERROR, 'c.fw': 'host ok 10.0.0.1\n' });
    const files = ['a.fw', 'b.fw', 'c.fw'].map((f) => path.join(dir, f));
    const r = runMain(['check', ...files, '--format', 'json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(Object.keys(json)).toEqual(['files']);
    expect(json.files[0]).toEqual({
      path: files[0],
      diagnostics: [
        {
          line: 4,
          column: 3,
          endLine: 4,
          endColumn: 54,
          severity: 'warning',
          code: 'shadowed-rule',
          message: 'this rule can never match: the rule on line 3 comes first and already allows everything this rule would allow',
        },
      ],
    });
    expect(
      json.files[1].diagnostics.map(
        (d: { line: number; column: number; endLine: number; endColumn: number; severity: string; code: string }) => [
          d.line,
          d.column,
          d.endLine,
          d.endColumn,
          d.severity,
          d.code,
        ],
      ),
    ).toEqual([[5, 1, 5, 45, 'error', 'flow-expectation']]);
    expect(json.files[2]).toEqual({ path: files[2], diagnostics: [] });
    for (const f of json.files) {
      for (const d of f.diagnostics) {
        expect(Object.keys(d)).toEqual(['line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message']);
        expect(['error', 'warning', 'info', 'hint']).toContain(d.severity);
      }
    }
  });
});

describe('fwlang check --format sarif', () => {
  it('is SARIF 2.1.0: one run, one rule per diagnostic code, results on the right lines', () => {
    const dir = tempFiles({ 'a.fw': WARN_ONLY, 'b.fw': FLOW_ERROR });
    const r = runMain(['check', path.join(dir, 'a.fw'), path.join(dir, 'b.fw'), '--format', 'sarif']);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.out);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe('fwlang');
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual([...DIAGNOSTIC_CODES]);
    const results = run.results.map(
      (x: {
        ruleId: string;
        ruleIndex: number;
        level: string;
        locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[];
      }) => {
        const loc = x.locations[0]!.physicalLocation;
        return [
          x.ruleId,
          run.tool.driver.rules[x.ruleIndex].id,
          x.level,
          path.basename(loc.artifactLocation.uri),
          loc.region.startLine,
          loc.region.startColumn,
        ];
      },
    );
    expect(results).toEqual([
      ['shadowed-rule', 'shadowed-rule', 'warning', 'a.fw', 4, 3],
      ['flow-expectation', 'flow-expectation', 'error', 'b.fw', 5, 1],
    ]);
  });
});

describe('fwlang check --fix', () => {
  it('fixes host bits in a prefix and says so', () => {
    const dir = tempFiles({ 'n.fw': 'network n 10.0.1.5/24\nhost a 10.0.1.7\n' });
    const file = path.join(dir, 'n.fw');
    expect(runMain(['check', file]).code).toBe(1);
    const r = runMain(['check', file, '--fix']);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      `${file}:1: fixed invalid-address: Use the network address \`10.0.1.0/24\``,
      '0 errors, 0 warnings, 0 infos, 0 hints in 1 file; 1 fixed',
    ]);
    expect(fs.readFileSync(file, 'utf8')).toBe('network n 10.0.1.0/24\nhost a 10.0.1.7\n');
  });

  it('adds a missing response rule, so the flow meets its expect', () => {
    const dir = tempFiles({
      'r.fw': `host web 10.0.1.10
firewall edge stateless protects 10.0.1.0/24 {
  100 inbound allow tcp to web port 443
}
flow 198.51.100.7 -> web https expect allow
`,
    });
    const file = path.join(dir, 'r.fw');
    expect(runMain(['check', file]).code).toBe(1);
    const r = runMain(['check', file, '--fix']);
    expect(r.lines[0]).toMatch(/r\.fw:3: fixed missing-response: /);
    expect(r.code).toBe(0);
    const fixed = fs.readFileSync(file, 'utf8');
    expect(fixed).toMatch(/outbound allow tcp from web port 443 to any port/);
    const again = runMain(['check', file, '--format', 'json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).files[0].diagnostics).toEqual([]);
  });

  it('removes redundant rules (safe) but never a shadowed rule (the author may have meant to reorder)', () => {
    const text = `host web 10.0.1.10
firewall sg stateful protects web {
  inbound allow tcp from 198.51.100.0/24 to web port 443
  inbound allow tcp to web port 443
  inbound allow tcp from 198.51.100.7 to web port 443
}
flow 198.51.100.7 -> web https expect allow
`;
    const dir = tempFiles({ 's.fw': text });
    const file = path.join(dir, 's.fw');
    const r = runMain(['check', file, '--fix']);
    expect(r.lines[0]).toBe(`${file}:3: fixed redundant-rule: Remove this redundant rule`);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(text.replace('  inbound allow tcp from 198.51.100.0/24 to web port 443\n', ''));
    expect(r.lines.slice(1)).toEqual([
      `${file}:4:3: warning shadowed-rule: this rule can never match: the rule on line 3 comes first and already allows everything this rule would allow`,
      '0 errors, 1 warning, 0 infos, 0 hints in 1 file; 1 fixed',
    ]);
  });

  it('with json or sarif, reports the fixes on stderr and keeps stdout one document', () => {
    const dir = tempFiles({ 'n.fw': 'network n 10.0.1.5/24\n' });
    const r = runMain(['check', path.join(dir, 'n.fw'), '--fix', '--format', 'json']);
    expect(JSON.parse(r.out)).toEqual({ files: [{ path: path.join(dir, 'n.fw'), diagnostics: [] }] });
  });
});
