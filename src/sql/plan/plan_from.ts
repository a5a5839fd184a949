/**
 * Plans the FROM clause: tables, views, CTE references, subqueries and
 * set-returning functions, joined left-deep; pushes single-table WHERE terms
 * into scans, picks index lookups for equality on indexed columns, and turns
 * equality join terms into hash-join keys.
 * @module
 */
import type { Expr, From, FromCall } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { type as scalar } from "../../common/types.ts";
import type { BoundExpr, PlanNode } from "../../exec/plan.ts";
import type { RelationDef } from "../catalog/catalog.ts";
import { bindBoolean, bindExpr, coerceTo } from "./bind_expr.ts";
import { andAll, conjuncts } from "./expr_walk.ts";
import { findVirtualRelation, virtualScan } from "../pg_catalog/mod.ts";
import type { Planner } from "./planner_types.ts";
import { Scope, type ScopeColumn } from "./scope.ts";
import { bindSetFunction, planRowsFrom, rowsFromCalls } from "./srf_select.ts";
import {
  buildJoins,
  type JoinKind,
  joinKind,
  type Leaf,
  nullableTables,
  type Step,
} from "./plan_joins.ts";
import { appendColumns, type JoinedColumns, mergeUsing } from "./plan_using.ts";
import { USING_ALIAS_MARKER } from "../parse/_rewrite_query.ts";

/** The planned FROM clause. */
export interface FromResult {
  readonly scope: Scope;
  readonly plan: PlanNode;
}

/** Builds a scan of a base table. */
export function tableScan(rel: RelationDef, alias: string, ctid: boolean): PlanNode {
  return {
    kind: "seq_scan",
    rel: rel.oid,
    table: rel.name,
    alias,
    width: rel.columns.length,
    filter: null,
    missing: rel.columns.map((c) => c.missing),
    ctid,
  };
}

/** Scope columns of a base table. */
export function tableColumns(rel: RelationDef, alias: string): ScopeColumn[] {
  return rel.columns.map((c, i) => ({
    table: alias,
    name: c.name,
    type: c.type,
    tableOid: rel.oid,
    attnum: i + 1,
    hidden: c.dropped,
  }));
}

function planItem(
  p: Planner,
  item: From,
  outer: Scope | null,
  left: ScopeColumn[],
): { node: PlanNode; columns: ScopeColumn[]; table: RelationDef | null; lateral: boolean } {
  switch (item.type) {
    case "table": {
      const name = item.name.name;
      const alias = item.name.alias ?? name;
      if (!item.name.schema) {
        for (let i = p.ctes.length - 1; i >= 0; i--) {
          const cte = p.ctes[i]!.get(name);
          if (!cte) continue;
          if (cte.noReturning) {
            throw new DbError("0A000", `WITH query "${name}" does not have a RETURNING clause`);
          }
          const columns = renameColumns(
            cte.columns.map((c) => ({ ...c, table: alias, hidden: false })),
            item.name.columnNames,
          );
          return {
            node: { kind: "cte_scan", id: cte.id, name, width: columns.length },
            columns,
            table: null,
            lateral: false,
          };
        }
      }
      // pg_catalog / information_schema virtual relations (see sql/pg_catalog/).
      const virt = virtualItem(p, name, item.name.schema, alias, item.name.columnNames);
      if (virt) return virt;
      const rel = p.catalog.relation(name, item.name.schema);
      p.relations.add(rel.oid);
      if (rel.kind === "view") {
        const q = p.planQuery(p.parseQuery(rel.viewSql!), outer);
        const columns = q.columns.map((c, i) => ({
          table: alias,
          name: rel.columns[i]?.name ?? c.name,
          type: c.type,
          tableOid: 0,
          attnum: 0,
          hidden: false,
        }));
        return { node: q.plan, columns, table: null, lateral: false };
      }
      const columns = renameColumns(tableColumns(rel, alias), item.name.columnNames);
      return { node: tableScan(rel, alias, false), columns, table: rel, lateral: false };
    }
    case "statement": {
      const lateral = item.lateral === true;
      const scope = lateral ? new Scope(left, outer) : outer;
      const q = p.planSelect(item.statement, scope);
      const columns = renameColumns(
        q.columns.map((c) => ({
          table: item.alias,
          name: c.name,
          type: c.type,
          tableOid: 0,
          attnum: 0,
          hidden: false,
        })),
        item.columnNames,
      );
      return { node: q.plan, columns, table: null, lateral };
    }
    case "call":
      return planCallItem(p, item, outer, left);
  }
}

