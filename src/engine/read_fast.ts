/**
 * The fast path of a plain SELECT in autocommit mode: the plan comes from the
 * plan cache and runs synchronously (reads never wait), so the statement needs
 * no chain of async steps; the session then ends its transaction synchronously
 * when the statement wrote nothing. Snapshots, isolation levels and SSI read
 * tracking are those of the general path: the same transaction, statement
 * start and executor calls, only without the awaits between them.
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { SqlType, Value } from "../common/types.ts";
import { runPlan } from "../exec/run_select.ts";
import type { PlannedStatement } from "../sql/planner.ts";
import type { ParsedStatement } from "../sql/parser_port.ts";
import type { SqlSession } from "./session.ts";
import type { StatementResult } from "./session_api.ts";
import { coerceParam, execContext, fieldsOf, planFor } from "./statement_context.ts";

/**
 * The plan of `st` when it can take the fast path: a SELECT without a locking
 * clause whose plan runs no data-modifying CTEs. Planning errors are left to
 * the general path, which reports them in its own order.
 * @returns the plan, or null for the general path
 */
export function fastSelectPlan(
  s: SqlSession,
  st: ParsedStatement,
  declared: readonly (SqlType | null)[],
): PlannedStatement | null {
  const ast = st.ast as { readonly type?: string; readonly for?: unknown };
  if (ast.type !== "select" || ast.for) return null;
  let p: PlannedStatement;
  try {
    p = planFor(s, st, declared);
  } catch {
    return null;
  }
  return p.command === "SELECT" && p.preRun.length === 0 ? p : null;
}

/**
 * The parameter values of a fast-path statement, converted to the types its
 * plan expects (strings read in the session's TimeZone).
 * @throws {DbError} 08P01 when fewer values than parameters are given
 */
export function bindParamsNow(
  s: SqlSession,
  p: PlannedStatement,
  params: readonly Value[],
): Value[] {
  const n = p.paramTypes.length;
  if (params.length < n) {
    throw new DbError(
      "08P01",
      `bind message supplies ${params.length} parameters, but prepared statement requires ${n}`,
    );
  }
  const zone = n === 0 ? "UTC" : s.timeZone();
  const values: Value[] = new Array(n);
  for (let i = 0; i < n; i++) values[i] = coerceParam(params[i] ?? null, p.paramTypes[i]!, zone);
  return values;
}

/**
 * Runs a plan from `fastSelectPlan` in the session's statement transaction.
 * @throws {DbError} 08P01 when parameters are missing, or any execution error
 */
export function runFastSelect(
  s: SqlSession,
  p: PlannedStatement,
  params: readonly Value[],
): StatementResult {
  const values = bindParamsNow(s, p, params);
  const rows = runPlan(p.plan, execContext(s, values, false));
  const count = rows.length;
  return { command: "SELECT", tag: `SELECT ${count}`, rowCount: count, fields: fieldsOf(p), rows };
}
