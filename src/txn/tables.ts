/**
 * `Tables`: the MVCC relation access layer the SQL executor calls, bound to
 * one page store and its transaction manager.
 * @module
 */

import { assert } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import { type HeapStats, heapStatsStep } from "../storage/heap/mod.ts";
import type { RowLockMode, WaitPolicy } from "./lock_manager.ts";
import { type RelationDef, UniqueViolationError } from "./relation.ts";
import { insertRows } from "./relation_bulk.ts";
import {
  type ColumnCursor,
  fetchVisible,
  type IndexBounds,
  lookupRows,
  openColumnScan,
  openHeapScan,
  openIndexScan,
  type RowBatch,
  type RowCursor,
  type ScanOptions,
} from "./relation_read.ts";
import {
  deleteRow,
  insertRow,
  lockRow,
  type Recheck,
  type RowOutcome,
  updateRow,
  type WriteContext,
} from "./relation_write.ts";
import { insertRowNow, type RowOutcomeNow, updateRowNow } from "./relation_write_now.ts";
import type { Txn } from "./txn.ts";
import type { TxnManager, TxnStore } from "./txn_manager.ts";
import { buildIndex, type VacuumResult, VacuumRun } from "./vacuum.ts";

/** Heap pages measured per buffer-pool view when statistics are gathered. */
const statsPagesPerView = 256;

/** Simple statistics of a relation for the optimizer. */
export interface RelationStats {
  /** Estimated live rows (stored versions at the last measurement, plus inserts minus deletes since). */
  readonly rows: number;
  /** Heap data pages (scaled with the row estimate between measurements). */
  readonly pages: number;
  /** Versions updated or deleted since the last vacuum (in this process): a trigger for autovacuum. */
  readonly deadRows: number;
}

interface Estimate {
  rows: number;
  pages: number;
  measuredRows: number;
}

/** The outcome of `insertOrConflict`. */
export type InsertOutcome =
  | { readonly kind: "inserted"; readonly rowId: number }
  | { readonly kind: "conflict"; readonly error: UniqueViolationError };

/** The MVCC relation access layer. */
export class Tables implements WriteContext {
  readonly #estimates = new Map<number, Estimate>();
  /** Versions made dead (updated or deleted) since the last vacuum, per relation. */
  readonly #dead = new Map<number, number>();
  /** Redirects (HOT chain links, not rows) each relation's heap held after its last vacuum. */
  readonly #redirects = new Map<number, number>();

  /** Binds the access layer to a store and its transaction manager. */
  constructor(readonly store: TxnStore, readonly txns: TxnManager) {}

  /**
   * Inserts a row.
   * @returns the new version's row id
   * @throws {DbError} 23505 `duplicate key value violates unique constraint "name"` (detail `Key (a)=(1) already exists.`)
   * @throws {TxnConflictError} 40P01 when waiting for a concurrent inserter of the same key would deadlock
   */
  async insertRow(txn: Txn, rel: RelationDef, values: readonly Value[]): Promise<number> {
    const rowId = await insertRow(this, txn, rel, values);
    this.#adjust(rel, 1);
    return rowId;
  }

  /**
   * `insertRow` without waiting (see `relation_write_now.ts`).
   * @returns the new version's row id, or -1 (nothing written) where `insertRow` would wait
   * @throws {DbError} 23505 on a duplicate key
   */
  insertRowNow(txn: Txn, rel: RelationDef, values: readonly Value[]): number {
    const rowId = insertRowNow(this, txn, rel, values);
    if (rowId >= 0) this.#adjust(rel, 1);
    return rowId;
  }

  /**
   * Inserts many rows (COPY FROM), a run of them per mini-transaction.
   * @returns the new versions' row ids, in order
   * @throws {DbError} 23505 on a duplicate key, also between the given rows
   * @throws {TxnConflictError} 40P01 when waiting for a concurrent inserter of the same key would deadlock
   */
  async insertRows(
    txn: Txn,
    rel: RelationDef,
    rows: readonly (readonly Value[])[],
  ): Promise<number[]> {
    const rowIds = await insertRows(this, txn, rel, rows);
    this.#adjust(rel, rowIds.length);
    return rowIds;
  }

  /**
   * INSERT ... ON CONFLICT: inserts the row, or reports the live version that
   * holds its key in a unique index (waiting for an uncommitted holder first).
   * The caller then does nothing, or locks and updates the conflicting row
   * (`lockRow`/`updateRow` act on it even when the snapshot does not see it).
   * @returns `{ kind: "inserted", rowId }` or `{ kind: "conflict", error }` (check `error.constraint`)
   */
  async insertOrConflict(
    txn: Txn,
    rel: RelationDef,
    values: readonly Value[],
  ): Promise<InsertOutcome> {
    try {
      return { kind: "inserted", rowId: await this.insertRow(txn, rel, values) };
    } catch (e) {
      // Only the unique violation is an expected outcome here; all else propagates.
      if (e instanceof UniqueViolationError) return { kind: "conflict", error: e };
      throw e;
    }
  }

