/**
 * Row locks and waits between transactions, with deadlock detection.
 *
 * Row locks live in memory only: they belong to running transactions, and a
 * crash ends every running transaction. A lock is held until its owner ends,
 * so waiting for a lock means waiting for a holder's `done` promise and then
 * trying again. Each waiting owner records what it waits for; the waits-for
 * graph is derived from those targets and the current holders, and it is
 * searched for a cycle whenever a wait starts, so a deadlock is reported
 * (40P01) to the transaction that closes the cycle, at once.
 * @module
 */

import { DbError, TxnConflictError } from "../common/errors.ts";

/** PostgreSQL's four row-lock strengths, weakest first. */
export type RowLockMode = "keyShare" | "share" | "noKeyUpdate" | "update";
/** What to do when a lock is held by someone else. */
export type WaitPolicy = "wait" | "nowait" | "skipLocked";

const modeBit: Record<RowLockMode, number> = { keyShare: 1, share: 2, noKeyUpdate: 4, update: 8 };
/** For each mode, the held modes it conflicts with (PostgreSQL's row-lock matrix). */
const conflictMask: Record<RowLockMode, number> = {
  keyShare: 8,
  share: 4 | 8,
  noKeyUpdate: 2 | 4 | 8,
  update: 1 | 2 | 4 | 8,
};

/** What an owner is blocked on. */
export type WaitTarget =
  | { readonly kind: "lock"; readonly lock: RowLock; readonly mode: RowLockMode }
  | { readonly kind: "owner"; readonly owner: LockOwner };

/** A transaction as the lock manager sees it. */
export interface LockOwner {
  /** Resolves when the owner commits or aborts (its locks are gone by then). */
  readonly done: Promise<void>;
  /** What the owner waits for, null when running. */
  waitTarget: WaitTarget | null;
  /** Locks to release when the owner ends. */
  readonly heldLocks: RowLock[];
  /** Set while waiting: rejects the wait (statement cancel, lock timeout, transaction end). */
  cancelWait: ((reason: unknown) => void) | null;
  /** True once the owner committed or aborted: it must not take locks any more. */
  readonly ended: boolean;
}

/**
 * The lock on one row version. Most locks have one holder (an UPDATE's
 * transaction): it is kept in two fields, and a map is made only for the
 * second holder (shared locks), so the common lock allocates no map.
 */
export class RowLock {
  #first: LockOwner | null = null;
  #firstModes = 0;
  /** Holders after the first and the bit set of modes each holds. */
  #more: Map<LockOwner, number> | null = null;

  /** Creates the lock of version `rowId` of relation `relId`. */
  constructor(readonly relId: number, readonly rowId: number) {}

