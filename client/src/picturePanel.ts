// The pictures beside the editor (issue 11): a webview panel with the flow picture of the flow
// under the cursor (the ports picture on a response rule of a stateless firewall), or the
// topology of the file. The server draws (`fwlang/picture`, SVG); the panel follows the cursor
// from flow to flow, redraws after every edit (debounced) and reveals the line of a clicked
// label. The SVG is inlined into the page, so its `--vscode-*` colours follow the theme; the page
// has a strict Content-Security-Policy and loads only the extension's media folder.

import * as path from 'node:path';
import {
  type Disposable,
  type ExtensionContext,
  Range,
  Selection,
  TextEditorRevealType,
  Uri,
  ViewColumn,
  type WebviewPanel,
  window,
  workspace,
} from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { filesNamedIn } from './pictureFiles';
import { type PictureAnswer, type PictureKind, type PictureParams, PictureRequest } from '../../server/src/protocol';

/** What the page shows: a picture, or why there is none. */
export interface PictureMessage {
  type: 'show';
  kind: PictureKind | '';
  caption: string;
  svg?: string;
  error?: string;
  /** The document and the 0-based line the picture is of (null: the topology). */
  uri: string;
  line: number | null;
}

// Long enough to take a burst of typing, short enough to feel live.
const EDIT_DELAY_MS = 250;
const CURSOR_DELAY_MS = 80;

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

/** Line numbers of a document after an edit: where `line` is now (a change that covers it keeps its start). */
export function shiftLine(line: number, changes: readonly { range: Range; text: string }[]): number {
  let out = line;
  // The changes of one event are given against the old text, last ones first or in any order:
  // apply those that end above the line, each by its own line count.
  for (const c of changes) {
    if (c.range.end.line < line) out += c.text.split('\n').length - 1 - (c.range.end.line - c.range.start.line);
    else if (c.range.start.line < line && c.range.end.line >= line) out = Math.min(out, c.range.start.line);
  }
  return Math.max(0, out);
}

export class PicturePanel implements Disposable {
  private panel: WebviewPanel | undefined;
  private readonly nonce = nonce();
  private uri = '';
  private line = 0;
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Where the cursor went since the last tick, in a .fw editor. */
  private cursor: { uri: string; line: number } | undefined;
  /** The text changed since the picture was drawn. */
  private dirty = false;
  private readonly subscriptions: Disposable[] = [];
  /** The last message posted (posted again when the page says it is ready). */
  last: PictureMessage | undefined;
  /** The included files the last picture posted names (`data-file`): a click may open these. */
  private named = new Set<string>();

  constructor(
    private readonly context: ExtensionContext,
    private readonly client: () => LanguageClient,
    private readonly ready: () => Promise<void>,
    private readonly mode: 'at' | 'topology',
  ) {
    this.subscriptions.push(
      workspace.onDidChangeTextDocument((e) => {
        if (!this.panel || e.document.uri.toString() !== this.uri || e.contentChanges.length === 0) return;
        this.line = shiftLine(this.line, e.contentChanges);
        this.dirty = true;
        this.later(EDIT_DELAY_MS);
      }),
      window.onDidChangeTextEditorSelection((e) => {
        if (!this.panel || this.mode !== 'at' || e.textEditor.document.languageId !== 'fw') return;
        this.cursor = { uri: e.textEditor.document.uri.toString(), line: e.selections[0]?.active.line ?? 0 };
        this.later(this.dirty ? EDIT_DELAY_MS : CURSOR_DELAY_MS);
      }),
    );
  }

  /** Opens (or reveals) the panel on the picture of `line` of `uri` (the topology: `line` unused). */
  async show(uri: string, line = 0): Promise<PictureMessage | undefined> {
    this.uri = uri;
    this.line = line;
    this.cursor = undefined;
    this.open();
    this.dirty = true;
    return this.refresh();
  }

  /**
   * After the cursor moved or the text changed: the cursor on another flow (or response rule)
   * shows that; an edit redraws what is shown, from the server's newest analysis. The cursor on
   * anything else keeps the picture.
   */
  private async tick(): Promise<void> {
    const cursor = this.cursor;
    this.cursor = undefined;
    if (cursor && (cursor.uri !== this.uri || cursor.line !== this.line)) {
      const answer = await this.ask({ uri: cursor.uri, what: 'at', line: cursor.line });
      if (!answer) return; // a newer question is on its way
      if (!('nothing' in answer && answer.nothing)) {
        this.uri = cursor.uri;
        this.line = cursor.line;
        this.dirty = false;
        this.post(answer);
        return;
      }
    }
    if (this.dirty) await this.refresh();
  }

