/**
 * Synchronous UPDATE and INSERT for the fast paths: the plans of `run_dml.ts`
 * for targets whose rows need no FOREIGN KEY checks or actions (those lock
 * other rows and may wait), run without yielding while no row needs a wait.
 * A row that would wait stops the loop with `Blocked`, whose `resume` waits
 * for that row and writes it and the rest the waiting way; or the caller
 * (autocommit) rolls the transaction back and runs the statement again.
 * @module
 */
import { assertNever } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { BoundExpr, PlanNode } from "./plan.ts";
import { runPlan } from "./run_select.ts";
import { bulkRowsMin, type DmlResult, insertBuffered, updateMode } from "./run_dml.ts";
import { counted, currentRow, returningRow } from "./dml_rows.ts";
import { checkRow, hasForeignKeys } from "./dml_constraints.ts";
import { compile } from "./scalar.ts";

type UpdateNode = Extract<PlanNode, { kind: "update" }>;
type InsertNode = Extract<PlanNode, { kind: "insert" }>;

/**
 * A statement stopped before a row that needs a wait, with the rows before
 * it written. `resume` goes on from that row, waiting where needed, and
 * resolves to the statement's result.
 */
export interface Blocked {
  readonly kind: "blocked";
  resume(): Promise<DmlResult>;
}

/** True when `node` is an UPDATE `runUpdateNow` can run. */
export function updateRunsNow(node: PlanNode): node is UpdateNode {
  return node.kind === "update" && !hasForeignKeys(node.target) &&
    node.target.referencedBy.length === 0;
}

/** True when `node` is an INSERT `runInsertNow` can run: no ON CONFLICT, no FOREIGN KEYs. */
export function insertRunsNow(node: PlanNode): node is InsertNode {
  return node.kind === "insert" && node.onConflict === null && !hasForeignKeys(node.target);
}

/** A SET target column and its compiled expression. */
interface SetColumn {
  readonly column: number;
  readonly fn: ReturnType<typeof compile>;
}

/**
 * An UPDATE plan node compiled once (a cached plan runs it many times): its
 * SET list, and whether anything it evaluates after writing a row (the SET
 * list and checks of later rows, the READ COMMITTED recheck, RETURNING)
 * reads a table, i.e. holds a subquery.
 */
interface CompiledUpdate {
  readonly sets: readonly SetColumn[];
  readonly readsTables: boolean;
}

const compiledUpdates = new WeakMap<UpdateNode, CompiledUpdate>();

function compiled(node: UpdateNode): CompiledUpdate {
  let c = compiledUpdates.get(node);
  if (c === undefined) {
    const exprs: BoundExpr[] = node.sets.map((s) => s.expr);
    if (node.recheck !== null) exprs.push(node.recheck);
    if (node.returning !== null) exprs.push(...node.returning);
    for (const check of node.target.checks) {
      if (check.kind === "check" || check.kind === "view_check") exprs.push(check.expr);
    }
    c = {
      sets: node.sets.map((s) => ({ column: s.column, fn: compile(s.expr) })),
      readsTables: exprs.some(hasSubquery),
    };
    compiledUpdates.set(node, c);
  }
  return c;
}

/** True when `e` holds a subquery (the only expressions that read tables). */
function hasSubquery(e: BoundExpr): boolean {
  switch (e.kind) {
    case "const":
    case "param":
    case "column":
      return false;
    case "call":
    case "and":
    case "or":
      return e.args.some(hasSubquery);
    case "not":
    case "is_null":
    case "is_bool":
    case "cast":
      return hasSubquery(e.arg);
    case "case":
      return (e.operand !== null && hasSubquery(e.operand)) ||
        e.whens.some((w) => hasSubquery(w.when) || hasSubquery(w.then)) ||
        (e.otherwise !== null && hasSubquery(e.otherwise));
    case "in_list":
      return hasSubquery(e.arg) || e.list.some(hasSubquery);
    case "subquery":
      return true;
    case "array":
      return e.items.some(hasSubquery);
    default:
      return assertNever(e, "expression");
  }
}

/** What an UPDATE has done so far (shared by its synchronous loop and its resumption). */
interface UpdateRun {
  readonly node: UpdateNode;
  readonly ctx: ExecContext;
  readonly rows: readonly Value[][];
  readonly sets: readonly SetColumn[];
  readonly mode: ReturnType<typeof updateMode>;
  /** Row ids written, made for a second source row (a single row needs none). */
  done: Set<number> | null;
  readonly returning: Value[][] | null;
  count: number;
  /** The joined source row and the new values of the row being updated. */
  row: Value[];
  next: Value[];
}

/**
 * Runs an UPDATE accepted by `updateRunsNow` without yielding.
 * @param inPlace true when the caller commits the statement's transaction
 * right after it without yielding (an autocommit statement): rows may then
 * be overwritten in place (see `txn/in_place.ts`) unless the statement reads
 * a table after a write
 * @returns the result, or `Blocked` when a row needs a wait (the rows before
 * it are written: resume, or roll the transaction back)
 * @throws {DbError} 23502, 23505, 23514, 40001 as `runDml`
 */
