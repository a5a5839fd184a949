/**
 * Binds pgsql-ast-parser expressions to typed `BoundExpr`s: resolves names,
 * infers parameter and literal types, folds constant casts of literals, and
 * routes aggregate and window calls to the query's collectors.
 * @module
 */
import type { Expr, ExprCall, SelectStatement } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { arrayOf, type SqlType, type as scalar, type Value } from "../../common/types.ts";
import type { BoundExpr, PlanNode } from "../../exec/plan.ts";
import { castValue, zoned } from "../../exec/coerce.ts";
import { parseNumeric } from "../../exec/numeric_ops.ts";
import { isBuiltin } from "../../exec/builtins.ts";
import { catalogOf, isCatalogFunction, markValueDependent } from "../pg_catalog/functions.ts";
import { bindRegCast, isRegType } from "../pg_catalog/reg_types.ts";
import { hasFunction } from "../../exec/functions/mod.ts";
import type { Scope } from "./scope.ts";
import { bindRef } from "./bind_ref.ts";
import { bindDomainCast } from "./bind_domain.ts";
import { commonTypeOf, resolveType } from "./sql_types.ts";
import { regtypeName } from "../../common/value_text.ts";
import { literalAt, recordedLiteral } from "./literal_text.ts";
import { bindFunction, bindOperator } from "./bind_function.ts";
import { aggregateNames, windowNames } from "../../exec/functions/aggregates.ts";
import { bindCase, bindKeyword } from "./bind_ops.ts";
import { bindBetween, bindGrouping, bindInternal, isInternalCall } from "./bind_internal.ts";
import { bindFieldSelect, bindRow, isQueryExpr, rowItems } from "./bind_row.ts";
import { bindBinary, bindUnary } from "./bind_binary.ts";

/** Query-wide binding state. */
export interface PlannerContext {
  /** The statement text (literals are re-read from it for exact values). */
  readonly text: string;
  readonly paramTypes: (SqlType | null)[];
  /** Plans a subquery with `scope` as its enclosing level. */
  planSubquery(stmt: SelectStatement, scope: Scope): { plan: PlanNode; types: SqlType[] };
}

/** Collects aggregates of an aggregate query level. */
export interface AggCollector {
  readonly groupKeys: readonly string[];
  readonly groupTypes: readonly SqlType[];
  readonly inputScope: Scope;
  readonly aggs: import("../../exec/plan.ts").AggSpec[];
  readonly aggKeys: string[];
}

/** Collects window functions of a query level. */
export interface WindowCollector {
  /** Width of the rows the window node receives. */
  readonly base: number;
  readonly specs: import("../../exec/plan.ts").WindowSpec[];
}

/** Where an expression is bound. */
export interface BindEnv {
  readonly scope: Scope;
  readonly ctx: PlannerContext;
  /** Set in the post-aggregation part of an aggregate query. */
  readonly agg: AggCollector | null;
  readonly windows: WindowCollector | null;
  /** Where aggregates are collected when found (null: aggregates not allowed here). */
  readonly collectAggregates: boolean;
}

/** A structural key for an expression, ignoring source locations. */
export function fingerprint(e: unknown): string {
  return JSON.stringify(e, (k, v) => (k === "_location" ? undefined : v));
}

const boolT = scalar("bool");

/** A scalar subquery: its one column's value. */
function scalarSubquery(e: SelectStatement, env: BindEnv): BoundExpr {
  const sub = planSub(e, env);
  if (sub.types.length !== 1) {
    throw new DbError("42601", "subquery must return only one column");
  }
  return subquery("scalar", sub, null, false, sub.types[0]!);
}

/**
 * Binds an expression.
 * @throws {DbError} 42703, 42P01, 42702, 42803, 42883, 42804
 */

