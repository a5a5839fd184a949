/**
 * Binds ordered-set and hypothetical-set aggregate calls,
 * `fn(direct...) WITHIN GROUP (ORDER BY x)`, into an `AggSpec` whose args are
 * the direct arguments followed by x, with PostgreSQL's types and errors.
 * @module
 */
import type { ExprCall } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { type SqlType, type as scalar } from "../../common/types.ts";
import { formatTypeName } from "../../common/value_text.ts";
import type { AggSpec } from "../../exec/plan.ts";
import { type BindEnv, bindExpr, coerceTo } from "./bind_expr.ts";
import { commonType } from "./sql_types.ts";
import {
  acceptsWithinGroup,
  isHypotheticalName,
  isOrderedSetName,
  orderedSetTypes,
} from "../../exec/functions/ordered_set.ts";

/** True when the call must bind as an ordered-set aggregate. */
export function isOrderedSetCall(e: ExprCall, name: string): boolean {
  return (e.withinGroup !== undefined && e.withinGroup !== null) || isOrderedSetName(name);
}

function noFunction(name: string, types: readonly SqlType[]): DbError {
  return new DbError(
    "42883",
    `function ${name}(${types.map(formatTypeName).join(", ")}) does not exist`,
  );
}

/**
 * Binds an ordered-set call over the aggregate's input scope.
 * @throws {DbError} 42809 WITHIN GROUP missing, 42883 no such aggregate for the types
 */
export function bindOrderedSet(e: ExprCall, name: string, inputEnv: BindEnv): AggSpec {
  const direct = e.args.map((a) => bindExpr(a, inputEnv));
  const within = e.withinGroup;
  if (within === undefined || within === null) {
    const wanted = name === "mode" ? 1 : 2;
    if (direct.length === wanted) {
      throw new DbError("42809", `WITHIN GROUP is required for ordered-set aggregate ${name}`);
    }
    throw noFunction(name, direct.map((d) => d.type));
  }
  const sortExpr = bindExpr(within.by, inputEnv);
  if (!acceptsWithinGroup(name)) throw noFunction(name, [...direct, sortExpr].map((d) => d.type));
  if (e.distinct === "distinct") {
    throw new DbError("42601", "cannot use DISTINCT with WITHIN GROUP");
  }
  // A hypothetical row's value and the sorted values compare in their common type.
  const hypo = isHypotheticalName(name) && direct.length === 1;
  const sortType = hypo ? commonType(direct[0]!.type, sortExpr.type) : sortExpr.type;
  const types = orderedSetTypes(name, direct.map((d) => d.type), sortType);
  const value = coerceTo(sortExpr, types.sort);
  const descending = within.order === "DESC";
  return {
    fn: name,
    args: [...direct.map((d, i) => coerceTo(d, types.direct[i] ?? d.type)), value],
    distinct: false,
    filter: e.filter
      ? coerceTo(bindExpr(e.filter, inputEnv, scalar("bool")), scalar("bool"))
      : null,
    orderBy: [{
      expr: value,
      descending,
      nullsFirst: within.nulls ? within.nulls === "FIRST" : descending,
    }],
    type: types.result,
    star: false,
    withinGroup: direct.length,
  };
}
