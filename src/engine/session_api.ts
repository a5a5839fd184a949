/**
 * The seam between every protocol or API and the engine. A protocol turns its
 * wire messages into calls on a `Session` and turns the results back into wire
 * messages; it never touches storage, transactions or the catalog directly.
 * @module
 */
import type { SqlType, Value } from "../common/types.ts";

/** One column of a result. */
export interface Field {
  /** Column name as the client sees it. */
  readonly name: string;
  /** The column's SQL type (sent as a type OID). */
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
  /** Severity as PostgreSQL names it. */
  readonly severity: "NOTICE" | "WARNING" | "INFO" | "DEBUG" | "LOG";
  /** SQLSTATE of the notice, e.g. 00000 or 01000. */
  readonly sqlstate: string;
  /** Text shown to the user. */
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

/** One batch of a cursor's rows; when `done`, `result` holds the statement's final tag. */
export interface Fetched {
  readonly rows: Value[][];
  readonly done: boolean;
  readonly result?: StatementResult;
}

/** An executing prepared statement with bound parameters (a PostgreSQL portal). */
export interface Cursor {
  /** Result columns, or null when the statement returns no rows. */
  readonly fields: readonly Field[] | null;
  /**
   * Returns up to `maxRows` more rows (all remaining when 0). When `done` is
   * true, `result` holds the statement's final tag.
   */
  fetch(maxRows: number): Promise<Fetched>;
  /**
   * As `fetch`, but returns the batch itself when the statement ran without
   * suspending (a protocol then answers without awaiting), a promise otherwise.
   */
  fetchNow?(maxRows: number): Fetched | Promise<Fetched>;
  /** Releases the cursor. */
  close(): void;
}

/** A notification from LISTEN/NOTIFY. */
export interface Notification {
  /** Backend process id of the notifying session. */
  readonly processId: number;
  /** Channel name. */
  readonly channel: string;
  /** Payload string, empty when none was given. */
  readonly payload: string;
}

/**
 * How COPY data is laid out on the wire, from the COPY statement's options.
 * The protocol decodes and encodes rows with it; the engine only sees values.
 */
export interface CopySpec {
  /** COPY FORMAT option. */
  readonly format: "text" | "csv" | "binary";
  /** Number of columns transferred. */
  readonly columns: number;
  /** Types of the transferred columns, in order (`columns` entries). */
  readonly types: readonly SqlType[];
  /** Column separator: tab for text, comma for CSV by default. */
  readonly delimiter?: string;
  /** The string that stands for NULL: `\N` for text, empty for CSV by default. */
  readonly null?: string;
  /** CSV quote character, `"` by default. */
  readonly quote?: string;
  /** CSV escape character, the quote character by default. */
  readonly escape?: string;
  /** CSV header line: skipped on input, written (with `headerNames`) on output. */
  readonly header?: boolean;
  /** Column names for the CSV header line on output. */
  readonly headerNames?: readonly string[];
  /** COPY FROM's target table, named in the CONTEXT of errors about its data. */
  readonly relation?: string;
}

/**
 * The protocol side of COPY ... FROM STDIN / TO STDOUT. The protocol assigns
 * one to `Session.copyPort`; the engine calls it while it runs a COPY
 * statement (from `execute` or a cursor's `fetch`) and reports the statement's
 * own result (`COPY n`) as usual when it returns.
 */
export interface CopyPort {
  /**
   * Asks the client for COPY data (CopyInResponse) and yields it decoded, in
   * batches of rows. Ends when the client sends CopyDone.
   * @throws {DbError} 57014 when the client sends CopyFail; 22P04 on malformed data
   */
  copyIn(spec: CopySpec): AsyncIterable<Value[][]>;
  /**
   * Sends rows to the client (CopyOutResponse, CopyData per row, CopyDone).
   * @returns the number of rows sent
   */
  copyOut(spec: CopySpec, rows: AsyncIterable<readonly (readonly Value[])[]>): Promise<number>;
}

/** Transaction status as PostgreSQL's ReadyForQuery reports it. */
export type TxStatus = "I" | "T" | "E";

/** One client's connection to the engine. */
export interface Session {
  /** Backend process id, unique among live sessions. */
  readonly id: number;
  /** Secret key for CancelRequest. */
  readonly secret: number;
  /** Transaction status after the last statement: I idle, T in a block, E failed block. */
  readonly txStatus: TxStatus;
  /**
   * Grows whenever a setting may have changed; a protocol re-reads the settings
   * it reports only when this moved. Absent: re-read after every statement.
   */
  readonly settingsVersion?: number;
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
  /**
   * As `execute`, but may return the results themselves when no statement
   * suspended (a protocol then answers without awaiting).
   */
  executeNow?(
    sql: string,
    params?: readonly Value[],
    onResult?: (result: StatementResult) => void,
  ): StatementResult[] | Promise<StatementResult[]>;
  /** Parses and plans one statement. `paramTypes` entries may be null to infer them. */
  prepare(sql: string, paramTypes?: readonly (SqlType | null)[]): Promise<Prepared>;
  /** As `prepare`, synchronously. */
  prepareNow?(sql: string, paramTypes?: readonly (SqlType | null)[]): Prepared;
  /** Binds parameters and opens a cursor over the statement. */
  open(prepared: Prepared, params: readonly Value[]): Promise<Cursor>;
  /** As `open`, synchronously (opening a cursor runs nothing yet). */
  openNow?(prepared: Prepared, params: readonly Value[]): Cursor;
  /** Reads a session setting (SHOW). */
  getSetting(name: string): string | undefined;
  /**
   * Sets a session setting (SET). The PostgreSQL protocol reports changes of
   * `application_name`, `TimeZone`, `DateStyle`, `IntervalStyle`,
   * `client_encoding` and friends to the client after each statement.
   */
  setSetting(name: string, value: string): void;
  /** Cancels the statement running now, if any (57014 for it). */
  cancel(): void;
  /**
   * Puts an open transaction block into the failed state (25P02 until
   * ROLLBACK) after an error the protocol raised itself, such as a Bind
   * parameter that does not decode; no effect outside a block.
   */
  fail?(): void;
  /**
   * Set by the protocol when it can exchange COPY data with its client; when
   * absent, COPY FROM STDIN / TO STDOUT fail with 0A000.
   */
  copyPort?: CopyPort | undefined;
  /**
   * Called at an extended-query Sync: ends the implicit transaction that
   * spans the messages since the previous Sync (commits it, or rolls it back
   * after an error). Optional for engines that commit each statement;
   * returns nothing when there was nothing to wait for.
   */
  sync?(): Promise<void> | void;
  /** Called when a NOTIFY reaches a channel this session listens on. */
  onNotification?: ((notification: Notification) => void) | undefined;
  /** Ends the session, rolling back an open transaction. */
  close(): Promise<void>;
}
