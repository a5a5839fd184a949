/**
 * The fast path of statements inside a transaction block (BEGIN ... COMMIT):
 * a plain SELECT, UPDATE or INSERT whose plan is cached runs synchronously in
 * the block's transaction, as the autocommit fast paths (`read_fast.ts`,
 * `write_fast.ts`) do outside blocks. A DML statement that meets a row that
 * needs a wait (a row lock, an uncommitted writer or inserter of a duplicate
 * key) goes on from that row asynchronously, waiting as the general path
 * does; the rows before it stay written, as they would there.
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { SqlType, Value } from "../common/types.ts";
import type { PlanNode } from "../exec/plan.ts";
import type { DmlResult } from "../exec/run_dml.ts";
import { insertRunsNow, runInsertNow, runUpdateNow, updateRunsNow } from "../exec/run_dml_now.ts";
import type { PlannedStatement } from "../sql/planner.ts";
import type { ParsedStatement } from "../sql/parser_port.ts";
import { bindParamsNow, fastSelectPlan, runFastSelect } from "./read_fast.ts";
import type { SqlSession } from "./session.ts";
import type { StatementResult } from "./session_api.ts";
import { execContext, fieldsOf, planFor } from "./statement_context.ts";

type DmlNode = Extract<PlanNode, { kind: "update" } | { kind: "insert" }>;

/** A statement `runInBlock` runs. */
export type BlockPlan =
  | { readonly kind: "select"; readonly planned: PlannedStatement }
  | { readonly kind: "dml"; readonly planned: PlannedStatement; readonly node: DmlNode };

/**
 * The plan of `st` when it can run on the fast path inside a block: a SELECT
 * without a locking clause, or an UPDATE or INSERT without data-modifying
 * CTEs, ON CONFLICT or FOREIGN KEYs. Planning errors are left to the general
 * path.
 * @returns the plan, or null for the general path
 */
export function blockPlan(
  s: SqlSession,
  st: ParsedStatement,
  declared: readonly (SqlType | null)[],
): BlockPlan | null {
  const type = (st.ast as { readonly type?: string }).type;
  if (type === "select") {
    const planned = fastSelectPlan(s, st, declared);
    return planned === null ? null : { kind: "select", planned };
  }
  if (type !== "update" && type !== "insert") return null;
  let planned: PlannedStatement;
  try {
    planned = planFor(s, st, declared);
  } catch {
    return null;
  }
  const node = planned.plan;
  if (planned.preRun.length > 0 || !(updateRunsNow(node) || insertRunsNow(node))) return null;
  return { kind: "dml", planned, node };
}

/**
 * Runs a plan from `blockPlan` in the block's transaction (the caller marks
 * the block failed when it throws or rejects).
 * @returns the result, or its promise when a row needed a wait
 * @throws {DbError} 08P01 when parameters are missing, 25006 in a read-only
 * transaction, or any execution error
 */
export function runInBlock(
  s: SqlSession,
  plan: BlockPlan,
  params: readonly Value[],
): StatementResult | Promise<StatementResult> {
  if (plan.kind === "select") return runFastSelect(s, plan.planned, params);
  const p = plan.planned;
  const values = bindParamsNow(s, p, params);
  const ctx = execContext(s, values, false);
  if (ctx.txn.readOnly) {
    throw new DbError("25006", `cannot execute ${p.command} in a read-only transaction`);
  }
  const node = plan.node;
  const r = node.kind === "update" ? runUpdateNow(node, ctx) : runInsertNow(node, ctx);
  const done = (d: DmlResult): StatementResult => {
    s.addChanges(ctx.changes);
    const tag = p.command === "INSERT" ? `INSERT 0 ${d.count}` : `${p.command} ${d.count}`;
    return {
      command: p.command,
      tag,
      rowCount: d.count,
      fields: fieldsOf(p),
      rows: d.returning ?? [],
    };
  };
  return "kind" in r ? r.resume().then(done) : done(r);
}
