/**
 * Automatic vacuum off the commit path. A commit that finds a relation past
 * its dead-version threshold only starts a vacuum run; a timer then runs it
 * one batch (`batchRowsMax` versions) per turn of the event loop, so no
 * commit pays for a whole pass over the table. When the timer falls behind
 * (a client that never lets the event loop turn, or more dead versions than
 * the timer removes) and the threshold is crossed again while the run is
 * still going, each such commit runs one batch itself: dead versions stay
 * bounded and their space is reused either way.
 * @module
 */
import { AssertionError } from "../common/errors.ts";
import { log } from "../common/log.ts";
import type { RelationStore } from "../exec/relation_store.ts";
import type { VacuumRun } from "../txn/mod.ts";

/** The background vacuum runs of one engine. */
export class Autovacuum {
  readonly #rs: RelationStore;
  readonly #runs = new Map<number, VacuumRun>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(rs: RelationStore) {
    this.#rs = rs;
  }

  /** Relations with a run under way. */
  get pending(): number {
    return this.#runs.size;
  }

  /**
   * Called by a commit when `rel` passed its threshold: starts a run, or
   * advances the one under way by a batch (the timer fell behind).
   */
  request(rel: number): void {
    if (this.#closed) return;
    const run = this.#runs.get(rel);
    if (run === undefined) {
      this.#runs.set(rel, this.#rs.vacuumRun(rel));
      this.#schedule();
    } else this.#step(rel, run);
  }

  /** Stops the timer and drops the runs (the engine is closing). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#runs.clear();
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed || this.#runs.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      for (const [rel, run] of this.#runs) this.#step(rel, run);
      this.#schedule();
    }, 0);
  }

  /**
   * One batch of `rel`'s run; drops the run when done or when DDL changed
   * the relation (its heap or indexes may differ from the run's).
   */
  #step(rel: number, run: VacuumRun): void {
    try {
      const current = this.#rs.spec(rel) ? this.#rs.relationDef(rel) : undefined;
      if (current !== run.rel || !run.step()) this.#runs.delete(rel);
    } catch (error) {
      this.#runs.delete(rel);
      // A bug stops the engine as everywhere else.
      if (error instanceof AssertionError) throw error;
      // Like PostgreSQL's autovacuum, a failed run (I/O, a closed store) is
      // logged, not reported to the client whose commit ran it; the next
      // threshold crossing starts a new one.
      log.error("Autovacuum failed", { rel, error: String(error) });
    }
  }
}
