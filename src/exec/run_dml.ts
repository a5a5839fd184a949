/**
 * INSERT, UPDATE and DELETE: constraint checks (NOT NULL 23502, CHECK 23514,
 * UNIQUE 23505, FOREIGN KEY 23503 with ON DELETE/UPDATE actions), ON CONFLICT,
 * row locking with read-committed rechecks, and RETURNING.
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { BoundExpr, PlanNode, ReferencingAction, TargetRel } from "./plan.ts";
import { compile, truthy } from "./scalar.ts";
import { runPlan } from "./run_select.ts";
import type { Tuple } from "./table_store.ts";
import { compareValues, hashKey } from "./values.ts";

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

function checkRow(target: TargetRel, values: Value[], ctx: ExecContext): void {
  for (const c of target.checks) {
    switch (c.kind) {
      case "not_null":
        if (values[c.column] === null || values[c.column] === undefined) {
          throw new DbError(
            "23502",
            `null value in column "${c.columnName}" of relation "${c.table}" violates not-null constraint`,
          );
        }
        break;
      case "check":
        if (compile(c.expr)(values, ctx) === false) {
          throw new DbError(
            "23514",
            `new row for relation "${c.table}" violates check constraint "${c.name}"`,
          );
        }
        break;
      case "foreign_key": {
        const key = c.columns.map((i) => values[i] ?? null);
        if (key.some((v) => v === null)) break;
        if (ctx.store.lookupLatest(c.refRel, c.refIndex, key, ctx.txn).length === 0) {
          throw new DbError(
            "23503",
            `insert or update on table "${c.table}" violates foreign key constraint "${c.name}"`,
          );
        }
        break;
      }
    }
  }
}

function write(target: TargetRel, values: Value[], ctx: ExecContext): Tuple {
  const t = ctx.store.put(target.rel, values, ctx.txn.writeXid, ctx.txn.cid);
  ctx.txn.redo.push({ op: "ins", rel: target.rel, id: t.id, values });
  ctx.txn.writes.add(target.rel);
  ctx.changes.set(target.rel, (ctx.changes.get(target.rel) ?? 0) + 1);
  return t;
}

function remove(t: Tuple, ctx: ExecContext): void {
  ctx.store.markDeleted(t, ctx.txn);
  ctx.txn.redo.push({ op: "del", rel: t.rel, id: t.id });
  ctx.txn.writes.add(t.rel);
  ctx.changes.set(t.rel, (ctx.changes.get(t.rel) ?? 0) + 1);
}

function returningRow(
  exprs: readonly BoundExpr[] | null,
  row: Value[],
  ctx: ExecContext,
): Value[] | null {
  if (!exprs) return null;
  return exprs.map((e) => compile(e)(row, ctx));
}

async function runInsert(
  node: Extract<PlanNode, { kind: "insert" }>,
  ctx: ExecContext,
): Promise<DmlResult> {
  ctx.txn.writes.add(node.target.rel);
  const rows = runPlan(node.source, ctx);
  const returning: Value[][] | null = node.returning ? [] : null;
  let count = 0;
  for (const values of rows) {
    ctx.checkCancel();
    checkRow(node.target, values, ctx);
    if (node.onConflict) {
      const handled = await onConflict(node, values, ctx, returning);
      if (handled !== null) {
        count += handled;
        continue;
      }
    } else {
      await ctx.store.checkUnique(node.target.rel, values, ctx.txn, null);
    }
    write(node.target, values, ctx);
    count++;
    const r = returningRow(node.returning, values, ctx);
    if (r) returning!.push(r);
  }
  return { count, returning };
}

/** Returns rows affected when the conflict path handled the row, null to insert it. */
async function onConflict(
  node: Extract<PlanNode, { kind: "insert" }>,
  values: Value[],
  ctx: ExecContext,
  returning: Value[][] | null,
): Promise<number | null> {
  const oc = node.onConflict!;
  try {
    await ctx.store.checkUnique(node.target.rel, values, ctx.txn, null);
    return null;
  } catch (e) {
    if (!(e instanceof DbError) || e.sqlstate !== "23505") throw e;
    if (oc.action === "nothing") return 0;
  }
  const existing = findConflicting(node, values, ctx);
  if (!existing) return null;
  const lock = await ctx.store.lock(existing, ctx.txn);
  if (lock.kind === "gone") {
    throw new DbError("21000", "ON CONFLICT DO UPDATE command cannot affect row a second time");
  }
  const old = lock.tuple.values;
  const combined = [...widenTo(old, node.target.width), ...values];
  if (oc.where && !truthy(compile(oc.where)(combined, ctx))) {
    ctx.store.unlock(lock.tuple, ctx.txn);
    return 0;
  }
  const next = widenTo(old, node.target.width).slice();
  for (const s of oc.sets) next[s.column] = compile(s.expr)(combined, ctx);
  checkRow(node.target, next, ctx);
  remove(lock.tuple, ctx);
  await ctx.store.checkUnique(node.target.rel, next, ctx.txn, lock.tuple);
  lock.tuple.next = write(node.target, next, ctx);
  const r = returningRow(node.returning, next, ctx);
  if (r) returning!.push(r);
  return 1;
}

