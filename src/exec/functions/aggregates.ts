/**
 * Aggregate functions with PostgreSQL's result types: count, sum, avg, min,
 * max, string_agg, array_agg, bool_and/bool_or/every, json(b)_agg,
 * json(b)_object_agg, bit_and/bit_or, stddev/variance. The planner feeds
 * rows (after its own DISTINCT, FILTER and ORDER BY handling) through
 * `step` and reads `final`; NULL arguments are skipped here exactly as
 * PostgreSQL's strict transition functions skip them.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { Interval, Numeric, type SqlType, type, type Value } from "../../common/types.ts";
import {
  numericAdd,
  numericDiv,
  numericFromBigInt,
  numericFromNumber,
  numericMul,
  numericSqrt,
  numericSub,
} from "../../common/numeric.ts";
import { addIntervals, scaleInterval } from "../../common/interval.ts";
import { formatTypeName } from "../../common/value_text.ts";
import { comparatorFor } from "./compare.ts";
import { intOutOfRange } from "./cast.ts";
import { arrayAgg, jsonAgg, jsonObjectAgg, stringAgg } from "./collect_aggregates.ts";
import { acceptsStatArgs, statAggregate, statAggregateNames } from "./stat_aggregates.ts";

/** A running aggregate. `state` is mutable and owned by one group. */
export interface Aggregate {
  readonly resultType: SqlType;
  init(): AggState;
  /** Adds one input row's argument values (not retained). */
  step(state: AggState, args: readonly Value[]): void;
  final(state: AggState): Value;
}

/** Mutable per-group state. */
export interface AggState {
  n: number;
  acc: unknown;
}

/** Aggregate function names (lower case). */
export const aggregateNames: ReadonlySet<string> = new Set([
  "count",
  "sum",
  "avg",
  "min",
  "max",
  "string_agg",
  "array_agg",
  "bool_and",
  "bool_or",
  "every",
  "json_agg",
  "jsonb_agg",
  "json_object_agg",
  "jsonb_object_agg",
  "bit_and",
  "bit_or",
  "stddev",
  "stddev_samp",
  "stddev_pop",
  "variance",
  "var_samp",
  "var_pop",
  "percentile_cont",
  "percentile_disc",
  "mode",
  ...statAggregateNames,
]);
/** Window-only function names (lower case). */
export const windowNames: ReadonlySet<string> = new Set([
  "row_number",
  "rank",
  "dense_rank",
  "percent_rank",
  "cume_dist",
  "ntile",
  "lag",
  "lead",
  "first_value",
  "last_value",
  "nth_value",
]);

/** True for aggregate function names. */
export function isAggregateName(name: string): boolean {
  const n = name.toLowerCase();
  return aggregateNames.has(n);
}

/** True for window-only function names (row_number, rank, lag, ...). */
export function isWindowName(name: string): boolean {
  return windowNames.has(name.toLowerCase());
}

/** Result type of a window-only function. */
export function windowResultType(name: string, argTypes: readonly SqlType[]): SqlType {
  switch (name.toLowerCase()) {
    case "row_number":
    case "rank":
    case "dense_rank":
      return type("int8");
    case "percent_rank":
    case "cume_dist":
      return type("float8");
    case "ntile":
      return type("int4");
    default:
      return argTypes[0] ?? type("text");
  }
}

function noAgg(name: string, types: readonly SqlType[]): DbError {
  return new DbError(
    "42883",
    `function ${name}(${types.map(formatTypeName).join(", ")}) does not exist`,
  );
}

function simple(
  resultType: SqlType,
  step: (s: AggState, v: Value) => void,
  final: (s: AggState) => Value,
  initAcc: () => unknown = () => null,
): Aggregate {
  return {
    resultType,
    init: () => ({ n: 0, acc: initAcc() }),
    step: (s, args) => {
      const v = args[0] ?? null;
      if (v === null) return;
      s.n++;
      step(s, v);
    },
    final: (s) => (s.n === 0 ? null : final(s)),
  };
}

function sumAgg(t: SqlType): Aggregate {
  switch (t.id) {
    case "int2":
    case "int4":
      return simple(type("int8"), (s, v) => {
        s.acc = (s.acc as bigint ?? 0n) + BigInt(v as number);
      }, (s) => {
        const r = s.acc as bigint;
        if (r > 9223372036854775807n || r < -9223372036854775808n) throw intOutOfRange("int8");
        return r;
      });
    case "int8":
      return simple(type("numeric"), (s, v) => {
        s.acc = (s.acc as bigint ?? 0n) + (v as bigint);
      }, (s) => numericFromBigInt(s.acc as bigint));
    case "numeric":
      return simple(type("numeric"), (s, v) => {
        s.acc = s.acc === null ? v : numericAdd(s.acc as Numeric, v as Numeric);
      }, (s) => s.acc as Numeric);
    case "float4":
    case "float8":
      return simple(t, (s, v) => {
        s.acc = (s.acc as number ?? 0) + (v as number);
      }, (s) => (t.id === "float4" ? Math.fround(s.acc as number) : s.acc as number));
    case "interval":
      return simple(t, (s, v) => {
        s.acc = s.acc === null ? v : addIntervals(s.acc as Interval, v as Interval);
      }, (s) => s.acc as Interval);
    default:
      throw noAgg("sum", [t]);
  }
}

