#!/usr/bin/env node
// Entry point of the real-editor tests: `node test/editor/run.mjs [filter...]`.
//   - fails (does not skip) when the editors are not installed;
//   - runs the harness self-tests (selftest/) and every scenario module in
//     test/editor/scenarios/*.mjs;
//   - prints one line per scenario and ends with `N passed, M failed`;
//     exit code 1 when anything failed.
// Options: --list (print scenario names), filters = substrings of names.
// Env: FWLANG_EDITOR_VERBOSE=1 (whole browser console), FWLANG_KEEP_TMP=1.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runExtensionTestsDetailed, installVsixAndOpen } from './codeserver.mjs';
import { HARNESS_DIR, INSTALL_HINT, RESULTS_DIR, makeTempDir, missingEditors, removeDir, withTimeout } from './common.mjs';
import { hoverText, runNvimLsp } from './nvim.mjs';
import { packVsix } from './vsix.mjs';

const SELF = path.join(HARNESS_DIR, 'selftest');
const SELF_EXT = path.join(SELF, 'ext');
const SELF_WS = path.join(SELF, 'workspace');
const SELF_LSP = path.join(SELF, 'lsp-server.cjs');

/** @typedef {{ name: string, needs: Array<'codeServer'|'nvim'>, timeout?: number, run: () => Promise<string|void> }} Scenario */

/** @type {Scenario[]} */
const selftests = [
  {
    name: 'selftest: code-server extension tests pass (real vscode API, VS Code 1.99)',
    needs: ['codeServer'],
    async run() {
      const r = await runExtensionTestsDetailed({
        name: 'selftest-extension-tests',
        extensionPath: SELF_EXT,
        testsPath: path.join(SELF_EXT, 'test', 'index.js'),
        folder: SELF_WS,
        timeout: 120_000,
      });
      assert.equal(r.exitCode, 0, `suite exit code ${r.exitCode}; ${JSON.stringify(r.results?.tests?.filter((t) => !t.ok))}`);
      assert.ok(r.results, 'the suite wrote no results file');
      assert.equal(r.results.failed, 0);
      assert.equal(r.results.passed, 5);
      return `${r.results.passed} extension tests passed`;
    },
  },
  {
    name: 'selftest: code-server reports a failing extension test as exit code 1',
    needs: ['codeServer'],
    async run() {
      const r = await runExtensionTestsDetailed({
        name: 'selftest-failing-suite',
        extensionPath: SELF_EXT,
        testsPath: path.join(SELF_EXT, 'test', 'failing.js'),
        folder: SELF_WS,
        timeout: 120_000,
        echo: false, // its failure is expected: keep it out of the output
      });
      assert.equal(r.exitCode, 1, 'a failing suite must give exit code 1');
      assert.equal(r.results?.failed, 1);
      assert.ok(
        r.console.some((l) => l.includes('EXPECTED-FAILURE-MARKER')),
        'the assertion message reached the browser console',
      );
      return 'failure detected with its message';
    },
  },
  {
    name: 'selftest: code-server .vsix install + UI (quick open, lens, squiggle, problems, hover, lens click)',
    needs: ['codeServer'],
    async run() {
      const tmp = makeTempDir('vsix');
      try {
        const vsix = packVsix(SELF_EXT, path.join(tmp, 'editor-selftest.vsix'), { exclude: (rel) => rel.startsWith('test/') });
        const ui = await installVsixAndOpen({ vsix, folder: SELF_WS, name: 'selftest-ui' });
        try {
          await ui.openFile('sample.sft');
          await ui.waitForText('selftest lens: 4 lines', { selector: '.codelens-decoration' });
          await ui.waitForSelector('.squiggly-warning');
          await ui.problemsText({ text: 'selftest: first line flagged' });
          await ui.goToLine(2, 3);
          await ui.showHover({ text: 'selftest hover at 1:2' });
          await ui.page.keyboard.press('Escape');
          await ui.clickCodeLens('selftest lens');
          await ui.notificationText('selftest lens clicked: sample.sft');
          const shot = await ui.screenshot('final');
          return `screenshot ${path.relative(process.cwd(), shot)}`;
        } catch (e) {
          await ui.screenshot('failure').catch(() => {});
          throw e;
        } finally {
          await ui.close();
        }
      } finally {
        removeDir(tmp);
      }
    },
  },
  {
    name: 'selftest: neovim LSP client gets diagnostics, hover and code lens',
    needs: ['nvim'],
    async run() {
      const r = await runNvimLsp({
        file: path.join(SELF_WS, 'sample.sft'),
        serverCmd: ['node', SELF_LSP, '--stdio'],
        hover: { line: 1, character: 2 },
        timeout: 30_000,
      });
      assert.equal(r.serverInfo?.name, 'selftest-lsp');
      assert.equal(r.diagnostics.length, 1);
      assert.equal(r.diagnostics[0].message, 'selftest-lsp: first line flagged');
      assert.equal(r.diagnostics[0].severity, 2);
      assert.equal(r.diagnostics[0].code, 'SFT001');
      assert.match(hoverText(r.hover), /hover at 1:2/);
      assert.equal(r.codeLens?.[0]?.command?.title, 'selftest-lsp lens: 4 lines');
      return `nvim run ${r.durationMs} ms`;
    },
  },
  {
    name: 'selftest: neovim harness reports a language server that dies',
    needs: ['nvim'],
    async run() {
      await assert.rejects(
        runNvimLsp({ file: path.join(SELF_WS, 'sample.sft'), serverCmd: ['node', '-e', 'process.exit(3)'], timeout: 15_000 }),
        /server exited before initialize|did not initialize/,
      );
    },
  },
];