  /** Number of holders. */
  get holderCount(): number {
    return (this.#first === null ? 0 : 1) + (this.#more?.size ?? 0);
  }

  /** The modes `owner` holds (a bit set), 0 when none. */
  modesOf(owner: LockOwner): number {
    if (owner === this.#first) return this.#firstModes;
    return this.#more?.get(owner) ?? 0;
  }

  /** Sets the modes `owner` holds (a non-empty bit set). */
  setModes(owner: LockOwner, modes: number): void {
    if (owner === this.#first || this.#first === null) {
      this.#first = owner;
      this.#firstModes = modes;
    } else (this.#more ??= new Map()).set(owner, modes);
  }

  /** Removes `owner` from the holders. */
  release(owner: LockOwner): void {
    if (owner !== this.#first) {
      this.#more?.delete(owner);
      return;
    }
    this.#first = null;
    this.#firstModes = 0;
    const more = this.#more;
    if (more === null || more.size === 0) return;
    // The next holder moves into the fields.
    for (const [holder, modes] of more) {
      this.#first = holder;
      this.#firstModes = modes;
      more.delete(holder);
      return;
    }
  }

  /** True when a holder other than `owner` holds a mode conflicting with `mode`. */
  conflicts(owner: LockOwner, mode: RowLockMode): boolean {
    const mask = conflictMask[mode];
    const first = this.#first;
    if (first !== null && first !== owner && (this.#firstModes & mask) !== 0) return true;
    if (this.#more === null) return false;
    for (const [holder, held] of this.#more) {
      if (holder !== owner && (held & mask) !== 0) return true;
    }
    return false;
  }

  /** Holders other than `owner` whose modes conflict with `mode`. */
  blockers(owner: LockOwner, mode: RowLockMode): LockOwner[] {
    const mask = conflictMask[mode];
    const out: LockOwner[] = [];
    const first = this.#first;
    if (first !== null && first !== owner && (this.#firstModes & mask) !== 0) out.push(first);
    if (this.#more === null) return out;
    for (const [holder, held] of this.#more) {
      if (holder !== owner && (held & mask) !== 0) out.push(holder);
    }
    return out;
  }
}

/**
 * The row locks of one relation. The first is kept in a field and only
 * further ones go to a map: an autocommit UPDATE locks one row, and a map
 * going from one entry to none on every statement reallocates its table
 * (V8 shrinks a map's table on a delete that leaves it nearly empty).
 */
class RelationLocks {
  #one: RowLock | null = null;
  readonly #many = new Map<number, RowLock>();

  /** Number of locks. */
  get size(): number {
    return (this.#one === null ? 0 : 1) + this.#many.size;
  }

  /** The lock of version `rowId`, if any. */
  get(rowId: number): RowLock | undefined {
    const one = this.#one;
    if (one !== null && one.rowId === rowId) return one;
    return this.#many.size === 0 ? undefined : this.#many.get(rowId);
  }

  /** Adds the lock of a version that has none. */
  add(lock: RowLock): void {
    if (this.#one === null) this.#one = lock;
    else this.#many.set(lock.rowId, lock);
  }

  /** Removes `lock`; false when it is not this relation's lock of its version. */
  remove(lock: RowLock): boolean {
    if (this.#one === lock) {
      this.#one = null;
      return true;
    }
    if (this.#many.get(lock.rowId) !== lock) return false;
    this.#many.delete(lock.rowId);
    return true;
  }
}

/** Relations whose empty lock tables are kept for reuse. */
const emptyTablesKept = 64;

/** The row-lock table. */
export class LockManager {
  readonly #tables = new Map<number, RelationLocks>();

  /**
   * Takes a row lock, waiting per `policy`.
   * @param relName the relation's name, for the NOWAIT error message
   * @returns true when the lock is held, false when skipped (SKIP LOCKED)
   * @throws {DbError} 55P03 with NOWAIT when another transaction holds a conflicting lock
   * @throws {TxnConflictError} 40P01 when waiting would close a cycle of waits
   * @throws whatever `cancelWait` is called with while waiting
   */
  async lock(
    owner: LockOwner,
    target: { relId: number; rowId: number; relName: string },
    mode: RowLockMode,
    policy: WaitPolicy,
  ): Promise<boolean> {
    for (;;) {
      const lock = this.#lockFor(target.relId, target.rowId);
      const blockers = lock.blockers(owner, mode);
      if (blockers.length === 0) {
        this.#grant(owner, lock, mode);
        return true;
      }
      if (policy === "nowait") {
        throw new DbError("55P03", `could not obtain lock on row in relation "${target.relName}"`);
      }
      if (policy === "skipLocked") {
        this.#dropIfUnused(lock);
        return false;
      }
      await this.#waitOn(owner, { kind: "lock", lock, mode }, blockers[0]!);
    }
  }

  /**
   * Takes a row lock only if no wait is needed.
   * @returns true when granted
   */
  tryLock(owner: LockOwner, relId: number, rowId: number, mode: RowLockMode): boolean {
    const lock = this.#lockFor(relId, rowId);
    if (lock.conflicts(owner, mode)) {
      this.#dropIfUnused(lock);
      return false;
    }
    this.#grant(owner, lock, mode);
    return true;
  }

  /**
   * Waits until `holder` ends (used when a unique check meets an uncommitted inserter).
   * @throws {TxnConflictError} 40P01 when the wait would deadlock
   */
  async waitForOwner(waiter: LockOwner, holder: LockOwner): Promise<void> {
    if (waiter === holder) return;
    await this.#waitOn(waiter, { kind: "owner", owner: holder }, holder);
  }

  /** Releases every lock of `owner` (at commit or abort). */
  releaseAll(owner: LockOwner): void {
    for (const lock of owner.heldLocks) {
      lock.release(owner);
      this.#dropIfUnused(lock);
    }
    owner.heldLocks.length = 0;
  }

  /** Number of rows currently locked (for tests and monitoring). */
  get lockedRowCount(): number {
    let n = 0;
    for (const t of this.#tables.values()) n += t.size;
    return n;
  }

  async #waitOn(owner: LockOwner, target: WaitTarget, first: LockOwner): Promise<void> {
    owner.waitTarget = target;
    if (this.#closesCycle(owner)) {
      owner.waitTarget = null;
      if (target.kind === "lock") this.#dropIfUnused(target.lock);
      throw new TxnConflictError("40P01", "deadlock detected");
    }
    try {
      await new Promise<void>((resolve, reject) => {
        owner.cancelWait = reject;
        first.done.then(resolve);
      });
    } finally {
      owner.waitTarget = null;
      owner.cancelWait = null;
    }
    if (owner.ended) {
      throw new DbError(
        "25P02",
        "current transaction is aborted, commands ignored until end of transaction block",
      );
    }
  }

  /** Depth-first search of the waits-for graph from `start`'s blockers back to `start`. */
  #closesCycle(start: LockOwner): boolean {
    const seen = new Set<LockOwner>();
    const stack: LockOwner[] = [...edges(start)];
    while (stack.length > 0) {
      const o = stack.pop()!;
      if (o === start) return true;
      if (seen.has(o)) continue;
      seen.add(o);
      for (const next of edges(o)) stack.push(next);
    }
    return false;
  }

  #lockFor(relId: number, rowId: number): RowLock {
    let table = this.#tables.get(relId);
    if (table === undefined) {
      table = new RelationLocks();
      this.#tables.set(relId, table);
    }
    let lock = table.get(rowId);
    if (lock === undefined) {
      lock = new RowLock(relId, rowId);
      table.add(lock);
    }
    return lock;
  }

  #grant(owner: LockOwner, lock: RowLock, mode: RowLockMode): void {
    const held = lock.modesOf(owner);
    if (held === 0) owner.heldLocks.push(lock);
    lock.setModes(owner, held | modeBit[mode]);
  }

  #dropIfUnused(lock: RowLock): void {
    if (lock.holderCount > 0) return;
    const table = this.#tables.get(lock.relId);
    if (table?.remove(lock)) {
      // An empty table stays while there are few (autocommit writes would
      // otherwise make one per statement); past that, a table goes when it empties.
      if (table.size === 0 && this.#tables.size > emptyTablesKept) this.#tables.delete(lock.relId);
    }
  }
}

function edges(owner: LockOwner): LockOwner[] {
  const t = owner.waitTarget;
  if (t === null) return [];
  return t.kind === "lock" ? t.lock.blockers(owner, t.mode) : [t.owner];
}
