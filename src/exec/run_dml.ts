/**
 * INSERT, UPDATE and DELETE: constraint checks (NOT NULL 23502, CHECK 23514,
 * UNIQUE 23505, FOREIGN KEY 23503 with ON DELETE/UPDATE actions; see
 * `dml_constraints.ts`), ON CONFLICT, row locking with read-committed
 * rechecks, and RETURNING.
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { PlanNode } from "./plan.ts";
import { compile, truthy } from "./scalar.ts";
import { runPlan } from "./run_select.ts";
import { type RowLockMode, UniqueViolationError } from "../txn/mod.ts";
import { counted, currentRow, returningRow, widenTo } from "./dml_rows.ts";
import { applyReferencing, checkForeignKeys, checkRow, hasForeignKeys } from "./dml_constraints.ts";

/** Rows affected and RETURNING rows of a DML statement. */
export interface DmlResult {
  readonly count: number;
  readonly returning: Value[][] | null;
}
/**
 * Runs an INSERT, UPDATE or DELETE plan.
 * @throws {DbError} 23502, 23503, 23505, 23514, 40001, 40P01
 */
export function runDml(node: PlanNode, ctx: ExecContext): Promise<DmlResult> {
  switch (node.kind) {
    case "insert":
      return runInsert(node, ctx);
    case "update":
      return runUpdate(node, ctx);
    case "delete":
      return runDelete(node, ctx);
    default:
      throw new DbError("XX000", `Plan node ${node.kind} is not DML`);
  }
}
/**
 * Runs the CTEs a statement runs before its main query (the top-level WITH's
 * INSERT / UPDATE / DELETE and the plain CTEs before them), each exactly once
 * and in order; their rows (a DML's RETURNING rows) become the CTEs' rows.
 * They share the statement's command, so the main query reads the rows as they
 * were before the statement.
 * @throws {DbError} 25006 in a read-only transaction, and what the DML throws
 */
export async function runPreRunCtes(
  ctes: readonly { readonly id: number; readonly plan: PlanNode }[],
  ctx: ExecContext,
): Promise<void> {
  for (const c of ctes) {
    const kind = c.plan.kind;
    if (kind !== "insert" && kind !== "update" && kind !== "delete") {
      ctx.ctes.set(c.id, runPlan(c.plan, ctx));
      continue;
    }
    if (ctx.txn.readOnly) {
      throw new DbError(
        "25006",
        `cannot execute ${kind.toUpperCase()} in a read-only transaction`,
      );
    }
    ctx.ctes.set(c.id, (await runDml(c.plan, ctx)).returning ?? []);
  }
}
async function runInsert(
  node: Extract<PlanNode, { kind: "insert" }>,
  ctx: ExecContext,
): Promise<DmlResult> {
  const rows = runPlan(node.source, ctx);
  if (!node.onConflict && !node.returning) {
    return { count: await insertBuffered(node, rows, ctx), returning: null };
  }
  const returning: Value[][] | null = node.returning ? [] : null;
  const written = new Set<number>();
  const fks = hasForeignKeys(node.target);
  let count = 0;
  for (const values of rows) {
    ctx.checkCancel();
    checkRow(node.target, values, ctx);
    if (node.onConflict) {
      const handled = await onConflict(node, values, ctx, returning, written);
      count += handled;
      continue;
    }
    written.add(await ctx.rs.insert(ctx.txn, node.target.rel, values));
    counted(node.target.rel, ctx);
    if (fks) await checkForeignKeys(node.target, values, ctx);
    count++;
    const r = returningRow(node.returning, values, ctx);
    if (r) returning!.push(r);
  }
  return { count, returning };
}
/** Rows an INSERT collects before writing them with one bulk insert. */
const insertBufferRows = 1000;
/** Below this many rows a buffer is written row by row (a bulk insert's setup would not pay). */
export const bulkRowsMin = 8;
/**
 * A plain INSERT (no ON CONFLICT, no RETURNING): rows are checked one by one
 * and written in buffers through the bulk path. Errors come in PostgreSQL's
 * order: when a row fails NOT NULL or CHECK, the rows before it are written
 * first (so an earlier row's unique violation wins), then the error is raised.
 * @returns the rows written
 */
