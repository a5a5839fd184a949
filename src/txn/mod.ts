/**
 * The transaction layer: MVCC over the page store, row locks, deadlock
 * detection, and the relation access layer (rows in a heap with B+tree
 * indexes) the SQL executor calls.
 *
 * ## Setup (once per store)
 * ```ts
 * const txns = TxnManager.open(store); // clog in root slot 1; crash-cut transactions read as aborted
 * const tables = new Tables(store, txns);
 * ```
 *
 * ## Transactions
 * - `txns.begin({ isolation?: "read committed" | "repeatable read" | "serializable", readOnly? })` → `Txn`
 * - `txns.startStatement(txn)` before every statement: new command id (a
 *   statement never sees its own writes: Halloween protection) and, under READ
 *   COMMITTED, a new snapshot (REPEATABLE READ/SERIALIZABLE keep the first).
 *   `txns.advanceCommand(txn)` makes a statement's writes so far visible to its
 *   later steps.
 * - `await txns.commit(txn)`: resolves once durable (WAL group flush) and
 *   visible. SERIALIZABLE writers are validated: 40001 "could not serialize
 *   access due to read/write dependencies among transactions" (rolled back).
 *   A failed transaction (`txns.markFailed(txn)` after an error) rolls back.
 * - `txns.abort(txn)`: rollback, no flush.
 * - `txns.savepoint(txn, name)`, `txns.rollbackTo(txn, name)`, `txns.release(txn, name)`
 *   (3B001 when unknown). Statements in a failed transaction throw 25P02.
 * - `txns.cancelWait(txn, error)` interrupts a lock wait (statement/lock timeout, cancel);
 *   `txns.setCharacteristics(txn, { isolation, readOnly })` is SET TRANSACTION
 *   (25001 after the first query); `txns.stats()` counts commits, aborts and 40001s.
 *
 * Every call here runs its own page operations: never call into this layer
 * from inside a `store.update`/`store.view` callback.
 *
 * ## Relations
 * The catalog owns `RelationDef` (id, name, columnNames, types, heap page,
 * indexes: name, root page, columns, keyColumns, unique, predicate for
 * partial indexes). Storage: `createRelationStorage(m, indexCount)` →
 * `{ heap, indexRoots }`, `createIndexStorage(m)` + `tables.buildIndex(rel, i)`,
 * `dropRelationStorage(m, rel)`, inside `store.update`.
 *
 * - `await tables.insertRow(txn, rel, values)` → rowId; 23505 with detail
 *   `Key (a)=(1) already exists.`; waits for uncommitted inserters of the key.
 * - `await tables.insertOrConflict(txn, rel, values)` → `{ kind: "inserted", rowId }`
 *   or `{ kind: "conflict", error }` (`error.constraint`, `error.conflictRowId`)
 *   for INSERT ... ON CONFLICT; 23505 errors are `UniqueViolationError`s.
 * - `await tables.updateRow(txn, rel, rowId, (current, concurrent) => newValues | null, mode?)`
 *   → `{ kind: "done", rowId: newRowId, values } | { kind: "skipped" }`.
 *   Under READ COMMITTED a concurrently updated row is followed to its newest
 *   version and `concurrent` is true: re-evaluate WHERE on `current` (return
 *   null to skip) and compute SET from it. REPEATABLE READ/SERIALIZABLE
 *   throw 40001 "could not serialize access due to concurrent update".
 * - `await tables.deleteRow(txn, rel, rowId, recheck?)`, same outcomes.
 * - `await tables.lockRow(txn, rel, rowId, { mode: "update" | "noKeyUpdate" | "share" | "keyShare", policy?: "wait" | "nowait" | "skipLocked", recheck? })`:
 *   NOWAIT throws 55P03 `could not obtain lock on row in relation "t"`;
 *   SKIP LOCKED returns skipped; waits that close a cycle throw 40P01
 *   "deadlock detected" at once. Locks are held until the transaction ends.
 * - Reads are cursors of bounded batches, each one synchronous `store.view`:
 *   `tables.scan(txn, rel, { wanted?, batchRows? })`,
 *   `tables.indexScan(txn, rel, indexNo, { lower?, upper?, lowerInclusive?, upperInclusive?, reverse? })`
 *   (bounds: values of a prefix of the index columns); `cursor.next()` →
 *   `{ rowIds, rows } | null`. Point reads: `tables.lookup(txn, rel, indexNo, key)`,
 *   `tables.fetch(txn, rel, rowId)`.
 * - `tables.vacuum(rel)` removes versions dead to every snapshot (and their
 *   index entries); the space is reused. `tables.vacuumRun(rel)` does the same
 *   one batch per `step()` for background vacuuming. `tables.stats(rel)` →
 *   `{ rows, pages, deadRows }` (deadRows: a trigger for autovacuum).
 * - SERIALIZABLE tracking is automatic: scans record what they read; the
 *   executor need not do anything beyond using these calls.
 * @module
 */

export { bootstrapXid, Clog, type ClogStore, firstNormalXid, XidStatus } from "./clog.ts";
export {
  LockManager,
  type LockOwner,
  RowLock,
  type RowLockMode,
  type WaitPolicy,
  type WaitTarget,
} from "./lock_manager.ts";
export { type KeyRange, ReadSet, WriteSet } from "./ssi.ts";
export {
  createIndexStorage,
  createRelationStorage,
  dropRelationStorage,
  formatValue,
  type IndexDef,
  type RelationDef,
  type RelationStorage,
  UniqueViolationError,
} from "./relation.ts";
export {
  type ColumnBatch,
  ColumnCursor,
  type IndexBounds,
  type RowBatch,
  RowCursor,
  type ScanOptions,
} from "./relation_read.ts";
export type { Recheck, RowOutcome, WriteContext } from "./relation_write.ts";
export { blocked, type RowOutcomeNow } from "./relation_write_now.ts";
export { type InsertOutcome, type RelationStats, Tables } from "./tables.ts";
export { type IsolationLevel, type Savepoint, Snapshot, Txn, type TxnState } from "./txn.ts";
export { type BeginOptions, TxnManager, type TxnStats, type TxnStore } from "./txn_manager.ts";
export { type VacuumResult, VacuumRun } from "./vacuum.ts";
