// The extension in a real VS Code (code-server 4.99.4 = VS Code 1.99.3): the extension test
// suite in the real extension host, and the packaged .vsix as a person sees it in Chromium.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../common.mjs';

function run(args, what) {
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${out.split('\n').slice(-40).join('\n')}`);
  return out;
}

function npm(script) {
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`npm run ${script} failed:\n${r.stdout}${r.stderr}`);
}

export default [
  {
    name: 'vscode: extension test suite in the real extension host',
    needs: ['codeServer'],
    timeout: 400_000,
    async run() {
      const out = run([path.join(REPO_ROOT, 'test/extension/runInCodeServer.mjs')], 'the extension suite');
      const summary = out
        .split('\n')
        .reverse()
        .find((l) => /\d+ passed, \d+ failed/.test(l));
      return summary?.trim();
    },
  },
  {
    name: 'vscode: the packaged .vsix as a person sees it (squiggles, hover, lens verdict, screenshot)',
    needs: ['codeServer'],
    timeout: 400_000,
    async run() {
      npm('package');
      const out = run(
        [path.join(REPO_ROOT, 'test/extension/vsixInCodeServer.mjs'), path.join(REPO_ROOT, 'fwlang.vsix')],
        'the .vsix scenario',
      );
      return `${out.split('\n').filter((l) => l.startsWith('ok ')).length} steps`;
    },
  },
  {
    name: 'vscode: the picture webview beside the editor (Show picture lens, follows the cursor, redraws after an edit, screenshot)',
    needs: ['codeServer'],
    timeout: 400_000,
    async run() {
      npm('package');
      const out = run(
        [path.join(REPO_ROOT, 'test/extension/webviewInCodeServer.mjs'), path.join(REPO_ROOT, 'fwlang.vsix')],
        'the webview scenario',
      );
      return `${out.split('\n').filter((l) => l.startsWith('ok ')).length} steps`;
    },
  },
];
