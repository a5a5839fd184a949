/**
 * Text I/O of the scalar types whose formats are short: booleans, integers,
 * floats, bytea, uuid and vectors, matching PostgreSQL 15 (and pgvector).
 * @module
 */

import { DbError } from "./errors.ts";

/** PostgreSQL's name of a type in error messages. */
export const typeDisplayNames: Readonly<Record<string, string>> = {
  bool: "boolean",
  int2: "smallint",
  int4: "integer",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  numeric: "numeric",
  text: "text",
  varchar: "character varying",
  bpchar: "character",
  name: "name",
  char: '"char"',
  bytea: "bytea",
  date: "date",
  time: "time without time zone",
  timestamp: "timestamp without time zone",
  timestamptz: "timestamp with time zone",
  interval: "interval",
  uuid: "uuid",
  json: "json",
  jsonb: "jsonb",
  oid: "oid",
  vector: "vector",
  record: "record",
  unknown: "unknown",
  void: "void",
  regclass: "regclass",
  regtype: "regtype",
  regproc: "regproc",
  regnamespace: "regnamespace",
};

/** Input-syntax error (22P02) as PostgreSQL words it. */
export function invalidInput(typeName: string, text: string): DbError {
  return new DbError("22P02", `invalid input syntax for type ${typeName}: "${text}"`);
}

/**
 * Parses boolean input (`t`, `true`, `yes`, `on`, `1`, and unique prefixes).
 * @throws {DbError} 22P02
 */
export function parseBool(text: string): boolean {
  const s = text.trim().toLowerCase();
  if (s.length > 0) {
    if ("true".startsWith(s) || ("yes".startsWith(s)) || s === "on" || s === "1") return true;
    if ("false".startsWith(s) || "no".startsWith(s) || s === "off" || s === "of" || s === "0") {
      return false;
    }
  }
  throw invalidInput("boolean", text);
}

const intRanges = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
} as const;

/**
 * Parses int2/int4/int8 input with PostgreSQL's range checks.
 * @throws {DbError} 22P02 bad syntax, 22003 out of range
 */
export function parseInteger(text: string, id: "int2" | "int4" | "int8"): number | bigint {
  const s = text.trim();
  const name = typeDisplayNames[id] ?? id;
  if (!/^[+-]?\d+$/.test(s)) throw invalidInput(name, text);
  const v = BigInt(s);
  const [lo, hi] = intRanges[id];
  if (v < lo || v > hi) {
    throw new DbError("22003", `value "${text}" is out of range for type ${name}`);
  }
  return id === "int8" ? v : Number(v);
}

/**
 * Parses float4/float8 input (`1.5`, `-1e10`, `Infinity`, `NaN`).
 * @throws {DbError} 22P02 bad syntax, 22003 out of range
 */
export function parseFloat(text: string, id: "float4" | "float8"): number {
  const s = text.trim();
  const name = typeDisplayNames[id] ?? id;
  const lower = s.toLowerCase();
  if (lower === "nan") return NaN;
  if (lower === "infinity" || lower === "+infinity" || lower === "inf" || lower === "+inf") {
    return Infinity;
  }
  if (lower === "-infinity" || lower === "-inf") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw invalidInput(name, text);
  const v = Number(s);
  const r = id === "float4" ? Math.fround(v) : v;
  if (!Number.isFinite(r) || (r === 0 && /[1-9]/.test(s.replace(/[eE].*$/, "")))) {
    throw new DbError("22003", `"${text}" is out of range for type ${name}`);
  }
  return r;
}

/** Shortest round-trip digits and decimal exponent of a finite non-zero double. */
function shortestDigits(v: number, single: boolean): [string, number] {
  let e: string;
  if (single) {
    e = v.toExponential(0);
    for (let p = 1; p <= 9; p++) {
      e = v.toExponential(p - 1);
      if (Math.fround(Number(e)) === v) break;
    }
  } else {
    e = v.toExponential();
  }
  const [mant = "", exp = "0"] = e.split("e");
  return [mant.replace("-", "").replace(".", ""), Number(exp)];
}

