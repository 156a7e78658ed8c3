// The young generation's memory, touched while the server is idle after an open (issue 12).
//
// Opening a big document grows V8's young generation (to 2 × 16 MB on Node 20). The pages of
// the new half are committed but not yet touched: the edits that follow touch them for the
// first time, a page fault per 4 KB. On the machines here a fault costs about 11 µs, and the
// first ten edits at 2,000 rules each touched 800–1,100 fresh pages (9–12 ms of a 20–45 ms
// edit); steady edits touch about 60. Filling the young generation once with garbage while
// nothing else is waiting makes those faults happen before the user types, as a JVM's
// AlwaysPreTouch does for its heap. Garbage only: nothing survives, the collections it causes
// copy nothing of it, and the pages touched are those the edits would touch anyway.

import { getHeapSpaceStatistics } from 'node:v8';

/** Bytes allocated per turn of the event loop (a few ms each): requests are answered between. */
const SLICE_BYTES = 2 << 20;
/** One array of this many small integers is about 8 KB. */
const ARRAY_LENGTH = 1000;
const ARRAY_BYTES = ARRAY_LENGTH * 8 + 16;

/** The young generation's committed size now, in bytes (0 if V8 does not say). */
function youngGenerationBytes(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_size;
  return 0;
}

/** A sink the optimiser cannot drop the allocations for. */
let sink: unknown;

/**
 * Allocates short-lived arrays for twice the young generation's committed size (both of its
 * halves serve in turn), SLICE_BYTES per turn; stops early when `busy()` says work is waiting
 * (an edit: its run touches what it needs). Resolves with the bytes allocated.
 */
export function pretouchYoungGeneration(busy: () => boolean): Promise<number> {
  const goal = 2 * youngGenerationBytes();
  let done = 0;
  return new Promise((resolve) => {
    const slice = () => {
      if (done >= goal || busy()) {
        // The last array goes too: nothing of this outlives it.
        if (sink !== undefined) sink = undefined;
        resolve(done);
        return;
      }
      for (let n = 0; n < SLICE_BYTES; n += ARRAY_BYTES) sink = new Array<number>(ARRAY_LENGTH).fill(n);
      done += SLICE_BYTES;
      setImmediate(slice);
    };
    setImmediate(slice);
  });
}
