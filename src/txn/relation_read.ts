/**
 * Reading relations under a transaction's snapshot: sequential scans, index
 * range scans and point fetches. Scans are cursors that read one bounded
 * batch per synchronous `store.view` call, so the caller may await (lock
 * waits, sending rows) between batches; each batch resumes after the last
 * entry of the previous one.
 * @module
 */

import { assert, CorruptError } from "../common/errors.ts";
import { batchRowsMax } from "../common/limits.ts";
import type { Value } from "../common/types.ts";
import { BTreeCursor, btreePrefixKeys, type ScanRange } from "../storage/btree/mod.ts";
import { HeapCursor, heapGet, heapView } from "../storage/heap/mod.ts";
import { encodeKey, encodeKeyScratch } from "../storage/key_codec.ts";
import type { PageReader } from "../storage/mtr.ts";
import { decodeColumns, decodeRow } from "../storage/row_codec.ts";
import {
  type IndexDef,
  prefixSuccessor,
  type RelationDef,
  rowIdOfKey,
  rowIdSuffixBytes,
} from "./relation.ts";
import type { KeyRange } from "./ssi.ts";
import type { Txn } from "./txn.ts";
import type { TxnStore } from "./txn_manager.ts";
import {
  heapOnlyFlag,
  hotUpdatedFlag,
  newHeader,
  readHeader,
  readHeaderAt,
  tupleFlags,
  type TupleHeader,
  tupleHeaderBytes,
} from "./tuple.ts";

/** Options of scans. */
export interface ScanOptions {
  /** Entries examined per batch (default and maximum `batchRowsMax`). */
  readonly batchRows?: number;
  /** Decode only the columns with `wanted[i]` true (others read as NULL). */
  readonly wanted?: readonly boolean[];
}

/** Bounds of an index scan as values of a prefix of the index columns, in index order. */
export interface IndexBounds {
  /** Values of the first index columns where the scan starts (absent: from the first entry). */
  readonly lower?: readonly Value[];
  /** Default true. */
  readonly lowerInclusive?: boolean;
  /** Values of the first index columns where the scan ends (absent: to the last entry). */
  readonly upper?: readonly Value[];
  /** Default true. */
  readonly upperInclusive?: boolean;
  /** Visit in descending index order. */
  readonly reverse?: boolean;
}

/** Rows visible to the scanning statement, with the row id of each version. */
export interface RowBatch {
  /** Row id of each returned version. */
  readonly rowIds: number[];
  /** Decoded values of each returned version. */
  readonly rows: Value[][];
}

const header = newHeader();

/** True when the tuple is visible to `txn`'s running statement. */
export function tupleVisible(txn: Txn, tuple: Uint8Array): boolean {
  readHeader(tuple, header);
  return txn.visible(header.xmin, header.cmin, header.xmax, header.cmax);
}

/**
 * Visibility of tuple headers for one statement, remembering the last
 * answer: rows loaded together share (xmin, cmin, xmax, cmax), and within a
 * statement the answer for a header never changes (the snapshot fixes which
 * xids count, and a finished xid's status is final).
 */
class VisibilityMemo {
  #xmin = -1;
  #cmin = -1;
  #xmax = -1;
  #cmax = -1;
  #visible = false;

  constructor(readonly txn: Txn) {}

  visible(h: TupleHeader): boolean {
    if (
      h.xmin === this.#xmin && h.xmax === this.#xmax && h.cmin === this.#cmin &&
      h.cmax === this.#cmax
    ) {
      return this.#visible;
    }
    this.#xmin = h.xmin;
    this.#cmin = h.cmin;
    this.#xmax = h.xmax;
    this.#cmax = h.cmax;
    return this.#visible = this.txn.visible(h.xmin, h.cmin, h.xmax, h.cmax);
  }
}

type Fill = (
  r: PageReader,
  max: number,
  visit: (rowId: number, tuple: Uint8Array) => void,
) => boolean;

/** A batched scan; `next()` returns null once exhausted. */
export class RowCursor {
  readonly #batchRows: number;
  readonly #fill: Fill;
  #done = false;

