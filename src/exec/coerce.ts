/**
 * Casts between built-in types with PostgreSQL's rules and error codes
 * (22P02 bad input, 22003 out of range, 22001 too long, 42846 no cast).
 * @module
 */
import { parseJson, parseJsonb } from "../common/jsonb.ts";
import { enumLabel, parseArray } from "../common/value_text.ts";
import { DbError } from "../common/errors.ts";
import { parseInterval } from "../common/interval.ts";
import { castValue as castZoned } from "./functions/cast.ts";
import { formatTypeName } from "./builtins_helpers.ts";
import { dateToTimestamp, timestampToDate } from "../common/datetime.ts";
import { applyTypmod, roundTimePrecision } from "./typmod.ts";

export { applyTypmod, roundTimePrecision };
import { Interval, Jsonb, Numeric, type SqlType, type Value } from "../common/types.ts";
import { formatNumeric, numericToNumber, parseNumeric, rescale, toNumeric } from "./numeric_ops.ts";
import {
  checkBigint,
  checkInt,
  formatText,
  parseDate,
  parseTime,
  parseTimestamp,
} from "./values.ts";

const typeNames: Record<string, string> = {
  int2: "smallint",
  int4: "integer",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  bool: "boolean",
  varchar: "character varying",
  bpchar: "character",
};

/** The name PostgreSQL uses in messages for a type. */
export function typeDisplayName(t: SqlType): string {
  if (t.id === "array") return `${typeDisplayName(t.elem ?? { id: "text" })}[]`;
  return typeNames[t.id] ?? t.id;
}

function badInput(t: SqlType, text: string): DbError {
  return new DbError("22P02", `invalid input syntax for type ${typeDisplayName(t)}: "${text}"`);
}

/**
 * Parses text input for a type.
 * @throws {DbError} 22P02 and friends
 */