export function bindExpr(e: Expr, env: BindEnv, expected?: SqlType): BoundExpr {
  if (env.agg && e.type !== "ref" || env.agg && e.type === "ref") {
    const key = fingerprint(e);
    const g = env.agg.groupKeys.indexOf(key);
    if (g >= 0) return { kind: "column", depth: 0, index: g, type: env.agg.groupTypes[g]! };
  }
  if (e.type === undefined && isQueryExpr(e)) return scalarSubquery(e, env);
  switch (e.type) {
    case "integer":
    case "numeric":
      return bindNumber(e, env);
    case "string":
      // A name where a reg* value is expected (`pg_typeof(x) IN ('integer')`) is looked up.
      if (expected && isRegType(expected)) return bindCast(e, expected, env);
      return coerceLiteral(e.value, expected);
    case "boolean":
      return { kind: "const", value: e.value, type: boolT };
    case "null":
      return { kind: "const", value: null, type: expected ?? scalar("unknown") };
    case "constant":
      return {
        kind: "const",
        value: e.value as Value,
        type: resolveType(e.dataType, catalogOf(env.ctx)),
      };
    case "parameter":
      return bindParam(e.name, env, expected);
    case "ref":
      return bindRef(e, env);
    case "cast":
      return bindDomainCast(e.operand, e.to, env) ??
        bindCast(e.operand, resolveType(e.to, catalogOf(env.ctx)), env);
    case "unary":
      return bindUnary(e, env);
    case "binary":
      return bindBinary(e, env);
    case "ternary":
      return bindBetween(e, env);
    case "case":
      return bindCase(e, env);
    case "call":
      return bindCall(e, env, expected);
    case "list":
      if (e.expressions.length >= 2) return bindRow(e.expressions, env, expected);
      // falls through: a one-item list keeps the array binding (two or more items make a row)
    case "array": {
      const items = e.expressions.map((x) => bindExpr(x, env, expected?.elem));
      const elem = commonTypeOf(
        [expected?.elem ?? scalar("unknown"), ...items.map((i) => i.type)],
        "ARRAY",
      );
      const fixed = elem.id === "unknown" ? scalar("text") : elem;
      // ARRAY[ARRAY[..], ..] is a multi-dimensional array of the same type.
      const type = fixed.id === "array" ? fixed : arrayOf(fixed);
      return { kind: "array", items: items.map((i) => coerceTo(i, fixed)), type };
    }
    case "array select": {
      const sub = planSub(e.select, env);
      return subquery("array", sub, null, false, arrayOf(sub.types[0] ?? scalar("text")));
    }
    case "select":
    case "union":
    case "union all":
    case "values":
    case "with":
    case "with recursive":
      return scalarSubquery(e, env);
    case "keyword":
      return bindKeyword(e.keyword);
    case "extract": {
      const from = bindExpr(e.from, env);
      const t = from.type.id === "unknown" ? scalar("timestamptz") : from.type;
      return {
        kind: "call",
        fn: "extract",
        args: [{ kind: "const", value: e.field.name, type: scalar("text") }, coerceTo(from, t)],
        type: scalar("numeric"),
      };
    }
    case "member": {
      const operand = bindExpr(e.operand, env);
      const key: BoundExpr = typeof e.member === "number"
        ? { kind: "const", value: e.member, type: scalar("int4") }
        : { kind: "const", value: e.member, type: scalar("text") };
      return bindOperator(e.op, operand, key);
    }
    case "substring": {
      // substring(x FROM a FOR b) resolves like substring(x, a, b): an integer
      // FROM picks the positional form, a text FROM the regular-expression form.
      const from: Expr = e.from ?? { type: "integer", value: 1 };
      const parts = [e.value, from, ...(e.for ? [e.for] : [])];
      return bindCall(
        { type: "call", function: { name: "substring" }, args: parts },
        env,
        expected,
      );
    }
    case "arrayIndex": {
      const arr = bindExpr(e.array, env);
      const idx = bindExpr(e.index, env, scalar("int4"));
      return {
        kind: "call",
        fn: "array_index",
        args: [arr, idx],
        type: arr.type.elem ?? scalar("text"),
      };
    }
    case "default":
      throw new DbError("42601", "DEFAULT is not allowed in this context");
    case "overlay": {
      const parts = [e.value, e.placing, e.from, ...(e.for ? [e.for] : [])];
      return bindCall(
        { type: "call", function: { name: "overlay" }, args: parts },
        env,
        expected,
      );
    }
  }
}

