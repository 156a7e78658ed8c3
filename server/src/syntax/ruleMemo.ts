// Rules kept between parses of an edited firewall (issue 12: editing one big firewall).
//
// The incremental parser (incremental.ts) reuses whole chunks; an edit inside a firewall parses
// the firewall's chunk again, every rule of it. A rule read without any error depends only on
// its own tokens, the text between them, and the few tokens after it the parser looks at (never
// more than 3; whether its first token starts a line is asked only on the way in, by the body's
// choice of item, and in recovery). When a later parse reaches a rule whose tokens, text and
// following tokens are those of a kept rule, the parser takes the kept rule's node, its spans
// moved to where it is now, and skips its tokens: the same node a parse would build
// (test/incremental/ruleMemo.test.ts, and parse.property.test.ts's random edits).
//
// Kept are the rules of the last few chunks parsed again after the document's first parse (a
// chunk parsed again is being edited; the first parse keeps nothing: memory). A node taken from
// a chunk's result makes that result unusable (`dead`): it is parsed again if ever needed.

import type { IToken } from 'chevrotain';
import type { Span } from '../core/diagnostic';
import { ownCopy } from '../core/text';
import type { RuleNode } from './ast';
import { collectSpans } from './spans';
import { tokenEnd } from './tokens';

/** Tokens after a rule compared with those a kept rule had (the parser looks at most 3 ahead). */
const FOLLOWING = 4;
/** Rules are kept for this many chunks: the ones parsed again last. */
const CHUNKS_KEPT = 4;
/** A rule is looked up by its first line, up to this many characters. */
const KEY_CHARS = 160;
/** Kept rules of one key compared with a rule, at most (beyond those already taken). */
const TRIES = 8;

/** A chunk's parse result, as far as kept rules are concerned. */
export interface RuleOwner {
  /** The parse (generation) that last used this result as it is. */
  liveGen?: number;
  /** One of its nodes was taken by another parse: never to be used as it is again. */
  dead?: boolean;
  /** The rules kept from it. */
  kept?: KeptRule[];
}

interface KeptRule {
  key: string;
  node: RuleNode;
  /** Every span of the node, once (found on its first move). */
  spans?: Span[];
  /** The text from the rule's first token to the end of the last token compared. */
  text: string;
  /** For each token compared (the rule's, then the following ones): its type and its start relative to the rule's. */
  shape: Int32Array;
  /** How many of the compared tokens follow the rule (FOLLOWING, fewer at the end of the input). */
  following: number;
  owner?: RuleOwner;
  usedGen: number;
}

/** The length of the first line of text at `at`, cut to KEY_CHARS (a rule is looked up by it). */
function keyLength(text: string, at: number): number {
  let end = at;
  const max = Math.min(text.length, at + KEY_CHARS);
  while (end < max) {
    const c = text.charCodeAt(end);
    if (c === 10 || c === 13) break;
    end++;
  }
  return end - at;
}

/** A token's start relative to the rule's first token; -1 for the end-of-input tokens (no offset). */
function relative(t: IToken, first: IToken): number {
  const s = t.startOffset;
  return s === s ? s - first.startOffset : -1;
}

/** The end of the last of input[from, from + m) that has an offset. */
function endOf(input: IToken[], from: number, m: number): number {
  for (let j = from + m - 1; j > from; j--) {
    const s = input[j]!.startOffset;
    if (s === s) return tokenEnd(input[j]!);
  }
  return tokenEnd(input[from]!);
}

/**
 * The kept rules of one key, in the order they were kept. Those before `skip` cannot be taken
 * by the parse `gen` (taken already, or their result is in use as it is): a paste of thousands
 * of one rule takes them in turn without looking at the taken ones again.
 */
interface Bucket {
  rules: KeptRule[];
  gen: number;
  skip: number;
}

export class RuleMemo {
  private readonly index = new Map<string, Bucket>();
  /** The owners whose rules are kept, oldest first. */
  private readonly owners: RuleOwner[] = [];
  private gen = 0;
  private recording = false;
  private current: KeptRule[] = [];
  /** Rules taken (not parsed) and kept by the last parse, for tests and the benchmark. */
  replayed = 0;
  recorded = 0;
  /** Kept rules looked at by the last parse (tests: no quadratic lookups when rules repeat). */
  examined = 0;

  /** A new parse of the document begins. */
  begin(): void {
    this.gen++;
    this.replayed = 0;
    this.recorded = 0;
    this.examined = 0;
  }

  /** The parse reuses a chunk's result as it is. */
  reuse(owner: RuleOwner): void {
    owner.liveGen = this.gen;
  }