  /**
   * Updates the row whose version `rowId` the caller's scan returned.
   * @param compute new values from the newest version (`concurrent` true when it is newer than the scanned one: re-check WHERE); null skips the row
   * @param mode "noKeyUpdate" (default) or "update" when a key column changes
   * @returns `{ kind: "done", rowId: newRowId, values }` or `{ kind: "skipped" }`
   * @throws {TxnConflictError} 40001 (REPEATABLE READ/SERIALIZABLE, concurrent update) or 40P01 (deadlock)
   * @throws {DbError} 23505 on a duplicate key
   */
  async updateRow(
    txn: Txn,
    rel: RelationDef,
    rowId: number,
    compute: Recheck<Value[] | null>,
    mode: RowLockMode = "noKeyUpdate",
  ): Promise<RowOutcome> {
    const outcome = await updateRow(this, txn, rel, rowId, compute, mode);
    if (outcome.kind === "done") this.#dead.set(rel.id, (this.#dead.get(rel.id) ?? 0) + 1);
    return outcome;
  }

  /**
   * `updateRow` without waiting (see `relation_write_now.ts`).
   * @returns as `updateRow`, or `blocked` (nothing written) where it would wait
   */
  updateRowNow(
    txn: Txn,
    rel: RelationDef,
    rowId: number,
    compute: Recheck<Value[] | null>,
    options: { mode?: RowLockMode; seen?: Value[]; inPlace?: boolean } = {},
  ): RowOutcomeNow {
    const { mode = "noKeyUpdate", seen = null, inPlace = false } = options;
    const outcome = updateRowNow(this, txn, rel, rowId, compute, mode, seen, inPlace);
    if (outcome.kind === "done" && outcome.inPlace !== true) {
      this.#dead.set(rel.id, (this.#dead.get(rel.id) ?? 0) + 1);
    }
    return outcome;
  }

  /**
   * Deletes the row whose version `rowId` the caller's scan returned.
   * @param recheck decides on the newest version (see `updateRow`); omit to always delete
   * @throws {TxnConflictError} 40001 or 40P01 as `updateRow`
   */
  async deleteRow(
    txn: Txn,
    rel: RelationDef,
    rowId: number,
    recheck?: Recheck<boolean>,
  ): Promise<RowOutcome> {
    const outcome = await deleteRow(this, txn, rel, rowId, recheck);
    if (outcome.kind === "done") {
      this.#adjust(rel, -1);
      this.#dead.set(rel.id, (this.#dead.get(rel.id) ?? 0) + 1);
    }
    return outcome;
  }

  /**
   * Locks a row (SELECT ... FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE).
   * @param options.policy "wait" (default), "nowait" or "skipLocked"
   * @returns the newest version locked, or skipped (SKIP LOCKED, deleted, or `recheck` false)
   * @throws {DbError} 55P03 `could not obtain lock on row in relation "t"` with NOWAIT
   * @throws {TxnConflictError} 40001 or 40P01 as `updateRow`
   */
  lockRow(
    txn: Txn,
    rel: RelationDef,
    rowId: number,
    options: { mode: RowLockMode; policy?: WaitPolicy; recheck?: Recheck<boolean> },
  ): Promise<RowOutcome> {
    return lockRow(this, txn, rel, rowId, options);
  }

  /**
   * Opens a sequential scan of the versions visible to `txn`'s running statement.
   * @example
   * const scan = tables.scan(txn, rel);
   * for (let b = scan.next(); b !== null; b = scan.next()) consume(b.rowIds, b.rows);
   */
  scan(txn: Txn, rel: RelationDef, options?: ScanOptions): RowCursor {
    return openHeapScan(this.store, txn, rel, options);
  }

  /**
   * Opens a sequential scan of some columns (ascending column numbers) of the
   * versions visible to `txn`'s running statement, one array per column.
   */
  scanColumns(
    txn: Txn,
    rel: RelationDef,
    cols: readonly number[],
    missing: readonly Value[],
    batchRows?: number,
  ): ColumnCursor {
    return openColumnScan(this.store, txn, rel, cols, missing, batchRows);
  }

  /**
   * Opens an index range scan. Bounds are values of a prefix of the index
   * columns in index order; rows come in index order (reverse when asked).
   * NULLs are ordered by the key codec and are not filtered: the caller
   * evaluates its predicate on the rows.
   */
  indexScan(
    txn: Txn,
    rel: RelationDef,
    indexNo: number,
    bounds: IndexBounds,
    options?: ScanOptions,
  ): RowCursor {
    return openIndexScan(this.store, txn, rel, indexNo, bounds, options);
  }

