/**
 * PostgreSQL's binary send/receive formats for values, used for Bind
 * parameters and result columns whose format code is 1.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { formatJsonData, parseJsonb } from "../../common/jsonb.ts";
import { Interval, Jsonb, Numeric, type SqlType, type Value } from "../../common/types.ts";
import { enumLabel } from "../../common/value_text.ts";
import { MessageReader } from "./message_reader.ts";
import type { MessageWriter } from "./message_writer.ts";
import { typeOid } from "./pg_types.ts";

/** Days from 1970-01-01 to PostgreSQL's epoch 2000-01-01. */
const epochDays = 10_957;
/** Microseconds from 1970-01-01 to 2000-01-01. */
const epochMicros = 946_684_800_000_000n;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

function wrongValue(v: Value, t: SqlType): DbError {
  return new DbError("XX000", `Value ${String(v)} does not represent type ${t.id}`);
}

/**
 * Appends the binary form of a non-null value (without its length prefix).
 * @throws {DbError} 0A000 for a type without a binary form
 */
export function encodeBinaryValue(w: MessageWriter, v: Value, t: SqlType): void {
  switch (t.id) {
    case "bool":
      w.byte(v === true ? 1 : 0);
      return;
    case "int2":
      w.int16(Number(v));
      return;
    case "int4":
      w.int32(Number(v));
      return;
    case "int8":
      w.int64(typeof v === "bigint" ? v : BigInt(Number(v)));
      return;
    case "oid":
    case "regclass":
    case "regtype":
    case "regproc":
    case "regnamespace":
      w.int32(Number(v) | 0);
      return;
    case "float4":
      w.float32(Number(v));
      return;
    case "float8":
      w.float64(Number(v));
      return;
    case "numeric":
      if (!(v instanceof Numeric)) throw wrongValue(v, t);
      encodeNumeric(w, v);
      return;
    case "bytea":
      if (!(v instanceof Uint8Array)) throw wrongValue(v, t);
      w.bytes(v);
      return;
    case "date":
      w.int32(dateToPg(Number(v)));
      return;
    case "time":
      w.int64(BigInt(v as bigint));
      return;
    case "timestamp":
    case "timestamptz":
      w.int64(BigInt(v as bigint) - epochMicros);
      return;
    case "interval":
      if (!(v instanceof Interval)) throw wrongValue(v, t);
      w.int64(v.micros).int32(v.days).int32(v.months);
      return;
    case "uuid":
      w.bytes(uuidToBytes(String(v)));
      return;
    case "jsonb":
      w.byte(1);
      w.utf8(formatJsonData(v instanceof Jsonb ? v.value : v));
      return;
    case "vector":
      if (!(v instanceof Float32Array)) throw wrongValue(v, t);
      w.int16(v.length).int16(0);
      for (const x of v) w.float32(x);
      return;
    case "array":
      if (!Array.isArray(v)) throw wrongValue(v, t);
      encodeArray(w, v, t.elem ?? { id: "text" });
      return;
    case "text":
    case "enum":
    case "varchar":
    case "bpchar":
    case "name":
    case "char":
    case "json":
    case "unknown":
      w.utf8(String(v));
      return;
    case "record":
      if (!Array.isArray(v)) throw wrongValue(v, t);
      encodeRecord(w, v, t);
      return;
    case "void":
      throw new DbError("0A000", `Binary output of type ${t.id} is not supported`);
  }
}

function dateToPg(days: number): number {
  if (days === Infinity) return 0x7fffffff;
  if (days === -Infinity) return -0x80000000;
  return days - epochDays;
}

