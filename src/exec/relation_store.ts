/**
 * The executor's row store over the real storage stack: SQL relations and
 * indexes mapped to `txn/` `RelationDef`s (heap + B+tree indexes in the page
 * store), reads through bounded batch cursors (every batch is its own
 * `store.view`, so a long scan never pins more than one batch of pages), and
 * a durable catalog blob under `RootSlot.catalog` that also records where
 * each relation's heap and index trees live (the binding and the blob are in
 * `relation_bindings.ts`; this file adds the row access).
 *
 * Indexes over types the B+tree key codec cannot encode (interval, json,
 * jsonb, vector, arrays, ...) are not stored: `lookup`/`range` return null
 * for them and the caller falls back to a filtered scan.
 * @module
 */

import type { Value } from "../common/types.ts";
import type { StoredRangeBound, StoredRow } from "./relation_spec.ts";
import type { FileSystem } from "../storage/os/mod.ts";
import { MemFileSystem } from "../storage/os/mod.ts";
import { openPageStore, type PageStore } from "../storage/page_store.ts";
import {
  type ColumnBatch,
  type InsertOutcome,
  type Recheck,
  type RowLockMode,
  type RowOutcome,
  type RowOutcomeNow,
  Tables,
  type Txn,
  TxnManager,
  type WaitPolicy,
} from "../txn/mod.ts";
import { RelationBindings } from "./relation_bindings.ts";

/** Options of `RelationStore.open`. */
export interface RelationStoreOptions {
  readonly fs?: FileSystem;
  /** Data directory; the WAL goes to `<dataDir>/wal`. Omit for an in-memory database. */
  readonly dataDir?: string;
  readonly pageSize?: number;
  readonly bufferPoolBytes?: number;
  /** See `PageStoreOptions.walSync`; "discard" only for a private in-memory store. */
  readonly walSync?: "fsync" | "off" | "discard";
}

/** Relations, indexes, rows and the catalog blob in a page store. */
export class RelationStore extends RelationBindings {
  /** Opens (or creates) the page store and its transaction layer. */
  static async open(options: RelationStoreOptions = {}): Promise<RelationStore> {
    const dataDir = options.dataDir ?? "/memdb";
    const fs = options.fs ?? new MemFileSystem();
    const store = await openPageStore({
      fs,
      dataDir,
      walDir: `${dataDir}/wal`,
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
      ...(options.bufferPoolBytes !== undefined
        ? { bufferPoolBytes: options.bufferPoolBytes }
        : {}),
      ...(options.walSync !== undefined ? { walSync: options.walSync } : {}),
    });
    return RelationStore.over(store);
  }

  /** Binds the row store to an already open page store (the server's). */
  static over(store: PageStore): RelationStore {
    const txns = TxnManager.open(store);
    return new RelationStore(store, txns, new Tables(store, txns));
  }

  /**
   * Rows examined per batch: a batch pins the pages it reads until its view
   * ends, so it stays at a quarter of the buffer pool even at one row per page.
   */
  get batchRows(): number {
    this.#batchRows ??= Math.max(8, Math.floor(this.store.stats().frames / 4));
    return this.#batchRows;
  }
  #batchRows: number | undefined;

  /**
   * Visible rows of a relation, one bounded batch (one `store.view`) at a time.
   * @param wanted decode only the columns marked true (the others read as NULL)
   */
  *scan(
    rel: number,
    txn: Txn,
    batchRows = this.batchRows,
    wanted?: readonly boolean[],
  ): Generator<StoredRow> {
    const cursor = this.tables.scan(
      txn,
      this.use(rel, txn).def,
      wanted ? { batchRows, wanted } : { batchRows },
    );
    for (let b = cursor.next(); b !== null; b = cursor.next()) {
      for (let i = 0; i < b.rows.length; i++) yield { rowId: b.rowIds[i]!, values: b.rows[i]! };
    }
  }

  /**
   * Visible rows of a relation as bounded batches of decoded rows (no row ids).
   * @param wanted decode only the columns marked true (the others read as NULL)
   */
  *scanBatches(rel: number, txn: Txn, wanted?: readonly boolean[]): Generator<Value[][]> {
    const batchRows = this.batchRows;
    const cursor = this.tables.scan(
      txn,
      this.use(rel, txn).def,
      wanted ? { batchRows, wanted } : { batchRows },
    );
    for (let b = cursor.next(); b !== null; b = cursor.next()) yield b.rows;
  }

  /**
   * Some columns of a relation's visible rows, in bounded batches of one
   * array per column.
   * @param cols column numbers, strictly ascending
   * @param missing values of columns added after a row was stored
   */
  *scanColumns(
    rel: number,
    txn: Txn,
    cols: readonly number[],
    missing: readonly Value[],
  ): Generator<ColumnBatch> {
    const cursor = this.tables.scanColumns(
      txn,
      this.use(rel, txn).def,
      cols,
      missing,
      this.batchRows,
    );
    for (let b = cursor.next(); b !== null; b = cursor.next()) yield b;
  }

