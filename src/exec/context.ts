/**
 * What the executor needs from the session while running a plan: the row
 * store and transaction, parameters, outer rows for correlated subqueries,
 * materialized CTEs, sequences, the clock and cancellation.
 * @module
 */
import type { Value } from "../common/types.ts";
import type { Snapshot, Txn, TxnManager } from "./mvcc.ts";
import type { TableStore } from "./table_store.ts";
import type { ReferencingAction } from "./plan.ts";

/** Sequence operations (non-transactional, as in PostgreSQL). */
export interface SequencePort {
  nextval(name: string): bigint;
  currval(name: string): bigint;
  setval(name: string, value: bigint, called: boolean): bigint;
}

/** Per-statement execution state. */
export interface ExecContext {
  readonly store: TableStore;
  readonly txns: TxnManager;
  readonly txn: Txn;
  snapshot: Snapshot;
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
  /** Reads the clock in milliseconds (EXPLAIN ANALYZE only). */
  readonly clockMs: () => number;
}
