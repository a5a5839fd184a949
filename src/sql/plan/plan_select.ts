/**
 * Plans SELECT: FROM/WHERE (plan_from.ts), GROUP BY with aggregates,
 * HAVING, window functions, the select list, DISTINCT [ON], ORDER BY,
 * LIMIT/OFFSET, UNION, VALUES and WITH [RECURSIVE].
 * @module
 */
import { liftSetReturning } from "./srf_select.ts";
import type { Expr, SelectFromStatement, SelectStatement } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { type SqlType, type as scalar } from "../../common/types.ts";
import type { AggSpec, BoundExpr, PlanNode, SortKey, WindowSpec } from "../../exec/plan.ts";
import {
  type AggCollector,
  bindBoolean,
  type BindEnv,
  bindExpr,
  coerceTo,
  fingerprint,
} from "./bind_expr.ts";
import { aggregateNames } from "../../exec/functions/aggregates.ts";
import { ctxOf, planFrom } from "./plan_from.ts";
import { planSetOp, planValues, planWith, planWithRecursive } from "./plan_forms.ts";

export { planSetOp, planValues };
import type { PlannedQuery, Planner } from "./planner_types.ts";
import { Scope, type ScopeColumn } from "./scope.ts";
import { expandStar, outputName, type SelectItem } from "./select_list.ts";
import { groupingPlan } from "./grouping.ts";

/**
 * Plans any SELECT-like statement.
 * @throws {DbError} 42P01, 42703, 42803 ...
 */
export function planSelectStatement(
  p: Planner,
  stmt: SelectStatement,
  outer: Scope | null,
): PlannedQuery {
  switch (stmt.type) {
    case "select":
      return planSimpleSelect(p, liftSetReturning(stmt), outer);
    case "union":
    case "union all":
      return planSetOp(p, "union", stmt.type === "union all", stmt.left, stmt.right, outer);
    case "values":
      return planValues(p, stmt.values, outer);
    case "with":
      return planWith(p, stmt, outer);
    case "with recursive":
      return planWithRecursive(p, stmt, outer);
  }
}

function hasAggregate(e: unknown): boolean {
  if (e === null || typeof e !== "object") return false;
  if (Array.isArray(e)) return e.some(hasAggregate);
  const o = e as Record<string, unknown>;
  if (o.type === "select" || o.type === "union" || o.type === "union all") return false;
  if (
    o.type === "call" && !o.over &&
    (o.withinGroup ||
      aggregateNames.has(String((o.function as { name: string }).name).toLowerCase()))
  ) return true;
  return Object.entries(o).some(([k, v]) => k !== "_location" && hasAggregate(v));
}

function planSimpleSelect(
  p: Planner,
  stmt: SelectFromStatement,
  outer: Scope | null,
): PlannedQuery {
  const from = planFrom(p, stmt.from ?? [], stmt.where, outer);
  let node = from.plan;
  const ctx = ctxOf(p);
  const isAgg = (stmt.groupBy?.length ?? 0) > 0 || stmt.having != null ||
    hasAggregate(stmt.columns) || hasAggregate(stmt.orderBy);
  let env: BindEnv = { scope: from.scope, ctx, agg: null, windows: null, collectAggregates: false };
  let agg: AggCollector | null = null;
  let groupBound: BoundExpr[] = [];
  let sets: number[][] | null = null;
  if (isAgg) {
    const g = groupingPlan(stmt.groupBy ?? [], {
      columns: stmt.columns ?? [],
      isInputColumn: (name) => isInputName(from.scope, name),
    });
    sets = g.sets;
    groupBound = g.exprs.map((e) => bindExpr(e, env));
    agg = {
      groupKeys: g.exprs.map(fingerprint),
      groupTypes: groupBound.map((b) => b.type),
      inputScope: from.scope,
      aggs: [] as AggSpec[],
      aggKeys: [],
    };
    env = {
      scope: postAggScope(from.scope, groupBound),
      ctx,
      agg,
      windows: null,
      collectAggregates: true,
    };
  }
  const baseWidth = isAgg ? -1 : from.scope.columns.length;
  const windows = { base: baseWidth, specs: [] as WindowSpec[] };
  const selEnv: BindEnv = { ...env, windows };
  const items: SelectItem[] = [];
  for (const c of stmt.columns ?? []) {
    if (c.expr.type === "ref" && c.expr.name === "*") {
      if (isAgg) throw new DbError("42803", "SELECT * is not allowed with GROUP BY here");
      items.push(...expandStar(from.scope, c.expr.table?.name ?? null));
      continue;
    }
    const bound = bindExpr(c.expr, selEnv);
    const src = bound.kind === "column" && bound.depth === 0 && !isAgg
      ? from.scope.columns[bound.index]
      : undefined;
    const type = bound.type.id === "unknown" ? scalar("text") : bound.type;
    items.push({
      expr: c.expr,
      bound: coerceTo(bound, type),
      column: {
        name: outputName(c),
        type,
        tableOid: src?.tableOid ?? 0,
        attnum: src?.attnum ?? 0,
        ...(bound.type.id === "unknown" ? { untypedLiteral: true as const } : {}),
      },
    });
  }
  let having: BoundExpr | null = null;
  if (stmt.having) having = bindBoolean(stmt.having, env, "HAVING");
  const order = bindOrder(stmt, items, selEnv);
  if (agg) {
    node = {
      kind: "aggregate",
      input: node,
      groups: groupBound,
      groupingSets: sets,
      aggs: agg.aggs,
    };
    if (having) node = { kind: "filter", input: node, predicate: having };
  }
  if (windows.specs.length > 0) {
    const width = agg ? agg.groupKeys.length + agg.aggs.length + 1 : from.scope.columns.length;
    node = { kind: "window", input: node, windows: fixWindowBase(windows.specs) };
    if (width !== windows.base && windows.base !== -1) {
      throw new DbError("XX000", "Window base mismatch");
    }
    if (windows.base === -1) return finishWithWindowsAfterAgg(p, stmt, node, items, order, width);
  }
  return finish(p, stmt, node, items, order);
}

