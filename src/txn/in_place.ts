/**
 * Updates in place when nobody can need the old version (like InnoDB's
 * in-place updates, without its undo-based reads of old versions: it is done
 * only when no reader could ask for one).
 *
 * An UPDATE normally writes a new version and stamps the old one's xmax, and
 * vacuum later removes the old one once no snapshot needs it. When the
 * updating transaction is the only one running, runs from its start to its
 * commit without yielding (an autocommit statement on the synchronous path)
 * and its commit needs no WAL flush (an in-memory database, so the commit is
 * visible the moment it is made), no snapshot but its own exists before the
 * commit and every snapshot after it sees the update: the old version is dead
 * to everyone at the commit, exactly what vacuum would find. The new values
 * then overwrite the old ones in the same slot (same length, no indexed value
 * changed), and the version keeps its header: xmin, links and flags are left
 * as they are, so HOT chains and redirects that lead to it stay intact. The
 * overwritten bytes are kept in `InPlaceLog` until the transaction ends, and
 * an abort writes them back before anything else can run.
 *
 * A database with a data directory never takes this path: its commit waits
 * for the WAL flush, during which a new reader would need the old version,
 * and recovery could not take back an uncommitted overwrite.
 * @module
 */

import { assert } from "../common/errors.ts";
import { inPlaceUndoBytesMax } from "../common/limits.ts";
import { heapPatchRow, heapView } from "../storage/heap/mod.ts";
import type { Mtr } from "../storage/mtr.ts";
import type { RelationDef } from "./relation.ts";
import type { Txn } from "./txn.ts";
import type { TxnStore } from "./txn_store.ts";
import { tupleHeaderBytes } from "./tuple.ts";

/** Undo bytes kept at most between two transactions (more are dropped when one ends). */
const keptBytesMax = 64 * 1024;

/**
 * The bytes in-place updates overwrote, for the one transaction that may
 * write in place at a time (it runs alone and does not yield until it ends).
 * One growing buffer and parallel arrays: no object per update.
 */
export class InPlaceLog {
  /** The transaction whose overwrites are kept, null when none. */
  #owner: Txn | null = null;
  #bytes = new Uint8Array(4096);
  #used = 0;
  /** Saved ranges: the arrays are only ever grown (emptying one costs V8 a reallocation). */
  #count = 0;
  readonly #heaps: number[] = [];
  readonly #rowIds: number[] = [];
  /** Offset in the row of each saved range; its bytes follow the previous range's in `#bytes`. */
  readonly #from: number[] = [];
  readonly #lengths: number[] = [];

  /** The transaction with overwrites to take back on abort, if any. */
  get owner(): Txn | null {
    return this.#owner;
  }

  /** True when `length` more bytes may be kept for `txn`. */
  canKeep(txn: Txn, length: number): boolean {
    if (this.#owner !== null && this.#owner !== txn) return false;
    return this.#used + length <= inPlaceUndoBytesMax;
  }

  /** Keeps `row[from, from + length)` of version `rowId` before it is overwritten. */
  keep(txn: Txn, heap: number, rowId: number, row: Uint8Array, from: number, length: number): void {
    assert(this.#owner === null || this.#owner === txn, "Two transactions update in place at once");
    this.#owner = txn;
    let bytes = this.#bytes;
    const at = this.#used;
    if (at + length > bytes.length) {
      const grown = new Uint8Array(Math.max(at + length, bytes.length * 2));
      grown.set(bytes.subarray(0, at));
      this.#bytes = bytes = grown;
    }
    for (let i = 0; i < length; i++) bytes[at + i] = row[from + i]!;
    this.#used = at + length;
    const n = this.#count++;
    this.#heaps[n] = heap;
    this.#rowIds[n] = rowId;
    this.#from[n] = from;
    this.#lengths[n] = length;
  }

  /**
   * Writes the kept bytes of `txn` back, newest first, in one logged page
   * operation, and forgets them (the transaction is aborting).
   */
  undo(store: TxnStore, txn: Txn): void {
    if (this.#owner !== txn) return;
    const bytes = this.#bytes;
    store.update((m) => {
      let end = this.#used;
      for (let i = this.#count - 1; i >= 0; i--) {
        const heap = this.#heaps[i]!;
        const rowId = this.#rowIds[i]!;
        const from = this.#from[i]!;
        const length = this.#lengths[i]!;
        const row = heapView(m, heap, rowId);
        assert(row !== undefined, `Row ${rowId} updated in place vanished before the rollback`);
        const patched = heapPatchRow(m, heap, rowId, row.length, from, length);
        assert(patched, `Row ${rowId} updated in place changed its length before the rollback`);
        end -= length;
        row.set(bytes.subarray(end, end + length), from);
      }
    });
    this.release(txn);
  }

  /** Forgets the kept bytes of `txn` (it ended). */
  release(txn: Txn): void {
    if (this.#owner !== txn) return;
    this.#owner = null;
    this.#used = 0;
    this.#count = 0;
    if (this.#bytes.length > keptBytesMax) {
      this.#bytes = new Uint8Array(4096);
      this.#heaps.length =
        this.#rowIds.length =
        this.#from.length =
        this.#lengths.length =
          0;
    }
  }
}

/**
 * Overwrites the current version `rowId` of `rel` with the values of
 * `tuple` (a new version encoded with its header, which is not written:
 * the version keeps its own), keeping the overwritten bytes in `log`. Only
 * the bytes that differ are written.
 * @returns false, having written nothing, when the stored version is not
 * inline or not of the same length, or `log` is full: write a new version
 */
export function overwriteVersion(
  m: Mtr,
  log: InPlaceLog,
  txn: Txn,
  rel: RelationDef,
  rowId: number,
  tuple: Uint8Array,
): boolean {
  const row = heapView(m, rel.heap, rowId);
  const n = tuple.length;
  if (row === undefined || row.length !== n) return false;
  let from = tupleHeaderBytes;
  while (from < n && row[from] === tuple[from]) from++;
  if (from === n) return true;
  let end = n;
  while (row[end - 1] === tuple[end - 1]) end--;
  const length = end - from;
  if (!log.canKeep(txn, length)) return false;
  if (!heapPatchRow(m, rel.heap, rowId, n, from, length)) return false;
  log.keep(txn, rel.heap, rowId, row, from, length);
  for (let i = from; i < end; i++) row[i] = tuple[i]!;
  return true;
}