/** Plans a set-returning function call in FROM (ROWS FROM, generate_series, unnest, ...). */
function planCallItem(
  p: Planner,
  item: FromCall,
  outer: Scope | null,
  left: ScopeColumn[],
): { node: PlanNode; columns: ScopeColumn[]; table: RelationDef | null; lateral: boolean } {
  const zipped = rowsFromCalls(item);
  if (zipped) {
    const plan = (call: FromCall) => planItem(p, call, outer, left);
    return { ...planRowsFrom(item, zipped, plan), table: null, lateral: left.length > 0 };
  }
  const lateral = left.length > 0;
  const scope = new Scope([], lateral ? new Scope(left, outer) : outer);
  const env = { scope, ctx: ctxOf(p), agg: null, windows: null, collectAggregates: false };
  let fn = item.function.name.toLowerCase();
  let callArgs = item.args;
  const ancestors = fn === "pg_partition_ancestors";
  if (ancestors) {
    // A non-partitioned table is its own only ancestor: unnest(ARRAY[rel::regclass]) AS relid.
    fn = "unnest";
    callArgs = [{
      type: "array",
      expressions: [{ type: "cast", operand: item.args[0]!, to: { name: "regclass" } }],
    }];
  }
  const json = bindSetFunction(fn, callArgs.map((a) => bindExpr(a, env)), item);
  if (json) return { ...json, lateral };
  if (fn !== "generate_series" && fn !== "unnest") {
    throw new DbError("42883", `function ${fn} does not exist or does not return a set`);
  }
  let args = callArgs.map((a) => bindExpr(a, env));
  let type = args[0]?.type ?? scalar("int4");
  if (fn === "unnest") type = type.elem ?? scalar("text");
  else {
    if (type.id === "unknown") {
      type = args[1]?.type.id === "unknown" ? scalar("int4") : args[1]?.type ?? scalar("int4");
    }
    if (args.some((a) => a.type.id === "int8") && type.id === "int4") type = scalar("int8");
    if (args.some((a) => a.type.id === "numeric")) type = scalar("numeric");
    // date has no generate_series of its own: PostgreSQL picks the timestamptz one.
    if (type.id === "date") type = scalar("timestamptz");
    args = args.map((a, i) =>
      coerceTo(
        a,
        i === 2 && (type.id === "timestamp" || type.id === "timestamptz")
          ? scalar("interval")
          : type,
      )
    );
  }
  const alias = item.alias?.name ?? fn;
  const colName = item.alias?.columns?.[0]?.name ?? (ancestors ? "relid" : alias);
  const columns: ScopeColumn[] = [{
    table: alias,
    name: colName,
    type,
    tableOid: 0,
    attnum: 0,
    hidden: false,
  }];
  if (item.withOrdinality) {
    columns.push({
      table: alias,
      name: item.alias?.columns?.[1]?.name ?? "ordinality",
      type: scalar("int8"),
      tableOid: 0,
      attnum: 0,
      hidden: false,
    });
  }
  return {
    node: { kind: "function_scan", fn, args, width: columns.length },
    columns,
    table: null,
    lateral,
  };
}

/** Resolves a virtual catalog relation unless a user table of that name is meant. */
function virtualItem(
  p: Planner,
  name: string,
  schema: string | undefined,
  alias: string,
  columnNames: readonly { name: string }[] | null | undefined,
) {
  if (!schema && p.catalog.findRelation(name)) return null;
  const v = findVirtualRelation(name, schema);
  if (!v) return null;
  const columns: ScopeColumn[] = v.columns.map((c) => ({
    table: alias,
    name: c.name,
    type: c.type,
    tableOid: 0,
    attnum: 0,
    hidden: false,
  }));
  return {
    node: virtualScan(v, p.catalog),
    columns: renameColumns(columns, columnNames),
    table: null,
    lateral: false,
  };
}

