/**
 * Begins, commits and aborts transactions over a page store.
 *
 * Commit: SERIALIZABLE validation, the clog pages are marked committed in one
 * logged page operation, then the WAL is flushed up to that record (group
 * commit) and only then is the commit published: the xids leave the running
 * set, the in-memory clog says committed, the row locks are released and
 * waiters wake. Publication follows commit order, so visibility order equals
 * commit order. Abort marks the xids aborted without a flush: a crash that
 * loses the mark leaves them "in progress" below the high-water mark, which
 * reads as aborted.
 * @module
 */

import { assert, DbError, TxnConflictError } from "../common/errors.ts";
import { Clog, XidStatus } from "./clog.ts";
import { InPlaceLog } from "./in_place.ts";
import { LockManager } from "./lock_manager.ts";
import { RunningXids } from "./running_xids.ts";
import {
  defineSavepoint,
  failedError,
  releaseSavepoint,
  rollbackToSavepoint,
} from "./savepoints.ts";
import { type CommittedWrites, SsiLog } from "./ssi_log.ts";
import { type IsolationLevel, Snapshot, Txn } from "./txn.ts";
import type { TxnStore } from "./txn_store.ts";

export type { TxnStore } from "./txn_store.ts";

/** Options of `TxnManager.begin`. */
export interface BeginOptions {
  /** Default "read committed". */
  readonly isolation?: IsolationLevel;
  /** Refuse writes (25006). Default false. */
  readonly readOnly?: boolean;
}

/** Counters of a transaction manager (for metrics). */
export interface TxnStats {
  /** Transactions committed. */
  commits: number;
  /** Transactions rolled back. */
  aborts: number;
  /** SERIALIZABLE commits refused with 40001. */
  serializationFailures: number;
}

/** The transaction manager of one store. */
export class TxnManager {
  /** Transaction status, persistent and cached. */
  readonly clog: Clog;
  /** Row locks and waits. */
  readonly locks = new LockManager();
  /** Running xids (top-level and subtransactions) to their transaction. */
  readonly #running = new RunningXids();
  /**
   * Transactions begun and not ended, each at its `activeSlot` (an array, not
   * a set: a set would hash every statement's new transaction object).
   */
  readonly #active: Txn[] = [];
  readonly #ssi = new SsiLog();
  /** What in-place updates overwrote (see `in_place.ts` and `updatesInPlace`). */
  readonly inPlace = new InPlaceLog();
  #lastPublish: Promise<void> = Promise.resolve();
  /** Commits waiting in `#publishAfter` (a later commit may not publish before them). */
  #publishing = 0;
  #nextTxnId = 1;
  readonly #stats: TxnStats = { commits: 0, aborts: 0, serializationFailures: 0 };

  private constructor(readonly store: TxnStore) {
    this.clog = Clog.open(store, {
      pageSize: store.pageSize,
      volatile: store.wal.discards === true,
    });
  }

  /**
   * Opens the transaction manager of a store (creating its clog on first use).
   * Transactions cut off by a crash read as aborted.
   */
  static open(store: TxnStore): TxnManager {
    return new TxnManager(store);
  }

  /** Starts a transaction. Its snapshot is taken by the first `startStatement`. */
  begin(options: BeginOptions = {}): Txn {
    const txn = new Txn(
      this.#nextTxnId++,
      options.isolation ?? "read committed",
      options.readOnly ?? false,
      this.clog,
    );
    txn.activeSlot = this.#active.length;
    this.#active.push(txn);
    this.#ssi.track(txn);
    return txn;
  }

  /**
   * SET TRANSACTION: changes the isolation level or read-only mode before the
   * first statement took a snapshot.
   * @throws {DbError} 25001 after the first query
   */
  setCharacteristics(txn: Txn, options: BeginOptions): void {
    if (txn.snapshot !== null || txn.xid !== 0) {
      throw new DbError("25001", "SET TRANSACTION ISOLATION LEVEL must be called before any query");
    }
    if (options.isolation !== undefined) {
      txn.isolation = options.isolation;
      this.#ssi.track(txn);
    }
    if (options.readOnly !== undefined) txn.readOnly = options.readOnly;
  }

