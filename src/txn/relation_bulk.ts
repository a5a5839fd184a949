/**
 * Bulk insert (COPY FROM): many row versions per mini-transaction.
 *
 * Each row gets the same unique checks, index entries and SERIALIZABLE write
 * records as `insertRow`, but a run of rows shares one mini-transaction, so
 * the heap pages they fill are latched, logged (one WAL record per run; a page
 * mostly written in the run is logged as one full image) and stamped once
 * instead of once per row. A run ends after `bulkRunBytes` of tuples,
 * `bulkRunRows` rows or when its pinned pages near half the buffer pool, or early when a row must wait for an uncommitted inserter
 * of the same unique key; the rows before it are kept, the wait happens
 * outside the mini-transaction, and the run resumes at that row. A unique
 * violation throws from the mini-transaction, which restores every page of
 * the run; the caller's statement then fails as a whole, like INSERT's.
 * Each run reads every unique index's greatest key; a row whose key sorts
 * above it (raised by the run's own inserts) cannot meet a duplicate and skips
 * the unique probe, so a load in key order costs one B+tree descent per row.
 * Tuples and keys are built in reused buffers: a fresh typed array per row
 * costs more than the rest of its insert.
 * @module
 */

import type { Value } from "../common/types.ts";
import { btreeInsert, btreeScan } from "../storage/btree/mod.ts";
import type { PageReader } from "../storage/mtr.ts";
import { heapInsert } from "../storage/heap/mod.ts";
import { encodeKeyScratch } from "../storage/key_codec.ts";
import { encodeRowScratch } from "../storage/row_codec.ts";
import {
  type IndexDef,
  indexValue,
  type RelationDef,
  rowIdSuffixBytes,
  UniqueViolationError,
} from "./relation.ts";
import { checkUnique, type WriteContext } from "./relation_write.ts";
import type { Txn } from "./txn.ts";
import { initHeader, tupleHeaderBytes } from "./tuple.ts";

/** Tuple bytes one mini-transaction of a bulk insert writes at most. */
export const bulkRunBytes = 64 * 1024;
/** Rows one mini-transaction of a bulk insert writes at most. */
export const bulkRunRows = 512;

/**
 * One index's key of the current row, built in a reused buffer: a fresh typed
 * array per key would cost more than the rest of the insert.
 */
class KeyBuilder {
  #buf = new Uint8Array(64);
  #views: Uint8Array[] = [];
  #values: Value[];
  #prefixBytes = 0;
  /** An upper bound of the index's keys (its first `#boundBytes` bytes; none: empty). */
  #bound = new Uint8Array(64);
  #boundBytes = 0;

  constructor(readonly index: IndexDef) {
    this.#values = index.columns.map(() => null);
  }

