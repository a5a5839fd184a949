/**
 * The seam between every protocol or API and the engine. A protocol turns its
 * wire messages into calls on a `Session` and turns the results back into wire
 * messages; it never touches storage, transactions or the catalog directly.
 * @module
 */
import type { SqlType, Value } from "../common/types.ts";

/** One column of a result. */
export interface Field {
  readonly name: string;
  readonly type: SqlType;
  /** OID of the table the column comes from, 0 when computed. */
  readonly tableOid: number;
  /** Attribute number in that table, 0 when computed. */
  readonly columnNumber: number;
}

/** The outcome of one statement. */
export interface StatementResult {
  /** Command word as PostgreSQL reports it: "SELECT", "INSERT", "BEGIN", ... */
  readonly command: string;
  /** Complete CommandComplete tag, e.g. "INSERT 0 3", "SELECT 10", "CREATE TABLE". */
  readonly tag: string;
  /** Rows affected or returned. */
  readonly rowCount: number;
  /** Columns, or null when the statement returns no rows. */
  readonly fields: readonly Field[] | null;
  /** Rows in `fields` order. */
  readonly rows: readonly Value[][];
  /** Notices raised while running the statement (PostgreSQL NoticeResponse). */
  readonly notices?: readonly Notice[];
}

/** A notice or warning sent alongside a result. */
export interface Notice {
  readonly severity: "NOTICE" | "WARNING" | "INFO" | "DEBUG" | "LOG";
  readonly sqlstate: string;
  readonly message: string;
}

/** A parsed and planned statement, reusable with different parameters. */
export interface Prepared {
  /** The statement text. */
  readonly sql: string;
  /** Inferred (or declared) parameter types, $1 first. */
  readonly paramTypes: readonly SqlType[];
  /** Result columns, or null when the statement returns no rows. */
  readonly fields: readonly Field[] | null;
}

/** An executing prepared statement with bound parameters (a PostgreSQL portal). */
export interface Cursor {
  readonly fields: readonly Field[] | null;
  /**
   * Returns up to `maxRows` more rows (all remaining when 0). When `done` is
   * true, `result` holds the statement's final tag.
   */
  fetch(maxRows: number): Promise<{ rows: Value[][]; done: boolean; result?: StatementResult }>;
  /** Releases the cursor. */
  close(): void;
}

/** A notification from LISTEN/NOTIFY. */
export interface Notification {
  readonly processId: number;
  readonly channel: string;
  readonly payload: string;
}

/** Options for COPY data transfer. */
export interface CopySpec {
  readonly format: "text" | "csv" | "binary";
  readonly columns: number;
}

/** Transaction status as PostgreSQL's ReadyForQuery reports it. */
export type TxStatus = "I" | "T" | "E";

/** One client's connection to the engine. */
export interface Session {
  /** Backend process id, unique among live sessions. */
  readonly id: number;
  /** Secret key for CancelRequest. */
  readonly secret: number;
  readonly txStatus: TxStatus;
  /**
   * Runs one or more statements (simple query). Stops at the first error, which is thrown
   * after the results before it are delivered through `onResult`.
   * @throws {DbError} with SQLSTATE
   */
  execute(
    sql: string,
    params?: readonly Value[],
    onResult?: (result: StatementResult) => void,
  ): Promise<StatementResult[]>;
  /** Parses and plans one statement. `paramTypes` entries may be null to infer them. */
  prepare(sql: string, paramTypes?: readonly (SqlType | null)[]): Promise<Prepared>;
  /** Binds parameters and opens a cursor over the statement. */
  open(prepared: Prepared, params: readonly Value[]): Promise<Cursor>;
  /** Reads a session setting (SHOW). */
  getSetting(name: string): string | undefined;
  /** Sets a session setting (SET). */
  setSetting(name: string, value: string): void;
  /** Cancels the statement running now, if any (57014 for it). */
  cancel(): void;
  /** Called when a NOTIFY reaches a channel this session listens on. */
  onNotification?: (notification: Notification) => void;
  /** Ends the session, rolling back an open transaction. */
  close(): Promise<void>;
}