  /** Use `Tables.scan`/`Tables.indexScan` to open cursors. */
  constructor(
    readonly store: TxnStore,
    readonly txn: Txn,
    readonly rel: RelationDef,
    readonly options: ScanOptions,
    fill: Fill,
  ) {
    this.#fill = fill;
    this.#batchRows = Math.max(1, Math.min(options.batchRows ?? batchRowsMax, batchRowsMax));
  }

  /**
   * Reads the next batch (possibly empty when a whole batch of versions was invisible).
   * @returns the batch, or null when the scan is over
   * @throws {CorruptError} XX001 on malformed pages or tuples
   */
  next(): RowBatch | null {
    if (this.#done) return null;
    assert(this.txn.snapshot !== null, "Scan before startStatement");
    const batch: RowBatch = { rowIds: [], rows: [] };
    const { txn, rel } = this;
    const wanted = this.options.wanted;
    const reads = txn.reads;
    const memo = new VisibilityMemo(txn);
    this.store.view((r) => {
      this.#done = this.#fill(r, this.#batchRows, (rowId, tuple) => {
        if (!memo.visible(readHeader(tuple, header))) return;
        batch.rowIds.push(rowId);
        batch.rows.push(decodeRow(rel.types, tuple, tupleHeaderBytes, wanted));
        reads?.row(rel.id, rowId);
      });
    });
    return batch;
  }

  /** Collects every remaining row (for tests and small relations). */
  all(): RowBatch {
    const out: RowBatch = { rowIds: [], rows: [] };
    for (let b = this.next(); b !== null; b = this.next()) {
      out.rowIds.push(...b.rowIds);
      out.rows.push(...b.rows);
    }
    return out;
  }
}

/** Opens a sequential scan of the versions visible to `txn`. */
export function openHeapScan(
  store: TxnStore,
  txn: Txn,
  rel: RelationDef,
  options: ScanOptions = {},
): RowCursor {
  txn.reads?.relation(rel.id);
  const cursor = new HeapCursor(rel.heap);
  return new RowCursor(store, txn, rel, options, (r, max, visit) => {
    cursor.next(r, max, (rowId, tuple) => {
      visit(rowId, tuple);
      return true;
    });
    return cursor.done;
  });
}

/** Some columns of the rows visible to the scanning statement, column by column. */
export interface ColumnBatch {
  /** Rows in the batch. */
  readonly count: number;
  /** `columns[j][i]`: column `cols[j]` of row `i`. */
  readonly columns: Value[][];
}

/**
 * A batched sequential scan decoding only some columns into one array per
 * column (no row arrays, no row ids); `next()` returns null once exhausted.
 */
export class ColumnCursor {
  readonly #heap: HeapCursor;
  readonly #batchRows: number;

  /** Use `Tables.scanColumns` to open cursors. */
  constructor(
    readonly store: TxnStore,
    readonly txn: Txn,
    readonly rel: RelationDef,
    /** Column numbers, strictly ascending. */
    readonly cols: readonly number[],
    /** Values of columns added after a row was stored. */
    readonly missing: readonly Value[],
    batchRows: number,
  ) {
    assert(
      cols.every((c, i) => c >= 0 && c < rel.types.length && (i === 0 || c > cols[i - 1]!)),
      "Column scan needs ascending columns of the relation",
    );
    this.#heap = new HeapCursor(rel.heap);
    this.#batchRows = Math.max(1, Math.min(batchRows, batchRowsMax));
  }

  /**
   * Reads the next batch (possibly empty when a whole batch of versions was invisible).
   * @returns the batch, or null when the scan is over
   * @throws {CorruptError} XX001 on malformed pages or tuples
   */
  next(): ColumnBatch | null {
    if (this.#heap.done) return null;
    assert(this.txn.snapshot !== null, "Scan before startStatement");
    const { txn, rel, cols, missing } = this;
    const columns: Value[][] = cols.map(() => []);
    const reads = txn.reads;
    const memo = new VisibilityMemo(txn);
    let count = 0;
    this.store.view((r) => {
      this.#heap.nextSpans(r, this.#batchRows, (rowId, bytes, start, end) => {
        if (!memo.visible(readHeaderAt(bytes, start, end, header))) return true;
        decodeColumns(rel.types, bytes, start + tupleHeaderBytes, end, cols, columns, missing);
        count++;
        reads?.row(rel.id, rowId);
        return true;
      });
    });
    return { count, columns };
  }
}

