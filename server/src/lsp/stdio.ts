// The server's stdio transport, hardened: JSON-RPC framed by `Content-Length` headers, read so
// that no input stops the server from reading the next message. vscode-jsonrpc's own reader
// stops understanding the stream after one bad header or a wrong Content-Length; this one
//   - answers a body that is not JSON with a ParseError (-32700, id null),
//   - answers a message that is neither a request, a notification nor a response (a request
//     without a method, an array, a number) with InvalidRequest (-32600, its id if it has one),
//   - after a bad header or a body that does not parse, skips to the next `Content-Length:`,
//   - when a Content-Length is too long and its body swallows the next message's header
//     (`\r\n`-framed header bytes cannot occur inside a JSON body), gives up the broken message
//     and reads on from that header.
// The VS Code client talks over Node IPC (structured messages, nothing to frame); this is for
// every other editor, and the protocol tests.

import type { Readable, Writable } from 'node:stream';
import {
  AbstractMessageReader,
  type DataCallback,
  type Disposable,
  ErrorCodes,
  type Message,
  type MessageReader,
} from 'vscode-languageserver/node';
import { type Outbox, streamOutbox } from './outbox';

const HEADER = Buffer.from('Content-Length:', 'ascii');
const HEADER_END = Buffer.from('\r\n\r\n', 'ascii');
/** A Content-Length above this is refused (a runaway client, not a document). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

type Reply = (id: number | string | null, code: number, message: string) => void;

/** True for what JSON-RPC 2.0 lets through: a request, a notification or a response. */
function isMessage(m: unknown): m is Message {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
  const o = m as Record<string, unknown>;
  if (typeof o.method === 'string') return o.id === undefined || typeof o.id === 'number' || typeof o.id === 'string';
  return (typeof o.id === 'number' || typeof o.id === 'string' || o.id === null) && ('result' in o || 'error' in o);
}

function idOf(m: unknown): number | string | null {
  const id = typeof m === 'object' && m !== null ? (m as { id?: unknown }).id : undefined;
  return typeof id === 'number' || typeof id === 'string' ? id : null;
}

/**
 * The header block at the start of `buf` (up to its blank line): the body's length, or why
 * there is none.
 */
function contentLength(header: string): number | string {
  let length: number | undefined;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return `bad header line ${JSON.stringify(line.slice(0, 80))}`;
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const v = line.slice(colon + 1).trim();
    if (!/^\d{1,10}$/.test(v)) return `bad Content-Length ${JSON.stringify(v.slice(0, 40))}`;
    length = Number(v);
  }
  if (length === undefined) return 'no Content-Length header';
  if (length > MAX_MESSAGE_BYTES) return `Content-Length ${length} is more than ${MAX_MESSAGE_BYTES} bytes`;
  return length;
}

export class HardenedMessageReader extends AbstractMessageReader implements MessageReader {
  /** Unread input: `data[pos, end)`; grown by doubling, so a 10 MB message costs no quadratic copying. */
  private data = Buffer.alloc(64 * 1024);
  private pos = 0;
  private end = 0;
  /** Set after an error: bytes are dropped up to the next `Content-Length:`. */
  private resync = false;
  /** How much of the body being awaited was already searched for a swallowed header. */
  private searched = 0;
  private callback: DataCallback | undefined;

  constructor(
    private readonly input: Readable,
    private readonly reply: Reply,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (d: Buffer) => this.onData(d);
    const onClose = () => this.fireClose();
    const onError = (e: Error) => this.fireError(e);
    this.input.on('data', onData);
    this.input.on('close', onClose);
    this.input.on('end', onClose);
    this.input.on('error', onError);
    return {
      dispose: () => {
        this.input.off('data', onData);
        this.input.off('close', onClose);
        this.input.off('end', onClose);
        this.input.off('error', onError);
      },
    };
  }

  private get buffer(): Buffer {
    return this.data.subarray(this.pos, this.end);
  }

  private consume(n: number): void {
    this.pos += n;
    this.searched = 0;
    if (this.pos === this.end) this.pos = this.end = 0;
  }

