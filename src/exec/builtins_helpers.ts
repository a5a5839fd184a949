/**
 * Helpers of the built-in functions (`builtins.ts`): text, rounding,
 * quantified comparisons and md5.
 * @module
 */
import { DbError } from "../common/errors.ts";
import { Numeric, type SqlType, type Value } from "../common/types.ts";
import { rescale, toNumeric } from "./numeric_ops.ts";
import { compareValues } from "./values.ts";

const typeNamesByOid: Record<number, string> = {
  16: "boolean",
  17: "bytea",
  19: "name",
  20: "bigint",
  21: "smallint",
  23: "integer",
  25: "text",
  26: "oid",
  114: "json",
  700: "real",
  701: "double precision",
  1042: "character",
  1043: "character varying",
  1082: "date",
  1083: "time without time zone",
  1114: "timestamp without time zone",
  1184: "timestamp with time zone",
  1186: "interval",
  1700: "numeric",
  2950: "uuid",
  3802: "jsonb",
};

/** Array type OID → element type OID. */
const arrayElementOids: Record<number, number> = {
  1000: 16,
  1001: 17,
  1003: 19,
  1005: 21,
  1007: 23,
  1009: 25,
  1014: 1042,
  1015: 1043,
  1016: 20,
  1021: 700,
  1022: 701,
  1028: 26,
  1115: 1114,
  1182: 1082,
  1183: 1083,
  1185: 1184,
  1187: 1186,
  1231: 1700,
  199: 114,
  2951: 2950,
  3807: 3802,
};

/**
 * `format_type(oid, typmod)`: the typmod in PostgreSQL's form, as
 * `pg_attribute.atttypmod` holds it (varchar(n) is n + 4, numeric(p,s) is
 * ((p << 16) | s) + 4, time and timestamp precisions as they are).
 */
export function formatTypeName(oid: number, typmod: number): string {
  const elem = arrayElementOids[oid];
  if (elem !== undefined) return `${formatTypeName(elem, typmod)}[]`;
  const base = typeNamesByOid[oid] ?? "???";
  if (typmod < 0) return base;
  if (oid === 1043 || oid === 1042) return typmod >= 4 ? `${base}(${typmod - 4})` : base;
  if (oid === 1700) {
    const tm = typmod - 4;
    return tm >= 0 ? `numeric(${(tm >> 16) & 0xffff},${tm & 0xffff})` : base;
  }
  const zone = / with(out)? time zone$/.exec(base);
  if (zone) return `${base.slice(0, zone.index)}(${typmod})${zone[0]}`;
  return base;
}

/** `x op ANY|ALL (array)` with SQL's NULL rules. */
/** Internal helper of the built-in functions. */
export function quantified(x: Value, arr: readonly Value[], op: string, all: boolean): Value {
  let sawNull = false;
  for (const v of arr) {
    if (v === null) {
      sawNull = true;
      continue;
    }
    const c = compareValues(x, v);
    const hit = op === "="
      ? c === 0
      : op === "<>"
      ? c !== 0
      : op === "<"
      ? c < 0
      : op === "<="
      ? c <= 0
      : op === ">"
      ? c > 0
      : c >= 0;
    if (hit && !all) return true;
    if (!hit && all) return false;
  }
  return sawNull ? null : all;
}

/** Internal helper of the built-in functions. */
export function substring([a, from, len]: Value[]): Value {
  const chars = [...(a as string)];
  const start = (from as number | undefined) ?? 1;
  if (len === undefined) return chars.slice(Math.max(0, start - 1)).join("");
  if ((len as number) < 0) throw new DbError("22011", "negative substring length not allowed");
  const end = start + (len as number);
  return chars.slice(Math.max(0, start - 1), Math.max(0, end - 1)).join("");
}

