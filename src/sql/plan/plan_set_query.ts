/**
 * Plans a statement-level set operation tree from the SQL frontend
 * (`ExtSetOperation`): UNION / INTERSECT / EXCEPT with PostgreSQL's
 * precedence already folded in, and the trailing ORDER BY / LIMIT / OFFSET
 * applied to the whole result (they name output columns by name or position).
 * @module
 */
import type { Expr } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { type SqlType, type as scalar } from "../../common/types.ts";
import type { PlanNode, SortKey } from "../../exec/plan.ts";
import type { ExtQuery } from "../parse/ext_ast.ts";
import { type BindEnv, bindExpr, coerceTo } from "./bind_expr.ts";
import { ctxOf } from "./plan_from.ts";
import type { PlannedQuery, Planner } from "./planner_types.ts";
import { Scope } from "./scope.ts";
import { commonTypeOf } from "./sql_types.ts";

/**
 * Plans a query of the frontend's set-operation tree.
 * @throws {DbError} 42601 column count mismatch, 42P10 bad ORDER BY position, 42804
 */
export function planSetQuery(p: Planner, q: ExtQuery, outer: Scope | null): PlannedQuery {
  if (!("kind" in q)) return p.planSelect(q, outer);
  const left = planSetQuery(p, q.left, outer);
  const right = planSetQuery(p, q.right, outer);
  const combined = combine(q.op, q.all, left, right);
  return applyTail(p, combined, q.orderBy, q.limit);
}

/**
 * Combines two planned queries with a set operation, unifying column types.
 * @throws {DbError} 42601 when the column counts differ
 */
export function combine(
  op: "union" | "intersect" | "except",
  all: boolean,
  left: PlannedQuery,
  right: PlannedQuery,
): PlannedQuery {
  if (left.columns.length !== right.columns.length) {
    throw new DbError(
      "42601",
      `each ${op.toUpperCase()} query must have the same number of columns`,
    );
  }
  const types = left.columns.map((c, i) => {
    const r = right.columns[i]!;
    // An untyped literal takes the other side's type ('1' EXCEPT 1 compares integers).
    const unknown = scalar("unknown");
    const t = commonTypeOf(
      [c.untypedLiteral ? unknown : c.type, r.untypedLiteral ? unknown : r.type],
      op.toUpperCase(),
    );
    return t.id === "unknown" ? scalar("text") : t;
  });
  return {
    plan: { kind: "set_op", op, all, left: castPlan(left, types), right: castPlan(right, types) },
    columns: left.columns.map((c, i) => ({
      name: c.name,
      type: types[i]!,
      tableOid: 0,
      attnum: 0,
    })),
  };
}

export function castPlan(q: PlannedQuery, types: readonly SqlType[]): PlanNode {
  if (q.columns.every((c, i) => c.type.id === types[i]!.id)) return q.plan;
  const input = q.plan;
  return {
    kind: "project",
    input,
    exprs: q.columns.map((c, i) => {
      // An untyped literal converts when the query is planned, as PostgreSQL coerces it
      // when parsing: `SELECT 1 EXCEPT SELECT 'zz'` fails (22P02) even in CREATE VIEW.
      const e = input.kind === "project" ? input.exprs[i] : undefined;
      if (e?.kind === "const" && c.untypedLiteral && typeof e.value === "string") {
        return coerceTo({ ...e, type: scalar("unknown") }, types[i]!);
      }
      return coerceTo({ kind: "column", depth: 0, index: i, type: c.type }, types[i]!);
    }),
  };
}

type OrderBy = NonNullable<Extract<ExtQuery, { kind: string }>["orderBy"]>;
type Limit = NonNullable<Extract<ExtQuery, { kind: string }>["limit"]>;

/** Sorts and limits a set operation's result. */
function applyTail(
  p: Planner,
  q: PlannedQuery,
  orderBy: OrderBy | null,
  limit: Limit | null,
): PlannedQuery {
  let node = q.plan;
  const scope = new Scope(
    q.columns.map((c) => ({ ...c, table: null, hidden: false })),
    null,
  );
  const env: BindEnv = { scope, ctx: ctxOf(p), agg: null, windows: null, collectAggregates: false };
  if (orderBy && orderBy.length > 0) {
    const keys: SortKey[] = orderBy.map((o) => {
      const descending = o.order === "DESC";
      return {
        expr: sortExpr(o.by, q, env),
        descending,
        nullsFirst: o.nulls ? o.nulls === "FIRST" : descending,
      };
    });
    node = { kind: "sort", input: node, keys };
  }
  if (limit && (limit.limit || limit.offset)) {
    node = {
      kind: "limit",
      input: node,
      limit: limit.limit ? coerceTo(bindExpr(limit.limit, env, int8), int8) : null,
      offset: limit.offset ? coerceTo(bindExpr(limit.offset, env, int8), int8) : null,
    };
  }
  return { plan: node, columns: q.columns };
}

const int8 = scalar("int8");

function sortExpr(by: Expr, q: PlannedQuery, env: BindEnv) {
  if (by.type === "integer") {
    const c = q.columns[by.value - 1];
    if (!c) throw new DbError("42P10", `ORDER BY position ${by.value} is not in select list`);
    return { kind: "column" as const, depth: 0, index: by.value - 1, type: c.type };
  }
  if (by.type !== "ref" || by.table) {
    throw new DbError(
      "0A000",
      "invalid UNION/INTERSECT/EXCEPT ORDER BY clause",
    );
  }
  return bindExpr(by, env);
}