function avgAgg(t: SqlType): Aggregate {
  switch (t.id) {
    case "int2":
    case "int4":
    case "int8":
      return simple(type("numeric"), (s, v) => {
        s.acc = (s.acc as bigint ?? 0n) + BigInt(v as number | bigint);
      }, (s) => numericDiv(numericFromBigInt(s.acc as bigint), numericFromBigInt(s.n)));
    case "numeric":
      return simple(type("numeric"), (s, v) => {
        s.acc = s.acc === null ? v : numericAdd(s.acc as Numeric, v as Numeric);
      }, (s) => numericDiv(s.acc as Numeric, numericFromBigInt(s.n)));
    case "float4":
    case "float8":
      return simple(type("float8"), (s, v) => {
        s.acc = (s.acc as number ?? 0) + (v as number);
      }, (s) => (s.acc as number) / s.n);
    case "interval":
      return simple(t, (s, v) => {
        s.acc = s.acc === null ? v : addIntervals(s.acc as Interval, v as Interval);
      }, (s) => scaleInterval(s.acc as Interval, 1 / s.n));
    default:
      throw noAgg("avg", [t]);
  }
}

function minMax(t: SqlType, sign: number): Aggregate {
  const cmp = comparatorFor(t);
  return simple(t, (s, v) => {
    if (s.acc === null || sign * cmp(v, s.acc as Value) > 0) s.acc = v;
  }, (s) => s.acc as Value);
}

function boolAgg(and: boolean): Aggregate {
  return simple(type("bool"), (s, v) => {
    s.acc = s.acc === null
      ? v
      : and
      ? (s.acc as boolean) && (v as boolean)
      : (s.acc as boolean) || (v as boolean);
  }, (s) => s.acc as boolean);
}

function varianceAgg(name: string, t: SqlType): Aggregate {
  const isFloat = t.id === "float4" || t.id === "float8";
  const pop = name.endsWith("_pop");
  const sqrt = name.startsWith("stddev");
  if (isFloat) {
    return simple(type("float8"), (s, v) => {
      const a = (s.acc as [number, number]) ?? [0, 0];
      s.acc = [a[0] + (v as number), a[1] + (v as number) * (v as number)];
    }, (s) => {
      const [sx, sxx] = s.acc as [number, number];
      const d = pop ? s.n * s.n : s.n * (s.n - 1);
      if (d === 0) return null;
      const r = Math.max(0, (s.n * sxx - sx * sx) / d);
      return sqrt ? Math.sqrt(r) : r;
    });
  }
  const toNum = (v: Value): Numeric =>
    v instanceof Numeric ? v : numericFromBigInt(v as number | bigint);
  return simple(type("numeric"), (s, v) => {
    const x = toNum(v);
    const a = (s.acc as [Numeric, Numeric]) ?? [new Numeric(0n, 0), new Numeric(0n, 0)];
    s.acc = [numericAdd(a[0], x), numericAdd(a[1], numericMul(x, x))];
  }, (s) => {
    const [sx, sxx] = s.acc as [Numeric, Numeric];
    const n = numericFromBigInt(s.n);
    const d = pop ? s.n * s.n : s.n * (s.n - 1);
    if (d === 0) return null;
    const num = numericSub(numericMul(n, sxx), numericMul(sx, sx));
    const r = numericDiv(num, numericFromBigInt(d));
    return sqrt ? numericSqrt(r.digits < 0n ? new Numeric(0n, r.scale) : r) : r;
  });
}

/**
 * Creates the aggregate `name` for argument types `argTypes` (count(*) has none).
 * @throws {DbError} 42883 when no such aggregate exists for these types
 */
export function createAggregate(name: string, argTypes: readonly SqlType[]): Aggregate {
  const n = name.toLowerCase();
  const t = argTypes[0] ?? type("unknown");
  switch (n) {
    case "count": {
      const star = argTypes.length === 0;
      return {
        resultType: type("int8"),
        init: () => ({ n: 0, acc: null }),
        step: (s, args) => {
          if (star || args[0] !== null) s.n++;
        },
        final: (s) => BigInt(s.n),
      };
    }
    case "sum":
      return sumAgg(t);
    case "avg":
      return avgAgg(t);
    case "min":
      return minMax(t, -1);
    case "max":
      return minMax(t, 1);
    case "bool_and":
    case "every":
      return boolAgg(true);
    case "bool_or":
      return boolAgg(false);
    case "string_agg":
      return stringAgg(t);
    case "array_agg":
      return arrayAgg(t);
    case "json_agg":
    case "jsonb_agg":
      return jsonAgg(n === "jsonb_agg", t);
    case "json_object_agg":
    case "jsonb_object_agg":
      return jsonObjectAgg(n === "jsonb_object_agg", argTypes);
    case "bit_and":
    case "bit_or": {
      if (t.id !== "int2" && t.id !== "int4" && t.id !== "int8") throw noAgg(n, argTypes);
      const and = n === "bit_and";
      return simple(t, (s, v) => {
        if (s.acc === null) s.acc = v;
        else if (t.id === "int8") {
          s.acc = and ? (s.acc as bigint) & (v as bigint) : (s.acc as bigint) | (v as bigint);
        } else s.acc = and ? (s.acc as number) & (v as number) : (s.acc as number) | (v as number);
      }, (s) => s.acc as Value);
    }
    case "stddev":
    case "stddev_samp":
    case "stddev_pop":
    case "variance":
    case "var_samp":
    case "var_pop":
      return varianceAgg(n === "stddev" ? "stddev_samp" : n === "variance" ? "var_samp" : n, t);
  }
  if (acceptsStatArgs(n, argTypes)) return statAggregate(n);
  throw noAgg(n, argTypes);
}

/** Result type of an aggregate without building it. @throws {DbError} 42883 */
export function aggregateResultType(name: string, argTypes: readonly SqlType[]): SqlType {
  return createAggregate(name, argTypes).resultType;
}

/** Numeric helper kept for callers that finish averages themselves. */
export function numericAverage(sum: Numeric, count: number): Numeric {
  return numericDiv(sum, numericFromNumber(count));
}
