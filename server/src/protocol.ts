// What the client and the fwlang server say to each other beyond plain LSP, declared once
// for both sides (like vscode-eslint's shared protocol): each command's argument, what it
// answers, the trace notification. Plain names and types only, so the client bundle pulls
// in nothing of the engine.

import { type ExecuteCommandParams, NotificationType, type Position, RequestType } from 'vscode-languageserver-protocol';

/**
 * `fwlang/import`: AWS CLI or `terraform show -json` JSON, `iptables-save` text or `nft -j list ruleset`
 * JSON (files on the server's disk) as `.fw` text (cli.md `import`).
 */
export interface ImportParams {
  paths: string[];
  from?: 'aws' | 'terraform' | 'iptables' | 'nftables';
  /** iptables, nftables: `--host ADDR`, the address(es) the INPUT and OUTPUT chains protect. */
  host?: string[];
  /** iptables, nftables: `--inside PREFIX`, the prefixes behind the router whose FORWARD chain it is. */
  inside?: string[];
}
/**
 * The `.fw` text and one line per item it could not express (kept in the text as comments), or why
 * nothing was read; `needs` when what is missing is `--host` or `--inside` (the editor asks for it).
 */
export type ImportAnswer = { text: string; unexpressed: string[] } | { error: string; needs?: 'host' | 'inside' };
export const ImportRequest = new RequestType<ImportParams, ImportAnswer, void>('fwlang/import');

/** What `fwlang/export` writes (cli.md `export --to`). */
export type ExportTarget = 'nftables' | 'iptables' | 'cloudformation' | 'terraform';
export const EXPORT_TARGET_NAMES: Record<ExportTarget, string> = {
  nftables: 'nftables',
  iptables: 'iptables',
  cloudformation: 'CloudFormation',
  terraform: 'Terraform',
};
/** `fwlang/export`: the firewalls of an open document (or only `firewall`) as `fwlang export` writes them. */
export interface ExportParams {
  uri: string;
  /** One firewall (or nat gateway, for nftables and iptables); every one when absent. */
  firewall?: string;
  target: ExportTarget;
  /** nftables, iptables: on the input and output hooks of the host it protects (`--on-host`). */
  onHost?: boolean;
}
/**
 * The exported text (iptables: `v6`, the ip6tables-restore input, when the firewalls protect IPv6
 * addresses), or why nothing was exported with one line per problem, `FILE:LINE:COL: error CODE: message`.
 */
export type ExportAnswer = { text: string; v6?: string } | { error: string; problems: string[] };
export const ExportRequest = new RequestType<ExportParams, ExportAnswer, void>('fwlang/export');

/** executeCommand: run the flow that starts on a line (a flow lens). */
export const CMD_SIMULATE = 'fwlang.simulate';
/** executeCommand: run a request like the rule that starts on a line (a rule lens). */
export const CMD_SIMULATE_RULE = 'fwlang.simulateRule';
/** executeCommand: run a flow written as text, with the names of a document. */
export const CMD_SIMULATE_TEXT = 'fwlang.simulateText';
/** executeCommand: run what is under the cursor; the server decides whether that is a flow or a rule. */
export const CMD_SIMULATE_AT = 'fwlang.simulateAt';

/** `{ uri, line }`: a 0-based line of a document, where a flow or a rule starts. */
export interface LineArgs {
  uri: string;
  line: number;
}
/** `{ uri, flow }`: a flow without the keyword (`bob -> catogram https`). */
interface FlowTextArgs {
  uri: string;
  flow: string;
}
/** `{ uri, position }`: the cursor. */
interface PositionArgs {
  uri: string;
  position: Position;
}

/** The one argument each server command takes. */
export interface CommandArgs {
  [CMD_SIMULATE]: LineArgs;
  [CMD_SIMULATE_RULE]: LineArgs;
  [CMD_SIMULATE_TEXT]: FlowTextArgs;
  [CMD_SIMULATE_AT]: PositionArgs;
}
export type ServerCommand = keyof CommandArgs;
export const SERVER_COMMANDS: ServerCommand[] = [CMD_SIMULATE, CMD_SIMULATE_RULE, CMD_SIMULATE_TEXT, CMD_SIMULATE_AT];

