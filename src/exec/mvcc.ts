/**
 * In-memory MVCC transaction manager used by the executor until the `txn/`
 * relation layer is wired in: transaction ids, commit sequence numbers,
 * snapshots, subtransactions for savepoints, waiting on row locks with
 * deadlock detection, and a table-level serializable (SSI) check.
 * @module
 */
import { DbError, TxnConflictError } from "../common/errors.ts";

/** Isolation levels as PostgreSQL names them. */
export type Isolation = "read committed" | "repeatable read" | "serializable";

/** A redo operation recorded for the commit log. */
export type RedoOp =
  | { readonly op: "ins"; readonly rel: number; readonly id: number; readonly values: unknown[] }
  | { readonly op: "del"; readonly rel: number; readonly id: number }
  | { readonly op: "ddl"; readonly sql: string }
  | { readonly op: "trunc"; readonly rel: number };

/** Commit-sequence snapshot: a transaction is visible when it committed at or before `csn`. */
export interface Snapshot {
  readonly csn: number;
}

/** One transaction (top level), with its subtransaction stack for savepoints. */
export class Txn {
  /** Xid stamped on rows written now (the innermost subtransaction). */
  writeXid: number;
  /** Command id: rows written by this transaction with a lower cid are visible. */
  cid = 0;
  snapshot: Snapshot | null = null;
  readonly redo: RedoOp[] = [];
  readonly subxids: number[] = [];
  readonly reads = new Set<number>();
  readonly writes = new Set<number>();
  readonly done: Promise<void>;
  resolveDone!: () => void;
  state: "active" | "committed" | "aborted" = "active";
  /** Set while waiting for a row lock: interrupts the wait (cancel, timeout). */
  interruptWait: ((error: Error) => void) | null = null;
  constructor(readonly xid: number, readonly isolation: Isolation, readonly readOnly: boolean) {
    this.writeXid = xid;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }
}

interface CommittedSsi {
  readonly csn: number;
  readonly startCsn: number;
  readonly reads: ReadonlySet<number>;
  readonly writes: ReadonlySet<number>;
}

/** Allocates xids, tracks their outcome, and decides visibility. */
export class TxnManager {
  #nextXid = 1;
  #csn = 0;
  /** Commit csn by top-level xid; absent means in progress or aborted. */
  readonly #commitCsn = new Map<number, number>();
  readonly #aborted = new Set<number>();
  /** Subtransaction xid → top-level xid. */
  readonly #top = new Map<number, number>();
  readonly #active = new Map<number, Txn>();
  readonly #waitsFor = new Map<number, number>();
  #ssi: CommittedSsi[] = [];

