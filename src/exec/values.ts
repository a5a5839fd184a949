/**
 * Value helpers for the executor: ordering, hashing keys, text output and
 * input, and casts between the built-in types, with PostgreSQL's error codes.
 * @module
 */
import { compareJsonData, formatJsonData } from "../common/jsonb.ts";
import { formatFloat as formatFloatText } from "../common/text_scalars.ts";
import { DbError } from "../common/errors.ts";
import { formatInterval as formatIntervalText } from "../common/interval.ts";
import { formatValue } from "../common/value_text.ts";
import {
  infinityInput,
  isInfiniteTimestamp,
  timestampInfinity,
  timestampMinusInfinity,
} from "../common/datetime.ts";
import {
  Interval,
  Jsonb,
  Numeric,
  type SqlType,
  type TypeId,
  type Value,
} from "../common/types.ts";
import {
  compareNumeric,
  formatNumeric,
  numericToNumber,
  parseNumeric,
  rescale,
  toNumeric,
} from "./numeric_ops.ts";

const intRanges: Partial<Record<TypeId, [number, number]>> = {
  int2: [-32768, 32767],
  int4: [-2147483648, 2147483647],
};

/** Checks an integer against its type's range. @throws {DbError} 22003 */
export function checkInt(v: number, id: TypeId): number {
  const r = intRanges[id];
  if (r && (v < r[0] || v > r[1])) {
    throw new DbError("22003", `${id === "int2" ? "smallint" : "integer"} out of range`);
  }
  return v;
}

/** Checks an int8 against its range. @throws {DbError} 22003 */
export function checkBigint(v: bigint): bigint {
  if (v < -(2n ** 63n) || v >= 2n ** 63n) throw new DbError("22003", "bigint out of range");
  return v;
}

