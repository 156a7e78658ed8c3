// Extension tests for the self-test extension, run in the real extension host
// (code-server here; @vscode/test-electron would run the same module).
'use strict';
const assert = require('node:assert');
const path = require('node:path');
const vscode = require('vscode');
const { suite, waitFor } = require('../../../minitest.cjs');

const s = suite('editor-harness self-test');
const ws = () => vscode.workspace.workspaceFolders[0].uri;

s.test('runs in VS Code 1.99', () => {
  assert.ok(vscode.version.startsWith('1.99'), `vscode.version is ${vscode.version}`);
});

s.test('opens the workspace folder', () => {
  assert.strictEqual(vscode.workspace.workspaceFolders?.length, 1);
  assert.strictEqual(path.basename(ws().path), 'workspace');
});

s.test('a .txt file opens in an editor', async () => {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(ws(), 'hello.txt'));
  const ed = await vscode.window.showTextDocument(doc);
  assert.strictEqual(ed.document.languageId, 'plaintext');
  assert.match(ed.document.getText(), /hello from the editor harness/);
});

s.test('the extension under development activates on its language', async () => {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(ws(), 'sample.sft'));
  await vscode.window.showTextDocument(doc);
  const ext = vscode.extensions.getExtension('fwlang-test.editor-selftest');
  assert.ok(ext, 'extension fwlang-test.editor-selftest not found');
  await waitFor(() => ext.isActive, { what: 'activation' });
  assert.deepStrictEqual(ext.exports, { ready: true });
});

s.test('diagnostics, code lens and hover come through the API', async () => {
  const uri = vscode.Uri.joinPath(ws(), 'sample.sft');
  const doc = await vscode.workspace.openTextDocument(uri);
  const diags = await waitFor(
    () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length ? d : null;
    },
    { what: 'diagnostics' },
  );
  assert.strictEqual(diags[0].message, 'selftest: first line flagged');
  assert.strictEqual(diags[0].severity, vscode.DiagnosticSeverity.Warning);
  const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri);
  assert.strictEqual(lenses.length, 1);
  assert.strictEqual(lenses[0].command.title, `selftest lens: ${doc.lineCount} lines`);
  assert.strictEqual(await vscode.commands.executeCommand(lenses[0].command.command, ...lenses[0].command.arguments), 'clicked');
  const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(1, 2));
  const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  assert.match(text, /selftest hover at 1:2/);
});

module.exports.run = s.run;
