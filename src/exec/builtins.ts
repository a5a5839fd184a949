/**
 * Built-in operators and scalar functions for the executor's evaluator,
 * with PostgreSQL's NULL handling, overflow (22003) and division-by-zero
 * (22012) errors.
 * @module
 */
import { DbError } from "../common/errors.ts";
import { Interval, Numeric, type SqlType, type Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import { castValue } from "./coerce.ts";
import { numericOp, numericToNumber, rescale, toNumeric } from "./numeric_ops.ts";
import { checkBigint, checkInt, compareValues, formatText, intervalMicros } from "./values.ts";
import { likeToRegExp } from "./like.ts";
import { comparatorFor } from "./functions/compare.ts";
import { compileRegex } from "./functions/patterns.ts";
import { timeFunction } from "./builtins_time.ts";
import { extractField } from "./functions/extract.ts";
import { dateDiff, timestampDiff } from "./functions/arith.ts";
import { dateToTimestamp, isInfiniteTimestamp } from "../common/datetime.ts";
import {
  extreme,
  floorNumeric,
  formatTypeName,
  md5Hex,
  pad,
  quantified,
  roundFn,
  substring,
  trimChars,
  truncNumeric,
} from "./builtins_helpers.ts";

type Fn = (args: Value[], argTypes: readonly SqlType[], type: SqlType, ctx: ExecContext) => Value;

/** Functions that are called even when an argument is NULL. */
const nonStrict = new Set([
  "version",
  "current_database",
  "pg_backend_pid",
  "format_type",
  "obj_description",
  "coalesce",
  "concat",
  "concat_ws",
  "greatest",
  "least",
  "nextval",
  "now",
  "random",
  "gen_random_uuid",
  "current_timestamp",
  "current_date",
  "num_nulls",
  "num_nonnulls",
  "row",
  "is_distinct",
  "is_not_distinct",
  "format",
  "json_build_object",
  "jsonb_build_object",
  "json_build_array",
  "jsonb_build_array",
  "array_append",
  "clock_timestamp",
]);

/**
 * Calls a built-in operator or function.
 * @throws {DbError} 22003, 22012, 42883 ...
 */
export function callFunction(
  fn: string,
  args: Value[],
  argTypes: readonly SqlType[],
  type: SqlType,
  ctx: ExecContext,
): Value {
  const f = fns[fn];
  if (!f) throw new DbError("42883", `function ${fn} does not exist`);
  if (!nonStrict.has(fn)) {
    for (const a of args) if (a === null) return null;
  }
  return f(args, argTypes, type, ctx);
}

/** True when the function name is a known scalar built-in. */
export function isBuiltin(fn: string): boolean {
  return fn in fns;
}

function arith(op: string): Fn {
  return ([a, b], argTypes, type) => {
    if (type.id === "numeric") return numericOp(op, toNumeric(a as number), toNumeric(b as number));
    if (type.id === "int8") {
      const x = BigInt(a as number);
      const y = BigInt(b as number);
      if ((op === "/" || op === "%") && y === 0n) throw new DbError("22012", "division by zero");
      return checkBigint(
        op === "+" ? x + y : op === "-" ? x - y : op === "*" ? x * y : op === "/" ? x / y : x % y,
      );
    }
    if (type.id === "int2" || type.id === "int4") {
      const x = Number(a);
      const y = Number(b);
      if ((op === "/" || op === "%") && y === 0) throw new DbError("22012", "division by zero");
      const r = op === "+"
        ? x + y
        : op === "-"
        ? x - y
        : op === "*"
        ? x * y
        : op === "/"
        ? Math.trunc(x / y)
        : x % y;
      return checkInt(r === 0 ? 0 : r, type.id);
    }
    if (type.id === "float4" || type.id === "float8") {
      const x = toFloat(a!);
      const y = toFloat(b!);
      if (op === "/" && y === 0) throw new DbError("22012", "division by zero");
      const r = op === "+"
        ? x + y
        : op === "-"
        ? x - y
        : op === "*"
        ? x * y
        : op === "/"
        ? x / y
        : x % y;
      if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) {
        throw new DbError("22003", "value out of range: overflow");
      }
      return type.id === "float4" ? Math.fround(r) : r;
    }
    return temporalArith(op, a!, b!, argTypes, type);
  };
}

