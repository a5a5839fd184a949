/**
 * `Session` implementation: transaction blocks (BEGIN/COMMIT/ROLLBACK,
 * implicit per-statement transactions, isolation levels, savepoints, the
 * 25P02 failed state), prepared statements and cursors, settings, cancel and
 * LISTEN/NOTIFY.
 * @module
 */
import { DbError } from "../common/errors.ts";
import { type SqlType, type Value } from "../common/types.ts";
import type { Isolation, Txn } from "../exec/mvcc.ts";
import type { Catalog } from "../sql/catalog/catalog.ts";
import type { ParsedStatement } from "../sql/parser_port.ts";
import type { Engine } from "./engine.ts";
import type {
  CopyPort,
  Cursor,
  Notification,
  Prepared,
  Session,
  StatementResult,
  TxStatus,
} from "./session_api.ts";
import { planCacheFor, type ShapedStatement } from "../sql/plan_cache.ts";
import { describeStatement, planFor, runStatement } from "./statement_runner.ts";

/** Options for a new session. */
export interface SessionOptions {
  readonly user?: string;
  readonly database?: string;
}

const defaultSettings: Record<string, string> = {
  server_version: "15.0",
  server_version_num: "150000",
  server_encoding: "UTF8",
  client_encoding: "UTF8",
  datestyle: "ISO, MDY",
  timezone: "UTC",
  intervalstyle: "postgres",
  integer_datetimes: "on",
  standard_conforming_strings: "on",
  is_superuser: "on",
  application_name: "",
  search_path: '"$user", public',
  default_transaction_isolation: "read committed",
  transaction_isolation: "read committed",
  statement_timeout: "0",
  extra_float_digits: "1",
  max_identifier_length: "63",
};

/** A savepoint in the open transaction. */
export interface Savepoint {
  readonly name: string;
  readonly subxid: number;
  readonly catalog: Catalog | null;
  readonly redoLength: number;
  readonly buildIndexes: number;
  readonly notifies: number;
}

/** A prepared statement of this session. */
export interface PreparedStatement extends Prepared {
  readonly parsed: ParsedStatement;
  readonly declared: readonly (SqlType | null)[];
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
  txDropped: number[] = [];
  txBuiltIndexes: number[] = [];
  savepoints: Savepoint[] = [];
  pendingNotifies: { channel: string; payload: string }[] = [];
  readonly settings = new Map<string, string>();
  readonly named = new Map<string, PreparedStatement>();
  readonly currvals = new Map<number, bigint>();
  blockIsolation: Isolation | null = null;
  cancelled = false;
  timedOut = false;
  startedMs = 0;
  running = false;
  onNotification?: ((notification: Notification) => void) | undefined;
  copyPort?: CopyPort | undefined;
  readonly queued: Notification[] = [];
  #closed = false;

  constructor(readonly engine: Engine, readonly id: number, readonly options: SessionOptions) {}

