/**
 * Keys of expression indexes (`CREATE INDEX ON t (lower(email))`): binding
 * their stored SQL text against the table, the checks PostgreSQL makes on
 * them, and matching them to the expressions of a query.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import type { BoundExpr } from "../../exec/plan.ts";
import type { IndexDef, RelationDef } from "../catalog/catalog.ts";
import { exprRefs } from "./expr_walk.ts";
import { bindSqlText } from "./dml_target.ts";
import { tableColumns } from "./plan_from.ts";
import type { Planner } from "./planner_types.ts";
import { Scope } from "./scope.ts";

/**
 * The keys of an index as bound expressions over the table's row (a column
 * key is a depth-0 column reference).
 * @param p a planner over the catalog holding the index
 * @returns one expression per key, parallel to `idx.columns`
 * @throws {DbError} 42703 unknown column, 0A000 subquery, 42P17 volatile function
 */
export function bindIndexKeys(p: Planner, rel: RelationDef, idx: IndexDef): BoundExpr[] {
  return idx.columns.map((c, k): BoundExpr => {
    const expr = idx.expressions?.[k] ?? null;
    if (expr !== null) return bindIndexExpr(p, rel, expr.sql);
    const type = rel.columns[c]?.type;
    if (type === undefined) throw new DbError("XX000", `Index ${idx.name} has no column ${c}`);
    return { kind: "column", depth: 0, index: c, type };
  });
}

/**
 * Binds one index expression against the table, with PostgreSQL's checks.
 * @throws {DbError} 42703 unknown column, 0A000 subquery, 42P17 volatile function
 */
export function bindIndexExpr(p: Planner, rel: RelationDef, sql: string): BoundExpr {
  const e = bindSqlText(p, sql, new Scope(tableColumns(rel, rel.name), null));
  const refs = exprRefs(e);
  if (refs.hasSubquery) throw new DbError("0A000", "cannot use subquery in index expression");
  if (refs.volatile) {
    throw new DbError("42P17", "functions in index expression must be marked IMMUTABLE");
  }
  return e;
}

/**
 * A text that two bound expressions share exactly when they compute the same
 * thing over the same row (for matching a query's `lower(email)` to an index's).
 */
export function exprShape(e: BoundExpr): string {
  return JSON.stringify(e, (_, v: unknown) => {
    if (typeof v === "bigint") return `${v}n`;
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    // Binders build nodes with their fields in varying order.
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
