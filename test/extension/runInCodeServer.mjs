#!/usr/bin/env node
// Runs the extension test suite (test/extension/suite/index.js) inside code-server's real
// extension host, with the repository root as the extension under development and a fresh
// copy of samples/ as the workspace folder. Uses the editor harness (test/editor/).
//
//   npm run build && node test/extension/runInCodeServer.mjs
//
// Needs the editors installed once: `bash .ci/install-editors.sh`. Exit code 0 = all passed.
// Logs and the browser console land in test-results/editor/fwlang-extension/.
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runExtensionTestsDetailed } from '../editor/codeserver.mjs';
import { makeTempDir, removeDir } from '../editor/common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

for (const f of ['dist/client.js', 'dist/server.js']) {
  if (!existsSync(path.join(root, f))) {
    console.error(`${f} is missing: run \`npm run build\` first`);
    process.exit(2);
  }
}

const tmp = makeTempDir('ext-ws');
const folder = path.join(tmp, 'samples');
cpSync(path.join(root, 'samples'), folder, { recursive: true });
let code = 1;
try {
  const r = await runExtensionTestsDetailed({
    name: 'fwlang-extension',
    extensionPath: root,
    testsPath: path.join(here, 'suite', 'index.js'),
    folder,
    timeout: Number(process.env.FWLANG_EXTENSION_TEST_TIMEOUT || 300_000),
  });
  code = r.exitCode;
  for (const line of r.console) {
    if (/EDITORTEST .*(activation|ready)/.test(line)) console.log(line.replace(/^.*EDITORTEST /, '  '));
  }
  if (r.results) {
    for (const t of r.results.tests) {
      console.log(`${t.ok ? 'ok  ' : 'FAIL'} ${t.name} (${t.ms} ms)`);
      if (!t.ok) console.log(`       ${String(t.error).split('\n').slice(0, 4).join('\n       ')}`);
    }
    console.log(
      `${r.results.passed} passed, ${r.results.failed} failed in ${(r.durationMs / 1000).toFixed(1)} s (logs: ${path.relative(root, r.outDir)})`,
    );
  } else {
    console.log(`the suite wrote no results (exit code ${code}); see ${path.relative(root, r.outDir)}`);
    console.log(r.console.slice(-30).join('\n'));
  }
} finally {
  removeDir(tmp);
}
process.exit(code === 0 ? 0 : 1);
