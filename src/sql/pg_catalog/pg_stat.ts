/**
 * `pg_stat_activity`: one row per live session. Its rows change without a
 * catalog change, so it is not computed when the query is planned: the plan
 * reads it at run time from the engine's sessions (a function scan of
 * `pg_stat_get_activity`, as PostgreSQL's view is).
 * @module
 */
import type { Value } from "../../common/types.ts";
import { databaseOid, ownerOid, virtual, type VirtualRelation } from "./virtual.ts";

/** The function scan that yields pg_stat_activity's rows at run time. */
export const activityFunction = "pg_stat_get_activity";

/** What pg_stat_activity shows of one session. */
export interface SessionActivity {
  readonly pid: number;
  readonly database: string;
  readonly user: string;
  readonly applicationName: string;
  /** Client IP address; null for an embedded session. */
  readonly clientAddr: string | null;
  readonly clientPort: number | null;
  /** Times in microseconds since the Unix epoch; null when not applicable. */
  readonly backendStartMicros: bigint;
  readonly xactStartMicros: bigint | null;
  readonly queryStartMicros: bigint | null;
  readonly stateChangeMicros: bigint | null;
  /** "active", "idle", "idle in transaction" or "idle in transaction (aborted)". */
  readonly state: string;
  /** The running statement, or the last one when idle. */
  readonly query: string;
}

/** pg_stat_activity (PostgreSQL 15's columns; client_addr as text). */
export const pgStatActivity: VirtualRelation = {
  ...virtual(
    "pg_catalog",
    "pg_stat_activity",
    "datid:oid datname:name pid:int4 leader_pid:int4 usesysid:oid usename:name " +
      "application_name:text client_addr:text client_hostname:text client_port:int4 " +
      "backend_start:timestamptz xact_start:timestamptz query_start:timestamptz " +
      "state_change:timestamptz wait_event_type:text wait_event:text state:text " +
      "backend_xid:int8 backend_xmin:int8 query_id:int8 query:text backend_type:text",
    () => [],
  ),
  runtime: activityFunction,
};

/** pg_stat_activity rows for `sessions`, in column order. */
export function activityRows(sessions: readonly SessionActivity[]): Value[][] {
  return sessions.map((s) => [
    databaseOid,
    s.database,
    s.pid,
    null,
    ownerOid,
    s.user,
    s.applicationName,
    s.clientAddr,
    null,
    s.clientPort ?? (s.clientAddr === null ? -1 : null),
    s.backendStartMicros,
    s.xactStartMicros,
    s.queryStartMicros,
    s.stateChangeMicros,
    s.state === "active" ? null : "Client",
    s.state === "active" ? null : "ClientRead",
    s.state,
    null,
    null,
    null,
    s.query,
    "client backend",
  ]);
}
