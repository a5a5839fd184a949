/**
 * What the executor needs from the session while running a plan: the row
 * store and transaction, parameters, outer rows for correlated subqueries,
 * materialized CTEs, sequences, the clock and cancellation.
 * @module
 */
import type { Value } from "../common/types.ts";
import type { Txn, TxnManager } from "../txn/mod.ts";
import type { RelationStore } from "./relation_store.ts";
import type { ReferencingAction } from "./plan.ts";

/** Sequence operations (non-transactional, as in PostgreSQL). */
export interface SequencePort {
  nextval(name: string): bigint;
  currval(name: string): bigint;
  setval(name: string, value: bigint, called: boolean): bigint;
}

/** Per-statement execution state. */
export interface ExecContext {
  /** Relations in the page store. */
  readonly rs: RelationStore;
  readonly txns: TxnManager;
  /** The running transaction (its statement was started with `txns.startStatement`). */
  readonly txn: Txn;
  readonly params: readonly Value[];
  /** Outer rows, innermost last, for correlated column references. */
  readonly outer: Value[][];
  readonly ctes: Map<number, Value[][]>;
  readonly sequences: SequencePort;
  /** Statement start time, microseconds since the epoch. */
  readonly nowMicros: bigint;
  /** Throws 57014 when the statement was cancelled. */
  checkCancel(): void;
  /** Referencing actions of a relation (for cascades). */
  referencedBy(rel: number): readonly ReferencingAction[];
  /** Rows changed per relation, for auto-analyze. */
  readonly changes: Map<number, number>;
  /** Per-node actual row counts and times for EXPLAIN ANALYZE, when collecting. */
  readonly stats: Map<object, { rows: number; ms: number; loops: number }> | null;
  /** Reads a session setting (current_setting). */
  readonly setting: (name: string) => string | undefined;
  /** Changes a session setting (set_config); `local` ends with the transaction. */
  readonly setSetting?: (name: string, value: string, local: boolean) => void;
  /**
   * Rows of a system view that is not catalog state (the function scan
   * `pg_stat_get_activity`), or undefined for other functions.
   */
  readonly systemRows?: (fn: string) => Value[][] | undefined;
  /** Backend process id of the session (pg_backend_pid). */
  readonly sessionId: number;
  /** Row ids scans leave out (SELECT ... FOR UPDATE SKIP LOCKED re-runs). */
  skipRowIds?: ReadonlySet<number> | null;
  /** When set, scans of these relations record the row ids they return (row locking). */
  lockCollect?: Map<number, number[]> | null;
  /** Reads the clock in milliseconds (EXPLAIN ANALYZE only). */
  readonly clockMs: () => number;
}
