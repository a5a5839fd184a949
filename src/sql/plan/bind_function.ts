/**
 * Binds function calls: scalar built-ins with their result types, aggregates
 * (collected into the query's aggregate node) and window functions
 * (collected into its window node).
 * @module
 */
import type { ExprCall } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { arrayOf, type SqlType, type as scalar } from "../../common/types.ts";
import type { AggSpec, BoundExpr, SortKey } from "../../exec/plan.ts";
import { type BindEnv, bindExpr, coerceTo, fingerprint } from "./bind_expr.ts";
import { commonType, commonTypeOf, isNumericType, operatorType } from "./sql_types.ts";
import { bindCatalogFunction } from "../pg_catalog/functions.ts";
import { splitFrame } from "./bind_frame.ts";
import { isBuiltin } from "../../exec/builtins.ts";
import {
  libraryCallTypes,
  libraryPrefix,
  operatorPrefix,
  operatorTypes,
} from "../../exec/builtins_library.ts";
import { hasFunction } from "../../exec/functions/mod.ts";
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

/**
 * Binds a call in one of three roles.
 * @throws {DbError} 42803 nested aggregates, 42883 unknown function
 */
export function bindFunction(
  e: ExprCall,
  name: string,
  env: BindEnv,
  expected: SqlType | undefined,
  mode: "scalar" | "aggregate" | "window",
): BoundExpr {
  if (mode === "aggregate") return bindAggregate(e, name, env);
  if (mode === "window") return bindWindow(e, name, env);
  return bindScalar(e, name, env, expected);
}

