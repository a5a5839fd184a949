/**
 * The RDB format's primitives, for DUMP and RESTORE payloads: type codes,
 * lengths (6, 14, 32 or 64 bits by their top bits), strings (raw,
 * integer-encoded or LZF-compressed), doubles and millisecond times.
 * @module
 */
import { CorruptError } from "../common/errors.ts";
import { latin1 } from "./bytes.ts";
import { GrowableBytes, latin1At, readIntLe } from "./listpack.ts";
import { lzfDecompress } from "./lzf.ts";

/** RDB value type codes (rdb.h), up to Redis 7.2's. */
export const rdbType = {
  string: 0,
  list: 1,
  set: 2,
  zset: 3,
  hash: 4,
  zset2: 5,
  module: 6,
  module2: 7,
  hashZipmap: 9,
  listZiplist: 10,
  setIntset: 11,
  zsetZiplist: 12,
  hashZiplist: 13,
  listQuicklist: 14,
  streamListpacks: 15,
  hashListpack: 16,
  zsetListpack: 17,
  listQuicklist2: 18,
  streamListpacks2: 19,
  setListpack: 20,
  streamListpacks3: 21,
} as const;

/** RDB version Redis 7.0 writes (and the newest RESTORE accepts). */
export const rdbVersion = 10;

const encInt8 = 0;
const encInt16 = 1;
const encInt32 = 2;
const encLzf = 3;

/** Reads RDB primitives from a payload; every overrun is a `CorruptError`. */
export class RdbReader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.pos === this.bytes.length;
  }

  #need(n: number): void {
    if (this.pos + n > this.bytes.length) {
      throw new CorruptError(`RDB payload ends early: ${n} bytes needed at ${this.pos}`);
    }
  }

  u8(): number {
    this.#need(1);
    return this.bytes[this.pos++]!;
  }

  /** `n` raw bytes (a view). */
  raw(n: number): Uint8Array {
    this.#need(n);
    this.pos += n;
    return this.bytes.subarray(this.pos - n, this.pos);
  }

  /**
   * A length, or an encoded-string marker (`encoded` true, value 0..3).
   * Lengths up to 32 bits are numbers; a 64-bit one is a bigint.
   */
  #lenOrEncoding(): { encoded: boolean; value: number | bigint } {
    const first = this.u8();
    const kind = first >> 6;
    if (kind === 0) return { encoded: false, value: first & 0x3f };
    if (kind === 1) return { encoded: false, value: ((first & 0x3f) << 8) | this.u8() };
    if (kind === 3) return { encoded: true, value: first & 0x3f };
    if (first === 0x80) {
      const b = this.raw(4);
      return {
        encoded: false,
        value: ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0,
      };
    }
    if (first !== 0x81) {
      throw new CorruptError(`RDB payload has a bad length byte 0x${first.toString(16)}`);
    }
    let v = 0n;
    for (const b of this.raw(8)) v = (v << 8n) | BigInt(b);
    return { encoded: false, value: v };
  }

  /** A length as a bigint (stream IDs and counters use all 64 bits). */
  lenBig(): bigint {
    const l = this.#lenOrEncoding();
    if (l.encoded) throw new CorruptError("RDB payload has an encoded string where a length goes");
    return BigInt(l.value);
  }

  /** A length that counts bytes or elements: at most what the payload could hold. */
  len(): number {
    const l = this.#lenOrEncoding();
    if (l.encoded) throw new CorruptError("RDB payload has an encoded string where a length goes");
    if (l.value > this.bytes.length) {
      throw new CorruptError(
        `RDB payload has a length ${l.value} beyond its ${this.bytes.length} bytes`,
      );
    }
    return Number(l.value);
  }

  /** A string's bytes (integer-encoded ones in decimal). */
  stringBytes(): Uint8Array {
    const l = this.#lenOrEncoding();
    if (!l.encoded) return this.raw(this.#checked(l.value));
    const enc = Number(l.value);
    if (enc === encInt8 || enc === encInt16 || enc === encInt32) {
      const size = enc === encInt8 ? 1 : enc === encInt16 ? 2 : 4;
      const at = this.raw(size).byteOffset - this.bytes.byteOffset;
      return new TextEncoder().encode(String(readIntLe(this.bytes, at, size)));
    }
    if (enc !== encLzf) throw new CorruptError(`RDB payload has an unknown string encoding ${enc}`);
    const compressed = this.len();
    const length = this.#checkedLzf(this.lenBig());
    return lzfDecompress(this.raw(compressed), length);
  }

  /** A string as latin1. */
  string(): string {
    return latin1(this.stringBytes());
  }

  #checked(v: number | bigint): number {
    if (v > this.bytes.length - this.pos) {
      throw new CorruptError(`RDB payload has a ${v}-byte string past its end`);
    }
    return Number(v);
  }

  /** LZF expands at most about 260 times (a 2-byte reference makes up to 264 bytes). */
  #checkedLzf(v: bigint): number {
    if (v > BigInt(this.bytes.length) * 300n) {
      throw new CorruptError(`RDB payload claims an LZF string of ${v} bytes`);
    }
    return Number(v);
  }

  /** A double as text: length byte (253 nan, 254 +inf, 255 -inf) then ASCII. */
  textDouble(): number {
    const n = this.u8();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    const text = latin1At(this.raw(n), 0, n);
    const v = Number(text);
    if (text.trim() === "" || Number.isNaN(v)) {
      throw new CorruptError(`RDB payload has a bad double '${text}'`);
    }
    return v;
  }

  /** A little-endian IEEE double. */
  binaryDouble(): number {
    const b = this.raw(8);
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
  }

  /** A little-endian signed 64-bit millisecond time. */
  millis(): number {
    const b = this.raw(8);
    return Number(new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true));
  }
}

