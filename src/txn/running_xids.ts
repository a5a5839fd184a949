/**
 * The running xids of a transaction manager and the transaction owning each.
 * @module
 */

import type { Txn } from "./txn.ts";

/**
 * Running xids (top-level and subtransactions) and their transactions, in
 * two parallel arrays. Few transactions run at once, and every statement
 * adds and removes one xid: a Map would reallocate its table each time it
 * empties (V8 shrinks a map's table on a delete that leaves it nearly
 * empty), while a search over a short array costs less. Taking a snapshot
 * visits every running xid anyway.
 */
export class RunningXids {
  readonly #xids: number[] = [];
  readonly #txns: Txn[] = [];

  /** Number of running xids. */
  get size(): number {
    return this.#xids.length;
  }

  /** The running xids, in no particular order (a live view: do not change it). */
  get xids(): readonly number[] {
    return this.#xids;
  }

  /** Records `xid` as running in `txn`. */
  add(xid: number, txn: Txn): void {
    this.#xids.push(xid);
    this.#txns.push(txn);
  }

  /** The transaction running `xid`, if any. */
  get(xid: number): Txn | undefined {
    const i = this.#xids.indexOf(xid);
    return i < 0 ? undefined : this.#txns[i];
  }

  /** Removes `xid` (no-op when not running): the last entry takes its place. */
  delete(xid: number): void {
    const xids = this.#xids;
    const i = xids.indexOf(xid);
    if (i < 0) return;
    const last = xids.length - 1;
    xids[i] = xids[last]!;
    this.#txns[i] = this.#txns[last]!;
    xids.pop();
    this.#txns.pop();
  }
}
