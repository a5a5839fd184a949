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
import type { SqlType, Value } from "../common/types.ts";
import { reader, readValue, skipValue } from "./_row_read.ts";
import { writer, writeValue } from "./_row_write.ts";

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
