// The extension's own commands and how a simulation's trace is shown: the server runs the
// simulation (executeCommand) and then sends its trace, which lands in the "fwlang" channel.

import * as path from 'node:path';
import { type Disposable, type OutputChannel, type TextDocument, Uri, commands, window } from 'vscode';
import { ExecuteCommandRequest, type LanguageClient } from 'vscode-languageclient/node';
import { CMD_SIMULATE, CMD_SIMULATE_RULE, CMD_SIMULATE_TEXT, type SimulationResult, type SimulationTrace, isError } from '../../server/src/protocol';

/** A line that starts a statement (or a rule, or closes a block): where a flow cannot continue. */
const STATEMENT_START = /^\s*(?:host|network|service|ephemeral|default|include|firewall|flow|inbound|outbound|\d+\s|[{}])/;
const RULE_START = /^\s*(?:\d+\s+)?(?:inbound|outbound)\b/;

/** What to simulate for the cursor on `line`: the flow statement around it (a flow may span
 *  lines; the server wants its first), else the rule starting there, else the line as is. */
export function statementAt(doc: TextDocument, line: number): { kind: 'flow' | 'rule'; line: number } {
  for (let l = line; l >= 0; l--) {
    const text = doc.lineAt(l).text.replace(/#.*/, '');
    if (!text.trim()) {
      if (l === line) continue; // cursor on an empty line or a comment: look above
      break;
    }
    if (/^\s*flow\b/.test(text)) return { kind: 'flow', line: l };
    if (RULE_START.test(text)) return { kind: 'rule', line: l };
    if (STATEMENT_START.test(text)) break;
  }
  return { kind: 'flow', line };
}

function fwDocument(): TextDocument | undefined {
  const active = window.activeTextEditor?.document;
  if (active?.languageId === 'fw') return active;
  return window.visibleTextEditors.find((e) => e.document.languageId === 'fw')?.document;
}

/** Shows each simulation the server reports: trace in the output channel, title in the status bar. */
export class TraceView {
  /** The last trace received (the extension's API hands it to tests). */
  last: SimulationTrace | undefined;
  private status: Disposable | undefined;

  constructor(private readonly out: OutputChannel) {}

  show(t: SimulationTrace): void {
    this.last = t;
    const time = new Date().toLocaleTimeString();
    const file = path.basename(Uri.parse(t.uri).path) || t.uri;
    this.out.appendLine('');
    if (isError(t)) {
      this.out.appendLine(`── ${time} · ${file} · simulation failed`);
      this.out.appendLine(t.error);
      void window.showWarningMessage(`fwlang: ${t.error}`);
    } else {
      this.out.appendLine(`── ${time} · ${file} · flow ${t.flow.flow} ── ${t.title}`);
      this.out.appendLine(t.trace.replace(/\n+$/, ''));
      this.status?.dispose();
      this.status = window.setStatusBarMessage(`fwlang: flow ${t.flow.flow}: ${t.title}`, 15_000);
    }
    this.out.show(true);
  }

  dispose(): void {
    this.status?.dispose();
  }
}

async function runServerCommand(client: LanguageClient, ready: Promise<void>, command: string, arg: object): Promise<SimulationResult | undefined> {
  try {
    await ready;
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] })) as SimulationResult;
  } catch (e) {
    void window.showErrorMessage(`fwlang: the language server did not answer: ${(e as Error)?.message ?? e}`);
    return undefined;
  }
}

export function registerCommands(
  client: () => LanguageClient,
  ready: () => Promise<void>,
  out: OutputChannel,
  restart: () => Promise<void>,
): Disposable[] {
  let lastInput = '';
  return [
    commands.registerCommand('fwlang.simulateFlowAtCursor', async () => {
      const ed = window.activeTextEditor;
      if (ed?.document.languageId !== 'fw') {
        void window.showWarningMessage('fwlang: put the cursor on a flow in a .fw file.');
        return undefined;
      }
      // On a rule, simulate a request like it (the "▶ Simulate a request like this" lens).
      const at = statementAt(ed.document, ed.selection.active.line);
      const command = at.kind === 'rule' ? CMD_SIMULATE_RULE : CMD_SIMULATE;
      return runServerCommand(client(), ready(), command, { uri: ed.document.uri.toString(), line: at.line });
    }),

    // An argument (the flow's text) skips the input box: for keybindings and tests.
    commands.registerCommand('fwlang.simulateFlowInput', async (given?: unknown) => {
      const doc = fwDocument();
      if (!doc) {
        void window.showWarningMessage('fwlang: open a .fw file first: the flow uses its names.');
        return undefined;
      }
      const text = typeof given === 'string' ? given : await window.showInputBox({
        title: `Simulate a flow with the names of ${path.basename(doc.uri.path)}`,
        prompt: 'CLIENT[:PORT] -> SERVER SERVICE | tcp PORT | udp PORT | icmp  [via FIREWALL, …]',
        placeHolder: 'bob -> catogram https',
        value: lastInput,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'Write a flow, e.g. bob -> catogram https'),
      });
      const flow = text?.trim().replace(/^flow\s+/, '');
      if (!flow) return undefined;
      lastInput = flow;
      return runServerCommand(client(), ready(), CMD_SIMULATE_TEXT, { uri: doc.uri.toString(), flow });
    }),

    commands.registerCommand('fwlang.showTrace', () => out.show(true)),
    commands.registerCommand('fwlang.restartServer', restart),
  ];
}
