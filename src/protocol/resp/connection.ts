/**
 * One RESP client connection: reads into a large reused buffer, parses every
 * complete request in it, runs each through the engine session, and writes
 * all replies of the batch in one write. Blocking commands pause parsing of
 * this connection only.
 * @module
 */
import type { ClientTransport, KvSession, KvStore } from "../../engine/kv_session.ts";
import { log } from "../../common/log.ts";
import { parseRequest, RespProtocolError } from "./resp_parser.ts";
import { RespWriter } from "./resp_writer.ts";

const readBufferBytes = 64 * 1024;
/**
 * Replies queued for a client that is not reading them (a slow pub/sub
 * subscriber) past this size close its connection, as Redis's
 * client-output-buffer-limit for pubsub clients does.
 */
export const pushBacklogBytesMax = 32 * 1024 * 1024;

/** True for the errors a peer's disconnect produces. */
function isDisconnect(e: unknown): boolean {
  return e instanceof Deno.errors.BadResource || e instanceof Deno.errors.ConnectionReset ||
    e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.NotConnected ||
    e instanceof Deno.errors.Interrupted || e instanceof Deno.errors.ConnectionAborted;
}

/** Logs a failed background write unless the peer just went away (the read loop cleans up). */
function reportWriteFailure(e: unknown): void {
  if (!isDisconnect(e)) log.warn("RESP write failed", { error: String(e) });
}

/** A client connection. */
export class RespConnection implements ClientTransport {
  readonly writer = new RespWriter();
  #session: KvSession | null = null;
  #buf = new Uint8Array(readBufferBytes);
  #start = 0;
  #end = 0;
  #closing = false;
  #closed = false;
  #processing = false;
  #flushing: Promise<void> | null = null;
  /** A read started while blocked, into `#side`, not yet consumed. */
  #sideRead: Promise<number | null> | null = null;
  #side = new Uint8Array(16 * 1024);
  /** Known minimum size of the partial request at `#start` (0 when unknown). */
  readonly #hint = { need: 0 };

  constructor(readonly conn: Deno.Conn, readonly store: KvStore) {}

  setProtocol(resp: 2 | 3): void {
    this.writer.resp = resp;
  }

  closeAfterReply(): void {
    this.#closing = true;
  }

  flushSoon(): void {
    if (this.writer.length > pushBacklogBytesMax) {
      log.warn("RESP client closed: output backlog limit reached", {
        bytes: this.writer.length,
        limit: pushBacklogBytesMax,
      });
      this.shutdown();
      return;
    }
    if (!this.#processing) this.#flushQuietly();
  }

  #flushQuietly(): void {
    if (this.#flushing === null && !this.#closing && !this.#closed) {
      // Common case: no write in flight, so start one without the queueing of `flush`.
      if (this.writer.length > 0) this.#startWrite(this.writer.take());
      return;
    }
    this.flush().catch(reportWriteFailure);
  }

