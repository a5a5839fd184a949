/**
 * The engine: owns the row store, the transaction manager, the committed
 * catalog, sequences and the commit log, and opens sessions. Every protocol
 * and the embedded API reach data only through `Engine.openSession`.
 * @module
 */
import { DbError } from "../common/errors.ts";
import { log } from "../common/log.ts";
import type { Value } from "../common/types.ts";
import { type Txn, TxnManager } from "../exec/mvcc.ts";
import { type IndexSpec, TableStore } from "../exec/table_store.ts";
import { compile } from "../exec/scalar.ts";
import type { ExecContext } from "../exec/context.ts";
import { Catalog, type IndexDef } from "../sql/catalog/catalog.ts";
import { createPlanner } from "../sql/planner.ts";
import { databaseName } from "../sql/pg_catalog/mod.ts";
import { type ParsedStatement, parseSql } from "../sql/parser_port.ts";
import { bindSqlText } from "../sql/plan/plan_dml.ts";
import { tableColumns } from "../sql/plan/plan_from.ts";
import { Scope } from "../sql/plan/scope.ts";
import type { FileSystem } from "../storage/os/file_system.ts";
import { FsFileSystem } from "../storage/os/fs_file.ts";
import { CommitLog, type CommitRecord } from "./commit_log.ts";
import { type SessionOptions, SqlSession } from "./session.ts";
import type { Notification } from "./session_api.ts";

/** Options for `openEngine`. */
export interface EngineOptions {
  /** Data directory; omit (or set `memory`) for an in-memory database. */
  readonly path?: string;
  readonly memory?: boolean;
  /** File system to use (defaults to the Deno file API implementation). */
  readonly fs?: FileSystem;
  /** fdatasync the commit log on each commit (default true). */
  readonly sync?: boolean;
}

interface SequenceState {
  value: bigint;
  called: boolean;
}

/** Parsed query strings kept for reuse. */
const parseCacheMax = 1_000;

/** Changes to a relation before it is vacuumed automatically. */
const autoVacuumChanges = 2_000;

/** The database engine. */
export class Engine {
  readonly txns = new TxnManager();
  readonly store = new TableStore(this.txns);
  catalog: Catalog = Catalog.initial();
  readonly sequences = new Map<number, SequenceState>();
  readonly sessions = new Map<number, SqlSession>();
  readonly listeners = new Map<string, Set<SqlSession>>();
  /** Row counts per relation from ANALYZE and auto-analyze, used for join planning. */
  readonly stats = new Map<number, number>();
  readonly planCache = new Map<string, import("../sql/planner.ts").PlannedStatement>();
  readonly #parseCache = new Map<string, ParsedStatement[]>();
  #nextSessionId = 1;
  #changes = new Map<number, number>();
  #closed = false;
  constructor(readonly log: CommitLog | null) {}

