/**
 * The DETAIL texts of constraint violations, as PostgreSQL writes them:
 * `Failing row contains (...)` for NOT NULL and CHECK, `Key (a)=(1) ...` for
 * foreign keys.
 * @module
 */
import type { DbError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import { formatValue } from "../common/value_text.ts";
import { formatValue as formatKeyValue } from "../txn/mod.ts";
import type { ExecContext } from "./context.ts";
import type { TargetRel } from "./plan.ts";

/** Sets `e.detail` and returns `e`. */
export function withDetail(e: DbError, detail: string): DbError {
  e.detail = detail;
  return e;
}

/** PostgreSQL's detail for a NOT NULL or CHECK violation: the live columns as text. */
export function failingRow(target: TargetRel, values: readonly Value[], ctx: ExecContext): string {
  const timeZone = ctx.setting("timezone") ?? "UTC";
  const parts = target.rowColumns.map(({ index, type }) => {
    const v = values[index] ?? null;
    return v === null ? "null" : formatValue(v, type, { timeZone });
  });
  return `Failing row contains (${parts.join(", ")}).`;
}

/** A key's values as they appear in `Key (a, b)=(1, x)` details. */
export function keyText(key: readonly Value[]): string {
  return key.map(formatKeyValue).join(", ");
}