  /** Asks the server again for what the panel shows. */
  private async refresh(): Promise<PictureMessage | undefined> {
    this.dirty = false;
    const answer = await this.ask(this.params());
    if (!answer) {
      // Superseded: whoever asked after us redraws.
      this.dirty = true;
      return this.last;
    }
    return this.post(answer);
  }

  private params(): PictureParams {
    return this.mode === 'topology' ? { uri: this.uri, what: 'topology' } : { uri: this.uri, what: 'at', line: this.line };
  }

  /** The server's answer, or undefined when a newer question was asked meanwhile. */
  private async ask(p: PictureParams): Promise<PictureAnswer | undefined> {
    const seq = ++this.seq;
    let answer: PictureAnswer;
    try {
      await this.ready();
      answer = await this.client().sendRequest(PictureRequest, p);
    } catch (e) {
      answer = { error: `the language server did not answer: ${(e as Error)?.message ?? e}` };
    }
    return seq === this.seq && this.panel ? answer : undefined;
  }

  private post(answer: PictureAnswer): PictureMessage {
    if ('line' in answer && typeof answer.line === 'number') this.line = answer.line;
    const m: PictureMessage = {
      type: 'show',
      kind: answer.kind ?? '',
      caption: 'caption' in answer ? answer.caption : '',
      uri: this.uri,
      line: 'line' in answer && typeof answer.line === 'number' ? answer.line : null,
    };
    if ('svg' in answer) m.svg = answer.svg.replace(/<style(?=[\s>])/g, `<style nonce="${this.nonce}"`);
    else m.error = answer.error;
    this.last = m;
    this.named = filesNamedIn(m.svg ?? '');
    if (this.panel) {
      this.panel.title = this.title();
      void this.panel.webview.postMessage(m);
    }
    return m;
  }

  /** The tab's title: which picture, of which file. */
  private title(): string {
    const file = path.basename(Uri.parse(this.uri).path);
    return this.mode === 'topology' ? `Topology · ${file}` : `Picture · ${file}`;
  }

  private later(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, ms);
  }

  private open(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const media = Uri.joinPath(this.context.extensionUri, 'media');
    const panel = (this.panel = window.createWebviewPanel(
      this.mode === 'topology' ? 'fwlang.topology' : 'fwlang.picture',
      this.title(),
      { viewColumn: ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [media] },
    ));
    const w = panel.webview;
    const css = w.asWebviewUri(Uri.joinPath(media, 'picture.css'));
    const js = w.asWebviewUri(Uri.joinPath(media, 'picture.js'));
    const n = this.nonce;
    w.html = [
      '<!DOCTYPE html>',
      '<html lang="en"><head><meta charset="utf-8">',
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${w.cspSource} data:; ` +
        `style-src ${w.cspSource} 'nonce-${n}'; script-src 'nonce-${n}';">`,
      '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
      `<link rel="stylesheet" href="${css.toString()}">`,
      '</head><body data-state="loading">',
      '<p id="caption"></p><div id="message" role="status"></div><div id="picture"></div>',
      `<script nonce="${n}" src="${js.toString()}"></script>`,
      '</body></html>',
    ].join('\n');
    w.onDidReceiveMessage((m: unknown) => {
      if (typeof m !== 'object' || m === null) return;
      const msg = m as { type?: unknown; line?: unknown; file?: unknown };
      if (msg.type === 'ready' && this.last) void w.postMessage(this.last);
      if (msg.type !== 'reveal' || typeof msg.line !== 'number') return;
      if (msg.file === undefined) void this.reveal(msg.line - 1);
      // Another file only when the picture shown names it: never a path the page made up.
      else if (typeof msg.file === 'string' && this.named.has(msg.file)) void this.reveal(msg.line - 1, Uri.file(msg.file).toString());
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.last = undefined;
      this.named.clear();
      if (this.timer) clearTimeout(this.timer);
    });
  }

  /**
   * Shows a 0-based line of the panel's document (or of `target`, an included file the picture
   * names) in its editor, beside the panel, not in it.
   */
  private async reveal(line: number, target = this.uri): Promise<void> {
    const uri = Uri.parse(target);
    const open = window.visibleTextEditors.find((e) => e.document.uri.toString() === target);
    const doc = open?.document ?? (await workspace.openTextDocument(uri));
    const at = Math.min(Math.max(0, line), doc.lineCount - 1);
    const editor = await window.showTextDocument(doc, { viewColumn: open?.viewColumn ?? ViewColumn.One, preserveFocus: false });
    const pos = doc.lineAt(at).range.start.translate(0, doc.lineAt(at).firstNonWhitespaceCharacterIndex);
    editor.selection = new Selection(pos, pos);
    editor.revealRange(new Range(pos, pos), TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
