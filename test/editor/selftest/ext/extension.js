// Throwaway extension for the harness self-test: on .sft files it publishes
// one warning on line 1, a code lens above line 1 and a hover. No LSP.
'use strict';
const vscode = require('vscode');

function activate(context) {
  const diags = vscode.languages.createDiagnosticCollection('selftest');
  const refresh = (doc) => {
    if (doc.languageId !== 'sft') return;
    const line = doc.lineAt(0);
    const d = new vscode.Diagnostic(line.range, 'selftest: first line flagged', vscode.DiagnosticSeverity.Warning);
    d.source = 'selftest';
    diags.set(doc.uri, [d]);
  };
  context.subscriptions.push(
    diags,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => refresh(e.document)),
    vscode.languages.registerCodeLensProvider(
      { language: 'sft' },
      {
        provideCodeLenses(doc) {
          return [
            new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
              title: `selftest lens: ${doc.lineCount} lines`,
              command: 'selftest.lensClicked',
              arguments: [doc.uri.toString()],
            }),
          ];
        },
      },
    ),
    vscode.languages.registerHoverProvider(
      { language: 'sft' },
      {
        provideHover(doc, pos) {
          return new vscode.Hover(`selftest hover at ${pos.line}:${pos.character}`);
        },
      },
    ),
    vscode.commands.registerCommand('selftest.lensClicked', (uri) => {
      vscode.window.showInformationMessage(`selftest lens clicked: ${uri ? uri.split('/').pop() : '?'}`);
      return 'clicked';
    }),
  );
  vscode.workspace.textDocuments.forEach(refresh);
  return { ready: true };
}

function deactivate() {}

module.exports = { activate, deactivate };
