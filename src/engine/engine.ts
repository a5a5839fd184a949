/**
 * The engine: owns the row store (relations in the page store, through the
 * `txn/` transaction layer), the committed catalog and sequences, and opens
 * sessions. Every protocol and the embedded API reach data only through
 * `Engine.openSession`.
 *
 * Durability: row changes are WAL-logged by the transaction layer and a
 * commit resolves after the WAL group flush. The catalog and sequence
 * positions live in the store's catalog blob; a DDL transaction rewrites it
 * (with the previous catalog and its xid) before its commit record, so after
 * a crash the catalog matches the rows: the new one when the xid committed,
 * the previous one otherwise.
 * @module
 */
import { DbError } from "../common/errors.ts";
import { log } from "../common/log.ts";
import type { ExecContext } from "../exec/context.ts";
import { RelationStore } from "../exec/relation_store.ts";
import type { StoredIndexSpec } from "../exec/relation_spec.ts";
import { Catalog, type IndexDef, type SequenceDef } from "../sql/catalog/catalog.ts";
import { databaseName } from "../sql/pg_catalog/mod.ts";
import { type ParsedStatement, parseSql } from "../sql/parser_port.ts";
import type { FileSystem } from "../storage/os/file_system.ts";
import { FsFileSystem } from "../storage/os/fs_file.ts";
import type { PageStore } from "../storage/page_store.ts";
import { type Txn, XidStatus } from "../txn/mod.ts";
import {
  decodeDurable,
  type DurableCatalog,
  encodeCatalog,
  encodeDurable,
  type SequencePosition,
  storedRelationSpec,
  syncRelationStore,
} from "./page_catalog.ts";
import { Autovacuum } from "./autovacuum.ts";
import { staticContext, storedIndexSpec } from "./index_specs.ts";
import { TableStats } from "./table_stats.ts";
import { loggedAhead, nextSequenceValue } from "./sequence_values.ts";
import { type SessionOptions, SqlSession } from "./session.ts";
import type { Notification } from "./session_api.ts";

/** Options for `openEngine`. */
export interface EngineOptions {
  /** Data directory; omit (or set `memory`) for an in-memory database. */
  readonly path?: string;
  readonly memory?: boolean;
  /** File system to use (defaults to the Deno file API implementation). */
  readonly fs?: FileSystem;
  /** fdatasync the WAL on each commit (default true). */
  readonly sync?: boolean;
  /** An open page store to keep the data in (the server's); the caller closes it. */
  readonly store?: PageStore;
}

/** Parsed query strings kept for reuse. */
const parseCacheMax = 1_000;

/** The database engine. */
export class Engine {
  readonly txns: RelationStore["txns"];
  catalog: Catalog = Catalog.initial();
  readonly sequences = new Map<number, SequencePosition>();
  readonly sessions = new Map<number, SqlSession>();
  readonly listeners = new Map<string, Set<SqlSession>>();
  /** Row counts per relation from ANALYZE and auto-analyze, used for join planning. */
  readonly stats: ReadonlyMap<number, number>;
  readonly planCache = new Map<string, import("../sql/planner.ts").PlannedStatement>();
  readonly #parseCache = new Map<string, ParsedStatement[]>();
  #nextSessionId = 1;
  readonly #tableStats: TableStats;
  #closed = false;
  /** Vacuum runs started by commits, stepped off the commit path. */
  readonly autovacuum: Autovacuum;
  #durable: DurableCatalog = { cur: "", prev: null, xid: 0 };
  #sequencesDirty = false;
  /** Per sequence: the position saved ahead of the values handed out. */
  readonly #seqLogged = new Map<number, bigint>();
  #staticCtx: ExecContext | null = null;
  readonly #roleDropped: ((name: string) => void)[] = [];

  /** @param ownsStore close the page store with the engine */
  constructor(readonly rs: RelationStore, readonly ownsStore: boolean) {
    this.txns = rs.txns;
    this.autovacuum = new Autovacuum(rs);
    this.#tableStats = new TableStats(rs, this.autovacuum, () => this.planCache.clear());
    this.stats = this.#tableStats.rows;
  }

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

  /** Loads the durable catalog and binds every table to its pages (at open). */
  load(): void {
    const text = this.rs.engineCatalog;
    if (text !== null) {
      const saved = decodeDurable(
        text,
        (xid) => this.txns.clog.status(xid) === XidStatus.committed,
      );
      this.catalog = saved.catalog;
      for (const [oid, p] of saved.sequences) {
        if (this.catalog.sequences.has(oid)) this.sequences.set(oid, p);
      }
    }
    this.#durable = { cur: encodeCatalog(this.catalog, new Map()), prev: null, xid: 0 };
    this.#save();
    syncRelationStore(this.rs, this.catalog, (c, i) => this.indexSpec(c, i));
  }

