/**
 * Constraints of written rows: NOT NULL (23502), CHECK (23514) and view
 * CHECK OPTION (44000) of a row, FOREIGN KEY checks of a child row (23503,
 * locking the parent KEY SHARE), and the ON DELETE / ON UPDATE actions on the
 * children of a changed parent row.
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { ReferencingAction, TargetRel } from "./plan.ts";
import { compile } from "./scalar.ts";
import { indexLookup } from "./run_select.ts";
import { compareValues, hashKey } from "./values.ts";
import { failingRow, keyText, withDetail } from "./constraint_errors.ts";
import { counted, widenTo } from "./dml_rows.ts";

/** NOT NULL and CHECK constraints of a row (synchronous: they run inside row rechecks). */
export function checkRow(target: TargetRel, values: Value[], ctx: ExecContext): void {
  for (const c of target.checks) {
    switch (c.kind) {
      case "not_null":
        if (values[c.column] === null || values[c.column] === undefined) {
          throw withDetail(
            new DbError(
              "23502",
              `null value in column "${c.columnName}" of relation "${c.table}" violates not-null constraint`,
            ),
            failingRow(target, values, ctx),
          );
        }
        break;
      case "check":
        if (compile(c.expr)(values, ctx) === false) {
          throw withDetail(
            new DbError(
              "23514",
              `new row for relation "${c.table}" violates check constraint "${c.name}"`,
            ),
            failingRow(target, values, ctx),
          );
        }
        break;
      case "view_check":
        // Unlike a CHECK constraint, NULL fails: the row must be visible through the view.
        if (compile(c.expr)(values, ctx) !== true) {
          throw withDetail(
            new DbError("44000", `new row violates check option for view "${c.view}"`),
            failingRow(target, values, ctx),
          );
        }
        break;
      case "foreign_key":
        break;
    }
  }
}
/** FOREIGN KEY checks of a written row: the parent row must exist; it is locked KEY SHARE. */
export async function checkForeignKeys(target: TargetRel, values: Value[], ctx: ExecContext) {
  for (const c of target.checks) {
    if (c.kind !== "foreign_key") continue;
    const key = c.columns.map((i) => values[i] ?? null);
    if (key.some((v) => v === null)) continue;
    // Rows the statement wrote so far count (a parent inserted by the same statement).
    ctx.txns.advanceCommand(ctx.txn);
    let found = false;
    for (const parent of indexLookup(c.refRel, c.refIndex, key, ctx)) {
      const lock = await ctx.rs.lock(ctx.txn, c.refRel, parent.rowId, { mode: "keyShare" });
      if (lock.kind === "done") {
        found = true;
        break;
      }
    }
    if (!found) {
      throw withDetail(
        new DbError(
          "23503",
          `insert or update on table "${c.table}" violates foreign key constraint "${c.name}"`,
        ),
        `Key (${c.columnNames.join(", ")})=(${
          keyText(key)
        }) is not present in table "${c.refTable}".`,
      );
    }
  }
}
/** True when rows written to `target` need FOREIGN KEY checks. */
export function hasForeignKeys(target: TargetRel): boolean {
  return target.checks.some((c) => c.kind === "foreign_key");
}
/** Applies FK actions to child rows of a parent row that was deleted (next = null) or updated. */
export async function applyReferencing(
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
    // The statement's own earlier changes count (rows it already deleted are gone).
    ctx.txns.advanceCommand(ctx.txn);
    const children: { rowId: number }[] = [];
    for (const t of ctx.rs.scan(a.childRel, ctx.txn)) {
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
      throw withDetail(
        new DbError(
          "23503",
          `update or delete on table "${a.parentTable}" violates foreign key constraint "${a.name}" on table "${a.childTable}"`,
        ),
        `Key (${a.parentColumnNames.join(", ")})=(${
          keyText(oldKey)
        }) is still referenced from table "${a.childTable}".`,
      );
    }
    for (const child of children) await cascadeChild(a, child.rowId, next, action, ctx);
  }
}

/** ON DELETE / ON UPDATE CASCADE, SET NULL of one child row. */
async function cascadeChild(
  a: ReferencingAction,
  rowId: number,
  next: Value[] | null,
  action: ReferencingAction["onDelete"],
  ctx: ExecContext,
): Promise<void> {
  if (action === "cascade" && !next) {
    let oldChild: Value[] = [];
    const outcome = await ctx.rs.delete(ctx.txn, a.childRel, rowId, (current) => {
      oldChild = widenTo(current, a.childWidth);
      return true;
    });
    if (outcome.kind !== "done") return;
    counted(a.childRel, ctx);
    await applyReferencing(ctx.referencedBy(a.childRel), oldChild, null, ctx);
    return;
  }
  let oldChild: Value[] = [];
  let updated: Value[] = [];
  const outcome = await ctx.rs.update(ctx.txn, a.childRel, rowId, (current) => {
    oldChild = widenTo(current, a.childWidth);
    updated = oldChild.slice();
    a.childColumns.forEach((c, i) => {
      updated[c] = action === "cascade" && next ? next[a.parentColumns[i]!] ?? null : null;
    });
    return updated;
  }, "update");
  if (outcome.kind !== "done") return;
  counted(a.childRel, ctx);
  await applyReferencing(ctx.referencedBy(a.childRel), oldChild, updated, ctx);
}
