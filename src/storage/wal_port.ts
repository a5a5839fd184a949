/**
 * What components other than the page store (transactions, the key-value
 * engine) see of the write-ahead log.
 *
 * Record kinds are split by owner so recovery can route them:
 * - 1..15: page store (page deltas, full page images, checkpoints)
 * - 16..31: transactions (commit, abort, prepare)
 * - 32..47: key-value engine
 * - 48..63: catalog and later owners
 * @module
 */

/** Appends records and waits for them to be durable. */
export interface WalWriter {
  /**
   * Buffers one record; does not wait for disk.
   * @returns the LSN just past the record (pass it to `flush`)
   */
  append(kind: number, payload: Uint8Array): number;
  /**
   * Resolves once every record up to `lsn` is durable. Concurrent callers share
   * one fdatasync (group commit). With `wal_sync = "off"` it resolves after the
   * write without syncing.
   * @throws {IoError} 58030 when the write or sync fails; the caller must not
   * report success
   */
  flush(lsn: number): Promise<void>;
  /** LSN up to which records are durable. */
  readonly flushedLsn: number;
  /** LSN just past the last appended record. */
  readonly endLsn: number;
}

/** A record handed to its owner during recovery, in log order. */
export interface RedoRecord {
  readonly kind: number;
  readonly lsn: number;
  readonly payload: Uint8Array;
}

/**
 * A component that keeps state outside pages (the key-value engine) registers
 * one of these: recovery feeds it its records after `redoLsn` and a checkpoint
 * asks it to persist everything up to the checkpoint's LSN first.
 */
export interface WalParticipant {
  /** Record kinds this participant owns. */
  readonly kinds: readonly number[];
  /** Applies one record during recovery (records at or below `restoredLsn()` are skipped by the caller). */
  redo(record: RedoRecord): void;
  /** LSN covered by the participant's own persisted state (0 when none). */
  restoredLsn(): number;
  /** Persists state covering every record up to `lsn`; called by checkpoints. */
  checkpoint(lsn: number): Promise<void>;
}