/** A planned subquery and whether it refers to enclosing levels. */
export interface PlannedSub {
  readonly plan: PlanNode;
  readonly types: SqlType[];
  readonly correlated: boolean;
}

/** Plans a subquery below the current scope, noting whether it is correlated. */
export function planSub(stmt: SelectStatement, env: BindEnv): PlannedSub {
  const before = env.scope.chainRefs();
  const sub = env.ctx.planSubquery(stmt, env.scope);
  return { ...sub, correlated: env.scope.chainRefs() !== before };
}

/** Builds a subquery expression of the given mode from a planned subquery. */
export function subquery(
  mode: "scalar" | "exists" | "in" | "array",
  sub: PlannedSub,
  arg: BoundExpr | null,
  negate: boolean,
  type: SqlType,
): BoundExpr {
  return { kind: "subquery", mode, plan: sub.plan, arg, negate, correlated: sub.correlated, type };
}

/** Binds a numeric literal to int4, int8 or numeric, re-reading its source text. */
export function bindNumber(
  e: Extract<Expr, { type: "integer" | "numeric" }>,
  env: BindEnv,
): BoundExpr {
  const loc = e._location;
  // The literal as written: recorded for a stored query's nodes, else at its offset in this
  // statement's text (the frontend spells `1e3` out for the grammar).
  const raw = recordedLiteral(e) ?? (loc ? literalAt(env.ctx.text, loc.start, e.value) : undefined);
  const text = raw ?? String(e.value);
  if (/^[+-]?\d+$/.test(text)) {
    const big = BigInt(text);
    if (big >= -2147483648n && big <= 2147483647n) {
      return { kind: "const", value: Number(big), type: scalar("int4") };
    }
    if (big >= -(2n ** 63n) && big < 2n ** 63n) {
      return { kind: "const", value: big, type: scalar("int8") };
    }
  }
  return { kind: "const", value: parseNumeric(text), type: scalar("numeric") };
}

/** Turns a string literal into a constant of the expected type (unknown when none). */
export function coerceLiteral(value: string, expected?: SqlType): BoundExpr {
  if (!expected || expected.id === "unknown") {
    return { kind: "const", value, type: scalar("unknown") };
  }
  const literal: BoundExpr = { kind: "const", value, type: scalar("unknown") };
  if (zoned(literal.type, expected)) {
    return { kind: "cast", arg: literal, from: literal.type, type: expected, implicit: true };
  }
  return {
    kind: "const",
    value: castValue(value, scalar("unknown"), expected, false),
    type: expected,
  };
}

function bindParam(name: string, env: BindEnv, expected?: SqlType): BoundExpr {
  const index = Number(name.slice(1)) - 1;
  if (!(index >= 0) || index >= 65535) throw new DbError("42P02", `there is no parameter ${name}`);
  const types = env.ctx.paramTypes;
  while (types.length <= index) types.push(null);
  const known = types[index];
  if (known) return { kind: "param", index, type: known };
  if (expected && expected.id !== "unknown") {
    types[index] = expected;
    return { kind: "param", index, type: expected };
  }
  return { kind: "param", index, type: scalar("unknown") };
}

/** Binds `operand::type`, folding literal casts. */
export function bindCast(operand: Expr, to: SqlType, env: BindEnv): BoundExpr {
  // reg* casts look names up in the catalog (sql/pg_catalog/reg_types.ts).
  const catalog = catalogOf(env.ctx);
  if (operand.type === "string") {
    const literal: BoundExpr = { kind: "const", value: operand.value, type: scalar("unknown") };
    const reg = catalog && bindRegCast(literal, to, catalog);
    if (reg) return reg;
    // A wall-clock text reads in the session's TimeZone when the statement runs.
    if (zoned(literal.type, to)) {
      return { kind: "cast", arg: literal, from: literal.type, type: to };
    }
    return { kind: "const", value: castValue(operand.value, scalar("unknown"), to), type: to };
  }
  const regParam = isRegType(to) && operand.type === "parameter";
  if (regParam) markValueDependent(env.ctx);
  const arg = bindExpr(operand, env, regParam ? scalar("text") : to);
  const reg = catalog && bindRegCast(arg, to, catalog);
  if (reg) return reg;
  if (arg.kind === "param" && (arg.type.id === to.id)) return arg;
  if (arg.type.id === to.id && (to.typmod ?? -1) < 0 && to.id !== "array") return arg;
  return { kind: "cast", arg, from: arg.type, type: to };
}

