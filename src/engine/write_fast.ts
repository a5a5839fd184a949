/**
 * The fast path of a plain UPDATE in autocommit mode, like `read_fast.ts` for
 * SELECT: the plan comes from the plan cache and runs synchronously while no
 * row needs a wait (see `exec/run_dml_now.ts`); the session then commits
 * without yielding when the WAL needs no flush. A statement that meets a row
 * lock, an uncommitted writer or a FOREIGN KEY goes the general way instead.
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { SqlType, Value } from "../common/types.ts";
import type { PlanNode } from "../exec/plan.ts";
import { runUpdateNow, updateRunsNow } from "../exec/run_dml_now.ts";
import type { PlannedStatement } from "../sql/planner.ts";
import type { ParsedStatement } from "../sql/parser_port.ts";
import { bindParamsNow } from "./read_fast.ts";
import type { SqlSession } from "./session.ts";
import type { StatementResult } from "./session_api.ts";
import { execContext, fieldsOf, planFor } from "./statement_context.ts";

/** A plan `runFastUpdate` runs. */
export interface FastUpdatePlan {
  readonly planned: PlannedStatement;
  readonly node: Extract<PlanNode, { kind: "update" }>;
}

/**
 * The plan of `st` when it can take the fast path: an UPDATE without
 * data-modifying CTEs whose target has no FOREIGN KEYs either way. Planning
 * errors are left to the general path.
 * @returns the plan, or null for the general path
 */
export function fastUpdatePlan(
  s: SqlSession,
  st: ParsedStatement,
  declared: readonly (SqlType | null)[],
): FastUpdatePlan | null {
  const ast = st.ast as { readonly type?: string };
  if (ast.type !== "update") return null;
  let p: PlannedStatement;
  try {
    p = planFor(s, st, declared);
  } catch {
    return null;
  }
  const node = p.plan;
  if (p.command !== "UPDATE" || p.preRun.length > 0 || !updateRunsNow(node)) return null;
  return { planned: p, node };
}

/**
 * Runs a plan from `fastUpdatePlan` in the session's statement transaction.
 * @returns the result, or null when a row needed a wait: the transaction must
 * then be rolled back and the statement run through the general path
 * @throws {DbError} 08P01 when parameters are missing, 25006 in a read-only
 * transaction, or any execution error
 */
export function runFastUpdate(
  s: SqlSession,
  f: FastUpdatePlan,
  params: readonly Value[],
): StatementResult | null {
  const p = f.planned;
  const values = bindParamsNow(s, p, params);
  const ctx = execContext(s, values, false);
  if (ctx.txn.readOnly) {
    throw new DbError("25006", "cannot execute UPDATE in a read-only transaction");
  }
  // The session commits right after, without yielding, unless DDL must commit (none here).
  const r = runUpdateNow(f.node, ctx, s.txCatalog === null);
  if ("kind" in r) return null;
  s.addChanges(ctx.changes);
  const rows = r.returning ?? [];
  return {
    command: "UPDATE",
    tag: r.count === 1 ? "UPDATE 1" : `UPDATE ${r.count}`,
    rowCount: r.count,
    fields: fieldsOf(p),
    rows,
  };
}