/** Compares two non-null values of the same type family. */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Numeric || b instanceof Numeric) {
    if (isNumberLike(a) && isNumberLike(b)) return compareNumeric(toNumeric(a), toNumeric(b));
  }
  if ((typeof a === "number" || typeof b === "number") && isNumberLike(a) && isNumberLike(b)) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "bigint" && typeof b === "number") return compareValues(Number(a), b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] !== b[i]) return a[i]! - b[i]!;
    }
    return a.length - b.length;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const x = a[i] ?? null;
      const y = b[i] ?? null;
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
        continue;
      }
      const c = compareValues(x, y);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (a instanceof Jsonb && b instanceof Jsonb) return compareJsonData(a.value, b.value);
  if (a instanceof Interval && b instanceof Interval) {
    const x = intervalMicros(a);
    const y = intervalMicros(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = keyPart(a);
  const y = keyPart(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function isNumberLike(v: Value): v is number | bigint | Numeric {
  return typeof v === "number" || typeof v === "bigint" || v instanceof Numeric;
}

/** An interval as microseconds with 30-day months, as PostgreSQL compares them. */
export function intervalMicros(i: Interval): bigint {
  return i.micros + BigInt(i.days) * 86_400_000_000n + BigInt(i.months) * 30n * 86_400_000_000n;
}

function keyPart(v: Value): string {
  if (v === null) return "N";
  if (typeof v === "number") return `n${Object.is(v, -0) ? 0 : v}`;
  if (typeof v === "bigint") return `n${v}`;
  if (typeof v === "string") return `s${v}`;
  if (typeof v === "boolean") return v ? "t" : "f";
  if (v instanceof Numeric) {
    const n = rescale(v, 0).digits === v.digits * 1n && v.scale === 0 ? v : v;
    return `n${normalizeNumericKey(n)}`;
  }
  if (v instanceof Uint8Array && !(v instanceof Float32Array)) return `b${Array.from(v).join(",")}`;
  if (v instanceof Interval) return `i${intervalMicros(v)}`;
  if (v instanceof Jsonb) return `j${formatJsonData(v.value)}`;
  if (Array.isArray(v)) return `a[${v.map(keyPart).join("|")}]`;
  return `v${String(v)}`;
}

function normalizeNumericKey(n: Numeric): string {
  if (n.nan) return "NaN";
  let s = formatNumeric(n);
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s === "-0" ? "0" : s;
}

/** A string key such that equal SQL values (3, 3::int8, 3.0) give equal keys. */
export function hashKey(values: readonly Value[]): string {
  if (values.length === 1) return keyPart(values[0]!);
  let s = "";
  for (const v of values) s += keyPart(v) + "\u0000";
  return s;
}

/** Formats a value as PostgreSQL's text output does. */
export function formatText(v: Value, type: SqlType): string | null {
  if (v === null) return null;
  switch (type.id) {
    case "bool":
      return v ? "t" : "f";
    case "float4":
      return formatFloatText(v as number, true);
    case "float8":
      return formatFloatText(v as number, false);
    case "numeric":
      return v instanceof Numeric ? formatNumeric(v) : String(v);
    case "date":
      return formatDate(v as number);
    case "timestamp":
      return formatTimestamp(v as bigint, false);
    case "timestamptz":
      return formatTimestamp(v as bigint, true);
    case "time":
      return formatTime(v as bigint);
    case "interval":
      return formatInterval(v as Interval);
    case "bytea":
      return "\\x" + Array.from(v as Uint8Array, (b) => b.toString(16).padStart(2, "0")).join("");
    case "jsonb":
      return v instanceof Jsonb ? formatJsonData(v.value) : String(v);
    case "array":
      return formatArray(v as Value[], type.elem ?? { id: "text" });
    case "record":
      return formatValue(v, type);
    default:
      return typeof v === "string" ? v : String(v);
  }
}

function formatArray(items: readonly Value[], elem: SqlType): string {
  const parts = items.map((x) => {
    // A sub-array of a multi-dimensional array prints as a nested {...}.
    if (Array.isArray(x) && elem.id !== "record") {
      return formatArray(x, elem.id === "array" ? elem.elem ?? elem : elem);
    }
    const t = formatText(x, elem);
    if (t === null) return "NULL";
    return t === "" || /[{},"\\\s]|^null$/i.test(t) ? `"${t.replace(/["\\]/g, "\\$&")}"` : t;
  });
  return `{${parts.join(",")}}`;
}

/** Formats a float8 as PostgreSQL does (shortest exact digits, e+NN beyond 1e15). */
export function formatFloat(x: number): string {
  return formatFloatText(x, false);
}

const dayMs = 86_400_000;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/** Formats days since 1970-01-01 as YYYY-MM-DD. */
export function formatDate(days: number): string {
  if (days === Infinity) return "infinity";
  if (days === -Infinity) return "-infinity";
  const d = new Date(days * dayMs);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function formatTime(micros: bigint): string {
  const total = Number(micros);
  const us = total % 1_000_000;
  const secs = Math.floor(total / 1_000_000);
  const base = `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${
    pad(secs % 60)
  }`;
  return us === 0 ? base : `${base}.${pad(us, 6).replace(/0+$/, "")}`;
}

function formatTimestamp(micros: bigint, tz: boolean): string {
  if (isInfiniteTimestamp(micros)) return micros > 0n ? "infinity" : "-infinity";
  const ms = Number(micros / 1000n);
  const floorMs = micros < 0n && micros % 1000n !== 0n ? ms - 1 : ms;
  const days = Math.floor(floorMs / dayMs);
  const dayMicros = micros - BigInt(days) * 86_400_000_000n;
  return `${formatDate(days)} ${formatTime(dayMicros)}${tz ? "+00" : ""}`;
}

/** Formats an interval in PostgreSQL's default style (`-1 days +01:00:00`). */
export function formatInterval(i: Interval): string {
  return formatIntervalText(i);
}

/** Parses YYYY-MM-DD. @throws {DbError} 22007 */
export function parseDate(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === "infinity") return Infinity;
  if (t === "-infinity") return -Infinity;
  if (t === "epoch") return 0;
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(t);
  if (!m) throw new DbError("22007", `invalid input syntax for type date: "${text}"`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  if (d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() !== Number(m[2]) - 1) {
    throw new DbError("22008", `date/time field value out of range: "${text}"`);
  }
  return Math.round(ms / dayMs);
}

/** Parses a timestamp literal into microseconds since the epoch. @throws {DbError} 22007 */
export function parseTimestamp(text: string, typeName = "timestamp"): bigint {
  if (text.trim().toLowerCase() === "epoch") return 0n;
  const infinite = infinityInput(text);
  if (infinite !== undefined) return infinite > 0 ? timestampInfinity : timestampMinusInfinity;
  const m =
    /^\s*(\d{4}-\d{1,2}-\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(z|[+-]\d{2}(?::?\d{2})?)?\s*$/i
      .exec(text);
  if (!m) throw new DbError("22007", `invalid input syntax for type ${typeName}: "${text}"`);
  const days = parseDate(m[1]!);
  let micros = BigInt(days) * 86_400_000_000n;
  micros += BigInt(Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) *
    1_000_000n;
  micros += BigInt((m[5] ?? "").padEnd(6, "0") || "0");
  const zone = m[6];
  if (zone && zone.toLowerCase() !== "z") {
    const sign = zone[0] === "-" ? -1n : 1n;
    const digits = zone.slice(1).replace(":", "");
    const offsetMin = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
    micros -= sign * offsetMin * 60_000_000n;
  }
  return micros;
}

/** Parses HH:MM[:SS[.ffffff]]. @throws {DbError} 22007 */
export function parseTime(text: string): bigint {
  const m = /^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*$/.exec(text);
  if (!m) throw new DbError("22007", `invalid input syntax for type time: "${text}"`);
  return BigInt(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0)) * 1_000_000n +
    BigInt((m[4] ?? "").padEnd(6, "0") || "0");
}

export { formatNumeric, numericToNumber, parseNumeric, rescale, toNumeric };
