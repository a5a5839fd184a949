/**
 * Test harness: evaluates SQL expressions through pgsql-ast-parser and
 * `compileExpr` against a small fixed table scope.
 * @module
 */

import { parse } from "pgsql-ast-parser";
import { DbError } from "../../../src/common/errors.ts";
import { type SqlType, type, type Value } from "../../../src/common/types.ts";
import { formatValue } from "../../../src/common/value_text.ts";
import { compileExpr, type EvalContext, type ExprScope } from "../../../src/exec/expr/mod.ts";

/** Columns of the test row: a int4 = 1, b int4 = NULL, t text = 'hello', n numeric = 2.50. */
export const columns: readonly { name: string; type: SqlType }[] = [
  { name: "a", type: type("int4") },
  { name: "b", type: type("int4") },
  { name: "t", type: type("text") },
];

/** The scope over `columns`. */
export const scope: ExprScope = {
  resolveColumn(_table, name) {
    const i = columns.findIndex((c) => c.name === name);
    if (i < 0) throw new DbError("42703", `column "${name}" does not exist`);
    return { index: i, type: columns[i]!.type };
  },
};

/** Default row values. */
export const row: Value[] = [1, null, "hello"];

/** A fixed evaluation context (UTC, 2024-01-31 12:00:00). */
export function context(params: Value[] = [], timeZone = "UTC"): EvalContext {
  return { params, outerRows: [], session: { timeZone, now: 1706702400000000n } };
}

/** Parses `select <sql>` and returns the first column's expression. */
export function exprOf(sql: string) {
  const stmt = parse(`select ${sql}`)[0];
  const col = stmt?.type === "select" ? stmt.columns?.[0] : undefined;
  if (!col) throw new Error("no column");
  return col.expr;
}

/** Evaluates and returns [value, type]. */
export function evaluate(
  sql: string,
  params: Value[] = [],
  paramTypes: (SqlType | undefined)[] = [],
  timeZone = "UTC",
): [Value, SqlType] {
  const c = compileExpr(exprOf(sql), scope, { paramTypes });
  return [c.eval(row, context(params, timeZone)), c.type];
}

/** Evaluates and formats as PostgreSQL text output ("NULL" for null). */
export function text(sql: string, timeZone = "UTC"): string {
  const [v, t] = evaluate(sql, [], [], timeZone);
  return v === null ? "NULL" : formatValue(v, t, { timeZone });
}

/** Returns the SQLSTATE thrown by evaluating `sql`, or "" if none. */
export function errorCode(sql: string): string {
  try {
    evaluate(sql);
    return "";
  } catch (e) {
    if (e instanceof DbError) return e.sqlstate;
    throw e;
  }
}
