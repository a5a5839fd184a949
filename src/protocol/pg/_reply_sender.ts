/**
 * The output side of one connection: backend messages are encoded into one
 * `MessageWriter`, and this sends its bytes to the transport, keeping at most
 * one write in flight and queueing the rest. Folder-private.
 * @module
 */
import { MessageWriter } from "./message_writer.ts";
import type { PgTransport } from "./_input.ts";

/** Output bytes buffered before a large result is flushed early. */
export const flushBytes = 256 * 1024;

/** Sends a connection's encoded replies. */
export class ReplySender {
  readonly writer = new MessageWriter();
  /** Replaced by a TLS stream after SSLRequest. */
  transport: PgTransport;
  /** The writer holds a ReadyForQuery not yet handed to `flush`. */
  answered = false;
  #writing: Promise<void> = Promise.resolve();
  /** Output `send` took from the writer, to be written one microtask later. */
  #soon: Uint8Array | null = null;
  /** The unwritten part of the write `#writeSoon` started. */
  #inFlight: Uint8Array | null = null;
  /** The length of the write `#writeSoon` started. */
  #inFlightBytes = 0;
  /** Bytes handed to `flush` and not yet written. */
  #unsent = 0;
  #closed = false;
  readonly #onFailure: () => void;

  /** @param onFailure called when a write fails (the client is gone) */
  constructor(transport: PgTransport, onFailure: () => void) {
    this.transport = transport;
    this.#onFailure = onFailure;
  }

  /** Bytes handed over and not yet written. */
  get unsent(): number {
    return this.#unsent;
  }

  /** Settles when every write started so far has finished. */
  get writing(): Promise<void> {
    return this.#writing;
  }

  /** No more writes start (the transport is closed). */
  close(): void {
    this.#closed = true;
  }

  /** Starts a deferred write now and waits for every write (before the connection ends). */
  finish(): Promise<void> {
    if (this.#soon !== null) this.#writeSoon();
    return this.#writing.catch(() => {});
  }

  /** Queues the writer's bytes for sending; resolves when they are written. */
  flush(): Promise<void> {
    if (this.#soon !== null) this.#writeSoon();
    if (this.writer.length === 0) return this.#writing;
    this.answered = false;
    const transport = this.transport;
    if (this.#unsent === 0 && !this.#closed) {
      if (transport.send !== undefined) return this.#sendNow(transport);
      // Nothing in flight: the writer's buffer goes out as it is and the writer
      // continues in its other one (free again, as the last write finished).
      const bytes = this.writer.view();
      this.writer.swap();
      this.#unsent = bytes.length;
      return this.#writing = this.#writeOut(transport, bytes);
    }
    const bytes = this.writer.take();
    this.#unsent += bytes.length;
    this.#writing = this.#writing.then(async () => {
      try {
        if (this.#closed) return;
        let off = 0;
        while (off < bytes.length) off += await transport.write(bytes.subarray(off));
      } finally {
        this.#unsent -= bytes.length;
      }
    });
    return this.#writing;
  }

  /**
   * Writes `bytes` one microtask later: after the connection has asked for its
   * next read and after other connections woken in the same turn have run, so
   * the writes (each wakes a client) leave close together. Measured: writing
   * at once instead raised the involuntary context switches per transaction
   * from about 0.55 to 0.75 and the CPU per transaction by about 10-20%.
   * (`send` does the same for the message loop without allocating.)
   */
  async #writeOut(transport: PgTransport, bytes: Uint8Array): Promise<void> {
    await undefined;
    try {
      if (this.#closed) return;
      let off = await transport.write(bytes);
      while (off < bytes.length) off += await transport.write(bytes.subarray(off));
    } finally {
      this.#unsent -= bytes.length;
    }
  }

  /** Sends the writer's bytes without copying them, through a synchronous transport. */
  #sendNow(transport: PgTransport): Promise<void> {
    const w = this.writer;
    const bytes = w.view();
    const rest = transport.send!(bytes);
    if (rest === undefined) {
      w.reset();
      return this.#writing;
    }
    // The transport keeps the unsent part of the buffer: the writer moves to a new one.
    w.detach();
    this.#unsent += bytes.length;
    this.#writing = rest.finally(() => void (this.#unsent -= bytes.length));
    return this.#writing;
  }

  /**
   * Starts writing the buffered output, without waiting for it. A synchronous
   * transport sends at once. Otherwise, with nothing in flight, the write
   * starts one microtask later (as in `#writeOut`) through bound callbacks:
   * no async frame and no promise beyond the transport's own per reply.
   */
  send(): void {
    const w = this.writer;
    if (w.length === 0) return;
    const transport = this.transport;
    if (transport.send !== undefined && this.#unsent === 0 && !this.#closed) {
      // The common case over the native transport: sent now, no promise.
      this.answered = false;
      this.#sendNow(transport);
      return;
    }
    if (
      this.#unsent !== 0 || this.#closed || transport.send !== undefined || w.length > flushBytes
    ) {
      void this.flush().catch(this.#onFailure);
      return;
    }
    this.answered = false;
    const bytes = w.view();
    w.swap();
    this.#unsent = bytes.length;
    this.#soon = bytes;
    queueMicrotask(this.#writeSoon);
  }

  /** Starts the write `send` deferred (at once when `flush` comes first). */
  readonly #writeSoon = (): void => {
    const bytes = this.#soon;
    if (bytes === null) return;
    this.#soon = null;
    if (this.#closed) {
      this.#unsent -= bytes.length;
      return;
    }
    this.#inFlight = bytes;
    this.#inFlightBytes = bytes.length;
    this.#writing = this.transport.write(bytes).then(this.#wrote, this.#writeFailed);
  };

  /** A write of `#writeSoon` finished: writes the rest of a partial one. */
  readonly #wrote = (n: number): void | Promise<void> => {
    const bytes = this.#inFlight;
    if (bytes === null) return;
    if (n < bytes.length && !this.#closed) {
      this.#inFlight = bytes.subarray(n);
      return this.transport.write(this.#inFlight).then(this.#wrote, this.#writeFailed);
    }
    this.#inFlight = null;
    this.#unsent -= this.#inFlightBytes;
  };

  /** The client is gone (or the socket failed): nothing more is written. */
  readonly #writeFailed = (): void => {
    this.#inFlight = null;
    this.#unsent -= this.#inFlightBytes;
    this.#onFailure();
  };
}
