// Open documents and their analyses. An analysis is computed for the newest version only:
// edits restart the (debounced) run, requests wait for or compute the current one.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { URI } from 'vscode-uri';
import type { Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocuments } from 'vscode-languageserver';
import { AnalysisCache, analyze } from '../analysis/analyze';
import { LineIndex } from '../core/text';
import { ResolveCache, buildModel, modelOfParse } from '../model/resolve';
import type { Model } from '../model/types';
import type { FileHost } from '../model/types';
import { nodeFileHost, outsideFolders } from '../node/fileHost';
import { IncrementalParser } from '../syntax/incremental';
import type { ParseResult } from '../syntax/parse';
import { DEFAULT_SETTINGS, type DocContext, type Settings } from '../features/docContext';
import { SemanticTokenResults } from './semanticResults';

export function uriToPath(uri: string): string {
  try {
    const u = URI.parse(uri);
    return u.scheme === 'file' ? u.fsPath : uri;
  } catch {
    return uri;
  }
}

/** The `.fw` files under `folders` (not in hidden folders nor node_modules), at most `limit`. */
function fwFilesIn(folders: string[], limit = 2000): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 12 || out.length >= limit) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= limit) return;
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = nodePath.join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.isFile() && e.name.endsWith('.fw')) out.push(p);
    }
  };
  for (const f of folders) walk(f, 0);
  return out;
}

export class Workspace {
  private readonly cache = new Map<string, DocContext>();
  /** Per-firewall analysis results kept between versions of a document. */
  private readonly analysisCaches = new Map<string, AnalysisCache>();
  /** Per document: the parser that re-parses only the statements an edit touched. */
  private readonly parsers = new Map<string, IncrementalParser>();
  /** Per document: its resolved firewalls, kept while their nodes and names do not change. */
  private readonly resolveCaches = new Map<string, ResolveCache>();
  /** Per document: the parse of its newest version (each version is parsed once). */
  private readonly parses = new Map<string, { version: number; text: string; parsed: ParseResult }>();
  /** Per document: the model of its newest version, before the analysis. */
  private readonly models = new Map<string, { version: number; settings: Settings; model: Model }>();
  private readonly settingsCache = new Map<string, Promise<Settings>>();
  configurationSupported = false;
  /** The workspace folders' paths, where files that include an open one are looked for. */
  folders: string[] = [];
  /** The semantic tokens last sent for each document (for the delta request). */
  readonly semanticTokens = new SemanticTokenResults();

  constructor(
    readonly documents: TextDocuments<TextDocument>,
    private readonly connection: Connection,
  ) {}

  /**
   * Included files read from disk, kept until the client says the file changed
   * (`workspace/didChangeWatchedFiles`); `undefined` when it could not be read.
   */
  private readonly diskTexts = new Map<string, string | undefined>();
  /** Per document: every file its last analysis asked for, with the text it got. */
  private readonly inputs = new Map<string, Map<string, string | undefined>>();
  private readonly disk = nodeFileHost();

  private openText(path: string): string | undefined {
    for (const d of this.documents.all()) if (uriToPath(d.uri) === path) return d.getText();
    return undefined;
  }

  /** The text of `path` as an include sees it now: the open document's, else the disk's (as last read). */
  private currentText(path: string): string | undefined {
    const open = this.openText(path);
    if (open !== undefined) return open;
    if (!this.diskTexts.has(path)) this.diskTexts.set(path, this.disk.readFile(path));
    return this.diskTexts.get(path);
  }

  /**
   * A file host that records what it reads into `reads`. A new analysis reads the disk
   * again (as before watching existed, for clients that send no file events).
   */
  private host(reads: Map<string, string | undefined>, root: string): FileHost {
    // Includes stay in the workspace folders; without any, in the document's own folder.
    const folders = this.folders.length > 0 ? this.folders : nodePath.isAbsolute(root) ? [nodePath.dirname(root)] : [];
    return {
      readFile: (p) => {
        let text = this.openText(p);
        if (text === undefined) this.diskTexts.set(p, (text = this.disk.readFile(p)));
        reads.set(p, text);
        return text;
      },
      resolve: (from, rel) => this.disk.resolve(from, rel),
      // Outside the folders first: a file there is not even looked at for its size.
      refuse: (p) =>
        folders.length > 0
          ? (outsideFolders(p, folders) ?? (this.openText(p) === undefined ? this.disk.refuse?.(p) : undefined))
          : 'the document is in no folder: save it, or open a workspace folder',
    };
  }

  /** How the analysis of the document at `root` reads its includes (the simulate commands re-read them). */
  includeHost(root: string): FileHost {
    return this.host(new Map(), root);
  }

  /** True when every file the analysis of `uri` read still has the text it read. */
  private inputsUnchanged(uri: string): boolean {
    const reads = this.inputs.get(uri);
    if (!reads) return false;
    for (const [p, text] of reads) if (this.currentText(p) !== text) return false;
    return true;
  }

  /** Files changed on disk: their next read goes to the disk again. */
  filesChanged(paths: string[]): void {
    for (const p of paths) this.diskTexts.delete(p);
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
    this.models.clear();
  }

  forget(uri: string): void {
    this.cache.delete(uri);
    this.semanticTokens.forget(uri);
    this.inputs.delete(uri);
    this.analysisCaches.delete(uri);
    this.parsers.delete(uri);
    this.resolveCaches.delete(uri);
    this.parses.delete(uri);
    this.models.delete(uri);
    this.settingsCache.delete(uri);
  }

