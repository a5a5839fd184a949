/**
 * Plans the other query forms: UNION / INTERSECT / EXCEPT, VALUES, WITH and
 * WITH RECURSIVE.
 * @module
 */
import type { Expr, SelectStatement } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { type SqlType, type as scalar } from "../../common/types.ts";
import type { PlanNode } from "../../exec/plan.ts";
import { type BindEnv, bindExpr, coerceTo } from "./bind_expr.ts";
import { ctxOf } from "./plan_from.ts";
import type { OutColumn, PlannedQuery, Planner } from "./planner_types.ts";
import { Scope } from "./scope.ts";
import { castPlan, combine } from "./plan_set_query.ts";
import { commonType } from "./sql_types.ts";

/** Plans a UNION / INTERSECT / EXCEPT. */
export function planSetOp(
  p: Planner,
  op: "union" | "intersect" | "except",
  all: boolean,
  leftStmt: SelectStatement,
  rightStmt: SelectStatement,
  outer: Scope | null,
): PlannedQuery {
  return combine(op, all, p.planSelect(leftStmt, outer), p.planSelect(rightStmt, outer));
}

/** Plans VALUES lists. */
export function planValues(
  p: Planner,
  values: readonly Expr[][],
  outer: Scope | null,
  expected?: readonly SqlType[],
): PlannedQuery {
  const env: BindEnv = {
    scope: new Scope([], outer),
    ctx: ctxOf(p),
    agg: null,
    windows: null,
    collectAggregates: false,
  };
  const width = values[0]?.length ?? 0;
  const rows = values.map((r) => {
    if (r.length !== width) throw new DbError("42601", "VALUES lists must all be the same length");
    return r.map((e, i) => bindExpr(e, env, expected?.[i]));
  });
  const types = Array.from({ length: width }, (_, i) => {
    let t: SqlType = expected?.[i] ?? scalar("unknown");
    for (const r of rows) t = expected?.[i] ? t : commonType(t, r[i]!.type);
    return t.id === "unknown" ? scalar("text") : t;
  });
  return {
    plan: { kind: "values", rows: rows.map((r) => r.map((e, i) => coerceTo(e, types[i]!))), width },
    columns: types.map((type, i) => ({ name: `column${i + 1}`, type, tableOid: 0, attnum: 0 })),
  };
}

/** Plans WITH. @throws {DbError} 0A000 for data-modifying CTEs */
export function planWith(
  p: Planner,
  stmt: Extract<SelectStatement, { type: "with" }>,
  outer: Scope | null,
): PlannedQuery {
  const frame = new Map<string, import("./planner_types.ts").CteBinding>();
  p.ctes.push(frame);
  try {
    const ctes: Extract<PlanNode, { kind: "with" }>["ctes"][number][] = [];
    for (const b of stmt.bind) {
      if (
        b.statement.type === "insert" || b.statement.type === "update" ||
        b.statement.type === "delete"
      ) {
        throw new DbError("0A000", "data-modifying statements in WITH are not supported");
      }
      const q = p.planSelect(b.statement, outer);
      const id = p.nextId++;
      frame.set(b.alias.name, { id, name: b.alias.name, columns: q.columns });
      ctes.push({ id, plan: q.plan, recursive: null, unionAll: false });
    }
    const body = p.planSelect(stmt.in as SelectStatement, outer);
    return { plan: { kind: "with", ctes, input: body.plan }, columns: body.columns };
  } finally {
    p.ctes.pop();
  }
}

/** Plans WITH RECURSIVE (UNION keeps rows distinct, UNION ALL keeps all). */
export function planWithRecursive(
  p: Planner,
  stmt: Extract<SelectStatement, { type: "with recursive" }>,
  outer: Scope | null,
): PlannedQuery {
  const frame = new Map<string, import("./planner_types.ts").CteBinding>();
  p.ctes.push(frame);
  try {
    const id = p.nextId++;
    const bind = stmt.bind;
    const base = p.planSelect(bind.left, outer);
    const names = stmt.columnNames.length
      ? stmt.columnNames.map((n) => n.name)
      : base.columns.map((c) => c.name);
    const columns: OutColumn[] = base.columns.map((c, i) => ({ ...c, name: names[i] ?? c.name }));
    frame.set(stmt.alias.name, { id, name: stmt.alias.name, columns });
    const step = p.planSelect(bind.right, outer);
    const types = columns.map((c) => c.type);
    const cte = {
      id,
      plan: base.plan,
      recursive: castPlan(step, types),
      unionAll: bind.type === "union all",
    };
    const body = p.planSelect(stmt.in as SelectStatement, outer);
    return { plan: { kind: "with", ctes: [cte], input: body.plan }, columns: body.columns };
  } finally {
    p.ctes.pop();
  }
}
