// The extension's own commands and how a simulation's trace is shown: the server runs the
// simulation (executeCommand) and then sends its trace, which lands in the "fwlang" channel.

import * as path from 'node:path';
import {
  CodeActionKind,
  type Disposable,
  type OutputChannel,
  type TextDocument,
  Uri,
  commands,
  languages,
  window,
  workspace,
} from 'vscode';
import { ExecuteCommandRequest, type LanguageClient } from 'vscode-languageclient/node';
import {
  CMD_SIMULATE_AT,
  CMD_SIMULATE_TEXT,
  type CommandArgs,
  type ServerCommand,
  type SimulationResult,
  type SimulationTrace,
  commandParams,
  isError,
  isSimulationResult,
  ImportRequest,
  type ImportParams,
} from '../../server/src/protocol';
import { exportCodeActions, exportFirewall } from './exportFirewall';
import type { PicturePanel } from './picturePanel';

/** What `fwlang.importRules` takes to skip the file dialog. */
interface ImportArgs {
  paths: string[];
  host?: string[];
  inside?: string[];
  from?: ImportParams['from'];
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

const ASK: Record<'host' | 'inside', { title: string; prompt: string; placeHolder: string }> = {
  host: {
    title: 'Import: the host these rules protect (--host)',
    prompt: 'The address(es) of the host whose INPUT and OUTPUT rules these are, separated by commas',
    placeHolder: '10.0.0.5',
  },
  inside: {
    title: 'Import: the addresses behind the router (--inside)',
    prompt: 'The prefix(es) the FORWARD rules protect, separated by commas',
    placeHolder: '10.0.1.0/24',
  },
};

/**
 * "Import rules…": files picked (or given), converted by the server as `fwlang import` does; iptables
 * and nftables rules that need `--host` or `--inside` get an input box for it. Opens a new `.fw` document.
 */
async function importRules(client: LanguageClient, ready: Promise<void>, given?: unknown): Promise<unknown> {
  let args: ImportArgs | undefined;
  if (isStrings(given)) args = { paths: given };
  else if (typeof given === 'object' && given !== null && isStrings((given as ImportArgs).paths)) args = given as ImportArgs;
  else {
    const picked = await window.showOpenDialog({
      canSelectMany: true,
      openLabel: 'Import',
      title: 'Import firewall rules: AWS CLI describe-* JSON, terraform show -json, iptables-save, or nft -j list ruleset',
      filters: { 'Firewall rules': ['json', 'v4', 'v6', 'rules', 'save', 'txt', 'nft'], 'All files': ['*'] },
    });
    if (picked?.length) args = { paths: picked.map((u) => u.fsPath) };
  }
  if (!args || args.paths.length === 0) return undefined;
  const params: ImportParams = { ...args };
  try {
    await ready;
    let answer = await client.sendRequest(ImportRequest, params);
    // At most one question for each of --host and --inside.
    for (let round = 0; round < 2 && 'error' in answer && answer.needs; round++) {
      const need = answer.needs;
      const value = await window.showInputBox({
        ...ASK[need],
        prompt: `${answer.error.replace(/: give .*$/, '')}. ${ASK[need].prompt}`,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'Write an address or prefix'),
      });
      if (!value?.trim()) return answer;
      params[need] = value.split(/[\s,]+/).filter((x) => x !== '');
      answer = await client.sendRequest(ImportRequest, params);
    }
    if ('error' in answer) {
      void window.showErrorMessage(`fwlang: ${answer.error}`);
      return answer;
    }
    const doc = await workspace.openTextDocument({ language: 'fw', content: answer.text });
    await window.showTextDocument(doc);
    const n = answer.unexpressed.length;
    if (n > 0) {
      void window.showWarningMessage(
        `fwlang: ${n} item${n === 1 ? '' : 's'} of the input could not be said in .fw; ` + 'each is kept as a comment that says why.',
      );
    }
    return { uri: doc.uri.toString(), ...answer };
  } catch (e) {
    void window.showErrorMessage(`fwlang: the language server did not answer: ${(e as Error)?.message ?? e}`);
    return undefined;
  }
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

async function runServerCommand<C extends ServerCommand>(
  client: LanguageClient,
  ready: Promise<void>,
  command: C,
  arg: CommandArgs[C],
): Promise<SimulationResult | undefined> {
  try {
    await ready;
    const answer: unknown = await client.sendRequest(ExecuteCommandRequest.type, commandParams(command, arg));
    if (isSimulationResult(answer)) return answer;
    void window.showErrorMessage(`fwlang: the language server gave an answer this extension does not read: ${JSON.stringify(answer)}`);
    return undefined;
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
      // The server decides what is there: a flow, or a rule (then a request like it, as the
      // "▶ Simulate a request like this" lens).
      const { line, character } = ed.selection.active;
      return runServerCommand(client(), ready(), CMD_SIMULATE_AT, { uri: ed.document.uri.toString(), position: { line, character } });
    }),

    // An argument (the flow's text) skips the input box: for keybindings and tests.
    commands.registerCommand('fwlang.simulateFlowInput', async (given?: unknown) => {
      const doc = fwDocument();
      if (!doc) {
        void window.showWarningMessage('fwlang: open a .fw file first: the flow uses its names.');
        return undefined;
      }
      const text =
        typeof given === 'string'
          ? given
          : await window.showInputBox({
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

    // Paths (or `{ paths, host?, inside?, from? }`) as the argument skip the file dialog: for tests and scripts.
    commands.registerCommand('fwlang.importRules', (given?: unknown) => importRules(client(), ready(), given)),
    // `{ uri, firewall, target, onHost }` as the argument skips the questions: for the code action and tests.
    commands.registerCommand('fwlang.exportFirewall', (given?: unknown) => exportFirewall(client(), ready(), out, given)),
    languages.registerCodeActionsProvider({ language: 'fw' }, exportCodeActions, {
      providedCodeActionKinds: [CodeActionKind.Refactor.append('export')],
    }),
    commands.registerCommand('fwlang.showTrace', () => out.show(true)),
    commands.registerCommand('fwlang.restartServer', restart),
  ];
}

/** `{ uri, line }` from a lens, or the cursor of the active .fw editor. */
function pictureTarget(given: unknown): { uri: string; line: number } | undefined {
  if (typeof given === 'object' && given !== null) {
    const g = given as { uri?: unknown; line?: unknown };
    if (typeof g.uri === 'string') return { uri: g.uri, line: typeof g.line === 'number' ? g.line : 0 };
  }
  const ed = window.activeTextEditor?.document.languageId === 'fw' ? window.activeTextEditor : undefined;
  const doc = ed?.document ?? fwDocument();
  if (!doc) return undefined;
  return { uri: doc.uri.toString(), line: ed?.selection.active.line ?? 0 };
}

/** "Show picture" (the lens beside "▶ Simulate", CMD_SHOW_PICTURE) and "Show Topology": the webview panels. */
export function registerPictureCommands(picture: PicturePanel, topology: PicturePanel): Disposable[] {
  const showIn = (panel: PicturePanel, what: string) => async (given?: unknown) => {
    const at = pictureTarget(given);
    if (!at) {
      void window.showWarningMessage(`fwlang: open a .fw file to see its ${what}.`);
      return undefined;
    }
    return panel.show(at.uri, at.line);
  };
  return [
    // `{ uri, line }` (the lens) or the cursor: the flow's picture, or a response rule's ports picture.
    commands.registerCommand('fwlang.showPicture', showIn(picture, 'pictures')),
    commands.registerCommand('fwlang.showTopology', showIn(topology, 'topology')),
  ];
}
