// A big answer goes out before the diagnostics run takes its next step (issue 12). The pipe
// takes a big answer 64 KB at a time, only while the event loop is free: a step of the
// analysis that ran meanwhile held the outline of 600,000 declarations back until the
// diagnostics were done. The server here is the real one on a real connection, in this
// process; its output passes a gate the test opens and closes, as a client that reads slowly.

import { EventEmitter } from 'node:events';
import { Transform, Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as rpc from 'vscode-jsonrpc/node';
import { Outbox, ipcOutbox, streamOutbox } from '../../server/src/lsp/outbox';
import { Workspace } from '../../server/src/lsp/workspace';
import { inProcessServer } from './inProcess';

/** A stream that passes what it is given only while open: closed, it takes nothing more (backpressure). */
class Gate extends Transform {
  private held: (() => void)[] = [];
  open = true;
  passed = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, data?: Buffer) => void): void {
    const go = () => {
      this.passed += chunk.length;
      done(null, chunk);
    };
    if (this.open) go();
    else this.held.push(go);
  }
  release(): void {
    this.open = true;
    for (const go of this.held.splice(0)) go();
  }
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('the outbox', () => {
  it('tells when what was written has been taken by the stream', async () => {
    const gate = new Gate({ highWaterMark: 1024 });
    gate.open = false;
    const outbox = streamOutbox(gate);
    gate.resume();
    let drained = false;
    void outbox.write({ jsonrpc: '2.0', method: 'x', params: { big: 'x'.repeat(100_000) } } as rpc.Message);
    void outbox.drained().then(() => (drained = true));
    await turns(20);
    expect(outbox.pending).toBe(1);
    expect(drained).toBe(false);
    gate.release();
    await vi.waitFor(() => expect(drained).toBe(true));
    expect(outbox.pending).toBe(0);
  });

  it("reports its stream's errors and its close as vscode-jsonrpc's own writer does", async () => {
    const broken = () => {
      const w = new Writable({ write: (_c, _e, done) => done(new Error('EPIPE')) });
      w.on('error', () => undefined);
      return w;
    };
    const events = async (writer: rpc.MessageWriter, stream: Writable) => {
      const seen: string[] = [];
      writer.onError(([e]) => seen.push(`error ${(e as Error).message}`));
      writer.onClose(() => seen.push('close'));
      await writer.write({ jsonrpc: '2.0', method: 'x' } as rpc.Message).catch((e: Error) => seen.push(`rejected ${e.message}`));
      stream.destroy();
      await vi.waitFor(() => expect(seen).toContain('close'));
      return seen;
    };
    const plain = broken();
    const expected = await events(new rpc.StreamMessageWriter(plain), plain);
    expect(expected).toContain('error EPIPE');
    const stream = broken();
    const outbox = streamOutbox(stream);
    expect(await events(outbox, stream)).toEqual(expected);
    expect(outbox.pending).toBe(0);
  });

  it('over IPC: tells when process.send has written a message, and reports its errors', async () => {
    // A process whose channel is held: each send completes when the test says.
    const held: ((e: Error | null) => void)[] = [];
    const emitter = new EventEmitter();
    const proc = Object.assign(emitter, {
      send: (_m: unknown, _h: unknown, _o: unknown, done: (e: Error | null) => void) => held.push(done) > 0,
    }) as unknown as NodeJS.Process;
    const outbox = ipcOutbox(proc);
    const errors: string[] = [];
    outbox.onError(([e]) => errors.push((e as Error).message));
    let drained = false;
    const first = outbox.write({ jsonrpc: '2.0', method: 'a' } as rpc.Message);
    const second = outbox.write({ jsonrpc: '2.0', method: 'b' } as rpc.Message);
    void outbox.drained().then(() => (drained = true));
    await turns(5);
    expect([outbox.pending, drained]).toEqual([2, false]);
    held[0]!(null);
    await first;
    await turns(5);
    expect([outbox.pending, drained]).toEqual([1, false]);
    held[1]!(new Error('channel closed'));
    await expect(second).rejects.toThrow('channel closed');
    await vi.waitFor(() => expect(drained).toBe(true));
    expect(outbox.pending).toBe(0);
    emitter.emit('error', new Error('EPIPE'));
    expect(errors).toEqual(['channel closed', 'EPIPE']);
  });

  it('stops waiting after its limit, for a client that never reads', async () => {
    const outbox = new Outbox(() => new Promise(() => undefined));
    void outbox.write({ jsonrpc: '2.0', method: 'x' } as rpc.Message);
    const t = performance.now();
    await outbox.drained(50);
    expect(performance.now() - t).toBeGreaterThanOrEqual(45);
    expect(outbox.pending).toBe(1);
  });
});

describe('a big outline', () => {
  afterEach(() => vi.restoreAllMocks());

  it('goes out before the names are resolved', async () => {
    const gate = new Gate();
    const { toServer, outbox, client } = inProcessServer(gate);
    const events: string[] = [];
    client.onNotification('textDocument/publishDiagnostics', () => events.push('diagnostics'));
    client.listen();
    // Each resolve, with what the server had written and the client not yet taken.
    const resolves: number[] = [];
    const real = Workspace.prototype.model;
    vi.spyOn(Workspace.prototype, 'model').mockImplementation(function (this: Workspace, ...args) {
      resolves.push(outbox.pending);
      return real.apply(this, args);
    });
    await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
    await client.sendNotification('initialized', {});
    const uri = 'file:///outbox/big.fw';
    const text = Array.from({ length: 20_000 }, (_, i) => `host h${i} 10.0.${(i >> 8) & 255}.${i & 255}`).join('\n') + '\n';
    gate.open = false;
    await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'fw', version: 1, text } });
    const outline = client.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }).then(() => events.push('outline'));
    // The outline (~2 MB) is written, and held at the gate.
    await vi.waitFor(() => expect(outbox.pending).toBeGreaterThan(0), { timeout: 10_000, interval: 2 });
    await turns(50);
    expect(resolves).toEqual([]);
    gate.release();
    await outline;
    await vi.waitFor(() => expect(events).toContain('diagnostics'), { timeout: 10_000 });
    expect(events).toEqual(['outline', 'diagnostics']);
    // The names were resolved (the diagnostics run's step, and its analysis's) once the outline was out.
    expect(resolves.length).toBeGreaterThan(0);
    expect(resolves.every((n) => n === 0)).toBe(true);
    client.dispose();
    toServer.end();
  });
});
