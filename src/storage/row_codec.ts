/**
 * Compact binary encoding of a table row (`Value[]` with known `SqlType[]`).
 *
 * Layout: varint column count, a null bitmap (bit i of byte i>>3 set when
 * column i is NULL), then each non-NULL value in column order. The column
 * count is stored so rows written before `ALTER TABLE ... ADD COLUMN` decode
 * with the new columns as NULL.
 *
 * Value encodings (little-endian):
 * - bool: 1 byte; int2: 2; int4, date: 4 (signed); oid and reg*: 4 (unsigned)
 * - int8, time, timestamp, timestamptz: 8 (signed); float4: 4; float8: 8
 * - text-like (text, varchar, bpchar, name, char, json, unknown): varint byte
 *   length + UTF-8; uuid: 16 bytes; bytea: varint length + bytes
 * - numeric: flags (1 nan, 2 negative, 4 big), varint zig-zag scale, then the
 *   magnitude as a varint (small) or varint length + little-endian bytes (big)
 * - interval: int32 months, int32 days, int64 micros
 * - jsonb: a tagged tree (null, false, true, float64, numeric, string, array,
 *   object), so `Numeric` numbers round-trip exactly
 * - vector: varint dimension + float32 each
 * - array: varint count, then per element a tag (0 NULL, 1 value, 2 nested
 *   array for multi-dimensional arrays) and the element's encoding
 *
 * Encoding reuses one growing scratch buffer (calls are synchronous) and
 * copies the result once; decoding reads straight from the given bytes and
 * can skip columns the caller does not need.
 * @module
 */

import { CorruptError, DbError } from "../common/errors.ts";
import { Interval, Jsonb, Numeric, type SqlType, type Value } from "../common/types.ts";

class RowWriter {
  buf = new Uint8Array(1024);
  view = new DataView(this.buf.buffer);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  varint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }
  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

const writer = new RowWriter();
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const twoPow64 = 1n << 64n;

/**
 * Encodes a row. The result starts with `headerBytes` zero bytes the caller
 * may fill (the MVCC tuple header), so a tuple needs one allocation.
 * @param types the column types; `values.length` may not exceed it
 * @param values one value per column (`null` for SQL NULL)
 * @param headerBytes bytes to reserve before the row
 * @returns the encoded row
 * @throws {DbError} 0A000 for a type that cannot be stored (record, void)
 * @example encodeRow([type("int4"), type("text")], [1, "a"])
 */
export function encodeRow(
  types: readonly SqlType[],
  values: readonly Value[],
  headerBytes = 0,
): Uint8Array {
  encodeInto(types, values, headerBytes);
  return writer.buf.slice(0, writer.pos);
}

function encodeInto(
  types: readonly SqlType[],
  values: readonly Value[],
  headerBytes: number,
): void {
  const w = writer;
  w.pos = 0;
  const n = values.length;
  if (n > types.length) {
    throw new DbError("22023", `Row of ${n} values has only ${types.length} column types`);
  }
  w.ensure(headerBytes + 8 + (n >> 3) + 1);
  w.buf.fill(0, 0, headerBytes);
  w.pos = headerBytes;
  w.varint(n);
  const bitmap = w.pos;
  const bitmapBytes = (n + 7) >> 3;
  w.buf.fill(0, bitmap, bitmap + bitmapBytes);
  w.pos += bitmapBytes;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v === null || v === undefined) {
      w.buf[bitmap + (i >> 3)]! |= 1 << (i & 7);
      continue;
    }
    writeValue(w, types[i]!, v);
  }
}

/** Views of the shared writer buffer by length, rebuilt when the buffer grows. */
let scratchViews: Uint8Array[] = [];
let scratchOf: Uint8Array | null = null;

/**
 * Like `encodeRow`, but without a copy: the result is a view of a shared
 * buffer, valid only until the next row is encoded (for a caller that copies
 * it at once, such as a heap insert; a fresh typed array costs far more than
 * the copy).
 * @throws {DbError} as `encodeRow`
 */
export function encodeRowScratch(
  types: readonly SqlType[],
  values: readonly Value[],
  headerBytes = 0,
): Uint8Array {
  encodeInto(types, values, headerBytes);
  const buf = writer.buf;
  if (scratchOf !== buf) {
    scratchOf = buf;
    scratchViews = [];
  }
  const len = writer.pos;
  return scratchViews[len] ??= buf.subarray(0, len);
}

