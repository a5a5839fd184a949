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
import type {
  ClientBuffers,
  ClientTransport,
  KvSession,
  KvStore,
  OutputBufferLimits,
} from "../../engine/kv_session.ts";
import { log } from "../../common/log.ts";
import type { ByteChannel, ConnectionHandler } from "../net/mod.ts";
import { outputCheckBytes } from "../../kv/client_limits.ts";
import { evictClients } from "../../kv/client_evict.ts";
import { parseArgv, RespProtocolError } from "./resp_parser.ts";
import { RespWriter } from "./resp_writer.ts";

/** The query buffer a client starts with, and the least it shrinks to while in use (Redis's 16 KiB). */
const readBufferBytes = 16 * 1024;
/** Free space below which the buffer is compacted or grown before the next read. */
const readSpaceMin = 4 * 1024;
/** A query buffer above this is given back at once when emptied; smaller ones are left to `cron`. */
const readBufferKeepMax = 8 * 1024 * 1024;
/** Query buffers above this shrink in `cron` when their recent peak is under half of them. */
const readBufferResizeMin = 32 * 1024;
/** An idle client (no command for this long) with an empty query buffer gives it back. */
const idleFreeMs = 2000;
/**
 * The period over which a query buffer's peak is taken before it may shrink
 * to it (Redis takes it per cron visit of the client): a big request's
 * buffer is kept at least this long.
 */
