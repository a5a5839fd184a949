/**
 * Plans INSERT (VALUES, SELECT, DEFAULT, ON CONFLICT, RETURNING), UPDATE
 * (with FROM) and DELETE, including the constraint checks and referential
 * actions the executor applies to each row.
 * @module
 */
import type {
  DeleteStatement,
  Expr,
  From,
  InsertStatement,
  SelectedColumn,
  UpdateStatement,
} from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { type SqlType, type as scalar } from "../../common/types.ts";
import type { BoundExpr, OnConflict, PlanNode } from "../../exec/plan.ts";
import type { RelationDef } from "../catalog/catalog.ts";
import { bindExpr, coerceTo } from "./bind_expr.ts";
import { planFrom, tableColumns, tableScan } from "./plan_from.ts";
import { planValues } from "./plan_select.ts";
import type { OutColumn, PlannedQuery, Planner } from "./planner_types.ts";
import { noViewChecks, type ViewChecks, viewDelete, viewInsert, viewUpdate } from "./view_dml.ts";
import {
  bindSqlText,
  env,
  targetOf,
  targetTable,
  targetView,
  withViewChecks,
} from "./dml_target.ts";
import { bindIndexKeys, exprShape } from "./index_expr.ts";
import { Scope, type ScopeColumn } from "./scope.ts";
import { DEFAULT_VALUES_MARKER } from "../parse/_rewrite_query.ts";
import { checkNotGenerated, generatedSets, projectGenerated } from "./plan_generated.ts";

/** A planned DML statement. */
export interface PlannedDml {
  readonly plan: PlanNode;
  readonly columns: readonly OutColumn[] | null;
  readonly command: "INSERT" | "UPDATE" | "DELETE";
}

function returning(
  p: Planner,
  list: SelectedColumn[] | null | undefined,
  scope: Scope,
): { exprs: BoundExpr[]; columns: OutColumn[] } | null {
  if (!list) return null;
  const exprs: BoundExpr[] = [];
  const columns: OutColumn[] = [];
  for (const c of list) {
    if (c.expr.type === "ref" && c.expr.name === "*") {
      scope.columns.forEach((col, i) => {
        if (
          col.hidden || (c.expr.type === "ref" && c.expr.table && col.table !== c.expr.table.name)
        ) return;
        exprs.push({ kind: "column", depth: 0, index: i, type: col.type });
        columns.push({
          name: col.name,
          type: col.type,
          tableOid: col.tableOid,
          attnum: col.attnum,
        });
      });
      continue;
    }
    const b = bindExpr(c.expr, env(p, scope));
    const type = b.type.id === "unknown" ? scalar("text") : b.type;
    exprs.push(coerceTo(b, type));
    columns.push({
      name: c.alias?.name ??
        (c.expr.type === "ref"
          ? c.expr.name
          : c.expr.type === "call"
          ? c.expr.function.name
          : "?column?"),
      type,
      tableOid: 0,
      attnum: 0,
    });
  }
  return { exprs, columns };
}

function defaultExpr(p: Planner, rel: RelationDef, i: number): BoundExpr {
  const c = rel.columns[i]!;
  if (!c.defaultSql) return { kind: "const", value: null, type: c.type };
  return assign(bindSqlText(p, c.defaultSql, new Scope([], null), c.type), c.type);
}

function assign(e: BoundExpr, to: SqlType): BoundExpr {
  const c = coerceTo(e, to);
  if ((to.typmod ?? -1) >= 0 && c === e) {
    return { kind: "cast", arg: e, from: e.type, type: to, implicit: true };
  }
  return c;
}

/**
 * Plans INSERT.
 * @throws {DbError} 42P01, 42703, 42601, 428C9
 */
