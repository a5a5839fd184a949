/**
 * SELECT ... FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF t] [NOWAIT |
 * SKIP LOCKED]: row locks through the transaction layer (`lockRow`).
 *
 * For a query over one table (scan under projections, filters, sorts and
 * limits) the plan is run with the row id carried to the top, and exactly the
 * returned rows are locked, as PostgreSQL's LockRows node does. Other shapes
 * (joins) lock every row their scans of the named tables produce. A row that
 * was skipped (SKIP LOCKED, deleted meanwhile) is excluded and the query run
 * again, so `LIMIT n ... SKIP LOCKED` still returns up to n rows; a row that
 * was updated meanwhile (READ COMMITTED) is locked in its newest version and
 * the query is run again on a new snapshot to return it.
 * @module
 */
import type { Statement } from "pgsql-ast-parser";
import { DbError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import type { ExecContext } from "../exec/context.ts";
import type { PlanNode } from "../exec/plan.ts";
import { runPlan } from "../exec/run_select.ts";
import type { RowLockMode, WaitPolicy } from "../txn/mod.ts";

/** What a locking clause asks for. */
export interface LockClause {
  readonly mode: RowLockMode;
  readonly policy: WaitPolicy;
  /** Relation names of `OF`, or null for every table of the query. */
  readonly of: readonly string[] | null;
}

/** Rounds of re-running the query after skipped or moved rows. */
const maxRounds = 20;

/** The locking clause of a SELECT statement, or null. */
export function lockClauseOf(ast: unknown): LockClause | null {
  const st = ast as Extract<Statement, { type: "select" }>;
  if (typeof ast !== "object" || ast === null || st.type !== "select" || !st.for) return null;
  const mode: RowLockMode = st.for.type === "update"
    ? "update"
    : st.for.type === "no key update"
    ? "noKeyUpdate"
    : st.for.type === "share"
    ? "share"
    : "keyShare";
  const policy: WaitPolicy = st.skip?.type === "nowait"
    ? "nowait"
    : st.skip?.type === "skip locked"
    ? "skipLocked"
    : "wait";
  const of = (st.for as { of?: readonly { name: string }[] }).of;
  return { mode, policy, of: of ? of.map((o) => o.name) : null };
}

type ScanNode = Extract<PlanNode, { kind: "seq_scan" | "index_scan" | "index_range" }>;

function isScan(n: PlanNode): n is ScanNode {
  return n.kind === "seq_scan" || n.kind === "index_scan" || n.kind === "index_range";
}

/**
 * The plan with the scan's row id appended as the last output column, or
 * null when the plan is not a single-table chain.
 */
function withRowId(node: PlanNode): { plan: PlanNode; width: number; rel: number } | null {
  if (isScan(node)) return { plan: { ...node, ctid: true }, width: node.width + 1, rel: node.rel };
  switch (node.kind) {
    case "filter":
    case "sort":
    case "limit": {
      const inner = withRowId(node.input);
      return inner && { ...inner, plan: { ...node, input: inner.plan } as PlanNode };
    }
    case "project": {
      const inner = withRowId(node.input);
      if (!inner) return null;
      const id = {
        kind: "column" as const,
        depth: 0,
        index: inner.width - 1,
        type: { id: "int8" as const },
      };
      return {
        plan: { ...node, input: inner.plan, exprs: [...node.exprs, id] },
        width: node.exprs.length + 1,
        rel: inner.rel,
      };
    }
    default:
      return null;
  }
}

function lockedRels(node: PlanNode, clause: LockClause, out: Set<number>): Set<number> {
  if (isScan(node)) {
    if (!clause.of || clause.of.includes(node.alias) || clause.of.includes(node.table)) {
      out.add(node.rel);
    }
    return out;
  }
  for (const v of Object.values(node)) {
    if (v && typeof v === "object" && "kind" in v) lockedRels(v as PlanNode, clause, out);
  }
  return out;
}

/**
 * Runs a SELECT with a locking clause.
 * @param restart starts a new statement (command id and, under READ COMMITTED, snapshot) for a re-run
 * @throws {DbError} 55P03 with NOWAIT, 40001 (REPEATABLE READ, concurrent update), 40P01
 */
export async function runLocking(
  plan: PlanNode,
  clause: LockClause,
  ctx: ExecContext,
  restart: () => void,
): Promise<Value[][]> {
  const single = withRowId(plan);
  const skip = new Set<number>();
  const locked = new Set<number>();
  ctx.skipRowIds = skip;
  for (let round = 0;; round++) {
    let targets: { rel: number; rowId: number }[];
    let rows: Value[][];
    if (single) {
      const withIds = runPlan(single.plan, ctx);
      rows = withIds.map((r) => r.slice(0, -1));
      targets = withIds.map((r) => ({ rel: single.rel, rowId: Number(r[r.length - 1]) }));
    } else {
      const collect = new Map<number, number[]>();
      for (const rel of lockedRels(plan, clause, new Set())) collect.set(rel, []);
      ctx.lockCollect = collect;
      rows = runPlan(plan, ctx);
      ctx.lockCollect = null;
      targets = [...collect].flatMap(([rel, ids]) => ids.map((rowId) => ({ rel, rowId })));
    }
    let again = false;
    for (const t of targets) {
      if (locked.has(t.rowId)) continue;
      const outcome = await ctx.rs.lock(ctx.txn, t.rel, t.rowId, {
        mode: clause.mode,
        policy: clause.policy,
      });
      if (outcome.kind === "skipped") {
        skip.add(t.rowId);
        again = true;
      } else if (outcome.rowId !== t.rowId) {
        // Updated meanwhile: the newest version is locked; read it on a new snapshot.
        locked.add(outcome.rowId);
        again = true;
      } else locked.add(t.rowId);
    }
    if (!again) return rows;
    if (round >= maxRounds) {
      throw new DbError("40001", "could not serialize access due to concurrent update");
    }
    restart();
  }
}
