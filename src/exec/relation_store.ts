/**
 * The executor's row store over the real storage stack: SQL relations and
 * indexes mapped to `txn/` `RelationDef`s (heap + B+tree indexes in the page
 * store), reads through bounded batch cursors (every batch is its own
 * `store.view`, so a long scan never pins more than one batch of pages), and
 * a durable catalog blob under `RootSlot.catalog` that also records where
 * each relation's heap and index trees live.
 *
 * Indexes over types the B+tree key codec cannot encode (interval, json,
 * jsonb, vector, arrays, ...) are not stored: `lookup`/`range` return null
 * for them and the caller falls back to a filtered scan.
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { SqlType, Value } from "../common/types.ts";
import { btreeDrop } from "../storage/btree/mod.ts";
import { heapDrop } from "../storage/heap/mod.ts";
import { loadBlob, type Placement, saveBlob, writeBlob } from "./relation_catalog_blob.ts";
import {
  indexDef,
  keyableType,
  keyOfSpec,
  readColumns,
  type StoredRangeBound,
  type StoredRelationSpec,
  type StoredRow,
} from "./relation_spec.ts";
import type { FileSystem } from "../storage/os/mod.ts";
import { MemFileSystem } from "../storage/os/mod.ts";
import { openPageStore, type PageStore } from "../storage/page_store.ts";
import {
  type ColumnBatch,
  createIndexStorage,
  createRelationStorage,
  dropRelationStorage,
  type IndexDef,
  type InsertOutcome,
  type Recheck,
  type RelationDef,
  type RowLockMode,
  type RowOutcome,
  type RowOutcomeNow,
  Tables,
  type Txn,
  TxnManager,
  type VacuumRun,
  type WaitPolicy,
} from "../txn/mod.ts";

interface Bound {
  spec: StoredRelationSpec;
  def: RelationDef;
  /** Index oid → position in `def.indexes`. */
  indexNo: Map<number, number>;
  placement: Placement;
  /** Key of `placement` in the placement map (the spec's storage, or its oid). */
  storage: number;
}

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
export class RelationStore {
  readonly #bound = new Map<number, Bound>();
  #placements: Map<number, Placement>;
  /** Per relation, storage keys it was bound to before a move (see `freeMoved`). */
  readonly #moved = new Map<number, Set<number>>();
  /** Relations moving to fresh storage, by the transaction moving them. */
  readonly #movers = new Map<number, Txn>();
  #engineCatalog: string | null;