  /** A chunk is about to be parsed; `record`: keep its rules (not on the document's first parse). */
  startChunk(record: boolean): void {
    this.recording = record;
    this.current = [];
  }

  /** The chunk's parse is `owner`: the rules it took or kept are its own now. */
  endChunk(owner: RuleOwner): void {
    owner.liveGen = this.gen;
    const kept = this.current;
    this.current = [];
    this.recording = false;
    if (kept.length === 0) return;
    for (const k of kept) k.owner = owner;
    owner.kept = kept;
    this.owners.push(owner);
    while (this.owners.length > CHUNKS_KEPT) this.forget(this.owners.shift()!);
  }

  /** Drops the rules still kept from `owner` (each key's list filtered once). */
  private forget(owner: RuleOwner): void {
    const keys = new Set<string>();
    for (const k of owner.kept ?? []) {
      if (k.owner !== owner) continue;
      k.owner = undefined;
      keys.add(k.key);
    }
    for (const key of keys) {
      const b = this.index.get(key);
      if (!b) continue;
      b.rules = b.rules.filter((k) => k.owner !== undefined);
      b.skip = 0;
      if (b.rules.length === 0) this.index.delete(key);
    }
    owner.kept = undefined;
  }

  /**
   * A kept rule equal to the one at input[from] (see the top of the file), its node moved there
   * and taken for this parse; undefined when there is none. `text` is the parser's text, whose
   * first character is at offset `textOffset` of the file (as the tokens' offsets are).
   */
  take(input: IToken[], from: number, text: string, textOffset: number): { node: RuleNode; tokens: number } | undefined {
    // Nothing kept (a document's first parse, a file just opened): no key is cut per rule.
    if (this.index.size === 0) return undefined;
    const first = input[from];
    if (!first) return undefined;
    const at = first.startOffset - textOffset;
    const b = this.index.get(text.slice(at, at + keyLength(text, at)));
    if (!b) return undefined;
    if (b.gen !== this.gen) {
      b.gen = this.gen;
      b.skip = 0;
    }
    const rules = b.rules;
    for (let i = b.skip, tries = 0; i < rules.length && tries < TRIES; i++) {
      const k = rules[i]!;
      this.examined++;
      if (k.usedGen === this.gen || !k.owner || k.owner.liveGen === this.gen) {
        // Not to be taken by this parse, ever: looked at no more while all before it are alike.
        if (i === b.skip) b.skip++;
        else tries++;
        continue;
      }
      tries++;
      const m = k.shape.length >> 1;
      if (from + m > input.length || (k.following < FOLLOWING && from + m !== input.length)) continue;
      let same = true;
      for (let j = 0; j < m && same; j++) {
        const t = input[from + j]!;
        same = t.tokenTypeIdx === k.shape[2 * j] && relative(t, first) === k.shape[2 * j + 1];
      }
      if (!same) continue;
      const end = endOf(input, from, m) - textOffset;
      if (end > text.length || end - at !== k.text.length || !text.startsWith(k.text, at)) continue;
      // Taken: the result it was kept from holds the node no more.
      k.owner.dead = true;
      k.usedGen = this.gen;
      if (i === b.skip) b.skip++;
      const by = first.startOffset - k.node.span.start;
      if (by !== 0) {
        k.spans ??= collectSpans([k.node]);
        for (const s of k.spans) {
          s.start += by;
          s.end += by;
        }
      }
      this.current.push(k);
      this.replayed++;
      return { node: k.node, tokens: m - k.following };
    }
    return undefined;
  }

  /** Keeps a rule just read without error from input[from] to input[to - 1]. */
  record(node: RuleNode, input: IToken[], from: number, to: number, text: string, textOffset: number): void {
    if (!this.recording || to <= from) return;
    const first = input[from]!;
    const following = Math.min(FOLLOWING, input.length - to);
    const m = to - from + following;
    const at = first.startOffset - textOffset;
    const end = endOf(input, from, m) - textOffset;
    if (end > text.length) return;
    const shape = new Int32Array(2 * m);
    for (let j = 0; j < m; j++) {
      const t = input[from + j]!;
      shape[2 * j] = t.tokenTypeIdx;
      shape[2 * j + 1] = relative(t, first);
    }
    // The key is a cut of the kept text (its first line), which is the rule's own copy.
    const own = ownCopy(text.slice(at, end));
    const key = own.slice(0, keyLength(own, 0));
    const k: KeptRule = { key, node, text: own, shape, following, usedGen: this.gen };
    const b = this.index.get(k.key);
    if (b) b.rules.push(k);
    else this.index.set(k.key, { rules: [k], gen: 0, skip: 0 });
    this.current.push(k);
    this.recorded++;
  }
}
