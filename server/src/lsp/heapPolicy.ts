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
// where there is one): the peak during those edits is 143–147 MB (1.3: 147–151 MB; 1.1: no
// lower than 1.2). It trades collection work for memory, as an editor's helper process should
// (VS Code runs a language server per language, beside the editor): edits' median ~1 ms
// slower at 10,000 rules, the open of a 15 MB file ~15 % slower (docs/performance.md). Set once,
// when the server starts; the command line keeps V8's own factor (a run ends long before
// garbage matters, and check is judged by its speed).

import { setFlagsFromString } from 'node:v8';

/** The old generation may grow by this share of the live size before V8 collects it. */
export const HEAP_GROWING_PERCENT = 20;

/** Sets the policy for this process (V8 reads the factor each time it sets a new limit). */
export function leanOldGeneration(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
