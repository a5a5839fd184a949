/**
 * The port through which the transaction layer uses the page store.
 * @module
 */

import type { Mtr, PageReader } from "../storage/mtr.ts";

/** What the transaction layer needs from the page store. */
export interface TxnStore {
  /** Bytes per page. */
  readonly pageSize: number;
  /** Runs a read-only page operation. */
  view<T>(fn: (r: PageReader) => T): T;
  /** Runs a logged, atomic page operation. */
  update<T>(fn: (m: Mtr) => T): T;
  /** The WAL: commits flush up to `endLsn`. */
  readonly wal: {
    readonly endLsn: number;
    /** LSN up to which the log is durable (or, discarding, needs nothing). */
    readonly flushedLsn: number;
    flush(lsn: number): Promise<void>;
    /** True for a private in-memory store that keeps no log and is never reopened. */
    readonly discards?: boolean;
  };
}
