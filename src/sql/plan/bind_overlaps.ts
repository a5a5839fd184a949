/**
 * Binds `(s1, e1) OVERLAPS (s2, e2)` (the frontend's `pg_catalog.__overlaps`
 * of two lists): an interval end is `start + interval`, then the library's
 * `overlaps(s1, e1, s2, e2)`.
 * @module
 */
import type { Expr } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import type { BoundExpr } from "../../exec/plan.ts";
import { type BindEnv, bindExpr } from "./bind_expr.ts";
import { bindLibrary } from "./bind_function.ts";

function side(e: Expr | undefined, which: string): readonly [Expr, Expr] {
  const items = e?.type === "list" ? e.expressions : [];
  if (items.length !== 2) {
    throw new DbError(
      "42601",
      `wrong number of parameters on ${which} side of OVERLAPS expression`,
    );
  }
  return [items[0]!, items[1]!];
}

function bounds([start, end]: readonly [Expr, Expr], env: BindEnv): BoundExpr[] {
  const e = bindExpr(end, env);
  if (e.type.id !== "interval") return [bindExpr(start, env), e];
  return [
    bindExpr(start, env),
    bindExpr({ type: "binary", op: "+", left: start, right: end }, env),
  ];
}

/**
 * Binds the two sides of OVERLAPS.
 * @throws {DbError} 42601 a side without exactly two items, 42883 types without overlaps
 */
export function bindOverlaps(args: readonly Expr[], env: BindEnv): BoundExpr {
  const left = bounds(side(args[0], "left"), env);
  const right = bounds(side(args[1], "right"), env);
  return bindLibrary("overlaps", [...left, ...right]);
}
