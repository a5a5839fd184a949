/**
 * Reads fields of one frontend message in place, from the connection's input
 * buffer, without copying the message out first.
 * @module
 */
import { DbError } from "../../common/errors.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Raised for a message whose body does not match its declared layout (08P01). */
export class ProtocolViolation extends DbError {
  constructor(message: string) {
    super("08P01", message);
  }
}

/** Names kept by `MessageReader.name`, and the longest kept. */
const nameCacheMax = 4;
const nameCacheBytesMax = 64;

/** A cursor over `buf[pos, end)`; every read checks bounds and throws `ProtocolViolation`. */
export class MessageReader {
  buf: Uint8Array;
  pos: number;
  end: number;
  #view: DataView;
  /** Names read recently, newest first (see `name`). */
  readonly #names: { readonly bytes: Uint8Array; readonly text: string }[] = [];

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Points the reader at another range, reusing it for the next message. */
  reset(buf: Uint8Array, pos: number, end: number): this {
    if (buf !== this.buf) {
      this.buf = buf;
      this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    this.pos = pos;
    this.end = end;
    return this;
  }

  /** Bytes left in the message. */
  get remaining(): number {
    return this.end - this.pos;
  }

  #need(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new ProtocolViolation(`Message truncated: need ${n} bytes, ${this.remaining} left`);
    }
  }

  /** Reads one unsigned byte. */
  byte(): number {
    this.#need(1);
    return this.buf[this.pos++] ?? 0;
  }

  /** Reads a big-endian int16. */
  int16(): number {
    this.#need(2);
    const v = this.#view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  /** Reads a big-endian int32. */
  int32(): number {
    this.#need(4);
    const v = this.#view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Reads a NUL-terminated UTF-8 string. */
  cstring(): string {
    const zero = this.buf.indexOf(0, this.pos);
    if (zero < 0 || zero >= this.end) throw new ProtocolViolation("Missing string terminator");
    const s = this.#decode(this.pos, zero);
    this.pos = zero + 1;
    return s;
  }

  /**
   * Reads a NUL-terminated statement or portal name. The names a client uses
   * again (a prepared statement's, on every Bind) come back as the same string
   * object, so a lookup by name hashes no new string.
   */
  name(): string {
    const b = this.buf;
    const from = this.pos;
    if (from < this.end && b[from] === 0) {
      this.pos = from + 1;
      return "";
    }
    const names = this.#names;
    for (let k = 0; k < names.length; k++) {
      const n = names[k]!;
      const len = n.bytes.length;
      if (from + len >= this.end || b[from + len] !== 0) continue;
      let i = 0;
      while (i < len && b[from + i] === n.bytes[i]) i++;
      if (i < len) continue;
      this.pos = from + len + 1;
      return n.text;
    }
    const text = this.cstring();
    if (this.pos - 1 - from <= nameCacheBytesMax) {
      if (names.length >= nameCacheMax) names.pop();
      names.unshift({ bytes: b.slice(from, this.pos - 1), text });
    }
    return text;
  }

  /** Reads `n` bytes as a view into the input buffer (valid until the next read from the socket). */
  view(n: number): Uint8Array {
    this.#need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Reads `n` bytes as UTF-8. */
  utf8(n: number): string {
    this.#need(n);
    const s = this.#decode(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** Throws unless the whole message was consumed. */
  done(what: string): void {
    if (this.pos !== this.end) {
      throw new ProtocolViolation(`${what} message has ${this.remaining} trailing bytes`);
    }
  }

  #decode(from: number, to: number): string {
    // ASCII fast path for short strings (names, small queries): no decoder call.
    if (to - from <= 64) {
      const b = this.buf;
      let s = "";
      let i = from;
      for (; i < to; i++) {
        const c = b[i]!;
        if (c > 0x7f) break;
        s += String.fromCharCode(c);
      }
      if (i === to) return s;
    }
    try {
      return decoder.decode(this.buf.subarray(from, to));
    } catch (e) {
      throw new DbError("22021", `Invalid byte sequence for encoding "UTF8": ${e}`);
    }
  }
}
