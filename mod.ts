/**
 * ThunderDB's embedded API: open a database in-process, run SQL, use
 * transactions, close. This is the top of the stack for library users; it
 * wraps one engine and its sessions (see `src/engine/`).
 *
 * @example
 * ```ts
 * import { open } from "./mod.ts";
 * const db = await open({ memory: true });
 * const r = await db.query("SELECT $1::int + 1 AS x", [41]);
 * console.log(r.rows); // [{ x: 42 }]
 * await db.close();
 * ```
 * @module
 */
import type { SqlType, Value } from "./src/common/types.ts";
import { type Engine, openEngine } from "./src/engine/engine.ts";
import type { SqlSession } from "./src/engine/session.ts";
import type { StatementResult } from "./src/engine/session_api.ts";

export { DbError, type SqlState } from "./src/common/errors.ts";
export {
  Interval,
  Jsonb,
  Numeric,
  type SqlType,
  type TypeId,
  type Value,
} from "./src/common/types.ts";

/** Options for `open`. */
export interface OpenOptions {
  /** Data directory; created when missing. */
  readonly path?: string;
  /** Keep everything in memory (nothing is written to disk). */
  readonly memory?: boolean;
  /** fdatasync each commit (default true). */
  readonly sync?: boolean;
}

/** One result column. */
export interface FieldInfo {
  /** Column name (duplicates are kept in order). */
  readonly name: string;
  /** PostgreSQL type name, e.g. "int4", "text", "numeric", "_int4" for arrays. */
  readonly type: string;
}

/** Options for `query`. */
export interface QueryOptions {
  /** "object" (default) gives `{ column: value }` rows; "array" keeps duplicate names. */
  readonly rowMode?: "object" | "array";
}

/** The result of `query`. */
export interface QueryResult<R = Record<string, Value>> {
  /** Result rows: objects keyed by column name, or arrays with `rowMode: "array"`. */
  readonly rows: R[];
  /** Result columns in order. */
  readonly fields: FieldInfo[];
  /** Rows returned (SELECT) or affected (INSERT, UPDATE, DELETE). */
  readonly rowCount: number;
  /** Command word, e.g. "SELECT", "INSERT". */
  readonly command: string;
}

/** Something that runs SQL: the database or a transaction. */
export interface Queryable {
  /**
   * Runs SQL. Several statements in one string run in order; the last one's result is returned.
   * @throws {DbError} with a PostgreSQL SQLSTATE in `sqlstate`
   */
  query(
    sql: string,
    params?: readonly unknown[],
    options?: { rowMode?: "object" },
  ): Promise<QueryResult>;
  /** Runs SQL and returns rows as arrays, keeping duplicate column names. */
  query(
    sql: string,
    params: readonly unknown[],
    options: { rowMode: "array" },
  ): Promise<QueryResult<Value[]>>;
}

function typeName(t: SqlType): string {
  return t.id === "array" ? `_${typeName(t.elem ?? { id: "text" })}` : t.id;
}

type EngineFields = NonNullable<StatementResult["fields"]>;

/** Result columns per engine field list (the engine reuses one list per cached plan). */
const fieldInfoCache = new WeakMap<EngineFields, readonly FieldInfo[]>();

function fieldInfos(src: EngineFields): readonly FieldInfo[] {
  let infos = fieldInfoCache.get(src);
  if (infos === undefined) {
    infos = src.map((f) => Object.freeze({ name: f.name, type: typeName(f.type) }));
    fieldInfoCache.set(src, infos);
  }
  return infos;
}

function shape(
  r: StatementResult,
  rowMode: "object" | "array" | undefined,
): QueryResult<Record<string, Value> | Value[]> {
  // Each result gets its own array (callers may change it) of shared, frozen column descriptions.
  const fields: FieldInfo[] = r.fields === null ? [] : fieldInfos(r.fields).slice();
  const rows: (Record<string, Value> | Value[])[] = new Array(r.rows.length);
  for (let j = 0; j < r.rows.length; j++) {
    const row = r.rows[j]!;
    if (rowMode === "array") {
      rows[j] = row.slice();
      continue;
    }
    const o: Record<string, Value> = {};
    for (let i = 0; i < fields.length; i++) o[fields[i]!.name] = row[i] ?? null;
    rows[j] = o;
  }
  return { rows, fields, rowCount: r.rowCount, command: r.command };
}

