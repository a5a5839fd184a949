/**
 * Garbage collection of dead row versions, and index builds.
 *
 * A version is dead to every snapshot when its inserter aborted, or when its
 * deleter committed below the vacuum horizon (older than every live
 * snapshot). Vacuum removes dead versions and their index entries in one
 * mini-transaction per batch; the heap puts pages with free space back on its
 * free-space list, so later inserts reuse the space.
 * @module
 */

import { batchRowsMax } from "../common/limits.ts";
import type { Value } from "../common/types.ts";
import { btreeDelete, btreeInsert, btreeScan } from "../storage/btree/mod.ts";
import { HeapCursor, heapDelete, heapGet } from "../storage/heap/mod.ts";
import { compareBytes } from "../storage/key_codec.ts";
import { decodeRow } from "../storage/row_codec.ts";
import { type Clog, XidStatus } from "./clog.ts";
import {
  hasNullKey,
  indexPrefix,
  indexValue,
  prefixSuccessor,
  type RelationDef,
  rowIdOfKey,
  uniqueViolation,
  withRowId,
} from "./relation.ts";
import type { TxnManager, TxnStore } from "./txn_manager.ts";
import type { Mtr } from "../storage/mtr.ts";
import { newHeader, readHeader, tupleHeaderBytes } from "./tuple.ts";

/** What a vacuum did. */
export interface VacuumResult {
  /** Dead versions removed. */
  removed: number;
  /** Versions kept (live, or possibly visible to some snapshot). */
  kept: number;
}

const header = newHeader();

function isDead(clog: Clog, horizon: number, tuple: Uint8Array): boolean {
  readHeader(tuple, header);
  const made = clog.status(header.xmin);
  if (made === XidStatus.aborted) return true;
  if (made !== XidStatus.committed || header.xmax === 0) return false;
  return header.xmax < horizon && clog.status(header.xmax) === XidStatus.committed;
}

/**
 * One vacuum pass over a relation, run one batch at a time so a caller (a
 * background vacuum) can yield between batches. The horizon is fixed when
 * the run starts; it only grows later, so the run stays conservative.
 */
export class VacuumRun {
  /** Counts so far. */
  readonly result: VacuumResult = { removed: 0, kept: 0 };
  readonly #horizon: number;
  readonly #cursor: HeapCursor;

  /** Starts a run; the horizon is taken now. */
  constructor(readonly store: TxnStore, readonly txns: TxnManager, readonly rel: RelationDef) {
    this.#horizon = txns.vacuumHorizon();
    this.#cursor = new HeapCursor(rel.heap);
  }

  /** True once the whole heap was examined. */
  get done(): boolean {
    return this.#cursor.done;
  }

  /**
   * Examines up to `batchRowsMax` versions and removes the dead ones (one
   * mini-transaction). Must not run inside another page operation.
   * @returns true while more remains
   */
  step(): boolean {
    if (this.#cursor.done) return false;
    const { store, rel, result } = this;
    const clog = this.txns.clog;
    const dead: number[] = [];
    store.view((r) =>
      this.#cursor.next(r, batchRowsMax, (rowId, tuple) => {
        if (isDead(clog, this.#horizon, tuple)) dead.push(rowId);
        else result.kept++;
        return true;
      })
    );
    if (dead.length > 0) store.update((m) => removeVersions(m, rel, dead));
    result.removed += dead.length;
    return !this.#cursor.done;
  }
}

/** Columns vacuum must decode to find a version's index entries (undefined: all of them). */
function keyColumns(rel: RelationDef): boolean[] | undefined {
  if (rel.indexes.some((index) => index.predicate !== undefined)) return undefined;
  return rel.types.map((_, c) => rel.indexes.some((index) => index.columns.includes(c)));
}

function removeVersions(m: Mtr, rel: RelationDef, dead: readonly number[]): void {
  const wanted = keyColumns(rel);
  for (const rowId of dead) {
    const tuple = heapGet(m, rel.heap, rowId);
    if (tuple === undefined) continue;
    const values = decodeRow(rel.types, tuple, tupleHeaderBytes, wanted);
    for (const index of rel.indexes) {
      const prefix = indexPrefix(index, values);
      if (prefix !== null) btreeDelete(m, index.root, withRowId(prefix, rowId));
    }
    heapDelete(m, rel.heap, rowId);
  }
}

/**
 * Fills a new (empty) index with entries for every version that is not dead,
 * checking uniqueness among versions whose deleter has not committed.
 * @param indexNo the position of the index in `rel.indexes`
 * @throws {DbError} 23505 when a unique index meets two live versions with one key
 */
export function buildIndex(
  store: TxnStore,
  txns: TxnManager,
  rel: RelationDef,
  indexNo: number,
): number {
  const index = rel.indexes[indexNo]!;
  const clog = txns.clog;
  const cursor = new HeapCursor(rel.heap);
  // Only the key columns are decoded, unless a partial index's predicate reads the row.
  const wanted = index.predicate ? undefined : rel.types.map((_, c) => index.columns.includes(c));
  let entries = 0;
  // Largest key prefix inserted so far: a row with a greater prefix cannot meet a
  // duplicate, so a table read in key order (a bulk load) skips the uniqueness probes.
  let maxPrefix: Uint8Array | null = null;
  while (!cursor.done) {
    const batch: { rowId: number; values: Value[]; live: boolean }[] = [];
    store.view((r) =>
      cursor.next(r, batchRowsMax, (rowId, tuple) => {
        readHeader(tuple, header);
        if (clog.status(header.xmin) === XidStatus.aborted) return true;
        const live = header.xmax === 0 || clog.status(header.xmax) !== XidStatus.committed;
        batch.push({
          rowId,
          values: decodeRow(rel.types, tuple, tupleHeaderBytes, wanted),
          live,
        });
        return true;
      })
    );
    store.update((m) => {
      for (const { rowId, values, live } of batch) {
        const prefix = indexPrefix(index, values);
        if (prefix === null) continue;
        const ascending = maxPrefix === null || compareBytes(prefix, maxPrefix) > 0;
        if (ascending) maxPrefix = prefix;
        else if (index.unique && live && !hasNullKey(index, values)) {
          const upper = prefixSuccessor(prefix);
          btreeScan(m, index.root, {
            lower: prefix,
            ...(upper ? { upper, upperInclusive: false } : {}),
          }, (key) => {
            const other = heapGet(m, rel.heap, rowIdOfKey(key));
            if (other === undefined) return true;
            readHeader(other, header);
            if (header.xmax === 0 || clog.status(header.xmax) !== XidStatus.committed) {
              throw uniqueViolation(rel, indexNo, values, rowIdOfKey(key));
            }
            return true;
          });
        }
        btreeInsert(m, index.root, withRowId(prefix, rowId), indexValue());
        entries++;
      }
    });
  }
  return entries;
}
