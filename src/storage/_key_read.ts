/**
 * Reading side of the key codec: a sequential reader over an encoded key and
 * the value decodings (see `key_codec.ts` for the format). Malformed bytes
 * throw `CorruptError`.
 * @module
 */

import { CorruptError } from "../common/errors.ts";
import { Numeric, type TypeId, type Value } from "../common/types.ts";
import { floatView, unsupported } from "./_key_write.ts";

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** Sequential reader over an encoded key; `mask` is 0xff inside descending columns. */
export class KeyReader {
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

/** Reads the value of type `id` at the reader's position (under its current mask). */
export function decodeValue(reader: KeyReader, id: TypeId): Value {
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
