// When a document's diagnostics run starts. The connection (vscode-jsonrpc) handles each
// message read in an immediate of its own, one after another; a burst of edits read while the
// server was busy is handled over as many turns of the event loop. A run started one turn
// after its edit began before the next edit was handled, and parsed every version of the burst
// (each of a 1 MB document's took 0.3 s: fuzz sequence 6455 of seed 1134 waited 1.2 s). Started
// two turns after the last edit, it starts once the burst has been handled, for its last version.

/** Runs per key, at most one waiting; a newer request replaces the waiting one. */
export class LatestRuns {
  private readonly waiting = new Map<string, ReturnType<typeof setImmediate>>();

  /** Runs `run` two turns from now, unless `request` or `cancel` is called for `key` before. */
  request(key: string, run: () => void): void {
    this.cancel(key);
    this.waiting.set(
      key,
      setImmediate(() => {
        // The second turn: edits read with this one are handled by now.
        this.waiting.set(
          key,
          setImmediate(() => {
            this.waiting.delete(key);
            run();
          }),
        );
      }),
    );
  }

  /** Whether a run for `key` is waiting (a running one for an older version is then stale). */
  has(key: string): boolean {
    return this.waiting.has(key);
  }

  /** Whether any run is waiting. */
  any(): boolean {
    return this.waiting.size > 0;
  }

  cancel(key: string): void {
    const t = this.waiting.get(key);
    if (t) clearImmediate(t);
    this.waiting.delete(key);
  }
}