export function runUpdateNow(
  node: UpdateNode,
  ctx: ExecContext,
  inPlace = false,
): DmlResult | Blocked {
  const c = compiled(node);
  const run: UpdateRun = {
    node,
    ctx,
    rows: runPlan(node.source, ctx),
    sets: c.sets,
    mode: updateMode(node, ctx),
    done: null,
    returning: node.returning ? [] : null,
    count: 0,
    row: [],
    next: [],
  };
  const target = node.target;
  for (let i = 0; i < run.rows.length; i++) {
    ctx.checkCancel();
    const source = run.rows[i]!;
    const rowId = source[target.width] as number;
    if (i > 0 && (run.done ??= new Set([run.rows[0]![target.width] as number])).has(rowId)) {
      continue;
    }
    // The scan's values of the version: the store need not decode it again.
    const options = { mode: run.mode, seen: source, inPlace: inPlace && !c.readsTables };
    const outcome = ctx.rs.updateNow(ctx.txn, target.rel, rowId, computeFor(run, source), options);
    if (outcome.kind === "blocked") return { kind: "blocked", resume: () => updateRest(run, i) };
    run.done?.add(rowId);
    if (outcome.kind === "done") updated(run);
  }
  return { count: run.count, returning: run.returning };
}

/** The rows of `run` from `from` on, waiting where a row needs it. */
async function updateRest(run: UpdateRun, from: number): Promise<DmlResult> {
  const { ctx, node } = run;
  const target = node.target;
  for (let i = from; i < run.rows.length; i++) {
    ctx.checkCancel();
    const source = run.rows[i]!;
    const rowId = source[target.width] as number;
    const done = run.done ??= new Set(
      run.rows.slice(0, from).map((r) => r[target.width] as number),
    );
    if (done.has(rowId)) continue;
    done.add(rowId);
    const outcome = await ctx.rs.update(
      ctx.txn,
      target.rel,
      rowId,
      computeFor(run, source),
      run.mode,
    );
    if (outcome.kind === "done") updated(run);
  }
  return { count: run.count, returning: run.returning };
}

/** The new values of a row from its newest version (see `Recheck`), or null to skip it. */
function computeFor(run: UpdateRun, source: Value[]) {
  return (current: Value[], concurrent: boolean): Value[] | null => {
    const { node, ctx } = run;
    const target = node.target;
    const r = currentRow(target, source, current, concurrent, node.recheck, ctx);
    if (!r) return null;
    const next = r.slice(0, target.width);
    for (const s of run.sets) next[s.column] = s.fn(r, ctx);
    checkRow(target, next, ctx);
    run.row = r;
    run.next = next;
    return next;
  };
}

function updated(run: UpdateRun): void {
  const { node, ctx } = run;
  counted(node.target.rel, ctx);
  run.count++;
  if (node.returning === null) return;
  const r = returningRow(node.returning, [...run.next, ...run.row.slice(node.target.width)], ctx);
  if (r) run.returning!.push(r);
}

/**
 * Runs an INSERT accepted by `insertRunsNow` without yielding: rows one by
 * one (NOT NULL and CHECK, then the row), in the order and with the errors
 * of `runDml`. Many rows without RETURNING take `runDml`'s bulk path, which
 * yields: they come back as `Blocked` before any row is written.
 * @returns the result, or `Blocked` when a row needs a wait (the rows before
 * it are written: resume, or roll the transaction back)
 * @throws {DbError} 23502, 23505, 23514 as `runDml`
 */
export function runInsertNow(node: InsertNode, ctx: ExecContext): DmlResult | Blocked {
  const rows = runPlan(node.source, ctx);
  if (!node.returning && rows.length >= bulkRowsMin) {
    const bulk = async () => ({ count: await insertBuffered(node, rows, ctx), returning: null });
    return { kind: "blocked", resume: bulk };
  }
  const target = node.target;
  const returning: Value[][] | null = node.returning ? [] : null;
  for (let i = 0; i < rows.length; i++) {
    ctx.checkCancel();
    const values = rows[i]!;
    checkRow(target, values, ctx);
    if (ctx.rs.insertNow(ctx.txn, target.rel, values) < 0) {
      return { kind: "blocked", resume: () => insertRest(node, ctx, rows, i, returning) };
    }
    inserted(node, ctx, values, returning);
  }
  return { count: rows.length, returning };
}

/** The rows from `from` on (that one already checked), waiting where a row needs it. */
async function insertRest(
  node: InsertNode,
  ctx: ExecContext,
  rows: readonly Value[][],
  from: number,
  returning: Value[][] | null,
): Promise<DmlResult> {
  for (let i = from; i < rows.length; i++) {
    const values = rows[i]!;
    if (i > from) {
      ctx.checkCancel();
      checkRow(node.target, values, ctx);
    }
    await ctx.rs.insert(ctx.txn, node.target.rel, values);
    inserted(node, ctx, values, returning);
  }
  return { count: rows.length, returning };
}

function inserted(
  node: InsertNode,
  ctx: ExecContext,
  values: Value[],
  returning: Value[][] | null,
): void {
  counted(node.target.rel, ctx);
  const r = returningRow(node.returning, values, ctx);
  if (r) returning!.push(r);
}