function findConflicting(
  node: Extract<PlanNode, { kind: "insert" }>,
  values: Value[],
  ctx: ExecContext,
): Tuple | undefined {
  const indexes = node.onConflict!.indexOid !== null
    ? [node.onConflict!.indexOid]
    : node.target.uniqueIndexes;
  for (const idx of indexes) {
    const cols = ctx.store.indexColumns(node.target.rel, idx);
    if (!cols) continue;
    const key = cols.map((c) => values[c] ?? null);
    if (key.some((k) => k === null)) continue;
    const found = ctx.store.lookupLatest(node.target.rel, idx, key, ctx.txn)[0];
    if (found) return found;
  }
  return undefined;
}

function widenTo(values: Value[], width: number): Value[] {
  if (values.length >= width) return values;
  return [...values, ...new Array<Value>(width - values.length).fill(null)];
}

async function lockSourceRow(
  target: TargetRel,
  row: Value[],
  recheck: BoundExpr | null,
  ctx: ExecContext,
): Promise<{ tuple: Tuple; row: Value[] } | null> {
  const id = row[target.width] as number;
  const tuple = ctx.store.byId(target.rel, id);
  if (!tuple) return null;
  const lock = await ctx.store.lock(tuple, ctx.txn);
  if (lock.kind === "gone") return null;
  if (lock.kind === "locked") return { tuple, row };
  const fresh = [
    ...widenTo(lock.tuple.values, target.width),
    lock.tuple.id,
    ...row.slice(target.width + 1),
  ];
  if (recheck && !truthy(compile(recheck)(fresh, ctx))) {
    ctx.store.unlock(lock.tuple, ctx.txn);
    return null;
  }
  return { tuple: lock.tuple, row: fresh };
}

async function runUpdate(
  node: Extract<PlanNode, { kind: "update" }>,
  ctx: ExecContext,
): Promise<DmlResult> {
  ctx.txn.writes.add(node.target.rel);
  const rows = runPlan(node.source, ctx);
  const returning: Value[][] | null = node.returning ? [] : null;
  const sets = node.sets.map((s) => ({ column: s.column, fn: compile(s.expr) }));
  const done = new Set<number>();
  let count = 0;
  for (const source of rows) {
    ctx.checkCancel();
    if (done.has(source[node.target.width] as number)) continue;
    const locked = await lockSourceRow(node.target, source, node.recheck, ctx);
    if (!locked) continue;
    done.add(locked.tuple.id);
    const old = locked.row.slice(0, node.target.width);
    const next = old.slice();
    for (const s of sets) next[s.column] = s.fn(locked.row, ctx);
    checkRow(node.target, next, ctx);
    remove(locked.tuple, ctx);
    await ctx.store.checkUnique(node.target.rel, next, ctx.txn, locked.tuple);
    await applyReferencing(node.target.referencedBy, old, next, ctx);
    locked.tuple.next = write(node.target, next, ctx);
    count++;
    const r = returningRow(node.returning, [...next, ...locked.row.slice(node.target.width)], ctx);
    if (r) returning!.push(r);
  }
  return { count, returning };
}