  /**
   * Parses SQL text, reusing the result for text seen before (statements with
   * `$n` parameters repeat verbatim, so hits are the common case).
   * @throws {DbError} 42601
   */
  parse(sql: string): ParsedStatement[] {
    let parsed = this.#parseCache.get(sql);
    if (!parsed) {
      parsed = parseSql(sql);
      if (this.#parseCache.size >= parseCacheMax) this.#parseCache.clear();
      this.#parseCache.set(sql, parsed);
    }
    return parsed;
  }

  /** Opens a session. */
  openSession(options: SessionOptions = {}): SqlSession {
    if (this.#closed) throw new DbError("57P01", "The database is closed");
    if (options.database !== undefined && options.database !== databaseName) {
      throw new DbError("3D000", `database "${options.database}" does not exist`);
    }
    const id = this.#nextSessionId++;
    const s = new SqlSession(this, id, options);
    this.sessions.set(id, s);
    return s;
  }

  /** Forgets a closed session. */
  sessionClosed(s: SqlSession): void {
    this.sessions.delete(s.id);
    for (const set of this.listeners.values()) set.delete(s);
  }

  /** Registers the store-level indexes of every index in a catalog. */
  syncIndexes(catalog: Catalog, only?: readonly number[]): void {
    for (const idx of catalog.indexes.values()) {
      if (only && !only.includes(idx.oid)) continue;
      this.store.ensureIndex(idx.table, this.indexSpec(catalog, idx));
    }
  }

  /** The store's view of a catalog index. */
  indexSpec(catalog: Catalog, idx: IndexDef): IndexSpec {
    const rel = catalog.relations.get(idx.table)!;
    const con = rel.constraints.find((c) =>
      (c.kind === "primary_key" || c.kind === "unique") && c.indexOid === idx.oid
    );
    let predicate: IndexSpec["predicate"] = null;
    if (idx.predicateSql) {
      const p = createPlanner(catalog, "", []);
      const e = bindSqlText(p, idx.predicateSql, new Scope(tableColumns(rel, rel.name), null));
      const fn = compile(e);
      const ctx = this.#staticContext();
      predicate = (values) => fn(values as Value[], ctx) === true;
    }
    return {
      oid: idx.oid,
      name: idx.name,
      columns: idx.columns,
      unique: idx.unique,
      predicate,
      constraintName: con?.name ?? idx.name,
    };
  }

  #staticContext(): ExecContext {
    const txn = this.txns.begin();
    this.txns.abort(txn);
    return {
      store: this.store,
      txns: this.txns,
      txn,
      snapshot: { csn: 0 },
      params: [],
      outer: [],
      ctes: new Map(),
      sequences: {
        nextval: () => {
          throw new DbError("0A000", "nextval is not allowed here");
        },
        currval: () => 0n,
        setval: () => 0n,
      },
      nowMicros: 0n,
      checkCancel: () => {},
      referencedBy: () => [],
      changes: new Map(),
      stats: null,
      setting: () => undefined,
      sessionId: 0,
      clockMs: () => 0,
    };
  }

  /** Advances a sequence (non-transactional). @throws {DbError} 2200H when exhausted */
  nextval(oid: number): bigint {
    const def = this.catalogSequence(oid);
    const st = this.sequences.get(oid) ?? { value: def.start, called: false };
    let next = st.called ? st.value + def.increment : st.value;
    if (next > def.max || next < def.min) {
      if (!def.cycle) {
        throw new DbError(
          "2200H",
          `nextval: reached ${
            def.increment > 0n ? "maximum" : "minimum"
          } value of sequence "${def.name}" (${def.increment > 0n ? def.max : def.min})`,
        );
      }
      next = def.increment > 0n ? def.min : def.max;
    }
    this.sequences.set(oid, { value: next, called: true });
    return next;
  }

  /** Sets a sequence position. */
  setval(oid: number, value: bigint, called: boolean): bigint {
    this.catalogSequence(oid);
    this.sequences.set(oid, { value, called });
    return value;
  }

  catalogSequence(oid: number) {
    const def = this.catalog.sequences.get(oid);
    if (!def) throw new DbError("42P01", `sequence with OID ${oid} does not exist`);
    return def;
  }

  /**
   * Makes a transaction durable and visible.
   * @throws {DbError} 40001 on a serialization failure
   */
  async commit(
    txn: Txn,
    catalog: Catalog | null,
    baseVersion: number,
    dropped: readonly number[],
  ): Promise<void> {
    this.txns.checkSerializable(txn);
    if (catalog && this.catalog.version !== baseVersion) {
      throw new DbError("40001", "could not serialize access due to concurrent DDL");
    }
    if (this.log && (txn.redo.length > 0 || catalog)) {
      const record: CommitRecord = {
        ops: txn.redo.filter((o) => o.op !== "ddl") as CommitRecord["ops"],
        ...(catalog ? { catalog: catalog.toData() } : {}),
        sequences: this.#sequenceData(),
      };
      await this.log.append(record);
    }
    this.txns.commit(txn);
    if (catalog) {
      this.catalog = catalog;
      this.planCache.clear();
      for (const rel of dropped) this.store.dropRelation(rel);
    }
    this.#countChanges(txn);
  }

  #countChanges(txn: Txn): void {
    const perRel = new Map<number, number>();
    for (const op of txn.redo) {
      if (op.op !== "ddl") perRel.set(op.rel, (perRel.get(op.rel) ?? 0) + 1);
    }
    for (const [rel, k] of perRel) {
      const n = (this.#changes.get(rel) ?? 0) + k;
      // Like autovacuum: a fixed floor plus a fraction of the table.
      const threshold = Math.max(autoVacuumChanges, 0.2 * (this.stats.get(rel) ?? 0));
      if (n < threshold) {
        this.#changes.set(rel, n);
        continue;
      }
      this.#changes.set(rel, 0);
      this.store.vacuum(rel, this.txns.oldestSnapshotCsn());
      this.analyze(rel);
    }
  }

  #sequenceData(): Record<string, [bigint, boolean]> {
    const out: Record<string, [bigint, boolean]> = {};
    for (const [oid, s] of this.sequences) out[String(oid)] = [s.value, s.called];
    return out;
  }