export async function insertBuffered(
  node: Extract<PlanNode, { kind: "insert" }>,
  rows: Iterable<Value[]>,
  ctx: ExecContext,
): Promise<number> {
  const target = node.target;
  const fks = hasForeignKeys(target);
  let buffer: Value[][] = [];
  let count = 0;
  const flush = async () => {
    if (buffer.length >= bulkRowsMin) {
      await ctx.rs.insertMany(ctx.txn, target.rel, buffer);
      ctx.changes.set(target.rel, (ctx.changes.get(target.rel) ?? 0) + buffer.length);
    } else {
      for (const values of buffer) {
        await ctx.rs.insert(ctx.txn, target.rel, values);
        counted(target.rel, ctx);
      }
    }
    if (fks) { for (const values of buffer) await checkForeignKeys(target, values, ctx); }
    count += buffer.length;
    buffer = [];
  };
  for (const values of rows) {
    ctx.checkCancel();
    try {
      checkRow(target, values, ctx);
    } catch (e) {
      await flush();
      throw e;
    }
    buffer.push(values);
    if (buffer.length >= insertBufferRows) await flush();
  }
  await flush();
  return count;
}
/**
 * Writes rows an INSERT plan's source produced (COPY FROM's batches): NOT NULL
 * and CHECK constraints of every row first (as PostgreSQL's COPY checks them
 * while buffering rows), then one bulk insert (unique checks
 * and index entries per row, many rows per mini-transaction), then the
 * FOREIGN KEY checks. The plan must have no ON CONFLICT and no RETURNING.
 * `where` names a row (by its position in `rows`) in the CONTEXT of a
 * NOT NULL, CHECK or unique violation.
 * @returns the rows written
 * @throws {DbError} 23502, 23503, 23505, 23514, 40P01
 */