  /**
   * A newer version of `uri` arrived: the results of the one before are never used again (each
   * is looked up by version). Dropped now, not when the new version's replace them, so that the
   * old version's text and the objects made for it are garbage while the new one is computed;
   * the line index shared for that text (LineIndex.of) too, which kept the whole old text (a
   * large object, moved to the old generation by the first young collection it outlives).
   */
  versionChanged(uri: string): void {
    LineIndex.forget(this.cache.get(uri)?.text);
    this.parses.delete(uri);
    this.models.delete(uri);
    this.cache.delete(uri);
  }

  /** The analysis of the newest version of `uri`, computed now if it is stale. */
  async context(uri: string): Promise<DocContext | undefined> {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const settings = await this.settings(uri);
    return this.contextSync(doc, settings);
  }

  /**
   * The parse of the newest version of `doc`, incremental: only the statements an edit
   * touched are parsed again. Once per version (a later version's parse moves the nodes the
   * two share, so nothing of an older version is used after it).
   */
  parsed(doc: TextDocument): ParseResult {
    const text = doc.getText();
    const last = this.parses.get(doc.uri);
    if (last && last.version === doc.version && last.text === text) return last.parsed;
    let parser = this.parsers.get(doc.uri);
    if (!parser) this.parsers.set(doc.uri, (parser = new IncrementalParser()));
    const parsed = parser.parse(text);
    this.parses.set(doc.uri, { version: doc.version, text, parsed });
    return parsed;
  }

  /**
   * A context from the parse alone, for the features that read only the syntax tree (the
   * outline, folding): the analysis's when it is ready, else one with no names resolved and
   * no diagnostics but the syntax's. A big file's outline need not wait for its analysis.
   */
  async syntaxContext(uri: string): Promise<DocContext | undefined> {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const settings = await this.settings(uri);
    const cached = this.cache.get(uri);
    if (cached && cached.version === doc.version && cached.settings === settings) return cached;
    const text = doc.getText();
    const path = uriToPath(uri);
    const parsed = this.parsed(doc);
    const model = modelOfParse(path, text, parsed);
    return {
      uri,
      path,
      version: doc.version,
      text,
      lines: LineIndex.of(text),
      analysis: { model, diagnostics: [], flowResults: [] },
      settings,
    };
  }

  /** The model of the newest version of `doc` (names resolved, includes read), before the analysis. */
  model(doc: TextDocument, settings: Settings): Model {
    const last = this.models.get(doc.uri);
    if (last && last.version === doc.version && last.settings === settings && this.inputsUnchanged(doc.uri)) return last.model;
    const text = doc.getText();
    const path = uriToPath(doc.uri);
    const reads = new Map<string, string | undefined>();
    let resolveCache = this.resolveCaches.get(doc.uri);
    if (!resolveCache) this.resolveCaches.set(doc.uri, (resolveCache = new ResolveCache()));
    const model = buildModel(path, text, this.host(reads, path), {
      defaultEphemeral: settings.defaultEphemeral || undefined,
      parsed: this.parsed(doc),
      cache: resolveCache,
    });
    this.inputs.set(doc.uri, reads);
    this.models.set(doc.uri, { version: doc.version, settings, model });
    return model;
  }

  /**
   * Cached for (uri, version, settings, the text of every file it includes); recomputed
   * otherwise. Never throws.
   */
  contextSync(doc: TextDocument, settings: Settings): DocContext {
    // The model is rebuilt when an included file changed; the analysis follows its model.
    const model = this.model(doc, settings);
    const cached = this.cache.get(doc.uri);
    if (cached && cached.version === doc.version && cached.settings === settings && cached.analysis.model === model) return cached;
    const text = doc.getText();
    let analysisCache = this.analysisCaches.get(doc.uri);
    if (!analysisCache) this.analysisCaches.set(doc.uri, (analysisCache = new AnalysisCache()));
    const ctx: DocContext = {
      uri: doc.uri,
      path: uriToPath(doc.uri),
      version: doc.version,
      text,
      lines: LineIndex.of(text),
      analysis: analyze(model, analysisCache),
      settings,
    };
    this.cache.set(doc.uri, ctx);
    return ctx;
  }

  /**
   * The analyses of the files besides `uri` that read `path` (or are it), for rename and
   * references: the open documents, and the `.fw` files of the workspace folders on disk.
   */
  async includers(uri: string, path: string): Promise<DocContext[]> {
    const out: DocContext[] = [];
    const open = new Set<string>();
    for (const d of this.documents.all()) {
      open.add(uriToPath(d.uri));
      if (d.uri === uri) continue;
      const ctx = await this.context(d.uri);
      if (ctx && (ctx.path === path || this.inputs.get(d.uri)?.get(path) !== undefined)) out.push(ctx);
    }
    for (const file of fwFilesIn(this.folders)) {
      if (open.has(file)) continue;
      const text = this.currentText(file);
      if (text === undefined || (file !== path && !/\binclude\b/.test(text))) continue;
      const fileUri = URI.file(file).toString();
      const settings = await this.settings(fileUri);
      const reads = new Map<string, string | undefined>();
      const model = buildModel(file, text, this.host(reads, file), { defaultEphemeral: settings.defaultEphemeral || undefined });
      if (file !== path && reads.get(path) === undefined) continue;
      out.push({ uri: fileUri, path: file, version: 0, text, lines: new LineIndex(text), analysis: analyze(model), settings });
    }
    return out;
  }

  /**
   * Open documents whose last analysis read `path` (or looked for it and did not find it),
   * directly or through another include: to re-check them when it changes.
   */
  dependents(path: string): TextDocument[] {
    const out: TextDocument[] = [];
    for (const [uri, reads] of this.inputs) {
      if (!reads.has(path)) continue;
      const d = this.documents.get(uri);
      if (d && uriToPath(d.uri) !== path) out.push(d);
    }
    return out;
  }
}
