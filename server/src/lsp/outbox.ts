// What the server has written but the transport has not taken yet. A big answer (the outline
// of 600,000 declarations is ~140 MB of JSON) goes out through a pipe that takes 64 KB at a
// time, and only while the event loop is free: a step of the analysis that runs meanwhile
// holds the rest of it back, and the client received the outline with the diagnostics, at
// the end (issue 12). The diagnostics run waits until the outbox is empty before each step.

import type { Writable } from 'node:stream';
import { AbstractMessageWriter, type Message, type MessageWriter, StreamMessageWriter } from 'vscode-languageserver/node';

/** A writer that knows when everything it was given has been handed to the transport. */
export class Outbox extends AbstractMessageWriter implements MessageWriter {
  private unsent = 0;
  private waiters: (() => void)[] = [];

  /**
   * `send` resolves once the message is written out (the transport's write callback). `inner`,
   * the writer `send` writes with, if any: its errors and its close are this writer's, and so
   * is its end.
   */
  constructor(
    private readonly send: (msg: Message) => Promise<void>,
    private readonly inner?: MessageWriter,
  ) {
    super();
    inner?.onError(([error, message, count]) => this.fireError(error, message, count));
    inner?.onClose(() => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    this.unsent++;
    return this.send(msg).then(
      () => this.sent(),
      (e: unknown) => {
        this.sent();
        // The inner writer reported it already.
        if (!this.inner) this.fireError(e, msg, 1);
        throw e;
      },
    );
  }

  end(): void {
    this.inner?.end();
  }

  /** An error of the transport itself (not of one write). */
  report(error: unknown): void {
    this.fireError(error);
  }

  override dispose(): void {
    super.dispose();
    this.inner?.dispose();
  }

  /** How many messages are written but not yet taken by the transport. */
  get pending(): number {
    return this.unsent;
  }

  /**
   * Resolves when every message written so far is out, or after `limitMs` (a client that stops
   * reading must not stop the diagnostics for good).
   */
  drained(limitMs = 10_000): Promise<void> {
    if (this.unsent === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, limitMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private sent(): void {
    this.unsent--;
    if (this.unsent > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** An outbox over a stream (the process's stdout): vscode-jsonrpc's writer, whose write resolves in the stream's callback. */
export function streamOutbox(output: Writable): Outbox {
  const writer = new StreamMessageWriter(output, 'utf-8');
  return new Outbox((msg) => writer.write(msg), writer);
}

/**
 * An outbox over Node IPC (how the VS Code client starts the server): `process.send`, resolved
 * in its callback. The process's `error` events are the writer's, as vscode-jsonrpc's
 * IPCMessageWriter has them.
 */
export function ipcOutbox(proc: NodeJS.Process): Outbox {
  const outbox = new Outbox(
    (msg) =>
      new Promise((resolve, reject) => {
        if (typeof proc.send !== 'function') return reject(new Error('no IPC channel'));
        proc.send(msg, undefined, undefined, (e: Error | null) => (e ? reject(e) : resolve()));
      }),
  );
  proc.on('error', (e) => outbox.report(e));
  return outbox;
}