  get txStatus(): TxStatus {
    return this.failed ? "E" : this.inBlock ? "T" : "I";
  }

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
      this.txn = this.engine.txns.begin(
        iso === ("read uncommitted" as Isolation) ? "read committed" : iso,
      );
      this.txCatalog = null;
      this.txDropped = [];
      this.txBuiltIndexes = [];
      this.savepoints = [];
      this.pendingNotifies = [];
    }
    return this.txn;
  }

  /** Commits the open transaction (if any). */
  async commitTxn(): Promise<void> {
    const txn = this.txn;
    if (!txn) return;
    try {
      await this.engine.commit(txn, this.txCatalog, this.txCatalogBase, this.txDropped);
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
    for (const oid of this.txBuiltIndexes) {
      const idx = this.txCatalog?.indexes.get(oid);
      if (idx) this.engine.store.dropIndex(idx.table, oid);
    }
    this.#endTxn();
  }

  #endTxn(): void {
    this.txn = null;
    this.inBlock = false;
    this.failed = false;
    this.txCatalog = null;
    this.txDropped = [];
    this.txBuiltIndexes = [];
    this.savepoints = [];
    this.pendingNotifies = [];
    this.blockIsolation = null;
  }

  /** Runs statements one by one (simple query protocol). */
  async execute(
    sql: string,
    params: readonly Value[] = [],
    onResult?: (result: StatementResult) => void,
  ): Promise<StatementResult[]> {
    this.#checkOpen();
    // Plan cache hook: a statement shape seen before runs its cached plan with its literals as
    // parameters; anything else (null) takes the literal path below.
    const shaped = params.length === 0 ? this.#shaped(sql) : null;
    const statements = shaped ? [shaped.statement] : this.engine.parse(sql);
    const results: StatementResult[] = [];
    for (const st of statements) {
      const r = await this.runOne(st, shaped?.params ?? params, shaped?.declared ?? []);
      results.push(r);
      onResult?.(r);
    }
    if (statements.length === 0) {
      const empty: StatementResult = { command: "", tag: "", rowCount: 0, fields: null, rows: [] };
      results.push(empty);
    }
    return results;
  }

  #shaped(sql: string): ShapedStatement | null {
    return planCacheFor(this.engine).lookup(sql, {
      catalogVersion: this.catalog.version,
      settingsKey: this.getSetting("search_path") ?? "",
      plan: (st, declared) => planFor(this, st, declared),
      parse: (text) => this.engine.parse(text),
    });
  }

  /** Runs one parsed statement with transaction wrapping and failure state. */
  async runOne(
    st: ParsedStatement,
    params: readonly Value[],
    declared: readonly (SqlType | null)[],
  ): Promise<StatementResult> {
    this.cancelled = false;
    this.running = true;
    this.startedMs = performance.now();
    const timeoutMs = Number(this.getSetting("statement_timeout") ?? "0");
    const timer = timeoutMs > 0
      ? setTimeout(() => {
        this.cancelled = true;
        this.timedOut = true;
        this.txn?.interruptWait?.(
          new DbError("57014", "canceling statement due to statement timeout"),
        );
      }, timeoutMs)
      : undefined;
    const implicitStart = !this.inBlock;
    try {
      const r = await runStatement(this, st, params, declared);
      if (!this.inBlock && this.txn && implicitStart) await this.commitTxn();
      if (this.txn) this.txn.cid++;
      return r;
    } catch (e) {
      if (this.inBlock) {
        if (this.txn) this.failed = true;
      } else this.abortTxn();
      throw e;
    } finally {
      this.running = false;
      this.timedOut = false;
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  async prepare(sql: string, paramTypes: readonly (SqlType | null)[] = []): Promise<Prepared> {
    this.#checkOpen();
    try {
      return await this.#prepare(sql, paramTypes);
    } catch (e) {
      // A Parse error inside a block fails the block, as an execution error does.
      if (this.inBlock && this.txn) this.failed = true;
      throw e;
    }
  }

  async #prepare(sql: string, paramTypes: readonly (SqlType | null)[]): Promise<Prepared> {
    const statements = this.engine.parse(sql); // unnamed statements are re-sent: parse once
    if (statements.length > 1) {
      throw new DbError("42601", "cannot insert multiple commands into a prepared statement");
    }
    const parsed = statements[0] ?? { text: "", offset: 0, ast: { kind: "empty" as const } };
    await Promise.resolve();
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
    this.#checkOpen();
    const p = prepared as PreparedStatement;
    if (!p.parsed) throw new DbError("26000", "prepared statement does not belong to this session");
    let result: StatementResult | null = null;
    let error: unknown = null;
    let offset = 0;
    const run = async () => {
      if (result || error) return;
      try {
        result = await this.runOne(p.parsed, params, p.declared);
      } catch (e) {
        error = e;
      }
    };
    const cursor: Cursor = {
      fields: p.fields,
      fetch: async (maxRows: number) => {
        await run();
        if (error) throw error;
        const r = result!;
        const end = maxRows > 0 ? Math.min(r.rows.length, offset + maxRows) : r.rows.length;
        const rows = r.rows.slice(offset, end) as Value[][];
        offset = end;
        const done = offset >= r.rows.length;
        return done ? { rows, done, result: r } : { rows, done };
      },
      close: () => {},
    };
    return Promise.resolve(cursor);
  }

  getSetting(name: string): string | undefined {
    const key = name.toLowerCase();
    if (key === "transaction_isolation" && this.txn) return this.txn.isolation;
    return this.settings.get(key) ?? defaultSettings[key];
  }

  setSetting(name: string, value: string): void {
    this.settings.set(name.toLowerCase(), value);
  }

  /** Resets a setting to its default. */
  resetSetting(name: string): void {
    if (name === "all") this.settings.clear();
    else this.settings.delete(name.toLowerCase());
  }

  /** Extended-query Sync: every statement already commits on its own unless in a block. */
  sync(): Promise<void> {
    return Promise.resolve();
  }

  cancel(): void {
    if (!this.running) return;
    this.cancelled = true;
    // A statement waiting for a row lock is interrupted at once.
    this.txn?.interruptWait?.(new DbError("57014", "canceling statement due to user request"));
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
