/**
 * A growing output buffer that backend messages are encoded into in place.
 * One writer per connection is reused for its whole life, so encoding a
 * message allocates nothing but the occasional larger buffer.
 * @module
 */

const encoder = new TextEncoder();

/** Builds PostgreSQL messages (type byte, int32 length, body) into one buffer. */
export class MessageWriter {
  #buf: Uint8Array;
  #view: DataView;
  /** The other buffer of `swap`. */
  #spare: Uint8Array | null = null;
  #spareView: DataView | null = null;
  #pos = 0;
  #start = -1;

  constructor(initialBytes = 16 * 1024) {
    this.#buf = new Uint8Array(initialBytes);
    this.#view = new DataView(this.#buf.buffer);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.#pos;
  }

  #ensure(extra: number): void {
    const need = this.#pos + extra;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** Starts a message of type `code` (a character such as "D"); `end()` closes it. */
  begin(code: string): this {
    this.#ensure(5);
    this.#buf[this.#pos] = code.charCodeAt(0);
    this.#start = this.#pos + 1;
    this.#pos += 5;
    return this;
  }

  /** Patches the length of the message started by `begin()`. */
  end(): this {
    this.#view.setInt32(this.#start, this.#pos - this.#start);
    this.#start = -1;
    return this;
  }

  /** Appends one byte. */
  byte(b: number): this {
    this.#ensure(1);
    this.#buf[this.#pos++] = b;
    return this;
  }

  /** Appends a big-endian int16. */
  int16(n: number): this {
    this.#ensure(2);
    this.#view.setInt16(this.#pos, n);
    this.#pos += 2;
    return this;
  }

  /** Appends a big-endian int32. */
  int32(n: number): this {
    this.#ensure(4);
    this.#view.setInt32(this.#pos, n);
    this.#pos += 4;
    return this;
  }

  /** Appends a big-endian int64. */
  int64(n: bigint): this {
    this.#ensure(8);
    this.#view.setBigInt64(this.#pos, n);
    this.#pos += 8;
    return this;
  }

  /** Appends a big-endian float32. */
  float32(n: number): this {
    this.#ensure(4);
    this.#view.setFloat32(this.#pos, n);
    this.#pos += 4;
    return this;
  }

  /** Appends a big-endian float64. */
  float64(n: number): this {
    this.#ensure(8);
    this.#view.setFloat64(this.#pos, n);
    this.#pos += 8;
    return this;
  }

  /** Appends raw bytes. */
  bytes(b: Uint8Array): this {
    this.#ensure(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
    return this;
  }

  /** Appends a string as UTF-8 without terminator; returns the number of bytes written. */
  utf8(s: string): number {
    // ASCII fast path: most identifiers and numbers; avoids encodeInto's overhead.
    const n = s.length;
    if (n < 64) {
      this.#ensure(n);
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 127) break;
        this.#buf[this.#pos + i] = c;
      }
      if (i === n) {
        this.#pos += n;
        return n;
      }
    }
    this.#ensure(n * 3);
    const { written } = encoder.encodeInto(s, this.#buf.subarray(this.#pos));
    this.#pos += written;
    return written;
  }

  /** Appends a NUL-terminated UTF-8 string. */
  cstring(s: string): this {
    this.utf8(s);
    return this.byte(0);
  }

  /** Appends an int32 length followed by the UTF-8 bytes of `s`. */
  lengthPrefixedUtf8(s: string): this {
    this.#ensure(4);
    const at = this.#pos;
    this.#pos += 4;
    const n = this.utf8(s);
    this.#view.setInt32(at, n);
    return this;
  }

  /** Reserves an int32 slot to be filled by `patchInt32`; returns its offset. */
  reserveInt32(): number {
    this.#ensure(4);
    this.#pos += 4;
    return this.#pos - 4;
  }

  /** Writes an int32 at an offset returned by `reserveInt32`. */
  patchInt32(at: number, n: number): void {
    this.#view.setInt32(at, n);
  }

  /** Current write offset. */
  get position(): number {
    return this.#pos;
  }

  /** Drops everything written after `position` (used to undo a half-encoded message). */
  truncate(position: number): void {
    this.#pos = position;
    this.#start = -1;
  }

  /** Returns a copy of the bytes written so far and empties the writer. */
  take(): Uint8Array {
    const out = this.#buf.slice(0, this.#pos);
    this.reset();
    return out;
  }

  /**
   * The bytes written so far, without copying: valid until the next `reset`
   * or write. Follow with `reset` (the bytes were used up) or `detach` (someone
   * keeps the view).
   */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /** Empties the writer, keeping its buffer unless that grew huge. */
  reset(): void {
    this.#pos = 0;
    this.#start = -1;
    // Give memory back after a huge result instead of keeping it per connection.
    if (this.#buf.length > 1024 * 1024) this.detach();
  }

  /** Empties the writer onto a new buffer, leaving the old one to a holder of its `view`. */
  detach(): void {
    this.#pos = 0;
    this.#start = -1;
    this.#buf = new Uint8Array(16 * 1024);
    this.#view = new DataView(this.#buf.buffer);
  }

  /**
   * Empties the writer onto its second buffer, leaving the current one to a
   * holder of its `view` until the next `swap`: two buffers used in turn, for
   * a caller that finishes with one view before asking for the next.
   */
  swap(): void {
    const spare = this.#spare;
    const spareView = this.#spareView;
    // A buffer that grew huge is not kept (as in `reset`).
    const keep = this.#buf.length <= 1024 * 1024;
    this.#spare = keep ? this.#buf : null;
    this.#spareView = keep ? this.#view : null;
    this.#pos = 0;
    this.#start = -1;
    if (spare !== null && spareView !== null) {
      this.#buf = spare;
      this.#view = spareView;
    } else {
      this.#buf = new Uint8Array(16 * 1024);
      this.#view = new DataView(this.#buf.buffer);
    }
  }
}