function writeValue(w: RowWriter, t: SqlType, v: Value): void {
  switch (t.id) {
    case "bool":
      w.byte(v ? 1 : 0);
      return;
    case "int2":
      w.ensure(2);
      w.view.setInt16(w.pos, v as number, true);
      w.pos += 2;
      return;
    case "int4":
    case "date":
      w.ensure(4);
      w.view.setInt32(w.pos, v as number, true);
      w.pos += 4;
      return;
    case "oid":
    case "regclass":
    case "regtype":
    case "regproc":
    case "regnamespace":
      w.ensure(4);
      w.view.setUint32(w.pos, v as number, true);
      w.pos += 4;
      return;
    case "int8":
    case "time":
    case "timestamp":
    case "timestamptz":
      w.ensure(8);
      w.view.setBigInt64(w.pos, v as bigint, true);
      w.pos += 8;
      return;
    case "float4":
      w.ensure(4);
      w.view.setFloat32(w.pos, v as number, true);
      w.pos += 4;
      return;
    case "float8":
      w.ensure(8);
      w.view.setFloat64(w.pos, v as number, true);
      w.pos += 8;
      return;
    case "numeric":
      writeNumeric(w, v as Numeric);
      return;
    case "text":
    case "enum":
    case "varchar":
    case "bpchar":
    case "name":
    case "char":
    case "json":
    case "unknown":
      writeString(w, v as string);
      return;
    case "uuid":
      writeUuid(w, v as string);
      return;
    case "bytea":
      w.bytes(v as Uint8Array);
      return;
    case "interval": {
      const iv = v as Interval;
      w.ensure(16);
      w.view.setInt32(w.pos, iv.months, true);
      w.view.setInt32(w.pos + 4, iv.days, true);
      w.view.setBigInt64(w.pos + 8, iv.micros, true);
      w.pos += 16;
      return;
    }
    case "jsonb":
      writeJson(w, (v as Jsonb).value);
      return;
    case "vector":
      writeVector(w, v as Float32Array);
      return;
    case "array":
      writeArray(w, t.elem ?? { id: "unknown" }, v as Value[]);
      return;
    case "record":
    case "void":
      throw new DbError("0A000", `Values of type ${t.id} cannot be stored in a table`);
  }
}

/**
 * The last long ASCII string written and its bytes: a load repeats the same
 * value row after row (pgbench's blank-padded fillers), and one comparison
 * and copy beat encoding it again. Shorter strings are not worth the check.
 */
const repeated = { text: "", bytes: new Uint8Array(0) };
const repeatedMin = 32;

/** Keeps the bytes of `text` once it came twice in a row (distinct values cost no copy). */
function rememberRepeated(text: string, buf: Uint8Array, at: number): void {
  if (text === repeated.text) {
    repeated.bytes = buf.slice(at, at + text.length);
  } else {
    repeated.text = text;
    repeated.bytes = noBytes;
  }
}
const noBytes = new Uint8Array(0);

function writeString(w: RowWriter, s: string): void {
  const n = s.length;
  // Optimistically ASCII (one byte per unit, so the length is known up front): one pass
  // writes it; the first non-ASCII unit rewinds to the general encoding.
  const start = w.pos;
  w.varint(n);
  w.ensure(n);
  const buf = w.buf;
  const p = w.pos;
  if (n >= repeatedMin && repeated.bytes.length === n && s === repeated.text) {
    buf.set(repeated.bytes, p);
    w.pos = p + n;
    return;
  }
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    buf[p + i] = c;
  }
  if (i === n) {
    w.pos = p + n;
    if (n >= repeatedMin) rememberRepeated(s, buf, p);
    return;
  }
  w.pos = start;
  writeUtf8(w, s);
}

