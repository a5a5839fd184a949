/**
 * Binds aggregate calls (collected into the query's aggregate node, with
 * DISTINCT, ORDER BY and FILTER) and window function calls (collected into
 * its window node, with frames and lag/lead defaults).
 * @module
 */
import type { ExprCall } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { arrayOf, type SqlType, type as scalar } from "../../common/types.ts";
import type { AggSpec, BoundExpr, SortKey } from "../../exec/plan.ts";
import { type BindEnv, bindExpr, coerceTo, fingerprint } from "./bind_expr.ts";
import { commonTypeOf, isNumericType } from "./sql_types.ts";
import { splitFrame } from "./bind_frame.ts";
import {
  aggregateNames,
  aggregateResultType,
  windowNames,
} from "../../exec/functions/aggregates.ts";
import { bindOrderedSet, isOrderedSetCall } from "./bind_ordered_set.ts";
import { statAggregateNames } from "../../exec/functions/stat_aggregates.ts";

const t = scalar;

function aggType(name: string, args: readonly BoundExpr[]): SqlType {
  const a = args[0]?.type ?? t("int8");
  switch (name) {
    case "count":
      return t("int8");
    case "sum":
      if (a.id === "int2" || a.id === "int4") return t("int8");
      if (a.id === "int8" || a.id === "numeric") return t("numeric");
      if (a.id === "float4" || a.id === "float8" || a.id === "interval") {
        return t(a.id === "float4" ? "float4" : a.id);
      }
      throw new DbError("42883", `function sum(${a.id}) does not exist`);
    case "avg":
      if (a.id === "float4" || a.id === "float8") return t("float8");
      if (a.id === "interval") return t("interval");
      if (!isNumericType(a)) throw new DbError("42883", `function avg(${a.id}) does not exist`);
      return t("numeric");
    case "min":
    case "max":
      return a.id === "unknown" ? t("text") : a;
    case "string_agg":
      return t("text");
    case "array_agg":
      return arrayOf(a);
    case "bool_and":
    case "bool_or":
    case "every":
      return t("bool");
    case "json_agg":
      return t("json");
    case "jsonb_agg":
      return t("jsonb");
    case "json_object_agg":
    case "jsonb_object_agg":
    case "bit_and":
    case "bit_or":
    case "stddev_pop":
    case "var_pop":
      return aggregateResultType(name, args.map((x) => x.type));
    default:
      if (statAggregateNames.has(name)) return aggregateResultType(name, args.map((x) => x.type));
      return a.id === "float4" || a.id === "float8" ? t("float8") : t("numeric");
  }
}

function windowType(name: string, args: readonly BoundExpr[]): SqlType {
  switch (name) {
    case "row_number":
    case "rank":
    case "dense_rank":
      return t("int8");
    case "ntile":
      return t("int4");
    case "percent_rank":
    case "cume_dist":
      return t("float8");
    default:
      return args[0]?.type ?? t("text");
  }
}

function bindSortKeys(order: ExprCall["orderBy"], env: BindEnv): SortKey[] {
  return (order ?? []).map((o) => {
    const descending = o.order === "DESC";
    return {
      expr: bindExpr(o.by, env),
      descending,
      nullsFirst: o.nulls ? o.nulls === "FIRST" : descending,
    };
  });
}

/** Binds an aggregate call into the query's aggregate collector. */
export function bindAggregate(e: ExprCall, name: string, env: BindEnv): BoundExpr {
  const agg = env.agg!;
  const key = fingerprint(e);
  const existing = agg.aggKeys.indexOf(key);
  const base = agg.groupKeys.length;
  if (existing >= 0) {
    return { kind: "column", depth: 0, index: base + existing, type: agg.aggs[existing]!.type };
  }
  const inputEnv: BindEnv = {
    ...env,
    scope: agg.inputScope,
    agg: null,
    windows: null,
    collectAggregates: false,
  };
  const spec = isOrderedSetCall(e, name)
    ? bindOrderedSet(e, name, inputEnv)
    : bindPlainAggregate(e, name, inputEnv);
  agg.aggs.push(spec);
  agg.aggKeys.push(key);
  return { kind: "column", depth: 0, index: base + agg.aggs.length - 1, type: spec.type };
}

function bindPlainAggregate(e: ExprCall, name: string, inputEnv: BindEnv): AggSpec {
  const star = e.args.length === 1 && e.args[0]!.type === "ref" && e.args[0]!.name === "*";
  const args = star ? [] : e.args.map((a) => bindExpr(a, inputEnv));
  const fixed = statAggregateNames.has(name) && aggregateResultType(name, args.map((a) => a.type))
    ? args.map((a) => coerceTo(a, t("float8")))
    : args.map((a) => (a.type.id === "unknown" ? coerceTo(a, t("text")) : a));
  return {
    fn: name,
    args: fixed,
    distinct: e.distinct === "distinct",
    filter: e.filter ? coerceTo(bindExpr(e.filter, inputEnv, t("bool")), t("bool")) : null,
    orderBy: bindSortKeys(e.orderBy, inputEnv),
    type: aggType(name, fixed),
    star: star && name === "count",
  };
}

/**
 * `lag|lead(value, offset, default)`: value and default take their common
 * type (PostgreSQL's anycompatible), without a type modifier.
 */
function lagDefault(
  args: readonly BoundExpr[],
  name: string,
): { args: BoundExpr[]; type: SqlType } {
  const { typmod: _modifier, ...type } = commonTypeOf([args[0]!.type, args[2]!.type], name);
  return { args: args.map((a, i) => (i === 1 ? a : coerceTo(a, type))), type };
}

/** Binds a window function call into the query's window collector. */
export function bindWindow(e: ExprCall, name: string, env: BindEnv): BoundExpr {
  const w = env.windows!;
  const inner: BindEnv = { ...env, windows: null };
  const star = e.args.length === 1 && e.args[0]!.type === "ref" && e.args[0]!.name === "*";
  const args = star ? [] : e.args.map((a) => bindExpr(a, inner));
  const isAgg = aggregateNames.has(name);
  if (!isAgg && !windowNames.has(name)) {
    throw new DbError("42883", `function ${name} is not a window function`);
  }
  const withDefault = (name === "lag" || name === "lead") && args.length === 3
    ? lagDefault(args, name)
    : null;
  const fixedArgs = withDefault?.args ?? args;
  const type = isAgg ? aggType(name, args) : withDefault?.type ?? windowType(name, args);
  const { partitionBy, frame } = splitFrame(e.over!.partitionBy);
  const ranged = (b: NonNullable<typeof frame>["start"]) =>
    (b.kind === "preceding" || b.kind === "following") && b.distance !== undefined;
  if (frame && (ranged(frame.start) || ranged(frame.end)) && e.over!.orderBy?.length !== 1) {
    throw new DbError(
      "42P20",
      "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
    );
  }
  w.specs.push({
    fn: name,
    args: fixedArgs,
    partitionBy: partitionBy.map((p) => bindExpr(p, inner)),
    orderBy: bindSortKeys(e.over!.orderBy, inner),
    frame,
    type,
    aggregate: isAgg,
    filter: e.filter ? bindExpr(e.filter, inner) : null,
  });
  return { kind: "column", depth: 0, index: w.base + w.specs.length - 1, type };
}
