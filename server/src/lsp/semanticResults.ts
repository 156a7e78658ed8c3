// The semantic tokens last sent for each document, for LSP's delta request
// (`textDocument/semanticTokens/full/delta`): the editor names the result it holds, and is sent
// the edits from it to the new tokens, not every token again. At 10,000 rules the tokens are
// 555,000 numbers (1.1 MB of JSON) an editor asks for after each edit; a one-port edit changes
// none of them or a few.

import type { SemanticTokens, SemanticTokensDelta } from 'vscode-languageserver';
import { SemanticTokenCache, numbers, semanticTokensEdits } from '../features/semanticTokens';

export class SemanticTokenResults {
  /** Per document: the id and tokens of the last result sent (4 bytes a number). */
  private readonly last = new Map<string, { id: string; data: Int32Array }>();
  /** Per document: its chunks as last lexed for its tokens (only what an edit changed is lexed again). */
  private readonly caches = new Map<string, SemanticTokenCache>();
  private count = 0;

  cache(uri: string): SemanticTokenCache {
    let c = this.caches.get(uri);
    if (!c) this.caches.set(uri, (c = new SemanticTokenCache()));
    return c;
  }

  /** A full result for `uri`, remembered as what the editor now holds. */
  full(uri: string, tokens: Int32Array): SemanticTokens {
    return { resultId: this.remember(uri, tokens), data: numbers(tokens) };
  }

  /**
   * The edits from the result `previousResultId` of `uri` to `tokens`; the full tokens when that
   * result is not the last one sent (an answer the editor never got, or a restarted server).
   */
  delta(uri: string, previousResultId: string, tokens: Int32Array): SemanticTokens | SemanticTokensDelta {
    const prev = this.last.get(uri);
    if (!prev || prev.id !== previousResultId) return this.full(uri, tokens);
    const edits = semanticTokensEdits(prev.data, tokens);
    return { resultId: this.remember(uri, tokens), edits };
  }

  forget(uri: string): void {
    this.last.delete(uri);
    this.caches.delete(uri);
  }

  /** Keeps `data` (the caller's, not copied: each request encodes anew). */
  private remember(uri: string, data: Int32Array): string {
    const id = String(++this.count);
    this.last.set(uri, { id, data });
    return id;
  }
}