/** Internal helper of the built-in functions. */
export function trimChars(s: string, chars: string, left: boolean, right: boolean): string {
  let a = 0;
  let b = s.length;
  while (left && a < b && chars.includes(s[a]!)) a++;
  while (right && b > a && chars.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** Internal helper of the built-in functions. */
export function pad(s: string, n: number, fill: string, left: boolean): string {
  const chars = [...s];
  if (chars.length >= n) return chars.slice(0, n).join("");
  if (fill === "") return s;
  let extra = "";
  while ([...extra].length < n - chars.length) extra += fill;
  extra = [...extra].slice(0, n - chars.length).join("");
  return left ? extra + s : s + extra;
}

/** Internal helper of the built-in functions. */
export function extreme(
  args: Value[],
  dir: number,
  compare: (a: Value, b: Value) => number = compareValues,
): Value {
  let best: Value = null;
  for (const a of args) {
    if (a === null) continue;
    if (best === null || compare(a, best) * dir > 0) best = a;
  }
  return best;
}

/** Internal helper of the built-in functions. */
export function roundFn(a: Value, digits: number, type: SqlType): Value {
  if (a instanceof Numeric || type.id === "numeric") {
    return rescale(toNumeric(a as number), Math.max(0, digits));
  }
  const x = a as number;
  const f = Math.pow(10, digits);
  const r = Math.sign(x) * Math.round(Math.abs(x) * f) / f;
  return Math.abs(x % 1) === 0.5 && digits === 0 ? 2 * Math.round(x / 2) : r;
}

/** Internal helper of the built-in functions. */
export function truncNumeric(a: Numeric, d: number): Numeric {
  if (d >= a.scale) return a;
  const div = 10n ** BigInt(a.scale - d);
  return new Numeric(a.digits / div, d);
}

/** Internal helper of the built-in functions. */
export function floorNumeric(a: Numeric, ceil: boolean): Numeric {
  const t = truncNumeric(a, 0);
  const exact = t.digits * 10n ** BigInt(a.scale) === a.digits;
  if (exact) return t;
  if (ceil && a.digits > 0n) return new Numeric(t.digits + 1n, 0);
  if (!ceil && a.digits < 0n) return new Numeric(t.digits - 1n, 0);
  return t;
}

/** Internal helper of the built-in functions. */
export function md5Hex(s: string): string {
  // Small MD5 for md5(text); PostgreSQL returns lower-case hex.
  const bytes = new TextEncoder().encode(s);
  const k = Array.from(
    { length: 64 },
    (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0,
  );
  const r = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const len = ((bytes.length + 8) >>> 6) + 1;
  const words = new Uint32Array(len * 16);
  bytes.forEach((b, i) => (words[i >> 2]! |= b << ((i % 4) * 8)));
  words[bytes.length >> 2]! |= 0x80 << ((bytes.length % 4) * 8);
  words[len * 16 - 2] = (bytes.length * 8) >>> 0;
  let [a0, b0, c0, d0] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  for (let blk = 0; blk < len * 16; blk += 16) {
    let [a, b, c, d] = [a0, b0, c0, d0];
    for (let i = 0; i < 64; i++) {
      const q = i >> 4;
      const f = q === 0
        ? (b & c) | (~b & d)
        : q === 1
        ? (d & b) | (~d & c)
        : q === 2
        ? b ^ c ^ d
        : c ^ (b | ~d);
      const g = q === 0
        ? i
        : q === 1
        ? (5 * i + 1) % 16
        : q === 2
        ? (3 * i + 5) % 16
        : (7 * i) % 16;
      const tmp = d;
      d = c;
      c = b;
      const x = (a + f + k[i]! + words[blk + g]!) >>> 0;
      const s = r[q * 4 + (i % 4)]!;
      b = (b + ((x << s) | (x >>> (32 - s)))) >>> 0;
      a = tmp;
    }
    a0 = (a0 + a) >>> 0;
    b0 = (b0 + b) >>> 0;
    c0 = (c0 + c) >>> 0;
    d0 = (d0 + d) >>> 0;
  }
  return [a0, b0, c0, d0].map((w) =>
    Array.from({ length: 4 }, (_, i) => ((w >>> (i * 8)) & 0xff).toString(16).padStart(2, "0"))
      .join("")
  ).join("");
}
