/**
 * Ordering and hashing of SQL values, per type, as PostgreSQL's default
 * btree and hash operator classes behave (C collation for text). Used by
 * comparisons, ORDER BY, DISTINCT, GROUP BY, joins and indexes.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { Interval, Jsonb, Numeric, type SqlType, type Value } from "../../common/types.ts";
import { numericCompare, numericToString, numericTrimScale } from "../../common/numeric.ts";
import { compareIntervals, intervalSortKey } from "../../common/interval.ts";
import { compareJsonData, formatJsonData } from "../../common/jsonb.ts";
import { formatTypeName } from "../../common/value_text.ts";

/** Compares two non-null values of one type: negative, zero or positive. */
/** The comparison operators. */
export type CmpOp = "=" | "<>" | "<" | "<=" | ">" | ">=";

/** Maps a comparator result to the operator's boolean. */
export function testResult(op: CmpOp, c: number): boolean {
  switch (op) {
    case "=":
      return c === 0;
    case "<>":
      return c !== 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
  }
}

export type Comparator = (a: Value, b: Value) => number;

function compareNumbers(a: Value, b: Value): number {
  const x = a as number;
  const y = b as number;
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  // NaN sorts above everything and equals itself, as in PostgreSQL.
  const xn = Number.isNaN(x);
  const yn = Number.isNaN(y);
  return xn === yn ? 0 : xn ? 1 : -1;
}

function compareBigints(a: Value, b: Value): number {
  return (a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0;
}

function compareStrings(a: Value, b: Value): number {
  return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
}

function compareBpchar(a: Value, b: Value): number {
  return compareStrings((a as string).replace(/ +$/, ""), (b as string).replace(/ +$/, ""));
}

function compareBytes(a: Value, b: Value): number {
  const x = a as Uint8Array;
  const y = b as Uint8Array;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return x.length - y.length;
}

function compareVectors(a: Value, b: Value): number {
  const x = a as Float32Array;
  const y = b as Float32Array;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const c = compareNumbers(x[i] ?? 0, y[i] ?? 0);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

function arrayComparator(elem: Comparator): Comparator {
  const cmp = (a: Value, b: Value): number => {
    const x = a as Value[];
    const y = b as Value[];
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const u = x[i] ?? null;
      const v = y[i] ?? null;
      if (u === null || v === null) {
        if (u === v) continue;
        return u === null ? 1 : -1;
      }
      const c = Array.isArray(u) && Array.isArray(v) ? cmp(u, v) : elem(u, v);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  };
  return cmp;
}

/**
 * Returns the comparator for `t`.
 * @throws {DbError} 42883 for types without ordering (json)
 */
export function comparatorFor(t: SqlType): Comparator {
  switch (t.id) {
    case "int2":
    case "int4":
    case "float4":
    case "float8":
    case "oid":
    case "regclass":
    case "regtype":
    case "regproc":
    case "regnamespace":
    case "date":
      return compareNumbers;
    case "int8":
    case "time":
    case "timestamp":
    case "timestamptz":
      return compareBigints;
    case "bool":
      return (a, b) => Number(a) - Number(b);
    case "numeric":
      return (a, b) => numericCompare(a as Numeric, b as Numeric);
    case "text":
    case "varchar":
    case "name":
    case "char":
    case "uuid":
    case "unknown":
      return compareStrings;
    case "bpchar":
      return compareBpchar;
    case "enum":
      return enumComparator(t);
    case "bytea":
      return compareBytes;
    case "interval":
      return (a, b) => compareIntervals(a as Interval, b as Interval);
    case "jsonb":
      return (a, b) => compareJsonData((a as Jsonb).value, (b as Jsonb).value);
    case "vector":
      return compareVectors;
    case "array":
      return arrayComparator(t.elem ? comparatorFor(t.elem) : compareStrings);
    case "record":
      return arrayComparator(compareGeneric);
    case "json":
    case "void":
      throw new DbError(
        "42883",
        `could not identify an ordering operator for type ${formatTypeName(t)}`,
      );
  }
}

/** Compares values of unknown type by their JavaScript representation (records). */
export function compareGeneric(a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return compareNumbers(a, b);
  if (typeof a === "bigint" && typeof b === "bigint") return compareBigints(a, b);
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (a instanceof Numeric && b instanceof Numeric) return numericCompare(a, b);
  if (a instanceof Interval && b instanceof Interval) return compareIntervals(a, b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (a instanceof Float32Array && b instanceof Float32Array) return compareVectors(a, b);
  if (a instanceof Jsonb && b instanceof Jsonb) return compareJsonData(a.value, b.value);
  if (Array.isArray(a) && Array.isArray(b)) return arrayComparator(compareGeneric)(a, b);
  if (
    (typeof a === "number" || typeof a === "bigint") &&
    (typeof b === "number" || typeof b === "bigint")
  ) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return compareStrings(String(a), String(b));
}

/**
 * Compares two values of type `t` with NULLs last (ORDER BY's default).
 * @example compareValues(1, 2, type("int4")) // -1
 */
export function compareValues(a: Value, b: Value, t: SqlType): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return comparatorFor(t)(a, b);
}

/**
 * A primitive key equal for values PostgreSQL's hash opclass treats as equal
 * (1.0 = 1.00 numerics, -0 = 0, bpchar trailing spaces), for Map-based
 * grouping, DISTINCT and hash joins. NULL maps to null.
 */
export function hashKey(v: Value, t: SqlType): string | number | bigint | boolean | null {
  if (v === null) return null;
  if (typeof v === "number") return v === 0 ? 0 : v;
  if (typeof v === "bigint" || typeof v === "boolean") return v;
  if (typeof v === "string") return t.id === "bpchar" ? v.replace(/ +$/, "") : v;
  if (v instanceof Numeric) return v.nan ? "NaN" : numericToString(numericTrimScale(v));
  if (v instanceof Interval) return intervalSortKey(v);
  if (v instanceof Jsonb) return formatJsonData(v.value);
  if (v instanceof Uint8Array || v instanceof Float32Array) {
    return "\u0001" + Array.from(v).join(",");
  }
  if (Array.isArray(v)) {
    const elem = t.elem ?? t;
    return "\u0002" + v.map((x) => {
      const k = hashKey(x, elem);
      return k === null ? "\u0000" : typeof k + ":" + String(k).replace(/[\\|]/g, "\\$&");
    }).join("|");
  }
  return String(v);
}

/** Compares enum labels by their sort position in `t`'s enum. */
function enumComparator(t: SqlType): Comparator {
  const labels = t.enumType?.labels ?? [];
  const pos = new Map(labels.map((l, i) => [l, i]));
  return (a, b) => (pos.get(a as string) ?? -1) - (pos.get(b as string) ?? -1);
}