function toValues(params: readonly unknown[]): Value[] {
  return params.map((p) => {
    if (p === undefined) return null;
    if (p instanceof Date) return BigInt(p.getTime()) * 1000n;
    return p as Value;
  });
}

/** Runs SQL on one engine session; the base of `Database` and `Transaction`. */
export class SessionQueryable implements Queryable {
  readonly #session: SqlSession;
  /** Wraps a session. */
  constructor(session: SqlSession) {
    this.#session = session;
  }
  /**
   * Runs SQL. Several statements in one string run in order; the last one's result is returned.
   * Parameters are `$1`, `$2`, ...; JavaScript numbers, bigints, strings, booleans, null, Dates,
   * Uint8Arrays and arrays are accepted.
   * @throws {DbError} with the PostgreSQL SQLSTATE in `sqlstate`
   * @example
   * const r = await db.query("SELECT $1::int + 1 AS x", [41]); // r.rows = [{ x: 42 }]
   */
  query(
    sql: string,
    params?: readonly unknown[],
    options?: { rowMode?: "object" },
  ): Promise<QueryResult>;
  query(
    sql: string,
    params: readonly unknown[],
    options: { rowMode: "array" },
  ): Promise<QueryResult<Value[]>>;
  async query(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}) {
    const results = await this.#session.execute(sql, toValues(params));
    const last = results[results.length - 1]!;
    // deno-lint-ignore no-explicit-any -- the overloads above give callers the precise row type
    return shape(last, options.rowMode) as any;
  }
}

/** A transaction handed to `Database.transaction`'s callback. */
export class Transaction extends SessionQueryable {}

/** An open database. */
export class Database extends SessionQueryable {
  readonly #engine: Engine;
  #closed = false;
  /** Wraps an open engine (use `open` instead). */
  constructor(engine: Engine) {
    super(engine.openSession());
    this.#engine = engine;
  }

  /**
   * Runs `fn` in a transaction on its own session: committed when `fn` resolves,
   * rolled back when it throws (the error is rethrown).
   * @example
   * await db.transaction(async (tx) => {
   *   await tx.query("INSERT INTO t VALUES (1)");
   * });
   */
  async transaction<T>(
    fn: (tx: Transaction) => Promise<T>,
    options: { isolation?: "read committed" | "repeatable read" | "serializable" } = {},
  ): Promise<T> {
    const session = this.#engine.openSession();
    try {
      await session.execute(
        options.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}` : "BEGIN",
      );
      const out = await fn(new Transaction(session));
      await session.execute("COMMIT");
      return out;
    } catch (e) {
      if (session.txStatus !== "I") await session.execute("ROLLBACK");
      throw e;
    } finally {
      await session.close();
    }
  }

  /** Closes the database, writing a compact snapshot when it has a data directory. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#engine.close();
  }
}

/**
 * Opens a database in memory (`{ memory: true }`) or in a data directory (`{ path }`).
 * @throws {DbError} XX001 when the data directory's log is corrupt, 58030 on I/O errors
 * @example
 * const db = await open({ path: "./data" });
 * await db.query("CREATE TABLE IF NOT EXISTS kv (k text PRIMARY KEY, v int)");
 * await db.close();
 */
export async function open(options: OpenOptions = { memory: true }): Promise<Database> {
  const engine = await openEngine({
    ...(options.path !== undefined ? { path: options.path } : {}),
    ...(options.memory !== undefined ? { memory: options.memory } : {}),
    ...(options.sync !== undefined ? { sync: options.sync } : {}),
  });
  return new Database(engine);
}
