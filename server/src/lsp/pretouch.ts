// The young generation's memory, touched while the server is idle after an open (issue 12).
//
// Opening a big document grows V8's young generation (to 2 × 16 MB on Node 20). The pages of
// the new half are committed but not yet touched: the edits that follow touch them for the
// first time, a page fault per 4 KB. On the machines here a fault costs about 11 µs, and the
// first ten edits at 2,000 rules each touched 800–1,100 fresh pages (9–12 ms of a 20–45 ms
// edit); steady edits touch about 60. Filling the young generation once with garbage while
// nothing else is waiting makes those faults happen before the user types, as a JVM's
// AlwaysPreTouch does for its heap. Garbage only: nothing survives, the collections it causes
// copy nothing of it, and the pages touched are those the edits would touch anyway. Only when
// the young generation has grown since its last touch: opening a small file after a big one
// touches nothing. (After a pause of 30 s the first edits are slow again, touched or not:
// docs/performance.md.)

import { getHeapSpaceStatistics } from 'node:v8';

/** Bytes allocated per turn of the event loop (a few ms each): requests are answered between. */
const SLICE_BYTES = 2 << 20;
/** One array of this many small integers is about 8 KB. */
const ARRAY_LENGTH = 1000;
const ARRAY_BYTES = ARRAY_LENGTH * 8 + 16;

/** The young generation's committed size now, in bytes (0 if V8 does not say). */
export function youngGenerationBytes(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_size;
  return 0;
}

/** A sink the optimiser cannot drop the allocations for. */
let sink: unknown;

/** Touches the young generation when it has grown since it was last touched whole. */
export class YoungGenerationToucher {
  /** The size the young generation had at the last touch that ran to its end. */
  private touched = 0;
  private running = false;

  constructor(private readonly size: () => number = youngGenerationBytes) {}

  /**
   * Allocates short-lived arrays for twice the young generation's committed size (both of its
   * halves serve in turn), SLICE_BYTES per turn, unless it has not grown since the last whole
   * touch or a touch is running; stops early when `busy()` says work is waiting (an edit: its
   * run touches what it needs). Resolves with the bytes allocated.
   */
  async touchIfGrown(busy: () => boolean): Promise<number> {
    const young = this.size();
    if (this.running || young <= this.touched) return 0;
    this.running = true;
    try {
      const done = await allocate(2 * young, busy);
      if (done >= 2 * young) this.touched = young;
      return done;
    } finally {
      this.running = false;
    }
  }
}

function allocate(goal: number, busy: () => boolean): Promise<number> {
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