  /** Starts a transaction. */
  begin(isolation: Isolation = "read committed", readOnly = false): Txn {
    const txn = new Txn(this.#nextXid++, isolation, readOnly);
    this.#active.set(txn.xid, txn);
    return txn;
  }

  /** Used by recovery: makes every xid seen so far committed. */
  get currentCsn(): number {
    return this.#csn;
  }

  /** Takes a snapshot for a statement (read committed) or the first statement. */
  snapshotFor(txn: Txn): Snapshot {
    if (txn.isolation === "read committed" || txn.snapshot === null) {
      txn.snapshot = { csn: this.#csn };
    }
    return txn.snapshot;
  }

  /** Opens a subtransaction (savepoint); returns its xid. */
  beginSub(txn: Txn): number {
    const sub = this.#nextXid++;
    this.#top.set(sub, txn.xid);
    txn.subxids.push(sub);
    txn.writeXid = sub;
    return sub;
  }

  /** Aborts the subtransactions from `sub` on (ROLLBACK TO). */
  abortSubsFrom(txn: Txn, sub: number): void {
    const at = txn.subxids.indexOf(sub);
    if (at < 0) return;
    for (const x of txn.subxids.splice(at)) this.#aborted.add(x);
    txn.writeXid = txn.subxids.at(-1) ?? txn.xid;
  }

  /** Releases subtransactions from `sub` on into their parent (RELEASE). */
  releaseSubsFrom(txn: Txn, sub: number): void {
    const at = txn.subxids.indexOf(sub);
    if (at < 0) return;
    // Released subtransactions stay mapped to the top xid and count as the parent's writes.
    txn.subxids.splice(at);
    txn.writeXid = txn.subxids.at(-1) ?? txn.xid;
  }

  /** Top-level xid of an xid (itself for top-level ones). */
  topOf(xid: number): number {
    return this.#top.get(xid) ?? xid;
  }

  /** True when the xid (or its subtransaction) aborted. */
  isAborted(xid: number): boolean {
    return this.#aborted.has(xid) || this.#aborted.has(this.topOf(xid));
  }

  /** True when the xid belongs to `txn` and was not rolled back. */
  isMine(xid: number, txn: Txn): boolean {
    return this.topOf(xid) === txn.xid && !this.#aborted.has(xid);
  }

  /** True when the xid committed at or before the snapshot. */
  committedBefore(xid: number, snap: Snapshot): boolean {
    if (this.#aborted.has(xid)) return false;
    const c = this.#commitCsn.get(this.topOf(xid));
    return c !== undefined && c <= snap.csn;
  }

  /** True when the xid committed at all. */
  isCommitted(xid: number): boolean {
    return !this.#aborted.has(xid) && this.#commitCsn.has(this.topOf(xid));
  }

  /** The running transaction owning an xid, if any. */
  activeOwner(xid: number): Txn | undefined {
    return this.#active.get(this.topOf(xid));
  }

  /**
   * Waits until `holder` ends, after checking that waiting cannot deadlock.
   * @throws {TxnConflictError} 40P01 when the wait would close a cycle
   */
  async waitFor(waiter: Txn, holder: Txn): Promise<void> {
    let at: number | undefined = holder.xid;
    const seen = new Set<number>();
    while (at !== undefined && !seen.has(at)) {
      if (at === waiter.xid) throw new TxnConflictError("40P01", "deadlock detected");
      seen.add(at);
      at = this.#waitsFor.get(at);
    }
    this.#waitsFor.set(waiter.xid, holder.xid);
    const interrupted = new Promise<never>((_resolve, reject) => (waiter.interruptWait = reject));
    try {
      await Promise.race([holder.done, interrupted]);
    } finally {
      waiter.interruptWait = null;
      this.#waitsFor.delete(waiter.xid);
    }
  }

  /**
   * Checks the serializable rule at commit: a transaction that both read what a
   * concurrent committed one wrote and wrote what it read forms a cycle.
   * @throws {TxnConflictError} 40001
   */
  checkSerializable(txn: Txn): void {
    if (txn.isolation !== "serializable" || txn.snapshot === null) return;
    for (const other of this.#ssi) {
      if (other.csn <= txn.snapshot.csn) continue;
      const inConflict = [...other.writes].some((r) => txn.reads.has(r));
      const outConflict = [...txn.writes].some((r) => other.reads.has(r));
      if (inConflict && outConflict) {
        throw new TxnConflictError(
          "40001",
          "could not serialize access due to read/write dependencies among transactions",
        );
      }
    }
  }

  /** Marks the transaction committed; returns its commit sequence number. */
  commit(txn: Txn): number {
    if (txn.state !== "active") throw new DbError("25000", "Transaction is not active");
    const csn = ++this.#csn;
    this.#commitCsn.set(txn.xid, csn);
    txn.state = "committed";
    this.#active.delete(txn.xid);
    if (txn.isolation === "serializable" && txn.writes.size > 0) {
      this.#ssi.push({
        csn,
        startCsn: txn.snapshot?.csn ?? csn,
        reads: txn.reads,
        writes: txn.writes,
      });
    }
    this.#pruneSsi();
    txn.resolveDone();
    return csn;
  }

  /** Marks the transaction aborted. */
  abort(txn: Txn): void {
    if (txn.state !== "active") return;
    this.#aborted.add(txn.xid);
    txn.state = "aborted";
    this.#active.delete(txn.xid);
    txn.resolveDone();
  }

  /** The oldest snapshot any running transaction may still use. */
  oldestSnapshotCsn(): number {
    let min = this.#csn;
    for (const t of this.#active.values()) {
      if (t.snapshot && t.snapshot.csn < min) min = t.snapshot.csn;
      if (!t.snapshot) continue;
    }
    return min;
  }

  #pruneSsi(): void {
    if (this.#ssi.length === 0) return;
    let oldest = this.#csn;
    for (const t of this.#active.values()) {
      if (t.isolation === "serializable") oldest = Math.min(oldest, t.snapshot?.csn ?? this.#csn);
    }
    this.#ssi = this.#ssi.filter((s) => s.csn > oldest);
  }
}
