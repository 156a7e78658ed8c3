// What the client and the fwlang server say to each other beyond plain LSP, declared once
// for both sides (like vscode-eslint's shared protocol). Plain names and types only, so the
// client bundle pulls in nothing of the engine.

/** executeCommand: run the flow on a line. Argument `{ uri, line }` (0-based line). */
export const CMD_SIMULATE = 'fwlang.simulate';
/** executeCommand: run a request like the rule on a line. Argument `{ uri, line }`. */
export const CMD_SIMULATE_RULE = 'fwlang.simulateRule';
/** executeCommand: run a flow written as text, with the names of a document. Argument `{ uri, flow }`. */
export const CMD_SIMULATE_TEXT = 'fwlang.simulateText';

/** Notification from the server after every simulation. */
export const TRACE_NOTIFICATION = 'fwlang/simulationTrace';

export interface SimulationOk {
  /** The result as plain data (the CLI's `simulate --json`); `flow.flow` is the flow's text. */
  flow: { flow: string; line: number; verdict: string; met: boolean; expect: string | null };
  /** The hop-by-hop trace for a person. */
  trace: string;
  /** ✔ allowed / ✘ blocked at … / ◐ partial … */
  title: string;
}
export interface SimulationError {
  error: string;
}
export type SimulationResult = SimulationOk | SimulationError;
export type SimulationTrace = { uri: string } & SimulationResult;

export function isError(r: unknown): r is SimulationError {
  return typeof r === 'object' && r !== null && typeof (r as SimulationError).error === 'string';
}
