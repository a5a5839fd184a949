/**
 * GROUP BY lists: output-column ordinals and aliases, and grouping sets.
 * `ROLLUP (...)`, `CUBE (...)` and `GROUPING SETS (...)` (the frontend's
 * `pg_catalog.__grouping_sets(...)`, with `ROW()` for an empty set) expand
 * into one list of distinct grouping expressions plus the sets over it; the
 * sets of several GROUP BY items combine as a cross product, as in
 * PostgreSQL. `pg_catalog.__no_group()` (HAVING without GROUP BY) groups by
 * nothing.
 * @module
 */
import type { Expr, SelectedColumn } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { fingerprint } from "./bind_expr.ts";

/** Grouping expressions and, for grouping sets, the sets as indices into them. */
export interface GroupingPlan {
  readonly exprs: Expr[];
  /** Null for a plain GROUP BY (one set of all expressions). */
  readonly sets: number[][] | null;
}

/** How names in GROUP BY resolve against the query. */
export interface GroupingNames {
  readonly columns: readonly SelectedColumn[];
  /** True when `name` is a column of the FROM clause (it wins over an output alias). */
  isInputColumn(name: string): boolean;
}

/**
 * Expands a GROUP BY list.
 * @throws {DbError} 42P10 for an ordinal outside the select list
 */
export function groupingPlan(items: readonly Expr[], names: GroupingNames): GroupingPlan {
  const exprs: Expr[] = [];
  const keys: string[] = [];
  const indexOf = (e: Expr): number => {
    const r = resolve(e, names);
    const key = fingerprint(r);
    let at = keys.indexOf(key);
    if (at < 0) {
      at = keys.length;
      keys.push(key);
      exprs.push(r);
    }
    return at;
  };
  let grouped = false;
  let product: number[][] = [[]];
  for (const item of items) {
    if (isCall(item, "__no_group")) continue;
    const sets = itemSets(item, indexOf);
    if (sets.grouping) grouped = true;
    product = product.flatMap((left) => sets.sets.map((right) => union(left, right)));
  }
  return { exprs, sets: grouped ? product : null };
}

function union(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

type Call = Extract<Expr, { type: "call" }>;

function isCall(e: Expr, name: string): boolean {
  return e.type === "call" && e.function.name.toLowerCase() === name;
}

/** The sets one GROUP BY item stands for. */
function itemSets(
  item: Expr,
  indexOf: (e: Expr) => number,
): { sets: number[][]; grouping: boolean } {
  const element = (e: Expr): number[] =>
    e.type === "list"
      ? e.expressions.map(indexOf)
      : isCall(e, "row") && (e as Call).args.length === 0
      ? []
      : [indexOf(e)];
  if (isCall(item, "rollup") || isCall(item, "cube")) {
    const call = item as Call;
    const parts = call.args.map(element);
    const sets: number[][] = [];
    if (call.function.name.toLowerCase() === "rollup") {
      for (let k = parts.length; k >= 0; k--) sets.push(union([], parts.slice(0, k).flat()));
    } else {
      const n = parts.length;
      for (let mask = (1 << n) - 1; mask >= 0; mask--) {
        sets.push(union([], parts.filter((_, i) => mask & (1 << (n - 1 - i))).flat()));
      }
    }
    return { sets, grouping: true };
  }
  if (isCall(item, "__grouping_sets")) {
    const sets = (item as Call).args.flatMap((a) =>
      isCall(a, "rollup") || isCall(a, "cube") || isCall(a, "__grouping_sets")
        ? itemSets(a, indexOf).sets
        : [union([], element(a))]
    );
    return { sets, grouping: true };
  }
  return { sets: [[indexOf(item)]], grouping: false };
}

/** Output-column ordinals and aliases (when no input column has the name) become their expressions. */
function resolve(e: Expr, names: GroupingNames): Expr {
  if (e.type === "integer") {
    const c = names.columns[e.value - 1];
    if (!c) throw new DbError("42P10", `GROUP BY position ${e.value} is not in select list`);
    return c.expr;
  }
  if (e.type === "ref" && !e.table && e.name !== "*" && !names.isInputColumn(e.name)) {
    const c = names.columns.find((c) => c.alias?.name === e.name);
    if (c) return c.expr;
  }
  return e;
}