/** Opens a sequential scan of some columns of the versions visible to `txn`. */
export function openColumnScan(
  store: TxnStore,
  txn: Txn,
  rel: RelationDef,
  cols: readonly number[],
  missing: readonly Value[],
  batchRows = batchRowsMax,
): ColumnCursor {
  txn.reads?.relation(rel.id);
  return new ColumnCursor(store, txn, rel, cols, missing, batchRows);
}

/** Converts value bounds on a prefix of the index columns to a byte range of keys. */
export function keyRange(index: IndexDef, bounds: IndexBounds): ScanRange | null {
  let lower: Uint8Array | undefined;
  let upper: Uint8Array | undefined;
  let upperInclusive = false;
  let lowerKey: Uint8Array | undefined;
  if (bounds.lower !== undefined) {
    const p = encodeKey(bounds.lower, index.keyColumns);
    lowerKey = p;
    if (bounds.lowerInclusive ?? true) lower = p;
    else {
      lower = prefixSuccessor(p);
      if (lower === undefined) return null;
    }
  }
  if (bounds.upper !== undefined) {
    // Point lookups pass the same values as both bounds: encode them once.
    const p = bounds.upper === bounds.lower && lowerKey !== undefined
      ? lowerKey
      : encodeKey(bounds.upper, index.keyColumns);
    if (bounds.upperInclusive ?? true) upper = prefixSuccessor(p);
    else upper = p;
  }
  if (upper === undefined) upperInclusive = true;
  return {
    ...(lower === undefined ? {} : { lower }),
    ...(upper === undefined ? {} : { upper }),
    lowerInclusive: true,
    upperInclusive,
    reverse: bounds.reverse ?? false,
  };
}

/** Opens an index range scan returning the visible versions in index order. */
export function openIndexScan(
  store: TxnStore,
  txn: Txn,
  rel: RelationDef,
  indexNo: number,
  bounds: IndexBounds,
  options: ScanOptions = {},
): RowCursor {
  const index = rel.indexes[indexNo];
  assert(index !== undefined, `Relation ${rel.name} has no index ${indexNo}`);
  const range = keyRange(index, bounds);
  if (range === null) return new RowCursor(store, txn, rel, options, () => true);
  txn.reads?.range(rel.id, toKeyRange(indexNo, range));
  const cursor = new BTreeCursor(index.root, range);
  return new RowCursor(store, txn, rel, options, (r, max, visit) => {
    cursor.next(r, max, (key) => {
      const rowId = rowIdOfKey(key);
      visitHotChain(r, rel, rowId, fetchTuple(r, rel, rowId), (id, tuple) => {
        visit(id, tuple);
        return true;
      });
      return true;
    });
    return cursor.done;
  });
}

/** Index entries a point lookup reads in one `view` before leaving the rest to a cursor. */
const lookupEntriesMax = 64;

/**
 * The visible versions whose leading index columns equal `key`, read in one
 * `view` with no cursor and no copies of index keys: the fast path of
 * primary-key and unique lookups.
 * @returns the rows, or null when the caller must use `openIndexScan`
 * (SERIALIZABLE transactions, which record the key range they read, and keys
 * with more versions than `maxEntries` or a few dozen)
 * @throws {DbError} 42804 when a value does not fit its key column
 */
