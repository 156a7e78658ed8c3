// The semantic tokens last sent for each document, for LSP's delta request
// (`textDocument/semanticTokens/full/delta`): the editor names the result it holds, and is sent
// the edits from it to the new tokens, not every token again. At 10,000 rules the tokens are
// 555,000 numbers (2.5 MB of JSON) an editor asks for after each edit; a one-port edit changes
// none of them or a few.

import type { SemanticTokens, SemanticTokensDelta } from 'vscode-languageserver';
import { semanticTokensEdits } from '../features/semanticTokens';

export class SemanticTokenResults {
  /** Per document: the id and tokens of the last result sent (4 bytes a number). */
  private readonly last = new Map<string, { id: string; data: Uint32Array }>();
  private count = 0;

  /** A full result for `uri`, remembered as what the editor now holds. */
  full(uri: string, tokens: SemanticTokens): SemanticTokens {
    return { resultId: this.remember(uri, tokens.data), data: tokens.data };
  }

  /**
   * The edits from the result `previousResultId` of `uri` to `tokens`; the full tokens when that
   * result is not the last one sent (an answer the editor never got, or a restarted server).
   */
  delta(uri: string, previousResultId: string, tokens: SemanticTokens): SemanticTokens | SemanticTokensDelta {
    const prev = this.last.get(uri);
    if (!prev || prev.id !== previousResultId) return this.full(uri, tokens);
    const edits = semanticTokensEdits(prev.data, tokens.data);
    return { resultId: this.remember(uri, tokens.data), edits };
  }

  forget(uri: string): void {
    this.last.delete(uri);
  }

  private remember(uri: string, data: readonly number[]): string {
    const id = String(++this.count);
    this.last.set(uri, { id, data: new Uint32Array(data) });
    return id;
  }
}
