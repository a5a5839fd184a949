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
 * @module
 */

import type { Value } from "../common/types.ts";
import { heapInsert } from "../storage/heap/mod.ts";
import { encodeRow } from "../storage/row_codec.ts";
import { indexPrefix, type RelationDef, UniqueViolationError } from "./relation.ts";
import { checkUnique, insertIndexEntries, type WriteContext } from "./relation_write.ts";
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
  const tuples = rows.map((values) => {
    const tuple = encodeRow(rel.types, values, tupleHeaderBytes);
    initHeader(tuple, xid, cid);
    return tuple;
  });
  const indexes = rel.indexes;
  const hasUnique = indexes.some((i) => i.unique);
  const rowIds: number[] = [];
  // Every page a run changes stays pinned until it ends: keep a run within half
  // the buffer pool, leaving room for one more row's heap page, B+tree paths and splits.
  const reserve = 8 + 8 * indexes.length;
  let next = 0;
  while (next < rows.length) {
    const wait = ctx.store.update((m) => {
      const pinBudget = Math.floor(m.poolFrames / 2);
      let bytes = 0;
      let done = 0;
      while (
        next < rows.length &&
        (done === 0 ||
          (done < bulkRunRows && bytes < bulkRunBytes && m.changedPages + reserve <= pinBudget))
      ) {
        const values = rows[next]!;
        const prefixes = indexes.length === 0
          ? []
          : indexes.map((index) => indexPrefix(index, values));
        if (hasUnique) {
          let owner: ReturnType<typeof checkUnique>;
          try {
            owner = checkUnique(ctx, m, txn, rel, values, prefixes, null);
          } catch (e) {
            if (e instanceof UniqueViolationError) e.rowIndex = next;
            throw e;
          }
          if (owner !== null) return owner;
        }
        const tuple = tuples[next]!;
        const rowId = heapInsert(m, rel.heap, tuple);
        insertIndexEntries(m, txn, rel, prefixes, rowId);
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
