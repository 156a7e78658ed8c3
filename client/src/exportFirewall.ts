// "Export this firewall…": which firewall (the one under the cursor, or picked), which target
// (picked), then the server's `fwlang/export` answer opened as new untitled documents, or its
// problems shown and nothing opened. A code action on each `firewall NAME` line runs it too.

import * as path from 'node:path';
import {
  CodeAction,
  type CodeActionProvider,
  CodeActionKind,
  type DocumentSymbol,
  type OutputChannel,
  type QuickPickItem,
  type TextDocument,
  type Position,
  SymbolKind,
  Uri,
  ViewColumn,
  commands,
  languages,
  window,
  workspace,
} from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { type ExportAnswer, ExportRequest, type ExportTarget } from '../../server/src/protocol';

export const CMD_EXPORT = 'fwlang.exportFirewall';

/** What the command takes to skip its questions (code actions, keybindings, tests). */
export interface ExportArgs {
  uri?: string;
  firewall?: string;
  target?: ExportTarget;
  onHost?: boolean;
}

interface TargetItem extends QuickPickItem {
  target: ExportTarget;
  onHost: boolean;
}

const TARGET_ITEMS: TargetItem[] = [
  {
    label: 'nftables',
    description: 'a router: the forward hook',
    detail: 'An nft -f script that replaces its own table inet fwlang and touches nothing else',
    target: 'nftables',
    onHost: false,
  },
  {
    label: 'nftables on this host',
    description: 'the input and output hooks',
    detail: 'For a firewall that protects the host it runs on',
    target: 'nftables',
    onHost: true,
  },
  {
    label: 'iptables',
    description: 'iptables-restore input (and ip6tables-restore for IPv6)',
    target: 'iptables',
    onHost: false,
  },
  {
    label: 'CloudFormation',
    description: 'a JSON template',
    detail: 'aws-nacl and aws-sg firewalls only',
    target: 'cloudformation',
    onHost: false,
  },
  { label: 'Terraform', description: 'HCL resources', detail: 'aws-nacl and aws-sg firewalls only', target: 'terraform', onHost: false },
];

const FIREWALL_LINE = /^\s*firewall\s+([A-Za-z0-9_][A-Za-z0-9_-]*)/;

/** The firewalls of a document as its outline has them (the server's document symbols). */
async function firewallSymbols(doc: TextDocument): Promise<DocumentSymbol[]> {
  const symbols = await commands.executeCommand<DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', doc.uri);
  return (symbols ?? []).filter((s) => s.kind === SymbolKind.Class && 'range' in s);
}

/** The firewall under the cursor; else the only one; else the user's pick (undefined: every one; null: cancelled). */
async function chooseFirewall(doc: TextDocument, at: Position | undefined): Promise<string | undefined | null> {
  const firewalls = await firewallSymbols(doc);
  const here = at && firewalls.find((f) => f.range.contains(at));
  if (here) return here.name;
  if (firewalls.length === 1) return firewalls[0]!.name;
  if (firewalls.length === 0) return undefined; // the server says there is none
  const all = { label: `All ${firewalls.length} firewalls of ${path.basename(doc.uri.path)}`, name: undefined as string | undefined };
  const picked = await window.showQuickPick([all, ...firewalls.map((f) => ({ label: f.name, description: f.detail, name: f.name }))], {
    title: 'Export which firewall?',
  });
  return picked ? picked.name : null;
}

/** A language VS Code knows for the text, else plain text. */
async function languageFor(target: ExportTarget): Promise<string> {
  const known = await languages.getLanguages();
  const wanted: Record<ExportTarget, string[]> = {
    nftables: ['nftables', 'nft'],
    iptables: ['iptables'],
    cloudformation: ['json'],
    terraform: ['terraform', 'hcl'],
  };
  return wanted[target].find((l) => known.includes(l)) ?? 'plaintext';
}

/** What the command returns (the tests read it): the answer and the documents it opened. */
export type ExportResult = ExportAnswer & { documents: string[] };

