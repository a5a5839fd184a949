/**
 * The binding half of the executor's row store: SQL relations and indexes
 * mapped to `txn/` `RelationDef`s (heap + B+tree indexes in the page store),
 * storage moves of table rewrites, and a durable catalog blob under
 * `RootSlot.catalog` that also records where each relation's heap and index
 * trees live. `RelationStore` (relation_store.ts) adds the row access.
 *
 * Indexes over types the B+tree key codec cannot encode (interval, json,
 * jsonb, vector, arrays, ...) are not stored: their lookups return null and
 * the caller falls back to a filtered scan.
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
  type StoredRelationSpec,
} from "./relation_spec.ts";
import type { PageStore } from "../storage/page_store.ts";
import {
  createIndexStorage,
  createRelationStorage,
  dropRelationStorage,
  type IndexDef,
  type RelationDef,
  Tables,
  type Txn,
  TxnManager,
  type VacuumRun,
} from "../txn/mod.ts";

/** A relation bound to its pages. */
export interface Bound {
  spec: StoredRelationSpec;
  def: RelationDef;
  /** Index oid → position in `def.indexes`. */
  indexNo: Map<number, number>;
  placement: Placement;
  /** Key of `placement` in the placement map (the spec's storage, or its oid). */
  storage: number;
}

/**
 * Relations bound to their pages and the catalog blob (see `RelationStore`,
 * which adds the row access).
 */
export class RelationBindings {
  readonly #bound = new Map<number, Bound>();
  #placements: Map<number, Placement>;
  /** Per relation, storage keys it was bound to before a move (see `freeMoved`). */
  readonly #moved = new Map<number, Set<number>>();
  /** Relations moving to fresh storage, by the transaction moving them. */
  readonly #movers = new Map<number, Txn>();
  #engineCatalog: string | null;

  protected constructor(
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

  /**
   * The binding of `rel` for `txn`, unless another transaction is moving it.
   * @throws {DbError} 55P03 while another transaction moves it, 42P01 when unknown
   */
  protected use(rel: number, txn: Txn): Bound {
    const b = this.bound(rel);
    if (this.#movers.size === 0) return b;
    const mover = this.#movers.get(rel);
    if (mover !== undefined && mover !== txn) {
      throw new DbError("55P03", `could not obtain lock on relation "${b.spec.name}"`);
    }
    return b;
  }

  /**
   * The binding of `rel`.
   * @throws {DbError} 42P01 when unknown
   */
  protected bound(rel: number): Bound {
    const b = this.#bound.get(rel);
    if (!b) throw new DbError("42P01", `relation with OID ${rel} does not exist`);
    return b;
  }

  /** The `txn/` description of a relation. */
  relationDef(rel: number): RelationDef {
    return this.bound(rel).def;
  }

  /** Removes versions dead to every snapshot; returns how many. */
  vacuum(rel: number): number {
    return this.tables.vacuum(this.bound(rel).def).removed;
  }

  /**
   * A vacuum of `rel` to run batch by batch (see `Tables.vacuumRun`). It
   * names the relation's current definition: once `relationDef(rel)` differs
   * (DDL rebound it), the run must be dropped.
   */
  vacuumRun(rel: number): VacuumRun {
    return this.tables.vacuumRun(this.bound(rel).def);
  }

  /** Estimated live rows of a relation. */
  rowCount(rel: number): number {
    return this.tables.stats(this.bound(rel).def).rows;
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
