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
import { btreeInsert } from "../storage/btree/mod.ts";
import { heapInsert } from "../storage/heap/mod.ts";
import { encodeRowScratch } from "../storage/row_codec.ts";
import { KeyBuilder } from "./key_builder.ts";
import { indexValue, type RelationDef, UniqueViolationError } from "./relation.ts";
import { checkUnique, type WriteContext } from "./relation_write.ts";
import type { Txn } from "./txn.ts";
import { initHeader, tupleHeaderBytes } from "./tuple.ts";

/** Tuple bytes one mini-transaction of a bulk insert writes at most. */
export const bulkRunBytes = 64 * 1024;
/** Rows one mini-transaction of a bulk insert writes at most. */
export const bulkRunRows = 512;

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
        const writes = txn.writes;
        writes?.row(rel.id, rowId);
        for (let i = 0; i < builders.length; i++) {
          if (prefixes[i] === null) continue;
          const builder = builders[i]!;
          const key = builder.key(rowId);
          btreeInsert(m, indexes[i]!.root, key, indexValue());
          if (builder.index.unique) builder.raiseBound(key);
          writes?.key(rel.id, i, writes.keepsKeys(rel.id) ? key.slice() : key);
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