/** Formats a float4/float8 exactly as PostgreSQL 15 does (shortest round-trip). */
export function formatFloat(v: number, single = false): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const sign = v < 0 ? "-" : "";
  const [digits, exp] = shortestDigits(Math.abs(v), single);
  const limit = single ? 6 : 15;
  if (exp >= -4 && exp < limit) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    if (digits.length <= exp + 1) return sign + digits + "0".repeat(exp + 1 - digits.length);
    return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const expText = String(Math.abs(exp)).padStart(2, "0");
  return `${sign}${mant}e${exp < 0 ? "-" : "+"}${expText}`;
}

const hexDigits = "0123456789abcdef";

/** Formats bytea in hex (`\x0a0b`). */
export function formatBytea(b: Uint8Array): string {
  let out = "\\x";
  for (const x of b) out += hexDigits[x >> 4]! + hexDigits[x & 15]!;
  return out;
}

/**
 * Parses bytea input: hex (`\x0a0b`) or escape format (`a\\b\001`).
 * @throws {DbError} 22P02
 */
export function parseBytea(text: string): Uint8Array {
  if (text.startsWith("\\x") || text.startsWith("\\X")) {
    const hex = text.slice(2).replace(/\s+/g, "");
    if (!/^[0-9a-fA-F]*$/.test(hex)) {
      const bad = /[^0-9a-fA-F]/.exec(hex)?.[0] ?? "";
      throw new DbError("22023", `invalid hexadecimal digit: "${bad}"`);
    }
    if (hex.length % 2 !== 0) {
      throw new DbError("22023", "invalid hexadecimal data: odd number of digits");
    }
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  const bytes: number[] = [];
  const raw = new TextEncoder().encode(text);
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== 92) {
      bytes.push(c);
      continue;
    }
    if (raw[i + 1] === 92) {
      bytes.push(92);
      i++;
      continue;
    }
    const oct = String.fromCharCode(raw[i + 1] ?? 0, raw[i + 2] ?? 0, raw[i + 3] ?? 0);
    if (!/^[0-3][0-7]{2}$/.test(oct)) throw invalidInput("bytea", text);
    bytes.push(parseInt(oct, 8));
    i += 3;
  }
  return Uint8Array.from(bytes);
}

/**
 * Parses uuid input (any case, optional braces and hyphens every 4 digits).
 * @throws {DbError} 22P02
 */
export function parseUuid(text: string): string {
  let s = text.trim();
  if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1);
  const hex = s.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex) || s.startsWith("-") || s.endsWith("-") || /--/.test(s)) {
    throw invalidInput("uuid", text);
  }
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Formats a vector like pgvector (`[1,2.5,3]`). */
export function formatVector(v: Float32Array): string {
  let out = "[";
  for (let i = 0; i < v.length; i++) {
    if (i > 0) out += ",";
    out += formatFloat(v[i]!, true);
  }
  return out + "]";
}

/** Largest vector dimension pgvector accepts. */
export const vectorDimensionsMax = 16000;

/**
 * Parses vector input (`[1,2,3]`), checking the declared dimension when given.
 * @throws {DbError} 22P02 bad syntax, 22000 dimension mismatch
 */
export function parseVector(text: string, dimensions?: number): Float32Array {
  const s = text.trim();
  if (!s.startsWith("[") || !s.endsWith("]")) {
    throw new DbError("22P02", `invalid input syntax for type vector: "${text}"`);
  }
  const body = s.slice(1, -1).trim();
  if (body === "") throw new DbError("22000", "vector must have at least 1 dimension");
  const parts = body.split(",");
  if (parts.length > vectorDimensionsMax) {
    throw new DbError("54000", `vector cannot have more than ${vectorDimensionsMax} dimensions`);
  }
  const out = new Float32Array(parts.length);
  parts.forEach((p, i) => {
    const t = p.trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
      throw new DbError("22P02", `invalid input syntax for type vector: "${text}"`);
    }
    const f = Math.fround(Number(t));
    if (!Number.isFinite(f)) throw new DbError("22003", `"${t}" is out of range for type vector`);
    out[i] = f;
  });
  checkVectorDimensions(out, dimensions);
  return out;
}

/**
 * Checks a vector's dimension against a `vector(n)` typmod.
 * @throws {DbError} 22000
 */
export function checkVectorDimensions(v: Float32Array, dimensions?: number): void {
  if (dimensions !== undefined && dimensions > 0 && v.length !== dimensions) {
    throw new DbError("22000", `expected ${dimensions} dimensions, not ${v.length}`);
  }
}