/** Builds an RDB payload in a growing buffer. */
export class RdbWriter extends GrowableBytes {
  constructor() {
    super(256);
  }

  u8(v: number): void {
    this.byte(v);
  }

  /** A length in the shortest form. */
  len(v: number | bigint): void {
    if (typeof v === "number" && v < 16384) {
      if (v < 64) return this.u8(v);
      this.u8(0x40 | (v >> 8));
      return this.u8(v & 0xff);
    }
    const n = BigInt(v);
    if (n < 16384n) return this.len(Number(n));
    const size = n <= 0xffffffffn ? 4 : 8;
    this.u8(size === 4 ? 0x80 : 0x81);
    for (let i = size - 1; i >= 0; i--) this.u8(Number((n >> BigInt(8 * i)) & 0xffn));
  }

  /** A latin1 string, integer-encoded when it is a canonical 32-bit integer as Redis does. */
  string(s: string): void {
    const c0 = s.charCodeAt(0);
    const numeric = (c0 >= 48 && c0 <= 57) || c0 === 45;
    if (numeric && s.length <= 11 && /^(0|-?[1-9][0-9]*)$/.test(s)) {
      const v = Number(s);
      if (v >= -128 && v <= 127) return (this.u8(0xc0 | encInt8), this.u8(v));
      if (v >= -32768 && v <= 32767) return this.#int(encInt16, v, 2);
      if (v >= -2147483648 && v <= 2147483647) return this.#int(encInt32, v, 4);
    }
    this.len(s.length);
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos + i] = s.charCodeAt(i);
    this.pos += s.length;
  }

  /** Raw bytes with their length. */
  bytesString(b: Uint8Array): void {
    this.len(b.length);
    this.raw(b);
  }

  #int(enc: number, v: number, size: number): void {
    this.u8(0xc0 | enc);
    for (let i = 0; i < size; i++) this.u8((v >> (8 * i)) & 0xff);
  }

  binaryDouble(v: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer).setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  millis(v: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer).setBigInt64(this.pos, BigInt(Math.trunc(v)), true);
    this.pos += 8;
  }

  /** The bytes written so far (a copy). */
  take(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
