/**
 * Redis's listpack (the compact encoding inside RDB values since Redis 7.0):
 * a 4-byte total length and a 2-byte element count (both little-endian),
 * entries each made of an encoding byte, its data and a "backlen" (the
 * entry's length, 7 bits per byte, readable backwards), then 0xFF.
 * Decoded elements are latin1 strings; integers come back in decimal.
 * @module
 */
import { CorruptError } from "../common/errors.ts";
import { latin1 } from "./bytes.ts";

/** A listpack element to encode: bytes as a latin1 string, or an integer. */
export type ListpackElement = string | number | bigint;

const headerBytes = 6;
const endMarker = 0xff;

/** Bytes a backlen takes for an entry of `n` bytes. */
function backlenBytes(n: number): number {
  if (n <= 127) return 1;
  if (n < 16383) return 2;
  if (n < 2097151) return 3;
  if (n < 268435455) return 4;
  return 5;
}

/** A growable output buffer (listpacks here, RDB payloads in rdb_io.ts). */
export class GrowableBytes {
  buf: Uint8Array;
  pos = 0;
  constructor(initialSize = 64) {
    this.buf = new Uint8Array(initialSize);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

/** A listpack being written. */
class Out extends GrowableBytes {
  /** `n` little-endian bytes of a two's complement integer. */
  intLe(v: bigint, n: number): void {
    for (let i = 0; i < n; i++) this.byte(Number((v >> BigInt(8 * i)) & 0xffn));
  }
}

function writeBacklen(o: Out, n: number): void {
  const size = backlenBytes(n);
  // Most significant 7-bit group first; every byte but the first has bit 7 set.
  for (let i = size - 1; i >= 0; i--) {
    const group = Math.floor(n / 2 ** (7 * i)) & 0x7f;
    o.byte(i === size - 1 ? group : group | 0x80);
  }
}

function writeInt(o: Out, v: bigint): void {
  const start = o.pos;
  if (v >= 0n && v <= 127n) o.byte(Number(v));
  else if (v >= -4096n && v <= 4095n) {
    const u = Number(v < 0n ? v + 8192n : v);
    o.byte(0xc0 | (u >> 8));
    o.byte(u & 0xff);
  } else if (v >= -32768n && v <= 32767n) (o.byte(0xf1), o.intLe(v, 2));
  else if (v >= -8388608n && v <= 8388607n) (o.byte(0xf2), o.intLe(v, 3));
  else if (v >= -2147483648n && v <= 2147483647n) (o.byte(0xf3), o.intLe(v, 4));
  else (o.byte(0xf4), o.intLe(v, 8));
  writeBacklen(o, o.pos - start);
}

function writeString(o: Out, s: string): void {
  const start = o.pos;
  const n = s.length;
  if (n < 64) o.byte(0x80 | n);
  else if (n < 4096) (o.byte(0xe0 | (n >> 8)), o.byte(n & 0xff));
  else (o.byte(0xf0), o.intLe(BigInt(n), 4));
  o.ensure(n);
  for (let i = 0; i < n; i++) o.buf[o.pos + i] = s.charCodeAt(i);
  o.pos += n;
  writeBacklen(o, o.pos - start);
}

/** Encodes elements as a listpack (numbers as integer entries, strings as string entries). */
export function encodeListpack(elements: readonly ListpackElement[]): Uint8Array {
  const o = new Out();
  o.ensure(headerBytes);
  o.pos = headerBytes;
  for (const e of elements) {
    if (typeof e === "string") writeString(o, e);
    else writeInt(o, BigInt(e));
  }
  o.byte(endMarker);
  const view = new DataView(o.buf.buffer);
  view.setUint32(0, o.pos, true);
  view.setUint16(4, Math.min(elements.length, 0xffff), true);
  return o.buf.slice(0, o.pos);
}

/** A little-endian signed integer of `n` bytes at `at`. */
export function readIntLe(b: Uint8Array, at: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]!);
  const bits = BigInt(8 * n);
  return v >= 1n << (bits - 1n) ? v - (1n << bits) : v;
}

/** Bytes as a latin1 string (bounds already checked). */
export function latin1At(b: Uint8Array, at: number, n: number): string {
  return latin1(b.subarray(at, at + n));
}

/** One decoded entry: its value and its length without the backlen. */
function entryAt(b: Uint8Array, p: number): { value: string; bytes: number } {
  const e = b[p]!;
  const need = (n: number) => {
    if (p + n > b.length) throw bad(`entry at ${p} runs past the end`);
  };
  if (e < 0x80) return { value: String(e), bytes: 1 };
  if ((e & 0xc0) === 0x80) {
    const n = e & 0x3f;
    need(1 + n);
    return { value: latin1At(b, p + 1, n), bytes: 1 + n };
  }
  if ((e & 0xe0) === 0xc0) {
    need(2);
    const u = ((e & 0x1f) << 8) | b[p + 1]!;
    return { value: String(u >= 4096 ? u - 8192 : u), bytes: 2 };
  }
  if ((e & 0xf0) === 0xe0) {
    need(2);
    const n = ((e & 0x0f) << 8) | b[p + 1]!;
    need(2 + n);
    return { value: latin1At(b, p + 2, n), bytes: 2 + n };
  }
  const intBytes = [0, 2, 3, 4, 8][e - 0xf0];
  if (e === 0xf0) {
    need(5);
    const n = Number(readIntLe(b, p + 1, 4)) >>> 0;
    need(5 + n);
    return { value: latin1At(b, p + 5, n), bytes: 5 + n };
  }
  if (intBytes === undefined) throw bad(`unknown encoding 0x${e.toString(16)} at ${p}`);
  need(1 + intBytes);
  return { value: String(readIntLe(b, p + 1, intBytes)), bytes: 1 + intBytes };
}

/**
 * Decodes a listpack's elements (integers in decimal).
 * @throws {CorruptError} XX001 when the bytes are not a well-formed listpack
 */
export function decodeListpack(b: Uint8Array): string[] {
  if (b.length < headerBytes + 1) throw bad(`${b.length} bytes is too short`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (view.getUint32(0, true) !== b.length) throw bad("its length header is wrong");
  const count = view.getUint16(4, true);
  const out: string[] = [];
  let p = headerBytes;
  while (p < b.length && b[p] !== endMarker) {
    const { value, bytes } = entryAt(b, p);
    p += bytes + backlenBytes(bytes);
    out.push(value);
  }
  if (p !== b.length - 1) throw bad("it does not end with its end marker");
  if (count !== 0xffff && count !== out.length) throw bad("its element count is wrong");
  return out;
}

function bad(what: string): CorruptError {
  return new CorruptError(`Listpack is malformed: ${what}`);
}