function encodeNumeric(w: MessageWriter, v: Numeric): void {
  if (v.nan) {
    w.int16(0).int16(0).int16(0xc000 - 0x10000).int16(0);
    return;
  }
  const neg = v.digits < 0n;
  let s = (neg ? -v.digits : v.digits).toString();
  const scale = Math.max(0, v.scale);
  if (s.length <= scale) s = "0".repeat(scale - s.length + 1) + s;
  let intPart = s.slice(0, s.length - scale);
  let fracPart = s.slice(s.length - scale);
  intPart = "0".repeat((4 - (intPart.length % 4)) % 4) + intPart;
  fracPart += "0".repeat((4 - (fracPart.length % 4)) % 4);
  const all = intPart + fracPart;
  const groups: number[] = [];
  for (let i = 0; i < all.length; i += 4) groups.push(Number(all.slice(i, i + 4)));
  let weight = intPart.length / 4 - 1;
  let first = 0;
  while (first < groups.length && groups[first] === 0) {
    first++;
    weight--;
  }
  let last = groups.length;
  while (last > first && groups[last - 1] === 0) last--;
  if (first === last) weight = 0;
  w.int16(last - first).int16(weight).int16(neg ? 0x4000 : 0).int16(scale);
  for (let i = first; i < last; i++) w.int16(groups[i] ?? 0);
}

function flatten(v: Value[], depth: number): Value[] {
  if (depth === 0) return v;
  const out: Value[] = [];
  for (const x of v) {
    if (!Array.isArray(x)) {
      throw new DbError("2202E", "Multidimensional arrays must have matching extents");
    }
    for (const y of flatten(x, depth - 1)) out.push(y);
  }
  return out;
}

/** record_send: the field count, then each field's type OID and length-prefixed value. */
function encodeRecord(w: MessageWriter, v: Value[], t: SqlType): void {
  w.int32(v.length);
  v.forEach((x, i) => {
    const field = t.fields?.[i]?.type ?? { id: "text" };
    w.int32(typeOid(field));
    if (x === null) {
      w.int32(-1);
      return;
    }
    const at = w.reserveInt32();
    encodeBinaryValue(w, x, field);
    w.patchInt32(at, w.position - at - 4);
  });
}

function encodeArray(w: MessageWriter, v: Value[], elem: SqlType): void {
  const dims: number[] = [];
  let probe: Value = v;
  // Records are JS arrays too: an array of records has one dimension.
  while (Array.isArray(probe) && !(elem.id === "record" && dims.length === 1)) {
    dims.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0] ?? null;
  }
  const flat = dims[0] === 0 ? [] : flatten(v, dims.length - 1);
  w.int32(flat.length === 0 ? 0 : dims.length);
  w.int32(flat.includes(null) ? 1 : 0);
  w.int32(typeOid(elem));
  if (flat.length > 0) { for (const d of dims) w.int32(d).int32(1); }
  for (const x of flat) {
    if (x === null) {
      w.int32(-1);
      continue;
    }
    const at = w.reserveInt32();
    encodeBinaryValue(w, x, elem);
    w.patchInt32(at, w.position - at - 4);
  }
}

