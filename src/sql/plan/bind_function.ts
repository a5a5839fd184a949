/**
 * Binds function calls: scalar built-ins with their result types, aggregates
 * (collected into the query's aggregate node) and window functions
 * (collected into its window node).
 * @module
 */
import type { ExprCall } from "pgsql-ast-parser";
import { arrayOf, type SqlType, type as scalar } from "../../common/types.ts";
import type { BoundExpr } from "../../exec/plan.ts";
import { type BindEnv, bindExpr, coerceTo } from "./bind_expr.ts";
import { commonType, commonTypeOf, operatorType } from "./sql_types.ts";
import { bindCatalogFunction } from "../pg_catalog/functions.ts";
import { isBuiltin } from "../../exec/builtins.ts";
import {
  libraryCallTypes,
  libraryPrefix,
  operatorPrefix,
  operatorTypes,
} from "../../exec/builtins_library.ts";
import { hasFunction } from "../../exec/functions/mod.ts";
import { bindAggregate, bindWindow } from "./bind_aggregate.ts";

const t = scalar;

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
