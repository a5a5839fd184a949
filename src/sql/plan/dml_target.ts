/**
 * The write target of a DML statement: the table or view it names, the row
 * checks (NOT NULL, CHECK, foreign keys, view check options) and the
 * referential actions of foreign keys pointing at the table.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { type SqlType, type as scalar } from "../../common/types.ts";
import type { BoundExpr, ReferencingAction, RowCheck, TargetRel } from "../../exec/plan.ts";
import type { Catalog, RelationDef } from "../catalog/catalog.ts";
import { type BindEnv, bindExpr } from "./bind_expr.ts";
import { ctxOf, tableColumns } from "./plan_from.ts";
import type { Planner } from "./planner_types.ts";
import type { ViewChecks } from "./view_dml.ts";
import { Scope } from "./scope.ts";

/** A table's write target plus the check options of the views a statement came through. */
export function withViewChecks(
  p: Planner,
  target: TargetRel,
  rel: RelationDef,
  pending: ViewChecks,
): TargetRel {
  if (pending.checks.length === 0) return target;
  const checks = pending.checks.map((c): RowCheck => ({
    kind: "view_check",
    view: c.view,
    expr: bindExpr(c.where, env(p, new Scope(tableColumns(rel, c.qualifier), null))),
  }));
  return { ...target, checks: [...target.checks, ...checks] };
}

/** The view a DML statement targets (rewritten onto its base relation), or null for a table. */
export function targetView(
  p: Planner,
  name: string,
  schema: string | undefined,
): RelationDef | null {
  const rel = p.catalog.relation(name, schema);
  if (rel.kind !== "view" || rel.matview) return null;
  p.relations.add(rel.oid);
  return rel;
}

/** The table a DML statement writes. @throws {DbError} 42809 for a view or materialized view */
export function targetTable(p: Planner, name: string, schema: string | undefined): RelationDef {
  const rel = p.catalog.relation(name, schema);
  if (rel.kind !== "table") throw new DbError("42809", `cannot change view "${name}"`);
  if (rel.matview) throw new DbError("42809", `cannot change materialized view "${name}"`);
  p.relations.add(rel.oid);
  return rel;
}

/** The binding environment of a DML expression over `scope`. */
export function env(p: Planner, scope: Scope): BindEnv {
  return { scope, ctx: ctxOf(p), agg: null, windows: null, collectAggregates: false };
}

/** Binds a SQL-text expression (DEFAULT, CHECK) over a table's columns. */
export function bindSqlText(p: Planner, sql: string, scope: Scope, expected?: SqlType): BoundExpr {
  const stmt = p.parseView(`SELECT ${sql}`);
  if (stmt.type !== "select" || !stmt.columns?.[0]) {
    throw new DbError("XX000", `Bad stored expression: ${sql}`);
  }
  const saved = (p as { text: string }).text;
  (p as { text: string }).text = `SELECT ${sql}`;
  try {
    return bindExpr(stmt.columns[0].expr, env(p, scope), expected);
  } finally {
    (p as { text: string }).text = saved;
  }
}

/** Builds the target description (checks, FKs, referencing actions) of a table. */
export function targetOf(p: Planner, rel: RelationDef): TargetRel {
  const scope = new Scope(tableColumns(rel, rel.name), null);
  const checks: RowCheck[] = [];
  rel.columns.forEach((c, i) => {
    if (c.notNull && !c.dropped) {
      checks.push({ kind: "not_null", column: i, columnName: c.name, table: rel.name });
    }
  });
  const uniqueIndexes: number[] = [];
  for (const con of rel.constraints) {
    if (con.kind === "check") {
      checks.push({
        kind: "check",
        name: con.name,
        expr: bindSqlText(p, con.sql, scope, scalar("bool")),
        table: rel.name,
      });
    } else if (con.kind === "foreign_key") {
      const parent = p.catalog.relations.get(con.refTable)!;
      checks.push({
        kind: "foreign_key",
        name: con.name,
        table: rel.name,
        columns: con.columns,
        refRel: parent.oid,
        refIndex: parentIndex(p.catalog, parent, con.refColumns),
        refTable: parent.name,
        columnNames: con.columns.map((c) => rel.columns[c]?.name ?? `column${c}`),
      });
    }
  }
  for (const oid of rel.indexes) if (p.catalog.indexes.get(oid)?.unique) uniqueIndexes.push(oid);
  return {
    rel: rel.oid,
    name: rel.name,
    width: rel.columns.length,
    checks,
    referencedBy: referencedBy(p.catalog, rel.oid),
    uniqueIndexes,
    rowColumns: rel.columns.flatMap((c, index) => c.dropped ? [] : [{ index, type: c.type }]),
  };
}

/** The unique index on a parent's referenced columns. @throws {DbError} 42830 */
export function parentIndex(
  catalog: Catalog,
  parent: RelationDef,
  columns: readonly number[],
): number {
  for (const oid of parent.indexes) {
    const idx = catalog.indexes.get(oid);
    if (
      idx?.unique && idx.predicateSql === null && idx.columns.length === columns.length &&
      idx.columns.every((c, i) => c === columns[i])
    ) return oid;
  }
  throw new DbError(
    "42830",
    `there is no unique constraint matching given keys for referenced table "${parent.name}"`,
  );
}

/** Referential actions of every foreign key that points at `relOid`. */
export function referencedBy(catalog: Catalog, relOid: number): ReferencingAction[] {
  const out: ReferencingAction[] = [];
  const parent = catalog.relations.get(relOid);
  for (const child of catalog.relations.values()) {
    for (const con of child.constraints) {
      if (con.kind !== "foreign_key" || con.refTable !== relOid) continue;
      out.push({
        name: con.name,
        childRel: child.oid,
        childTable: child.name,
        childColumns: con.columns,
        parentColumns: con.refColumns,
        parentTable: parent?.name ?? "",
        parentColumnNames: con.refColumns.map((c) => parent?.columns[c]?.name ?? `column${c}`),
        onDelete: con.onDelete,
        onUpdate: con.onUpdate,
        childWidth: child.columns.length,
        childRelKey: child.oid,
      });
    }
  }
  return out;
}
