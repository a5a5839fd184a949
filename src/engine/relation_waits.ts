/**
 * Waits for transactions that rewrite a table. ALTER COLUMN TYPE that moves
 * a table to fresh storage holds, in PostgreSQL, an ACCESS EXCLUSIVE lock on
 * it until its transaction ends: other sessions' reads and writes of the
 * table wait for that end, then go on (planned again against the catalog
 * the mover left, so a dropped table or column is reported as such).
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { Txn } from "../txn/mod.ts";
import type { SqlSession } from "./session.ts";

/**
 * Waits while another transaction moves one of `rels`, honouring
 * lock_timeout, statement_timeout and cancel, with deadlock detection.
 * @returns true when it waited (the catalog may have changed: plan again)
 * @throws {DbError} 40P01 when the wait closes a cycle, 55P03 on lock_timeout, 57014 on cancel
 */
export async function waitForMovers(s: SqlSession, rels: Iterable<number>): Promise<boolean> {
  const rs = s.engine.rs;
  if (!rs.moving) return false;
  let waited = false;
  for (;;) {
    const mine = s.txn;
    let mover: Txn | undefined;
    for (const rel of rels) {
      const m = rs.moverOf(rel);
      if (m !== undefined && m !== mine) {
        mover = m;
        break;
      }
    }
    if (mover === undefined) return waited;
    waited = true;
    if (mover.ended) {
      // It ended; its commit or rollback rebinds the table before its next await.
      await new Promise((resolve) => setTimeout(resolve, 0));
      continue;
    }
    await waitForTxn(s, mover);
  }
}

/** Waits for `holder` to end, as the session's transaction (started if needed). */
async function waitForTxn(s: SqlSession, holder: Txn): Promise<void> {
  // The snapshot is taken by the statement later, after the wait.
  const txn = s.ensureTxn();
  const ms = Number(s.getSetting("lock_timeout") ?? "0");
  const timer = ms > 0
    ? setTimeout(() => {
      s.engine.txns.cancelWait(
        txn,
        new DbError("55P03", "canceling statement due to lock timeout"),
      );
    }, ms)
    : undefined;
  try {
    await s.engine.txns.locks.waitForOwner(txn, holder);
  } finally {
    clearTimeout(timer);
  }
}
