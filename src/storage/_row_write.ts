/**
 * Writing side of the row codec: the growing scratch writer `encodeRow` uses
 * and the per-type value encodings (see `row_codec.ts` for the layout).
 * @module
 */

import { DbError } from "../common/errors.ts";
import { type Interval, type Jsonb, Numeric, type SqlType, type Value } from "../common/types.ts";

/** A growing byte buffer with little-endian and varint writes. */
export class RowWriter {
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

/** The writer every encoding reuses (calls are synchronous). */
export const writer = new RowWriter();
const utf8Encoder = new TextEncoder();

/** Appends the encoding of non-NULL value `v` of type `t`. */
export function writeValue(w: RowWriter, t: SqlType, v: Value): void {
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

/** Tags of the jsonb tree encoding (shared with the reader). */
export const jsonTag = {
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