function toFloat(v: Value): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Numeric) return numericToNumber(v);
  return Number(v);
}

function temporalArith(
  op: string,
  a: Value,
  b: Value,
  t: readonly SqlType[],
  type: SqlType,
): Value {
  const [ta, tb] = [t[0]!.id, t[1]!.id];
  if (ta === "date" && tb === "date" && op === "-") return dateDiff(a as number, b as number);
  if (ta === "date" && (tb === "int4" || tb === "int2")) {
    return (a as number) + (op === "-" ? -1 : 1) * (b as number);
  }
  if (tb === "interval" && (ta === "timestamp" || ta === "timestamptz" || ta === "date")) {
    const base = ta === "date" ? dateToTimestamp(a as number) : (a as bigint);
    return addInterval(base, b as Interval, op === "-" ? -1 : 1);
  }
  if ((ta === "timestamp" || ta === "timestamptz") && ta === tb && op === "-") {
    return timestampDiff(a as bigint, b as bigint);
  }
  if (ta === "interval" && tb === "interval") {
    const x = a as Interval;
    const y = b as Interval;
    const s = op === "-" ? -1 : 1;
    return new Interval(
      x.months + s * y.months,
      x.days + s * y.days,
      x.micros + BigInt(s) * y.micros,
    );
  }
  throw new DbError("42883", `operator does not exist: ${t[0]!.id} ${op} ${t[1]!.id} (${type.id})`);
}

function addInterval(micros: bigint, i: Interval, sign: number): bigint {
  if (isInfiniteTimestamp(micros)) return micros;
  let ms = Number(micros / 1000n);
  const rest = micros % 1000n;
  if (i.months) {
    const d = new Date(ms);
    const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + sign * i.months;
    const y = Math.floor(total / 12);
    const m = total - y * 12;
    const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    const day = Math.min(d.getUTCDate(), last);
    ms = Date.UTC(
      y,
      m,
      day,
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    );
  }
  ms += sign * i.days * 86_400_000;
  return BigInt(ms) * 1000n + rest + BigInt(sign) * i.micros;
}

/** Compiled POSIX patterns by flag and text; cleared when it grows past `regexCacheMax`. */
const regexCache = new Map<string, RegExp>();
const regexCacheMax = 256;

function regex(pattern: string, caseInsensitive: boolean): RegExp {
  const key = (caseInsensitive ? "i" : "c") + pattern;
  let r = regexCache.get(key);
  if (!r) {
    if (regexCache.size >= regexCacheMax) regexCache.clear();
    r = compileRegex(pattern, caseInsensitive ? "i" : "");
    regexCache.set(key, r);
  }
  return r;
}

/** True for enums and arrays of them, whose order only the type knows. */
function hasEnum(t: SqlType | undefined): boolean {
  return t !== undefined && (t.id === "enum" || (t.id === "array" && hasEnum(t.elem)));
}

function enumOrder(t: SqlType): ((a: Value, b: Value) => number) | undefined {
  return hasEnum(t) ? comparatorFor(t) : undefined;
}

function cmp(test: (c: number) => boolean): Fn {
  // Enums compare by sort position, which only their type knows.
  return ([a, b], t) => test(hasEnum(t[0]) ? comparatorFor(t[0]!)(a!, b!) : compareValues(a!, b!));
}

function text(v: Value, t: SqlType | undefined): string {
  if (typeof v === "boolean") return String(v);
  return typeof v === "string" ? v : formatText(v, t ?? { id: "text" }) ?? "";
}