  /** Commit, abort and serialization-failure counts since open (a copy). */
  stats(): TxnStats {
    return { ...this.#stats };
  }

  /** Transactions begun and not yet ended. */
  get activeCount(): number {
    return this.#active.length;
  }

  /**
   * Starts a statement: a new command id (the statement sees the transaction's
   * earlier writes but not its own), and under READ COMMITTED a new snapshot.
   * @throws {DbError} 25P02 when the transaction has already failed or ended
   */
  startStatement(txn: Txn): void {
    this.#checkActive(txn);
    txn.cid = txn.nextCid++;
    if (txn.snapshot === null || !txn.transactionSnapshot) txn.snapshot = this.#takeSnapshot();
  }

  /** Makes the statement's own writes so far visible to its later steps (PostgreSQL's CommandCounterIncrement). */
  advanceCommand(txn: Txn): void {
    txn.cid = txn.nextCid++;
  }

  #takeSnapshot(): Snapshot {
    const xmax = this.clog.nextXid;
    if (this.#running.size === 0) return new Snapshot(xmax, xmax, null);
    let xmin = xmax;
    const xip = new Set<number>();
    for (const xid of this.#running.xids) {
      xip.add(xid);
      if (xid < xmin) xmin = xid;
    }
    return new Snapshot(xmin, xmax, xip);
  }

  /**
   * The xid the transaction's current (sub)transaction writes with, assigned on first use.
   * @throws {DbError} 25006 in a read-only transaction, 25P02 once it ended
   */
  writeXid(txn: Txn): number {
    if (txn.state !== "active") throw failedError();
    const current = txn.currentXid;
    if (current !== 0) return current;
    if (txn.readOnly) throw new DbError("25006", "cannot execute write in a read-only transaction");
    assert(txn.state === "active", `Write in a ${txn.state} transaction`);
    if (txn.xid === 0) txn.xid = this.#assign(txn);
    for (const sp of txn.savepoints) if (sp.xid === 0) sp.xid = this.#assign(txn);
    return txn.currentXid;
  }

  #assign(txn: Txn): number {
    const xid = this.clog.allocate();
    this.#running.add(xid, txn);
    txn.addOwnXid(xid);
    return xid;
  }

  /** The running transaction that owns `xid` (top-level or subtransaction), if any. */
  runningTxn(xid: number): Txn | undefined {
    return this.#running.get(xid);
  }

  /**
   * The oldest xid any running transaction or live snapshot may still need:
   * a version deleted by a committed xid below it is dead to everyone.
   */
  vacuumHorizon(): number {
    let horizon = this.clog.nextXid;
    for (const txn of this.#active) {
      if (txn.snapshot !== null && txn.snapshot.xmin < horizon) horizon = txn.snapshot.xmin;
      if (txn.xid !== 0 && txn.xid < horizon) horizon = txn.xid;
    }
    return horizon;
  }

  /**
   * True when `txn`, running to its commit without yielding, may update in
   * place (`in_place.ts`): it is the only transaction (no other snapshot), no
   * commit is being published, the store discards its WAL (a commit is
   * visible at once), no savepoint, not SERIALIZABLE.
   */
  updatesInPlace(txn: Txn): boolean {
    return this.#active.length === 1 && this.#active[0] === txn && this.#publishing === 0 &&
      this.store.wal.discards === true && txn.savepoints.length === 0 &&
      txn.isolation !== "serializable";
  }

  /**
   * Commits. Resolves once the commit is durable and visible to others. A
   * failed transaction (see `markFailed`) is rolled back instead, as
   * PostgreSQL does for COMMIT after an error.
   * @throws {TxnConflictError} 40001 when a SERIALIZABLE transaction read data a
   * concurrent committed transaction wrote (the transaction is rolled back)
   * @throws {IoError} 58030 when the WAL flush fails: the outcome is then unknown
   */
  async commit(txn: Txn): Promise<void> {
    const publish = this.commitNow(txn);
    if (publish !== null) await publish;
  }

  /**
   * Commits as `commit` does, without yielding when nothing must be waited
   * for: the WAL needs no flush (an in-memory database) and no earlier
   * commit is still being published.
   * @returns null when the transaction ended here, else what `commit` awaits
   * @throws {TxnConflictError} 40001 as `commit`
   */
  commitNow(txn: Txn): Promise<void> | null {
    assert(txn.state === "active", `Commit of a ${txn.state} transaction`);
    if (txn.failed) {
      this.abort(txn);
      return null;
    }
    if (txn.xid === 0) {
      this.#end(txn, "committed");
      return null;
    }
    if (txn.reads !== null && this.#ssi.readsInvalidated(txn)) {
      this.#stats.serializationFailures++;
      this.abort(txn);
      throw new TxnConflictError(
        "40001",
        "could not serialize access due to read/write dependencies among transactions",
      );
    }
    txn.state = "committing";
    const xids = [...txn.ownXids];
    const entry = this.#ssi.committing(txn);
    try {
      this.clog.record(xids, XidStatus.committed);
    } catch (e) {
      this.#ssi.unlog(entry);
      txn.state = "active";
      this.abort(txn);
      throw e;
    }
    const lsn = this.store.wal.endLsn;
    if (this.#publishing === 0 && this.store.wal.flushedLsn >= lsn) {
      this.clog.publish(xids, XidStatus.committed);
      if (entry !== null) entry.published = true;
      this.#end(txn, "committed");
      return null;
    }
    assert(this.inPlace.owner !== txn, `Transaction ${txn.id} updated in place, cannot wait`);
    const previous = this.#lastPublish;
    this.#publishing++;
    const publish = this.#publishAfter(txn, xids, lsn, previous, entry);
    this.#lastPublish = publish.catch(() => {});
    return publish;
  }