export function parseText(text: string, to: SqlType): Value {
  switch (to.id) {
    case "int2":
    case "int4": {
      const t = text.trim();
      if (!/^[+-]?\d+$/.test(t)) throw badInput(to, text);
      return checkInt(Number(t), to.id);
    }
    case "int8":
    case "oid": {
      const t = text.trim();
      if (!/^[+-]?\d+$/.test(t)) throw badInput(to, text);
      return to.id === "oid" ? Number(t) : checkBigint(BigInt(t));
    }
    case "float4":
    case "float8": {
      const t = text.trim().toLowerCase();
      if (t === "nan") return NaN;
      if (t === "infinity" || t === "inf" || t === "+infinity") return Infinity;
      if (t === "-infinity" || t === "-inf") return -Infinity;
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) throw badInput(to, text);
      const v = Number(t);
      return to.id === "float4" ? Math.fround(v) : v;
    }
    case "numeric":
      try {
        return applyTypmod(parseNumeric(text), to);
      } catch (e) {
        if (e instanceof DbError && e.sqlstate === "22P02") throw badInput(to, text);
        throw e;
      }
    case "bool": {
      const t = text.trim().toLowerCase();
      if (["t", "true", "yes", "y", "on", "1"].includes(t)) return true;
      if (["f", "false", "no", "n", "off", "0"].includes(t)) return false;
      throw badInput(to, text);
    }
    case "date":
      return parseDate(text);
    case "timestamp":
    case "timestamptz":
      return parseTimestamp(text, to.id === "timestamp" ? "timestamp" : "timestamp with time zone");
    case "time":
      return parseTime(text);
    case "interval":
      return parseInterval(text);
    case "uuid": {
      const t = text.trim().toLowerCase().replace(/^\{|\}$/g, "");
      const hex = t.replace(/-/g, "");
      if (!/^[0-9a-f]{32}$/.test(hex)) throw badInput(to, text);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
        hex.slice(20)
      }`;
    }
    case "json":
    case "jsonb":
      return to.id === "json" ? parseJson(text) : parseJsonb(text);
    case "bytea":
      if (text.startsWith("\\x")) {
        const hex = text.slice(2);
        if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw badInput(to, text);
        return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
      }
      return new TextEncoder().encode(text);
    case "varchar":
    case "bpchar":
    case "text":
    case "name":
    case "char":
    case "unknown":
      return applyTypmod(text, to);
    case "array":
      return parseArrayText(text, to);
    case "enum":
      return enumLabel(text, to);
    default:
      return text;
  }
}

function parseArrayText(text: string, to: SqlType): Value[] {
  const t = text.trim();
  if (!t.startsWith("{") || !t.endsWith("}")) throw badInput(to, text);
  // The structure (nesting, quotes, NULL) first, then each element as its type.
  const elem = to.elem ?? { id: "text" as const };
  const leaves = (items: readonly Value[]): Value[] =>
    items.map((v) =>
      Array.isArray(v) ? leaves(v) : v === null ? null : parseText(v as string, elem)
    );
  return leaves(parseArray(t, { id: "array", elem: { id: "text" } }));
}

/** `s` without its trailing spaces (char(n) padding). */
function trimTrailingSpaces(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x20) end--;
  return end === s.length ? s : s.slice(0, end);
}

const stringTypes: ReadonlySet<string> = new Set([
  "text",
  "varchar",
  "bpchar",
  "name",
  "char",
  "unknown",
]);

function isStringType(t: SqlType): boolean {
  return stringTypes.has(t.id);
}

/** Whether a cast between these types depends on the session's TimeZone. */
export function zoned(from: SqlType, to: SqlType): boolean {
  const elem = (t: SqlType): SqlType => t.id === "array" && t.elem ? elem(t.elem) : t;
  const a = elem(from).id;
  const b = elem(to).id;
  return (a === "timestamptz" || b === "timestamptz") && a !== b;
}

/**
 * A regtype OID as text where the catalog is out of reach (an implicit cast in
 * `pg_typeof(x) || ''`): built-in types by name, others as the number.
 */
function builtinTypeName(oid: number): string {
  const name = formatTypeName(oid, -1);
  return name.includes("???") ? String(oid) : name;
}

/**
 * Casts `v` from `from` to `to`.
 * @throws {DbError} 22P02, 22003, 22001, 42846
 */
export function castValue(
  v: Value,
  from: SqlType,
  to: SqlType,
  explicit = true,
  timeZone = "UTC",
): Value {
  const out = castUnrounded(v, from, to, explicit, timeZone);
  return (to.typmod ?? -1) >= 0 && typeof out === "bigint" ? roundTimePrecision(out, to) : out;
}

function castUnrounded(
  v: Value,
  from: SqlType,
  to: SqlType,
  explicit: boolean,
  timeZone: string,
): Value {
  if (v === null) return null;
  if (from.id === to.id && from.id !== "array" && (to.typmod ?? -1) < 0) return v;
  if (timeZone !== "UTC" && zoned(from, to)) {
    // Casts that read or write a wall-clock time take the session's TimeZone.
    // An untyped literal converts to any type, as an explicit cast from text does.
    const untyped = from.id === "unknown";
    const f = untyped ? { id: "text" as const } : from;
    return castZoned(v, f, to, explicit || untyped ? "explicit" : "assignment", timeZone);
  }
  if (isStringType(to)) {
    // A char(n) value already n long (COPY's decoder pads it) is what trimming and padding
    // again would give.
    if (
      from.id === "bpchar" && to.id === "bpchar" && typeof v === "string" && v.length === to.typmod
    ) {
      return v;
    }
    const text = typeof v === "string"
      ? v
      : from.id === "regtype" && typeof v === "number"
      ? builtinTypeName(v)
      : typeof v === "boolean"
      ? String(v)
      : formatText(v, from) ?? "";
    const trimmed = from.id === "bpchar" ? trimTrailingSpaces(text) : text;
    return applyTypmod(trimmed, to, explicit);
  }
  if (from.id === "json" && jsonbScalarTargets.has(to.id)) {
    // Only jsonb has casts to numbers and booleans.
    throw new DbError("42846", `cannot cast type json to ${typeDisplayName(to)}`);
  }
  if (typeof v === "string") return parseText(from.id === "bpchar" ? trimTrailingSpaces(v) : v, to);
  if (v instanceof Jsonb && jsonbScalarTargets.has(to.id)) return jsonbScalar(v, to);
  switch (to.id) {
    case "int2":
    case "int4":
      if (typeof v === "boolean") return v ? 1 : 0;
      if (typeof v === "number") {
        if (!Number.isFinite(v)) throw new DbError("22003", "integer out of range");
        return checkInt(roundHalfEven(v), to.id);
      }
      if (typeof v === "bigint") return checkInt(Number(v), to.id);
      if (v instanceof Numeric) return checkInt(Number(formatNumeric(rescale(v, 0))), to.id);
      break;
    case "int8":
      if (typeof v === "number") {
        if (!Number.isFinite(v)) throw new DbError("22003", "bigint out of range");
        return checkBigint(BigInt(roundHalfEven(v)));
      }
      if (typeof v === "bigint") return v;
      if (v instanceof Numeric) return checkBigint(rescale(v, 0).digits);
      if (typeof v === "boolean") return v ? 1n : 0n;
      break;
    case "float4":
    case "float8":
      if (typeof v === "number") return to.id === "float4" ? Math.fround(v) : v;
      if (typeof v === "bigint") return to.id === "float4" ? Math.fround(Number(v)) : Number(v);
      if (v instanceof Numeric) {
        return to.id === "float4" ? Math.fround(numericToNumber(v)) : numericToNumber(v);
      }
      break;
    case "numeric":
      if (typeof v === "number" || typeof v === "bigint" || v instanceof Numeric) {
        if (typeof v === "number" && !Number.isFinite(v)) {
          if (Number.isNaN(v)) return new Numeric(0n, 0, true);
          throw new DbError("22003", "cannot convert infinity to numeric");
        }
        return applyTypmod(toNumeric(v), to);
      }
      break;
    case "bool":
      if (typeof v === "number") return v !== 0;
      break;
    case "oid":
    case "regclass":
    case "regtype":
    case "regproc":
    case "regnamespace":
      // OIDs and reg* values are numbers; integers convert as PostgreSQL's oid casts do.
      if (typeof v === "number" || typeof v === "bigint") return checkOid(v);
      break;
    case "timestamp":
    case "timestamptz":
      if (from.id === "date" && typeof v === "number") return dateToTimestamp(v);
      if (typeof v === "bigint") return v;
      break;
    case "time":
      if (from.id === "time" && typeof v === "bigint") return v;
      break;
    case "date":
      if (typeof v === "bigint") return timestampToDate(v);
      break;
    case "jsonb":
      if (from.id === "json" && typeof v === "string") return parseJsonb(v);
      break;
    case "json":
      if (v instanceof Jsonb) return formatText(v, from);
      break;
    case "interval":
      if (v instanceof Interval) return v;
      break;
    case "array":
      if (Array.isArray(v) && to.elem) {
        const fe = from.elem ?? { id: "unknown" as const };
        return v.map((x) => castValue(x, fe, to.elem!, explicit));
      }
      break;
    default:
      break;
  }
  throw new DbError(
    "42846",
    `cannot cast type ${typeDisplayName(from)} to ${typeDisplayName(to)}`,
  );
}

const jsonbScalarTargets: ReadonlySet<string> = new Set([
  "int2",
  "int4",
  "int8",
  "numeric",
  "float4",
  "float8",
  "bool",
]);

/**
 * jsonb to a number or boolean type (PostgreSQL's jsonb casts): a JSON
 * number or boolean of the right kind converts, anything else is an error.
 * @throws {DbError} 22023 cannot cast jsonb string to type integer
 */
function jsonbScalar(v: Jsonb, to: SqlType): Value {
  const x = v.value;
  if (to.id === "bool" ? typeof x === "boolean" : x instanceof Numeric) {
    return to.id === "bool" ? x as boolean : castValue(x as Numeric, { id: "numeric" }, to);
  }
  const kind = x === null
    ? "null"
    : typeof x === "string"
    ? "string"
    : typeof x === "boolean"
    ? "boolean"
    : x instanceof Numeric
    ? "numeric"
    : Array.isArray(x)
    ? "array"
    : "object";
  throw new DbError("22023", `cannot cast jsonb ${kind} to type ${typeDisplayName(to)}`);
}

function checkOid(v: number | bigint): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < -2147483648 || n > 4294967295) {
    throw new DbError("22003", "OID out of range");
  }
  return n < 0 ? n + 4294967296 : n;
}

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : r;
}
