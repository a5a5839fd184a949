/**
 * Hash aggregation with GROUP BY, GROUPING SETS / ROLLUP / CUBE, DISTINCT,
 * FILTER and ordered aggregates. Output rows are the group values (NULL for
 * groups outside the current set) followed by the aggregate results.
 * @module
 */
import { Numeric, type SqlType, type Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { AggSpec, BoundExpr, PlanNode } from "./plan.ts";
import { compile, truthy } from "./scalar.ts";
import { sortRows } from "./run_select.ts";
import { numericOp, rescale, toNumeric } from "./numeric_ops.ts";
import { createAggregate } from "./functions/aggregates.ts";
import { checkBigint, compareValues, hashKey } from "./values.ts";

/** Computes one aggregate over the rows of a group. */
export function computeAggregate(spec: AggSpec, rows: Value[][], ctx: ExecContext): Value {
  const args = spec.args.map(compile);
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
  }
  return finish(spec.fn, values, spec.args.map((a) => a.type), spec.type);
}

function finish(fn: string, values: Value[][], argTypes: SqlType[], type: SqlType): Value {
  const firsts = values.map((v) => v[0] ?? null);
  const nonNull = firsts.filter((v) => v !== null);
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
      for (const v of nonNull) {
        if (best === null || compareValues(v, best) * (fn === "max" ? 1 : -1) > 0) best = v;
      }
      return best;
    }
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
      if (nonNull.length < 2) return null;
      const xs = nonNull.map(Number);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
      const r = fn.startsWith("var") ? v : Math.sqrt(v);
      return type.id === "numeric" ? rescale(toNumeric(r), 16) : r;
    }
  }
  // The rest (json_object_agg, bit_and, var_pop, ...) come from the function library.
  const lib = createAggregate(fn, argTypes);
  const state = lib.init();
  for (const v of values) lib.step(state, v);
  return lib.final(state);
}

function sum(values: Value[], type: SqlType): Value {
  if (type.id === "int8") {
    let s = 0n;
    for (const v of values) s += BigInt(v as number);
    return checkBigint(s);
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

/** Runs an aggregate node over its input rows. */
export function runAggregate(node: AggNode, rows: Value[][], ctx: ExecContext): Value[][] {
  const groups = node.groups.map(compile);
  const sets = node.groupingSets ?? [node.groups.map((_, i) => i)];
  const out: Value[][] = [];
  for (const set of sets) {
    const keep = new Set(set);
    const buckets = new Map<string, { key: Value[]; rows: Value[][] }>();
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
