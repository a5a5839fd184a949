/**
 * Order-preserving encoding of typed index keys into byte strings.
 *
 * `compareBytes(encodeKey(a, cols), encodeKey(b, cols))` orders like SQL
 * (C collation for text): the B+tree compares raw bytes and never needs to
 * know column types.
 *
 * Each column is one tag byte followed by the value's encoding:
 * - tag: with NULLS FIRST a NULL is 0x00 and a value 0x01; with NULLS LAST a
 *   value is 0x01 and a NULL 0x02. Tags are never inverted, so NULL placement
 *   is exactly what the column asks for, also on descending columns.
 * - every value encoding is prefix-free (fixed width, or escaped and
 *   terminated), so concatenating columns keeps tuple order and a key made of
 *   the first k columns sorts before every longer key that extends it.
 * - descending columns store the bit-inverted value encoding; inverting a
 *   prefix-free encoding reverses its order.
 *
 * Value encodings: integers are big-endian with the sign bit flipped; floats
 * are IEEE bits with the sign flipped (negatives fully inverted), -0 equals 0
 * and every NaN sorts after +Infinity as in PostgreSQL; text and bytea escape
 * 0x00 as 0x00 0xFF and end with 0x00 0x01; numeric is sign, decimal exponent
 * and base-100 digit pairs (trailing zeros dropped, so 1.5 and 1.50 are equal
 * keys); uuid is its 16 bytes.
 *
 * Decoding returns the SQL value, normalised where equal values share a key
 * (-0 decodes as 0, numeric loses trailing fractional zeros).
 * @module
 */

import { DbError } from "../common/errors.ts";
import { CorruptError } from "../common/errors.ts";
import { Numeric, type SqlType, type TypeId, type Value } from "../common/types.ts";

/** One column of an index key. */
export interface KeyColumn {
  /** The column type (or its name). */
  readonly type: SqlType | TypeId;
  /** Sort this column in descending order. */
  readonly descending?: boolean;
  /** Place NULLs before values; defaults to PostgreSQL's rule (first when descending). */
  readonly nullsFirst?: boolean;
}

const tagNullFirst = 0x00;
const tagValue = 0x01;
const tagNullLast = 0x02;

/** Growable output buffer reused across calls (encoding is synchronous). */
class KeyWriter {
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

const writer = new KeyWriter();
const floatView = new DataView(new ArrayBuffer(8));
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

function typeIdOf(column: KeyColumn): TypeId {
  return typeof column.type === "string" ? column.type : column.type.id;
}

function unsupported(id: TypeId): DbError {
  return new DbError("0A000", `Type ${id} cannot be used in an index key`);
}

function mismatch(id: TypeId, value: Value): DbError {
  return new DbError("42804", `Index key value ${String(value)} does not match column type ${id}`);
}

/**
 * Encodes a key tuple. `values` may be shorter than `columns` (a prefix key for
 * range scans); it may not be longer.
 * @param values one value per leading column, `null` for SQL NULL
 * @param columns the key's column descriptions
 * @returns a fresh byte string
 * @throws {DbError} 0A000 for types that cannot be keys, 42804 when a value does not fit its type
 * @example encodeKey([42, "x"], [{ type: "int4" }, { type: "text", descending: true }])
 */
export function encodeKey(values: readonly Value[], columns: readonly KeyColumn[]): Uint8Array {
  encodeInto(values, columns);
  return writer.buf.slice(0, writer.len);
}

/** Views of the shared writer buffer by length, rebuilt when the buffer grows. */
let scratchViews: Uint8Array[] = [];
let scratchOf: Uint8Array | null = null;

/**
 * Like `encodeKey`, but without a copy: the result is a view of a shared
 * buffer, valid only until the next key is encoded (for a lookup that uses the
 * key at once, with no allocation).
 * @throws {DbError} as `encodeKey`
 */
export function encodeKeyScratch(
  values: readonly Value[],
  columns: readonly KeyColumn[],
): Uint8Array {
  encodeInto(values, columns);
  const buf = writer.buf;
  if (scratchOf !== buf) {
    scratchOf = buf;
    scratchViews = [];
  }
  const len = writer.len;
  return scratchViews[len] ??= buf.subarray(0, len);
}

function encodeInto(values: readonly Value[], columns: readonly KeyColumn[]): void {
  if (values.length > columns.length) {
    throw new DbError("42804", `Key has ${values.length} values for ${columns.length} columns`);
  }
  writer.len = 0;
  for (let i = 0; i < values.length; i++) {
    const column = columns[i]!;
    const value = values[i]!;
    const nullsFirst = column.nullsFirst ?? column.descending === true;
    if (value === null) {
      writer.byte(nullsFirst ? tagNullFirst : tagNullLast);
      continue;
    }
    writer.byte(tagValue);
    const start = writer.len;
    encodeValue(value, typeIdOf(column));
    if (column.descending) {
      const b = writer.buf;
      for (let j = start; j < writer.len; j++) b[j] = ~b[j]! & 0xff;
    }
  }
}

function encodeValue(value: Value, id: TypeId): void {
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

/**
 * Compares two byte strings (unsigned, shorter prefix first).
 * @returns negative, zero or positive
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * The smallest byte string greater than every string that starts with
 * `prefix`, for prefix range scans (`upper: keyPrefixEnd(p), upperInclusive: false`).
 * @returns undefined when no such bound exists (the prefix is all 0xff bytes)
 * @example keyPrefixEnd(Uint8Array.of(1, 0xff)) // Uint8Array [2]
 */
export function keyPrefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const out = prefix.slice(0, end);
  out[end - 1]!++;
  return out;
}

/** Sequential reader over an encoded key; `mask` is 0xff inside descending columns. */
class KeyReader {
  pos = 0;
  mask = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.bytes.length) throw new CorruptError("Index key ends early");
    return (this.bytes[this.pos++]! ^ this.mask) & 0xff;
  }
  u32(): number {
    return ((this.byte() << 24) | (this.byte() << 16) | (this.byte() << 8) | this.byte()) >>> 0;
  }
}

