// A tiny test runner for suites that run inside the VS Code extension host.
// Compatible with @vscode/test-electron and with code-server's
// extensionTestsPath: the suite module exports `run()`, which resolves when
// every test passed and rejects otherwise.
//
//   const { suite } = require('<path>/test/editor/minitest.cjs');
//   const s = suite('my extension');
//   s.test('activates', async () => { ... });
//   module.exports.run = s.run;
//
// Each test has a timeout (default 20 s). Results are printed to the console
// (forwarded to the harness) and, when FWLANG_EDITOR_RESULTS is set, written
// there as JSON: { title, passed, failed, tests: [{ name, ok, ms, error }] }.
'use strict';
const fs = require('node:fs');

function withTimeout(p, ms, name) {
  let t;
  return Promise.race([
    p,
    new Promise((_, rej) => {
      t = setTimeout(() => rej(new Error(`test "${name}" timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

/** Polls fn until it returns a truthy value; throws after timeout. */
async function waitFor(fn, { timeout = 10000, interval = 50, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

function suite(title) {
  const tests = [];
  const s = {
    test(name, fn, { timeout = 20000 } = {}) {
      tests.push({ name, fn, timeout });
    },
    only: null,
    async run() {
      const results = [];
      console.log(`EDITORTEST suite: ${title} (${tests.length} tests)`);
      for (const t of tests) {
        const t0 = Date.now();
        try {
          await withTimeout(
            Promise.resolve().then(() => t.fn()),
            t.timeout,
            t.name,
          );
          results.push({ name: t.name, ok: true, ms: Date.now() - t0 });
          console.log(`EDITORTEST   ok   ${t.name} (${Date.now() - t0} ms)`);
        } catch (e) {
          const error = (e && (e.stack || e.message)) || String(e);
          results.push({ name: t.name, ok: false, ms: Date.now() - t0, error });
          console.error(`EDITORTEST   FAIL ${t.name}: ${error}`);
        }
      }
      const failed = results.filter((r) => !r.ok);
      const summary = { title, passed: results.length - failed.length, failed: failed.length, tests: results };
      console.log(`EDITORTEST done: ${summary.passed}/${results.length} ok${summary.failed ? `, ${summary.failed} FAILED` : ''}`);
      if (process.env.FWLANG_EDITOR_RESULTS) {
        try {
          fs.writeFileSync(process.env.FWLANG_EDITOR_RESULTS, JSON.stringify(summary, null, 2));
        } catch (e) {
          console.error(`EDITORTEST cannot write results: ${e.message}`);
        }
      }
      if (failed.length) throw new Error(`${failed.length} of ${results.length} tests failed: ${failed.map((f) => f.name).join('; ')}`);
    },
  };
  s.run = s.run.bind(s);
  return s;
}

module.exports = { suite, waitFor };
