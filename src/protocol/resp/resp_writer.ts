/**
 * RESP2/RESP3 reply serializer over a reused output buffer. Replies of one
 * read batch accumulate here and go out in one write (one per pipeline).
 * Two buffers alternate so replies can accumulate while the previous batch
 * is being written.
 * @module
 */
import type { Reply } from "../../kv/reply.ts";
import { formatDouble } from "../../kv/bytes.ts";

const okBytes = new TextEncoder().encode("+OK\r\n");
const nullBulk2 = new TextEncoder().encode("$-1\r\n");
const nullArray2 = new TextEncoder().encode("*-1\r\n");
const null3 = new TextEncoder().encode("_\r\n");
const utf8 = new TextEncoder();
const initialBytes = 64 * 1024;
const shrinkAboveBytes = 1024 * 1024;
/** Byte strings up to this size are copied byte by byte (no builtin call). */
const shortCopyMax = 32;

/** A status or error line without CR or LF (each becomes a space); the usual text is returned as is. */
function oneLine(text: string): string {
  return text.indexOf("\r") < 0 && text.indexOf("\n") < 0 ? text : text.replace(/[\r\n]/g, " ");
}

/** Serializes replies for one connection. */
export class RespWriter implements Reply {
  resp: 2 | 3 = 2;
  /** Error replies written (the engine counts failed commands from it). */
  errors = 0;
  /** The last error replied (INFO errorstats counts it by its code word). */
  lastError = "";
  #buf = new Uint8Array(initialBytes);
  #spare = new Uint8Array(initialBytes);
  #pos = 0;

  /** Bytes waiting to be written. */
  get length(): number {
    return this.#pos;
  }

  /** Drops the pending bytes (a client closed without its replies). */
  discard(): void {
    this.#pos = 0;
  }

  /**
   * Hands out the pending bytes and switches to the other buffer. The view
   * stays valid until the next `take` (callers write it out before that).
   */
  take(): Uint8Array {
    const n = this.#pos;
    return this.takeBuffer().subarray(0, n);
  }

  /**
   * Like `take`, but hands out the whole buffer (no view per reply batch):
   * the pending bytes are its first `length`, read before this call.
   */
  takeBuffer(): Uint8Array {
    const out = this.#buf;
    const next = this.#spare.length > shrinkAboveBytes ? new Uint8Array(initialBytes) : this.#spare;
    this.#spare = this.#buf;
    this.#buf = next;
    this.#pos = 0;
    return out;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }

  #raw(bytes: Uint8Array): void {
    this.#copy(bytes);
  }

  /** Appends bytes; short ones with a plain loop, which beats the builtin `set` call. */
  #copy(bytes: Uint8Array): void {
    const n = bytes.length;
    this.#ensure(n);
    const b = this.#buf;
    let p = this.#pos;
    if (n <= shortCopyMax) { for (let i = 0; i < n; i++) b[p++] = bytes[i]!; }
    else {
      b.set(bytes, p);
      p += n;
    }
    this.#pos = p;
  }

  /** Writes a prefix byte, a decimal integer and CRLF. */
  #line(prefix: number, n: number): void {
    this.#ensure(24);
    const b = this.#buf;
    let p = this.#pos;
    b[p++] = prefix;
    if (n < 0) {
      b[p++] = 45;
      n = -n;
    }
    if (n < 10) b[p++] = 48 + n;
    else {
      // Digits written from the last one back (no view to reverse).
      let digits = 2;
      for (let t = Math.floor(n / 100); t > 0; t = Math.floor(t / 10)) digits++;
      p += digits;
      for (let q = p - 1; n > 0; q--) {
        b[q] = 48 + (n % 10);
        n = Math.floor(n / 10);
      }
    }
    b[p++] = 13;
    b[p++] = 10;
    this.#pos = p;
  }

  /** Writes ASCII/latin1 text followed by CRLF. */
  #latin1Line(prefix: number, text: string): void {
    this.#ensure(text.length + 3);
    const b = this.#buf;
    let p = this.#pos;
    if (prefix !== 0) b[p++] = prefix;
    for (let i = 0; i < text.length; i++) b[p++] = text.charCodeAt(i);
    b[p++] = 13;
    b[p++] = 10;
    this.#pos = p;
  }

  ok(): void {
    this.#raw(okBytes);
  }

  simple(text: string): void {
    this.#latin1Line(43, oneLine(text));
  }

  error(message: string): void {
    this.errors++;
    this.lastError = message;
    this.#latin1Line(45, oneLine(message));
  }

  integer(value: number | bigint): void {
    if (typeof value === "number" && Number.isSafeInteger(value)) this.#line(58, value);
    else this.#latin1Line(58, String(value));
  }

  bulk(bytes: Uint8Array): void {
    this.#line(36, bytes.length);
    this.#copy(bytes);
    this.#ensure(2);
    this.#buf[this.#pos++] = 13;
    this.#buf[this.#pos++] = 10;
  }

  bulkLatin1(text: string): void {
    this.#line(36, text.length);
    this.#latin1Line(0, text);
  }

  bulkText(text: string): void {
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) > 127) {
        ascii = false;
        break;
      }
    }
    if (ascii) this.bulkLatin1(text);
    else this.bulk(utf8.encode(text));
  }

  nil(): void {
    this.#raw(this.resp === 3 ? null3 : nullBulk2);
  }

  nullArray(): void {
    this.#raw(this.resp === 3 ? null3 : nullArray2);
  }

  array(count: number): void {
    this.#line(42, count);
  }

  map(count: number): void {
    if (this.resp === 3) this.#line(37, count);
    else this.#line(42, count * 2);
  }

  set(count: number): void {
    this.#line(this.resp === 3 ? 126 : 42, count);
  }

  push(count: number): void {
    this.#line(this.resp === 3 ? 62 : 42, count);
  }

  double(value: number): void {
    const text = formatDouble(value);
    if (this.resp === 3) this.#latin1Line(44, text);
    else this.bulkLatin1(text);
  }

  bool(value: boolean): void {
    if (this.resp === 3) this.#latin1Line(35, value ? "t" : "f");
    else this.#line(58, value ? 1 : 0);
  }

  bigNumber(digits: string): void {
    if (this.resp === 3) this.#latin1Line(40, digits);
    else this.bulkLatin1(digits);
  }

  attribute(count: number): void {
    this.#line(124, count);
  }

  verbatim(text: string): void {
    if (this.resp === 2) return this.bulkText(text);
    const body = utf8.encode("txt:" + text);
    this.#line(61, body.length);
    this.#raw(body);
    this.#ensure(2);
    this.#buf[this.#pos++] = 13;
    this.#buf[this.#pos++] = 10;
  }
}
