/**
 * The expression compiler (exec layer): turns pgsql-ast-parser `Expr` nodes
 * into closures ONCE per plan, with static types PostgreSQL would infer.
 *
 * Contract with the planner:
 * - `compileExpr(expr, scope, options)` returns `Compiled { type, nullable?, eval(row, ctx) }`.
 *   `row` is the current row (`Value[]`); columns are found through
 *   `scope.resolveColumn(table, name)` which returns `{ index, type }` and
 *   throws 42703/42702/42P01. Correlated references resolve through
 *   `scope.outer` chains: a column found k levels out is read from
 *   `ctx.outerRows[ctx.outerRows.length - k]` (push the outer row before
 *   running a subquery, pop after).
 * - Parameters: `options.paramTypes[i]` is the type of `$(i+1)`. Entries left
 *   `undefined` are inferred from context and written back (then the
 *   protocol reports them); any still undefined after compiling the whole
 *   statement should be treated as text. An entry of type `unknown` means
 *   "string literal lifted out by the statement normalizer": its value in
 *   `ctx.params` is the literal's text and is converted at run time to
 *   whatever the context needs (the entry is not overwritten).
 * - Subqueries: `options.compileSubquery(select, kind, scope)` is called for
 *   scalar subqueries ("scalar"), EXISTS ("exists"), `x IN (SELECT ...)`
 *   and `x op ANY/ALL (SELECT ...)` ("in": eval returns the first column's
 *   values as an array) and `ARRAY(SELECT ...)` ("array").
 * - Aggregates and window calls: any call with OVER/FILTER/DISTINCT/ORDER BY
 *   or named like an aggregate is handed to `options.aggregateRef(call,
 *   scope)`, which returns a `Compiled` reading the planner's aggregate
 *   output. Use `isAggregateCall(expr)` to find them and
 *   `createAggregate(name, argTypes)` to run them.
 * - `EvalContext.session` carries the time zone and statement time; the
 *   closures read no clock and no global randomness of their own.
 *
 * Syntax pgsql-ast-parser lacks arrives as calls to internal functions (in
 * `pg_catalog` or unqualified), as `src/sql/parse/` emits them:
 * `__similar_to(a, p[, esc])` / `__not_similar_to`, `__is_distinct_from(a, b)` /
 * `__is_not_distinct_from`, `__vector_l2_distance(a, b)` (`<->`),
 * `__vector_cosine_distance` (`<=>`), `__vector_negative_inner_product`
 * (`<#>`), `__collate(x, 'name')` (C/POSIX/default collations only). Also
 * understood: `__like(s, p, esc)` / `__not_like` / `__ilike` / `__not_ilike`,
 * `__between_symmetric(x, lo, hi)` / `__not_between_symmetric`,
 * `__op('#>', a, b)` for any binary operator, `__subscript(a, i)`,
 * `__slice(a, lo, hi)`, `__is_unknown(x)`. A binary node whose `op` is an
 * operator string outside the grammar's union (`<->`, `#>`, ...) works too.
 *
 * Operator closures build no per-row arrays; function calls reuse one
 * argument array per call site; comparisons of a column with a constant and
 * of numbers are specialised.
 * @module
 */

import type { Expr } from "pgsql-ast-parser";
import type { Compiled, CompileOptions, ExprScope } from "./context.ts";
import { Compiler } from "./compiler.ts";
import { isAggregateName, isWindowName } from "../functions/aggregates.ts";
import "../functions/mod.ts";
import { coerce, type Node } from "./node.ts";
import type { SqlType } from "../../common/types.ts";

export type {
  Compiled,
  CompiledSubquery,
  CompileOptions,
  EvalContext,
  ExprScope,
  ResolvedColumn,
  SessionInfo,
  SubqueryKind,
} from "./context.ts";
export { commonType, pairType, typeFromAst, typeFromName } from "../functions/type_rules.ts";
export { comparatorFor, compareValues, hashKey } from "../functions/compare.ts";
export type { Comparator } from "../functions/compare.ts";

/**
 * Compiles an expression once; the result's `eval` runs per row.
 * @param expr a pgsql-ast-parser expression
 * @param scope column resolution for the current query level
 * @param options parameter types and planner hooks
 * @returns the static type and the closure
 * @throws {DbError} 42703/42883/42804/42846/22P02... as PostgreSQL would at parse/plan time
 * @example
 * const c = compileExpr(expr, scope, { paramTypes: [] });
 * c.eval(row, ctx);
 */
export function compileExpr(expr: Expr, scope: ExprScope, options: CompileOptions): Compiled {
  const compiler = new Compiler(options);
  const node = compiler.settle(compiler.compile(expr, scope));
  const out: Compiled = node.nullable === undefined
    ? { type: node.type, eval: node.eval }
    : { type: node.type, nullable: node.nullable, eval: node.eval };
  return out;
}

/**
 * Compiles a condition (WHERE, HAVING, JOIN ON, CHECK) that must be boolean.
 * @throws {DbError} 42804 argument of WHERE must be type boolean
 */
export function compileCondition(expr: Expr, scope: ExprScope, options: CompileOptions): Compiled {
  const compiler = new Compiler(options);
  return compiler.compileBool(expr, scope, options.clause ?? "WHERE");
}

/**
 * Compiles an expression and converts it to `target` with assignment rules
 * (INSERT values, UPDATE SET): int8 → int4 with range checks, numeric → int
 * rounding, varchar(n) length checks.
 * @throws {DbError} 42804 when no assignment cast exists
 */
export function compileAssignment(
  expr: Expr,
  target: SqlType,
  scope: ExprScope,
  options: CompileOptions,
): Compiled {
  const compiler = new Compiler(options);
  const node = compiler.compile(expr, scope);
  return coerceAssign(node, target, compiler);
}

function coerceAssign(node: Node, target: SqlType, c: Compiler): Compiled {
  return coerce(node, target, c, "assignment");
}

/** True when `expr` is an aggregate or window function call the planner must replace. */
export function isAggregateCall(expr: Expr): boolean {
  if (expr.type !== "call") return false;
  const name = expr.function.name.toLowerCase();
  return expr.over !== undefined && expr.over !== null ||
    isAggregateName(name) || isWindowName(name);
}
