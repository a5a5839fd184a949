/**
 * Row helpers shared by the DML runners (`run_dml.ts`, `run_dml_now.ts`) and
 * the foreign key actions: change counting, RETURNING rows, padding stored
 * rows to the table's width and the READ COMMITTED recheck of a row that
 * changed concurrently.
 * @module
 */
import type { Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { BoundExpr, TargetRel } from "./plan.ts";
import { compile, truthy } from "./scalar.ts";

/** Counts a written row of `rel` in the statement's changes (autovacuum, auto-analyze). */
export function counted(rel: number, ctx: ExecContext): void {
  ctx.changes.set(rel, (ctx.changes.get(rel) ?? 0) + 1);
}
/** The RETURNING row of a written row, or null without RETURNING. */
export function returningRow(
  exprs: readonly BoundExpr[] | null,
  row: Value[],
  ctx: ExecContext,
): Value[] | null {
  if (!exprs) return null;
  return exprs.map((e) => compile(e)(row, ctx));
}
/** A stored row padded with NULLs to `width` (columns added after it was stored). */
export function widenTo(values: Value[], width: number): Value[] {
  if (values.length >= width) return values;
  return [...values, ...new Array<Value>(width - values.length).fill(null)];
}
/**
 * The source row to compute from: the scanned one, or (READ COMMITTED, the
 * row was updated concurrently) the newest version with the other joined
 * columns, or null when that version no longer satisfies WHERE.
 */
export function currentRow(
  target: TargetRel,
  source: Value[],
  current: Value[],
  concurrent: boolean,
  recheck: BoundExpr | null,
  ctx: ExecContext,
): Value[] | null {
  if (!concurrent) return source;
  const fresh = [
    ...widenTo(current, target.width).slice(0, target.width),
    source[target.width] ?? null,
    ...source.slice(target.width + 1),
  ];
  if (recheck && !truthy(compile(recheck)(fresh, ctx))) return null;
  return fresh;
}