/** Converts a canonical uuid string to its 16 bytes. */
export function uuidToBytes(s: string): Uint8Array {
  const hex = s.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new DbError("22P02", `Invalid uuid: "${s}"`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function uuidFromBytes(b: Uint8Array): string {
  let hex = "";
  for (const x of b) hex += x.toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

function badBinary(t: SqlType, n: number): DbError {
  return new DbError("22P03", `Incorrect binary data format for type ${t.id} (${n} bytes)`);
}

function fixed(b: Uint8Array, t: SqlType, n: number): DataView {
  if (b.length !== n) throw badBinary(t, b.length);
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Decodes the binary form of a value of type `t`.
 * @throws {DbError} 22P03 for bytes that do not fit the type's binary layout
 */
export function decodeBinaryValue(b: Uint8Array, t: SqlType): Value {
  switch (t.id) {
    case "bool":
      return fixed(b, t, 1).getUint8(0) !== 0;
    case "int2":
      return fixed(b, t, 2).getInt16(0);
    case "int4":
      return fixed(b, t, 4).getInt32(0);
    case "int8":
      return fixed(b, t, 8).getBigInt64(0);
    case "oid":
    case "regclass":
    case "regtype":
    case "regproc":
    case "regnamespace":
      return fixed(b, t, 4).getUint32(0);
    case "float4":
      return fixed(b, t, 4).getFloat32(0);
    case "float8":
      return fixed(b, t, 8).getFloat64(0);
    case "numeric":
      return decodeNumeric(b, t);
    case "bytea":
      return b.slice();
    case "date": {
      const d = fixed(b, t, 4).getInt32(0);
      return d === 0x7fffffff ? Infinity : d === -0x80000000 ? -Infinity : d + epochDays;
    }
    case "time":
      return fixed(b, t, 8).getBigInt64(0);
    case "timestamp":
    case "timestamptz":
      return fixed(b, t, 8).getBigInt64(0) + epochMicros;
    case "interval": {
      const dv = fixed(b, t, 16);
      return new Interval(dv.getInt32(12), dv.getInt32(8), dv.getBigInt64(0));
    }
    case "uuid":
      fixed(b, t, 16);
      return uuidFromBytes(b);
    case "jsonb":
      if (b[0] !== 1) throw new DbError("22P03", `Unsupported jsonb version number ${b[0]}`);
      return parseJsonb(decodeText(b.subarray(1)));
    case "vector":
      return decodeVector(b, t);
    case "array":
      return decodeArray(b, t.elem ?? { id: "text" });
    case "enum":
      return enumLabel(decodeText(b), t);
    case "text":
    case "varchar":
    case "bpchar":
    case "name":
    case "char":
    case "json":
    case "unknown":
      return decodeText(b);
    case "record":
    case "void":
      throw new DbError("0A000", `Binary input of type ${t.id} is not supported`);
  }
}

function decodeText(b: Uint8Array): string {
  try {
    return utf8Decoder.decode(b);
  } catch {
    // The decoder's own message names no encoding; PostgreSQL's does.
    throw new DbError("22021", 'Invalid byte sequence for encoding "UTF8"');
  }
}

function decodeNumeric(b: Uint8Array, t: SqlType): Numeric {
  if (b.length < 8) throw badBinary(t, b.length);
  const r = new MessageReader(b);
  const ndigits = r.int16();
  const weight = r.int16();
  const sign = r.int16() & 0xffff;
  const dscale = r.int16();
  if (sign === 0xc000) return new Numeric(0n, 0, true);
  if ((sign !== 0 && sign !== 0x4000) || ndigits < 0 || dscale < 0) throw badBinary(t, b.length);
  if (b.length !== 8 + ndigits * 2) throw badBinary(t, b.length);
  let d = 0n;
  for (let i = 0; i < ndigits; i++) {
    const g = r.int16();
    if (g < 0 || g > 9999) throw badBinary(t, b.length);
    d = d * 10000n + BigInt(g);
  }
  const e = 4 * (ndigits - 1 - weight);
  if (e > dscale) d /= 10n ** BigInt(e - dscale);
  else d *= 10n ** BigInt(dscale - e);
  return new Numeric(sign === 0x4000 ? -d : d, dscale);
}

function decodeVector(b: Uint8Array, t: SqlType): Float32Array {
  if (b.length < 4) throw badBinary(t, b.length);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = dv.getInt16(0);
  if (b.length !== 4 + 4 * n) throw badBinary(t, b.length);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 + 4 * i);
  return out;
}

function decodeArray(b: Uint8Array, elem: SqlType): Value[] {
  const r = new MessageReader(b);
  try {
    const ndim = r.int32();
    r.int32(); // has-null flag: the -1 lengths below say the same
    r.int32(); // element OID: the declared parameter type wins
    if (ndim < 0 || ndim > 6) throw badBinary({ id: "array" }, b.length);
    const dims: number[] = [];
    for (let i = 0; i < ndim; i++) {
      dims.push(r.int32());
      r.int32();
    }
    const read = (depth: number): Value[] => {
      const n = dims[depth] ?? 0;
      if (n < 0 || n > r.remaining) throw badBinary({ id: "array" }, b.length);
      const out: Value[] = [];
      for (let i = 0; i < n; i++) {
        if (depth + 1 < dims.length) {
          out.push(read(depth + 1));
          continue;
        }
        const len = r.int32();
        out.push(len < 0 ? null : decodeBinaryValue(r.view(len), elem));
      }
      return out;
    };
    const out = ndim === 0 ? [] : read(0);
    r.done("array");
    return out;
  } catch (e) {
    if (e instanceof DbError && e.sqlstate === "08P01") throw badBinary({ id: "array" }, b.length);
    throw e;
  }
}

/** Returns the UTF-8 bytes of a string (helper for tests and COPY). */
export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}