  /**
   * Every visible row whose leading index columns equal `key` (point lookups
   * on a primary key or unique index return at most one).
   * @param options `batchRows` bounds the index entries read per `view`
   */
  lookupAll(
    txn: Txn,
    rel: RelationDef,
    indexNo: number,
    key: readonly Value[],
    options: ScanOptions = {},
  ): RowBatch {
    const fast = lookupRows(this.store, txn, rel, indexNo, key, options.batchRows, options.wanted);
    if (fast !== null) return fast;
    return openIndexScan(this.store, txn, rel, indexNo, { lower: key, upper: key }, options).all();
  }

  /**
   * Point lookup of the first visible row whose index columns equal `key`.
   * @returns the row id and values, or null
   */
  lookup(
    txn: Txn,
    rel: RelationDef,
    indexNo: number,
    key: readonly Value[],
  ): { rowId: number; values: Value[] } | null {
    const fast = lookupRows(this.store, txn, rel, indexNo, key);
    if (fast !== null) {
      return fast.rows.length > 0 ? { rowId: fast.rowIds[0]!, values: fast.rows[0]! } : null;
    }
    const cursor = openIndexScan(this.store, txn, rel, indexNo, { lower: key, upper: key }, {
      batchRows: 64,
    });
    for (let b = cursor.next(); b !== null; b = cursor.next()) {
      if (b.rows.length > 0) return { rowId: b.rowIds[0]!, values: b.rows[0]! };
    }
    return null;
  }

  /**
   * Reads the version `rowId` if it is visible to `txn`.
   * @returns its values or null
   */
  fetch(txn: Txn, rel: RelationDef, rowId: number): Value[] | null {
    return fetchVisible(this.store, txn, rel, rowId);
  }

  /** Removes versions dead to every snapshot and their index entries; their space is reused. */
  vacuum(rel: RelationDef): VacuumResult {
    const run = this.vacuumRun(rel);
    while (run.step());
    return run.result;
  }

  /**
   * A vacuum to run batch by batch (`while (run.step()) await yieldToOthers()`),
   * for background vacuuming of large relations.
   */
  vacuumRun(rel: RelationDef): VacuumRun {
    this.#estimates.delete(rel.id);
    this.#dead.delete(rel.id);
    return new VacuumRun(this.store, this.txns, rel, (run) => {
      this.#redirects.set(rel.id, run.redirects);
      this.#estimates.delete(rel.id);
    });
  }

  /**
   * Fills the newly created, empty index `indexNo` of `rel` from its rows.
   * On error the index is partly filled: drop its storage.
   * @returns the number of entries inserted
   * @throws {DbError} 23505 when a unique index finds a duplicate
   */
  buildIndex(rel: RelationDef, indexNo: number): number {
    assert(
      indexNo >= 0 && indexNo < rel.indexes.length,
      `Relation ${rel.name} has no index ${indexNo}`,
    );
    return buildIndex(this.store, this.txns, rel, indexNo);
  }

  /** Row and page estimates for the optimizer. */
  stats(rel: RelationDef): RelationStats {
    let e = this.#estimates.get(rel.id);
    if (e === undefined) {
      // Measured once (a walk over the heap's pages), then kept current by
      // counting writes; vacuum forces a new measurement.
      const heap = this.#measureHeap(rel);
      const rows = Math.max(0, heap.rows - (this.#redirects.get(rel.id) ?? 0));
      e = { rows, pages: heap.dataPages, measuredRows: rows };
      this.#estimates.set(rel.id, e);
    }
    const rows = Math.max(0, e.rows);
    const pages = e.measuredRows > 0
      ? Math.ceil(e.pages * Math.max(1, rows) / e.measuredRows)
      : e.pages;
    return { rows, pages, deadRows: this.#dead.get(rel.id) ?? 0 };
  }

  /** Walks the heap's pages in bounded views (pages stay pinned only per view). */
  #measureHeap(rel: RelationDef): HeapStats {
    const heap: HeapStats = { dataPages: 0, rows: 0, freeBytes: 0 };
    let next = 0;
    do {
      const from = next;
      next = this.store.view((r) => heapStatsStep(r, rel.heap, heap, from, statsPagesPerView));
    } while (next !== 0);
    return heap;
  }

  /** Forgets cached statistics of a dropped relation. */
  forget(rel: RelationDef): void {
    this.#estimates.delete(rel.id);
    this.#dead.delete(rel.id);
    this.#redirects.delete(rel.id);
  }

  #adjust(rel: RelationDef, delta: number): void {
    const e = this.#estimates.get(rel.id);
    if (e !== undefined) e.rows += delta;
  }
}