export function planInsert(
  p: Planner,
  stmt: InsertStatement,
  pending: ViewChecks = noViewChecks,
): PlannedDml {
  const view = targetView(p, stmt.into.name, stmt.into.schema);
  if (view) {
    const next = viewInsert(p, view, stmt, pending);
    return planInsert(p, next.stmt, next.pending);
  }
  const rel = targetTable(p, stmt.into.name, stmt.into.schema);
  const live = rel.columns.map((c, i) => ({ c, i })).filter((x) => !x.c.dropped);
  // `DEFAULT VALUES` arrives as one VALUES row of DEFAULT for a marker column list.
  const defaultValues = stmt.columns?.length === 1 &&
    stmt.columns[0]!.name === DEFAULT_VALUES_MARKER;
  const targets = defaultValues ? [] : stmt.columns
    ? stmt.columns.map((n) => {
      const at = rel.columns.findIndex((c) => c.name === n.name && !c.dropped);
      if (at < 0) {
        throw new DbError("42703", `column "${n.name}" of relation "${rel.name}" does not exist`);
      }
      return at;
    })
    : live.map((x) => x.i);
  for (const t of targets) {
    if (rel.columns[t]!.identity === "always" && stmt.overriding !== "system") {
      throw new DbError(
        "428C9",
        `cannot insert a non-DEFAULT value into column "${rel.columns[t]!.name}"`,
      );
    }
  }
  const width = rel.columns.length;
  const defaults = rel.columns.map((_, i) => defaultExpr(p, rel, i));
  let source: PlanNode;
  const src = stmt.insert;
  if (src.type === "values") {
    const rows = (defaultValues ? [[]] : src.values).map((row) => {
      if (row.length > targets.length) {
        throw new DbError("42601", "INSERT has more expressions than target columns");
      }
      const full: BoundExpr[] = defaults.slice();
      row.forEach((e, k) => {
        const col = targets[k]!;
        const type = rel.columns[col]!.type;
        if (e.type !== "default") checkNotGenerated(rel, col, false);
        full[col] = e.type === "default"
          ? defaults[col]!
          : assign(bindExpr(e, env(p, new Scope([], null)), type), type);
      });
      return full;
    });
    source = { kind: "values", rows, width };
  } else {
    // A source with INTERSECT / EXCEPT comes as the frontend's set-operation tree.
    const q: PlannedQuery = p.planQuery(src, null);
    if (q.columns.length > targets.length) {
      throw new DbError("42601", "INSERT has more expressions than target columns");
    }
    const exprs: BoundExpr[] = defaults.slice();
    q.columns.forEach((c, k) => {
      const col = targets[k]!;
      checkNotGenerated(rel, col, false);
      exprs[col] = assign(
        { kind: "column", depth: 0, index: k, type: c.type },
        rel.columns[col]!.type,
      );
    });
    source = { kind: "project", input: q.plan, exprs };
  }
  const scope = new Scope(tableColumns(rel, stmt.into.alias ?? rel.name), null);
  const onConflict = stmt.onConflict ? planOnConflict(p, rel, stmt, scope) : null;
  const ret = returning(p, stmt.returning, scope);
  return {
    plan: {
      kind: "insert",
      target: withViewChecks(p, targetOf(p, rel), rel, pending),
      source: projectGenerated(p, rel, source),
      onConflict,
      returning: ret?.exprs ?? null,
    },
    columns: ret?.columns ?? null,
    command: "INSERT",
  };
}

function planOnConflict(
  p: Planner,
  rel: RelationDef,
  stmt: InsertStatement,
  scope: Scope,
): OnConflict {
  const oc = stmt.onConflict!;
  let indexOid: number | null = null;
  if (oc.on?.type === "on expr") {
    // The arbiter is the unique index whose keys (columns or expressions such
    // as lower(email)) are exactly the ones listed.
    const wanted = new Set(oc.on.exprs.map((e) => exprShape(bindExpr(e, env(p, scope)))));
    for (const oid of rel.indexes) {
      const idx = p.catalog.indexes.get(oid)!;
      if (!idx.unique || idx.columns.length !== wanted.size) continue;
      const keys = bindIndexKeys(p, rel, idx).map(exprShape);
      if (keys.every((k) => wanted.has(k))) indexOid = oid;
    }
    if (indexOid === null) {
      throw new DbError(
        "42P10",
        "there is no unique or exclusion constraint matching the ON CONFLICT specification",
      );
    }
  }
  if (oc.do === "do nothing") return { action: "nothing", indexOid, sets: [], where: null };
  const excluded: ScopeColumn[] = tableColumns(rel, "excluded");
  const both = new Scope([...scope.columns, ...excluded], null);
  const given = oc.do.sets.map((s) => {
    const column = rel.columns.findIndex((c) => c.name === s.column.name && !c.dropped);
    if (column < 0) {
      throw new DbError(
        "42703",
        `column "${s.column.name}" of relation "${rel.name}" does not exist`,
      );
    }
    if (s.value.type !== "default") checkNotGenerated(rel, column, true);
    const type = rel.columns[column]!.type;
    return {
      column,
      value: s.value,
      expr: assign(bindSetValue(p, s.value, both, rel, column), type),
    };
  });
  const sets = [...given, ...generatedSets(p, rel, given, both)]
    .map(({ column, expr }) => ({ column, expr }));
  const where = oc.where
    ? coerceTo(bindExpr(oc.where, env(p, both), scalar("bool")), scalar("bool"))
    : null;
  return { action: "update", indexOid, sets, where };
}

