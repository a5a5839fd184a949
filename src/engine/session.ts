/**
 * `Session` implementation: transaction blocks (BEGIN/COMMIT/ROLLBACK,
 * implicit per-statement transactions, isolation levels, savepoints, the
 * 25P02 failed state), prepared statements and cursors, settings, cancel and
 * LISTEN/NOTIFY.
 * @module
 */
import { DbError } from "../common/errors.ts";
import { type SqlType, type Value } from "../common/types.ts";
import type { IsolationLevel as Isolation, Txn } from "../txn/mod.ts";
import type { Catalog } from "../sql/catalog/catalog.ts";
import { commitEnumLabels } from "../sql/catalog/ddl_enum.ts";
import type { ParsedStatement } from "../sql/parser_port.ts";
import { databaseName, ownerName, type SessionActivity } from "../sql/pg_catalog/mod.ts";
import type { Engine } from "./engine.ts";
import type { SequencePosition } from "./page_catalog.ts";
import type {
  CopyPort,
  Cursor,
  Notification,
  Prepared,
  Session,
  StatementResult,
  TxStatus,
} from "./session_api.ts";
import { describeStatement, runStatement } from "./statement_runner.ts";
import { runFastStatement } from "./session_fast.ts";
import { checkTimeZone, defaultSettings } from "./session_settings.ts";
import { openCursor, type PreparedStatement } from "./session_prepared.ts";
import { executeStatements } from "./session_execute.ts";

/** Options for a new session. */
export interface SessionOptions {
  readonly user?: string;
  readonly database?: string;
  /**
   * Settings the client sent at startup (application_name, DateStyle, ...);
   * they replace the defaults, and RESET returns to them.
   */
  readonly startupSettings?: ReadonlyMap<string, string>;
  /** The client's IP address and port (pg_stat_activity); absent when embedded. */
  readonly clientAddr?: string;
  readonly clientPort?: number;
}

function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}

/** Milliseconds since the epoch as microseconds, null kept (pg_stat_activity). */
function micros(ms: number | null): bigint | null {
  return ms === null ? null : BigInt(ms) * 1000n;
}

/** A savepoint in the open transaction. */
export interface Savepoint {
  readonly name: string;
  readonly catalog: Catalog | null;
  readonly notifies: number;
  /** Length of `SqlSession.sequenceUndo` when the savepoint was set. */
  readonly sequenceUndo: number;
}

/** One client session. */
export class SqlSession implements Session {
  readonly secret = Math.floor(Math.random() * 0x7fffffff);
  txn: Txn | null = null;
  /** True inside BEGIN ... COMMIT. */
  inBlock = false;
  failed = false;
  /** The transaction's private catalog after DDL, null when unchanged. */
  txCatalog: Catalog | null = null;
  txCatalogBase = 0;
  /** Relations whose storage the transaction's DDL changed. */
  txTouched = new Set<number>();
  /** Rows changed per relation (autovacuum). */
  txChanges = new Map<number, number>();
  savepoints: Savepoint[] = [];
  /**
   * Sequence positions before the transaction's RESTARTs (ALTER SEQUENCE,
   * TRUNCATE ... RESTART IDENTITY), oldest first; undone on rollback.
   */
  sequenceUndo: { readonly oid: number; readonly position: SequencePosition | undefined }[] = [];
  pendingNotifies: { channel: string; payload: string }[] = [];
  readonly settings = new Map<string, string>();
  /** Bumped on every change of `settings` (see `Session.settingsVersion`). */
  settingsVersion = 0;
  /** statement_timeout in ms, read again only when the settings changed. */
  #timeout = { version: -1, ms: 0 };
  readonly named = new Map<string, PreparedStatement>();
  readonly currvals = new Map<number, bigint>();
  blockIsolation: Isolation | null = null;
  cancelled = false;
  timedOut = false;
  running = false;
  onNotification?: ((notification: Notification) => void) | undefined;
  copyPort?: CopyPort | undefined;
  readonly queued: Notification[] = [];
  #closed = false;
  /** Statements run so far; the transaction's statement is started once per statement. */
  #statementNo = 0;
  #startedNo = -1;
  /** Values that set_config(..., true) replaced, restored when the transaction ends. */
  readonly #localSaved = new Map<string, string | undefined>();
  readonly #backendStart = nowMicros();
  /** Epoch milliseconds (turned into microseconds only when pg_stat_activity asks). */
  #xactStart: number | null = null;
  #queryStart: number | null = null;
  #stateChange: number | null = null;
  #query = "";