  /** The row's key prefix (a reused view), or null when a partial index excludes the row. */
  prefix(row: readonly Value[]): Uint8Array | null {
    const index = this.index;
    if (index.predicate !== undefined && !index.predicate(row)) return null;
    const columns = index.columns;
    for (let i = 0; i < columns.length; i++) this.#values[i] = row[columns[i]!] ?? null;
    const encoded = encodeKeyScratch(this.#values, index.keyColumns);
    const n = encoded.length;
    if (this.#buf.length < n + rowIdSuffixBytes) {
      this.#buf = new Uint8Array(2 * (n + rowIdSuffixBytes));
      this.#views = [];
    }
    const buf = this.#buf;
    for (let i = 0; i < n; i++) buf[i] = encoded[i]!;
    this.#prefixBytes = n;
    return this.#view(n);
  }

  /** The full key (prefix and `rowId`, as `withRowId`) of the last prefix, in the reused buffer. */
  key(rowId: number): Uint8Array {
    const n = this.#prefixBytes;
    const buf = this.#buf;
    const low = rowId % 0x1_0000_0000;
    const high = (rowId - low) / 0x1_0000_0000;
    buf[n] = high >>> 8;
    buf[n + 1] = high;
    buf[n + 2] = low >>> 24;
    buf[n + 3] = low >>> 16;
    buf[n + 4] = low >>> 8;
    buf[n + 5] = low;
    return this.#view(n + rowIdSuffixBytes);
  }

  /**
   * Reads the index's greatest key as the bound of `beyondBound` (for a run:
   * within one mini-transaction only the run's own inserts change the tree).
   */
  readBound(r: PageReader): void {
    this.#boundBytes = 0;
    btreeScan(r, this.index.root, { reverse: true }, (key) => {
      this.raiseBound(key);
      return false;
    });
  }

  /**
   * True when the last prefix sorts after the bound: no key of the index
   * starts with it, so its unique check would find nothing (a load in key order).
   */
  beyondBound(): boolean {
    return compareParts(this.#buf, this.#prefixBytes, this.#bound, this.#boundBytes) > 0;
  }

  /** Keeps the bound at or above `key`, a key just inserted. */
  raiseBound(key: Uint8Array): void {
    const n = key.length;
    if (compareParts(key, n, this.#bound, this.#boundBytes) <= 0) return;
    if (this.#bound.length < n) this.#bound = new Uint8Array(2 * n);
    const bound = this.#bound;
    for (let i = 0; i < n; i++) bound[i] = key[i]!;
    this.#boundBytes = n;
  }

  #view(length: number): Uint8Array {
    return this.#views[length] ??= this.#buf.subarray(0, length);
  }
}

/** Compares the first `an` bytes of `a` with the first `bn` of `b` (shorter prefix first). */
function compareParts(a: Uint8Array, an: number, b: Uint8Array, bn: number): number {
  const n = an < bn ? an : bn;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return an - bn;
}

/**
 * Inserts row versions stamped with the transaction's current (sub)xid, in
 * runs of rows per mini-transaction.
 * @returns the new versions' row ids, in the order of `rows`
 * @throws {DbError} 23505 on a duplicate key in a unique index (also between rows of `rows`)
 * @throws {TxnConflictError} 40P01 when waiting for a concurrent inserter would deadlock
 */
export async function insertRows(
  ctx: WriteContext,
  txn: Txn,
  rel: RelationDef,
  rows: readonly (readonly Value[])[],
): Promise<number[]> {
  const xid = ctx.txns.writeXid(txn);
  const cid = txn.cid;
  const indexes = rel.indexes;
  const builders = indexes.map((index) => new KeyBuilder(index));
  const prefixes: (Uint8Array | null)[] = indexes.map(() => null);
  const unique = builders.filter((b) => b.index.unique);
  const rowIds: number[] = [];
  // Every page a run changes stays pinned until it ends: keep a run within half
  // the buffer pool, leaving room for one more row's heap page, B+tree paths and splits.
  const reserve = 8 + 8 * indexes.length;
  let next = 0;
  while (next < rows.length) {
    const wait = ctx.store.update((m) => {
      const pinBudget = Math.floor(m.poolFrames / 2);
      for (const builder of unique) builder.readBound(m);
      let bytes = 0;
      let done = 0;
      while (
        next < rows.length &&
        (done === 0 ||
          (done < bulkRunRows && bytes < bulkRunBytes && m.changedPages + reserve <= pinBudget))
      ) {
        const values = rows[next]!;
        for (let i = 0; i < builders.length; i++) prefixes[i] = builders[i]!.prefix(values);
        if (unique.length > 0 && !beyondBounds(builders, prefixes)) {
          let owner: ReturnType<typeof checkUnique>;
          try {
            owner = checkUnique(ctx, m, txn, rel, values, prefixes, null);
          } catch (e) {
            if (e instanceof UniqueViolationError) e.rowIndex = next;
            throw e;
          }
          if (owner !== null) return owner;
        }
        // Encoded last: the heap insert copies it before the shared buffer is reused.
        const tuple = encodeRowScratch(rel.types, values, tupleHeaderBytes);
        initHeader(tuple, xid, cid);
        const rowId = heapInsert(m, rel.heap, tuple);
        txn.writes.row(rel.id, rowId);
        for (let i = 0; i < builders.length; i++) {
          if (prefixes[i] === null) continue;
          const builder = builders[i]!;
          const key = builder.key(rowId);
          btreeInsert(m, indexes[i]!.root, key, indexValue());
          if (builder.index.unique) builder.raiseBound(key);
          txn.writes.key(rel.id, i, txn.writes.keepsKeys(rel.id) ? key.slice() : key);
        }
        rowIds.push(rowId);
        bytes += tuple.length;
        done++;
        next++;
      }
      return null;
    });
    if (wait !== null) await ctx.txns.locks.waitForOwner(txn, wait);
  }
  return rowIds;
}

/** True when every unique index's prefix of the row sorts after that index's bound. */
function beyondBounds(
  builders: readonly KeyBuilder[],
  prefixes: readonly (Uint8Array | null)[],
): boolean {
  for (let i = 0; i < builders.length; i++) {
    const builder = builders[i]!;
    if (builder.index.unique && prefixes[i] !== null && !builder.beyondBound()) return false;
  }
  return true;
}
