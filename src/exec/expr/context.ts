/**
 * The contracts between the expression compiler, the planner that calls it
 * and the executor that runs the compiled closures. See `mod.ts` for the
 * whole story.
 * @module
 */

import type { ExprCall, SelectStatement, WithStatement } from "pgsql-ast-parser";
import type { SqlType, Value } from "../../common/types.ts";
import type { EvalContext } from "../functions/eval_context.ts";

export type { EvalContext, SessionInfo } from "../functions/eval_context.ts";

/** A column the scope resolved. */
export interface ResolvedColumn {
  /** Position in the row array the executor passes to `eval`. */
  readonly index: number;
  readonly type: SqlType;
  /** False when the column is declared NOT NULL. */
  readonly nullable?: boolean;
}

/** Name resolution, supplied by the planner. */
export interface ExprScope {
  /**
   * Resolves `table.name` (table may be undefined).
   * @throws {DbError} 42703 undefined column, 42702 ambiguous, 42P01 missing FROM-clause entry
   */
  resolveColumn(table: string | undefined, name: string): ResolvedColumn;
  /**
   * The enclosing query's scope, for correlated subqueries. A column found
   * `k` levels out (1 = the direct outer query) is read from
   * `ctx.outerRows[ctx.outerRows.length - k]`: the executor pushes the
   * current row before running a subquery and pops it after.
   */
  readonly outer?: ExprScope;
}

/** A compiled expression: its static type and the per-row closure. */
export interface Compiled {
  readonly type: SqlType;
  /** False when the expression can never be NULL. */
  readonly nullable?: boolean;
  readonly eval: (row: Value[], ctx: EvalContext) => Value;
}

/** Kinds of subquery the compiler asks the planner for. */
export type SubqueryKind = "scalar" | "exists" | "in" | "array";

/** A subquery compiled by the planner. */
export interface CompiledSubquery {
  /**
   * Type of the single output column (bool for "exists"). For "in" and
   * "array", `eval` returns the column's values as an array (Value[]).
   */
  readonly type: SqlType;
  readonly eval: (row: Value[], ctx: EvalContext) => Value;
}

/** Options for one compilation (one statement). */
export interface CompileOptions {
  /**
   * Parameter types by position ($1 at index 0). Unknown entries (undefined)
   * are inferred from context and written back, so the protocol can report
   * them in ParameterDescription; any left unknown become text.
   */
  readonly paramTypes: (SqlType | undefined)[];
  /** Compiles a subquery; absent means subqueries are not allowed here (0A000). */
  readonly compileSubquery?: (
    select: SelectStatement | WithStatement,
    kind: SubqueryKind,
    scope: ExprScope,
  ) => CompiledSubquery;
  /**
   * Replaces an aggregate or window call with a reference into the planner's
   * aggregate output. Absent means aggregates are not allowed here (42803).
   */
  readonly aggregateRef?: (call: ExprCall, scope: ExprScope) => Compiled;
  /** Where the expression sits, for error messages (e.g. "WHERE"). */
  readonly clause?: string;
}