/** Converts an expression to a type, implicitly (assignment / operator coercion). */
export function coerceTo(e: BoundExpr, to: SqlType): BoundExpr {
  if (e.type.id === to.id && (to.typmod ?? -1) < 0 && to.id !== "array") return e;
  if (e.kind === "const" && (e.type.id === "unknown" || e.value === null)) {
    if (e.value !== null && zoned(e.type, to)) {
      return { kind: "cast", arg: e, from: e.type, type: to, implicit: true };
    }
    return { kind: "const", value: castValue(e.value, e.type, to, false), type: to };
  }
  if (e.kind === "param" && e.type.id === "unknown") return { ...e, type: to };
  if (e.type.id === to.id && e.type.id === "array") return e;
  return { kind: "cast", arg: e, from: e.type, type: to, implicit: true };
}

/**
 * Binds `e` where a boolean is required (WHERE, NOT, AND, CASE/WHEN, ...): an
 * untyped literal or parameter becomes boolean, any other type is an error.
 * @throws {DbError} 42804 argument of WHERE must be type boolean, not type integer
 */
export function bindBoolean(e: Expr, env: BindEnv, construct: string): BoundExpr {
  const b = bindExpr(e, env, boolT);
  const id = b.type.id;
  if (id !== "bool" && id !== "unknown" && !(b.kind === "const" && b.value === null)) {
    throw new DbError(
      "42804",
      `argument of ${construct} must be type boolean, not type ${regtypeName(b.type)}`,
    );
  }
  return coerceTo(b, boolT);
}

function bindCall(e: ExprCall, env: BindEnv, expected?: SqlType): BoundExpr {
  const name = e.function.name.toLowerCase();
  const a0 = e.args[0];
  if (name === "position" && e.args.length === 1 && a0?.type === "binary" && a0.op === "IN") {
    // position(sub IN str) arrives as one IN expression.
    return bindCall({ ...e, args: [a0.left, a0.right] }, env, expected);
  }
  if (name === "exists") {
    const sub = planSub(e.args[0] as SelectStatement, env);
    return subquery("exists", sub, null, false, boolT);
  }
  if (name === "__field" && !e.over) return bindFieldSelect(e.args, env);
  const row = rowItems(e);
  if (row) return bindRow(row, env, expected);
  if (isInternalCall(name, e.function.schema) && !e.over) return bindInternal(e, name, env);
  if (name === "grouping" && !e.over) return bindGrouping(e, env);
  if (e.withinGroup && e.over) {
    throw new DbError("0A000", `OVER is not supported for ordered-set aggregate ${name}`);
  }
  if (e.withinGroup && !aggregateNames.has(name)) {
    if (env.agg) return bindFunction(e, name, env, expected, "aggregate");
    throw new DbError("42803", `aggregate functions are not allowed here`);
  }
  if (e.over) {
    if (!env.windows) throw new DbError("42P20", "window functions are not allowed here");
    return bindFunction(e, name, env, expected, "window");
  }
  if (aggregateNames.has(name)) {
    if (env.agg) return bindFunction(e, name, env, expected, "aggregate");
    throw new DbError("42803", `aggregate functions are not allowed here`);
  }
  if (windowNames.has(name)) {
    throw new DbError("42809", `window function ${name} requires an OVER clause`);
  }
  if (
    !isBuiltin(name) && !isCatalogFunction(name) && !hasFunction(name) &&
    !["coalesce", "nullif", "greatest", "least"].includes(name)
  ) {
    throw new DbError("42883", `function ${name}(${e.args.length ? "..." : ""}) does not exist`);
  }
  return bindFunction(e, name, env, expected, "scalar");
}
