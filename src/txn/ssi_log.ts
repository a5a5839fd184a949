/**
 * The SERIALIZABLE bookkeeping of a transaction manager: which transactions
 * are SERIALIZABLE, and the write sets of committed ones that a running
 * SERIALIZABLE transaction may still conflict with (see `ssi.ts`).
 * @module
 */

import { conflicts, type WriteSet } from "./ssi.ts";
import type { Txn } from "./txn.ts";

/** A committed transaction's write set, kept for SERIALIZABLE validation. */
export interface CommittedWrites {
  readonly xid: number;
  readonly writes: WriteSet;
  /** True once the commit is visible (after its WAL flush). */
  published: boolean;
}

/** SERIALIZABLE transactions and the committed write sets they need. */
export class SsiLog {
  readonly #serializable = new Set<Txn>();
  #committed: CommittedWrites[] = [];

  /** Notes `txn`'s isolation level (at begin, or changed by SET TRANSACTION). */
  track(txn: Txn): void {
    if (txn.isolation === "serializable") this.#serializable.add(txn);
    else if (this.#serializable.size > 0) this.#serializable.delete(txn);
  }

  /**
   * Keeps the write set of `txn`, about to commit (none for a transaction
   * that tracks no writes or wrote nothing).
   * @returns the entry to mark published, or null
   */
  committing(txn: Txn): CommittedWrites | null {
    const writes = txn.writes;
    if (writes === null || writes.empty) return null;
    const entry: CommittedWrites = { xid: txn.xid, writes, published: false };
    this.#committed.push(entry);
    return entry;
  }

  /** Drops the entry of a commit that failed before it was logged. */
  unlog(entry: CommittedWrites | null): void {
    if (entry !== null) this.#committed = this.#committed.filter((c) => c !== entry);
  }

  /**
   * True when a transaction that committed after `txn`'s snapshot wrote
   * something `txn` read (a SERIALIZABLE transaction must then fail).
   */
  readsInvalidated(txn: Txn): boolean {
    const snap = txn.snapshot;
    const reads = txn.reads;
    if (snap === null || reads === null) return false;
    for (const c of this.#committed) {
      if (c.xid === txn.xid || snap.finished(c.xid)) continue;
      if (conflicts(reads, c.writes)) return true;
    }
    return false;
  }

  /**
   * Forgets an ended transaction and drops the write sets every live
   * SERIALIZABLE snapshot already includes.
   * @param publishing commits still waiting to be published
   */
  ended(txn: Txn, publishing: number): void {
    if (this.#serializable.size > 0) this.#serializable.delete(txn);
    if (this.#committed.length === 0) return;
    // With no commit being published every entry is published; with no
    // SERIALIZABLE transaction none is needed (the filter below would drop all).
    if (publishing === 0 && this.#serializable.size === 0) {
      this.#committed.length = 0;
      return;
    }
    this.#committed = this.#committed.filter((c) => {
      if (!c.published) return true;
      for (const s of this.#serializable) {
        if (s.snapshot === null || !s.snapshot.finished(c.xid)) return true;
      }
      return false;
    });
  }
}
