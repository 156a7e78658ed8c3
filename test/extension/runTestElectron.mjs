#!/usr/bin/env node
// Runs the extension test suite in a desktop VS Code with @vscode/test-electron, for people
// whose machine can download VS Code (the CI machines cannot: they use runInCodeServer.mjs).
// @vscode/test-electron is NOT a dependency of the project; install it on the side:
//
//   npm install --no-save @vscode/test-electron
//   npm run build && node test/extension/runTestElectron.mjs
//
// Env: VSCODE_VERSION (default 1.99.3; 'stable' for the newest). On Linux without a display,
// run it under xvfb-run.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

let testElectron;
try {
  testElectron = await import('@vscode/test-electron');
} catch {
  console.error(
    '@vscode/test-electron is not installed: `npm install --no-save @vscode/test-electron` (or use test/extension/runInCodeServer.mjs)',
  );
  process.exit(2);
}

const tmp = mkdtempSync(path.join(tmpdir(), 'fwlang-ext-'));
const folder = path.join(tmp, 'samples');
cpSync(path.join(root, 'samples'), folder, { recursive: true });
try {
  await testElectron.runTests({
    version: process.env.VSCODE_VERSION || '1.99.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(here, 'suite', 'index.js'),
    launchArgs: [folder, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
  console.log('extension tests passed');
} catch (e) {
  console.error(`extension tests failed: ${e?.message ?? e}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