  /**
   * Commits a transaction that wrote nothing (no xid) synchronously: such a
   * commit has nothing to validate, log or wait for.
   * @returns false, leaving the transaction open, when it wrote or failed (use `commit`)
   */
  commitReadOnly(txn: Txn): boolean {
    assert(txn.state === "active", `Commit of a ${txn.state} transaction`);
    if (txn.xid !== 0 || txn.failed) return false;
    this.#end(txn, "committed");
    return true;
  }

  async #publishAfter(
    txn: Txn,
    xids: number[],
    lsn: number,
    previous: Promise<void>,
    entry: CommittedWrites | null,
  ): Promise<void> {
    let failure: unknown = undefined;
    try {
      await this.store.wal.flush(lsn);
    } catch (e) {
      // The commit record may still reach the disk with a later flush, so the
      // transaction is published as committed and the caller learns that its
      // outcome is unknown.
      failure = e;
    }
    await previous;
    this.#publishing--;
    this.clog.publish(xids, XidStatus.committed);
    if (entry !== null) entry.published = true;
    this.#end(txn, "committed");
    if (failure !== undefined) throw failure;
  }

  /** Rolls back (no-op once ended): new versions turn invisible, in-place overwrites are undone. */
  abort(txn: Txn): void {
    if (txn.state === "committed" || txn.state === "aborted") return;
    assert(txn.state === "active", `Abort of a ${txn.state} transaction`);
    this.inPlace.undo(this.store, txn);
    const xids = txn.allXids;
    this.clog.publish(xids, XidStatus.aborted);
    this.#end(txn, "aborted");
    if (xids.length > 0) this.clog.record(xids, XidStatus.aborted);
  }

  /**
   * Interrupts a lock wait of `txn`, if any: the waiting call throws `reason`
   * (statement cancel, statement or lock timeout).
   * @returns true when a wait was interrupted
   */
  cancelWait(txn: Txn, reason: unknown): boolean {
    const cancel = txn.cancelWait;
    if (cancel === null) return false;
    cancel(reason);
    return true;
  }

  #end(txn: Txn, state: "committed" | "aborted"): void {
    txn.state = state;
    if (state === "committed") this.#stats.commits++;
    else this.#stats.aborts++;
    // The error is built only for a waiter: an Error captures a stack, costly per statement.
    if (txn.cancelWait) {
      txn.cancelWait(
        new DbError(
          "25P02",
          "current transaction is aborted, commands ignored until end of transaction block",
        ),
      );
    }
    this.inPlace.release(txn);
    for (const xid of txn.allXids) this.#running.delete(xid);
    this.#deactivate(txn);
    this.locks.releaseAll(txn);
    txn.finish();
    this.#ssi.ended(txn, this.#publishing);
  }

  /** Removes `txn` from `#active`: the last one takes its slot. */
  #deactivate(txn: Txn): void {
    const slot = txn.activeSlot;
    const active = this.#active;
    assert(active[slot] === txn, `Transaction ${txn.id} is not active`);
    const last = active.pop()!;
    if (last !== txn) {
      active[slot] = last;
      last.activeSlot = slot;
    }
    txn.activeSlot = -1;
  }

  /**
   * Defines a savepoint; later writes carry a new subtransaction xid.
   * @throws {DbError} 25P02 when the transaction is not active
   */
  savepoint(txn: Txn, name: string): void {
    defineSavepoint(txn, name);
  }

  /**
   * ROLLBACK TO SAVEPOINT: the writes since the savepoint become invisible
   * (their subtransactions are aborted); the savepoint stays defined and the
   * transaction leaves the failed state. Row locks taken since then are kept
   * until the transaction ends.
   * @throws {DbError} 3B001 when no savepoint has that name
   */
  rollbackTo(txn: Txn, name: string): void {
    rollbackToSavepoint(txn, name, { running: this.#running, clog: this.clog });
  }

  /**
   * RELEASE SAVEPOINT: forgets the savepoint (and later ones); their writes
   * now belong to the enclosing level and commit or abort with it.
   * @throws {DbError} 3B001 when no savepoint has that name
   */
  release(txn: Txn, name: string): void {
    releaseSavepoint(txn, name);
  }

  /** Puts the transaction in the failed state after an error: statements are refused until ROLLBACK (TO SAVEPOINT). */
  markFailed(txn: Txn): void {
    if (txn.state === "active") txn.failed = true;
  }

  #checkActive(txn: Txn): void {
    if (txn.state !== "active" || txn.failed) throw failedError();
  }
}
