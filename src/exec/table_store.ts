/**
 * In-memory MVCC row store: row versions (tuples) with xmin/xmax, hash
 * indexes over every version, unique checks that wait for in-flight writers,
 * and row locking for UPDATE/DELETE with PostgreSQL's read-committed recheck
 * and repeatable-read serialization failures.
 * @module
 */
import { DbError, TxnConflictError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import { compareValues, hashKey } from "./values.ts";
import type { Snapshot, Txn, TxnManager } from "./mvcc.ts";

/** One row version. */
export interface Tuple {
  readonly id: number;
  readonly rel: number;
  readonly xmin: number;
  readonly cmin: number;
  xmax: number;
  cmax: number;
  readonly values: Value[];
  /** The newer version written by the updater, if any. */
  next: Tuple | null;
}

/** An index the store maintains. */
export interface IndexSpec {
  readonly oid: number;
  readonly name: string;
  readonly columns: readonly number[];
  readonly unique: boolean;
  /** Partial index predicate; rows failing it are not indexed. */
  readonly predicate: ((values: readonly Value[]) => boolean) | null;
  /** Constraint name reported on a unique violation. */
  readonly constraintName: string;
}

interface IndexState {
  spec: IndexSpec;
  readonly map: Map<string, Tuple[]>;
  /** Distinct non-null values of the first key column, ascending (for range scans). */
  sortedKeys: Value[];
  /** Versions by first key column value. */
  readonly byFirst: Map<string, Tuple[]>;
}

/** One end of a range over an index's first column. */
export interface RangeBound {
  readonly value: Value;
  readonly inclusive: boolean;
}

class Relation {
  readonly rows = new Map<number, Tuple>();
  readonly indexes = new Map<number, IndexState>();
  constructor(readonly oid: number) {}
}

/** Result of trying to lock a row for UPDATE/DELETE. */
export type LockResult =
  | { readonly kind: "locked"; readonly tuple: Tuple }
  | { readonly kind: "moved"; readonly tuple: Tuple }
  | { readonly kind: "gone" };

/** All relations' rows. */
export class TableStore {
  readonly #rels = new Map<number, Relation>();
  #nextTupleId = 1;
  constructor(readonly txns: TxnManager) {}

  #rel(oid: number): Relation {
    let r = this.#rels.get(oid);
    if (!r) {
      r = new Relation(oid);
      this.#rels.set(oid, r);
    }
    return r;
  }

  /** Declares (or re-declares) an index and indexes existing versions. */
  ensureIndex(rel: number, spec: IndexSpec): void {
    const r = this.#rel(rel);
    const existing = r.indexes.get(spec.oid);
    if (existing) {
      existing.spec = spec;
      return;
    }
    const state: IndexState = { spec, map: new Map(), sortedKeys: [], byFirst: new Map() };
    r.indexes.set(spec.oid, state);
    for (const t of r.rows.values()) addToIndex(state, t);
  }

  /** Column positions of an index, or undefined when unknown. */
  indexColumns(rel: number, indexOid: number): readonly number[] | undefined {
    return this.#rels.get(rel)?.indexes.get(indexOid)?.spec.columns;
  }

  /** Drops an index's data. */
  dropIndex(rel: number, indexOid: number): void {
    this.#rels.get(rel)?.indexes.delete(indexOid);
  }

  /** Drops a relation's rows (after DROP TABLE commits). */
  dropRelation(rel: number): void {
    this.#rels.delete(rel);
  }

  /** True when the tuple is visible to the transaction's statement snapshot. */
  visible(t: Tuple, txn: Txn, snap: Snapshot): boolean {
    const m = this.txns;
    if (m.isMine(t.xmin, txn)) {
      if (t.cmin >= txn.cid) return false;
    } else if (!m.committedBefore(t.xmin, snap)) return false;
    if (t.xmax === 0) return true;
    if (m.isMine(t.xmax, txn)) return t.cmax >= txn.cid;
    return !m.committedBefore(t.xmax, snap);
  }

  /** Visible tuples of a relation, in insertion order. */
  *scan(rel: number, txn: Txn, snap: Snapshot): Generator<Tuple> {
    const r = this.#rels.get(rel);
    if (!r) return;
    for (const t of r.rows.values()) if (this.visible(t, txn, snap)) yield t;
  }

  /** Number of stored versions (for statistics). */
  versionCount(rel: number): number {
    return this.#rels.get(rel)?.rows.size ?? 0;
  }

  /** Visible tuples whose index key equals `key`. */
  lookup(rel: number, indexOid: number, key: readonly Value[], txn: Txn, snap: Snapshot): Tuple[] {
    const idx = this.#rels.get(rel)?.indexes.get(indexOid);
    if (!idx) return [];
    const bucket = idx.map.get(hashKey(key));
    if (!bucket) return [];
    return bucket.filter((t) => this.visible(t, txn, snap));
  }

  /**
   * Tuples with this index key that are live right now for the transaction:
   * inserted by it or by a committed transaction, and not deleted by either
   * (what referential integrity checks see, whatever the snapshot).
   */
  lookupLatest(rel: number, indexOid: number, key: readonly Value[], txn: Txn): Tuple[] {
    const idx = this.#rels.get(rel)?.indexes.get(indexOid);
    if (!idx) return [];
    const bucket = idx.map.get(hashKey(key));
    if (!bucket) return [];
    const m = this.txns;
    return bucket.filter((t) => {
      if (!m.isMine(t.xmin, txn) && !m.isCommitted(t.xmin)) return false;
      if (t.xmax === 0) return true;
      return !m.isMine(t.xmax, txn) && !m.isCommitted(t.xmax);
    });
  }

  /** Tuples of a relation live right now for the transaction (see `lookupLatest`). */
  *scanLatest(rel: number, txn: Txn): Generator<Tuple> {
    const r = this.#rels.get(rel);
    if (!r) return;
    const m = this.txns;
    for (const t of r.rows.values()) {
      if (!m.isMine(t.xmin, txn) && !m.isCommitted(t.xmin)) continue;
      if (t.xmax !== 0 && (m.isMine(t.xmax, txn) || m.isCommitted(t.xmax))) continue;
      yield t;
    }
  }

  /**
   * Visible tuples whose first index column lies between `lo` and `hi`, in key order.
   * @param descending return them in descending key order
   */
  range(
    rel: number,
    indexOid: number,
    lo: RangeBound | null,
    hi: RangeBound | null,
    txn: Txn,
    snap: Snapshot,
    descending = false,
  ): Tuple[] {
    const idx = this.#rels.get(rel)?.indexes.get(indexOid);
    if (!idx) return [];
    const keys = idx.sortedKeys;
    const from = lo ? lowerBound(keys, lo.value, !lo.inclusive) : 0;
    const to = hi ? lowerBound(keys, hi.value, hi.inclusive) : keys.length;
    const out: Tuple[] = [];
    for (let i = from; i < to; i++) {
      for (const t of idx.byFirst.get(hashKey([keys[i]!])) ?? []) {
        if (this.visible(t, txn, snap)) out.push(t);
      }
    }
    return descending ? out.reverse() : out;
  }

  /** Stores a new tuple version (no checks). */
  put(rel: number, values: Value[], xid: number, cid: number, id?: number): Tuple {
    const r = this.#rel(rel);
    const tuple: Tuple = {
      id: id ?? this.#nextTupleId++,
      rel,
      xmin: xid,
      cmin: cid,
      xmax: 0,
      cmax: 0,
      values,
      next: null,
    };
    if (id !== undefined && id >= this.#nextTupleId) this.#nextTupleId = id + 1;
    r.rows.set(tuple.id, tuple);
    for (const idx of r.indexes.values()) addToIndex(idx, tuple);
    return tuple;
  }

  /** Removes a tuple outright (recovery replays a committed delete). */
  removeTuple(rel: number, id: number): void {
    const r = this.#rels.get(rel);
    const t = r?.rows.get(id);
    if (!r || !t) return;
    r.rows.delete(id);
    for (const idx of r.indexes.values()) removeFromIndex(idx, t);
  }

  /** Finds a stored tuple by id (recovery). */
  byId(rel: number, id: number): Tuple | undefined {
    return this.#rels.get(rel)?.rows.get(id);
  }

  /**
   * Checks the relation's unique indexes for `values`, waiting for in-flight writers.
   * @throws {DbError} 23505
   */
  async checkUnique(
    rel: number,
    values: readonly Value[],
    txn: Txn,
    self: Tuple | null,
  ): Promise<void> {
    const r = this.#rels.get(rel);
    if (!r) return;
    for (const idx of r.indexes.values()) {
      if (!idx.spec.unique) continue;
      const key = idx.spec.columns.map((c) => values[c] ?? null);
      if (key.some((v) => v === null)) continue;
      if (idx.spec.predicate && !idx.spec.predicate(values)) continue;
      await this.#checkKey(idx, key, txn, self);
    }
  }

  async #checkKey(idx: IndexState, key: Value[], txn: Txn, self: Tuple | null): Promise<void> {
    for (;;) {
      const bucket = idx.map.get(hashKey(key)) ?? [];
      let waitOn: Txn | undefined;
      for (const t of bucket) {
        if (t === self || this.txns.isAborted(t.xmin)) continue;
        if (idx.spec.predicate && !idx.spec.predicate(t.values)) continue;
        const mineIns = this.txns.isMine(t.xmin, txn);
        if (!mineIns && !this.txns.isCommitted(t.xmin)) {
          waitOn = this.txns.activeOwner(t.xmin);
          if (waitOn) break;
          continue;
        }
        if (t.xmax !== 0 && !this.txns.isAborted(t.xmax)) {
          if (this.txns.isMine(t.xmax, txn) || this.txns.isCommitted(t.xmax)) continue;
          waitOn = this.txns.activeOwner(t.xmax);
          if (waitOn) break;
          continue;
        }
        const cols = idx.spec.columns.length;
        const err = new DbError(
          "23505",
          `duplicate key value violates unique constraint "${idx.spec.constraintName}"`,
        );
        err.detail = `Key (${cols}) already exists.`;
        (err as DbError & { constraint?: string }).constraint = idx.spec.constraintName;
        throw err;
      }
      if (!waitOn) return;
      await this.txns.waitFor(txn, waitOn);
    }
  }

  /**
   * Locks a visible tuple for update or delete, waiting for a concurrent writer.
   * @throws {TxnConflictError} 40001 under repeatable read / serializable, 40P01 on deadlock
   */
  async lock(t: Tuple, txn: Txn): Promise<LockResult> {
    let cur = t;
    for (;;) {
      if (cur.xmax === 0 || this.txns.isAborted(cur.xmax)) {
        // Claim the row before yielding, so no other task can lock it in between.
        cur.xmax = txn.writeXid;
        cur.cmax = txn.cid;
        cur.next = null;
        return { kind: cur === t ? "locked" : "moved", tuple: cur };
      }
      if (this.txns.isMine(cur.xmax, txn)) return { kind: "gone" };
      const holder = this.txns.activeOwner(cur.xmax);
      if (holder) {
        await this.txns.waitFor(txn, holder);
        continue;
      }
      // Committed by someone else after our snapshot.
      if (txn.isolation !== "read committed") {
        throw new TxnConflictError("40001", "could not serialize access due to concurrent update");
      }
      if (!cur.next) return { kind: "gone" };
      cur = cur.next;
    }
  }

  /** Releases a row locked by `lock` that the statement decided not to change. */
  unlock(t: Tuple, txn: Txn): void {
    if (t.xmax === txn.writeXid) {
      t.xmax = 0;
      t.cmax = 0;
    }
  }

  /** Marks a locked tuple deleted by the transaction. */
  markDeleted(t: Tuple, txn: Txn): void {
    t.xmax = txn.writeXid;
    t.cmax = txn.cid;
  }

  /** Removes versions no snapshot can see any more. */
  vacuum(rel: number, horizonCsn: number): number {
    const r = this.#rels.get(rel);
    if (!r) return 0;
    const snap = { csn: horizonCsn };
    const dead = new Set<Tuple>();
    for (const t of r.rows.values()) {
      const deadInsert = this.txns.isAborted(t.xmin);
      const deadDelete = t.xmax !== 0 && this.txns.committedBefore(t.xmax, snap);
      if (deadInsert || deadDelete) dead.add(t);
    }
    if (dead.size === 0) return 0;
    for (const t of dead) r.rows.delete(t.id);
    for (const idx of r.indexes.values()) {
      for (const t of dead) removeFromBucket(idx, t);
      // One pass over the ordered list instead of a splice per dead version.
      idx.sortedKeys = idx.sortedKeys.filter((k) => idx.byFirst.has(hashKey([k])));
    }
    return dead.size;
  }

  /** Resets a tuple's deleter when its subtransaction rolled back (keeps chains tidy). */
  clearAbortedXmax(t: Tuple): void {
    if (t.xmax !== 0 && this.txns.isAborted(t.xmax)) {
      t.xmax = 0;
      t.next = null;
    }
  }
}

