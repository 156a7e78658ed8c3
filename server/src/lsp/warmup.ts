// The per-edit code, run on a scratch copy while the server is idle after an open (issue 12).
//
// An edit runs other code than an open: the incremental parse of one chunk, the reuse of the
// resolved firewalls and of their analyses, the analysis of the one firewall that changed.
// V8 optimises a function once it has run often enough, so the first edits after a file was
// opened ran that code unoptimised: at 2,000 rules the first 15 edits took 25–45 ms each, the
// later ones 9–16 ms (a CPU profile per edit: the analysis of the edited firewall 8–16 ms at
// first, 2.5 ms later). Here, once the open is published and nothing is waiting, a copy of the
// document's declarations and flows with the first COPIED_RULES rules of its biggest firewall
// is edited WARMUP_EDITS times, one edit a turn, through the same Workspace methods an edit
// goes through, on a Workspace of its own: the user's document, its caches and its results are
// not touched. It stops as soon as a run is waiting, and is done once per server (V8 keeps what
// it optimised) unless stopped before its end.
//
// What it costs: 140–400 ms of idle time after the first open, and memory: each copy's version
// lives until the next edit's analysis replaces it, long enough for V8 to move some of them to
// the old generation, where they stay as garbage until its next full collection. Copying the
// whole biggest firewall (200 rules) added 10 MB to the server's peak at 10,000 rules; its
// first 50 rules add 2–4 MB (docs/performance.md).

import { TextDocuments } from 'vscode-languageserver';
import type { Connection } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { toLspDiagnostics } from '../features/diagnostics';
import type { Settings } from '../features/docContext';
import type { Statement } from '../syntax/ast';
import { logError } from './logError';
import type { Workspace } from './workspace';

/** Edits made (one a turn), and the most time spent on them, when nothing interrupts. */
export const WARMUP_EDITS = 30;
const WARMUP_BUDGET_MS = 3000;
/** A firewall of fewer rules gives edits fast enough as they are; nothing is warmed. */
export const MIN_RULES = 50;
/** Rules of that firewall copied: enough for V8 to optimise the per-rule code. */
export const COPIED_RULES = 50;
/** The copy's largest size (declarations and flows of a huge file are not copied). */
const MAX_COPY_CHARS = 128 * 1024;

const SCRATCH_URI = 'untitled:fwlang-warmup.fw';

export interface WarmupText {
  text: string;
  /** Offset of the digit the edits change, alternately to `digits[0]` and `digits[1]`. */
  at: number;
  digits: [string, string];
}

/**
 * The scratch copy of a document: its statements other than firewalls and includes, and its
 * firewall with the most rules, in their order; `undefined` when that firewall has fewer than
 * MIN_RULES rules, holds no port number to edit, or the copy would be too big.
 */
export function warmupText(text: string, statements: readonly Statement[]): WarmupText | undefined {
  let biggest: Extract<Statement, { kind: 'firewall' }> | undefined;
  for (const s of statements) {
    if (s.kind === 'firewall' && s.rules.length >= MIN_RULES && s.rules.length > (biggest?.rules.length ?? 0)) biggest = s;
  }
  if (!biggest) return undefined;
  const parts: string[] = [];
  let size = 0;
  let fwAt = -1;
  for (const s of statements) {
    if (s.kind === 'include' || (s.kind === 'firewall' && s !== biggest)) continue;
    if (s === biggest) fwAt = size;
    const piece = s === biggest ? firewallHead(text, s) : text.slice(s.span.start, s.span.end);
    size += piece.length + 1;
    if (size > MAX_COPY_CHARS) return undefined;
    parts.push(piece);
  }
  const copy = parts.join('\n') + '\n';
  // A port number of a rule in the middle of the firewall: its last digit is what changes.
  const fwText = firewallHead(text, biggest);
  const portRe = /\bport[ \t]+(\d+)/g;
  const found: number[] = [];
  for (let m = portRe.exec(fwText); m; m = portRe.exec(fwText)) found.push(m.index + m[0].length - 1);
  if (found.length === 0) return undefined;
  const at = fwAt + found[Math.floor(found.length / 2)]!;
  const digit = copy[at]!;
  const other = digit === '9' ? '8' : String.fromCharCode(digit.charCodeAt(0) + 1);
  return { text: copy, at, digits: [other, digit] };
}

/** A firewall's text cut after its first COPIED_RULES rules, closed. */
function firewallHead(text: string, fw: Extract<Statement, { kind: 'firewall' }>): string {
  if (fw.rules.length <= COPIED_RULES) return text.slice(fw.span.start, fw.span.end);
  return `${text.slice(fw.span.start, fw.rules[COPIED_RULES - 1]!.span.end)}\n}`;
}

/** Runs the warm-up edits once per server; see the top of this file. */
export class EditWarmup {
  private done = false;
  private running = false;
  /** Edits made by the run going on. */
  private edits = 0;

  constructor(private readonly connection: Connection) {}

  /**
   * Edits the copy of `text` (with the parse `statements`) up to WARMUP_EDITS times, one edit a
   * turn, while `busy()` says nothing is waiting; resolves with the edits made. Does nothing
   * when a run finished before, one is running, or the document has no copy to edit.
   */
  async run(
    text: string,
    statements: readonly Statement[],
    settings: Settings,
    scratch: () => Workspace,
    busy: () => boolean,
  ): Promise<number> {
    if (this.done || this.running) return 0;
    const w = warmupText(text, statements);
    if (!w) return 0;
    this.running = true;
    this.edits = 0;
    try {
      const ws = scratch();
      const doc = TextDocument.create(SCRATCH_URI, 'fw', 1, w.text);
      const step = (): void => {
        ws.parsed(doc);
        ws.model(doc, settings);
        toLspDiagnostics(ws.contextSync(doc, settings));
      };
      step();
      const started = performance.now();
      const pos = doc.positionAt(w.at);
      const range = { start: pos, end: { line: pos.line, character: pos.character + 1 } };
      for (let i = 0; i < WARMUP_EDITS; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        if (busy() || performance.now() - started > WARMUP_BUDGET_MS) return this.edits;
        TextDocument.update(doc, [{ range, text: w.digits[i % 2]! }], doc.version + 1);
        ws.versionChanged(SCRATCH_URI);
        step();
        this.edits++;
      }
      this.done = true;
      return this.edits;
    } catch (e) {
      // A failure here touches nothing of the user's: said, and not tried again.
      this.done = true;
      logError(this.connection, `fwlang: warm-up failed: ${(e as Error)?.stack ?? String(e)}`);
      return this.edits;
    } finally {
      this.running = false;
    }
  }
}

/** A Workspace of its own for the copy: no documents of the client, no settings asked. */
export function scratchDocuments(): TextDocuments<TextDocument> {
  return new TextDocuments(TextDocument);
}
