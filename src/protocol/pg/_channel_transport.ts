/**
 * A `PgTransport` over a `ByteChannel` of the socket transports in
 * `protocol/net` (the native epoll loop). The channel pushes bytes in; a
 * pending read gets them straight into its buffer, others wait in a staging
 * buffer (reading pauses while that holds a backlog). A read can also be
 * push-style (`readNow`): the bytes are then handed over by a plain call from
 * the channel's loop, with no promise. Sends are synchronous: `send` returns
 * a promise only when the socket did not take every byte. The channel is told
 * when the connection waits for input and when it works (see
 * `ByteChannel.setWorking`). Folder-private.
 * @module
 */
import type { ByteChannel, ConnectionHandler } from "../net/mod.ts";
import type { PgTransport } from "./_input.ts";

/** Staged input above which the channel stops reading until the connection catches up. */
const stagedBytesMax = 256 * 1024;
const stagingBytes = 16 * 1024;

interface PendingRead {
  readonly into: Uint8Array;
  readonly resolve: (n: number | null) => void;
}

/** Both sides of one connection over a channel. */
export class ChannelTransport implements PgTransport, ConnectionHandler {
  readonly #channel: ByteChannel;
  #staged = new Uint8Array(stagingBytes);
  #start = 0;
  #end = 0;
  #read: PendingRead | null = null;
  /** The last `readInto` handed out the pending read's buffer. */
  #direct = false;
  #drained: (() => void)[] = [];
  #ended = false;
  #paused = false;
  /** Called on server shutdown; the connection closes itself. */
  onShutdown: () => void = () => this.close();

  constructor(channel: ByteChannel) {
    this.#channel = channel;
  }

  // PgTransport

  read(p: Uint8Array): Promise<number | null> {
    if (this.#end > this.#start) return Promise.resolve(this.#unstage(p));
    if (this.#ended) return Promise.resolve(null);
    if (p.length === 0) return Promise.resolve(0);
    return new Promise((resolve) => this.#await({ into: p, resolve }));
  }

  readNow(p: Uint8Array, then: (n: number | null) => void): number | null | undefined {
    if (this.#end > this.#start) return this.#unstage(p);
    if (this.#ended) return null;
    this.#await({ into: p, resolve: then });
    return undefined;
  }

  /** Parks a read: the connection now waits for input, not for other work. */
  #await(read: PendingRead): void {
    this.#read = read;
    this.#channel.setWorking?.(false);
  }

  /** Hands bytes (or the end) to the parked read. */
  #resolve(read: PendingRead, n: number | null): void {
    this.#read = null;
    this.#channel.setWorking?.(true);
    read.resolve(n);
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#ended) return Promise.reject(new Deno.errors.BrokenPipe("connection closed"));
    if (this.#channel.writing) return this.#whenDrained().then(() => this.write(p));
    const pending = this.send(p);
    return pending === undefined ? Promise.resolve(p.length) : pending.then(() => p.length);
  }

  /**
   * Sends all of `p` now; the channel keeps the view of what the socket did
   * not take, so `p` must stay untouched until the returned promise settles.
   * Call only when no earlier send is pending.
   * @returns undefined when everything was written, else a promise of the rest
   */
  send(p: Uint8Array): Promise<void> | undefined {
    if (this.#ended) return undefined;
    this.#channel.send(p);
    return this.#channel.writing ? this.#whenDrained() : undefined;
  }

  close(): void {
    this.#end = this.#start = 0;
    this.#finish();
    this.#channel.close();
  }

  // ConnectionHandler

  get pendingInput(): number {
    return this.#end - this.#start;
  }

  readInto(): Uint8Array {
    const read = this.#read;
    this.#direct = read !== null && this.#end === this.#start;
    if (this.#direct) return read!.into;
    if (this.#start > 0 && this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#staged.length - this.#end < 4096) this.#makeRoom();
    return this.#staged.subarray(this.#end);
  }

  received(n: number): void {
    const read = this.#read;
    if (this.#direct && read !== null) {
      this.#direct = false;
      this.#resolve(read, n);
      return;
    }
    this.#end += n;
    if (read !== null) this.#resolve(read, this.#unstage(read.into));
    if (!this.#paused && this.#end - this.#start > stagedBytesMax) {
      this.#paused = true;
      this.#channel.pauseReading?.(true);
    }
  }

  drained(): void {
    const waiters = this.#drained;
    if (waiters.length === 0) return;
    this.#drained = [];
    for (const w of waiters) w();
  }

  ended(): void {
    this.#finish();
  }

  shutdown(): void {
    this.onShutdown();
  }

  /** End of stream: pending and later reads return null, pending sends settle. */
  #finish(): void {
    this.#ended = true;
    const read = this.#read;
    if (read !== null) this.#resolve(read, null);
    this.drained();
  }

  #whenDrained(): Promise<void> {
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Moves staged bytes into `p`; resumes reading once the backlog is gone. */
  #unstage(p: Uint8Array): number {
    const k = Math.min(p.length, this.#end - this.#start);
    p.set(this.#staged.subarray(this.#start, this.#start + k));
    this.#start += k;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#paused && this.#end - this.#start <= stagedBytesMax / 2) {
      this.#paused = false;
      this.#channel.pauseReading?.(false);
    }
    return k;
  }

  #makeRoom(): void {
    const used = this.#end - this.#start;
    if (this.#start > 0 && used <= this.#staged.length / 2) {
      this.#staged.copyWithin(0, this.#start, this.#end);
    } else {
      const next = new Uint8Array(this.#staged.length * 2);
      next.set(this.#staged.subarray(this.#start, this.#end));
      this.#staged = next;
    }
    this.#start = 0;
    this.#end = used;
  }
}
