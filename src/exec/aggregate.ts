/**
 * Hash aggregation with GROUP BY, GROUPING SETS / ROLLUP / CUBE, DISTINCT,
 * FILTER and ordered aggregates. Output rows are the group values (NULL for
 * groups outside the current set) followed by the aggregate results.
 * @module
 */
import { AssertionError } from "../common/errors.ts";
import { Numeric, type SqlType, type Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { AggSpec, BoundExpr, PlanNode } from "./plan.ts";
import { compile, type Compiled, truthy } from "./scalar.ts";
import { sortRows } from "./run_select.ts";
import { numericOp, toNumeric } from "./numeric_ops.ts";
import { createAggregate } from "./functions/aggregates.ts";
import { checkBigint, compareValues, hashKey } from "./values.ts";
import { computeOrderedSet } from "./ordered_set_agg.ts";
import { comparatorFor } from "./functions/compare.ts";

/** Computes one aggregate over the rows of a group. */
export function computeAggregate(spec: AggSpec, rows: Value[][], ctx: ExecContext): Value {
  if (spec.withinGroup !== undefined) return computeOrderedSet(spec, rows, ctx);
  const args = spec.args.map(compile);
  if (
    !spec.filter && spec.orderBy.length === 0 && !spec.distinct && !spec.star &&
    args.length === 1 && simpleAggregates.has(spec.fn)
  ) {
    // One pass over the rows collecting non-null arguments: no per-row argument arrays.
    const arg = args[0]!;
    const nonNull: Value[] = [];
    for (let i = 0; i < rows.length; i++) {
      const v = arg(rows[i]!, ctx);
      if (v !== null) nonNull.push(v);
    }
    return finishSimple(spec.fn, nonNull, spec.type);
  }
  const filter = spec.filter ? compile(spec.filter) : null;
  let input = filter ? rows.filter((r) => truthy(filter(r, ctx))) : rows;
  if (spec.orderBy.length > 0) input = sortRows(input, spec.orderBy, ctx);
  if (spec.star) return BigInt(input.length);
  let values = input.map((r) => args.map((a) => a(r, ctx)));
  if (spec.distinct) {
    const seen = new Set<string>();
    values = values.filter((v) => {
      const k = hashKey(v);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    // PostgreSQL sorts a DISTINCT aggregate's input (ascending, NULLs last) unless ordered:
    // argument lists compare as arrays do, element by element with NULLs last.
    if (spec.orderBy.length === 0) values.sort(compareValues);
  }
  return finish(spec.fn, values, spec.args.map((a) => a.type), spec.type);
}

/** Aggregates whose result depends only on their non-null single argument values. */
const simpleAggregates = new Set(["count", "sum", "avg", "min", "max"]);

/** Finishes count/sum/avg/min/max over the non-null argument values of a group. */
export function finishSimple(fn: string, nonNull: Value[], type: SqlType): Value {
  switch (fn) {
    case "count":
      return BigInt(nonNull.length);
    case "sum":
      return nonNull.length === 0 ? null : sum(nonNull, type);
    case "avg": {
      if (nonNull.length === 0) return null;
      if (type.id === "float8") {
        return (nonNull as number[]).reduce((a, b) => a + Number(b), 0) / nonNull.length;
      }
      const total = sum(nonNull, { id: "numeric" }) as Numeric;
      return avgNumeric(total, nonNull.length);
    }
    case "min":
    case "max": {
      let best: Value = null;
      const cmp = type.id === "enum" ? comparatorFor(type) : compareValues;
      for (const v of nonNull) {
        if (best === null || cmp(v, best) * (fn === "max" ? 1 : -1) > 0) best = v;
      }
      return best;
    }
  }
  throw new AssertionError(`${fn} is not a simple aggregate`);
}

function finish(fn: string, values: Value[][], argTypes: SqlType[], type: SqlType): Value {
  const firsts = values.map((v) => v[0] ?? null);
  const nonNull = firsts.filter((v) => v !== null);
  if (simpleAggregates.has(fn)) return finishSimple(fn, nonNull, type);
  switch (fn) {
    case "bool_and":
    case "every":
      return nonNull.length === 0 ? null : nonNull.every((v) => v === true);
    case "bool_or":
      return nonNull.length === 0 ? null : nonNull.some((v) => v === true);
    case "string_agg": {
      const parts = values.filter((v) => v[0] !== null && v[0] !== undefined);
      if (parts.length === 0) return null;
      return parts.map((v, i) => (i === 0 ? "" : String(v[1] ?? "")) + String(v[0])).join("");
    }
    case "array_agg":
      return values.length === 0 ? null : firsts;
    case "stddev":
    case "stddev_samp":
    case "variance":
    case "var_samp": {
      // Numeric variances are exact in the function library (below).
      if (type.id === "numeric") break;
      if (nonNull.length < 2) return null;
      const xs = nonNull.map(Number);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
      const r = fn.startsWith("var") ? v : Math.sqrt(v);
      return r;
    }
  }
  // The rest (json_object_agg, bit_and, var_pop, ...) come from the function library.
  const lib = createAggregate(fn, argTypes);
  const state = lib.init();
  for (const v of values) lib.step(state, v);
  return lib.final(state);
}

/** Bound on a running double sum of integers below 2^31 that keeps it exact. */
const exactMax = 2 ** 52;

function sum(values: Value[], type: SqlType): Value {
  if (type.id === "int8") {
    // Numbers (int2/int4 inputs) add up exactly in a double below 2^53; flush before that.
    let s = 0n;
    let acc = 0;
    for (const v of values) {
      if (typeof v === "number" && Number.isInteger(v)) {
        acc += v;
        if (acc > exactMax || acc < -exactMax) {
          s += BigInt(acc);
          acc = 0;
        }
      } else s += BigInt(v as number);
    }
    return checkBigint(s + BigInt(acc));
  }
  if (type.id === "numeric") {
    let s = new Numeric(0n, 0);
    for (const v of values) s = numericOp("+", s, toNumeric(v as number));
    return s;
  }
  if (type.id === "interval") {
    return values.reduce((a, b) => {
      const x = a as import("../common/types.ts").Interval;
      const y = b as import("../common/types.ts").Interval;
      return new (x.constructor as typeof import("../common/types.ts").Interval)(
        x.months + y.months,
        x.days + y.days,
        x.micros + y.micros,
      );
    });
  }
  let s = 0;
  for (const v of values) s += Number(v);
  return s;
}

function avgNumeric(total: Numeric, n: number): Numeric {
  return numericOp("/", total, new Numeric(BigInt(n), 0));
}

type AggNode = Extract<PlanNode, { kind: "aggregate" }>;

interface Bucket {
  readonly key: Value[];
  readonly rows: Value[][];
}

/**
 * Groups rows on one key whose values are numbers (or safe-range bigints, as
 * numbers), strings or NULL, hashing the values themselves; null when another
 * kind of value shows up (the caller then groups by `hashKey`). Equal SQL
 * values share a group as with `hashKey`; a group keeps its first key value.
 */
function groupByPrimitive(
  rows: readonly Value[][],
  group: Compiled,
  ctx: ExecContext,
): Map<unknown, Bucket> | null {
  const buckets = new Map<unknown, Bucket>();
  let kind: "number" | "string" | null = null;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const v = group(row, ctx);
    let h: Value = v;
    if (typeof v === "bigint") {
      if (v > maxSafe || v < -maxSafe) return null;
      h = Number(v);
    } else if (v !== null && typeof v !== "number" && typeof v !== "string") return null;
    if (h !== null) {
      const k = typeof h === "string" ? "string" : "number";
      if (kind === null) kind = k;
      else if (kind !== k) return null;
    }
    const b = buckets.get(h);
    if (b) b.rows.push(row);
    else buckets.set(h, { key: [v], rows: [row] });
  }
  return buckets;
}

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/** Runs an aggregate node over its input rows. */
export function runAggregate(node: AggNode, rows: Value[][], ctx: ExecContext): Value[][] {
  const groups = node.groups.map(compile);
  const sets = node.groupingSets ?? [node.groups.map((_, i) => i)];
  const out: Value[][] = [];
  for (const set of sets) {
    const keep = new Set(set);
    const buckets: Map<unknown, Bucket> =
      (groups.length === 1 && keep.has(0) ? groupByPrimitive(rows, groups[0]!, ctx) : null) ??
        new Map<string, Bucket>();
    if (buckets.size === 0 && rows.length > 0) {
      for (const row of rows) {
        const key = groups.map((g, i) => (keep.has(i) ? g(row, ctx) : null));
        const h = hashKey(key);
        let b = buckets.get(h);
        if (!b) {
          b = { key, rows: [] };
          buckets.set(h, b);
        }
        b.rows.push(row);
      }
    }
    // A query without GROUP BY (or an empty grouping set) yields one row even over no input.
    if (buckets.size === 0 && set.length === 0) {
      buckets.set("", { key: groups.map(() => null), rows: [] });
    }
    for (const b of buckets.values()) {
      const grouping = node.groups.reduce((acc, _g, i) => acc * 2 + (keep.has(i) ? 0 : 1), 0);
      const values = node.aggs.map((a) =>
        a.fn === "grouping" ? groupingBits(a.args, keep) : computeAggregate(a, b.rows, ctx)
      );
      out.push([...b.key, ...values, grouping]);
    }
  }
  return out;
}

/** `grouping(...)`: one bit per argument (a grouping position), set when it is not grouped. */
function groupingBits(args: readonly BoundExpr[], keep: ReadonlySet<number>): number {
  return args.reduce(
    (acc, a) => acc * 2 + (keep.has(a.kind === "const" ? Number(a.value) : -1) ? 0 : 1),
    0,
  );
}