function bindAggregate(e: ExprCall, name: string, env: BindEnv): BoundExpr {
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

function bindWindow(e: ExprCall, name: string, env: BindEnv): BoundExpr {
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

const textFns = new Set([
  "lower",
  "upper",
  "substr",
  "substring",
  "trim",
  "btrim",
  "ltrim",
  "rtrim",
  "replace",
  "left",
  "right",
  "repeat",
  "reverse",
  "split_part",
  "lpad",
  "rpad",
  "initcap",
  "md5",
  "concat",
  "concat_ws",
  "array_to_string",
  "gen_random_uuid",
]);

const intFns = new Set([
  "length",
  "char_length",
  "octet_length",
  "position",
  "strpos",
  "array_length",
  "cardinality",
  "num_nulls",
  "num_nonnulls",
]);
const floatFns = new Set(["sqrt", "power", "pow", "exp", "ln", "log", "pi", "random", "date_part"]);

function bindScalar(e: ExprCall, name: string, env: BindEnv, expected?: SqlType): BoundExpr {
  let args = e.args.map((a) => bindExpr(a, env));
  // Catalog functions bound from the catalog at plan time (sql/pg_catalog/functions.ts).
  const fromCatalog = bindCatalogFunction(name, args, env.ctx);
  if (fromCatalog) return fromCatalog;
  if (hasFunction(name) && (!isBuiltin(name) || preferLibrary.has(name))) {
    return bindLibrary(name, args);
  }
  let type: SqlType;
  if (["coalesce", "nullif", "greatest", "least"].includes(name)) {
    const types = [expected ?? t("unknown"), ...args.map((a) => a.type)];
    let common = name === "nullif"
      ? operatorType("=", args[0]?.type ?? t("unknown"), args[1]?.type ?? t("unknown"))
      : commonTypeOf(types, name.toUpperCase());
    if (common.id === "unknown") common = t("text");
    args = args.map((a) => coerceTo(a, common));
    type = common;
  } else if (textFns.has(name)) {
    type = name === "gen_random_uuid" ? t("uuid") : t("text");
    const intArgs: Record<string, number[]> = {
      substr: [1, 2],
      substring: [1, 2],
      left: [1],
      right: [1],
      repeat: [1],
      lpad: [1],
      rpad: [1],
      split_part: [2],
    };
    const ints = intArgs[name] ?? [];
    args = args.map((a, i) =>
      coerceTo(a, ints.includes(i) ? t("int4") : a.type.id === "unknown" ? t("text") : a.type)
    );
  } else if (intFns.has(name)) {
    type = t("int4");
    args = args.map((a) => (a.type.id === "unknown" ? coerceTo(a, t("text")) : a));
  } else if (floatFns.has(name)) {
    type = t("float8");
    args = args.map((a) => (a.type.id === "unknown" ? coerceTo(a, t("float8")) : a));
  } else if (["abs", "round", "trunc", "floor", "ceil", "ceiling", "sign", "mod"].includes(name)) {
    const a0 = args[0]?.type ?? t("numeric");
    type = a0.id === "unknown" ? t("numeric") : name === "sign" ? a0 : a0;
    if ((name === "round" || name === "trunc") && args.length > 1) type = t("numeric");
    if (name === "mod") {
      type = commonType(a0, args[1]?.type ?? a0);
      args = args.map((a) => coerceTo(a, type));
    } else if (args[0]) {
      args = [coerceTo(args[0], type), ...args.slice(1).map((a) => coerceTo(a, t("int4")))];
      if ((name === "round" || name === "trunc") && args.length > 1) {
        args[0] = coerceTo(args[0]!, t("numeric"));
      }
    }
  } else if (["now", "current_timestamp", "clock_timestamp"].includes(name)) {
    type = t("timestamptz");
  } else if (["nextval", "currval", "setval"].includes(name)) {
    type = t("int8");
    args = args.map((a, i) => coerceTo(a, i === 0 ? t("text") : i === 1 ? t("int8") : t("bool")));
  } else if (name === "date_trunc") {
    type = args[1]?.type.id === "unknown" ? t("timestamp") : args[1]?.type ?? t("timestamp");
    args = [coerceTo(args[0]!, t("text")), coerceTo(args[1]!, type)];
  } else if (
    [
      "version",
      "current_database",
      "current_setting",
      "set_config",
      "format_type",
      "pg_get_userbyid",
      "obj_description",
    ].includes(name)
  ) {
    type = name === "current_database" || name === "pg_get_userbyid" ? t("name") : t("text");
    args = args.map((a) => (a.type.id === "unknown" ? coerceTo(a, t("text")) : a));
  } else if (name === "pg_backend_pid") {
    type = t("int4");
  } else if (name === "pg_table_is_visible" || name === "has_table_privilege") {
    type = t("bool");
  } else if (name === "div") {
    type = t("numeric");
  } else if (name === "array_append") {
    type = args[0]?.type ?? arrayOf(t("text"));
  } else {
    type = args[0]?.type ?? t("text");
  }
  return { kind: "call", fn: name, args, type };
}

/** Built-ins the function library implements better than `exec/builtins.ts`. */
const preferLibrary = new Set<string>([
  "to_jsonb",
  "jsonb_build_object",
  "json_build_object",
  "jsonb_build_array",
  "jsonb_typeof",
  "date_part",
  "array_length",
  "cardinality",
  "array_append",
  "array_to_string",
  "split_part",
  "date_trunc",
  "log",
  "ln",
  "sign",
  "power",
  "pow",
  "abs",
  "exp",
  "sqrt",
  "div",
  "mod",
  "round",
  "trunc",
  "floor",
  "ceil",
  "ceiling",
  "length",
  "char_length",
  "octet_length",
  "lower",
  "upper",
  "left",
  "right",
  "repeat",
  "reverse",
  "lpad",
  "rpad",
  "strpos",
  "replace",
  "initcap",
  "md5",
  "substr",
  "substring",
]);

/** Binds a call to the function library: PostgreSQL's overload resolution and types. */
export function bindLibrary(name: string, args: readonly BoundExpr[]): BoundExpr {
  const r = libraryCallTypes(name, args.map((a) => a.type));
  const fixed = args.map((a, i) => {
    const want = r.args[i]!;
    return want.id === "unknown" && a.type.id === "unknown"
      ? coerceTo(a, t("text"))
      : coerceTo(a, want);
  });
  return { kind: "call", fn: libraryPrefix + name, args: fixed, type: r.ret };
}

/**
 * Binds a binary operator the binder has no rule of its own for, through the
 * operator library (bit operators, jsonb and array operators, ...).
 * @throws {DbError} 42883 operator does not exist
 */
export function bindOperator(op: string, l: BoundExpr, r: BoundExpr): BoundExpr {
  const o = operatorTypes(op, l.type, r.type);
  return {
    kind: "call",
    fn: operatorPrefix + op,
    args: [coerceTo(l, o.left), coerceTo(r, o.right)],
    type: o.ret,
  };
}
