// Registration of the editing features (completion, navigation, rename, outline, tokens,
// folding, formatting, links). One feature per file under ../features; hover is wired
// elsewhere.

import { type Connection, ErrorCodes, type Position, ResponseError, type ServerCapabilities } from 'vscode-languageserver';
import { completion } from '../features/completion';
import { declarationFileAt, definition } from '../features/definition';
import { foldingRanges } from '../features/folding';
import { formatting } from '../features/formatting';
import { documentLinks } from '../features/links';
import { references } from '../features/references';
import { prepareRename, rename } from '../features/rename';
import { SEMANTIC_LEGEND, encodeSemanticTokens } from '../features/semanticTokens';
import { documentSymbols } from '../features/symbols';
import type { DocContext } from '../features/docContext';
import type { Workspace } from './workspace';

type Guard = <P, R>(fallback: R, f: (p: P) => Promise<R> | R) => (p: P) => Promise<R>;

/** A refusal of the core (`{ error }`) as the error answer the client shows to the user. */
function refusal<T extends object>(r: T | { error: string } | null): T | ResponseError<void> | null {
  if (r && 'error' in r && typeof r.error === 'string') return new ResponseError(ErrorCodes.InvalidRequest, r.error);
  return r as T | null;
}

/** The other files that see the declaration of the name at `position`. */
function includers(ws: Workspace, ctx: DocContext, position: Position): Promise<DocContext[]> {
  const file = declarationFileAt(ctx, position);
  return file ? ws.includers(ctx.uri, file) : Promise.resolve([]);
}

function register(connection: Connection, ws: Workspace, guard: Guard): void {
  connection.onCompletion(
    guard([], async (p) => {
      const ctx = await ws.context(p.textDocument.uri);
      return ctx ? completion(ctx, p.position) : [];
    }),
  );

  connection.onDefinition(
    guard(null, async (p) => {
      const ctx = await ws.context(p.textDocument.uri);
      return ctx ? definition(ctx, p.position) : null;
    }),
  );

  connection.onReferences(
    guard([], async (p) => {
      const ctx = await ws.context(p.textDocument.uri);
      return ctx ? references(ctx, p.position, !!p.context?.includeDeclaration, await includers(ws, ctx, p.position)) : [];
    }),
  );

  connection.onPrepareRename(
    guard(null, async (p) => {
      const ctx = await ws.context(p.textDocument.uri);
      return ctx ? refusal(prepareRename(ctx, p.position)) : null;
    }),
  );

  connection.onRenameRequest(
    guard(null, async (p) => {
      const ctx = await ws.context(p.textDocument.uri);
      return ctx ? refusal(rename(ctx, p.position, p.newName, await includers(ws, ctx, p.position))) : null;
    }),
  );

  // The outline and folding read the syntax tree only: a big file's do not wait for its analysis.
  connection.onDocumentSymbol(
    guard([], async (p) => {
      const ctx = await ws.syntaxContext(p.textDocument.uri);
      return ctx ? documentSymbols(ctx) : [];
    }),
  );

  connection.languages.semanticTokens.on(
    guard({ data: [] }, async (p) => {
      const ctx = await ws.context(p.textDocument.uri);
      return ctx ? ws.semanticTokens.full(ctx.uri, encodeSemanticTokens(ctx, ws.semanticTokens.cache(ctx.uri))) : { data: [] };
    }),
  );

  // After an edit the editor asks for the edits from the tokens it holds.
  connection.languages.semanticTokens.onDelta(
    guard({ data: [] }, async (p) => {
      const ctx = await ws.context(p.textDocument.uri);
      return ctx
        ? ws.semanticTokens.delta(ctx.uri, p.previousResultId, encodeSemanticTokens(ctx, ws.semanticTokens.cache(ctx.uri)))
        : { data: [] };
    }),
  );

  connection.onFoldingRanges(
    guard([], async (p) => {
      const ctx = await ws.syntaxContext(p.textDocument.uri);
      return ctx ? foldingRanges(ctx) : [];
    }),
  );

  connection.onDocumentFormatting(
    guard([], async (p) => {
      const ctx = await ws.context(p.textDocument.uri);
      return ctx ? formatting(ctx, p.options) : [];
    }),
  );

  connection.onDocumentLinks(
    guard([], async (p) => {
      const ctx = await ws.context(p.textDocument.uri);
      return ctx ? documentLinks(ctx) : [];
    }),
  );
}

const capabilities: ServerCapabilities = {
  completionProvider: { triggerCharacters: [' ', '[', ','], resolveProvider: false },
  definitionProvider: true,
  referencesProvider: true,
  renameProvider: { prepareProvider: true },
  documentSymbolProvider: { label: 'fwlang' },
  semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: { delta: true }, range: false },
  foldingRangeProvider: true,
  documentFormattingProvider: true,
  documentLinkProvider: { resolveProvider: false },
};

export const registerLanguageFeatures = Object.assign(register, { capabilities });
