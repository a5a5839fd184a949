/**
 * Index keys of rows built in reused buffers (bulk inserts, index builds): a
 * fresh typed array per key costs more than the rest of a row's insert in
 * this runtime, and a running upper bound of the index's keys lets rows that
 * arrive in key order skip their unique probes.
 * @module
 */

import type { Value } from "../common/types.ts";
import { btreeScan } from "../storage/btree/mod.ts";
import { encodeKeyScratch } from "../storage/key_codec.ts";
import type { PageReader } from "../storage/mtr.ts";
import { type IndexDef, rowIdSuffixBytes } from "./relation.ts";

/**
 * One index's key of the current row, built in a reused buffer: a fresh typed
 * array per key would cost more than the rest of the insert.
 */
export class KeyBuilder {
  #buf = new Uint8Array(64);
  #views: Uint8Array[] = [];
  #values: Value[];
  #prefixBytes = 0;
  /** An upper bound of the index's keys (its first `#boundBytes` bytes; none: empty). */
  #bound = new Uint8Array(64);
  #boundBytes = 0;

  /** Builds keys of `index`; the bound starts empty (an empty index). */
  constructor(readonly index: IndexDef) {
    this.#values = index.keyColumns.map(() => null);
  }

  /** The row's key prefix (a reused view), or null when a partial index excludes the row. */
  prefix(row: readonly Value[]): Uint8Array | null {
    const index = this.index;
    if (index.predicate !== undefined && !index.predicate(row)) return null;
    if (index.keyOf) this.#values = index.keyOf(row);
    else {
      const columns = index.columns;
      for (let i = 0; i < columns.length; i++) this.#values[i] = row[columns[i]!] ?? null;
    }
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