  /** Counts the live rows of a relation for the planner (ANALYZE). */
  analyze(rel: number): number {
    const txn = this.txns.begin("read committed", true);
    const snap = this.txns.snapshotFor(txn);
    txn.cid = 1;
    let rows = 0;
    for (const _t of this.store.scan(rel, txn, snap)) rows++;
    this.txns.abort(txn);
    const before = this.stats.get(rel);
    this.stats.set(rel, rows);
    // Plans chose join sides from the old numbers; replan when they moved a lot.
    if (before === undefined || rows > before * 2 || rows < before / 2) this.planCache.clear();
    return rows;
  }

  /** Delivers NOTIFY messages of a committed transaction. */
  notify(from: number, notes: readonly { channel: string; payload: string }[]): void {
    for (const n of notes) {
      const note: Notification = { processId: from, channel: n.channel, payload: n.payload };
      for (const s of this.listeners.get(n.channel) ?? []) s.deliver(note);
    }
  }

  /** Replays the commit log into the store and catalog. */
  recover(records: readonly CommitRecord[]): void {
    const txn = this.txns.begin();
    for (const r of records) {
      if (r.catalog) {
        this.catalog = Catalog.fromData(r.catalog as Parameters<typeof Catalog.fromData>[0]);
        this.syncIndexes(this.catalog);
      }
      for (const op of r.ops) {
        if (op.op === "ins") this.store.put(op.rel, op.values as Value[], txn.xid, 0, op.id);
        else if (op.op === "del") this.store.removeTuple(op.rel, op.id);
      }
      for (const [oid, [value, called]] of Object.entries(r.sequences ?? {})) {
        this.sequences.set(Number(oid), { value, called });
      }
    }
    for (const oid of [...this.sequences.keys()]) {
      if (!this.catalog.sequences.has(oid)) this.sequences.delete(oid);
    }
    this.txns.commit(txn);
  }

  /** Writes a compact snapshot of the database into the commit log. */
  async checkpoint(): Promise<void> {
    if (!this.log) return;
    const txn = this.txns.begin("repeatable read", true);
    const snap = this.txns.snapshotFor(txn);
    txn.cid = 1;
    const ops: { op: "ins"; rel: number; id: number; values: unknown[] }[] = [];
    for (const rel of this.catalog.relations.values()) {
      if (rel.kind !== "table") continue;
      for (const t of this.store.scan(rel.oid, txn, snap)) {
        ops.push({ op: "ins", rel: rel.oid, id: t.id, values: t.values });
      }
    }
    this.txns.abort(txn);
    await this.log.rewrite([{
      ops,
      catalog: this.catalog.toData(),
      sequences: this.#sequenceData(),
    }]);
  }

  /** Closes every session, checkpoints and closes the log. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const s of [...this.sessions.values()]) await s.close();
    await this.checkpoint();
    this.#closed = true;
    this.log?.close();
  }
}

/**
 * Opens an engine: in memory, or over a data directory (recovering its commit log).
 * @throws {DbError} XX001 on a corrupt log, 58030 on I/O errors
 * @example
 * const engine = await openEngine({ memory: true });
 * const session = engine.openSession();
 */
export function openEngine(options: EngineOptions = {}): Promise<Engine> {
  if (options.memory || options.path === undefined) return Promise.resolve(new Engine(null));
  const fs = options.fs ?? new FsFileSystem();
  const commitLog = new CommitLog(fs, options.path, options.sync ?? true);
  const engine = new Engine(commitLog);
  const records = commitLog.read();
  engine.recover(records);
  log.debug("engine opened", { path: options.path, records: records.length });
  return Promise.resolve(engine);
}