export function lookupRows(
  store: TxnStore,
  txn: Txn,
  rel: RelationDef,
  indexNo: number,
  key: readonly Value[],
  maxEntries = lookupEntriesMax,
  wanted?: readonly boolean[],
): RowBatch | null {
  if (txn.isolation === "serializable") return null;
  assert(txn.snapshot !== null, "Lookup before startStatement");
  const index = rel.indexes[indexNo];
  assert(index !== undefined, `Relation ${rel.name} has no index ${indexNo}`);
  const prefix = encodeKeyScratch(key, index.keyColumns);
  const batch: RowBatch = { rowIds: [], rows: [] };
  const complete = store.view((r) =>
    btreePrefixKeys(
      r,
      index.root,
      prefix,
      Math.min(maxEntries, lookupEntriesMax),
      (d, start, length) => {
        let rowId = 0;
        for (let i = start + length - rowIdSuffixBytes; i < start + length; i++) {
          rowId = rowId * 256 + d[i]!;
        }
        // In place: decodeRow copies every value out before the view ends.
        const tuple = heapView(r, rel.heap, rowId);
        if (tuple === undefined) {
          throw new CorruptError(`Index entry of ${rel.name} points to missing row ${rowId}`);
        }
        if ((tupleFlags(tuple) & hotUpdatedFlag) === 0) {
          if (!tupleVisible(txn, tuple)) return;
          batch.rowIds.push(rowId);
          batch.rows.push(decodeRow(rel.types, tuple, tupleHeaderBytes, wanted));
          return;
        }
        visitHotChain(r, rel, rowId, tuple, (id, t) => {
          if (!tupleVisible(txn, t)) return true;
          batch.rowIds.push(id);
          batch.rows.push(decodeRow(rel.types, t, tupleHeaderBytes, wanted));
          // At most one version of a row is visible to a snapshot.
          return false;
        });
      },
    )
  );
  return complete ? batch : null;
}

function toKeyRange(index: number, range: ScanRange): KeyRange {
  return {
    index,
    ...(range.lower === undefined ? {} : { lower: range.lower }),
    ...(range.upper === undefined ? {} : { upper: range.upper }),
    lowerInclusive: range.lowerInclusive ?? true,
    upperInclusive: range.upperInclusive ?? true,
  };
}

const chainHeader = newHeader();

/**
 * Visits the version `rowId` (whose tuple is `tuple`) and then the heap-only
 * versions its HOT chain leads to, oldest first, until `visit` returns false.
 * A link counts only when the next version is heap-only and was made by the
 * transaction that updated the previous one (a slot freed by vacuum may hold
 * an unrelated row by now). Later versions are views of their page, valid
 * only during the caller's `view` or `update`.
 */
export function visitHotChain(
  r: PageReader,
  rel: RelationDef,
  rowId: number,
  tuple: Uint8Array,
  visit: (rowId: number, tuple: Uint8Array) => boolean,
): void {
  let id = rowId;
  let t = tuple;
  // Past its first hop a chain stays on one page, which has fewer than 65536 slots.
  for (let hops = 0; hops < 65536; hops++) {
    if (!visit(id, t)) return;
    if ((tupleFlags(t) & hotUpdatedFlag) === 0) return;
    readHeader(t, chainHeader);
    const updater = chainHeader.xmax;
    const next = chainHeader.next;
    // In place: callers read the versions only while their view lasts.
    const n = next === 0 ? undefined : heapView(r, rel.heap, next);
    if (n === undefined || (tupleFlags(n) & heapOnlyFlag) === 0) return;
    if (readHeader(n, chainHeader).xmin !== updater) return;
    id = next;
    t = n;
  }
}

/**
 * Reads the tuple of a version an index entry points to.
 * @throws {CorruptError} XX001 when the entry points to no row
 */
export function fetchTuple(r: PageReader, rel: RelationDef, rowId: number): Uint8Array {
  const tuple = heapGet(r, rel.heap, rowId);
  if (tuple === undefined) {
    throw new CorruptError(`Index entry of ${rel.name} points to missing row ${rowId}`);
  }
  return tuple;
}

/**
 * Reads one version by row id if it is visible to `txn`.
 * @returns its values, or null when invisible or gone
 */
export function fetchVisible(
  store: TxnStore,
  txn: Txn,
  rel: RelationDef,
  rowId: number,
): Value[] | null {
  assert(txn.snapshot !== null, "Fetch before startStatement");
  txn.reads?.row(rel.id, rowId);
  return store.view((r) => {
    const tuple = heapGet(r, rel.heap, rowId);
    if (tuple === undefined || !tupleVisible(txn, tuple)) return null;
    return decodeRow(rel.types, tuple, tupleHeaderBytes);
  });
}
