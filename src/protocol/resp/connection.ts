/**
 * One RESP client connection, independent of the socket transport: the
 * transport reads into this connection's buffer and reports the bytes
 * (`received`); the connection parses every complete request, runs each
 * through the engine session synchronously and hands all replies of the batch
 * to the transport in one send. A blocking command (or a durable commit)
 * pauses parsing of this connection only; bytes that arrive meanwhile wait in
 * the buffer, and a peer that leaves while blocked ends the wait.
 * @module
 */
import type { ClientTransport, KvSession, KvStore } from "../../engine/kv_session.ts";
import { log } from "../../common/log.ts";
import type { ByteChannel, ConnectionHandler } from "../net/mod.ts";
import { parseArgv, RespProtocolError } from "./resp_parser.ts";
import { RespWriter } from "./resp_writer.ts";

const readBufferBytes = 64 * 1024;
/** Free space below which the buffer is compacted or grown before the next read. */
const readSpaceMin = 4 * 1024;
/**
 * Replies queued for a client that is not reading them (a slow pub/sub
 * subscriber) past this size close its connection, as Redis's
 * client-output-buffer-limit for pubsub clients does.
 */
export const pushBacklogBytesMax = 32 * 1024 * 1024;

/** A client connection. */
export class RespConnection implements ClientTransport, ConnectionHandler {
  readonly writer = new RespWriter();
  #session: KvSession | null = null;
  #buf = new Uint8Array(readBufferBytes);
  #start = 0;
  #end = 0;
  #closing = false;
  #closed = false;
  #processing = false;
  /** A blocked command or a durable commit is pending: parsing waits for it. */
  #busy = false;
  /**
   * The parser's cursor: the end of the last parsed request, and the known
   * minimum size of the partial request at `#start` (0 when unknown).
   */
  readonly #hint = { next: 0, need: 0 };
  /** The parser's limits, refreshed before each request (kept to avoid an object per read). */
  readonly #limits = { protoMaxBulkLen: 0, authenticated: true };

  constructor(readonly channel: ByteChannel, readonly store: KvStore) {}

  /**
   * Opens the engine session; a client over `maxclients` gets the error reply
   * and is closed once it is written.
   */
  open(addr: string, laddr: string): void {
    const session = this.store.openSession(this.writer, this, addr, laddr);
    if (session === null) {
      this.writer.error("ERR max number of clients reached");
      this.#closing = true;
      this.#flush();
      return;
    }
    this.#session = session;
  }

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
    if (!this.#processing) this.#flush();
  }

  /** True while requests run (a long script serves other connections meanwhile, not this one). */
  get executing(): boolean {
    return this.#processing;
  }

  get pendingInput(): number {
    return this.#end - this.#start;
  }

  readInto(): Uint8Array {
    if (this.#hint.need > this.#buf.length - this.#start) this.#reserve(this.#hint.need);
    if (this.#buf.length - this.#end < readSpaceMin) this.#makeRoom();
    // An empty buffer (the usual case between requests) is read into whole: no view to create.
    return this.#end === 0 ? this.#buf : this.#buf.subarray(this.#end);
  }

  received(n: number): void {
    this.#end += n;
    const limit = this.store.config.clientQueryBufferLimit;
    if (this.#end - this.#start > limit) {
      log.warn("RESP client closed: query buffer limit reached", {
        bytes: this.#end - this.#start,
        limit,
      });
      this.shutdown();
      return;
    }
    this.#pump();
  }

  drained(): void {
    this.#flush();
    this.#pump();
  }

  ended(): void {
    this.#closing = true;
    this.#close();
  }

  /** Closes the connection now (server shutdown, CLIENT KILL, limits). */
  shutdown(): void {
    this.#closing = true;
    this.#close();
  }

  /** Sends the pending replies unless a send is unfinished; closes after the last when closing. */
  #flush(): void {
    if (this.#closed || this.channel.writing) return;
    const n = this.writer.length;
    if (n > 0) this.channel.send(this.writer.takeBuffer(), n);
    if (this.#closing && !this.channel.writing && this.writer.length === 0) this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#session?.close();
    this.channel.close();
  }

  /** Runs what the buffer holds unless a wait or an unfinished send holds this connection. */
  #pump(): void {
    const session = this.#session;
    if (session === null || this.#busy || this.#closed) return;
    if (this.#closing) return this.#flush();
    // A client that does not read its replies stops being served.
    if (this.channel.writing) return;
    const wait = this.#drain(session);
    if (wait !== undefined) return this.#block(wait);
    const durable = session.durable();
    if (durable !== undefined) {
      this.#busy = true;
      durable.then(() => this.#resume(), (e) => this.#failed(e));
      return;
    }
    this.#flush();
  }

  /** A command blocked: sends the replies before it and continues once it is woken. */
  #block(wait: Promise<void>): void {
    this.#busy = true;
    this.#flush();
    wait.then(() => this.#resume(), (e) => this.#failed(e));
  }

  #resume(): void {
    this.#busy = false;
    this.#pump();
  }

  #failed(e: unknown): void {
    log.warn("RESP connection failed", { error: String(e) });
    this.shutdown();
  }

  /**
   * Runs every complete request in the buffer, synchronously. Returns the
   * promise of a command that blocked (the rest of the buffer waits for it).
   */
  #drain(session: KvSession): Promise<void> | undefined {
    const limits = this.#limits;
    limits.protoMaxBulkLen = this.store.config.protoMaxBulkLen;
    this.#processing = true;
    try {
      while (!this.#closing) {
        limits.authenticated = session.client.authenticated;
        let argv;
        try {
          this.#hint.need = 0;
          argv = parseArgv(this.#buf, this.#start, this.#end, limits, this.#hint);
        } catch (e) {
          if (!(e instanceof RespProtocolError)) throw e;
          this.writer.error(`ERR ${e.message}`);
          this.#closing = true;
          return undefined;
        }
        if (argv === null) break;
        this.#start = this.#hint.next;
        if (argv.length === 0) continue;
        const wait = session.execute(argv);
        if (wait !== undefined) return wait;
      }
    } finally {
      this.#processing = false;
      session.commit();
    }
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
      // Give back a buffer grown for one huge request.
      if (this.#buf.length > 16 * readBufferBytes) this.#buf = new Uint8Array(readBufferBytes);
    }
    return undefined;
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

  /** Compacts or grows the read buffer when it is (nearly) full. */
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