  constructor(readonly engine: Engine, readonly id: number, readonly options: SessionOptions) {}

  get txStatus(): TxStatus {
    return this.failed ? "E" : this.inBlock ? "T" : "I";
  }

  /** When the running statement started (now when none runs), epoch milliseconds. */
  get statementStartMs(): number {
    return this.running && this.#queryStart !== null ? this.#queryStart : Date.now();
  }

  /** statementStartMs in microseconds, converted once per millisecond (statements are shorter). */
  get statementStartMicros(): bigint {
    const ms = this.statementStartMs;
    const m = this.#startMicros;
    if (m.ms !== ms) {
      m.ms = ms;
      m.micros = BigInt(ms) * 1000n;
    }
    return m.micros;
  }
  readonly #startMicros = { ms: -1, micros: 0n };

  /** The catalog this session sees now. */
  get catalog(): Catalog {
    return this.txCatalog ?? this.engine.catalog;
  }

  /** Delivers a notification (LISTEN). */
  deliver(n: Notification): void {
    if (this.onNotification) this.onNotification(n);
    else this.queued.push(n);
  }

  /** Starts a transaction unless one is open; returns it. */
  ensureTxn(): Txn {
    if (!this.txn) {
      const iso = this.blockIsolation ??
        (this.settings.get("default_transaction_isolation") ?? "read committed") as Isolation;
      this.#xactStart = this.statementStartMs;
      this.txn = this.engine.txns.begin({
        isolation: iso === ("read uncommitted" as Isolation) ? "read committed" : iso,
      });
      this.txCatalog = null;
      this.#freshTxnState();
      this.#startedNo = -1;
    }
    return this.txn;
  }

  /** The transaction with the running statement started (new command id, READ COMMITTED snapshot). */
  statementTxn(): Txn {
    const txn = this.ensureTxn();
    if (this.#startedNo !== this.#statementNo) {
      this.engine.txns.startStatement(txn);
      this.#startedNo = this.#statementNo;
    }
    return txn;
  }

  /** Adds a statement's row changes to the transaction's counts. */
  addChanges(changes: ReadonlyMap<number, number>): void {
    for (const [rel, n] of changes) this.txChanges.set(rel, (this.txChanges.get(rel) ?? 0) + n);
  }

  /** Commits the open transaction (if any). */
  async commitTxn(): Promise<void> {
    const txn = this.txn;
    if (!txn) return;
    try {
      await this.engine.commit(
        txn,
        this.txCatalog && commitEnumLabels(this.txCatalog),
        this.txCatalogBase,
        this.txTouched,
        this.txChanges,
      );
      if (txn.xid === 0) await this.engine.flushSequences();
    } catch (e) {
      this.abortTxn();
      throw e;
    }
    const notes = this.pendingNotifies;
    this.#endTxn();
    this.engine.notify(this.id, notes);
  }

  /** Rolls back the open transaction (if any). */
  abortTxn(): void {
    const txn = this.txn;
    if (!txn) return;
    this.engine.txns.abort(txn);
    this.undoSequences(0);
    // Storage the rolled-back DDL allocated goes; the committed definitions come back.
    if (this.txTouched.size > 0) this.engine.bindRelations(this.engine.catalog, this.txTouched);
    this.#endTxn();
  }