  private append(d: Buffer): void {
    if (this.end + d.length > this.data.length) {
      // Move the unread part to the front, into a buffer twice as large when it does not fit.
      const len = this.end - this.pos;
      const need = len + d.length;
      const next = need > this.data.length ? Buffer.alloc(Math.max(need, this.data.length * 2)) : this.data;
      this.data.copy(next, 0, this.pos, this.end);
      this.data = next;
      this.pos = 0;
      this.end = len;
    }
    d.copy(this.data, this.end);
    this.end += d.length;
  }

  private onData(data: Buffer): void {
    try {
      this.append(data);
      this.drain();
    } catch (e) {
      // Never let a read end the server: drop what is buffered and look for the next header.
      this.pos = this.end = 0;
      this.searched = 0;
      this.resync = true;
      this.fireError(e);
    }
  }

  /** Drops the bytes before the next `Content-Length:` at or after `from` (without one: all but a tail that may start one). */
  private skipToHeader(from: number): boolean {
    const next = this.buffer.indexOf(HEADER, from);
    if (next >= 0) {
      this.consume(next);
      this.resync = false;
      return true;
    }
    // Keep only a tail that may be the start of a header still arriving.
    const len = this.end - this.pos;
    this.consume(Math.min(len, Math.max(from, len - (HEADER.length - 1))));
    this.resync = true;
    return false;
  }

  private drain(): void {
    for (;;) {
      if (this.resync && !this.skipToHeader(0)) return;
      const buf = this.buffer;
      const end = buf.indexOf(HEADER_END);
      if (end < 0) {
        // No header yet: fine while it is short; a long run without one is junk.
        if (buf.length > 8192) {
          this.reply(null, ErrorCodes.ParseError, 'no message header in the input');
          this.skipToHeader(1);
        }
        return;
      }
      const length = contentLength(buf.subarray(0, end).toString('ascii'));
      if (typeof length === 'string') {
        this.reply(null, ErrorCodes.ParseError, `bad message header: ${length}`);
        this.skipToHeader(1);
        continue;
      }
      const start = end + HEADER_END.length;
      const available = buf.subarray(start, start + length);
      // A header inside the body: the Content-Length was too long and took the next message.
      const swallowed = this.swallowedHeader(available, Math.max(0, this.searched - HEADER.length - 16));
      if (swallowed >= 0) {
        this.reply(null, ErrorCodes.ParseError, 'the Content-Length was longer than the message');
        this.consume(start + swallowed);
        continue;
      }
      this.searched = available.length;
      if (available.length < length) return;
      const body = Buffer.from(available);
      this.consume(start + length);
      this.deliver(body);
    }
  }

  /** Where a framed header starts inside `body` (searched from `from`), or -1. */
  private swallowedHeader(body: Buffer, from: number): number {
    for (let i = body.indexOf(HEADER, from); i >= 0; i = body.indexOf(HEADER, i + 1)) {
      const end = body.indexOf(HEADER_END, i);
      if (end < 0) return -1;
      if (typeof contentLength(body.subarray(i, end).toString('ascii')) === 'number') return i;
    }
    return -1;
  }

  private deliver(body: Buffer): void {
    let message: unknown;
    try {
      message = JSON.parse(body.toString('utf8'));
    } catch (e) {
      this.reply(null, ErrorCodes.ParseError, `the message is not JSON: ${(e as Error).message}`);
      // A Content-Length too short leaves the rest of its body as junk before the next header.
      this.resync = true;
      return;
    }
    if (!isMessage(message)) {
      this.reply(idOf(message), ErrorCodes.InvalidRequest, 'not a JSON-RPC request, notification or response (a request needs a method)');
      return;
    }
    this.callback?.(message);
  }
}

/** The reader and writer of a connection over `input` and `output` (the process's stdin and stdout). */
export function hardenedStdio(input: Readable, output: Writable): { reader: MessageReader; writer: Outbox } {
  const writer = streamOutbox(output);
  const reply: Reply = (id, code, message) => {
    void writer.write({ jsonrpc: '2.0', id, error: { code, message } } as Message).catch(() => undefined);
  };
  return { reader: new HardenedMessageReader(input, reply), writer };
}