/** `writeString` for text with non-ASCII characters. */
function writeUtf8(w: RowWriter, s: string): void {
  const n = s.length;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && isLowSurrogate(s.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  w.varint(bytes);
  w.ensure(bytes);
  const p = w.pos;
  const r = utf8Encoder.encodeInto(s, w.buf.subarray(p, p + bytes));
  if (r.written !== bytes) {
    throw new DbError("22021", `Text of ${bytes} UTF-8 bytes encoded as ${r.written}`);
  }
  w.pos = p + bytes;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function writeUuid(w: RowWriter, s: string): void {
  if (s.length !== 36) throw new DbError("22P02", `Invalid input syntax for type uuid: "${s}"`);
  w.ensure(16);
  let o = w.pos;
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) continue;
    const hi = hexValue(s.charCodeAt(i));
    const lo = hexValue(s.charCodeAt(++i));
    if (hi < 0 || lo < 0) throw new DbError("22P02", `Invalid input syntax for type uuid: "${s}"`);
    w.buf[o++] = (hi << 4) | lo;
  }
  w.pos = o;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function writeNumeric(w: RowWriter, v: Numeric): void {
  const negative = v.digits < 0n;
  const mag = negative ? -v.digits : v.digits;
  const big = mag > 0x1fffffffffffffn;
  w.byte((v.nan ? 1 : 0) | (negative ? 2 : 0) | (big ? 4 : 0));
  w.varint(v.scale >= 0 ? v.scale * 2 : -v.scale * 2 - 1);
  if (!big) {
    w.varint(Number(mag));
    return;
  }
  const words: bigint[] = [];
  for (let m = mag; m > 0n; m >>= 64n) words.push(BigInt.asUintN(64, m));
  w.varint(words.length * 8);
  w.ensure(words.length * 8);
  for (const word of words) {
    w.view.setBigUint64(w.pos, word, true);
    w.pos += 8;
  }
}

const jsonTag = {
  null: 0,
  false: 1,
  true: 2,
  float: 3,
  numeric: 4,
  string: 5,
  array: 6,
  object: 7,
};

function writeJson(w: RowWriter, v: unknown): void {
  if (v === null || v === undefined) return w.byte(jsonTag.null);
  if (v === false) return w.byte(jsonTag.false);
  if (v === true) return w.byte(jsonTag.true);
  if (typeof v === "number") {
    w.byte(jsonTag.float);
    w.ensure(8);
    w.view.setFloat64(w.pos, v, true);
    w.pos += 8;
    return;
  }
  if (typeof v === "bigint") return writeJson(w, new Numeric(v, 0));
  if (v instanceof Numeric) {
    w.byte(jsonTag.numeric);
    return writeNumeric(w, v);
  }
  if (typeof v === "string") {
    w.byte(jsonTag.string);
    return writeString(w, v);
  }
  if (Array.isArray(v)) {
    w.byte(jsonTag.array);
    w.varint(v.length);
    for (const e of v) writeJson(w, e);
    return;
  }
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>);
    w.byte(jsonTag.object);
    w.varint(entries.length);
    for (const [k, e] of entries) {
      writeString(w, k);
      writeJson(w, e);
    }
    return;
  }
  throw new DbError("22032", `Value of JavaScript type ${typeof v} is not valid jsonb`);
}

function writeVector(w: RowWriter, v: Float32Array): void {
  w.varint(v.length);
  w.ensure(v.length * 4);
  for (let i = 0; i < v.length; i++) {
    w.view.setFloat32(w.pos, v[i]!, true);
    w.pos += 4;
  }
}

function writeArray(w: RowWriter, elem: SqlType, v: readonly Value[]): void {
  w.varint(v.length);
  for (const e of v) {
    if (e === null || e === undefined) w.byte(0);
    else if (Array.isArray(e) && elem.id !== "array") {
      w.byte(2);
      writeArray(w, elem, e);
    } else {
      w.byte(1);
      writeValue(w, elem, e);
    }
  }
}

/**
 * Reads from a byte range; every read is bounds-checked so corrupt input
 * throws `CorruptError`. Positions index the whole underlying buffer (`base`
 * is where the caller's bytes start in it), so one reader and one DataView
 * serve every row of a page buffer instead of a new view per row.
 */
class RowReader {
  buf: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(this.buf.buffer);
  pos = 0;
  end = 0;
  base = 0;
  #last: Uint8Array | null = null;
  reset(bytes: Uint8Array, start: number, end: number): this {
    // The same page buffer comes back row after row: skip the buffer checks then.
    if (
      bytes !== this.#last &&
      (bytes.buffer !== this.buf.buffer || this.buf.byteLength !== bytes.buffer.byteLength)
    ) {
      this.buf = new Uint8Array(bytes.buffer);
      this.view = new DataView(bytes.buffer);
    }
    this.#last = bytes;
    this.base = bytes.byteOffset;
    this.pos = this.base + start;
    this.end = this.base + end;
    return this;
  }
  need(n: number): number {
    const p = this.pos;
    if (p + n > this.end) {
      throw new CorruptError(
        `Row data truncated: need ${n} bytes at ${p - this.base}, row ends at ${
          this.end - this.base
        }`,
      );
    }
    this.pos = p + n;
    return p;
  }
  byte(): number {
    return this.buf[this.need(1)]!;
  }
  varint(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
    throw new CorruptError(`Row data has an overlong varint at ${this.pos - this.base}`);
  }
}