  #endTxn(): void {
    this.#restoreLocal();
    this.#xactStart = null;
    this.txn = null;
    this.inBlock = false;
    this.failed = false;
    this.txCatalog = null;
    this.#freshTxnState();
    if (this.sequenceUndo.length > 0) this.sequenceUndo = [];
    this.blockIsolation = null;
  }

  /**
   * Empties the per-transaction collections. One that is already empty is
   * kept (an autocommit statement usually leaves them all empty); one in use
   * is replaced, not cleared, as the ended transaction's commit may still
   * hold it.
   */
  #freshTxnState(): void {
    if (this.txTouched.size > 0) this.txTouched = new Set();
    if (this.txChanges.size > 0) this.txChanges = new Map();
    if (this.savepoints.length > 0) this.savepoints = [];
    if (this.pendingNotifies.length > 0) this.pendingNotifies = [];
  }

  /** Puts back the sequence positions of the RESTARTs after the first `keep` (newest first). */
  undoSequences(keep: number): void {
    for (let i = this.sequenceUndo.length - 1; i >= keep; i--) {
      const { oid, position } = this.sequenceUndo[i]!;
      this.engine.restoreSequence(oid, position);
    }
    this.sequenceUndo.length = Math.min(keep, this.sequenceUndo.length);
  }

  /** Runs statements one by one (simple query protocol). */
  execute(
    sql: string,
    params: readonly Value[] = [],
    onResult?: (result: StatementResult) => void,
  ): Promise<StatementResult[]> {
    try {
      return Promise.resolve(this.executeNow(sql, params, onResult));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * As `execute`, but returns the results themselves when every statement ran
   * on the fast path without suspending, a promise otherwise.
   */
  executeNow(
    sql: string,
    params: readonly Value[] = [],
    onResult?: (result: StatementResult) => void,
  ): StatementResult[] | Promise<StatementResult[]> {
    this.#checkOpen();
    return executeStatements(this, sql, params, onResult);
  }

  /** The TimeZone setting, read again only when the settings changed. */
  timeZone(): string {
    const z = this.#zone;
    if (z.version !== this.settingsVersion) {
      z.name = this.getSetting("timezone") ?? "UTC";
      z.version = this.settingsVersion;
    }
    return z.name;
  }
  readonly #zone = { version: -1, name: "UTC" };

  /** statement_timeout in milliseconds (0 = none). */
  timeoutMs(): number {
    const t = this.#timeout;
    if (t.version !== this.settingsVersion) {
      t.ms = Number(this.getSetting("statement_timeout") ?? "0");
      t.version = this.settingsVersion;
    }
    return t.ms;
  }

  /**
   * Runs a plain SELECT or UPDATE, or a statement inside a transaction
   * block, without awaits (see `session_fast.ts`): the result itself when its
   * transaction ended at once, a promise when it must wait, null when the
   * statement needs `runOne`.
   */
  runFast(
    st: ParsedStatement,
    params: readonly Value[],
    declared: readonly (SqlType | null)[],
  ): StatementResult | Promise<StatementResult> | null {
    // A table being rewritten is waited for on the slow path (`runOne`).
    if (this.failed || this.#closed || this.engine.rs.moving) return null;
    return runFastStatement(this, st, params, declared);
  }

  /** A statement failed: inside a block the block fails, else its transaction rolls back. */
  statementFailed(): void {
    if (!this.inBlock) this.abortTxn();
    else if (this.txn) {
      this.failed = true;
      this.engine.txns.markFailed(this.txn);
    }
  }

  /** Marks a fast-path statement as running (pg_stat_activity, cancel). */
  statementBegins(text: string): void {
    this.cancelled = false;
    this.running = true;
    this.#query = text;
    this.#queryStart = Date.now();
    this.#stateChange = this.#queryStart;
    this.#statementNo++;
  }

  /** The transaction ended (committed): resets its state and sends its notifications. */
  txnEnded(): void {
    const notes = this.pendingNotifies;
    this.#endTxn();
    if (notes.length > 0) this.engine.notify(this.id, notes);
  }

  /** Marks the running statement as ended. */
  statementEnded(): void {
    this.running = false;
    this.#stateChange = Date.now();
    this.timedOut = false;
  }

  /** Runs one parsed statement with transaction wrapping and failure state. */
  async runOne(
    st: ParsedStatement,
    params: readonly Value[],
    declared: readonly (SqlType | null)[],
  ): Promise<StatementResult> {
    this.cancelled = false;
    this.running = true;
    this.#query = st.text;
    this.#queryStart = this.#stateChange = Date.now();
    const timeoutMs = this.timeoutMs();
    const timer = timeoutMs > 0
      ? setTimeout(() => {
        this.cancelled = true;
        this.timedOut = true;
        if (this.txn) {
          this.engine.txns.cancelWait(
            this.txn,
            new DbError("57014", "canceling statement due to statement timeout"),
          );
        }
      }, timeoutMs)
      : undefined;
    const implicitStart = !this.inBlock;
    this.#statementNo++;
    try {
      const r = await runStatement(this, st, params, declared);
      if (!this.inBlock && this.txn && implicitStart) await this.commitTxn();
      return r;
    } catch (e) {
      this.statementFailed();
      throw e;
    } finally {
      this.running = false;
      this.#stateChange = Date.now();
      this.timedOut = false;
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  prepare(sql: string, paramTypes: readonly (SqlType | null)[] = []): Promise<Prepared> {
    try {
      return Promise.resolve(this.prepareNow(sql, paramTypes));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** As `prepare`, synchronously (parsing and describing never wait). */
  prepareNow(sql: string, paramTypes: readonly (SqlType | null)[] = []): Prepared {
    this.#checkOpen();
    try {
      return this.#prepare(sql, paramTypes);
    } catch (e) {
      // A Parse error inside a block fails the block, as an execution error does.
      if (this.inBlock && this.txn) {
        this.failed = true;
        this.engine.txns.markFailed(this.txn);
      }
      throw e;
    }
  }

  #prepare(sql: string, paramTypes: readonly (SqlType | null)[]): Prepared {
    const statements = this.engine.parse(sql); // unnamed statements are re-sent: parse once
    if (statements.length > 1) {
      throw new DbError("42601", "cannot insert multiple commands into a prepared statement");
    }
    const parsed = statements[0] ?? { text: "", offset: 0, ast: { kind: "empty" as const } };
    const d = describeStatement(this, parsed, paramTypes);
    const prepared: PreparedStatement = {
      sql,
      parsed,
      declared: d.paramTypes,
      paramTypes: d.paramTypes,
      fields: d.fields,
    };
    return prepared;
  }

  open(prepared: Prepared, params: readonly Value[]): Promise<Cursor> {
    return Promise.resolve(this.openNow(prepared, params));
  }

  /** Opens a cursor; its `fetchNow` runs a fast-path SELECT without awaiting. */
  openNow(prepared: Prepared, params: readonly Value[]): Cursor {
    this.#checkOpen();
    return openCursor(this, prepared as PreparedStatement, params);
  }

  getSetting(name: string): string | undefined {
    const key = name.toLowerCase();
    if (key === "transaction_isolation" && this.txn) return this.txn.isolation;
    if (key === "session_authorization") {
      return this.settings.get(key) ?? this.options.user ?? ownerName;
    }
    return this.settings.get(key) ?? this.options.startupSettings?.get(key) ?? defaultSettings[key];
  }

  /**
   * `set_config(name, value, is_local)`: a local value lasts until the
   * transaction ends and has no effect outside a transaction block.
   */
  setConfig(name: string, value: string, local: boolean): void {
    const key = name.toLowerCase();
    if (local) {
      if (!this.inBlock) return;
      if (!this.#localSaved.has(key)) this.#localSaved.set(key, this.settings.get(key));
    }
    this.settings.set(key, value);
    this.settingsVersion++;
  }

  #restoreLocal(): void {
    if (this.#localSaved.size === 0) return;
    this.settingsVersion++;
    for (const [key, value] of this.#localSaved) {
      if (value === undefined) this.settings.delete(key);
      else this.settings.set(key, value);
    }
    this.#localSaved.clear();
  }

  setSetting(name: string, value: string): void {
    if (name.toLowerCase() === "timezone") checkTimeZone(value);
    this.settings.set(name.toLowerCase(), value);
    this.settingsVersion++;
  }

  /** Resets a setting to its default. */
  resetSetting(name: string): void {
    if (name === "all") this.settings.clear();
    else this.settings.delete(name.toLowerCase());
    this.settingsVersion++;
  }

  /** Extended-query Sync: every statement already commits on its own unless in a block. */
  sync(): void {}

  /** What pg_stat_activity shows of this session. */
  activity(): SessionActivity {
    const o = this.options;
    return {
      pid: this.id,
      database: o.database ?? databaseName,
      user: this.getSetting("session_authorization") ?? ownerName,
      applicationName: this.getSetting("application_name") ?? "",
      clientAddr: o.clientAddr ?? null,
      clientPort: o.clientPort ?? null,
      backendStartMicros: this.#backendStart,
      xactStartMicros: micros(this.#xactStart),
      queryStartMicros: micros(this.#queryStart),
      stateChangeMicros: micros(this.#stateChange),
      state: this.running
        ? "active"
        : this.failed
        ? "idle in transaction (aborted)"
        : this.inBlock
        ? "idle in transaction"
        : "idle",
      query: this.#query,
    };
  }

  fail(): void {
    if (this.inBlock && this.txn) this.failed = true;
  }

  cancel(): void {
    if (!this.running) return;
    this.cancelled = true;
    // A statement waiting for a row lock is interrupted at once.
    if (this.txn) {
      this.engine.txns.cancelWait(
        this.txn,
        new DbError("57014", "canceling statement due to user request"),
      );
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.abortTxn();
    this.#closed = true;
    this.engine.sessionClosed(this);
    await Promise.resolve();
  }

  #checkOpen(): void {
    if (this.#closed) throw new DbError("08003", "The session is closed");
  }
}
