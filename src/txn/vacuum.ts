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

import { assert } from "../common/errors.ts";
import { batchRowsMax } from "../common/limits.ts";
import type { Value } from "../common/types.ts";
import { btreeDelete, btreeInsert, btreeScan } from "../storage/btree/mod.ts";
import {
  HeapCursor,
  heapDelete,
  heapGet,
  heapRowPrefix,
  heapUpdate,
  heapView,
} from "../storage/heap/mod.ts";
import { decodeRow, encodeRowScratch } from "../storage/row_codec.ts";
import { type Clog, XidStatus } from "./clog.ts";
import {
  hasNullKey,
  type IndexDef,
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
import { visitHotChain } from "./relation_read.ts";
import { KeyBuilder } from "./key_builder.ts";
import {
  heapOnlyFlag,
  newHeader,
  readHeader,
  readHeaderAt,
  redirectFlag,
  setTupleFlag,
  stampXmax,
  tupleFlags,
  tupleHeaderBytes,
} from "./tuple.ts";

/** What a vacuum did. */
export interface VacuumResult {
  /** Dead versions removed. */
  removed: number;
  /** Versions kept (live, or possibly visible to some snapshot). */
  kept: number;
}

const header = newHeader();

function isDead(clog: Clog, horizon: number, tuple: Uint8Array): boolean {
  return isDeadAt(clog, horizon, tuple, 0, tuple.length);
}

/** `isDead` of the tuple in `bytes[start, end)`, without a view of it. */
function isDeadAt(
  clog: Clog,
  horizon: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): boolean {
  readHeaderAt(bytes, start, end, header);
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
  /** Redirects the heap holds after the examined part (they occupy slots but are no rows). */
  redirects = 0;
  readonly #horizon: number;
  readonly #cursor: HeapCursor;
  readonly #finished: ((run: VacuumRun) => void) | undefined;
  #keys: RemovalKeys | undefined;

  /**
   * Starts a run; the horizon is taken now.
   * @param finished called once the whole heap was examined
   */
  constructor(
    readonly store: TxnStore,
    readonly txns: TxnManager,
    readonly rel: RelationDef,
    finished?: (run: VacuumRun) => void,
  ) {
    this.#horizon = txns.vacuumHorizon();
    this.#cursor = new HeapCursor(rel.heap);
    this.#finished = finished;
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
    const horizon = this.#horizon;
    // Spans, not views: a background run examines every version of the heap.
    store.view((r) =>
      this.#cursor.nextSpans(r, batchRowsMax, (rowId, bytes, start, end) => {
        if (!isDeadAt(clog, horizon, bytes, start, end)) result.kept++;
        // A heap-only version goes with its chain's first version (below),
        // unless its inserter aborted: then nothing leads to it.
        else if (
          (bytes[start]! & heapOnlyFlag) === 0 ||
          clog.status(header.xmin) === XidStatus.aborted
        ) dead.push(rowId);
        return true;
      })
    );
    if (dead.length > 0) {
      // The key buffers are made once per run: a run may go one small batch per commit.
      this.#keys ??= {
        wanted: keyColumns(rel),
        builders: rel.indexes.map((i) => new KeyBuilder(i)),
      };
      const keys = this.#keys;
      result.removed += store.update((m) =>
        removeVersions(m, rel, dead, clog, horizon, this, keys)
      );
    }
    if (this.#cursor.done) this.#finished?.(this);
    return !this.#cursor.done;
  }
}

/**
 * What removing versions needs to find their index entries: the columns to
 * decode and one key builder per index (keys to delete are built in reused
 * buffers; a B+tree delete keeps none).
 */
interface RemovalKeys {
  readonly wanted: boolean[] | undefined;
  readonly builders: readonly KeyBuilder[];
}

/** Columns vacuum must decode to find a version's index entries (undefined: all of them). */
function keyColumns(rel: RelationDef): boolean[] | undefined {
  if (rel.indexes.some((index) => index.predicate !== undefined)) return undefined;
  return rel.types.map((_, c) => rel.indexes.some((index) => index.columns.includes(c)));
}