/** First position whose key is >= value (or > value when `after`). */
function lowerBound(keys: readonly Value[], value: Value, after: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareValues(keys[mid]!, value);
    if (c < 0 || (after && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function addToIndex(idx: IndexState, t: Tuple): void {
  const key = hashKey(idx.spec.columns.map((c) => t.values[c] ?? null));
  const bucket = idx.map.get(key);
  if (bucket) bucket.push(t);
  else idx.map.set(key, [t]);
  const v = t.values[idx.spec.columns[0]!] ?? null;
  if (v === null) return;
  const first = hashKey([v]);
  const list = idx.byFirst.get(first);
  if (list) {
    list.push(t);
    return;
  }
  idx.byFirst.set(first, [t]);
  // A new distinct value: keep the key list ordered (appends are the common case).
  const keys = idx.sortedKeys;
  const last = keys[keys.length - 1];
  if (last === undefined || compareValues(last, v) < 0) keys.push(v);
  else keys.splice(lowerBound(keys, v, false), 0, v);
}

function removeFromBucket(idx: IndexState, t: Tuple): void {
  const key = hashKey(idx.spec.columns.map((c) => t.values[c] ?? null));
  const bucket = idx.map.get(key);
  if (bucket) {
    const at = bucket.indexOf(t);
    if (at >= 0) bucket.splice(at, 1);
    if (bucket.length === 0) idx.map.delete(key);
  }
  const v = t.values[idx.spec.columns[0]!] ?? null;
  if (v === null) return;
  const first = hashKey([v]);
  const list = idx.byFirst.get(first);
  if (!list) return;
  const at = list.indexOf(t);
  if (at >= 0) list.splice(at, 1);
  if (list.length === 0) idx.byFirst.delete(first);
}

function removeFromIndex(idx: IndexState, t: Tuple): void {
  removeFromBucket(idx, t);
  const v = t.values[idx.spec.columns[0]!] ?? null;
  if (v === null || idx.byFirst.has(hashKey([v]))) return;
  const keys = idx.sortedKeys;
  const at = lowerBound(keys, v, false);
  if (at < keys.length && compareValues(keys[at]!, v) === 0) keys.splice(at, 1);
}