/** The executeCommand parameters of `command` with its argument, typed on the sending side. */
export function commandParams<C extends ServerCommand>(command: C, arg: CommandArgs[C]): ExecuteCommandParams & { command: C } {
  return { command, arguments: [arg] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isLine = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** A server command with its argument, as the server reads it: `call.command` narrows `call.arg`. */
export type CommandCall = { [C in ServerCommand]: { command: C; arg: CommandArgs[C] } }[ServerCommand];

function isServerCommand(command: string): command is ServerCommand {
  return (SERVER_COMMANDS as string[]).includes(command);
}

/**
 * A command and its argument read from the wire, or what is wrong with them: the receiving
 * side checks instead of casting.
 */
export function readCommand(params: { command: string; arguments?: unknown[] }): CommandCall | { error: string } {
  const { command } = params;
  const arg = params.arguments?.[0];
  if (!isServerCommand(command)) return { error: `unknown command ${command}` };
  if (!isObject(arg) || typeof arg.uri !== 'string') return { error: 'missing document' };
  const uri = arg.uri;
  switch (command) {
    case CMD_SIMULATE:
    case CMD_SIMULATE_RULE:
      return isLine(arg.line) ? { command, arg: { uri, line: arg.line } } : { error: 'missing line' };
    case CMD_SIMULATE_TEXT:
      return typeof arg.flow === 'string' ? { command, arg: { uri, flow: arg.flow } } : { error: 'missing flow text' };
    case CMD_SIMULATE_AT: {
      const p = arg.position;
      return isObject(p) && isLine(p.line) && isLine(p.character)
        ? { command, arg: { uri, position: { line: p.line, character: p.character } } }
        : { error: 'missing position' };
    }
  }
}

/** Notification from the server after every simulation. */
const TRACE_NOTIFICATION = 'fwlang/simulationTrace';

interface SimulationOk {
  /** The result as plain data (the CLI's `simulate --json`); `flow.flow` is the flow's text. */
  flow: { flow: string; line: number | null; verdict: string; met: boolean; expect: string | null };
  /** The hop-by-hop trace for a person. */
  trace: string;
  /** ✔ allowed / ✘ blocked at … / ◐ partial … */
  title: string;
}
interface SimulationError {
  error: string;
}
/** What every simulate command answers. */
export type SimulationResult = SimulationOk | SimulationError;
export type SimulationTrace = { uri: string } & SimulationResult;

export const SimulationTraceNotification = new NotificationType<SimulationTrace>(TRACE_NOTIFICATION);

export function isError(r: unknown): r is SimulationError {
  return typeof r === 'object' && r !== null && typeof (r as SimulationError).error === 'string';
}

/** True for an answer of a simulate command (the client checks what came over the wire). */
export function isSimulationResult(r: unknown): r is SimulationResult {
  if (isError(r)) return true;
  return isObject(r) && typeof r.title === 'string' && typeof r.trace === 'string' && isObject(r.flow) && typeof r.flow.flow === 'string';
}

/**
 * What the VS Code client announces in `initializationOptions`: it shows pictures (a webview that
 * renders SVG, hovers that render `data:` images), so the server adds the "Show picture" lens and
 * the ports picture to a response rule's hover. Other clients get neither.
 */
export interface InitializationOptions {
  pictures?: boolean;
}

/** The client command the "Show picture" lens runs (`LineArgs`: the flow's line). */
export const CMD_SHOW_PICTURE = 'fwlang.showPicture';

/** Which picture: the flow's or the ports', or the file's topology. */
export type PictureKind = 'flow' | 'ports' | 'topology';
/**
 * `fwlang/picture`: an open document's picture as SVG, from its newest analysis. `at`: what is on
 * `line` (0-based; a flow may span lines): a flow's picture, or, on a response rule of a stateless
 * firewall, that firewall's ports picture. `topology`: the whole file.
 */
export interface PictureParams {
  uri: string;
  what: 'at' | 'topology';
  line?: number;
}
/**
 * The SVG text (its `<title>` and `<desc>` say it in words), a caption for the panel and the line
 * where the flow or rule starts (0-based; null for the topology); or why there is none: `error` for
 * a flow that is not simulated (as its lens says), `nothing` when no flow or rule is on that line.
 */
export type PictureAnswer =
  | { kind: PictureKind; svg: string; caption: string; line: number | null }
  | { error: string; kind?: PictureKind; line?: number; nothing?: boolean };
export const PictureRequest = new RequestType<PictureParams, PictureAnswer, void>('fwlang/picture');