async function runDelete(
  node: Extract<PlanNode, { kind: "delete" }>,
  ctx: ExecContext,
): Promise<DmlResult> {
  ctx.txn.writes.add(node.target.rel);
  const rows = runPlan(node.source, ctx);
  const returning: Value[][] | null = node.returning ? [] : null;
  let count = 0;
  const done = new Set<number>();
  for (const source of rows) {
    ctx.checkCancel();
    if (done.has(source[node.target.width] as number)) continue;
    const locked = await lockSourceRow(node.target, source, node.recheck, ctx);
    if (!locked) continue;
    done.add(locked.tuple.id);
    const old = locked.row.slice(0, node.target.width);
    remove(locked.tuple, ctx);
    await applyReferencing(node.target.referencedBy, old, null, ctx);
    count++;
    const r = returningRow(node.returning, locked.row, ctx);
    if (r) returning!.push(r);
  }
  return { count, returning };
}

/** Applies FK actions to child rows of a parent row that was deleted (next = null) or updated. */
async function applyReferencing(
  actions: readonly ReferencingAction[],
  old: Value[],
  next: Value[] | null,
  ctx: ExecContext,
): Promise<void> {
  for (const a of actions) {
    const oldKey = a.parentColumns.map((c) => old[c] ?? null);
    if (oldKey.some((v) => v === null)) continue;
    if (next) {
      const newKey = a.parentColumns.map((c) => next[c] ?? null);
      if (hashKey(newKey) === hashKey(oldKey)) continue;
    }
    const children: Tuple[] = [];
    for (const t of ctx.store.scanLatest(a.childRel, ctx.txn)) {
      if (
        a.childColumns.every((c, i) =>
          t.values[c] !== null && t.values[c] !== undefined &&
          compareValues(t.values[c]!, oldKey[i]!) === 0
        )
      ) {
        children.push(t);
      }
    }
    if (children.length === 0) continue;
    const action = next ? a.onUpdate : a.onDelete;
    if (action === "restrict" || action === "no action") {
      throw new DbError(
        "23503",
        `update or delete on table violates foreign key constraint "${a.name}" on table "${a.childTable}"`,
      );
    }
    for (const child of children) await cascadeChild(a, child, next, action, ctx);
  }
}

async function cascadeChild(
  a: ReferencingAction,
  child: Tuple,
  next: Value[] | null,
  action: ReferencingAction["onDelete"],
  ctx: ExecContext,
): Promise<void> {
  const lock = await ctx.store.lock(child, ctx.txn);
  if (lock.kind === "gone") return;
  const oldChild = widenTo(lock.tuple.values, a.childWidth);
  remove(lock.tuple, ctx);
  if (action === "cascade" && !next) {
    await applyReferencing(ctx.referencedBy(a.childRel), oldChild, null, ctx);
    return;
  }
  const updated = oldChild.slice();
  a.childColumns.forEach((c, i) => {
    updated[c] = action === "cascade" && next ? next[a.parentColumns[i]!] ?? null : null;
  });
  await applyReferencing(ctx.referencedBy(a.childRel), oldChild, updated, ctx);
  const t = ctx.store.put(a.childRel, updated, ctx.txn.writeXid, ctx.txn.cid);
  lock.tuple.next = t;
  ctx.txn.redo.push({ op: "ins", rel: a.childRel, id: t.id, values: updated });
}