async function loadScenarioModules() {
  const dir = path.join(HARNESS_DIR, 'scenarios');
  if (!existsSync(dir)) return [];
  const out = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.mjs'))
    .sort()) {
    const mod = await import(pathToFileURL(path.join(dir, f)).href);
    const list = [].concat(mod.default ?? mod.scenarios ?? []);
    for (const s of list) {
      if (!s?.name || typeof s.run !== 'function') throw new Error(`scenarios/${f}: every scenario needs { name, run }`);
      out.push({ needs: ['codeServer', 'nvim'], ...s });
    }
  }
  return out;
}

function fmtMs(ms) {
  return `${(ms / 1000).toFixed(1)}s`;
}

async function main() {
  const args = process.argv.slice(2);
  const filters = args.filter((a) => !a.startsWith('--'));
  let scenarios = [...selftests, ...(await loadScenarioModules())];
  if (filters.length) scenarios = scenarios.filter((s) => filters.some((f) => s.name.includes(f)));
  if (args.includes('--list')) {
    for (const s of scenarios) console.log(s.name);
    return 0;
  }
  if (!scenarios.length) {
    console.log('editor tests: no scenario matches');
    console.log('0 passed, 1 failed');
    return 1;
  }

  const missing = missingEditors();
  const needed = new Set(scenarios.flatMap((s) => s.needs));
  const absent = [...needed].flatMap((k) => missing[k] || []);
  if (absent.length) {
    console.log(`editor tests: the real editors are not installed (missing: ${absent.join(', ')}).`);
    console.log(`editor tests: ${INSTALL_HINT}, then run \`node test/editor/run.mjs\` again.`);
    for (const s of scenarios) console.log(`FAIL  ${s.name}  (editors not installed)`);
    console.log(`0 passed, ${scenarios.length} failed`);
    return 1;
  }

  console.log(`editor tests: ${scenarios.length} scenarios; artifacts in ${path.relative(process.cwd(), RESULTS_DIR) || RESULTS_DIR}`);
  let passed = 0;
  let failed = 0;
  const t0 = Date.now();
  for (const s of scenarios) {
    const ts = Date.now();
    try {
      const note = await withTimeout(
        Promise.resolve().then(() => s.run()),
        s.timeout ?? 240_000,
        s.name,
      );
      passed++;
      console.log(`PASS  ${s.name}  ${fmtMs(Date.now() - ts)}${note ? `  (${note})` : ''}`);
    } catch (e) {
      failed++;
      console.log(`FAIL  ${s.name}  ${fmtMs(Date.now() - ts)}`);
      console.log(
        String(e?.stack || e)
          .split('\n')
          .map((l) => `      ${l}`)
          .join('\n'),
      );
    }
  }
  console.log(`editor tests took ${fmtMs(Date.now() - t0)}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

// process.exit: a leaked handle must not keep the run alive; the exit hook
// in common.mjs still kills any editor process group left behind.
main().then(
  (code) => process.exit(code),
  (e) => {
    console.log(`editor tests: harness error: ${e?.stack || e}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
