/**
 * PostgreSQL cast rules. `findCast` resolves a conversion once (at plan
 * time) for a context — implicit (operator/function resolution), assignment
 * (INSERT/UPDATE targets) or explicit (`::`, CAST) — and returns the function
 * that converts non-null values per row.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { Jsonb, Numeric, type SqlType, type TypeId, type Value } from "../../common/types.ts";
import {
  numericApplyTypmod,
  numericFromBigInt,
  numericFromNumber,
  numericRound,
  numericToNumber,
  numericToString,
} from "../../common/numeric.ts";
import {
  applyCharTypmod,
  formatTypeName,
  formatValue,
  parseValue,
} from "../../common/value_text.ts";
import { formatJsonData, parseJsonb } from "../../common/jsonb.ts";
import { checkVectorDimensions } from "../../common/text_scalars.ts";
import {
  dateToTimestamp,
  localToUtc,
  microsPerDay,
  splitTimestamp,
  timestampToDate,
  utcToLocal,
} from "../../common/datetime.ts";
import { Interval } from "../../common/types.ts";

/** When a cast may be applied. */
export type CastContext = "implicit" | "assignment" | "explicit";

/** Converts one non-null value; `timeZone` is the session zone. */
export type CastFn = (value: Value, timeZone: string) => Value;

const contextRank: Record<CastContext, number> = { implicit: 0, assignment: 1, explicit: 2 };

/** Integer-like types, narrowest first. */
const intTypes: readonly TypeId[] = ["int2", "int4", "int8"];
const stringTypes: readonly TypeId[] = ["text", "varchar", "bpchar", "name", "char"];

/** Returns true for text, varchar, bpchar, name and "char". */
export function isStringType(id: TypeId): boolean {
  return stringTypes.includes(id);
}

/** Returns true for the numeric category (ints, numeric, floats). */
export function isNumericType(id: TypeId): boolean {
  return id === "int2" || id === "int4" || id === "int8" || id === "numeric" ||
    id === "float4" || id === "float8";
}

const intNames = { int2: "smallint", int4: "integer", int8: "bigint" } as const;
const intLimits = {
  int2: [-32768, 32767],
  int4: [-2147483648, 2147483647],
  int8: [-9223372036854775808, 9223372036854775807],
} as const;

/** Throws 22003 "<type> out of range". */
export function intOutOfRange(id: "int2" | "int4" | "int8"): DbError {
  return new DbError("22003", `${intNames[id]} out of range`);
}

function toIntFromBig(v: bigint, to: "int2" | "int4" | "int8"): number | bigint {
  if (to === "int8") {
    if (v < -9223372036854775808n || v > 9223372036854775807n) throw intOutOfRange(to);
    return v;
  }
  const [lo, hi] = intLimits[to];
  if (v < BigInt(lo) || v > BigInt(hi)) throw intOutOfRange(to);
  return Number(v);
}

function floatToInt(v: number, to: "int2" | "int4" | "int8"): number | bigint {
  if (!Number.isFinite(v)) throw intOutOfRange(to);
  // rint(): round half to even, as PostgreSQL's float-to-int casts do.
  let r = Math.round(v);
  if (Math.abs(v % 1) === 0.5 && r % 2 !== 0) r -= 1;
  if (to === "int8") {
    if (r < -9223372036854775808 || r >= 9223372036854775808) throw intOutOfRange(to);
    return BigInt(r);
  }
  const [lo, hi] = intLimits[to];
  if (r < lo || r > hi) throw intOutOfRange(to);
  return r;
}

function toFloat4(v: number): number {
  const r = Math.fround(v);
  if (!Number.isFinite(r) && Number.isFinite(v)) {
    throw new DbError("22003", "value out of range: overflow");
  }
  if (r === 0 && v !== 0) throw new DbError("22003", "value out of range: underflow");
  return r;
}

/** Casts within the numeric category. */
function numericCast(from: TypeId, to: SqlType): CastFn | undefined {
  const t = to.id;
  if (t === "int2" || t === "int4" || t === "int8") {
    if (from === "float4" || from === "float8") return (v) => floatToInt(v as number, t);
    if (from === "numeric") {
      return (v) => {
        const n = v as Numeric;
        if (n.nan) throw new DbError("22003", `cannot convert NaN to ${intNames[t]}`);
        return toIntFromBig(numericRound(n, 0).digits, t);
      };
    }
    if (from === "int8") return (v) => toIntFromBig(v as bigint, t);
    if (t === "int8") return (v) => BigInt(v as number);
    return (v) => toIntFromBig(BigInt(v as number), t);
  }
  if (t === "numeric") {
    const tm = to.typmod;
    const apply = (n: Numeric): Numeric => numericApplyTypmod(n, tm);
    if (from === "int8" || intTypes.includes(from)) {
      return (v) => apply(numericFromBigInt(v as number | bigint));
    }
    if (from === "float4") return (v) => apply(numericFromNumber(v as number, 6));
    if (from === "float8") return (v) => apply(numericFromNumber(v as number, 15));
    return (v) => apply(v as Numeric);
  }
  if (t === "float4" || t === "float8") {
    const fin = t === "float4" ? toFloat4 : (x: number) => x;
    if (from === "numeric") return (v) => fin(numericToNumber(v as Numeric));
    if (from === "int8") return (v) => fin(Number(v as bigint));
    return (v) => fin(v as number);
  }
  return undefined;
}

