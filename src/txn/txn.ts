/**
 * One transaction: its isolation level, xids (top-level and one per
 * savepoint, assigned on first write), command ids, snapshot, row locks and
 * read/write sets. Created and ended by `TxnManager`.
 * @module
 */

import { type Clog, XidStatus } from "./clog.ts";
import type { LockOwner, RowLock, WaitTarget } from "./lock_manager.ts";
import { ReadSet, WriteSet } from "./ssi.ts";

/** SQL isolation levels (READ UNCOMMITTED behaves as READ COMMITTED, as in PostgreSQL). */
export type IsolationLevel = "read committed" | "repeatable read" | "serializable";

/** Lifecycle of a transaction. */
export type TxnState = "active" | "committing" | "committed" | "aborted";

/**
 * Which transactions' effects a statement (READ COMMITTED) or a transaction
 * (REPEATABLE READ, SERIALIZABLE) sees: those that committed before it was
 * taken. `xip` lists the xids running at that moment (null when none).
 */
export class Snapshot {
  /** Creates a snapshot; `TxnManager` takes them. */
  constructor(
    readonly xmin: number,
    readonly xmax: number,
    readonly xip: ReadonlySet<number> | null,
  ) {}

  /** True when `xid` had finished (committed or aborted) when the snapshot was taken. */
  finished(xid: number): boolean {
    if (xid >= this.xmax) return false;
    return this.xip === null || xid < this.xmin || !this.xip.has(xid);
  }
}

/** A savepoint: its name and the subtransaction xid its writes carry (0 until the first write). */
export interface Savepoint {
  /** Savepoint name. */
  readonly name: string;
  /** Subtransaction xid (0 until its first write). */
  xid: number;
  /** Xids of savepoints released into this one; rolled back with it. */
  readonly carried: number[];
}

/** The xids of a transaction that never wrote. */
const noXids: ReadonlySet<number> = new Set();

/** A transaction. Use `TxnManager` to begin, commit and abort it. */
export class Txn implements LockOwner {
  /** Lifecycle state. */
  state: TxnState = "active";
  /** Set after an error: statements are refused until ROLLBACK or ROLLBACK TO SAVEPOINT. */
  failed = false;
  /** Top-level xid; 0 while the transaction has not written. */
  xid = 0;
  /**
   * Live xids of this transaction (top-level and subtransactions not rolled
   * back). Made on the first write: most transactions never write.
   */
  #ownXids: Set<number> | null = null;
  /** Every xid ever assigned to this transaction, rolled-back subtransactions included. */
  readonly allXids: number[] = [];
  /** Open savepoints, innermost last. */
  readonly savepoints: Savepoint[] = [];
  /** Position in the manager's list of active transactions (-1 once ended). */
  activeSlot = -1;
  /** Command id of the running statement; rows it writes carry it. */
  cid = 0;
  /** Command id the next statement gets. */
  nextCid = 0;
  /** Snapshot of the running statement (READ COMMITTED) or transaction. */
  snapshot: Snapshot | null = null;
  /** What the transaction read; consulted only under SERIALIZABLE. */
  #reads: ReadSet | null = null;
  #writes: WriteSet | null = null;
  /** Row locks held until the end. */
  readonly heldLocks: RowLock[] = [];
  /** What the transaction waits for, null when running. */
  waitTarget: WaitTarget | null = null;
  cancelWait: ((reason: unknown) => void) | null = null;
  #done: Promise<void> | null = null;
  #resolveDone: (() => void) | null = null;
  #finished = false;

  /** Use `TxnManager.begin` to create transactions. */
  constructor(
    readonly id: number,
    public isolation: IsolationLevel,
    public readOnly: boolean,
    readonly clog: Clog,
  ) {}

  /**
   * Resolves when the transaction ends. Made on first use: most transactions
   * (autocommit statements) end without anyone waiting for them.
   */
  get done(): Promise<void> {
    if (this.#done === null) {
      this.#done = this.#finished
        ? Promise.resolve()
        : new Promise<void>((r) => (this.#resolveDone = r));
    }
    return this.#done;
  }

  /** Called once when the transaction ends: resolves `done`. */
  finish(): void {
    this.#finished = true;
    this.#resolveDone?.();
    this.#resolveDone = null;
  }

  /** Live xids of this transaction (top-level and subtransactions not rolled back). */
  get ownXids(): ReadonlySet<number> {
    return this.#ownXids ?? noXids;
  }

  /** Records a newly assigned xid (the transaction manager's bookkeeping). */
  addOwnXid(xid: number): void {
    (this.#ownXids ??= new Set()).add(xid);
    this.allXids.push(xid);
  }

  /** Forgets a rolled-back subtransaction's xid (it stays in `allXids`). */
  dropOwnXid(xid: number): void {
    this.#ownXids?.delete(xid);
  }

  /** The read set to record into: only SERIALIZABLE transactions track reads. */
  get reads(): ReadSet | null {
    if (this.isolation !== "serializable") return null;
    return this.#reads ??= new ReadSet();
  }

  /**
   * The write set to record into, for the validation of concurrent
   * SERIALIZABLE transactions: like PostgreSQL's SSI, only SERIALIZABLE
   * transactions track their writes (a READ COMMITTED or REPEATABLE READ
   * writer causes no read/write-dependency failures), so the others record
   * nothing. The isolation level cannot change once the transaction wrote.
   */
  get writes(): WriteSet | null {
    if (this.isolation !== "serializable") return null;
    return this.#writes ??= new WriteSet();
  }

  /** True once committed or aborted. */
  get ended(): boolean {
    return this.state === "committed" || this.state === "aborted";
  }

  /** True for REPEATABLE READ and SERIALIZABLE: one snapshot for the whole transaction. */
  get transactionSnapshot(): boolean {
    return this.isolation !== "read committed";
  }

  /** The xid the current (sub)transaction writes with, 0 when none assigned yet. */
  get currentXid(): number {
    const n = this.savepoints.length;
    return n === 0 ? this.xid : this.savepoints[n - 1]!.xid;
  }

  /**
   * Whether a change stamped (xid, cid) is in effect for the running statement:
   * own live changes from earlier commands, or others' changes that committed
   * before the snapshot. Allocation-free; called for every tuple.
   */
  sees(xid: number, cid: number): boolean {
    const own = this.#ownXids;
    if (own !== null && own.has(xid)) return cid < this.cid;
    const snap = this.snapshot!;
    if (!snap.finished(xid)) return false;
    return this.clog.status(xid) === XidStatus.committed;
  }

  /**
   * MVCC visibility of a tuple version with header (xmin, cmin, xmax, cmax);
   * xmax 0 means never deleted.
   */
  visible(xmin: number, cmin: number, xmax: number, cmax: number): boolean {
    if (!this.sees(xmin, cmin)) return false;
    return xmax === 0 || !this.sees(xmax, cmax);
  }
}
