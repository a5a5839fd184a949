/**
 * Savepoints (subtransactions) of a transaction: SAVEPOINT, ROLLBACK TO
 * SAVEPOINT and RELEASE SAVEPOINT over the transaction's savepoint stack,
 * the running xids and the clog. `TxnManager` calls these.
 * @module
 */

import { assert, DbError } from "../common/errors.ts";
import { type Clog, XidStatus } from "./clog.ts";
import type { RunningXids } from "./running_xids.ts";
import type { Txn } from "./txn.ts";

/** The error of a statement in a failed or ended transaction (25P02). */
export function failedError(): DbError {
  return new DbError(
    "25P02",
    "current transaction is aborted, commands ignored until end of transaction block",
  );
}

/**
 * Defines a savepoint; later writes carry a new subtransaction xid.
 * @throws {DbError} 25P02 when the transaction is not active
 */
export function defineSavepoint(txn: Txn, name: string): void {
  if (txn.state !== "active" || txn.failed) throw failedError();
  txn.savepoints.push({ name, xid: 0, carried: [] });
}

/**
 * ROLLBACK TO SAVEPOINT: the writes since the savepoint become invisible
 * (their subtransactions are aborted and leave `running`); the savepoint
 * stays defined and the transaction leaves the failed state.
 * @throws {DbError} 3B001 when no savepoint has that name
 */
export function rollbackToSavepoint(
  txn: Txn,
  name: string,
  state: { readonly running: RunningXids; readonly clog: Clog },
): void {
  const i = findSavepoint(txn, name);
  const undone: number[] = [];
  for (const sp of txn.savepoints.splice(i)) {
    for (const xid of sp.xid === 0 ? sp.carried : [sp.xid, ...sp.carried]) {
      undone.push(xid);
      txn.dropOwnXid(xid);
      state.running.delete(xid);
    }
  }
  txn.savepoints.push({ name, xid: 0, carried: [] });
  txn.failed = false;
  if (undone.length > 0) {
    state.clog.publish(undone, XidStatus.aborted);
    state.clog.record(undone, XidStatus.aborted);
  }
}

/**
 * RELEASE SAVEPOINT: forgets the savepoint (and later ones); their writes
 * now belong to the enclosing level and commit or abort with it.
 * @throws {DbError} 3B001 when no savepoint has that name
 */
export function releaseSavepoint(txn: Txn, name: string): void {
  const i = findSavepoint(txn, name);
  if (txn.failed) throw failedError();
  const removed = txn.savepoints.splice(i);
  const parent = txn.savepoints[txn.savepoints.length - 1];
  if (parent === undefined) return;
  for (const sp of removed) {
    if (sp.xid !== 0) parent.carried.push(sp.xid);
    parent.carried.push(...sp.carried);
  }
}

function findSavepoint(txn: Txn, name: string): number {
  assert(txn.state === "active", `Savepoint operation in a ${txn.state} transaction`);
  for (let i = txn.savepoints.length - 1; i >= 0; i--) {
    if (txn.savepoints[i]!.name === name) return i;
  }
  throw new DbError("3B001", `savepoint "${name}" does not exist`);
}