/** Context needed for a numeric-category cast (PostgreSQL's pg_cast). */
function numericCastContext(from: TypeId, to: TypeId): CastContext {
  const order: TypeId[] = ["int2", "int4", "int8", "numeric", "float4", "float8"];
  return order.indexOf(to) > order.indexOf(from) ? "implicit" : "assignment";
}

function dateTimeCast(from: TypeId, to: TypeId): [CastContext, CastFn] | undefined {
  const key = `${from}>${to}`;
  switch (key) {
    case "date>timestamp":
      return ["implicit", (v) => dateToTimestamp(v as number)];
    case "date>timestamptz":
      return ["implicit", (v, tz) => localToUtc(dateToTimestamp(v as number), tz)];
    case "timestamp>timestamptz":
      return ["implicit", (v, tz) => localToUtc(v as bigint, tz)];
    case "timestamptz>timestamp":
      return ["assignment", (v, tz) => utcToLocal(v as bigint, tz)];
    case "timestamp>date":
      return ["assignment", (v) => timestampToDate(v as bigint)];
    case "timestamptz>date":
      return ["assignment", (v, tz) => timestampToDate(utcToLocal(v as bigint, tz))];
    case "timestamp>time":
      return ["assignment", (v) => splitTimestamp(v as bigint)[1]];
    case "timestamptz>time":
      return ["assignment", (v, tz) => splitTimestamp(utcToLocal(v as bigint, tz))[1]];
    case "time>interval":
      return ["implicit", (v) => new Interval(0, 0, v as bigint)];
    case "interval>time":
      return ["assignment", (v) => {
        const us = (v as Interval).micros % microsPerDay;
        return us < 0n ? us + microsPerDay : us;
      }];
  }
  return undefined;
}

function jsonbToScalar(to: SqlType): CastFn | undefined {
  const name = formatTypeName(to);
  const scalar = (v: Value): unknown => (v as Jsonb).value;
  const fail = (d: unknown): never => {
    const kind = d === null
      ? "null"
      : typeof d === "string"
      ? "string"
      : typeof d === "boolean"
      ? "boolean"
      : d instanceof Numeric
      ? "numeric"
      : Array.isArray(d)
      ? "array"
      : "object";
    throw new DbError("22023", `cannot cast jsonb ${kind} to type ${name}`);
  };
  if (to.id === "bool") {
    return (v) => typeof scalar(v) === "boolean" ? scalar(v) as boolean : fail(scalar(v));
  }
  if (isNumericType(to.id)) {
    const inner = numericCast("numeric", to);
    if (!inner) return undefined;
    return (v, tz) => {
      const d = scalar(v);
      return d instanceof Numeric ? inner(d, tz) : fail(d);
    };
  }
  return undefined;
}

/** Finds a cast between non-array types. Returns [minimum context, fn]. */
function scalarCast(from: SqlType, to: SqlType): [CastContext, CastFn] | undefined {
  const f = from.id;
  const t = to.id;
  if (f === "unknown") {
    return ["implicit", (v, tz) => parseValue(String(v), to, { timeZone: tz })];
  }
  if (isNumericType(f) && isNumericType(t)) {
    const fn = numericCast(f, to);
    return fn && [f === t ? "implicit" : numericCastContext(f, t), fn];
  }
  if (isStringType(t)) {
    if (isStringType(f)) {
      const strip = f === "bpchar" && t !== "bpchar";
      return ["implicit", (v) => {
        const s = strip ? (v as string).replace(/ +$/, "") : v as string;
        return t === "name" || t === "char" ? parseValue(s, to) : s;
      }];
    }
    const ctx: CastContext = "assignment";
    if (f === "bool" && (t === "text" || t === "varchar" || t === "bpchar")) {
      return [ctx, (v) => (v ? "true" : "false")];
    }
    return [ctx, (v, tz) => formatValue(v, from, { timeZone: tz })];
  }
  if (isStringType(f)) {
    return ["explicit", (v, tz) => parseValue(v as string, to, { timeZone: tz })];
  }
  if (f === "int4" && t === "bool") return ["explicit", (v) => v !== 0];
  if (f === "bool" && t === "int4") return ["explicit", (v) => (v ? 1 : 0)];
  if (intTypes.includes(f) && (t === "oid" || t === "regclass" || t === "regtype")) {
    return ["implicit", (v) => Number(v)];
  }
  if ((f === "oid" || f === "regclass" || f === "regtype") && intTypes.includes(t)) {
    return ["assignment", (v) => (t === "int8" ? BigInt(v as number) : v)];
  }
  const dt = dateTimeCast(f, t);
  if (dt) return dt;
  if (f === "json" && t === "jsonb") return ["assignment", (v) => parseJsonb(v as string)];
  if (f === "jsonb" && t === "json") {
    return ["assignment", (v) => formatJsonData((v as Jsonb).value)];
  }
  if (f === "jsonb") {
    const fn = jsonbToScalar(to);
    return fn && ["explicit", fn];
  }
  if (f === "vector" && t === "vector") {
    return ["implicit", (v) => {
      checkVectorDimensions(v as Float32Array, to.typmod);
      return v;
    }];
  }
  return undefined;
}

