/**
 * A synchronous UPDATE or INSERT of one row for statements that must not
 * yield (the fast paths): the same steps as `updateRow` and `insertRow`,
 * except that where those would wait (a row lock held by another
 * transaction, an uncommitted writer of the row or of a duplicate key) they
 * stop and report `blocked`, having written nothing, so the caller can take
 * the waiting path for that row.
 * @module
 */

import type { Value } from "../common/types.ts";
import { heapInsert } from "../storage/heap/mod.ts";
import { encodeRow, encodeRowScratch } from "../storage/row_codec.ts";
import type { RowLockMode } from "./lock_manager.ts";
import { indexPrefix, type RelationDef } from "./relation.ts";
import {
  chainStep,
  checkUnique,
  type Located,
  type Recheck,
  type RowOutcome,
  type WriteContext,
} from "./relation_write.ts";
import {
  indexPrefixes,
  insertIndexEntries,
  placeNewVersion,
  sameIndexKeys,
  sameIndexValues,
} from "./new_version.ts";
import { overwriteVersion } from "./in_place.ts";
import type { Txn } from "./txn.ts";
import { initHeader, newHeader, type TupleHeader, tupleHeaderBytes } from "./tuple.ts";

/** What `updateRowNow` returns where `updateRow` would have waited. */
export const blocked = { kind: "blocked" } as const;

/** The outcome of `updateRowNow`. */
export type RowOutcomeNow = RowOutcome | typeof blocked;

const skipped = { kind: "skipped" } as const;

type Found = Located | typeof blocked;

/** `locate` without waiting: locks are only taken when free. */
function locateNow(
  ctx: WriteContext,
  txn: Txn,
  rel: RelationDef,
  rowId: number,
  mode: RowLockMode,
  seen: Value[] | null,
): Found {
  let target = rowId;
  let expectXmin = 0;
  const h: TupleHeader = newHeader();
  for (let hops = 0;; hops++) {
    if (!ctx.txns.locks.tryLock(txn, rel.id, target, mode)) return blocked;
    const step = chainStep(ctx, txn, rel, target, expectXmin, hops, h, seen);
    if (step.kind === "wait") return blocked;
    if (step.kind !== "next") return step;
    expectXmin = step.xmin;
    target = step.rowId;
  }
}

/**
 * `updateRow` without waiting.
 * @param seen the values of version `rowId` as the caller's scan decoded
 * them (the table's columns first), so that a version still current is not
 * decoded again; null to decode it
 * @param inPlace true when the caller runs the statement and its commit
 * without yielding and reads no table after this write (no subquery in
 * what it evaluates later): the row may then be overwritten in place when
 * `TxnManager.updatesInPlace` allows it (see `in_place.ts`)
 * @returns as `updateRow`, or `blocked` (nothing written) where it would wait
 * @throws {TxnConflictError} 40001 as `updateRow`
 * @throws {DbError} 23505 on a duplicate key
 */
export function updateRowNow(
  ctx: WriteContext,
  txn: Txn,
  rel: RelationDef,
  rowId: number,
  compute: Recheck<Value[] | null>,
  mode: RowLockMode = "noKeyUpdate",
  seen: Value[] | null = null,
  inPlace = false,
): RowOutcomeNow {
  const found = locateNow(ctx, txn, rel, rowId, mode, seen);
  if (found.kind !== "current") return found;
  const values = compute(found.values, found.concurrent);
  if (values === null) return skipped;
  // Encoded into the codec's shared buffer: nothing encodes another row before it is placed.
  const tuple = encodeRowScratch(rel.types, values, tupleHeaderBytes);
  // Unchanged indexed values need no key encoding to tell the keys are kept.
  let prefixes: (Uint8Array | null)[] | null = null;
  let keysKept = sameIndexValues(rel, values, found.values);
  if (!keysKept) {
    prefixes = indexPrefixes(rel, values);
    keysKept = sameIndexKeys(rel, prefixes, found.values);
  }
  if (keysKept && inPlace && ctx.txns.updatesInPlace(txn)) {
    // An overwrite keeps the version's header: it needs no xid (none may be assigned at all).
    const log = ctx.txns.inPlace;
    const rowId = found.rowId;
    if (ctx.store.update((m) => overwriteVersion(m, log, txn, rel, rowId, tuple))) {
      return { kind: "done", rowId, values, inPlace: true };
    }
  }
  const xid = ctx.txns.writeXid(txn);
  initHeader(tuple, xid, txn.cid);
  const newRowId = ctx.store.update((m) => {
    // With every index key kept no unique index can meet a new duplicate.
    if (!keysKept && checkUnique(ctx, m, txn, rel, values, prefixes!, found) !== null) return -1;
    return placeNewVersion(m, txn, xid, rel, found.rowId, tuple, prefixes, keysKept, values);
  });
  if (newRowId < 0) return blocked;
  return { kind: "done", rowId: newRowId, values };
}

/**
 * `insertRow` without waiting.
 * @returns the new version's row id, or -1 (nothing written) where `insertRow`
 * would wait for an uncommitted inserter of a duplicate key
 * @throws {DbError} 23505 on a duplicate key
 */
export function insertRowNow(
  ctx: WriteContext,
  txn: Txn,
  rel: RelationDef,
  values: readonly Value[],
): number {
  const xid = ctx.txns.writeXid(txn);
  const tuple = encodeRow(rel.types, values, tupleHeaderBytes);
  initHeader(tuple, xid, txn.cid);
  const prefixes = rel.indexes.map((index) => indexPrefix(index, values));
  return ctx.store.update((m) => {
    if (checkUnique(ctx, m, txn, rel, values, prefixes, null) !== null) return -1;
    const rowId = heapInsert(m, rel.heap, tuple);
    insertIndexEntries(m, txn, rel, prefixes, rowId);
    return rowId;
  });
}
