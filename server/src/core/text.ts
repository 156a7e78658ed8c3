// Offset <-> line/column conversion for one text. Lines and columns are 0-based here;
// front ends add 1 where their format wants it.

/**
 * A copy of `s` that shares no memory with the string it was cut from. V8 cuts a string of 13
 * characters or more as a view into the whole (a sliced string), and joins strings as a pair of
 * pointers: a piece of a document kept from one version to the next (a chunk the incremental
 * parse reuses, a token image cut from it, a cached diagnostic's message) would keep that whole
 * version of the document alive. Joined to a space, `s` is copied into a new string; the cut
 * after the space is a view into that copy only.
 */
export function ownCopy(s: string): string {
  return (' ' + s).slice(1);
}

interface Position {
  line: number;
  character: number;
}

/** How many lines `text` has; with `out`, where each starts, written into it. */
function lineStarts(text: string, out: Int32Array | undefined): number {
  let n = 1;
  // indexOf runs far faster than a loop over every character (a big file is 10 MB).
  let nl = text.indexOf('\n');
  let cr = text.indexOf('\r');
  while (nl >= 0 || cr >= 0) {
    const at = cr < 0 || (nl >= 0 && nl < cr) ? nl + 1 : text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
    if (out) out[n] = at;
    n++;
    if (nl >= 0 && nl < at) nl = text.indexOf('\n', at);
    if (cr >= 0 && cr < at) cr = text.indexOf('\r', at);
  }
  return n;
}

export class LineIndex {
  /** Where each line starts: 4 bytes a line, kept as long as its version of the text. */
  private readonly starts: Int32Array;

  /** How many have been made (tests count them: a report must not index a file per line it prints). */
  static made = 0;

  constructor(readonly text: string) {
    LineIndex.made++;
    // Counted first, then written: the index is made once per version of an edited document,
    // and a growing list of the starts was five times its size in garbage (issue 12).
    const starts = new Int32Array(lineStarts(text, undefined));
    lineStarts(text, starts);
    this.starts = starts;
  }

  private static last: LineIndex | undefined;

  /** Lets go of the index shared for `text` (a version of a document that is not the newest any more). */
  static forget(text: string | undefined): void {
    if (text !== undefined && LineIndex.last?.text === text) LineIndex.last = undefined;
  }

  /**
   * The lines of `text`, shared with the last caller that asked for the same text. Only the
   * last: each version of an edited document asks, and keeping more kept older versions of the
   * text alive. Whoever places many spans of several files uses `Lines` (one index per file).
   */
  static of(text: string): LineIndex {
    const last = LineIndex.last;
    if (last && last.text === text) return last;
    return (LineIndex.last = new LineIndex(text));
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo]! };
  }

  offset(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.starts.length) return this.text.length;
    const start = this.starts[pos.line]!;
    const next = pos.line + 1 < this.starts.length ? this.starts[pos.line + 1]! : this.text.length + 1;
    return Math.min(start + Math.max(0, pos.character), next - 1, this.text.length);
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))]!;
  }

  lineText(line: number): string {
    const start = this.lineStart(line);
    const end = line + 1 < this.starts.length ? this.starts[line + 1]! : this.text.length;
    return this.text.slice(start, end).replace(/\r?\n$|\r$/, '');
  }
}

/**
 * Line numbers (1-based) of offsets in several files, each file's index built once. Whoever
 * places many spans asks here, not `new LineIndex` per span: a line index of the whole file
 * per printed error made `fwlang simulate` of a 1.5 MB file run for minutes.
 */
export class Lines {
  private readonly indexes = new Map<string, LineIndex>();
  /** `textOf` gives a file's text (undefined when unknown: every offset is then on line 1). */
  constructor(private readonly textOf: (file: string) => string | undefined) {}

  /** The line index of a file. */
  of(file: string): LineIndex {
    let idx = this.indexes.get(file);
    if (!idx) {
      idx = new LineIndex(this.textOf(file) ?? '');
      this.indexes.set(file, idx);
    }
    return idx;
  }

  line(file: string, offset: number): number {
    return this.of(file).position(offset).line + 1;
  }
}