function arrayToVector(from: SqlType, to: SqlType): CastFn | undefined {
  const e = from.elem?.id;
  if (!e || !isNumericType(e)) return undefined;
  return (v) => {
    const arr = v as Value[];
    const out = new Float32Array(arr.length);
    arr.forEach((x, i) => {
      if (x === null) throw new DbError("22004", "array must not contain nulls");
      out[i] = x instanceof Numeric ? numericToNumber(x) : Number(x);
    });
    checkVectorDimensions(out, to.typmod);
    return out;
  };
}

/** Applies a same-type typmod (varchar length, numeric scale, vector size). */
function typmodCast(to: SqlType, context: CastContext): CastFn | undefined {
  const tm = to.typmod;
  if (tm === undefined || tm < 0) return undefined;
  switch (to.id) {
    case "varchar":
    case "bpchar":
      return (v) => applyCharTypmod(v as string, to, context === "explicit");
    case "numeric":
      return (v) => numericApplyTypmod(v as Numeric, tm);
    case "vector":
      return (v) => {
        checkVectorDimensions(v as Float32Array, tm);
        return v;
      };
    default:
      return undefined;
  }
}

function arrayCast(from: SqlType, to: SqlType, context: CastContext): CastFn | undefined {
  if (!from.elem || !to.elem) return (v) => v;
  const inner = findCast(from.elem, to.elem, context);
  if (!inner) return undefined;
  const walk = (v: Value, tz: string): Value => {
    if (!Array.isArray(v)) return v === null ? null : inner(v, tz);
    return v.map((x) => walk(x, tz));
  };
  return walk;
}

/**
 * Resolves a cast from `from` to `to` usable in `context`.
 * @returns the per-value conversion (identity when none is needed), or undefined if no cast exists
 */
export function findCast(from: SqlType, to: SqlType, context: CastContext): CastFn | undefined {
  if (from.id === to.id && from.id !== "array") {
    return typmodCast(to, context) ?? identity;
  }
  if (from.id === "array" && to.id === "array") return arrayCast(from, to, context);
  if (from.id === "array" && to.id === "vector") {
    return contextRank[context] >= 1 ? arrayToVector(from, to) : undefined;
  }
  if (from.id === "vector" && to.id === "array" && to.elem?.id === "float4") {
    return (v) => Array.from(v as Float32Array);
  }
  if (from.id === "unknown" && to.id === "array") {
    return (v, tz) => parseValue(String(v), to, { timeZone: tz });
  }
  if (to.id === "array" || from.id === "array") {
    if (isStringType(to.id) && contextRank[context] >= 1) {
      return (v, tz) =>
        applyCharTypmod(formatValue(v, from, { timeZone: tz }), to, context === "explicit");
    }
    if (isStringType(from.id) && context === "explicit") {
      return (v, tz) => parseValue(v as string, to, { timeZone: tz });
    }
    return undefined;
  }
  const found = scalarCast(from, to);
  if (!found) return undefined;
  const [needed, fn] = found;
  if (contextRank[context] < contextRank[needed]) return undefined;
  const tm = typmodCast(to, context);
  if (tm && from.id !== "unknown" && to.id !== "numeric") {
    return (v, tz) => tm(fn(v, tz), tz);
  }
  return fn;
}

const identity: CastFn = (v) => v;

/** Returns true when `fn` is the identity conversion. */
export function isIdentityCast(fn: CastFn): boolean {
  return fn === identity;
}

/**
 * Resolves a cast or throws PostgreSQL's error.
 * @throws {DbError} 42846 cannot cast type X to Y
 */
export function requireCast(from: SqlType, to: SqlType, context: CastContext): CastFn {
  const fn = findCast(from, to, context);
  if (!fn) {
    throw new DbError(
      context === "assignment" ? "42804" : "42846",
      context === "assignment"
        ? `column is of type ${formatTypeName(to)} but expression is of type ${
          formatTypeName(from)
        }`
        : `cannot cast type ${formatTypeName(from)} to ${formatTypeName(to)}`,
    );
  }
  return fn;
}

/**
 * Casts one value (NULL passes through).
 * @throws {DbError} 42846 when no cast exists, or the conversion's own errors
 * @example castValue("12", type("text"), type("int4"), "explicit") // 12
 */
export function castValue(
  value: Value,
  from: SqlType,
  to: SqlType,
  context: CastContext = "explicit",
  timeZone = "UTC",
): Value {
  if (value === null) return null;
  return requireCast(from, to, context)(value, timeZone);
}

/** Returns true when an implicit cast exists (used by operator and function resolution). */
export function canImplicitlyCast(from: SqlType, to: SqlType): boolean {
  return from.id === to.id || findCast(from, to, "implicit") !== undefined;
}

/** Renders a numeric in error messages. */
export function numericText(n: Numeric): string {
  return numericToString(n);
}
