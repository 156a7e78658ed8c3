// Open documents and their analyses. An analysis is computed for the newest version only:
// edits restart the (debounced) run, requests wait for or compute the current one.

import { URI } from 'vscode-uri';
import type { Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocuments } from 'vscode-languageserver';
import { AnalysisCache, analyze } from '../analysis/analyze';
import { LineIndex } from '../core/text';
import { buildModel } from '../model/resolve';
import { nodeFileHost } from '../node/fileHost';
import { DEFAULT_SETTINGS, type DocContext, type Settings } from './docContext';

export function uriToPath(uri: string): string {
  try {
    const u = URI.parse(uri);
    return u.scheme === 'file' ? u.fsPath : uri;
  } catch {
    return uri;
  }
}

export class Workspace {
  private readonly cache = new Map<string, DocContext>();
  /** Per-firewall analysis results kept between versions of a document. */
  private readonly analysisCaches = new Map<string, AnalysisCache>();
  private readonly settingsCache = new Map<string, Promise<Settings>>();
  configurationSupported = false;

  constructor(
    readonly documents: TextDocuments<TextDocument>,
    private readonly connection: Connection,
  ) {}

  /** Open documents' texts take precedence over the disk for includes. */
  private host() {
    const openByPath = new Map<string, string>();
    for (const d of this.documents.all()) openByPath.set(uriToPath(d.uri), d.getText());
    return nodeFileHost((p) => openByPath.get(p));
  }

  settings(uri: string): Promise<Settings> {
    if (!this.configurationSupported) return Promise.resolve(DEFAULT_SETTINGS);
    let s = this.settingsCache.get(uri);
    if (!s) {
      s = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'fwlang' })
        .then((c: Partial<Settings> | null) => ({
          defaultEphemeral: typeof c?.defaultEphemeral === 'string' ? c.defaultEphemeral : '',
          severity: c?.severity && typeof c.severity === 'object' ? c.severity : {},
        }))
        .catch(() => DEFAULT_SETTINGS);
      this.settingsCache.set(uri, s);
    }
    return s;
  }

  settingsChanged(): void {
    this.settingsCache.clear();
    this.cache.clear();
  }

  forget(uri: string): void {
    this.cache.delete(uri);
    this.analysisCaches.delete(uri);
    this.settingsCache.delete(uri);
  }

  /** The analysis of the newest version of `uri`, computed now if it is stale. */
  async context(uri: string): Promise<DocContext | undefined> {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const settings = await this.settings(uri);
    return this.contextSync(doc, settings);
  }

  /** Cached for (uri, version); recomputed otherwise. Never throws. */
  contextSync(doc: TextDocument, settings: Settings): DocContext {
    const cached = this.cache.get(doc.uri);
    if (cached && cached.version === doc.version && cached.settings === settings) return cached;
    const text = doc.getText();
    const path = uriToPath(doc.uri);
    const model = buildModel(path, text, this.host(), { defaultEphemeral: settings.defaultEphemeral || undefined });
    let analysisCache = this.analysisCaches.get(doc.uri);
    if (!analysisCache) this.analysisCaches.set(doc.uri, (analysisCache = new AnalysisCache()));
    const ctx: DocContext = { uri: doc.uri, path, version: doc.version, text, lines: new LineIndex(text), analysis: analyze(model, analysisCache), settings };
    this.cache.set(doc.uri, ctx);
    return ctx;
  }

  /** Documents that include `path` (to re-check them when it changes). */
  dependents(path: string): TextDocument[] {
    const out: TextDocument[] = [];
    for (const [uri, ctx] of this.cache) {
      if (ctx.analysis.model.includes.some((i) => i.path === path)) {
        const d = this.documents.get(uri);
        if (d) out.push(d);
      }
    }
    return out;
  }
}