/**
 * Decodes a key produced by `encodeKey` with the same columns. A prefix key
 * decodes to fewer values.
 * @throws {CorruptError} XX001 when the bytes are not a valid key for `columns`
 */
export function decodeKey(bytes: Uint8Array, columns: readonly KeyColumn[]): Value[] {
  const reader = new KeyReader(bytes);
  const out: Value[] = [];
  for (const column of columns) {
    if (reader.pos >= bytes.length) break;
    reader.mask = 0;
    const tag = reader.byte();
    if (tag === tagNullFirst || tag === tagNullLast) {
      out.push(null);
      continue;
    }
    if (tag !== tagValue) throw new CorruptError(`Index key has bad column tag ${tag}`);
    reader.mask = column.descending ? 0xff : 0;
    out.push(decodeValue(reader, typeIdOf(column)));
  }
  if (reader.pos !== bytes.length) throw new CorruptError("Index key has trailing bytes");
  return out;
}

function decodeValue(reader: KeyReader, id: TypeId): Value {
  switch (id) {
    case "bool":
      return reader.byte() !== 0;
    case "int2":
      return ((reader.byte() << 8) | reader.byte()) - 0x8000;
    case "int4":
    case "date":
      return (reader.u32() ^ 0x80000000) | 0;
    case "oid":
    case "regclass":
    case "regtype":
    case "regproc":
    case "regnamespace":
      return reader.u32();
    case "int8":
    case "time":
    case "timestamp":
    case "timestamptz": {
      const hi = (reader.u32() ^ 0x80000000) | 0;
      const lo = reader.u32();
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
    case "float4": {
      const bits = reader.u32();
      floatView.setUint32(0, bits & 0x80000000 ? bits & 0x7fffffff : ~bits >>> 0);
      return floatView.getFloat32(0);
    }
    case "float8": {
      const hi = reader.u32();
      const lo = reader.u32();
      const negative = (hi & 0x80000000) === 0;
      floatView.setUint32(0, negative ? ~hi >>> 0 : hi & 0x7fffffff);
      floatView.setUint32(4, negative ? ~lo >>> 0 : lo);
      return floatView.getFloat64(0);
    }
    case "numeric":
      return readNumeric(reader);
    case "text":
    case "enum":
    case "varchar":
    case "bpchar":
    case "name":
    case "char":
      try {
        return utf8Decoder.decode(readEscaped(reader));
      } catch (e) {
        throw new CorruptError("Index key text is not valid UTF-8", e);
      }
    case "bytea":
      return readEscaped(reader);
    case "uuid":
      return readUuid(reader);
    default:
      throw unsupported(id);
  }
}

function readEscaped(reader: KeyReader): Uint8Array {
  const out: number[] = [];
  for (;;) {
    const c = reader.byte();
    if (c !== 0) {
      out.push(c);
      continue;
    }
    const next = reader.byte();
    if (next === 1) return Uint8Array.from(out);
    if (next !== 0xff) {
      throw new CorruptError(`Index key has bad escape 0x00 0x${next.toString(16)}`);
    }
    out.push(0);
  }
}

function readUuid(reader: KeyReader): string {
  let hex = "";
  for (let i = 0; i < 16; i++) {
    hex += reader.byte().toString(16).padStart(2, "0");
    if (i === 3 || i === 5 || i === 7 || i === 9) hex += "-";
  }
  return hex;
}

function readNumeric(reader: KeyReader): Numeric {
  const cls = reader.byte();
  if (cls === 4) return new Numeric(0n, 0, true);
  if (cls === 2) return new Numeric(0n, 0);
  if (cls !== 1 && cls !== 3) throw new CorruptError(`Index key has bad numeric class ${cls}`);
  const negative = cls === 1;
  const outer = reader.mask;
  if (negative) reader.mask ^= 0xff;
  const exponent = (reader.u32() ^ 0x80000000) | 0;
  let digits = "";
  for (;;) {
    const b = reader.byte();
    if (b === 0) break;
    if (b > 100) throw new CorruptError(`Index key has bad numeric digit byte ${b}`);
    digits += String(b - 1).padStart(2, "0");
  }
  reader.mask = outer;
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  let scale = digits.length - exponent;
  if (scale < 0) {
    digits += "0".repeat(-scale);
    scale = 0;
  }
  const unscaled = BigInt(digits === "" ? "0" : digits);
  return new Numeric(negative ? -unscaled : unscaled, scale);
}
