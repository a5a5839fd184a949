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
import type { SqlType, TypeId, Value } from "../common/types.ts";
import { encodeValue, writer } from "./_key_write.ts";
import { decodeValue, KeyReader } from "./_key_read.ts";

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

function typeIdOf(column: KeyColumn): TypeId {
  return typeof column.type === "string" ? column.type : column.type.id;
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