function renameColumns(
  columns: ScopeColumn[],
  names: readonly { name: string }[] | null | undefined,
): ScopeColumn[] {
  if (!names) return columns;
  return columns.map((c, i) => (names[i] ? { ...c, name: names[i]!.name } : c));
}

/** The planner context that `bindExpr` needs. */
export function ctxOf(p: Planner) {
  return {
    text: p.text,
    paramTypes: p.paramTypes,
    // Read by catalog functions (sql/pg_catalog/functions.ts).
    catalog: p.catalog,
    flags: p.flags,
    planSubquery: (stmt: import("pgsql-ast-parser").SelectStatement, scope: Scope) => {
      const q = p.planSelect(stmt, scope);
      return { plan: q.plan, types: q.columns.map((c) => c.type) };
    },
  };
}

/**
 * Plans a FROM list with its WHERE clause.
 * @throws {DbError} 42P01, 42703, 42702
 */
export function planFrom(
  p: Planner,
  from: readonly From[],
  where: Expr | null | undefined,
  outer: Scope | null,
  extraLeft?: { node: PlanNode; columns: ScopeColumn[]; table: RelationDef | null },
): FromResult {
  const joined: JoinedColumns = { columns: [], star: [] };
  const columns = joined.columns;
  const steps: Step[] = [];
  const addLeaf = (
    item: { node: PlanNode; columns: ScopeColumn[]; table: RelationDef | null; lateral?: boolean },
    joinType: JoinKind,
    onExpr: Expr | null | undefined,
    using: readonly { name: string }[] | null | undefined,
  ) => {
    const leaf: Leaf = {
      offset: columns.length,
      width: item.columns.length,
      node: item.node,
      nullable: false,
      table: item.table,
    };
    if (isNaturalMarker(onExpr)) {
      // NATURAL: USING every column name both sides share, in the left's order.
      const right = new Set(item.columns.filter((c) => !c.hidden).map((c) => c.name));
      using = joined.star.map((i) => columns[i]!).filter((c) => right.has(c.name));
      onExpr = null;
    }
    let usingTerms: BoundExpr[] = [];
    if (using) {
      usingTerms = mergeUsing(joined, item.columns, usingNames(using), joinType);
    } else appendColumns(joined, item.columns);
    let on: BoundExpr | null = andAll(usingTerms);
    if (onExpr) {
      const env = {
        scope: new Scope(columns.slice(), outer),
        ctx: ctxOf(p),
        agg: null,
        windows: null,
        collectAggregates: false,
      };
      const b = bindBoolean(onExpr, env, "JOIN/ON");
      on = andAll([...conjuncts(on), ...conjuncts(b)]);
    }
    steps.push({ leaf, joinType, on, lateral: item.lateral ?? false });
  };
  if (extraLeft) addLeaf(extraLeft, "cross", null, null);
  for (const item of from) {
    const planned = planItem(p, item, outer, columns.slice());
    const join = item.join;
    addLeaf(planned, steps.length === 0 ? "cross" : joinKind(join?.type), join?.on, join?.using);
  }
  const scope = new Scope(columns, outer);
  scope.star = joined.star;
  scope.nullableTables = nullableTables(steps, columns);
  let whereBound: BoundExpr | null = null;
  if (where) {
    const env = { scope, ctx: ctxOf(p), agg: null, windows: null, collectAggregates: false };
    whereBound = bindBoolean(where, env, "WHERE");
  }
  return { scope, plan: buildJoins(p, steps, conjuncts(whereBound)) };
}

function isNaturalMarker(e: Expr | null | undefined): boolean {
  return e?.type === "call" && e.function.name === "__natural_join" && e.args.length === 0;
}

/** A USING list's names, and its join alias (the frontend's `USING_ALIAS_MARKER` entry). */
function usingNames(
  using: readonly { name: string }[],
): { names: string[]; alias: string | null } {
  const names = using.map((u) => u.name);
  const marked = names.find((n) => n.startsWith(USING_ALIAS_MARKER));
  if (marked === undefined) return { names, alias: null };
  return {
    names: names.filter((n) => n !== marked),
    alias: marked.slice(USING_ALIAS_MARKER.length),
  };
}
