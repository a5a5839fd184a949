/**
 * Plans the other query forms: UNION / INTERSECT / EXCEPT, VALUES, WITH and
 * WITH RECURSIVE.
 * @module
 */
import type {
  DeleteStatement,
  Expr,
  InsertStatement,
  SelectStatement,
  UpdateStatement,
} from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { type SqlType, type as scalar } from "../../common/types.ts";
import type { PlanNode } from "../../exec/plan.ts";
import { type BindEnv, bindExpr, coerceTo } from "./bind_expr.ts";
import { ctxOf } from "./plan_from.ts";
import type { CteBinding, OutColumn, PlannedQuery, Planner } from "./planner_types.ts";
import { planDelete, planInsert, type PlannedDml, planUpdate } from "./plan_dml.ts";
import { Scope } from "./scope.ts";
import { castPlan, combine } from "./plan_set_query.ts";
import { commonTypeOf } from "./sql_types.ts";

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
    if (!expected?.[i]) t = commonTypeOf(rows.map((r) => r[i]!.type), "VALUES");
    return t.id === "unknown" ? scalar("text") : t;
  });
  return {
    plan: { kind: "values", rows: rows.map((r) => r.map((e, i) => coerceTo(e, types[i]!))), width },
    columns: types.map((type, i) => ({ name: `column${i + 1}`, type, tableOid: 0, attnum: 0 })),
  };
}

type WithStatement = Extract<SelectStatement, { type: "with" }>;
type CteNode = Extract<PlanNode, { kind: "with" }>["ctes"][number];
type DmlStatement = InsertStatement | UpdateStatement | DeleteStatement;

function isDml(s: { readonly type: string }): s is DmlStatement {
  return s.type === "insert" || s.type === "update" || s.type === "delete";
}

function planDml(p: Planner, s: DmlStatement): PlannedDml {
  return s.type === "insert"
    ? planInsert(p, s)
    : s.type === "update"
    ? planUpdate(p, s)
    : planDelete(p, s);
}

/**
 * Binds a WITH's CTEs into `frame`. Data-modifying ones (top level only) and
 * the plain ones before them go to `Planner.preRun`; with `allBefore` (the main
 * statement is DML) every CTE does. Returns the CTEs the main query materializes.
 */
function bindCtes(
  p: Planner,
  stmt: WithStatement,
  outer: Scope | null,
  frame: Map<string, CteBinding>,
  allBefore: boolean,
): CteNode[] {
  const ctes: CteNode[] = [];
  let plainBefore = 0;
  const flushPlain = () => {
    for (const c of ctes.slice(plainBefore)) p.preRun.push({ id: c.id, plan: c.plan });
    plainBefore = ctes.length;
  };
  for (const b of stmt.bind) {
    const id = p.nextId++;
    const name = b.alias.name;
    const s = b.statement;
    if (isDml(s)) {
      if (stmt !== p.topWith) {
        throw new DbError(
          "0A000",
          "WITH clause containing a data-modifying statement must be at the top level",
        );
      }
      const d = planDml(p, s);
      flushPlain(); // the plain CTEs before it may feed it: they run first, in order
      p.preRun.push({ id, plan: d.plan });
      frame.set(
        name,
        d.columns ? { id, name, columns: d.columns } : { id, name, columns: [], noReturning: true },
      );
      continue;
    }
    const q = p.planSelect(s, outer);
    frame.set(name, { id, name, columns: q.columns });
    ctes.push({ id, plan: q.plan, recursive: null, unionAll: false });
  }
  if (!allBefore) return ctes.slice(plainBefore);
  flushPlain();
  return [];
}

/**
 * Plans WITH. An INSERT / UPDATE / DELETE in the top-level WITH runs once
 * before the main query (`Planner.preRun`), which reads its RETURNING rows.
 * @throws {DbError} 0A000 for data-modifying CTEs below the top level
 */
export function planWith(p: Planner, stmt: WithStatement, outer: Scope | null): PlannedQuery {
  const frame = new Map<string, CteBinding>();
  p.ctes.push(frame);
  try {
    const ctes = bindCtes(p, stmt, outer, frame, false);
    const body = p.planSelect(stmt.in as SelectStatement, outer);
    return { plan: { kind: "with", ctes, input: body.plan }, columns: body.columns };
  } finally {
    p.ctes.pop();
  }
}

/** True for `WITH ... INSERT / UPDATE / DELETE`. */
export function isWithDml(stmt: { readonly type: string }): stmt is WithStatement {
  return stmt.type === "with" && isDml((stmt as WithStatement).in);
}

/**
 * Plans `WITH ... INSERT / UPDATE / DELETE`: every CTE runs once before the
 * statement (`Planner.preRun`), in order.
 */
export function planWithDml(p: Planner, stmt: WithStatement): PlannedDml {
  const frame = new Map<string, CteBinding>();
  p.ctes.push(frame);
  try {
    bindCtes(p, stmt, null, frame, true);
    return planDml(p, stmt.in as DmlStatement);
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
  const frame = new Map<string, CteBinding>();
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