/**
 * Removes dead versions and their index entries. The dead heap-only versions
 * of a removed version's HOT chain go with it; when the chain still has a
 * live version, the removed version becomes a redirect to it instead, so its
 * index entries stay valid (PostgreSQL's redirect line pointers).
 * @returns the number of versions removed
 */
function removeVersions(
  m: Mtr,
  rel: RelationDef,
  dead: readonly number[],
  clog: Clog,
  horizon: number,
  counts: { redirects: number },
  removal: RemovalKeys,
): number {
  const { wanted, builders: keys } = removal;
  let removed = 0;
  for (const rowId of dead) {
    // Read in place: the version's bytes are only used before its page changes.
    const tuple = heapView(m, rel.heap, rowId);
    if (tuple === undefined) continue;
    const flags = tupleFlags(tuple);
    const doomed: number[] = [];
    let survivor = -1;
    let survivorXmin = 0;
    visitHotChain(m, rel, rowId, tuple, (id, t) => {
      if (id === rowId) return true;
      if (isDead(clog, horizon, t)) return doomed.push(id), true;
      survivor = id;
      survivorXmin = readHeader(t, header).xmin;
      return false;
    });
    if (survivor >= 0 && (flags & heapOnlyFlag) === 0) {
      if ((flags & redirectFlag) === 0 || doomed.length > 0) {
        redirect(m, rel, rowId, tuple, wanted, survivor, survivorXmin);
        if ((flags & redirectFlag) === 0) removed++;
      }
      counts.redirects++;
    } else {
      const values = decodeRow(rel.types, tuple, tupleHeaderBytes, wanted);
      for (let i = 0; i < rel.indexes.length && (flags & heapOnlyFlag) === 0; i++) {
        if (keys[i]!.prefix(values) !== null) {
          btreeDelete(m, rel.indexes[i]!.root, keys[i]!.key(rowId));
        }
      }
      if (heapDelete(m, rel.heap, rowId) && (flags & redirectFlag) === 0) removed++;
    }
    for (const id of doomed) if (heapDelete(m, rel.heap, id)) removed++;
  }
  return removed;
}

/**
 * Row bytes (after the header) up to which a dead version becomes a redirect
 * in place, keeping its values: a stub keeps the indexed values anyway, so
 * such a row gives up at most this many bytes, while decoding, encoding and
 * rewriting its cell would be most of the cost of removing it.
 */
const redirectInPlaceBytesMax = 32;

/**
 * Turns a dead version into a redirect to `survivor`: a narrow row in place
 * (only its header changes), a wider one rewritten as a stub that keeps only
 * the indexed values (the `wanted` columns, see `keyColumns`).
 */
function redirect(
  m: Mtr,
  rel: RelationDef,
  rowId: number,
  tuple: Uint8Array,
  wanted: boolean[] | undefined,
  survivor: number,
  survivorXmin: number,
): void {
  if (tuple.length <= tupleHeaderBytes + redirectInPlaceBytesMax) {
    const head = heapRowPrefix(m, rel.heap, rowId, tupleHeaderBytes);
    if (head !== undefined) {
      stampXmax(head, survivorXmin, 0, survivor, true);
      setTupleFlag(head, redirectFlag, true);
      return;
    }
  }
  const values = decodeRow(rel.types, tuple, tupleHeaderBytes, wanted);
  // In the codec's shared buffer: `heapUpdate` copies it into the page at once.
  const stub = encodeRowScratch(rel.types, values, tupleHeaderBytes);
  stub.set(tuple.subarray(0, tupleHeaderBytes));
  stampXmax(stub, survivorXmin, 0, survivor, true);
  setTupleFlag(stub, redirectFlag, true);
  const kept = heapUpdate(m, rel.heap, rowId, stub);
  assert(kept === rowId, `Redirecting row ${rowId} of ${rel.name} moved it to ${kept}`);
}