  /**
   * Visible rows whose index key equals `key`, or null when the index is not stored.
   * @param wanted decode only the columns marked true (the others read as NULL)
   */
  lookup(
    rel: number,
    indexOid: number,
    key: readonly Value[],
    txn: Txn,
    wanted?: readonly boolean[],
  ): StoredRow[] | null {
    const b = this.use(rel, txn);
    const no = b.indexNo.get(indexOid);
    if (no === undefined) return null;
    const batch = this.tables.lookupAll(
      txn,
      b.def,
      no,
      key,
      wanted ? { batchRows: this.batchRows, wanted } : { batchRows: this.batchRows },
    );
    const out: StoredRow[] = new Array(batch.rows.length);
    for (let i = 0; i < batch.rows.length; i++) {
      out[i] = { rowId: batch.rowIds[i]!, values: batch.rows[i]! };
    }
    return out;
  }

  /**
   * Visible rows whose leading index column lies between `lo` and `hi`, in key
   * order, or null when the index is not stored. NULL keys are skipped.
   * @param wanted decode only the columns marked true (the others read as NULL;
   *   the leading index column is always decoded)
   */
  range(
    rel: number,
    indexOid: number,
    lo: StoredRangeBound | null,
    hi: StoredRangeBound | null,
    txn: Txn,
    descending = false,
    wanted?: readonly boolean[],
  ): Generator<StoredRow> | null {
    const b = this.use(rel, txn);
    const no = b.indexNo.get(indexOid);
    if (no === undefined) return null;
    const index = b.def.indexes[no]!;
    const read = index.columns;
    const keyOf = index.keyOf;
    const first = read[0]!;
    const batchRows = this.batchRows;
    const mask = wanted && read.some((c) => !wanted[c])
      ? wanted.map((w, i) => w || read.includes(i))
      : wanted;
    const cursor = this.tables.indexScan(txn, b.def, no, {
      ...(lo ? { lower: [lo.value], lowerInclusive: lo.inclusive } : {}),
      ...(hi ? { upper: [hi.value], upperInclusive: hi.inclusive } : {}),
      reverse: descending,
    }, mask ? { batchRows, wanted: mask } : { batchRows });
    return (function* () {
      for (let batch = cursor.next(); batch !== null; batch = cursor.next()) {
        for (let i = 0; i < batch.rows.length; i++) {
          const values = batch.rows[i]!;
          // NULL keys sort last in the tree but lie in no range.
          if ((keyOf ? keyOf(values)[0] : values[first]) === null) continue;
          yield { rowId: batch.rowIds[i]!, values };
        }
      }
    })();
  }

  /** The version `rowId` if visible to the running statement. */
  fetch(rel: number, rowId: number, txn: Txn): Value[] | null {
    return this.tables.fetch(txn, this.use(rel, txn).def, rowId);
  }

  /** Inserts a row; 23505 on a duplicate key. */
  insert(txn: Txn, rel: number, values: readonly Value[]): Promise<number> {
    return this.tables.insertRow(txn, this.use(rel, txn).def, values);
  }

  /** Inserts a row without waiting (see `Tables.insertRowNow`); -1 where `insert` would wait. */
  insertNow(txn: Txn, rel: number, values: readonly Value[]): number {
    return this.tables.insertRowNow(txn, this.use(rel, txn).def, values);
  }

  /**
   * Inserts many rows (COPY FROM), a run of them per mini-transaction.
   * @returns the new versions' row ids, in order
   * @throws {DbError} 23505 on a duplicate key, also between the given rows
   */
  insertMany(txn: Txn, rel: number, rows: readonly (readonly Value[])[]): Promise<number[]> {
    return this.tables.insertRows(txn, this.use(rel, txn).def, rows);
  }

  /** Inserts a row or reports the unique conflict (see `Tables.insertOrConflict`). */
  insertOrConflict(txn: Txn, rel: number, values: readonly Value[]): Promise<InsertOutcome> {
    return this.tables.insertOrConflict(txn, this.use(rel, txn).def, values);
  }

  /** Updates a row (see `Tables.updateRow`). */
  update(
    txn: Txn,
    rel: number,
    rowId: number,
    compute: Recheck<Value[] | null>,
    mode?: RowLockMode,
  ): Promise<RowOutcome> {
    return this.tables.updateRow(txn, this.use(rel, txn).def, rowId, compute, mode);
  }

  /** Updates a row without waiting (see `Tables.updateRowNow`). */
  updateNow(
    txn: Txn,
    rel: number,
    rowId: number,
    compute: Recheck<Value[] | null>,
    options: { mode?: RowLockMode; seen?: Value[]; inPlace?: boolean } = {},
  ): RowOutcomeNow {
    return this.tables.updateRowNow(txn, this.use(rel, txn).def, rowId, compute, options);
  }

  /** Deletes a row (see `Tables.deleteRow`). */
  delete(txn: Txn, rel: number, rowId: number, recheck?: Recheck<boolean>): Promise<RowOutcome> {
    return this.tables.deleteRow(txn, this.use(rel, txn).def, rowId, recheck);
  }

  /** Locks a row (see `Tables.lockRow`). */
  lock(
    txn: Txn,
    rel: number,
    rowId: number,
    options: { mode: RowLockMode; policy?: WaitPolicy; recheck?: Recheck<boolean> },
  ): Promise<RowOutcome> {
    return this.tables.lockRow(txn, this.use(rel, txn).def, rowId, options);
  }
}