  /** Saves the catalog blob; sequence positions logged ahead unless `exact` (clean close). */
  #save(exact = false): void {
    const positions = new Map(this.sequences);
    if (!exact) {
      for (const [oid, value] of this.#seqLogged) positions.set(oid, { value, called: true });
    }
    this.rs.saveCatalog(encodeDurable(this.#durable, positions));
    this.#sequencesDirty = false;
  }

  /**
   * Binds relations to what `catalog` says of them (allocating new tables and
   * indexes, building indexes over existing rows, freeing dropped indexes).
   * Relations `catalog` lacks are freed unless `keep`; indexes of `retain`
   * (the committed catalog, for an open transaction's DDL) are kept.
   * @throws {DbError} 23505 when a new unique index finds duplicates
   */
  bindRelations(catalog: Catalog, oids: Iterable<number>, keep = false, retain?: Catalog): void {
    const specOf = (c: Catalog, i: IndexDef) => this.indexSpec(c, i);
    const list = [...oids];
    for (const oid of list) {
      let spec = storedRelationSpec(catalog, oid, specOf);
      const kept = retain ? storedRelationSpec(retain, oid, specOf) : null;
      if (spec && kept) {
        // Indexes dropped by an open transaction stay until it commits.
        const extra = kept.indexes.filter((i) => !spec!.indexes.some((j) => j.oid === i.oid));
        if (extra.length > 0) spec = { ...spec, indexes: [...spec.indexes, ...extra] };
      }
      if (spec) this.rs.define(spec);
      else if (!keep) this.rs.dropRelation(oid);
    }
    // The transaction ended: storage a table moved away from (or to, when it
    // rolled back) is free.
    if (!keep) this.rs.freeMoved(list);
  }

  /** The store's view of a catalog index. */
  indexSpec(catalog: Catalog, idx: IndexDef): StoredIndexSpec {
    return storedIndexSpec(catalog, idx, () => this.#staticContext());
  }

  #staticContext(): ExecContext {
    if (this.#staticCtx) return this.#staticCtx;
    this.#staticCtx = staticContext(this.rs);
    return this.#staticCtx;
  }

  /**
   * Advances a sequence (non-transactional). `seq` is the caller's definition
   * (a sequence created by its uncommitted transaction is not committed yet).
   * @throws {DbError} 2200H when exhausted
   */
  nextval(oid: number, seq?: SequenceDef): bigint {
    const def = seq ?? this.catalogSequence(oid);
    const next = nextSequenceValue(def, this.sequences.get(oid));
    this.sequences.set(oid, { value: next, called: true });
    // Like PostgreSQL, positions are logged ahead: a commit saves them only every
    // `sequenceLogAhead` values (after a crash the sequence resumes past them).
    const logged = this.#seqLogged.get(oid);
    if (logged === undefined || (def.increment > 0n ? next > logged : next < logged)) {
      this.#seqLogged.set(oid, loggedAhead(def, next));
      this.#sequencesDirty = true;
    }
    return next;
  }

  /** Sets a sequence position. */
  setval(oid: number, value: bigint, called: boolean, seq?: SequenceDef): bigint {
    if (!seq) this.catalogSequence(oid);
    this.sequences.set(oid, { value, called });
    this.#seqLogged.delete(oid);
    this.#sequencesDirty = true;
    return value;
  }

  /**
   * Puts a sequence back at a position saved before a rolled-back RESTART
   * (undefined: never used since its creation).
   */
  restoreSequence(oid: number, position: SequencePosition | undefined): void {
    if (position === undefined) this.sequences.delete(oid);
    else this.sequences.set(oid, position);
    this.#seqLogged.delete(oid);
    this.#sequencesDirty = true;
  }

  catalogSequence(oid: number) {
    const def = this.catalog.sequences.get(oid);
    if (!def) throw new DbError("42P01", `sequence with OID ${oid} does not exist`);
    return def;
  }

  /**
   * Makes a transaction durable and visible, publishing its catalog when it ran DDL.
   * @param touched relations whose storage the transaction's DDL changed
   * @throws {DbError} 40001 on a serialization failure or concurrent DDL
   */
  async commit(
    txn: Txn,
    catalog: Catalog | null,
    baseVersion: number,
    touched: ReadonlySet<number>,
    changes: ReadonlyMap<number, number>,
  ): Promise<void> {
    if (catalog && this.catalog.version !== baseVersion) {
      throw new DbError("40001", "could not serialize access due to concurrent DDL");
    }
    const before = this.catalog;
    const beforeDurable = this.#durable;
    if (catalog) {
      // The catalog reaches the WAL before the commit record, tagged with the xid.
      this.txns.writeXid(txn);
      this.#durable = {
        cur: encodeCatalog(catalog, new Map()),
        prev: beforeDurable.cur,
        xid: txn.xid,
      };
      this.catalog = catalog;
      this.planCache.clear();
      this.#save();
    } else if (this.#sequencesDirty) this.#save();
    try {
      await this.txns.commit(txn);
    } catch (e) {
      if (catalog) this.#revertCatalog(before, beforeDurable, touched);
      throw e;
    }
    if (txn.state !== "committed") {
      if (catalog) this.#revertCatalog(before, beforeDurable, touched);
      return;
    }
    if (catalog) {
      this.bindRelations(catalog, touched);
      if (before.roles !== catalog.roles) this.#rolesGone(before, catalog);
    }
    this.#tableStats.countChanges(changes);
  }

  /**
   * Registers `listener`, called after each commit with every role it
   * dropped (or renamed away): the server disconnects such Redis clients.
   */
  onRoleDropped(listener: (name: string) => void): void {
    this.#roleDropped.push(listener);
  }

  #rolesGone(before: Catalog, after: Catalog): void {
    if (this.#roleDropped.length === 0) return;
    for (const name of before.roles.keys()) {
      if (after.roles.has(name)) continue;
      for (const listener of this.#roleDropped) listener(name);
    }
  }

  /**
   * `commit` of a transaction that ran no DDL, without yielding when the
   * transaction manager needs no wait (see `TxnManager.commitNow`).
   * @returns null when the transaction ended here, else what `commit` awaits
   * @throws {DbError} 40001 on a serialization failure
   */
  commitNow(txn: Txn, changes: ReadonlyMap<number, number>): Promise<void> | null {
    if (this.#sequencesDirty) this.#save();
    const publish = this.txns.commitNow(txn);
    if (publish !== null) {
      return publish.then(() => {
        if (txn.state === "committed") this.#tableStats.countChanges(changes);
      });
    }
    if (txn.state === "committed") this.#tableStats.countChanges(changes);
    return null;
  }

  /**
   * Commits, synchronously, a transaction that wrote no rows, no catalog and
   * no sequence position (a read-only autocommit statement).
   * @returns false when `commit` is needed instead; the transaction is then still open
   */
  commitReadOnly(txn: Txn): boolean {
    return !this.#sequencesDirty && this.txns.commitReadOnly(txn);
  }

  #revertCatalog(before: Catalog, durable: DurableCatalog, touched: ReadonlySet<number>): void {
    this.catalog = before;
    this.#durable = durable;
    this.planCache.clear();
    this.#save();
    this.bindRelations(before, touched);
  }

  /** Flushes sequence positions changed by a transaction that wrote nothing else. */
  async flushSequences(): Promise<void> {
    if (!this.#sequencesDirty) return;
    this.#save();
    await this.rs.store.wal.flush(this.rs.store.wal.endLsn);
  }

  /** Removes dead row versions of a relation; returns how many. */
  vacuum(rel: number): number {
    return this.rs.spec(rel) ? this.rs.vacuum(rel) : 0;
  }

  /** Counts the live rows of a relation for the planner (ANALYZE). */
  analyze(rel: number): number {
    return this.#tableStats.analyze(rel);
  }

  /** Delivers NOTIFY messages of a committed transaction. */
  notify(from: number, notes: readonly { channel: string; payload: string }[]): void {
    for (const n of notes) {
      const note: Notification = { processId: from, channel: n.channel, payload: n.payload };
      for (const s of this.listeners.get(n.channel) ?? []) s.deliver(note);
    }
  }

  /** Saves sequence positions and checkpoints the page store. */
  async checkpoint(): Promise<void> {
    this.#save();
    await this.rs.store.checkpoint();
  }

  /** Closes every session, saves sequences and closes the store when the engine owns it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.autovacuum.close();
    for (const s of [...this.sessions.values()]) await s.close();
    this.#closed = true;
    this.#save(true);
    if (this.ownsStore) await this.rs.close();
    else await this.rs.store.wal.flush(this.rs.store.wal.endLsn);
  }
}

/**
 * Opens an engine over a page store: the caller's (`store`), one in a data
 * directory (`path`), or one in memory.
 * @throws {DbError} XX001 on corrupt data, 58030 on I/O errors
 * @example
 * const engine = await openEngine({ memory: true });
 * const session = engine.openSession();
 */
export async function openEngine(options: EngineOptions = {}): Promise<Engine> {
  let rs: RelationStore;
  if (options.store) rs = RelationStore.over(options.store);
  else if (options.memory || options.path === undefined) {
    // Nothing of an in-memory database outlives the process and no one can
    // reopen its private file system: it keeps no log at all.
    rs = await RelationStore.open({ walSync: "discard" });
  } else {
    rs = await RelationStore.open({
      fs: options.fs ?? new FsFileSystem(),
      dataDir: options.path,
      walSync: options.sync === false ? "off" : "fsync",
    });
  }
  const engine = new Engine(rs, options.store === undefined);
  engine.load();
  log.debug("engine opened", { path: options.path ?? null });
  return engine;
}
