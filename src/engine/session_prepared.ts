/**
 * Prepared statements of a session and the cursors (portals) opened on them:
 * a cursor runs its statement on the first fetch and hands the rows out in
 * batches.
 * @module
 */
import type { SqlType, Value } from "../common/types.ts";
import { DbError } from "../common/errors.ts";
import type { ParsedStatement } from "../sql/parser_port.ts";
import type { SqlSession } from "./session.ts";
import type { Cursor, Fetched, Prepared, StatementResult } from "./session_api.ts";

/** A prepared statement of this session. */
export interface PreparedStatement extends Prepared {
  readonly parsed: ParsedStatement;
  readonly declared: readonly (SqlType | null)[];
}

/** True when `r` is a result, not a promise of one. */
export function isResult(
  r: StatementResult | Promise<StatementResult>,
): r is StatementResult {
  return !(r instanceof Promise);
}

/**
 * Opens a cursor on `p` with `params`; its `fetchNow` runs a fast-path
 * SELECT without awaiting.
 */
export function openCursor(
  session: SqlSession,
  p: PreparedStatement,
  params: readonly Value[],
): Cursor {
  if (!p.parsed) throw new DbError("26000", "prepared statement does not belong to this session");
  let result: StatementResult | null = null;
  let failure: { readonly error: unknown } | null = null;
  let offset = 0;
  const fail = (error: unknown): never => {
    failure = { error };
    throw error;
  };
  const take = (r: StatementResult, maxRows: number): Fetched => {
    result = r;
    const end = maxRows > 0 ? Math.min(r.rows.length, offset + maxRows) : r.rows.length;
    const rows =
      (offset === 0 && end === r.rows.length ? r.rows : r.rows.slice(offset, end)) as Value[][];
    offset = end;
    const done = offset >= r.rows.length;
    return done ? { rows, done, result: r } : { rows, done };
  };
  const fetchNow = (maxRows: number): Fetched | Promise<Fetched> => {
    if (result) return take(result, maxRows);
    if (failure) throw failure.error;
    let fast: StatementResult | Promise<StatementResult> | null;
    try {
      fast = session.runFast(p.parsed, params, p.declared);
    } catch (e) {
      return fail(e);
    }
    if (fast !== null && isResult(fast)) return take(fast, maxRows);
    const later = fast ?? session.runOne(p.parsed, params, p.declared);
    return later.then((r) => take(r, maxRows), fail);
  };
  return {
    fields: p.fields,
    fetchNow,
    fetch: (maxRows: number) => {
      try {
        return Promise.resolve(fetchNow(maxRows));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    close: () => {},
  };
}