/** The reader `decodeRow` reuses (decoding is synchronous and never re-entered). */
const reader = new RowReader();

/**
 * Decodes a row encoded by `encodeRow`.
 * @param types the current column types (columns missing from an older row decode as NULL)
 * @param bytes the buffer holding the row
 * @param start where the row starts in `bytes` (after any tuple header)
 * @param wanted when given, only columns with `wanted[i]` true are decoded; the rest are NULL
 * @returns one value per entry of `types`
 * @throws {CorruptError} XX001 when the bytes are not a valid row
 */
export function decodeRow(
  types: readonly SqlType[],
  bytes: Uint8Array,
  start = 0,
  wanted?: readonly boolean[],
): Value[] {
  const r = reader.reset(bytes, start, bytes.length);
  const n = r.varint();
  if (n > types.length) {
    throw new CorruptError(`Row has ${n} columns but the table has ${types.length}`);
  }
  const bitmap = r.need((n + 7) >> 3);
  const out = new Array<Value>(types.length);
  for (let i = 0; i < types.length; i++) {
    if (i >= n || (r.buf[bitmap + (i >> 3)]! & (1 << (i & 7))) !== 0) {
      out[i] = null;
    } else if (wanted === undefined || wanted[i] === true) {
      out[i] = readValue(r, types[i]!);
    } else {
      out[i] = null;
      skipValue(r, types[i]!);
    }
  }
  return out;
}

/**
 * Decodes some columns of a row encoded by `encodeRow`, appending the value
 * of column `cols[j]` to `outs[j]` (no row array). Columns the stored row is
 * too short for take `missing[i]` (values of columns added later).
 * @param cols column numbers, strictly ascending, each below `types.length`
 * @throws {CorruptError} XX001 when the bytes are not a valid row
 */
export function decodeColumns(
  types: readonly SqlType[],
  bytes: Uint8Array,
  start: number,
  end: number,
  cols: readonly number[],
  outs: Value[][],
  missing: readonly Value[],
): void {
  const r = reader.reset(bytes, start, end);
  const n = r.varint();
  if (n > types.length) {
    throw new CorruptError(`Row has ${n} columns but the table has ${types.length}`);
  }
  const bitmap = r.need((n + 7) >> 3);
  const buf = r.buf;
  for (let i = 0, c = 0; c < cols.length; i++) {
    const want = cols[c] === i;
    if (i >= n) {
      if (want) outs[c++]!.push(missing[i] ?? null);
    } else if ((buf[bitmap + (i >> 3)]! & (1 << (i & 7))) !== 0) {
      if (want) outs[c++]!.push(null);
    } else if (want) outs[c++]!.push(readValue(r, types[i]!));
    else skipValue(r, types[i]!);
  }
}

function readValue(r: RowReader, t: SqlType): Value {
  switch (t.id) {
    case "bool":
      return r.byte() !== 0;
    case "int2":
      return r.view.getInt16(r.need(2), true);
    case "int4":
    case "date":
      return r.view.getInt32(r.need(4), true);
    case "oid":
    case "regclass":
    case "regtype":
    case "regproc":
    case "regnamespace":
      return r.view.getUint32(r.need(4), true);
    case "int8":
    case "time":
    case "timestamp":
    case "timestamptz":
      return r.view.getBigInt64(r.need(8), true);
    case "float4":
      return r.view.getFloat32(r.need(4), true);
    case "float8":
      return r.view.getFloat64(r.need(8), true);
    case "numeric":
      return readNumeric(r);
    case "text":
    case "enum":
    case "varchar":
    case "bpchar":
    case "name":
    case "char":
    case "json":
    case "unknown":
      return readString(r);
    case "uuid":
      return readUuid(r);
    case "bytea": {
      const len = r.varint();
      const p = r.need(len);
      return r.buf.slice(p, p + len);
    }
    case "interval": {
      const p = r.need(16);
      return new Interval(
        r.view.getInt32(p, true),
        r.view.getInt32(p + 4, true),
        r.view.getBigInt64(p + 8, true),
      );
    }
    case "jsonb":
      return new Jsonb(readJson(r, 0));
    case "vector": {
      const dim = r.varint();
      const p = r.need(dim * 4);
      const out = new Float32Array(dim);
      for (let i = 0; i < dim; i++) out[i] = r.view.getFloat32(p + i * 4, true);
      return out;
    }
    case "array":
      return readArray(r, t.elem ?? { id: "unknown" }, 0);
    case "record":
    case "void":
      throw new CorruptError(`Row holds a value of type ${t.id}, which is never stored`);
  }
}

