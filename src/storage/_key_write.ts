/**
 * Writing side of the key codec: the growing scratch writer `encodeKey` uses
 * and the order-preserving value encodings (see `key_codec.ts` for the format).
 * @module
 */

import { DbError } from "../common/errors.ts";
import { Numeric, type TypeId, type Value } from "../common/types.ts";

/** Growable output buffer reused across calls (encoding is synchronous). */
export class KeyWriter {
  buf = new Uint8Array(256);
  len = 0;
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    const o = this.len;
    b[o] = v >>> 24;
    b[o + 1] = v >>> 16;
    b[o + 2] = v >>> 8;
    b[o + 3] = v;
    this.len = o + 4;
  }
}

/** The writer every key encoding reuses. */
export const writer = new KeyWriter();
/** Scratch view for float bits (encoding and decoding are synchronous). */
export const floatView = new DataView(new ArrayBuffer(8));
const utf8Encoder = new TextEncoder();

/** The error for a type that cannot be part of an index key. */
export function unsupported(id: TypeId): DbError {
  return new DbError("0A000", `Type ${id} cannot be used in an index key`);
}

function mismatch(id: TypeId, value: Value): DbError {
  return new DbError("42804", `Index key value ${String(value)} does not match column type ${id}`);
}

/** Appends the encoding of non-NULL `value` as type `id` (ascending order). */
export function encodeValue(value: Value, id: TypeId): void {
  switch (id) {
    case "bool":
      if (typeof value !== "boolean") throw mismatch(id, value);
      return writer.byte(value ? 1 : 0);
    case "int2":
      writer.ensure(2);
      return writeInt16(intNumber(value, id, -0x8000, 0x7fff));
    case "int4":
    case "date":
      return writer.u32((intNumber(value, id, -0x80000000, 0x7fffffff) ^ 0x80000000) >>> 0);
    case "oid":
    case "regclass":
    case "regtype":
    case "regproc":
    case "regnamespace":
      return writer.u32(intNumber(value, id, 0, 0xffffffff) >>> 0);
    case "int8":
    case "time":
    case "timestamp":
    case "timestamptz":
      return writeInt64(value, id);
    case "float4":
    case "float8":
      if (typeof value !== "number") throw mismatch(id, value);
      return writeFloat(value, id === "float4");
    case "numeric":
      if (!(value instanceof Numeric)) throw mismatch(id, value);
      return writeNumeric(value);
    case "text":
    case "enum":
    case "varchar":
    case "bpchar":
    case "name":
    case "char":
      if (typeof value !== "string") throw mismatch(id, value);
      return writeEscaped(utf8Of(value));
    case "bytea":
      if (!(value instanceof Uint8Array)) throw mismatch(id, value);
      return writeEscaped(value);
    case "uuid":
      if (typeof value !== "string") throw mismatch(id, value);
      return writeUuid(value);
    default:
      throw unsupported(id);
  }
}

function intNumber(value: Value, id: TypeId, min: number, max: number): number {
  const n = typeof value === "number" && Number.isInteger(value)
    ? value
    : typeof value === "bigint"
    ? Number(value)
    : NaN;
  if (n >= min && n <= max) return n;
  throw mismatch(id, value);
}

function writeInt16(v: number): void {
  const u = (v + 0x8000) & 0xffff;
  writer.buf[writer.len++] = u >>> 8;
  writer.buf[writer.len++] = u;
}

function writeInt64(value: Value, id: TypeId): void {
  let hi: number;
  let lo: number;
  if (typeof value === "bigint") {
    hi = Number(BigInt.asIntN(32, value >> 32n));
    lo = Number(BigInt.asUintN(32, value));
  } else if (typeof value === "number" && Number.isSafeInteger(value)) {
    hi = Math.floor(value / 4294967296);
    lo = value - hi * 4294967296;
  } else {
    throw mismatch(id, value);
  }
  writer.u32((hi ^ 0x80000000) >>> 0);
  writer.u32(lo >>> 0);
}

function writeFloat(v: number, single: boolean): void {
  if (v === 0) v = 0; // -0 and 0 compare equal in SQL
  if (single) {
    floatView.setFloat32(0, Number.isNaN(v) ? NaN : v);
    const bits = floatView.getUint32(0);
    writer.u32(flipFloat(bits));
    return;
  }
  floatView.setFloat64(0, Number.isNaN(v) ? NaN : v);
  const hi = floatView.getUint32(0);
  const lo = floatView.getUint32(4);
  if (hi & 0x80000000) {
    writer.u32(~hi >>> 0);
    writer.u32(~lo >>> 0);
  } else {
    writer.u32((hi | 0x80000000) >>> 0);
    writer.u32(lo);
  }
}

function flipFloat(bits: number): number {
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

function utf8Of(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

function writeEscaped(bytes: Uint8Array): void {
  writer.ensure(bytes.length * 2 + 2);
  const b = writer.buf;
  let o = writer.len;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    b[o++] = c;
    if (c === 0) b[o++] = 0xff;
  }
  b[o++] = 0;
  b[o++] = 1;
  writer.len = o;
}

function writeUuid(s: string): void {
  const hex = s.replaceAll("-", "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw mismatch("uuid", s);
  writer.ensure(16);
  for (let i = 0; i < 16; i++) writer.buf[writer.len++] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
}

/**
 * Numeric: class byte (1 negative, 2 zero, 3 positive, 4 NaN), then for
 * non-zero values the decimal exponent E (value = 0.d1d2... * 10^E) as a
 * sign-flipped int32 and the digits in pairs (byte = pair + 1) ending in 0x00;
 * the part after the class byte is inverted for negatives.
 */
function writeNumeric(n: Numeric): void {
  if (n.nan) return writer.byte(4);
  if (n.digits === 0n) return writer.byte(2);
  const negative = n.digits < 0n;
  let digits = (negative ? -n.digits : n.digits).toString();
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 48) end--;
  const exponent = digits.length - n.scale;
  digits = digits.slice(0, end);
  writer.byte(negative ? 1 : 3);
  const start = writer.len;
  writer.u32((exponent ^ 0x80000000) >>> 0);
  writer.ensure(digits.length / 2 + 2);
  for (let i = 0; i < digits.length; i += 2) {
    const d1 = digits.charCodeAt(i) - 48;
    const d2 = i + 1 < digits.length ? digits.charCodeAt(i + 1) - 48 : 0;
    writer.buf[writer.len++] = d1 * 10 + d2 + 1;
  }
  writer.buf[writer.len++] = 0;
  if (negative) {
    for (let j = start; j < writer.len; j++) writer.buf[j] = ~writer.buf[j]! & 0xff;
  }
}
