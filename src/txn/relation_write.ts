/**
 * Writing relations: insert, update, delete and row locks, with unique
 * checks, first-updater-wins and READ COMMITTED re-checks.
 *
 * Every change of one row (heap tuple, xmax stamp, index entries) is one
 * mini-transaction. Updating, deleting or locking a version first takes its
 * row lock (waiting, NOWAIT or SKIP LOCKED); once held, the version's xmax
 * says whether someone else changed it meanwhile: under REPEATABLE READ and
 * SERIALIZABLE that is a 40001; under READ COMMITTED the newest version of
 * the row is located through the update chain, locked in turn, and handed to
 * the caller's callback to re-evaluate its WHERE clause (like PostgreSQL's
 * EvalPlanQual).
 * @module
 */

import { TxnConflictError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import { btreeScan } from "../storage/btree/mod.ts";
import { heapGet, heapInsert, heapView } from "../storage/heap/mod.ts";
import type { Mtr, PageReader } from "../storage/mtr.ts";
import { decodeRow, encodeRow } from "../storage/row_codec.ts";
import { XidStatus } from "./clog.ts";
import type { RowLockMode, WaitPolicy } from "./lock_manager.ts";
import {
  hasNullKey,
  indexPrefix,
  indexPrefixScratch,
  prefixSuccessorScratch,
  type RelationDef,
  rowIdOfKey,
  uniqueViolation,
} from "./relation.ts";
import type { Txn } from "./txn.ts";
import type { TxnManager, TxnStore } from "./txn_manager.ts";
import { visitHotChain } from "./relation_read.ts";
import {
  insertIndexEntries,
  placeNewVersion,
  sameIndexKeys,
  sameKey,
  stampVersion,
} from "./new_version.ts";
import { initHeader, newHeader, readHeader, type TupleHeader, tupleHeaderBytes } from "./tuple.ts";

/** Store and transaction manager the write functions act on. */
export interface WriteContext {
  /** The page store. */
  readonly store: TxnStore;
  /** Its transaction manager. */
  readonly txns: TxnManager;
}

/**
 * Called with the newest committed version of a row before it is updated,
 * deleted or locked. `concurrent` is true when that version is newer than the
 * one the caller's scan saw (READ COMMITTED only), so the WHERE clause must be
 * evaluated again. Return the new values (update), true (delete/lock), or
 * null/false to leave the row alone.
 */
export type Recheck<T> = (current: Value[], concurrent: boolean) => T;

/** The outcome of update, delete and lock. */
export type RowOutcome =
  | {
    readonly kind: "done";
    readonly rowId: number;
    readonly values: Value[];
    /** True when an update overwrote the version in place (no dead version left). */
    readonly inPlace?: boolean;
  }
  | { readonly kind: "skipped" };

const skipped = { kind: "skipped" } as const;
const scratch = newHeader();

/** Who changed a version, from a transaction's point of view. */
export type XidState = "own" | "committed" | "aborted" | Txn;

export function xidState(ctx: WriteContext, txn: Txn, xid: number): XidState {
  if (txn.ownXids.has(xid)) return "own";
  const status = ctx.txns.clog.status(xid);
  if (status === XidStatus.committed) return "committed";
  if (status === XidStatus.aborted) return "aborted";
  return ctx.txns.runningTxn(xid) ?? "aborted";
}

/**
 * Looks for a live version with the same key in each unique index.
 * @returns a running transaction to wait for, or null when there is no conflict
 * @throws {UniqueViolationError} 23505 on a committed (or own) live duplicate
 */
export function checkUnique(
  ctx: WriteContext,
  m: PageReader,
  txn: Txn,
  rel: RelationDef,
  row: readonly Value[],
  prefixes: readonly (Uint8Array | null)[],
  replaced: Replaced | null,
): Txn | null {
  const exclude = replaced?.rowId ?? -1;
  for (let indexNo = 0; indexNo < rel.indexes.length; indexNo++) {
    const index = rel.indexes[indexNo]!;
    if (!index.unique || hasNullKey(index, row)) continue;
    const prefix = prefixes[indexNo]!;
    if (prefix === null) continue;
    if (replaced !== null && sameKey(prefix, indexPrefixScratch(index, replaced.values))) continue;
    const upper = prefixSuccessorScratch(prefix);
    let wait: Txn | null = null;
    let duplicate = -1;
    btreeScan(
      m,
      index.root,
      upper === undefined ? { lower: prefix } : { lower: prefix, upper, upperInclusive: false },
      (key) => {
        const first = rowIdOfKey(key);
        const tuple = heapGet(m, rel.heap, first);
        if (tuple === undefined) return true;
        // Every version of a HOT chain holds the entry's key.
        visitHotChain(m, rel, first, tuple, (rowId, t) => {
          if (rowId === exclude) return true;
          const h = readHeader(t, scratch);
          const made = xidState(ctx, txn, h.xmin);
          if (made === "aborted") return true;
          if (typeof made !== "string") return (wait = made), false;
          const gone = h.xmax === 0 ? "aborted" : xidState(ctx, txn, h.xmax);
          if (gone === "committed" || gone === "own") return true;
          if (typeof gone !== "string") return (wait = gone), false;
          duplicate = rowId;
          return false;
        });
        return wait === null && duplicate < 0;
      },
    );
    if (duplicate >= 0) throw uniqueViolation(rel, indexNo, row, duplicate);
    if (wait !== null) return wait;
  }
  return null;
}

/** The version an update replaces: its unique keys need no new check when unchanged. */
export interface Replaced {
  readonly rowId: number;
  readonly values: readonly Value[];
}

/**
 * Runs `write` in a mini-transaction after the unique checks pass, waiting for
 * uncommitted inserters of duplicate keys and trying again.
 */
async function writeChecked<T>(
  ctx: WriteContext,
  txn: Txn,
  rel: RelationDef,
  row: readonly Value[],
  prefixes: readonly (Uint8Array | null)[],
  replaced: Replaced | null,
  write: (m: Mtr) => T,
): Promise<T> {
  for (;;) {
    const outcome = ctx.store.update((m) => {
      const wait = checkUnique(ctx, m, txn, rel, row, prefixes, replaced);
      return wait === null ? { wait: null, result: write(m) } : { wait, result: undefined };
    });
    if (outcome.wait === null) return outcome.result as T;
    await ctx.txns.locks.waitForOwner(txn, outcome.wait);
  }
}

/**
 * Inserts a row version stamped with the transaction's current (sub)xid.
 * @returns the new version's row id
 * @throws {DbError} 23505 on a duplicate key in a unique index
 * @throws {TxnConflictError} 40P01 when waiting for a concurrent inserter would deadlock
 */
export async function insertRow(
  ctx: WriteContext,
  txn: Txn,
  rel: RelationDef,
  values: readonly Value[],
): Promise<number> {
  const xid = ctx.txns.writeXid(txn);
  const tuple = encodeRow(rel.types, values, tupleHeaderBytes);
  initHeader(tuple, xid, txn.cid);
  const prefixes = rel.indexes.map((index) => indexPrefix(index, values));
  return await writeChecked(ctx, txn, rel, values, prefixes, null, (m) => {
    const rowId = heapInsert(m, rel.heap, tuple);
    insertIndexEntries(m, txn, rel, prefixes, rowId);
    return rowId;
  });
}

/** A version `locate` found and locked, or none to update. */
export type Located =
  | {
    readonly kind: "current";
    readonly rowId: number;
    readonly values: Value[];
    readonly concurrent: boolean;
  }
  | { readonly kind: "skipped" };

/** What the locked version `target` of an update chain says to do next. */
export type ChainStep =
  | Located
  /** An uncommitted updater holds the version: wait for it, then look again. */
  | { readonly kind: "wait"; readonly owner: Exclude<XidState, string> }
  /** A committed update replaced it: lock and look at `rowId`, made by `xmin`. */
  | { readonly kind: "next"; readonly rowId: number; readonly xmin: number };

/**
 * One step of `locate`: reads the version `target` (already locked) of an
 * update chain whose previous link was made by `expectXmin` (0 for the first).
 * @param seen the values of version `target` as the caller's scan decoded
 * them, if any: when that version is still current (no updater since) they
 * are its values and it is not decoded again
 * @throws {TxnConflictError} 40001 under REPEATABLE READ/SERIALIZABLE when a committed update replaced it
 */
export function chainStep(
  ctx: WriteContext,
  txn: Txn,
  rel: RelationDef,
  target: number,
  expectXmin: number,
  hops: number,
  h: TupleHeader,
  seen: Value[] | null = null,
): ChainStep {
  // The version is read in place: only its header and, when current, its values are copied out.
  const current = ctx.store.view((r) => {
    const tuple = heapView(r, rel.heap, target);
    if (tuple === undefined) return skipped;
    readHeader(tuple, h);
    if (expectXmin !== 0 && h.xmin !== expectXmin) return skipped;
    if (h.xmax !== 0) return null;
    const values = hops === 0 && seen !== null
      ? seen
      : decodeRow(rel.types, tuple, tupleHeaderBytes);
    return { kind: "current", rowId: target, values, concurrent: hops > 0 } as const;
  });
  if (current !== null) return current;
  const gone = xidState(ctx, txn, h.xmax);
  if (gone === "aborted") {
    // An aborted deleter: the version is current; read it again (rare).
    const values = ctx.store.view((r) =>
      decodeRow(rel.types, heapView(r, rel.heap, target)!, tupleHeaderBytes)
    );
    return { kind: "current", rowId: target, values, concurrent: hops > 0 };
  }
  if (gone === "own") return skipped;
  if (typeof gone !== "string") return { kind: "wait", owner: gone };
  if (txn.transactionSnapshot) {
    throw new TxnConflictError("40001", "could not serialize access due to concurrent update");
  }
  if (h.next === 0) return skipped;
  return { kind: "next", rowId: h.next, xmin: h.xmax };
}

/**
 * Locks the version `rowId` and, under READ COMMITTED, follows its update
 * chain to the newest committed version, locking that.
 */
async function locate(
  ctx: WriteContext,
  txn: Txn,
  rel: RelationDef,
  rowId: number,
  mode: RowLockMode,
  policy: WaitPolicy,
): Promise<Located> {
  let target = rowId;
  let expectXmin = 0;
  const h: TupleHeader = newHeader();
  for (let hops = 0;; hops++) {
    const target0 = { relId: rel.id, rowId: target, relName: rel.name };
    if (!await ctx.txns.locks.lock(txn, target0, mode, policy)) return skipped;
    const step = chainStep(ctx, txn, rel, target, expectXmin, hops, h);
    if (step.kind === "wait") await ctx.txns.locks.waitForOwner(txn, step.owner);
    else if (step.kind === "next") {
      expectXmin = step.xmin;
      target = step.rowId;
    } else return step;
  }
}

/**
 * Updates a row: the newest version is locked, `compute` gives the new
 * values from it, and a new version is written (the old one gets xmax).
 * @param rowId a version the caller's scan saw
 * @param compute new values from the current values, or null to skip the row
 * @param mode "noKeyUpdate" when no key column changes, else "update"
 * @returns the new version's row id and values, or skipped
 * @throws {TxnConflictError} 40001 under REPEATABLE READ/SERIALIZABLE when the row changed concurrently; 40P01 on deadlock
 * @throws {DbError} 23505 on a duplicate key
 */
export async function updateRow(
  ctx: WriteContext,
  txn: Txn,
  rel: RelationDef,
  rowId: number,
  compute: Recheck<Value[] | null>,
  mode: RowLockMode = "noKeyUpdate",
): Promise<RowOutcome> {
  const xid = ctx.txns.writeXid(txn);
  const found = await locate(ctx, txn, rel, rowId, mode, "wait");
  if (found.kind === "skipped") return skipped;
  const values = compute(found.values, found.concurrent);
  if (values === null) return skipped;
  const tuple = encodeRow(rel.types, values, tupleHeaderBytes);
  initHeader(tuple, xid, txn.cid);
  const prefixes = rel.indexes.map((index) => indexPrefix(index, values));
  const keysKept = sameIndexKeys(rel, prefixes, found.values);
  const newRowId = await writeChecked(
    ctx,
    txn,
    rel,
    values,
    prefixes,
    found,
    (m) => placeNewVersion(m, txn, xid, rel, found.rowId, tuple, prefixes, keysKept, values),
  );
  return { kind: "done", rowId: newRowId, values };
}

/**
 * Deletes a row (its newest version gets xmax).
 * @param recheck decides on the current version; omit to always delete
 * @returns the deleted version and its values, or skipped
 * @throws {TxnConflictError} 40001 under REPEATABLE READ/SERIALIZABLE when the row changed concurrently; 40P01 on deadlock
 */
export async function deleteRow(
  ctx: WriteContext,
  txn: Txn,
  rel: RelationDef,
  rowId: number,
  recheck?: Recheck<boolean>,
): Promise<RowOutcome> {
  const xid = ctx.txns.writeXid(txn);
  const found = await locate(ctx, txn, rel, rowId, "update", "wait");
  if (found.kind === "skipped") return skipped;
  if (recheck !== undefined && !recheck(found.values, found.concurrent)) return skipped;
  ctx.store.update((m) => stampVersion(m, rel, found.rowId, xid, txn.cid, 0));
  txn.writes?.row(rel.id, found.rowId);
  return { kind: "done", rowId: found.rowId, values: found.values };
}

/**
 * SELECT ... FOR UPDATE/NO KEY UPDATE/SHARE/KEY SHARE of one row.
 * @returns the locked newest version, or skipped (SKIP LOCKED, deleted, or `recheck` false)
 * @throws {DbError} 55P03 with NOWAIT when the row is locked
 * @throws {TxnConflictError} 40001 under REPEATABLE READ/SERIALIZABLE when the row changed concurrently; 40P01 on deadlock
 */
export async function lockRow(
  ctx: WriteContext,
  txn: Txn,
  rel: RelationDef,
  rowId: number,
  options: { mode: RowLockMode; policy?: WaitPolicy; recheck?: Recheck<boolean> },
): Promise<RowOutcome> {
  const found = await locate(ctx, txn, rel, rowId, options.mode, options.policy ?? "wait");
  if (found.kind === "skipped") return skipped;
  if (options.recheck !== undefined && !options.recheck(found.values, found.concurrent)) {
    return skipped;
  }
  return { kind: "done", rowId: found.rowId, values: found.values };
}
