/**
 * Per-column encoders for DataRow and per-parameter decoders for Bind,
 * choosing text or binary format by the client's format codes. Encoders are
 * built once per result and reused for every row.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import type { SqlType, Value } from "../../common/types.ts";
import {
  charTypmodLength,
  formatValue,
  parseValue,
  type TextOptions,
} from "../../common/value_text.ts";
import type { Field } from "../../engine/session_api.ts";
import { decodeBinaryValue, encodeBinaryValue } from "./binary_format.ts";
import type { MessageWriter } from "./message_writer.ts";

/** Appends one DataRow column (int32 length, then bytes) for a non-null value. */
export type ColumnEncoder = (w: MessageWriter, v: Value) => void;

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

function textEncoder(t: SqlType, options: TextOptions): ColumnEncoder {
  switch (t.id) {
    case "int2":
    case "int4":
    case "int8":
    case "oid":
      return (w, v) => w.lengthPrefixedUtf8(String(v));
    case "text":
    case "varchar":
    case "bpchar":
    case "name":
      return (w, v) => w.lengthPrefixedUtf8(typeof v === "string" ? v : String(v));
    case "bool":
      return (w, v) => w.lengthPrefixedUtf8(v === true ? "t" : "f");
    default:
      return (w, v) => w.lengthPrefixedUtf8(formatValue(v, t, options));
  }
}

function binaryEncoder(t: SqlType): ColumnEncoder {
  return (w, v) => {
    const at = w.reserveInt32();
    encodeBinaryValue(w, v, t);
    w.patchInt32(at, w.position - at - 4);
  };
}

/** Shared all-text and all-binary format lists by column count (most Binds use one of them). */
const uniform: [(readonly number[])[], (readonly number[])[]] = [[], []];
const uniformCached = 64;

function uniformFormats(code: 0 | 1, n: number): readonly number[] {
  if (n >= uniformCached) return Object.freeze(new Array<number>(n).fill(code));
  return uniform[code][n] ??= Object.freeze(new Array<number>(n).fill(code));
}

/**
 * Resolves format codes as Bind sends them: none means all text, one applies
 * to every column, otherwise one per column.
 * @throws {DbError} 08P01 when the count fits neither rule
 */
export function resolveFormats(codes: readonly number[], n: number): readonly number[] {
  if (codes.length === 0) return uniformFormats(0, n);
  if (codes.length === 1) return uniformFormats(codes[0] === 1 ? 1 : 0, n);
  if (codes.length !== n) {
    throw new DbError(
      "08P01",
      `Bind message has ${codes.length} result formats but query has ${n} columns`,
    );
  }
  return [...codes];
}

/** Builds one encoder per field for the given result formats. */
export function columnEncoders(
  fields: readonly Field[],
  formats: readonly number[],
  options: TextOptions,
): ColumnEncoder[] {
  return fields.map((f, i) =>
    formats[i] === 1 ? binaryEncoder(f.type) : textEncoder(f.type, options)
  );
}

/** Appends a DataRow ('D') for one row. */
export function encodeDataRow(
  w: MessageWriter,
  row: readonly Value[],
  encoders: readonly ColumnEncoder[],
): void {
  const n = encoders.length;
  const mark = w.position;
  try {
    w.begin("D").int16(n);
    for (let i = 0; i < n; i++) {
      const v = row[i] ?? null;
      if (v === null) w.int32(-1);
      else encoders[i]!(w, v);
    }
    w.end();
  } catch (e) {
    w.truncate(mark); // an ErrorResponse follows; never leave half a DataRow
    throw e;
  }
}

const int4Range = 2_147_483_647;
const surrogate = /[\uD800-\uDFFF]/;

function isPlainInteger(text: string, maxDigits: number): boolean {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0; // "-"
  if (n - i < 1 || n - i > maxDigits) return false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Parses PostgreSQL text input like `parseValue`, with fast paths for the
 * integer and character types that dominate COPY loads and Bind parameters.
 * @throws {DbError} as `parseValue`
 */
export function parseTextValue(text: string, type: SqlType, options: TextOptions): Value {
  switch (type.id) {
    case "int2":
    case "int4":
      if (isPlainInteger(text, 9)) {
        const v = Number(text);
        if (type.id === "int4" || (v >= -32768 && v <= 32767)) return v;
      } else if (isPlainInteger(text, 10)) {
        const v = Number(text);
        if (type.id === "int4" && v >= -int4Range - 1 && v <= int4Range) return v;
      }
      break;
    case "int8":
      if (isPlainInteger(text, 18)) return BigInt(text);
      break;
    case "text":
    case "unknown":
      return text;
    case "varchar":
    case "bpchar": {
      const n = charTypmodLength(type.typmod);
      if (n === undefined) return text;
      if (text.length <= n && !surrogate.test(text)) {
        return type.id === "bpchar" && text.length < n ? text + " ".repeat(n - text.length) : text;
      }
      break;
    }
    default:
      break;
  }
  return parseValue(text, type, options);
}

/** A short all-ASCII parameter as a string without a decoder call, else null. */
function shortAscii(bytes: Uint8Array): string | null {
  const n = bytes.length;
  if (n > 32) return null;
  let s = "";
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c > 0x7f) return null;
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * Decodes one Bind parameter.
 * @param format 0 text, 1 binary
 * @throws {DbError} 22P02/22P03 and friends when the value does not parse
 */
export function decodeParam(
  bytes: Uint8Array | null,
  type: SqlType,
  format: number,
  options: TextOptions,
): Value {
  if (bytes === null) return null;
  if (format === 1) return decodeBinaryValue(bytes, type);
  const ascii = shortAscii(bytes);
  if (ascii !== null) return parseTextValue(ascii, type, options);
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch {
    // The decoder's message names no encoding; PostgreSQL's does.
    throw new DbError("22021", 'Invalid byte sequence for encoding "UTF8"');
  }
  return parseTextValue(text, type, options);
}