/**
 * The scope subqueries see in the post-aggregation part of a query: grouped
 * plain columns keep their names at their group positions, so correlated
 * references read them from the aggregate's output rows.
 */
function postAggScope(input: Scope, groups: readonly BoundExpr[]): Scope {
  const columns: ScopeColumn[] = groups.map((g) => {
    const src = g.kind === "column" && g.depth === 0 ? input.columns[g.index] : undefined;
    return src ??
      { table: null, name: "?group?", type: g.type, tableOid: 0, attnum: 0, hidden: true };
  });
  return new Scope(columns, input.parent);
}

function fixWindowBase(specs: WindowSpec[]): WindowSpec[] {
  return specs;
}

function finishWithWindowsAfterAgg(
  p: Planner,
  stmt: SelectFromStatement,
  node: PlanNode,
  items: SelectItem[],
  order: SortKey[],
  width: number,
): PlannedQuery {
  // Window columns were numbered from -1 while the aggregate width was unknown; shift them.
  const fix = (e: BoundExpr): BoundExpr => shiftWindowRefs(e, width + 1);
  return finish(
    p,
    stmt,
    node,
    items.map((i) => ({ ...i, bound: fix(i.bound) })),
    order.map((k) => ({ ...k, expr: fix(k.expr) })),
  );
}

function shiftWindowRefs(e: BoundExpr, delta: number): BoundExpr {
  if (e.kind === "column" && e.depth === 0 && e.index < 0) return { ...e, index: e.index + delta };
  if (e.kind === "call") return { ...e, args: e.args.map((a) => shiftWindowRefs(a, delta)) };
  if (e.kind === "cast") return { ...e, arg: shiftWindowRefs(e.arg, delta) };
  return e;
}

function bindOrder(stmt: SelectFromStatement, items: SelectItem[], env: BindEnv): SortKey[] {
  return (stmt.orderBy ?? []).map((o) => {
    const descending = o.order === "DESC";
    const nullsFirst = o.nulls ? o.nulls === "FIRST" : descending;
    let expr: BoundExpr;
    if (o.by.type === "integer") {
      const item = items[o.by.value - 1];
      if (!item) {
        throw new DbError("42P10", `ORDER BY position ${o.by.value} is not in select list`);
      }
      expr = { kind: "column", depth: 1000, index: o.by.value - 1, type: item.column.type };
    } else {
      const by = o.by;
      // A bare name is an output column's name first (SQL92), then an expression (SQL99).
      const named = by.type === "ref" && !by.table ? outputColumn(items, by.name) : -1;
      const sameExpr = items.findIndex((i) =>
        i.expr !== null && fingerprint(i.expr) === fingerprint(by)
      );
      const at = named >= 0 ? named : sameExpr;
      if (at >= 0) {
        expr = { kind: "column", depth: 1000, index: at, type: items[at]!.column.type };
      } else expr = bindExpr(o.by, env);
    }
    return { expr, descending, nullsFirst };
  });
}

/**
 * ORDER BY must start with the DISTINCT ON expressions (in any order) until
 * all of them are seen, as PostgreSQL requires.
 * @throws {DbError} 42P10
 */
function checkDistinctOnOrder(distinctOn: readonly BoundExpr[], keys: readonly SortKey[]): void {
  const at = (e: BoundExpr) => (e.kind === "column" ? e.index : -1);
  const remaining = new Set(distinctOn.map(at));
  for (const k of keys) {
    if (remaining.size === 0) return;
    if (!remaining.delete(at(k.expr))) {
      throw new DbError(
        "42P10",
        "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
      );
    }
  }
}

