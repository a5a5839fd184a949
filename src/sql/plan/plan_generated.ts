/**
 * Stored generated columns (`GENERATED ALWAYS AS (expr) STORED`): INSERT
 * computes them from the row after defaults, UPDATE from the row after its
 * SET list (the generation expression with each assigned column replaced by
 * its new value).
 * @module
 */
import { astMapper, type Expr } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import type { BoundExpr, PlanNode } from "../../exec/plan.ts";
import type { RelationDef } from "../catalog/catalog.ts";
import { bindExpr, coerceTo } from "./bind_expr.ts";
import { ctxOf, tableColumns } from "./plan_from.ts";
import type { Planner } from "./planner_types.ts";
import { Scope } from "./scope.ts";

/** Positions of the stored generated columns of a table. */
export function generatedColumns(rel: RelationDef): number[] {
  const out: number[] = [];
  rel.columns.forEach((c, i) => {
    if (c.generatedSql && !c.dropped) out.push(i);
  });
  return out;
}

/**
 * Rejects an explicit value for a generated column.
 * @throws {DbError} 428C9
 */
export function checkNotGenerated(rel: RelationDef, column: number, update: boolean): void {
  const c = rel.columns[column]!;
  if (!c.generatedSql) return;
  const err = update
    ? new DbError("428C9", `column "${c.name}" can only be updated to DEFAULT`)
    : new DbError("428C9", `cannot insert a non-DEFAULT value into column "${c.name}"`);
  err.detail = `Column "${c.name}" is a generated column.`;
  throw err;
}

function parseGenerated(p: Planner, sql: string): Expr {
  const stmt = p.parseView(`SELECT ${sql}`);
  const e = stmt.type === "select" ? stmt.columns?.[0]?.expr : undefined;
  if (!e) throw new DbError("XX000", `Bad stored expression: ${sql}`);
  return e;
}

function bindIn(p: Planner, sql: string, e: Expr, scope: Scope, rel: RelationDef, i: number) {
  const saved = (p as { text: string }).text;
  (p as { text: string }).text = `SELECT ${sql}`;
  try {
    const type = rel.columns[i]!.type;
    const env = { scope, ctx: ctxOf(p), agg: null, windows: null, collectAggregates: false };
    const b = coerceTo(bindExpr(e, env, type), type);
    return (type.typmod ?? -1) >= 0 && b.type === type
      ? { kind: "cast" as const, arg: b, from: b.type, type, implicit: true }
      : b;
  } finally {
    (p as { text: string }).text = saved;
  }
}

/**
 * Wraps an INSERT source (full rows of the table) so that generated columns
 * are computed from the other values of the row; the source unchanged when
 * the table has none.
 */
export function projectGenerated(p: Planner, rel: RelationDef, source: PlanNode): PlanNode {
  const gen = generatedColumns(rel);
  if (gen.length === 0) return source;
  const scope = new Scope(tableColumns(rel, rel.name), null);
  const exprs: BoundExpr[] = rel.columns.map((c, i) =>
    gen.includes(i)
      ? bindIn(p, c.generatedSql!, parseGenerated(p, c.generatedSql!), scope, rel, i)
      : { kind: "column", depth: 0, index: i, type: c.type }
  );
  return { kind: "project", input: source, exprs };
}

/**
 * The SET items recomputing the generated columns of an UPDATE (or ON
 * CONFLICT DO UPDATE) whose SET list assigns `sets`; `scope` starts with the
 * table's columns.
 */
export function generatedSets(
  p: Planner,
  rel: RelationDef,
  sets: readonly { column: number; value: Expr }[],
  scope: Scope,
): { column: number; expr: BoundExpr }[] {
  const gen = generatedColumns(rel);
  if (gen.length === 0 || sets.length === 0) return [];
  const assigned = new Map<string, Expr>();
  for (const s of sets) {
    const c = rel.columns[s.column]!;
    const value: Expr = s.value.type !== "default"
      ? s.value
      : c.defaultSql
      ? parseGenerated(p, c.defaultSql)
      : { type: "null" };
    assigned.set(c.name, value);
  }
  // Unassigned columns read the target row (qualified: ON CONFLICT also sees `excluded`).
  const alias = scope.columns[0]?.table ?? rel.name;
  const mapper = astMapper(() => ({
    ref: (r) => (r.table ? r : assigned.get(r.name) ?? { ...r, table: { name: alias } }),
  }));
  return gen.map((i) => {
    const sql = rel.columns[i]!.generatedSql!;
    const e = mapper.expr(parseGenerated(p, sql));
    if (!e) throw new DbError("XX000", `Bad stored expression: ${sql}`);
    return { column: i, expr: bindIn(p, sql, e, scope, rel, i) };
  });
}