/** Gives a heap-only version's flag up once it has index entries of its own. */
function clearHeapOnly(m: Mtr, rel: RelationDef, rowId: number): void {
  const tuple = heapGet(m, rel.heap, rowId);
  if (tuple === undefined) return;
  setTupleFlag(tuple, heapOnlyFlag, false);
  heapUpdate(m, rel.heap, rowId, tuple);
}

/**
 * Fills a new (empty) index with entries for every version that is not dead,
 * checking uniqueness among versions whose deleter has not committed. HOT
 * chains end here: each heap-only version gets entries in the other indexes
 * too (the new index may tell the versions of a chain apart).
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
  let entries = 0;
  // Keys are built in reused buffers; the builder's bound is the largest key inserted
  // so far: a row whose prefix sorts above it cannot meet a duplicate, so a table
  // read in key order (a bulk load) skips the uniqueness probes.
  const keys = new KeyBuilder(index);
  while (!cursor.done) {
    const batch = readBatch(store, rel, cursor, clog, index);
    store.update((m) => {
      for (const { rowId, values, live, heapOnly } of batch) {
        if (heapOnly) endHotChain(m, rel, indexNo, rowId, values);
        const prefix = keys.prefix(values);
        if (prefix === null) continue;
        if (!keys.beyondBound() && index.unique && live && !hasNullKey(index, values)) {
          checkBuildUnique(m, rel, indexNo, prefix, values, clog);
        }
        const key = keys.key(rowId);
        btreeInsert(m, index.root, key, indexValue());
        keys.raiseBound(key);
        entries++;
      }
    });
  }
  return entries;
}

interface BuildRow {
  rowId: number;
  values: Value[];
  live: boolean;
  heapOnly: boolean;
}

/** Reads the next batch of versions an index build keeps. */
function readBatch(
  store: TxnStore,
  rel: RelationDef,
  cursor: HeapCursor,
  clog: Clog,
  index: IndexDef,
): BuildRow[] {
  // Only the key columns are decoded, unless a partial index's predicate reads the row
  // (heap-only versions need the other indexes' columns too).
  const wantedAll = keyColumns(rel);
  const wanted = index.predicate ? undefined : rel.types.map((_, c) => index.columns.includes(c));
  const batch: BuildRow[] = [];
  store.view((r) =>
    cursor.next(r, batchRowsMax, (rowId, tuple) => {
      readHeader(tuple, header);
      // A redirect is no version: it only keeps the entries of older indexes pointing on.
      if ((tupleFlags(tuple) & redirectFlag) !== 0) return true;
      if (clog.status(header.xmin) === XidStatus.aborted) return true;
      const live = header.xmax === 0 || clog.status(header.xmax) !== XidStatus.committed;
      const heapOnly = (tupleFlags(tuple) & heapOnlyFlag) !== 0;
      const decode = heapOnly ? wantedAll : wanted;
      batch.push({
        rowId,
        values: decodeRow(rel.types, tuple, tupleHeaderBytes, decode),
        live,
        heapOnly,
      });
      return true;
    })
  );
  return batch;
}

/** Gives a heap-only version entries in every index but `indexNo` (being built). */
function endHotChain(
  m: Mtr,
  rel: RelationDef,
  indexNo: number,
  rowId: number,
  values: readonly Value[],
): void {
  for (let i = 0; i < rel.indexes.length; i++) {
    if (i === indexNo) continue;
    const prefix = indexPrefix(rel.indexes[i]!, values);
    if (prefix !== null) {
      btreeInsert(m, rel.indexes[i]!.root, withRowId(prefix, rowId), indexValue());
    }
  }
  clearHeapOnly(m, rel, rowId);
}

/** 23505 when another version not deleted by a committed transaction holds `prefix`. */
function checkBuildUnique(
  m: Mtr,
  rel: RelationDef,
  indexNo: number,
  prefix: Uint8Array,
  values: readonly Value[],
  clog: Clog,
): void {
  const upper = prefixSuccessor(prefix);
  btreeScan(m, rel.indexes[indexNo]!.root, {
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