function bindSetValue(
  p: Planner,
  value: Expr,
  scope: Scope,
  rel: RelationDef,
  column: number,
): BoundExpr {
  if (value.type === "default") return defaultExpr(p, rel, column);
  return bindExpr(value, env(p, scope), rel.columns[column]!.type);
}

function dmlSource(
  p: Planner,
  rel: RelationDef,
  alias: string,
  from: Parameters<typeof planFrom>[1],
  where: Expr | null | undefined,
) {
  const columns: ScopeColumn[] = [
    ...tableColumns(rel, alias),
    {
      table: alias,
      name: "ctid",
      type: scalar("int8"),
      tableOid: rel.oid,
      attnum: -1,
      hidden: true,
    },
  ];
  const fromResult = planFrom(p, from, where, null, {
    node: tableScan(rel, alias, true),
    columns,
    table: rel,
  });
  let recheck: BoundExpr | null = null;
  if (where) {
    recheck = coerceTo(bindExpr(where, env(p, fromResult.scope), scalar("bool")), scalar("bool"));
  }
  return { ...fromResult, recheck };
}

/** Plans UPDATE. @throws {DbError} 42P01, 42703 */
export function planUpdate(
  p: Planner,
  stmt: UpdateStatement,
  pending: ViewChecks = noViewChecks,
): PlannedDml {
  const view = targetView(p, stmt.table.name, stmt.table.schema);
  if (view) {
    const next = viewUpdate(p, view, stmt, pending);
    return planUpdate(p, next.stmt, next.pending);
  }
  const rel = targetTable(p, stmt.table.name, stmt.table.schema);
  const alias = stmt.table.alias ?? rel.name;
  const src = dmlSource(p, rel, alias, stmt.from ? [stmt.from] : [], stmt.where);
  const given = stmt.sets.map((s) => {
    const column = rel.columns.findIndex((c) => c.name === s.column.name && !c.dropped);
    if (column < 0) {
      throw new DbError(
        "42703",
        `column "${s.column.name}" of relation "${rel.name}" does not exist`,
      );
    }
    if (rel.columns[column]!.identity === "always" && s.value.type !== "default") {
      throw new DbError("428C9", `column "${s.column.name}" can only be updated to DEFAULT`);
    }
    if (s.value.type !== "default") checkNotGenerated(rel, column, true);
    return {
      column,
      value: s.value,
      expr: assign(bindSetValue(p, s.value, src.scope, rel, column), rel.columns[column]!.type),
    };
  });
  const sets = [...given, ...generatedSets(p, rel, given, src.scope)]
    .map(({ column, expr }) => ({ column, expr }));
  const ret = returning(p, stmt.returning, src.scope);
  return {
    plan: {
      kind: "update",
      target: withViewChecks(p, targetOf(p, rel), rel, pending),
      source: src.plan,
      sets,
      recheck: src.recheck,
      returning: ret?.exprs ?? null,
    },
    columns: ret?.columns ?? null,
    command: "UPDATE",
  };
}

/** The USING list of a DELETE (the parser port carries it on the grammar's DELETE node). */
function deleteUsingOf(stmt: DeleteStatement): readonly From[] {
  return (stmt as { using?: readonly From[] }).using ?? [];
}

/** Plans DELETE (with USING). @throws {DbError} 42P01, 42703 */
export function planDelete(p: Planner, stmt: DeleteStatement): PlannedDml {
  const view = targetView(p, stmt.from.name, stmt.from.schema);
  if (view) return planDelete(p, viewDelete(p, view, stmt));
  const rel = targetTable(p, stmt.from.name, stmt.from.schema);
  const alias = stmt.from.alias ?? rel.name;
  const src = dmlSource(p, rel, alias, deleteUsingOf(stmt), stmt.where);
  const ret = returning(p, stmt.returning, src.scope);
  return {
    plan: {
      kind: "delete",
      target: targetOf(p, rel),
      source: src.plan,
      recheck: src.recheck,
      returning: ret?.exprs ?? null,
    },
    columns: ret?.columns ?? null,
    command: "DELETE",
  };
}

export { planValues };
/** Re-exported for the engine, which binds stored expressions and follows foreign keys. */
export { bindSqlText, referencedBy } from "./dml_target.ts";