function skipValue(r: RowReader, t: SqlType): void {
  switch (t.id) {
    case "bool":
      r.need(1);
      return;
    case "int2":
      r.need(2);
      return;
    case "int4":
    case "date":
    case "oid":
    case "regclass":
    case "regtype":
    case "regproc":
    case "regnamespace":
    case "float4":
      r.need(4);
      return;
    case "int8":
    case "time":
    case "timestamp":
    case "timestamptz":
    case "float8":
      r.need(8);
      return;
    case "text":
    case "enum":
    case "varchar":
    case "bpchar":
    case "name":
    case "char":
    case "json":
    case "unknown":
    case "bytea":
      r.need(r.varint());
      return;
    case "uuid":
      r.need(16);
      return;
    case "interval":
      r.need(16);
      return;
    case "vector":
      r.need(r.varint() * 4);
      return;
    default:
      readValue(r, t);
  }
}

function readString(r: RowReader): string {
  const len = r.varint();
  const p = r.need(len);
  const buf = r.buf;
  // Short ASCII text (the common case) decodes without a call into the
  // runtime's UTF-8 decoder, which costs more than the loop.
  if (len <= 1024) {
    let ascii = true;
    for (let i = p; i < p + len; i++) {
      if (buf[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return String.fromCharCode.apply(null, buf.subarray(p, p + len) as unknown as number[]);
    }
  }
  try {
    return utf8Decoder.decode(buf.subarray(p, p + len));
  } catch (e) {
    throw new CorruptError(`Row text of ${len} bytes at ${p - r.base} is not valid UTF-8`, e);
  }
}

const hexDigits = "0123456789abcdef";

function readUuid(r: RowReader): string {
  const p = r.need(16);
  let s = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += "-";
    const b = r.buf[p + i]!;
    s += hexDigits[b >> 4]! + hexDigits[b & 15]!;
  }
  return s;
}

function readNumeric(r: RowReader): Numeric {
  const flags = r.byte();
  const z = r.varint();
  const scale = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  let mag: bigint;
  if ((flags & 4) === 0) {
    mag = BigInt(r.varint());
  } else {
    const len = r.varint();
    if (len % 8 !== 0) {
      throw new CorruptError(`Numeric magnitude of ${len} bytes is not whole words`);
    }
    const p = r.need(len);
    mag = 0n;
    for (let o = len - 8; o >= 0; o -= 8) mag = mag * twoPow64 + r.view.getBigUint64(p + o, true);
  }
  return new Numeric((flags & 2) !== 0 ? -mag : mag, scale, (flags & 1) !== 0);
}

/** Bounds recursion on corrupt input; documents nest no deeper than expressions do. */
const jsonDepthMax = 10_000;

function readJson(r: RowReader, depth: number): unknown {
  if (depth > jsonDepthMax) throw new CorruptError(`Jsonb nesting exceeds ${jsonDepthMax}`);
  const tag = r.byte();
  switch (tag) {
    case jsonTag.null:
      return null;
    case jsonTag.false:
      return false;
    case jsonTag.true:
      return true;
    case jsonTag.float:
      return r.view.getFloat64(r.need(8), true);
    case jsonTag.numeric:
      return readNumeric(r);
    case jsonTag.string:
      return readString(r);
    case jsonTag.array: {
      const n = r.varint();
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(readJson(r, depth + 1));
      return out;
    }
    case jsonTag.object: {
      const n = r.varint();
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const k = readString(r);
        out[k] = readJson(r, depth + 1);
      }
      return out;
    }
    default:
      throw new CorruptError(`Unknown jsonb tag ${tag} at ${r.pos - r.base - 1}`);
  }
}

function readArray(r: RowReader, elem: SqlType, depth: number): Value[] {
  if (depth > jsonDepthMax) throw new CorruptError(`Array nesting exceeds ${jsonDepthMax}`);
  const n = r.varint();
  if (n > r.end - r.pos) {
    throw new CorruptError(`Array of ${n} elements exceeds the row's ${r.end - r.pos} bytes`);
  }
  const out = new Array<Value>(n);
  for (let i = 0; i < n; i++) {
    const tag = r.byte();
    if (tag === 0) out[i] = null;
    else if (tag === 1) out[i] = readValue(r, elem);
    else if (tag === 2) out[i] = readArray(r, elem, depth + 1);
    else throw new CorruptError(`Unknown array element tag ${tag}`);
  }
  return out;
}
