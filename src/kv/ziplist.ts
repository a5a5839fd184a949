/**
 * Decoders for the compact encodings older Redis versions wrote into RDB
 * values, which Redis 7.0 still loads: the ziplist (lists, hashes and zsets
 * before 7.0, and quicklist nodes), the intset (sets of integers) and the
 * zipmap (hashes before 2.6).
 * @module
 */
import { CorruptError } from "../common/errors.ts";
import { latin1At, readIntLe } from "./listpack.ts";

const ziplistHeaderBytes = 10;
const endMarker = 0xff;

/** The entry at `p` after its prevlen: its value and total bytes from `p`. */
function ziplistEntry(b: Uint8Array, p: number): { value: string; next: number } {
  const need = (n: number) => {
    if (p + n > b.length) throw bad("ziplist", `entry at ${p} runs past the end`);
  };
  need(1);
  const e = b[p]!;
  const kind = e >> 6;
  if (kind === 0) {
    const n = e & 0x3f;
    need(1 + n);
    return { value: latin1At(b, p + 1, n), next: p + 1 + n };
  }
  if (kind === 1) {
    need(2);
    const n = ((e & 0x3f) << 8) | b[p + 1]!;
    need(2 + n);
    return { value: latin1At(b, p + 2, n), next: p + 2 + n };
  }
  if (e === 0x80) {
    need(5);
    const n = ((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!) >>> 0;
    need(5 + n);
    return { value: latin1At(b, p + 5, n), next: p + 5 + n };
  }
  const sizes: Record<number, number> = { 0xc0: 2, 0xd0: 4, 0xe0: 8, 0xf0: 3, 0xfe: 1 };
  const size = sizes[e];
  if (size !== undefined) {
    need(1 + size);
    return { value: String(readIntLe(b, p + 1, size)), next: p + 1 + size };
  }
  // 0xf1..0xfd: a 4-bit immediate 0..12 stored as 1..13.
  if (e >= 0xf1 && e <= 0xfd) return { value: String((e & 0x0f) - 1), next: p + 1 };
  throw bad("ziplist", `unknown encoding 0x${e.toString(16)} at ${p}`);
}

/**
 * Decodes a ziplist's elements (integers in decimal).
 * @throws {CorruptError} XX001 when the bytes are not a well-formed ziplist
 */
export function decodeZiplist(b: Uint8Array): string[] {
  if (b.length < ziplistHeaderBytes + 1) throw bad("ziplist", `${b.length} bytes is too short`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (view.getUint32(0, true) !== b.length) throw bad("ziplist", "its length header is wrong");
  const count = view.getUint16(8, true);
  const out: string[] = [];
  let p = ziplistHeaderBytes;
  while (p < b.length && b[p] !== endMarker) {
    // prevlen: one byte, or 0xfe and four more.
    p += b[p] === 0xfe ? 5 : 1;
    const { value, next } = ziplistEntry(b, p);
    out.push(value);
    p = next;
  }
  if (p !== b.length - 1) throw bad("ziplist", "it does not end with its end marker");
  if (count !== 0xffff && count !== out.length) throw bad("ziplist", "its element count is wrong");
  return out;
}

/**
 * Decodes an intset: 4-byte element width (2, 4 or 8), 4-byte count, values (all little-endian).
 * @throws {CorruptError} XX001 when the bytes are not a well-formed intset
 */
export function decodeIntset(b: Uint8Array): string[] {
  if (b.length < 8) throw bad("intset", `${b.length} bytes is too short`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = view.getUint32(0, true);
  const count = view.getUint32(4, true);
  if (width !== 2 && width !== 4 && width !== 8) throw bad("intset", `element width ${width}`);
  if (8 + width * count !== b.length) throw bad("intset", "its length does not match its count");
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(String(readIntLe(b, 8 + i * width, width)));
  return out;
}

/**
 * Decodes a zipmap into alternating fields and values: a count byte, then
 * each field and value with a length (one byte, or 254 and four more), the
 * value's free-byte count and free bytes, then 0xFF.
 * @throws {CorruptError} XX001 when the bytes are not a well-formed zipmap
 */
export function decodeZipmap(b: Uint8Array): string[] {
  const out: string[] = [];
  let p = 1;
  const length = (): number => {
    if (p >= b.length) throw bad("zipmap", "truncated length");
    const first = b[p]!;
    if (first < 254) return (p++, first);
    if (first !== 254 || p + 5 > b.length) throw bad("zipmap", `bad length at ${p}`);
    const n = Number(readIntLe(b, p + 1, 4)) >>> 0;
    p += 5;
    return n;
  };
  const take = (n: number): string => {
    if (p + n > b.length) throw bad("zipmap", "entry runs past the end");
    const s = latin1At(b, p, n);
    p += n;
    return s;
  };
  while (p < b.length && b[p] !== endMarker) {
    out.push(take(length()));
    const valueBytes = length();
    if (p >= b.length) throw bad("zipmap", "truncated free count");
    const free = b[p++]!;
    out.push(take(valueBytes));
    p += free;
  }
  if (p !== b.length - 1) throw bad("zipmap", "it does not end with its end marker");
  return out;
}

function bad(format: string, what: string): CorruptError {
  return new CorruptError(`RDB ${format} is malformed: ${what}`);
}
