// A few-line stdio LSP server for the Neovim harness self-test: one warning
// on line 1 of every opened document, a hover, and one code lens.
'use strict';
const {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  DiagnosticSeverity,
} = require('vscode-languageserver/node');
const { TextDocument } = require('vscode-languageserver-textdocument');

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

connection.onInitialize(() => ({
  capabilities: {
    textDocumentSync: TextDocumentSyncKind.Incremental,
    hoverProvider: true,
    codeLensProvider: { resolveProvider: false },
  },
  serverInfo: { name: 'selftest-lsp', version: '0.0.1' },
}));

documents.onDidChangeContent(({ document }) => {
  const first = document.getText().split('\n')[0];
  connection.sendDiagnostics({
    uri: document.uri,
    diagnostics: [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: first.length } },
        severity: DiagnosticSeverity.Warning,
        source: 'selftest-lsp',
        code: 'SFT001',
        message: 'selftest-lsp: first line flagged',
      },
    ],
  });
});

connection.onHover(({ position }) => ({
  contents: { kind: 'markdown', value: `**selftest-lsp** hover at ${position.line}:${position.character}` },
}));

connection.onCodeLens(({ textDocument }) => {
  const doc = documents.get(textDocument.uri);
  return [
    {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      command: { title: `selftest-lsp lens: ${doc ? doc.lineCount : '?'} lines`, command: 'selftest.noop', arguments: [] },
    },
  ];
});

documents.listen(connection);
connection.listen();
