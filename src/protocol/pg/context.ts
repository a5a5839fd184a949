/**
 * What the PostgreSQL listener needs from the engine, and what each
 * connection shares with its listener.
 * @module
 */
import type { Session } from "../../engine/session_api.ts";
import type { PgAuthOptions } from "./auth.ts";
import type { PgTransport } from "./_input.ts";

/** What a client asked for in its StartupMessage. */
export interface SessionParams {
  /** The authenticated user. */
  readonly user: string;
  /** The requested database (defaults to the user name). */
  readonly database: string;
  /** `application_name` from the startup packet, or empty. */
  readonly applicationName: string;
  /** Every StartupMessage parameter, including `options` and GUCs like `DateStyle`. */
  readonly params: ReadonlyMap<string, string>;
  /** The client's IP address and port, when known (pg_stat_activity). */
  readonly clientAddr?: string;
  readonly clientPort?: number;
}

/** The engine as the PostgreSQL listener needs it. */
export interface PgEngine {
  /**
   * Opens a session for an authenticated client.
   * @throws {DbError} e.g. 3D000 for an unknown database
   */
  openSession(params: SessionParams): Promise<Session>;
  /** Cancels the running statement of the session with this id and secret; ignores a mismatch. */
  cancel(processId: number, secret: number): void;
}

/** Time and size limits of one connection. */
export interface PgLimits {
  /** Largest frontend message accepted (`messageBytesMax` at most). */
  readonly messageBytesMax: number;
  /** Time allowed from connect to the end of authentication. */
  readonly startupMsMax: number;
  /** Idle time before the connection is closed; 0 for no limit. */
  readonly idleMsMax: number;
}

/** What every connection shares with its listener. */
export interface ConnectionContext {
  /** The engine sessions come from. */
  readonly engine: PgEngine;
  /** How clients authenticate. */
  readonly auth: PgAuthOptions;
  /** Time and size limits. */
  readonly limits: PgLimits;
  /** Reported as `server_version`. */
  readonly serverVersion: string;
  /** Upgrades a plain transport to TLS after answering 'S'; absent when TLS is off. */
  readonly upgradeTls?: (transport: PgTransport) => Promise<PgTransport>;
  /** Takes a connection slot; false when `maxConnections` are in use. */
  admit(): boolean;
  /** Gives the slot back. */
  release(): void;
}
