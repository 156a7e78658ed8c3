// The language server's garbage-collection policy (issue 12: memory at 10,000 rules).
//
// An edit replaces one firewall's syntax tree, resolution and analysis and the document's
// text; what it replaces is garbage, part of it already in the old generation (docs/
// performance.md: what reaches the old generation per edit). V8 collects the old generation
// when it reaches a limit set from the live size at the last full collection, by a factor it
// picks from how fast its collections are: for the ~50 MB a 10,000-rule file keeps alive, up to
// four times that, so a session of edits only piles garbage up (the server's peak during 50
// edits: 160–163 MB against 134 MB once the file is open). A fixed factor of 1.2 makes V8
// collect the old generation once it has grown by 20 % (marking concurrently, on another core
// where there is one): the peak during those edits is 143–148 MB (1.3: 147–151 MB; 1.1: no
// lower than 1.2). It trades collection work for memory, as an editor's helper process should
// (VS Code runs a language server per language, beside the editor): at 10,000 rules an edit's
// median ~0.7 ms slower, its p95 ~3 ms.
//
// Not for big files: while a heap grows to a gigabyte (a 15 MB file of 600,000 declarations), a
// collection every 20 % is a dozen more full collections of a big heap: the open of that file
// took 40–50 % longer (diagnostics 7.6–8.5 s against 5.2–5.7 s). So the factor is V8's own while
// an open document is larger than LEAN_UP_TO_CHARS, fitted as documents open, change and close,
// before any work on them (fitted when a run started, it came after the outline request had
// parsed the big file under the lean factor: +0.7 s). The command line keeps V8's own factor (a
// run ends long before garbage matters, and check is judged by its speed).
//
// `v8.setFlagsFromString` is Node's API for this; V8 refuses flag changes after it starts only
// when built to freeze its flags (`--freeze-flags-after-init`), which Node's V8 is not (its
// default is `--no-freeze-flags-after-init`), nor Electron's (VS Code's extension host), which
// unfreezes them for Node.

import { setFlagsFromString } from 'node:v8';

/** The old generation may grow by this share of the live size before V8 collects it. */
export const HEAP_GROWING_PERCENT = 20;
/** The largest open document (in characters) for which the lean factor is used: ~30,000 rules. */
export const LEAN_UP_TO_CHARS = 2_000_000;

/** The V8 flag for a growing percent (0: V8 picks its own factor, its default). */
export const growingFlag = (percent: number): string => `--heap-growing-percent=${percent}`;

export class HeapPolicy {
  private percent: number | undefined;

  constructor(private readonly setFlags: (flags: string) => void = setFlagsFromString) {}

  /** Sets the factor for the open documents, the largest of `largestOpenChars` characters. */
  fit(largestOpenChars: number): void {
    const percent = largestOpenChars > LEAN_UP_TO_CHARS ? 0 : HEAP_GROWING_PERCENT;
    if (percent === this.percent) return;
    this.percent = percent;
    // V8 reads it each time it sets a new limit (after a full collection).
    this.setFlags(growingFlag(percent));
  }
}