export async function insertBatch(
  node: Extract<PlanNode, { kind: "insert" }>,
  rows: readonly Value[][],
  ctx: ExecContext,
  where?: (row: number) => string,
): Promise<number> {
  if (node.onConflict || node.returning) {
    throw new DbError("XX000", "insertBatch needs an INSERT without ON CONFLICT and RETURNING");
  }
  const target = node.target;
  let row = 0;
  try {
    // Like PostgreSQL's buffered COPY: every row's NOT NULL and CHECK before
    // the batch's unique checks.
    for (; row < rows.length; row++) checkRow(target, rows[row]!, ctx);
    row = -1;
    await ctx.rs.insertMany(ctx.txn, target.rel, rows);
  } catch (e) {
    if (where && e instanceof DbError && e.context === undefined) {
      const at = e instanceof UniqueViolationError && e.rowIndex !== undefined ? e.rowIndex : row;
      if (at >= 0) e.context = where(at);
    }
    throw e;
  }
  ctx.changes.set(target.rel, (ctx.changes.get(target.rel) ?? 0) + rows.length);
  // PostgreSQL checks foreign keys after the rows, so their errors name no line.
  if (hasForeignKeys(target)) {
    for (const values of rows) await checkForeignKeys(target, values, ctx);
  }
  return rows.length;
}
/** INSERT ... ON CONFLICT for one row; returns the rows affected. */
async function onConflict(
  node: Extract<PlanNode, { kind: "insert" }>,
  values: Value[],
  ctx: ExecContext,
  returning: Value[][] | null,
  written: Set<number>,
): Promise<number> {
  const oc = node.onConflict!;
  const rel = node.target.rel;
  for (let attempt = 0;; attempt++) {
    const outcome = await ctx.rs.insertOrConflict(ctx.txn, rel, values);
    if (outcome.kind === "inserted") {
      written.add(outcome.rowId);
      counted(rel, ctx);
      if (hasForeignKeys(node.target)) await checkForeignKeys(node.target, values, ctx);
      const r = returningRow(node.returning, values, ctx);
      if (r) returning!.push(r);
      return 1;
    }
    const e = outcome.error;
    if (oc.indexOid !== null) {
      const arbiter = ctx.rs.spec(rel)?.indexes.find((i) => i.oid === oc.indexOid);
      if (arbiter && arbiter.constraintName !== e.constraint && arbiter.name !== e.constraint) {
        throw e;
      }
    }
    if (oc.action === "nothing") return 0;
    if (written.has(e.conflictRowId)) {
      throw new DbError(
        "21000",
        "ON CONFLICT DO UPDATE command cannot affect row a second time",
      );
    }
    let filtered = false;
    let next: Value[] = [];
    const done = await ctx.rs.update(ctx.txn, rel, e.conflictRowId, (current) => {
      const old = widenTo(current, node.target.width);
      const combined = [...old, ...values];
      if (oc.where && !truthy(compile(oc.where)(combined, ctx))) {
        filtered = true;
        return null;
      }
      next = old.slice();
      for (const s of oc.sets) next[s.column] = compile(s.expr)(combined, ctx);
      checkRow(node.target, next, ctx);
      return next;
    }, "update");
    if (done.kind === "done") {
      written.add(done.rowId);
      counted(rel, ctx);
      if (hasForeignKeys(node.target)) await checkForeignKeys(node.target, next, ctx);
      const r = returningRow(node.returning, next, ctx);
      if (r) returning!.push(r);
      return 1;
    }
    if (filtered) return 0;
    // The conflicting row went away before we could lock it: try the insert again.
    if (attempt > 100) {
      throw new DbError("40001", "could not serialize access due to concurrent update");
    }
  }
}
/** Lock mode of an UPDATE: "update" when it may change a unique key, else "noKeyUpdate". */
export function updateMode(
  node: Extract<PlanNode, { kind: "update" }>,
  ctx: ExecContext,
): RowLockMode {
  // Runs per statement: no set of key columns is built, the lists are short.
  for (const idx of node.target.uniqueIndexes) {
    const columns = ctx.rs.indexColumns(node.target.rel, idx);
    if (columns === undefined) continue;
    for (const s of node.sets) if (columns.includes(s.column)) return "update";
  }
  return "noKeyUpdate";
}
async function runUpdate(
  node: Extract<PlanNode, { kind: "update" }>,
  ctx: ExecContext,
): Promise<DmlResult> {
  const rows = runPlan(node.source, ctx);
  const returning: Value[][] | null = node.returning ? [] : null;
  const sets = node.sets.map((s) => ({ column: s.column, fn: compile(s.expr) }));
  const target = node.target;
  const mode = updateMode(node, ctx);
  const fks = hasForeignKeys(target);
  const done = new Set<number>();
  let count = 0;
  for (const source of rows) {
    ctx.checkCancel();
    const rowId = source[target.width] as number;
    if (done.has(rowId)) continue;
    done.add(rowId);
    let row: Value[] = source;
    let old: Value[] = [];
    let next: Value[] = [];
    const outcome = await ctx.rs.update(ctx.txn, target.rel, rowId, (current, concurrent) => {
      const r = currentRow(target, source, current, concurrent, node.recheck, ctx);
      if (!r) return null;
      row = r;
      old = r.slice(0, target.width);
      next = old.slice();
      for (const s of sets) next[s.column] = s.fn(r, ctx);
      checkRow(target, next, ctx);
      return next;
    }, mode);
    if (outcome.kind !== "done") continue;
    counted(target.rel, ctx);
    if (fks) await checkForeignKeys(target, next, ctx);
    await applyReferencing(target.referencedBy, old, next, ctx);
    count++;
    const r = returningRow(node.returning, [...next, ...row.slice(target.width)], ctx);
    if (r) returning!.push(r);
  }
  return { count, returning };
}
async function runDelete(
  node: Extract<PlanNode, { kind: "delete" }>,
  ctx: ExecContext,
): Promise<DmlResult> {
  const rows = runPlan(node.source, ctx);
  const returning: Value[][] | null = node.returning ? [] : null;
  const target = node.target;
  let count = 0;
  const done = new Set<number>();
  for (const source of rows) {
    ctx.checkCancel();
    const rowId = source[target.width] as number;
    if (done.has(rowId)) continue;
    done.add(rowId);
    let row: Value[] = source;
    const outcome = await ctx.rs.delete(ctx.txn, target.rel, rowId, (current, concurrent) => {
      const r = currentRow(target, source, current, concurrent, node.recheck, ctx);
      if (!r) return false;
      row = r;
      return true;
    });
    if (outcome.kind !== "done") continue;
    counted(target.rel, ctx);
    await applyReferencing(target.referencedBy, row.slice(0, target.width), null, ctx);
    count++;
    const r = returningRow(node.returning, row, ctx);
    if (r) returning!.push(r);
  }
  return { count, returning };
}
