/**
 * What compiled expressions and function implementations read at run time
 * besides the row: parameters, outer rows and the session's settings.
 * @module
 */

import type { Value } from "../../common/types.ts";

/** Session state that expressions read. Fixed for one statement. */
export interface SessionInfo {
  /** Session TimeZone (IANA name or offset like "+02:00"). */
  readonly timeZone: string;
  /** Statement start time, µs since the epoch (now(), current_timestamp). */
  readonly now: bigint;
  /** Transaction start time, µs; defaults to `now`. */
  readonly transactionNow?: bigint;
  /** Wall clock for clock_timestamp(); defaults to `now`. */
  readonly clock?: () => bigint;
  /** Uniform [0, 1) source for random(); defaults to crypto randomness. */
  readonly random?: () => number;
  readonly user?: string;
  readonly database?: string;
  readonly schema?: string;
}

/** What compiled closures get besides the row. */
export interface EvalContext {
  /** Bound parameter values ($1 is params[0]), already of the recorded parameter types. */
  readonly params: readonly Value[];
  /** Stack of outer rows for correlated subqueries (see `ExprScope.outer`). */
  readonly outerRows: Value[][];
  readonly session: SessionInfo;
}
