/**
 * One connection of the native transport: a non-blocking socket read and
 * written with plain `recv`/`send` calls from the event-loop thread. A send
 * that the kernel does not take completely keeps the rest and waits for
 * EPOLLOUT, and the connection is not read meanwhile (back-pressure). A
 * loop that gathers replies (see `StreamListenOptions.gatherReplies`) has
 * small sends made while it serves a turn's events copied aside and sent
 * together after them.
 * @module
 */
import { log } from "../../common/log.ts";
import { errno, type LibcNet, sizeArg, sys } from "./libc_net.ts";
import type { ByteChannel, ConnectionHandler } from "./transport.ts";

/** Reads per readiness report, so one busy client cannot hold the loop. */
const readsPerTurn = 4;
/** Reads of unread input before a close (see `discardInput`). */
const discardReadsMax = 16;
const discard = new Uint8Array(16 * 1024);
/** What `#write` returns when nothing is left (no empty view per send). */
const allWritten = new Uint8Array(0);
/** Bytes of replies a channel gathers in one loop turn; larger ones are sent at once. */
const gatherBytesMax = 16 * 1024;

/** What a channel needs from its loop. */
export interface ChannelOwner {
  readonly c: LibcNet;
  readonly label: string;
  /** Sets the channel's epoll interest (EPOLLIN or EPOLLOUT). */
  watch(channel: NativeChannel, events: number): void;
  /** Forgets a closed channel. */
  forget(channel: NativeChannel): void;
  /** Counts connections that work (see `ByteChannel.setWorking`). */
  working(delta: 1 | -1): void;
  /** True while the loop serves a turn's events and gathers the replies made meanwhile. */
  readonly gathering: boolean;
  /** Notes a channel that gathered replies, to be sent by `sendGathered` after the turn. */
  gathered(channel: NativeChannel): void;
}

/** A connection's socket. */
export class NativeChannel implements ByteChannel {
  handler: ConnectionHandler | null = null;
  writing = false;
  closed = false;
  #pending: Uint8Array | null = null;
  #paused = false;
  #working = false;
  /** Replies gathered in this loop turn (`#gatheredBytes` of them), allocated on first use. */
  #gather: Uint8Array | null = null;
  #gatheredBytes = 0;

  constructor(readonly owner: ChannelOwner, readonly id: number, readonly fd: number) {}

  /** The rest of an unfinished send (replies gathered in this turn leave before the turn ends). */
  get unsent(): number {
    return this.#pending === null ? 0 : this.#pending.length;
  }

  send(chunk: Uint8Array, length = chunk.length): void {
    if (this.closed) return;
    const at = this.#gatheredBytes;
    if (this.owner.gathering && !this.writing && length <= gatherBytesMax - at) {
      const gather = this.#gather ??= new Uint8Array(gatherBytesMax);
      gather.set(length === chunk.length ? chunk : chunk.subarray(0, length), at);
      this.#gatheredBytes = at + length;
      if (at === 0) this.owner.gathered(this);
      return;
    }
    if (at > 0) this.sendGathered();
    if (this.writing) {
      // Gathered replies the socket did not take: this one goes after them.
      const pending = this.#pending ?? new Uint8Array(0);
      const both = new Uint8Array(pending.length + length);
      both.set(pending);
      both.set(length === chunk.length ? chunk : chunk.subarray(0, length), pending.length);
      this.#pending = both;
      return;
    }
    this.#sendNow(chunk, length);
  }

  /** Sends the replies gathered in this loop turn. */
  sendGathered(): void {
    const n = this.#gatheredBytes;
    if (n === 0) return;
    this.#gatheredBytes = 0;
    // The gather buffer is reused next turn: a rest the socket did not take is copied.
    if (!this.closed) this.#sendNow(this.#gather!, n, true);
  }

  /** Writes `chunk`; what the socket does not take waits for EPOLLOUT. */
  #sendNow(chunk: Uint8Array, length: number, copyRest = false): void {
    const rest = this.#write(chunk, length);
    if (rest === null || rest.length === 0) return;
    this.#pending = copyRest ? rest.slice() : rest;
    this.writing = true;
    this.owner.watch(this, sys.EPOLLOUT);
  }

  /**
   * Writes what the kernel takes of chunk[0, length); returns the unwritten
   * rest, or null after a failure.
   */
  #write(chunk: Uint8Array, length: number): Uint8Array | null {
    const c = this.owner.c;
    let off = 0;
    while (off < length) {
      const view = off === 0 ? chunk : chunk.subarray(off, length);
      const r = c.send(this.fd, view, sizeArg(length - off), sys.MSG_NOSIGNAL);
      if (r >= 0) {
        off += r;
        continue;
      }
      const e = errno(c);
      if (e === sys.EINTR) continue;
      if (e === sys.EAGAIN) break;
      // The peer is gone (EPIPE, ECONNRESET): end the connection after this call returns.
      queueMicrotask(() => this.fail());
      return null;
    }
    return off === length ? allWritten : chunk.subarray(off, length);
  }

  /** The socket became writable: continues the unfinished send. */
  writable(): void {
    const pending = this.#pending;
    if (pending === null || this.closed) return;
    const rest = this.#write(pending, pending.length);
    if (rest === null) return;
    if (rest.length > 0) {
      this.#pending = rest;
      return;
    }
    this.#pending = null;
    this.writing = false;
    this.owner.watch(this, this.#readEvents());
    this.handler?.drained();
  }

  pauseReading(paused: boolean): void {
    if (this.#paused === paused || this.closed) return;
    this.#paused = paused;
    if (!this.writing) this.owner.watch(this, this.#readEvents());
  }

  setWorking(working: boolean): void {
    if (this.#working === working || this.closed) return;
    this.#working = working;
    this.owner.working(working ? 1 : -1);
  }

  /** The epoll interest while no send is unfinished. */
  #readEvents(): number {
    return this.#paused ? 0 : sys.EPOLLIN | sys.EPOLLRDHUP;
  }

  /** The socket is readable (or hung up): reads and hands the bytes over. */
  readable(): void {
    const c = this.owner.c;
    const handler = this.handler;
    if (handler === null) return;
    for (let i = 0; i < readsPerTurn && !this.closed && !this.writing && !this.#paused; i++) {
      const buf = handler.readInto();
      const r = c.recv(this.fd, buf, sizeArg(buf.length), 0);
      if (r > 0) {
        handler.received(r);
        if (r < buf.length) return;
        continue;
      }
      if (r === 0) return this.fail();
      const e = errno(c);
      if (e === sys.EINTR) continue;
      if (e !== sys.EAGAIN) {
        log.debug(`${this.owner.label} read failed`, { errno: e });
        this.fail();
      }
      return;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#pending = null;
    this.#gatheredBytes = 0;
    this.writing = false;
    if (this.#working) this.owner.working(-1);
    this.#working = false;
    this.owner.forget(this);
    this.#discardInput();
    // close() also removes the descriptor from the epoll set.
    this.owner.c.close(this.fd);
  }

  /**
   * Reads and drops input that arrived but was never read: closing a socket
   * with unread input makes the kernel reset the connection, and the peer
   * may then lose the last replies (an error before the close, QUIT's OK).
   */
  #discardInput(): void {
    const c = this.owner.c;
    for (let i = 0; i < discardReadsMax; i++) {
      if (c.recv(this.fd, discard, sizeArg(discard.length), 0) <= 0) return;
    }
  }

  /** Closes after a disconnect or error and tells the handler. */
  fail(): void {
    if (this.closed) return;
    this.close();
    this.handler?.ended();
  }
}
