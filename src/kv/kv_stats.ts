/**
 * The engine's INFO counters.
 * @module
 */

/** Counters INFO reports. */
export interface KvStats {
  commands: number;
  connections: number;
  rejectedConnections: number;
  hits: number;
  misses: number;
  expired: number;
  evicted: number;
  /** Clients closed by maxmemory-clients (INFO evicted_clients). */
  evictedClients: number;
  /** Error replies sent (INFO total_error_replies). */
  errorReplies: number;
  /** Changes since the last checkpoint. */
  dirty: number;
  lastSaveMs: number;
  lastSaveOk: boolean;
}

/** The counters CONFIG RESETSTAT zeroes, at zero. */
export function resettableStats() {
  return {
    commands: 0,
    connections: 0,
    rejectedConnections: 0,
    hits: 0,
    misses: 0,
    expired: 0,
    evicted: 0,
    evictedClients: 0,
    errorReplies: 0,
  };
}
