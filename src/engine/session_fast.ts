/**
 * A session's synchronous statement path: a plain SELECT or UPDATE in
 * autocommit mode (`read_fast.ts`, `write_fast.ts`) and the statements of a
 * transaction block that need no wait (`block_fast.ts`) run and commit
 * without yielding; anything else returns null and takes `SqlSession.runOne`.
 * @module
 */
import type { SqlType, Value } from "../common/types.ts";
import type { ParsedStatement } from "../sql/parser_port.ts";
import { blockPlan, runInBlock } from "./block_fast.ts";
import { fastSelectPlan, runFastSelect } from "./read_fast.ts";
import type { SqlSession } from "./session.ts";
import type { StatementResult } from "./session_api.ts";
import { isResult } from "./session_prepared.ts";
import { beginBlock } from "./statement_runner.ts";
import { fastUpdatePlan, runFastUpdate } from "./write_fast.ts";

/**
 * Runs `st` without awaits when it can (the session is open and not failed):
 * the result itself when its transaction ended at once, a promise when it
 * must commit or wait, null when the statement needs `runOne`.
 */
export function runFastStatement(
  s: SqlSession,
  st: ParsedStatement,
  params: readonly Value[],
  declared: readonly (SqlType | null)[],
): StatementResult | Promise<StatementResult> | null {
  if (s.inBlock) return runFastInBlock(s, st, params, declared);
  if (s.txn !== null) return null;
  const type = (st.ast as { readonly type?: string }).type;
  if (type === "begin" || type === "start transaction") {
    s.statementBegins(st.text);
    try {
      return beginBlock(s, st.ast as Parameters<typeof beginBlock>[1]);
    } catch (e) {
      s.statementFailed();
      throw e;
    } finally {
      s.statementEnded();
    }
  }
  const p = fastSelectPlan(s, st, declared);
  if (p === null) return runFastUpdateStatement(s, st, params, declared);
  s.statementBegins(st.text);
  let r: StatementResult;
  try {
    r = runFastSelect(s, p, params);
  } catch (e) {
    s.abortTxn();
    s.statementEnded();
    throw e;
  }
  return commitFast(s, r);
}

/**
 * `runFastStatement` inside a transaction block (see `block_fast.ts`):
 * COMMIT, and SELECT, UPDATE and INSERT statements that need no wait run
 * without yielding; a DML statement that must wait goes on asynchronously.
 */
function runFastInBlock(
  s: SqlSession,
  st: ParsedStatement,
  params: readonly Value[],
  declared: readonly (SqlType | null)[],
): StatementResult | Promise<StatementResult> | null {
  if (s.txn === null) return null;
  if ((st.ast as { readonly type?: string }).type === "commit") {
    s.statementBegins(st.text);
    return commitFast(s, {
      command: "COMMIT",
      tag: "COMMIT",
      rowCount: 0,
      fields: null,
      rows: [],
    });
  }
  const plan = blockPlan(s, st, declared);
  // A statement that may wait for a row lock is bounded by statement_timeout's timer in runOne.
  if (plan === null || (plan.kind === "dml" && s.timeoutMs() > 0)) return null;
  s.statementBegins(st.text);
  let r: StatementResult | Promise<StatementResult>;
  try {
    r = runInBlock(s, plan, params);
  } catch (e) {
    s.statementFailed();
    s.statementEnded();
    throw e;
  }
  if (isResult(r)) {
    s.statementEnded();
    return r;
  }
  return r.then(
    (result) => (s.statementEnded(), result),
    (e) => {
      s.statementFailed();
      s.statementEnded();
      throw e;
    },
  );
}

/** `runFastStatement` for an UPDATE (see `write_fast.ts`). */
function runFastUpdateStatement(
  s: SqlSession,
  st: ParsedStatement,
  params: readonly Value[],
  declared: readonly (SqlType | null)[],
): StatementResult | Promise<StatementResult> | null {
  const p = fastUpdatePlan(s, st, declared);
  if (p === null) return null;
  s.statementBegins(st.text);
  let r: StatementResult | null;
  try {
    r = runFastUpdate(s, p, params);
  } catch (e) {
    s.abortTxn();
    s.statementEnded();
    throw e;
  }
  if (r === null) {
    // A row needs a wait: start over on the general path, which waits.
    s.abortTxn();
    s.statementEnded();
    return s.runOne(st, params, declared);
  }
  return commitFast(s, r);
}

/**
 * Ends a fast-path statement: commits its transaction without yielding when
 * nothing must be waited for, else returns a promise of `r`.
 */
function commitFast(
  s: SqlSession,
  r: StatementResult,
): StatementResult | Promise<StatementResult> {
  let waiting: Promise<void> | null;
  try {
    waiting = commitNow(s);
  } catch (e) {
    s.statementEnded();
    throw e;
  }
  if (waiting === null) {
    s.statementEnded();
    return r;
  }
  return waiting.then(
    () => (s.statementEnded(), r),
    (e) => {
      s.statementEnded();
      throw e;
    },
  );
}

/** `SqlSession.commitTxn` without yielding when possible; null when the transaction ended. */
function commitNow(s: SqlSession): Promise<void> | null {
  const txn = s.txn;
  if (txn === null) return null;
  if (s.txCatalog !== null) return s.commitTxn();
  // An UPDATE that only wrote in place has no xid but has changes to count.
  if (txn.xid === 0 && s.txChanges.size === 0) {
    if (!s.engine.commitReadOnly(txn)) return s.commitTxn();
  } else {
    let publish: Promise<void> | null;
    try {
      publish = s.engine.commitNow(txn, s.txChanges);
    } catch (e) {
      s.abortTxn();
      throw e;
    }
    if (publish !== null) {
      return publish.then(() => s.txnEnded(), (e) => {
        s.abortTxn();
        throw e;
      });
    }
  }
  s.txnEnded();
  return null;
}