export async function exportFirewall(
  client: LanguageClient,
  ready: Promise<void>,
  out: OutputChannel,
  given?: unknown,
): Promise<ExportResult | undefined> {
  const args: ExportArgs = typeof given === 'object' && given !== null ? (given as ExportArgs) : {};
  const editor = window.activeTextEditor;
  let doc: TextDocument | undefined;
  if (typeof args.uri === 'string') doc = await workspace.openTextDocument(Uri.parse(args.uri));
  else if (editor?.document.languageId === 'fw') doc = editor.document;
  else doc = window.visibleTextEditors.find((e) => e.document.languageId === 'fw')?.document;
  if (!doc || doc.languageId !== 'fw') {
    void window.showWarningMessage('fwlang: open a .fw file first: export writes its firewalls.');
    return undefined;
  }
  try {
    await ready;
    let firewall: string | undefined | null = args.firewall;
    if (firewall === undefined) {
      const at = editor?.document === doc ? editor.selection.active : undefined;
      firewall = await chooseFirewall(doc, at);
      if (firewall === null) return undefined;
    }
    let target = args.target;
    let onHost = args.onHost ?? false;
    if (target === undefined) {
      const picked = await window.showQuickPick(TARGET_ITEMS, {
        title: firewall ? `Export firewall ${firewall} to…` : `Export the firewalls of ${path.basename(doc.uri.path)} to…`,
        matchOnDescription: true,
      });
      if (!picked) return undefined;
      target = picked.target;
      onHost = picked.onHost;
    }
    const answer = await client.sendRequest(ExportRequest, {
      uri: doc.uri.toString(),
      target,
      ...(firewall ? { firewall } : {}),
      ...(onHost ? { onHost } : {}),
    });
    if ('error' in answer) {
      showProblems(out, answer.error, answer.problems);
      return { ...answer, documents: [] };
    }
    const language = await languageFor(target);
    const texts = [answer.text, ...(answer.v6 !== undefined ? [answer.v6] : [])];
    const documents: string[] = [];
    for (const [i, content] of texts.entries()) {
      const opened = await workspace.openTextDocument({ language, content });
      // The IPv6 rules (ip6tables-restore input) open beside the IPv4 ones.
      await window.showTextDocument(opened, { preview: false, ...(i > 0 ? { viewColumn: ViewColumn.Beside } : {}) });
      documents.push(opened.uri.toString());
    }
    if (texts.length > 1) {
      void window.showInformationMessage('fwlang: two documents: iptables-restore input (IPv4) and ip6tables-restore input (IPv6).');
    }
    return { ...answer, documents };
  } catch (e) {
    void window.showErrorMessage(`fwlang: the language server did not answer: ${(e as Error)?.message ?? e}`);
    return undefined;
  }
}

/** The reason in a notification with the first problems; every problem in the output channel. */
function showProblems(out: OutputChannel, error: string, problems: string[]): void {
  const SHOWN = 3;
  let message = `fwlang: ${error}`;
  if (problems.length > 0) {
    message += `: ${problems.slice(0, SHOWN).join(' · ')}`;
    if (problems.length > SHOWN) message += ` · and ${problems.length - SHOWN} more (see the fwlang output)`;
    out.appendLine('');
    out.appendLine(`── ${new Date().toLocaleTimeString()} · export: ${error}`);
    for (const p of problems) out.appendLine(p);
  }
  void window.showErrorMessage(message);
}

/** "Export firewall NAME…" on the line of each `firewall NAME` declaration. */
export const exportCodeActions: CodeActionProvider = {
  provideCodeActions(doc, range) {
    const m = FIREWALL_LINE.exec(doc.lineAt(range.start.line).text);
    if (!m) return [];
    const action = new CodeAction(`Export firewall ${m[1]}…`, CodeActionKind.Refactor.append('export'));
    const args: ExportArgs = { uri: doc.uri.toString(), firewall: m[1]! };
    action.command = { command: CMD_EXPORT, title: action.title, arguments: [args] };
    return [action];
  },
};