/** True when `name` is a column of the FROM clause (GROUP BY prefers those to output names). */
function isInputName(scope: Scope, name: string): boolean {
  try {
    scope.resolve(null, name);
    return true;
  } catch {
    // Not an input column: the name refers to an output alias instead.
    return false;
  }
}

/**
 * The select-list position named `name`, -1 when none is.
 * @throws {DbError} 42702 when two columns of that name are different expressions
 */
function outputColumn(items: readonly SelectItem[], name: string): number {
  const at = items.findIndex((i) => i.column.name === name);
  if (at < 0) return -1;
  const first = items[at]!;
  for (const other of items.slice(at + 1)) {
    if (other.column.name !== name) continue;
    const same = first.expr !== null && other.expr !== null &&
      fingerprint(first.expr) === fingerprint(other.expr);
    if (!same) throw new DbError("42702", `ORDER BY "${name}" is ambiguous`);
  }
  return at;
}

function finish(
  p: Planner,
  stmt: SelectFromStatement,
  input: PlanNode,
  items: SelectItem[],
  order: SortKey[],
): PlannedQuery {
  // Project the select list plus hidden sort keys; depth 1000 marks references to output columns.
  const visible = items.length;
  const exprs = items.map((i) => i.bound);
  const keys: SortKey[] = order.map((k) => {
    if (k.expr.kind === "column" && k.expr.depth === 1000) {
      return { ...k, expr: { kind: "column", depth: 0, index: k.expr.index, type: k.expr.type } };
    }
    exprs.push(k.expr);
    return { ...k, expr: { kind: "column", depth: 0, index: exprs.length - 1, type: k.expr.type } };
  });
  let node: PlanNode = { kind: "project", input, exprs };
  let distinctOn: BoundExpr[] | null = null;
  if (Array.isArray(stmt.distinct)) {
    distinctOn = stmt.distinct.map((d) => {
      // DISTINCT ON (1) names a select-list position, as ORDER BY 1 does.
      const at = d.type === "integer" && items[d.value - 1]
        ? d.value - 1
        : items.findIndex((i) => i.expr !== null && fingerprint(i.expr) === fingerprint(d));
      if (at >= 0) return { kind: "column", depth: 0, index: at, type: items[at]!.column.type };
      // Else an ORDER BY expression (PostgreSQL requires it to lead ORDER BY anyway).
      const k = (stmt.orderBy ?? []).findIndex((o) => fingerprint(o.by) === fingerprint(d));
      const key = keys[k]?.expr;
      if (key !== undefined) return key;
      if (keys.length > 0) {
        throw new DbError(
          "42P10",
          "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
        );
      }
      throw new DbError(
        "0A000",
        "DISTINCT ON an expression outside the select list needs it in ORDER BY",
      );
    });
  }
  if (distinctOn) checkDistinctOnOrder(distinctOn, keys);
  if (keys.length > 0) node = { kind: "sort", input: node, keys };
  if (stmt.distinct === "distinct" || distinctOn) {
    const on = distinctOn ??
      (exprs.length > visible
        ? items.map((i, idx) =>
          ({ kind: "column", depth: 0, index: idx, type: i.column.type }) as BoundExpr
        )
        : null);
    node = { kind: "distinct", input: node, on };
  }
  if (stmt.limit && (stmt.limit.limit || stmt.limit.offset)) {
    const ties = withTiesCount(stmt.limit.limit);
    if (ties && keys.length === 0) {
      throw new DbError("42601", "WITH TIES cannot be specified without ORDER BY clause");
    }
    node = {
      kind: "limit",
      input: node,
      limit: limitExpr(ties ?? stmt.limit.limit, p.paramTypes),
      offset: limitExpr(stmt.limit.offset, p.paramTypes),
      ...(ties ? { ties: keys } : {}),
    };
  }
  if (exprs.length > visible) {
    node = {
      kind: "project",
      input: node,
      exprs: items.map((i, idx) => ({ kind: "column", depth: 0, index: idx, type: i.column.type })),
    };
  }
  return { plan: node, columns: items.map((i) => i.column) };
}

/** The count of `FETCH FIRST n ROWS WITH TIES` (the rewrite's `__with_ties(n)`), else null. */
function withTiesCount(e: Expr | null | undefined): Expr | null {
  if (e?.type !== "call" || e.function.name !== "__with_ties") return null;
  return e.args[0] ?? null;
}

function limitExpr(e: Expr | null | undefined, paramTypes: (SqlType | null)[]): BoundExpr | null {
  if (!e) return null;
  if (e.type === "integer") return { kind: "const", value: e.value, type: scalar("int8") };
  if (e.type === "parameter") {
    const index = Number(e.name.slice(1)) - 1;
    while (paramTypes.length <= index) paramTypes.push(null);
    paramTypes[index] ??= scalar("int8");
    return { kind: "param", index, type: paramTypes[index]! };
  }
  if (e.type === "null") return null;
  throw new DbError("0A000", "LIMIT must be a constant or a parameter");
}