  /** Starts writing `chunk` (a `take()` view) as the one write in flight. */
  #startWrite(chunk: Uint8Array): void {
    const done = this.conn.write(chunk).then((n) =>
      n < chunk.length ? this.#writeAll(chunk.subarray(n)) : undefined
    );
    this.#flushing = done;
    done.then(() => {
      if (this.#flushing === done) this.#flushing = null;
    }, (e) => {
      if (this.#flushing === done) this.#flushing = null;
      reportWriteFailure(e);
    });
  }

  /** Writes pending replies; closes the socket afterwards when closing. */
  async flush(): Promise<void> {
    while (this.#flushing !== null) await this.#flushing;
    if (this.writer.length > 0 && !this.#closed) {
      const chunk = this.writer.take();
      this.#flushing = this.#writeAll(chunk);
      try {
        await this.#flushing;
      } finally {
        this.#flushing = null;
      }
    }
    if (this.#closing && this.writer.length === 0) this.#close();
  }

  async #writeAll(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.length) off += await this.conn.write(chunk.subarray(off));
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#session?.close();
    try {
      this.conn.close();
    } catch (e) {
      // Already closed by the peer or by server shutdown: nothing left to release.
      if (!(e instanceof Deno.errors.BadResource)) throw e;
    }
  }

  /** Closes the connection now (server shutdown). */
  shutdown(): void {
    this.#closing = true;
    this.#close();
  }

  /** Serves the connection until the peer closes it or it is killed. */
  async run(addr: string, laddr: string): Promise<void> {
    const session = this.store.openSession(this.writer, this, addr, laddr);
    if (session === null) {
      this.writer.error("ERR max number of clients reached");
      this.#closing = true;
      await this.flush().catch(() => {});
      return;
    }
    this.#session = session;
    try {
      await this.#loop(session);
    } catch (e) {
      if (!isDisconnect(e)) log.warn("RESP connection failed", { error: String(e), addr });
    } finally {
      this.#close();
    }
  }

  async #loop(session: KvSession): Promise<void> {
    while (!this.#closed) {
      const n = await this.#read();
      if (n === null) return;
      const limit = this.store.config.clientQueryBufferLimit;
      if (this.#end - this.#start > limit) {
        log.warn("RESP client closed: query buffer limit reached", {
          bytes: this.#end - this.#start,
          limit,
        });
        return;
      }
      // At most one write in flight: a client that stops reading stops being served.
      if (this.#flushing !== null) await this.#flushing;
      const wait = this.#drain(session);
      if (wait !== undefined) await this.#serveBlocked(session, wait);
      if (this.#closed) return;
      const durable = session.durable();
      if (durable !== undefined) await durable;
      if (this.#closing) return await this.flush();
      // The write runs while the next read is pending; replies stay in order
      // because every flush waits for the previous one.
      this.#flushQuietly();
    }
  }

  /**
   * Runs every complete request in the buffer, synchronously. Returns the
   * promise of a command that blocked (the rest of the buffer waits for it).
   */
  #drain(session: KvSession): Promise<void> | undefined {
    const limits = { protoMaxBulkLen: this.store.config.protoMaxBulkLen, authenticated: true };
    this.#processing = true;
    try {
      while (!this.#closing) {
        limits.authenticated = session.client.authenticated;
        let parsed;
        try {
          this.#hint.need = 0;
          parsed = parseRequest(this.#buf, this.#start, this.#end, limits, this.#hint);
        } catch (e) {
          if (!(e instanceof RespProtocolError)) throw e;
          this.writer.error(`ERR ${e.message}`);
          this.#closing = true;
          return undefined;
        }
        if (parsed === null) break;
        this.#start = parsed.next;
        if (parsed.argv.length === 0) continue;
        const wait = session.execute(parsed.argv);
        if (wait !== undefined) return wait;
      }
    } finally {
      this.#processing = false;
      session.commit();
    }
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
      // Give back a buffer grown for one huge request.
      if (this.#buf.length > 16 * readBufferBytes && this.#sideRead === null) {
        this.#buf = new Uint8Array(readBufferBytes);
      }
    }
    return undefined;
  }

  /** Waits out a blocked command (sending the replies before it), then drains the rest. */
  async #serveBlocked(session: KvSession, first: Promise<void>): Promise<void> {
    let wait: Promise<void> | undefined = first;
    while (wait !== undefined) {
      await this.flush();
      if (!(await this.#waitWatchingPeer(wait))) return;
      wait = this.#drain(session);
    }
  }

  /** Reads more input into the buffer (or takes what a read during a block got); null at EOF. */
  async #read(): Promise<number | null> {
    if (this.#sideRead !== null) {
      const n = await this.#sideRead;
      this.#sideRead = null;
      if (n !== null) this.#append(this.#side.subarray(0, n));
      return n;
    }
    if (this.#hint.need > this.#buf.length - this.#start) this.#reserve(this.#hint.need);
    if (this.#end === this.#buf.length) this.#makeRoom();
    const n = await this.conn.read(this.#buf.subarray(this.#end));
    if (n !== null) this.#end += n;
    return n;
  }

  #append(bytes: Uint8Array): void {
    while (this.#buf.length - this.#end < bytes.length) this.#makeRoom();
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /**
   * Waits for a blocking command while still reading, so a client that
   * disconnects while blocked is unblocked (and never handed an element)
   * and pipelined commands after it queue up. Returns false when the peer left.
   */
  async #waitWatchingPeer(wait: Promise<void>): Promise<boolean> {
    let woke = false;
    const woken = wait.then(() => {
      woke = true;
      return -1 as const;
    });
    while (!woke) {
      if (this.#sideRead === null) {
        this.#sideRead = this.conn.read(this.#side);
        // Marks the promise handled: it may still be pending when the
        // connection closes, and the main loop awaits it otherwise.
        this.#sideRead.catch(() => {});
      }
      const r = await Promise.race([woken, this.#sideRead]);
      if (r === -1) break;
      this.#sideRead = null;
      if (r === null) {
        this.#close();
        return false;
      }
      this.#append(this.#side.subarray(0, r));
    }
    return !this.#closed;
  }

  /** Moves the pending bytes to the front of a buffer of at least `bytes`. */
  #reserve(bytes: number): void {
    const pending = this.#end - this.#start;
    const next = new Uint8Array(Math.max(bytes, this.#buf.length));
    next.set(this.#buf.subarray(this.#start, this.#end));
    this.#buf = next;
    this.#start = 0;
    this.#end = pending;
  }

  /** Compacts or grows the read buffer when it is full. */
  #makeRoom(): void {
    const pending = this.#end - this.#start;
    if (this.#start > 0 && pending < this.#buf.length / 2) {
      this.#buf.copyWithin(0, this.#start, this.#end);
    } else {
      const next = new Uint8Array(this.#buf.length * 2);
      next.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = next;
    }
    this.#start = 0;
    this.#end = pending;
  }
}