  private constructor(
    readonly store: PageStore,
    readonly txns: TxnManager,
    readonly tables: Tables,
  ) {
    const loaded = loadBlob(store);
    this.#placements = new Map(
      Object.entries(loaded?.placements ?? {}).map(([k, p]) => [
        Number(k),
        p,
      ]),
    );
    this.#engineCatalog = loaded?.catalog ?? null;
  }

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

  /** The engine's catalog text saved by the last `saveCatalog`, or null for a new database. */
  get engineCatalog(): string | null {
    return this.#engineCatalog;
  }

  /** Storage keys with stored pages (from the durable placement map): relation oids, or moved storage. */
  storedRelations(): number[] {
    return [...this.#placements.keys()];
  }

  /**
   * Binds a catalog relation to its pages, allocating a heap and index trees
   * for whatever is new (a new table, a new index) and freeing the trees of
   * indexes the spec no longer has. Index trees of a new index on existing rows
   * are built at once. Indexes over unkeyable types are skipped.
   */
  define(spec: StoredRelationSpec): void {
    const key = spec.storage ?? spec.oid;
    const old = this.#placements.get(key);
    const heap = old?.heap ?? this.store.update((m) => createRelationStorage(m, 0).heap);
    const indexes: Record<string, number> = {};
    const fresh: number[] = [];
    const defs: IndexDef[] = [];
    const indexNo = new Map<number, number>();
    for (const ix of spec.indexes) {
      const types = ix.columns.map((c, k) => ix.expressions?.[k]?.type ?? spec.types[c]);
      if (types.some((t) => t === undefined || !keyableType(t))) continue;
      let root = old?.indexes[String(ix.oid)];
      if (root === undefined) {
        root = this.store.update((m) => createIndexStorage(m));
        fresh.push(defs.length);
      }
      indexes[String(ix.oid)] = root;
      indexNo.set(ix.oid, defs.length);
      defs.push(indexDef(ix, root, types as SqlType[], spec.columnNames));
    }
    const def: RelationDef = {
      id: spec.oid,
      name: spec.name,
      columnNames: spec.columnNames,
      types: spec.types,
      heap,
      indexes: defs,
    };
    const gone = Object.entries(old?.indexes ?? {}).filter(([oid]) => !(oid in indexes));
    const placement = { heap, indexes };
    const previous = this.#bound.get(spec.oid);
    if (previous && previous.storage !== key) this.#noteMove(spec.oid, previous, key);
    this.#placements.set(key, placement);
    this.#bound.set(spec.oid, { spec, def, indexNo, placement, storage: key });
    if (gone.length > 0) {
      // The freed trees leave the durable placement map in the same
      // mini-transaction, so a restart never frees them a second time.
      this.store.update((m) => {
        for (const [, root] of gone) btreeDrop(m, root);
        this.#writeBlob(m);
      });
    }
    if (!old) return;
    try {
      for (const i of fresh) this.tables.buildIndex(def, i);
    } catch (e) {
      // A failed build (23505) frees the new trees and keeps the old binding.
      this.store.update((m) => {
        for (const i of fresh) btreeDrop(m, defs[i]!.root);
        this.#placements.set(key, old);
        this.#writeBlob(m);
      });
      if (previous) this.#bound.set(spec.oid, previous);
      else this.#bound.delete(spec.oid);
      throw e;
    }
  }

  /** Positions of the columns a stored index's keys read, or undefined. */
  indexColumns(rel: number, indexOid: number): readonly number[] | undefined {
    const ix = this.#bound.get(rel)?.spec.indexes.find((i) => i.oid === indexOid);
    return ix ? readColumns(ix) : undefined;
  }

  /** The key values of a row in a stored index (for scans without its B+tree), or undefined. */
  indexKeyOf(rel: number, indexOid: number): ((row: readonly Value[]) => Value[]) | undefined {
    const ix = this.#bound.get(rel)?.spec.indexes.find((i) => i.oid === indexOid);
    return ix ? keyOfSpec(ix) : undefined;
  }

  /** The catalog description a relation is bound with, or undefined. */
  spec(rel: number): StoredRelationSpec | undefined {
    return this.#bound.get(rel)?.spec;
  }

  #writeBlob(m: Parameters<typeof writeBlob>[0]): void {
    if (this.#engineCatalog === null) return;
    writeBlob(m, {
      catalog: this.#engineCatalog,
      placements: Object.fromEntries(this.#placements),
    });
  }

  /** True when `indexOid` of `rel` has a stored B+tree. */
  hasIndex(rel: number, indexOid: number): boolean {
    return this.#bound.get(rel)?.indexNo.has(indexOid) ?? false;
  }

  /**
   * Records that `rel` moved from `previous`'s storage to `key` (both stay
   * until `freeMoved`: a rollback binds the old one again).
   */
  #noteMove(rel: number, previous: Bound, key: number): void {
    let keys = this.#moved.get(rel);
    if (!keys) this.#moved.set(rel, keys = new Set());
    keys.add(previous.storage);
    keys.add(key);
    // The access layer's statistics described the old pages.
    this.tables.forget(previous.def);
  }

  /**
   * Frees the storage the given relations moved away from and no longer use:
   * the old storage once the move committed, the new one after a rollback.
   * Called when the transaction that moved them ends.
   */
  freeMoved(rels: Iterable<number>): void {
    const free: Placement[] = [];
    for (const rel of rels) {
      this.#movers.delete(rel);
      const keys = this.#moved.get(rel);
      if (!keys) continue;
      const bound = this.#bound.get(rel)?.storage;
      for (const key of keys) {
        const placement = this.#placements.get(key);
        if (key === bound || placement === undefined) continue;
        free.push(placement);
        this.#placements.delete(key);
      }
      this.#moved.delete(rel);
    }
    if (free.length === 0) return;
    this.store.update((m) => {
      for (const p of free) {
        for (const root of Object.values(p.indexes)) btreeDrop(m, root);
        heapDrop(m, p.heap);
      }
      this.#writeBlob(m);
    });
  }

  /** Frees a relation's pages (after DROP TABLE commits). */
  dropRelation(rel: number): void {
    const b = this.#bound.get(rel);
    this.#bound.delete(rel);
    this.#placements.delete(b?.storage ?? rel);
    if (b) {
      this.store.update((m) => {
        dropRelationStorage(m, b.def);
        this.#writeBlob(m);
      });
      this.tables.forget(b.def);
    }
  }

  /**
   * Marks `rel` as moving to fresh storage in `txn`: until `freeMoved`, other
   * transactions get 55P03 instead of rows of storage that may yet be rolled
   * back. The engine makes statements wait for the mover first (PostgreSQL's
   * ACCESS EXCLUSIVE lock), so only a path that skipped that wait gets it.
   */
  claimMove(rel: number, txn: Txn): void {
    this.#movers.set(rel, txn);
  }

  /** True while some transaction moves a relation (see `claimMove`). */
  get moving(): boolean {
    return this.#movers.size > 0;
  }

  /** The transaction moving `rel` to fresh storage, if any (see `claimMove`). */
  moverOf(rel: number): Txn | undefined {
    return this.#movers.size === 0 ? undefined : this.#movers.get(rel);
  }

  /** The binding of `rel` for `txn`, unless another transaction is moving it. */
  #use(rel: number, txn: Txn): Bound {
    const b = this.#get(rel);
    if (this.#movers.size === 0) return b;
    const mover = this.#movers.get(rel);
    if (mover !== undefined && mover !== txn) {
      throw new DbError("55P03", `could not obtain lock on relation "${b.spec.name}"`);
    }
    return b;
  }

  #get(rel: number): Bound {
    const b = this.#bound.get(rel);
    if (!b) throw new DbError("42P01", `relation with OID ${rel} does not exist`);
    return b;
  }

  /** The `txn/` description of a relation. */
  relationDef(rel: number): RelationDef {
    return this.#get(rel).def;
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
      this.#use(rel, txn).def,
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
      this.#use(rel, txn).def,
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
      this.#use(rel, txn).def,
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
    const b = this.#use(rel, txn);
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
    const b = this.#use(rel, txn);
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
    return this.tables.fetch(txn, this.#use(rel, txn).def, rowId);
  }

  /** Inserts a row; 23505 on a duplicate key. */
  insert(txn: Txn, rel: number, values: readonly Value[]): Promise<number> {
    return this.tables.insertRow(txn, this.#use(rel, txn).def, values);
  }

  /** Inserts a row without waiting (see `Tables.insertRowNow`); -1 where `insert` would wait. */
  insertNow(txn: Txn, rel: number, values: readonly Value[]): number {
    return this.tables.insertRowNow(txn, this.#use(rel, txn).def, values);
  }

  /**
   * Inserts many rows (COPY FROM), a run of them per mini-transaction.
   * @returns the new versions' row ids, in order
   * @throws {DbError} 23505 on a duplicate key, also between the given rows
   */
  insertMany(txn: Txn, rel: number, rows: readonly (readonly Value[])[]): Promise<number[]> {
    return this.tables.insertRows(txn, this.#use(rel, txn).def, rows);
  }

  /** Inserts a row or reports the unique conflict (see `Tables.insertOrConflict`). */
  insertOrConflict(txn: Txn, rel: number, values: readonly Value[]): Promise<InsertOutcome> {
    return this.tables.insertOrConflict(txn, this.#use(rel, txn).def, values);
  }

  /** Updates a row (see `Tables.updateRow`). */
  update(
    txn: Txn,
    rel: number,
    rowId: number,
    compute: Recheck<Value[] | null>,
    mode?: RowLockMode,
  ): Promise<RowOutcome> {
    return this.tables.updateRow(txn, this.#use(rel, txn).def, rowId, compute, mode);
  }

  /** Updates a row without waiting (see `Tables.updateRowNow`). */
  updateNow(
    txn: Txn,
    rel: number,
    rowId: number,
    compute: Recheck<Value[] | null>,
    mode?: RowLockMode,
  ): RowOutcomeNow {
    return this.tables.updateRowNow(txn, this.#use(rel, txn).def, rowId, compute, mode);
  }

  /** Deletes a row (see `Tables.deleteRow`). */
  delete(txn: Txn, rel: number, rowId: number, recheck?: Recheck<boolean>): Promise<RowOutcome> {
    return this.tables.deleteRow(txn, this.#use(rel, txn).def, rowId, recheck);
  }

  /** Locks a row (see `Tables.lockRow`). */
  lock(
    txn: Txn,
    rel: number,
    rowId: number,
    options: { mode: RowLockMode; policy?: WaitPolicy; recheck?: Recheck<boolean> },
  ): Promise<RowOutcome> {
    return this.tables.lockRow(txn, this.#use(rel, txn).def, rowId, options);
  }

  /** Removes versions dead to every snapshot; returns how many. */
  vacuum(rel: number): number {
    return this.tables.vacuum(this.#get(rel).def).removed;
  }

  /**
   * A vacuum of `rel` to run batch by batch (see `Tables.vacuumRun`). It
   * names the relation's current definition: once `relationDef(rel)` differs
   * (DDL rebound it), the run must be dropped.
   */
  vacuumRun(rel: number): VacuumRun {
    return this.tables.vacuumRun(this.#get(rel).def);
  }

  /** Estimated live rows of a relation. */
  rowCount(rel: number): number {
    return this.tables.stats(this.#get(rel).def).rows;
  }

  /**
   * Durably records the engine's catalog text and the page placement of every
   * relation, in one mini-transaction (call before committing the DDL's
   * transaction so both reach the WAL before its commit record).
   */
  saveCatalog(catalog: string): void {
    saveBlob(this.store, { catalog, placements: Object.fromEntries(this.#placements) });
    this.#engineCatalog = catalog;
  }

  /** Checkpoints and closes the page store. */
  close(): Promise<void> {
    return this.store.close();
  }
}