const peakPeriodMs = 350;
const noBuffer = new Uint8Array(0);

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
  /** Pending output passed a limit while commands ran: the replies are dropped, the client closed. */
  #overLimit = false;
  /** When pending output passed the soft limit of the client's class (0: it is under). */
  #softSinceMs = 0;
  /** The output limits `#checkAbove` comes from (CONFIG SET replaces the object). */
  #outputLimits: OutputBufferLimits | null = null;
  /** Pending output up to this size is under every limit: no closer check. */
  #checkAbove = Infinity;
  /** The largest pending input in this peak period (Redis's querybuf_peak). */
  #qbufPeak = 0;
  /** When the peak period began. */
  #peakSinceMs = 0;
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
    this.#account();
  }

  setProtocol(resp: 2 | 3): void {
    this.writer.resp = resp;
  }

  closeAfterReply(): void {
    this.#closing = true;
  }

  flushSoon(): void {
    if (this.#outputOverLimit()) {
      if (!this.#processing) return this.#dropOutput();
      this.#overLimit = this.#closing = true;
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

  buffers(): ClientBuffers {
    const unsent = this.channel.unsent ?? 0;
    const obl = this.writer.length;
    return {
      qbuf: this.#end - this.#start,
      qbufFree: this.#buf.length - this.#end,
      obl,
      oll: unsent > 0 ? 1 : 0,
      omem: obl + unsent,
    };
  }

  cron(nowMs: number, idleMs: number): void {
    if (this.#closed) return;
    if (this.#softSinceMs !== 0 || this.writer.length + (this.channel.unsent ?? 0) > 0) {
      if (this.#outputOverLimit()) return this.#dropOutput();
    }
    this.#resizeQueryBuffer(nowMs, idleMs);
    this.#account();
  }

  readInto(): Uint8Array {
    const need = this.#hint.need;
    if (need > this.#buf.length - this.#start) this.#reserve(need);
    // A buffer sized for the partial request it holds is not grown for its last few bytes.
    const sized = need > 0 && this.#end < this.#start + need;
    if (this.#buf.length - this.#end < readSpaceMin && !sized) this.#makeRoom();
    // An empty buffer (the usual case between requests) is read into whole: no view to create.
    return this.#end === 0 ? this.#buf : this.#buf.subarray(this.#end);
  }

  received(n: number): void {
    this.#end += n;
    const pending = this.#end - this.#start;
    if (pending > this.#qbufPeak) this.#qbufPeak = pending;
    const limit = this.store.config.clientQueryBufferLimit;
    if (pending > limit) {
      log.warn("Closing client that reached max query buffer length", {
        client: this.#session?.client.addr ?? "",
        bytes: pending,
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
    if (this.#closed) return;
    if (!this.channel.writing) {
      const n = this.writer.length;
      if (n > 0) this.channel.send(this.writer.takeBuffer(), n);
      if (this.#closing && !this.channel.writing && this.writer.length === 0) return this.#close();
    }
    this.#account();
  }

  /**
   * Brings this client's share of the engine's client memory up to date: its
   * query buffer and pending replies (counted in used_memory for maxmemory).
   */
  #account(): void {
    const client = this.#session?.client;
    if (client === undefined || client.closed) return;
    const bytes = this.#buf.length + this.writer.length + (this.channel.unsent ?? 0);
    const delta = bytes - client.memory;
    if (delta === 0) return;
    client.memory = bytes;
    const engine = this.store.engine;
    engine.clientsMemory += delta;
    if (delta > 0 && engine.config.maxmemoryClients.value !== 0) evictClients(engine);
  }

  /**
   * Whether the pending output passed the hard limit of the client's class
   * (pubsub while subscribed, normal otherwise), or stayed over the soft
   * limit longer than its seconds, as Redis's client-output-buffer-limit.
   */
  #outputOverLimit(): boolean {
    const limits = this.store.config.clientOutputBufferLimit;
    if (limits !== this.#outputLimits) {
      this.#outputLimits = limits;
      this.#checkAbove = outputCheckBytes(limits);
    }
    const used = this.writer.length + (this.channel.unsent ?? 0);
    if (used <= this.#checkAbove) {
      this.#softSinceMs = 0;
      return false;
    }
    const client = this.#session?.client;
    const l = client !== undefined && client.subscriptionCount > 0 ? limits.pubsub : limits.normal;
    if (l.hard > 0 && used >= l.hard) return true;
    if (l.soft === 0 || used < l.soft) {
      this.#softSinceMs = 0;
      return false;
    }
    const now = Date.now();
    if (this.#softSinceMs === 0) this.#softSinceMs = now;
    return now - this.#softSinceMs > l.softSeconds * 1000;
  }

  /** Closes a client over its output limit without sending what is pending, as Redis. */
  #dropOutput(): void {
    if (this.#closed) return;
    const client = this.#session?.client;
    log.warn("Client closed for overcoming of output buffer limits", {
      id: client?.id ?? 0,
      addr: client?.addr ?? "",
      name: client?.name ?? "",
      bytes: this.writer.length + (this.channel.unsent ?? 0),
    });
    this.writer.discard();
    this.shutdown();
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
    if (this.channel.writing) return this.#account();
    const wait = this.#drain(session);
    if (this.#overLimit) return this.#dropOutput();
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
   * Replies past the output limit stop it (`#overLimit`).
   */
  #drain(session: KvSession): Promise<void> | undefined {
    const limits = this.#limits;
    limits.protoMaxBulkLen = this.store.config.protoMaxBulkLen;
    if (this.store.config.clientOutputBufferLimit !== this.#outputLimits) this.#outputOverLimit();
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
        if (this.writer.length > this.#checkAbove && this.#outputOverLimit()) {
          this.#overLimit = this.#closing = true;
          return undefined;
        }
        if (wait !== undefined) return wait;
      }
    } finally {
      this.#processing = false;
      session.commit();
    }
    // Room for a partial request of known size now, as Redis sizes a big argument's buffer once
    // its header is read: the client's memory shows it before the rest arrives.
    if (this.#hint.need > this.#buf.length - this.#start) this.#reserve(this.#hint.need);
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
      // Give back a buffer grown for one huge request; smaller ones shrink in `cron`.
      if (this.#buf.length > readBufferKeepMax) this.#buf = new Uint8Array(readBufferBytes);
    }
    return undefined;
  }

  /**
   * Shrinks the query buffer as Redis's client cron does: to nothing once
   * the client is idle with nothing pending, or down to its recent peak when
   * that is under half of it.
   */
  #resizeQueryBuffer(nowMs: number, idleMs: number): void {
    const pending = this.#end - this.#start;
    const size = this.#buf.length;
    if (size - pending <= readSpaceMin || this.#busy) return;
    if (idleMs > idleFreeMs && pending === 0) {
      this.#buf = noBuffer;
      this.#start = this.#end = 0;
      return;
    }
    if (nowMs - this.#peakSinceMs < peakPeriodMs) return;
    if (size > readBufferResizeMin && size / 2 > this.#qbufPeak) {
      const target = Math.max(pending, this.#qbufPeak, this.#hint.need, readBufferBytes);
      if (target < size) this.#moveTo(new Uint8Array(target));
    }
    this.#qbufPeak = pending;
    this.#peakSinceMs = nowMs;
  }

  /** Moves the pending bytes to the front of `next`, which becomes the buffer. */
  #moveTo(next: Uint8Array<ArrayBuffer>): void {
    const pending = this.#end - this.#start;
    next.set(this.#buf.subarray(this.#start, this.#end));
    this.#buf = next;
    this.#start = 0;
    this.#end = pending;
  }

  /** Moves the pending bytes to the front of a buffer of at least `bytes`. */
  #reserve(bytes: number): void {
    this.#moveTo(new Uint8Array(Math.max(bytes, this.#buf.length)));
  }

  /** Compacts or grows the read buffer when it is (nearly) full. */
  #makeRoom(): void {
    const pending = this.#end - this.#start;
    if (this.#start > 0 && pending < this.#buf.length / 2) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#start = 0;
      this.#end = pending;
    } else {
      this.#moveTo(new Uint8Array(Math.max(readBufferBytes, this.#buf.length * 2)));
    }
  }
}
