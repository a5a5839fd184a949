/**
 * Read and write sets for SERIALIZABLE validation.
 *
 * The scheme is snapshot isolation plus backward validation at commit: a
 * SERIALIZABLE transaction that wrote something may commit only if no
 * transaction whose effects its snapshot did not see wrote anything it read
 * (rows it read, index ranges it scanned, relations it scanned in full).
 * Validation and the registration of the committer's write set happen in one
 * synchronous step, and commits become visible in that same order, so every
 * committed SERIALIZABLE writer behaves as if it ran alone at its commit
 * point and every read-only transaction sees a prefix of that order. This
 * aborts more often than PostgreSQL's SSI (one rw-antidependency on a
 * committed writer suffices, no dangerous structure is needed) but admits no
 * anomaly.
 *
 * Writes are tracked for every transaction (a REPEATABLE READ writer can
 * invalidate a SERIALIZABLE reader); reads only for SERIALIZABLE ones. Sets
 * that grow past `trackedRowsMax` degrade to the whole relation.
 * @module
 */

import { compareBytes } from "../storage/key_codec.ts";

/** Rows tracked per relation before a set degrades to the whole relation. */
const trackedRowsMax = 10_000;

/** An index range read: keys in [lower, upper] (open bounds absent). */
export interface KeyRange {
  /** Position of the index in its relation. */
  readonly index: number;
  /** First key of the range (absent: open). */
  readonly lower?: Uint8Array;
  /** Last key of the range (absent: open). */
  readonly upper?: Uint8Array;
  /** Whether `lower` itself is in the range. */
  readonly lowerInclusive: boolean;
  /** Whether `upper` itself is in the range. */
  readonly upperInclusive: boolean;
}

interface RelReads {
  all: boolean;
  rows: Set<number>;
  ranges: KeyRange[];
}

interface RelWrites {
  all: boolean;
  rows: Set<number>;
  /** Index keys written, per index number. */
  keys: Map<number, Uint8Array[]>;
  keyCount: number;
}

/** What a SERIALIZABLE transaction read. */
export class ReadSet {
  /** Reads per relation id. */
  readonly rels = new Map<number, RelReads>();

  #rel(relId: number): RelReads {
    let r = this.rels.get(relId);
    if (r === undefined) {
      r = { all: false, rows: new Set(), ranges: [] };
      this.rels.set(relId, r);
    }
    return r;
  }

  /** Records a full scan of a relation. */
  relation(relId: number): void {
    const r = this.#rel(relId);
    r.all = true;
    r.rows.clear();
    r.ranges.length = 0;
  }

  /** Records that one row version was read. */
  row(relId: number, rowId: number): void {
    const r = this.#rel(relId);
    if (r.all) return;
    r.rows.add(rowId);
    if (r.rows.size > trackedRowsMax) this.relation(relId);
  }

  /** Records an index range scan (rows it returned are recorded with `row`). */
  range(relId: number, range: KeyRange): void {
    const r = this.#rel(relId);
    if (r.all) return;
    r.ranges.push(range);
    if (r.ranges.length > trackedRowsMax) this.relation(relId);
  }
}

/** What a transaction wrote: row versions created or deleted, and index keys inserted. */
export class WriteSet {
  /** Writes per relation id. */
  readonly rels = new Map<number, RelWrites>();

  /** True when nothing was written. */
  get empty(): boolean {
    return this.rels.size === 0;
  }

  #rel(relId: number): RelWrites {
    let w = this.rels.get(relId);
    if (w === undefined) {
      w = { all: false, rows: new Set(), keys: new Map(), keyCount: 0 };
      this.rels.set(relId, w);
    }
    return w;
  }

  /** Records a row version created, deleted or locked for update. */
  row(relId: number, rowId: number): void {
    const w = this.#rel(relId);
    if (w.all) return;
    w.rows.add(rowId);
    if (w.rows.size > trackedRowsMax) this.relation(relId);
  }

  /**
   * True while `key` keeps the keys it is given for the relation (false once
   * it degraded to the whole relation): a caller may then pass a reused buffer.
   */
  keepsKeys(relId: number): boolean {
    return this.rels.get(relId)?.all !== true;
  }

  /** Records an index key inserted for a new row version. */
  key(relId: number, index: number, key: Uint8Array): void {
    const w = this.#rel(relId);
    if (w.all) return;
    let list = w.keys.get(index);
    if (list === undefined) {
      list = [];
      w.keys.set(index, list);
    }
    list.push(key);
    if (++w.keyCount > trackedRowsMax) this.relation(relId);
  }

  /** Degrades to "wrote anything in the relation" (DDL, huge statements). */
  relation(relId: number): void {
    const w = this.#rel(relId);
    w.all = true;
    w.rows.clear();
    w.keys.clear();
  }
}

/**
 * True when `writes` touches something in `reads`.
 * @returns whether the reader must not serialize after the writer's commit
 */
export function conflicts(reads: ReadSet, writes: WriteSet): boolean {
  for (const [relId, w] of writes.rels) {
    const r = reads.rels.get(relId);
    if (r === undefined) continue;
    if (r.all || w.all) return true;
    const [small, large] = r.rows.size < w.rows.size ? [r.rows, w.rows] : [w.rows, r.rows];
    for (const rowId of small) if (large.has(rowId)) return true;
    for (const range of r.ranges) {
      const keys = w.keys.get(range.index);
      if (keys === undefined) continue;
      for (const key of keys) if (inRange(key, range)) return true;
    }
  }
  return false;
}

function inRange(key: Uint8Array, range: KeyRange): boolean {
  if (range.lower !== undefined) {
    const c = compareBytes(key, range.lower);
    if (c < 0 || (c === 0 && !range.lowerInclusive)) return false;
  }
  if (range.upper !== undefined) {
    const c = compareBytes(key, range.upper);
    if (c > 0 || (c === 0 && !range.upperInclusive)) return false;
  }
  return true;
}
