/**
 * The connection's input side: one growing buffer that socket reads append
 * to, with messages framed and decoded in place. Folder-private.
 * @module
 */
import { MessageReader, ProtocolViolation } from "./message_reader.ts";

/** The byte stream a connection runs over: a `Deno.Conn`, or a TLS stream over one. */
export interface PgTransport {
  /** Reads into `p`; null at end of stream. */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes some of `p`; returns how many bytes were written. */
  write(p: Uint8Array): Promise<number>;
  /** Closes the stream. */
  close(): void;
  /**
   * Optional synchronous send (a transport writing from the event-loop
   * thread): takes all of `p` at once, keeping a view of what the socket did
   * not take, so `p` must stay untouched until the returned promise settles.
   * Only called when no earlier write is unfinished.
   * @returns undefined when every byte was written, else a promise of the rest
   */
  send?(p: Uint8Array): Promise<void> | undefined;
  /**
   * Optional push-style read (a transport reading on the event-loop thread):
   * reads into `p` at once when bytes are already there, else keeps `p` and
   * later calls `then` with the count, synchronously from its own loop. No
   * promise per read. At most one such read is pending at a time.
   * @returns the count read now (null at end of stream), or undefined when `then` will be called
   */
  readNow?(p: Uint8Array, then: (n: number | null) => void): number | null | undefined;
}

/** Largest startup-phase packet, as PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const startupPacketBytesMax = 10_000;

/** Frames messages from a transport into a reusable reader. */
export class InputBuffer {
  transport: PgTransport;
  readonly reader: MessageReader;
  #buf = new Uint8Array(16 * 1024);
  #start = 0;
  #end = 0;
  readonly #messageBytesMax: number;

  constructor(transport: PgTransport, messageBytesMax: number) {
    this.transport = transport;
    this.#messageBytesMax = messageBytesMax;
    this.reader = new MessageReader(this.#buf, 0, 0);
  }

  /** Bytes received and not yet consumed. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  #int32(at: number): number {
    const b = this.#buf;
    return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) | 0;
  }

  /**
   * Makes room for the rest of the message being framed (or the next one)
   * and returns the free space a read goes into; pass the count read to
   * `added`. The buffer is not moved before then.
   */
  readView(): Uint8Array {
    const avail = this.#end - this.#start;
    return this.#room(avail >= 5 ? this.#int32(this.#start + 1) + 1 : 5);
  }

  /**
   * Counts `n` bytes read into the last `readView` (or `#room`) view.
   * @returns false at end of stream (`n` null or 0)
   * @throws {ProtocolViolation} 08P01 when the stream ends inside a message
   */
  added(n: number | null): boolean {
    if (n !== null && n > 0) {
      this.#end += n;
      return true;
    }
    if (this.#end > this.#start) throw new ProtocolViolation("Connection closed mid-message");
    return false;
  }

  /** Makes room for `need` bytes; returns the free space. */
  #room(need: number): Uint8Array {
    if (this.#start > 0) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (need > this.#buf.length && this.#end === this.#buf.length) {
      // Grow by doubling as bytes arrive, never straight to a declared length:
      // a client claiming a 1 GiB message must send it before we hold 1 GiB.
      const next = new Uint8Array(Math.min(Math.max(need, 16 * 1024), this.#buf.length * 2));
      next.set(this.#buf.subarray(0, this.#end));
      this.#buf = next;
    } else if (this.#buf.length > 1024 * 1024 && this.#end < 16 * 1024 && need < 16 * 1024) {
      // Shrink back after one huge message so idle connections stay small.
      const next = new Uint8Array(16 * 1024);
      next.set(this.#buf.subarray(0, this.#end));
      this.#buf = next;
    }
    return this.#buf.subarray(this.#end);
  }

  /**
   * Frames the next typed message if it is already wholly buffered, without
   * reading from the socket; the reader then covers its body.
   * @returns the type byte, or undefined when more bytes must be read first
   * @throws {ProtocolViolation} 08P01 for a bad or oversized length
   */
  take(): number | undefined {
    const avail = this.#end - this.#start;
    if (avail < 5) return undefined;
    const len = this.#int32(this.#start + 1);
    if (len < 4) throw new ProtocolViolation(`Invalid message length ${len}`);
    if (len > this.#messageBytesMax) {
      throw new ProtocolViolation(
        `Message of ${len} bytes exceeds the limit of ${this.#messageBytesMax}`,
      );
    }
    if (avail < len + 1) return undefined;
    const type = this.#buf[this.#start]!;
    this.reader.reset(this.#buf, this.#start + 5, this.#start + 1 + len);
    this.#start += len + 1;
    return type;
  }

  /**
   * Reads the next typed message; the reader then covers its body.
   * @returns the type byte, or null at end of stream
   * @throws {ProtocolViolation} 08P01 for a bad or oversized length
   */
  async next(): Promise<number | null> {
    for (;;) {
      const type = this.take();
      if (type !== undefined) return type;
      if (!this.added(await this.transport.read(this.readView()))) return null;
    }
  }

  /**
   * Reads the next untyped startup-phase packet; the reader covers its body.
   * @returns false at end of stream
   */
  async nextStartup(): Promise<boolean> {
    for (;;) {
      const avail = this.#end - this.#start;
      let need = 4;
      if (avail >= 4) {
        const len = this.#int32(this.#start);
        if (len < 8 || len > startupPacketBytesMax) {
          throw new ProtocolViolation(`Invalid startup packet length ${len}`);
        }
        if (avail >= len) {
          this.reader.reset(this.#buf, this.#start + 4, this.#start + len);
          this.#start += len;
          return true;
        }
        need = len;
      }
      const n = await this.transport.read(this.#room(need));
      if (n === null || n === 0) {
        if (this.#end > this.#start) throw new ProtocolViolation("Incomplete startup packet");
        return false;
      }
      this.#end += n;
    }
  }
}
