/**
 * Column references: `name`, `t.name`, whole rows, and the merged value of a
 * JOIN USING column (also through the join's alias).
 * @module
 */
import type { Expr } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import type { BoundExpr } from "../../exec/plan.ts";
import type { BindEnv } from "./bind_expr.ts";
import type { Resolved } from "./scope.ts";
import { mergedAtDepth } from "./plan_using.ts";
import { bindWholeRow } from "./bind_row.ts";

/**
 * Binds a column reference `name` or `t.name` (also `t.*` and a FROM item's
 * name as its whole row).
 * @throws {DbError} 42703, 42702, 42P01, 42803 (an ungrouped column under GROUP BY)
 */
export function bindRef(e: Extract<Expr, { type: "ref" }>, env: BindEnv): BoundExpr {
  if (e.name === "*" && e.table) {
    // `t.*` outside the select list is the whole row, as in row_to_json(t.*).
    const whole = bindWholeRow(e.table.name, env);
    if (whole) return whole;
    throw new DbError("42P01", `missing FROM-clause entry for table "${e.table.name}"`);
  }
  if (e.name === "*") throw new DbError("42601", "* is not allowed here");
  const table = e.table?.name ?? null;
  if (table === null) {
    try {
      return bindColumn(e, env);
    } catch (err) {
      // A name that is no column but a FROM item is the item's whole row.
      const whole = err instanceof DbError && err.sqlstate === "42703"
        ? bindWholeRow(e.name, env)
        : null;
      if (whole) return whole;
      throw err;
    }
  }
  return bindColumn(e, env);
}

function bindColumn(e: Extract<Expr, { type: "ref" }>, env: BindEnv): BoundExpr {
  const table = e.table?.name ?? null;
  if (env.agg) {
    const r = env.agg.inputScope.resolve(table, e.name);
    if (r.depth === 0) {
      // PostgreSQL names the column with its table (or alias): column "w.x".
      const owner = r.column.table ?? table;
      throw new DbError(
        "42803",
        `column "${
          owner ? owner + "." : ""
        }${e.name}" must appear in the GROUP BY clause or be used in an aggregate function`,
      );
    }
    return columnRef(r, table);
  }
  return columnRef(env.scope.resolve(table, e.name), table);
}

/** A resolved reference: an unqualified JOIN USING column is its merged value. */
function columnRef(r: Resolved, table: string | null): BoundExpr {
  const viaUsing = table === null || (r.column.usingAliases?.includes(table) ?? false);
  if (viaUsing && r.column.merged) return mergedAtDepth(r.column.merged, r.depth);
  return { kind: "column", depth: r.depth, index: r.index, type: r.column.type };
}
