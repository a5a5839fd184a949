/**
 * JOIN ... USING and NATURAL JOIN: the merged columns. PostgreSQL shows one
 * column per USING name, of the two sides' common type: the left value for
 * inner and LEFT joins, the right value for RIGHT joins, and
 * `COALESCE(left, right)` for FULL joins. `SELECT *` lists the merged columns
 * first (in USING order), then the left side's other columns, then the
 * right side's.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { type SqlType, type as scalar } from "../../common/types.ts";
import type { BoundExpr } from "../../exec/plan.ts";
import { coerceTo } from "./bind_expr.ts";
import type { JoinKind } from "./plan_joins.ts";
import type { ScopeColumn } from "./scope.ts";
import { commonTypeOf } from "./sql_types.ts";

/** The FROM list so far: its columns and the order `SELECT *` shows them in. */
export interface JoinedColumns {
  readonly columns: ScopeColumn[];
  /** Indexes into `columns` of the visible columns, in `SELECT *` order. */
  star: number[];
}

/**
 * Appends the right item's columns, merging the USING ones: marks the
 * right side's copies hidden, records the merged value on the left side's
 * visible entry, and returns the equality terms of the join condition.
 * `alias` (`USING (k) AS j`) names the merged columns as `j.k`.
 * @throws {DbError} 42703 a USING column missing on one side, 42701 a name listed
 *   twice, 42702 a name twice on one side, 42804 no common type
 */
export function mergeUsing(
  joined: JoinedColumns,
  right: ScopeColumn[],
  using: { readonly names: readonly string[]; readonly alias: string | null },
  joinType: JoinKind,
): BoundExpr[] {
  const { names, alias } = using;
  const { columns } = joined;
  const offset = columns.length;
  const terms: BoundExpr[] = [];
  const mergedAt: number[] = [];
  const pending: [number, BoundExpr][] = [];
  for (const [at, name] of names.entries()) {
    if (names.indexOf(name) !== at) {
      throw new DbError("42701", `column name "${name}" appears more than once in USING clause`);
    }
    const li = columns.findIndex((c) => c.name === name && !c.hidden);
    const ri = right.findIndex((c) => c.name === name && !c.hidden);
    if (li < 0 || ri < 0) {
      throw new DbError(
        "42703",
        `column "${name}" specified in USING clause does not exist in ${
          li < 0 ? "left" : "right"
        } table`,
      );
    }
    uniqueOn(columns, name, "left");
    uniqueOn(right, name, "right");
    const l = columns[li]!;
    const r = right[ri]!;
    const leftExpr: BoundExpr = l.merged ??
      { kind: "column", depth: 0, index: li, type: l.type };
    const rightExpr: BoundExpr = { kind: "column", depth: 0, index: offset + ri, type: r.type };
    const common = commonTypeOf([leftExpr.type, r.type], "JOIN/USING");
    const lc = toCommon(leftExpr, common);
    const rc = toCommon(rightExpr, common);
    terms.push({ kind: "call", fn: "=", args: [lc, rc], type: scalar("bool") });
    const merged: BoundExpr = joinType === "full"
      ? { kind: "call", fn: "coalesce", args: [lc, rc], type: common }
      : joinType === "right"
      ? rc
      : lc;
    const plain = merged.kind === "column" && merged.index === li && merged.depth === 0;
    if (!plain) pending.push([li, merged]);
    mergedAt.push(li);
    right[ri] = { ...r, hidden: true };
  }
  for (const [li, merged] of pending) columns[li] = { ...columns[li]!, merged };
  if (alias !== null) {
    for (const li of mergedAt) {
      const c = columns[li]!;
      columns[li] = { ...c, usingAliases: [...(c.usingAliases ?? []), alias] };
    }
  }
  columns.push(...right);
  const rightVisible: number[] = [];
  right.forEach((c, i) => {
    if (!c.hidden) rightVisible.push(offset + i);
  });
  joined.star = [
    ...mergedAt,
    ...joined.star.filter((i) => !mergedAt.includes(i)),
    ...rightVisible,
  ];
  return terms;
}

/** A USING name must denote one column of each side. */
function uniqueOn(columns: readonly ScopeColumn[], name: string, side: string): void {
  if (columns.filter((c) => c.name === name && !c.hidden).length > 1) {
    throw new DbError(
      "42702",
      `common column name "${name}" appears more than once in ${side} table`,
    );
  }
}

/** `e` as the common type (unchanged when only a type modifier differs). */
function toCommon(e: BoundExpr, common: SqlType): BoundExpr {
  return e.type.id === common.id ? e : coerceTo(e, common);
}

/** Appends a FROM item joined without USING. */
export function appendColumns(joined: JoinedColumns, right: readonly ScopeColumn[]): void {
  const offset = joined.columns.length;
  joined.columns.push(...right);
  right.forEach((c, i) => {
    if (!c.hidden) joined.star.push(offset + i);
  });
}

/** The merged value moved to reference depth `depth` (a correlated reference). */
export function mergedAtDepth(e: BoundExpr, depth: number): BoundExpr {
  if (depth === 0) return e;
  switch (e.kind) {
    case "column":
      return e.depth === 0 ? { ...e, depth } : e;
    case "cast":
      return { ...e, arg: mergedAtDepth(e.arg, depth) };
    case "call":
      return { ...e, args: e.args.map((a) => mergedAtDepth(a, depth)) };
    default:
      return e;
  }
}
