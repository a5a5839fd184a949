/**
 * A synchronous UPDATE for the autocommit fast path: the plan of `run_dml.ts`
 * for targets whose rows need no FOREIGN KEY checks or actions (those lock
 * other rows and may wait). A row that would need a wait stops the statement
 * with `blocked`; the caller then rolls the transaction back and runs the
 * statement through the general, waiting path.
 * @module
 */
import type { Value } from "../common/types.ts";
import { blocked } from "../txn/mod.ts";
import type { ExecContext } from "./context.ts";
import type { PlanNode } from "./plan.ts";
import { runPlan } from "./run_select.ts";
import {
  checkRow,
  counted,
  currentRow,
  type DmlResult,
  hasForeignKeys,
  returningRow,
  updateMode,
} from "./run_dml.ts";
import { compile } from "./scalar.ts";

/** True when `node` is an UPDATE `runUpdateNow` can run. */
export function updateRunsNow(node: PlanNode): node is Extract<PlanNode, { kind: "update" }> {
  return node.kind === "update" && !hasForeignKeys(node.target) &&
    node.target.referencedBy.length === 0;
}

/**
 * Runs an UPDATE accepted by `updateRunsNow` without yielding.
 * @returns the result, or `blocked` when a row would need a wait (the rows
 * before it are written: roll the transaction back)
 * @throws {DbError} 23502, 23505, 23514, 40001 as `runDml`
 */
export function runUpdateNow(
  node: Extract<PlanNode, { kind: "update" }>,
  ctx: ExecContext,
): DmlResult | typeof blocked {
  const rows = runPlan(node.source, ctx);
  const returning: Value[][] | null = node.returning ? [] : null;
  const sets = node.sets.map((s) => ({ column: s.column, fn: compile(s.expr) }));
  const target = node.target;
  const mode = updateMode(node, ctx);
  const done = new Set<number>();
  let count = 0;
  for (const source of rows) {
    ctx.checkCancel();
    const rowId = source[target.width] as number;
    if (done.has(rowId)) continue;
    done.add(rowId);
    let row: Value[] = source;
    let next: Value[] = [];
    const outcome = ctx.rs.updateNow(ctx.txn, target.rel, rowId, (current, concurrent) => {
      const r = currentRow(target, source, current, concurrent, node.recheck, ctx);
      if (!r) return null;
      row = r;
      next = r.slice(0, target.width);
      for (const s of sets) next[s.column] = s.fn(r, ctx);
      checkRow(target, next, ctx);
      return next;
    }, mode);
    if (outcome.kind === "blocked") return blocked;
    if (outcome.kind !== "done") continue;
    counted(target.rel, ctx);
    count++;
    const r = returningRow(node.returning, [...next, ...row.slice(target.width)], ctx);
    if (r) returning!.push(r);
  }
  return { count, returning };
}