const fns: Record<string, Fn> = {
  "+": arith("+"),
  "-": arith("-"),
  "*": arith("*"),
  "/": arith("/"),
  "%": arith("%"),
  "^": ([a, b]) => Math.pow(toFloat(a!), toFloat(b!)),
  "=": cmp((c) => c === 0),
  "<>": cmp((c) => c !== 0),
  "<": cmp((c) => c < 0),
  "<=": cmp((c) => c <= 0),
  ">": cmp((c) => c > 0),
  ">=": cmp((c) => c >= 0),
  is_distinct: ([a = null, b = null]) =>
    a === null || b === null ? a !== b : compareValues(a, b) !== 0,
  is_not_distinct: ([a = null, b = null]) =>
    a === null || b === null ? a === b : compareValues(a, b) === 0,
  neg: ([a], _t, type) => {
    if (typeof a === "bigint") return checkBigint(-a);
    if (a instanceof Numeric) return new Numeric(-a.digits, a.scale, a.nan);
    if (a instanceof Interval) return new Interval(-a.months, -a.days, -a.micros);
    return type.id === "int4" || type.id === "int2"
      ? checkInt(-(a as number), type.id)
      : -(a as number);
  },
  "||": ([a, b], t) => {
    if (Array.isArray(a) || Array.isArray(b)) {
      return [...(Array.isArray(a) ? a : [a!]), ...(Array.isArray(b) ? b : [b!])];
    }
    return text(a!, t[0]) + text(b!, t[1]);
  },
  "~": ([a, p]) => regex(p as string, false).test(a as string),
  "~*": ([a, p]) => regex(p as string, true).test(a as string),
  "!~": ([a, p]) => !regex(p as string, false).test(a as string),
  "!~*": ([a, p]) => !regex(p as string, true).test(a as string),
  like: ([a, p]) => likeToRegExp(p as string, false).test(a as string),
  ilike: ([a, p]) => likeToRegExp(p as string, true).test(a as string),
  abs: ([a]) =>
    typeof a === "bigint"
      ? (a < 0n ? -a : a)
      : a instanceof Numeric
      ? new Numeric(a.digits < 0n ? -a.digits : a.digits, a.scale)
      : Math.abs(a as number),
  lower: ([a]) => (a as string).toLowerCase(),
  upper: ([a]) => (a as string).toUpperCase(),
  length: ([a], t) =>
    a instanceof Uint8Array
      ? a.length
      : [...(t[0]?.id === "bpchar" ? (a as string).replace(/ +$/, "") : a as string)].length,
  char_length: ([a]) => [...(a as string)].length,
  octet_length: ([a]) => new TextEncoder().encode(a as string).length,
  substr: substring,
  substring,
  trim: ([a, c]) => trimChars(a as string, (c as string | undefined) ?? " ", true, true),
  btrim: ([a, c]) => trimChars(a as string, (c as string | undefined) ?? " ", true, true),
  ltrim: ([a, c]) => trimChars(a as string, (c as string | undefined) ?? " ", true, false),
  rtrim: ([a, c]) => trimChars(a as string, (c as string | undefined) ?? " ", false, true),
  replace: ([a, f, t]) => (a as string).split(f as string).join(t as string),
  position: ([a, b]) => (b as string).indexOf(a as string) + 1,
  strpos: ([a, b]) => (a as string).indexOf(b as string) + 1,
  left: ([a, n]) => {
    const c = [...(a as string)];
    const k = n as number;
    return c.slice(0, k < 0 ? c.length + k : k).join("");
  },
  right: ([a, n]) => {
    const c = [...(a as string)];
    const k = n as number;
    return c.slice(k < 0 ? -k : Math.max(0, c.length - k)).join("");
  },
  repeat: ([a, n]) => (a as string).repeat(Math.max(0, n as number)),
  reverse: ([a]) => [...(a as string)].reverse().join(""),
  split_part: ([a, d, n]) => (a as string).split(d as string)[(n as number) - 1] ?? "",
  lpad: ([a, n, f]) => pad(a as string, n as number, (f as string | undefined) ?? " ", true),
  rpad: ([a, n, f]) => pad(a as string, n as number, (f as string | undefined) ?? " ", false),
  initcap: ([a]) =>
    (a as string).toLowerCase().replace(/(^|[^a-z0-9])([a-z])/g, (_m, p, c) => p + c.toUpperCase()),
  md5: ([a]) => md5Hex(a as string),
  concat: (args, t) => args.map((a, i) => a === null ? "" : text(a, t[i])).join(""),
  concat_ws: ([sep, ...rest], t) =>
    rest.filter((a) => a !== null).map((a, i) => text(a, t[i + 1])).join(sep as string),
  coalesce: (args) => args.find((a) => a !== null) ?? null,
  nullif: (
    [a = null, b = null],
  ) => (a !== null && b !== null && compareValues(a, b) === 0 ? null : a),
  greatest: (args, _t, type) => extreme(args, 1, enumOrder(type)),
  least: (args, _t, type) => extreme(args, -1, enumOrder(type)),
  num_nulls: (args) => args.filter((a) => a === null).length,
  num_nonnulls: (args) => args.filter((a) => a !== null).length,
  round: ([a, d], _t, type) => roundFn(a!, (d as number | undefined) ?? 0, type),
  trunc: ([a, d]) =>
    a instanceof Numeric
      ? truncNumeric(a, (d as number | undefined) ?? 0)
      : Math.trunc(a as number),
  floor: ([a]) => a instanceof Numeric ? floorNumeric(a, false) : Math.floor(a as number),
  ceil: ([a]) => a instanceof Numeric ? floorNumeric(a, true) : Math.ceil(a as number),
  ceiling: ([a]) => a instanceof Numeric ? floorNumeric(a, true) : Math.ceil(a as number),
  sign: ([a]) => Math.sign(toFloat(a!)),
  sqrt: ([a]) => {
    const x = toFloat(a!);
    if (x < 0) throw new DbError("2201F", "cannot take square root of a negative number");
    return Math.sqrt(x);
  },
  power: ([a, b]) => Math.pow(toFloat(a!), toFloat(b!)),
  pow: ([a, b]) => Math.pow(toFloat(a!), toFloat(b!)),
  exp: ([a]) => Math.exp(toFloat(a!)),
  ln: ([a]) => Math.log(toFloat(a!)),
  log: ([a]) => Math.log10(toFloat(a!)),
  mod: (args, t, type) => arith("%")(args, t, type, undefined as unknown as ExecContext),
  div: ([a, b]) => {
    if (toFloat(b!) === 0) throw new DbError("22012", "division by zero");
    return rescale(numericOp("/", toNumeric(a as number), toNumeric(b as number)), 0);
  },
  pi: () => Math.PI,
  random: () => Math.random(),
  gen_random_uuid: () => crypto.randomUUID(),
  nextval: ([n], _t, _ty, ctx) => ctx.sequences.nextval(n as string),
  currval: ([n], _t, _ty, ctx) => ctx.sequences.currval(n as string),
  setval: ([n, v, c], _t, _ty, ctx) =>
    ctx.sequences.setval(n as string, BigInt(v as number), c === undefined ? true : c as boolean),
  array_length: ([a, d]) => (d === 1 && Array.isArray(a) && a.length > 0 ? a.length : null),
  cardinality: ([a]) => (a as Value[]).length,
  array_append: ([a, v]) => [...((a as Value[] | null) ?? []), v ?? null],
  array_to_string: ([a, s], t) =>
    (a as Value[]).filter((x) => x !== null).map((x) => text(x, t[0]?.elem)).join(s as string),
  extract: ([f, v], t, _ty, ctx) =>
    extractField(f as string, v!, t[1]!, ctx.setting("timezone") ?? "UTC"),
  ...timeFunction,
  interval_micros: ([a]) => intervalMicros(a as Interval),
  cast_text: ([a], t) => text(a!, t[0]),
  version: () => "PostgreSQL 15.0 (ThunderDB)",
  current_database: () => "thunderdb",
  pg_backend_pid: (_a, _t, _ty, ctx) => ctx.sessionId,
  pg_table_is_visible: () => true,
  pg_get_userbyid: () => "thunder",
  has_table_privilege: () => true,
  obj_description: () => null,
  current_setting: ([n], _t, _ty, ctx) => {
    const v = ctx.setting(String(n));
    if (v === undefined) {
      throw new DbError("42704", `unrecognized configuration parameter "${String(n)}"`);
    }
    return v;
  },
  set_config: ([n, v, local], _t, _ty, ctx) => {
    if (!ctx.setSetting) throw new DbError("0A000", "set_config is not available here");
    ctx.setSetting(String(n), String(v), local === true || local === "t" || local === "true");
    return v ?? null;
  },
  format_type: ([o, m]) =>
    o === null || o === undefined ? null : formatTypeName(Number(o), (m as number | null) ?? -1),
  any_op: ([x, arr, op]) => quantified(x!, arr as Value[], op as string, false),
  all_op: ([x, arr, op]) => quantified(x!, arr as Value[], op as string, true),
  array_index: ([a, i]) => (a as Value[])[(i as number) - 1] ?? null,
  bool_cast: ([a], t, type) => castValue(a!, t[0]!, type),
};
