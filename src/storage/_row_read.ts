/**
 * Reading side of the row codec: the bounds-checked reader `decodeRow` and
 * `decodeColumns` use and the per-type value decodings (see `row_codec.ts`
 * for the layout). Corrupt input throws `CorruptError`.
 * @module
 */

import { CorruptError } from "../common/errors.ts";
import { Interval, Jsonb, Numeric, type SqlType, type Value } from "../common/types.ts";
import { jsonTag } from "./_row_write.ts";

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const twoPow64 = 1n << 64n;

/**
 * Reads from a byte range; every read is bounds-checked so corrupt input
 * throws `CorruptError`. Positions index the whole underlying buffer (`base`
 * is where the caller's bytes start in it), so one reader and one DataView
 * serve every row of a page buffer instead of a new view per row.
 */
export class RowReader {
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
export const reader = new RowReader();

/** Reads the value of type `t` at the reader's position. */
export function readValue(r: RowReader, t: SqlType): Value {
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

/** Moves the reader past the value of type `t` without building it. */
export function skipValue(r: RowReader, t: SqlType): void {
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
