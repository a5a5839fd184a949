/**
 * The engine-level entry of the key-value engine, which the RESP protocol
 * calls. `openKvStore` opens the engine over its own WAL directory and
 * snapshot in the data directory (recovering both); `createKvEngine` builds
 * an engine whose WAL is supplied later (when the page store's WAL carries
 * the key-value records through `KvParticipant`). A `KvSession` is one
 * client connection.
 * @module
 */
import type { FileSystem } from "../storage/os/file_system.ts";
import type { WalWriter } from "../storage/wal_port.ts";
import { scanWal, truncateWal, Wal } from "../storage/wal/mod.ts";
import { log } from "../common/log.ts";
import { KvEngine } from "../kv/engine.ts";
import { exactWallClock, monotonicTimer, wallClock } from "../kv/clocks.ts";
import { type ClientTransport, KvClient } from "../kv/client.ts";
import { type KvConfig, validateKvConfig } from "../kv/config.ts";
import { attachDispatcher, executeCommand } from "../kv/dispatch.ts";
import { joinPath, KvParticipant, startBackgroundWork } from "../kv/durability.ts";
import { KvReloader, setReloader } from "../kv/debug_reload.ts";
import { resetClient } from "../kv/cmd_server.ts";
import type { Reply } from "../kv/reply.ts";
import { type KvUserDirectory, userDropped } from "../kv/auth.ts";
import { loadAclFile } from "../kv/acl_file.ts";
import { ConfigError } from "../common/errors.ts";

export type { KvConfig } from "../kv/config.ts";
export { defaultKvConfig } from "../kv/config.ts";
export type { Reply } from "../kv/reply.ts";
export type { ClientBuffers, ClientTransport } from "../kv/client.ts";
export type { OutputBufferLimits } from "../kv/client_limits.ts";
export type { KvUserDirectory } from "../kv/auth.ts";
export { KvParticipant } from "../kv/durability.ts";

/** Options of `openKvStore`. */
export interface KvStoreOptions {
  /** Directory for the snapshot and the `kv_wal` segment directory. */
  readonly dataDir: string;
  readonly fs: FileSystem;
  readonly config: KvConfig;
  /** Snapshot once the WAL grew this many bytes since the last one (default 64 MiB). */
  readonly snapshotEveryBytes?: number;
  /** ThunderDB's users, for AUTH as a user other than `default`. */
  readonly users?: KvUserDirectory;
}

/**
 * Logged bytes a turn of the listener's loop may leave pending before a
 * session writes them anyway (see `KvStore.turn`): keeps the shared record
 * and the copy into the WAL buffer small and cache-warm.
 */
const turnRecordBytesMax = 64 * 1024;

/** An open key-value store: the engine plus its durability. */
export class KvStore {
  #stopBackground: (() => void) | null = null;
  #closed = false;
  /** Inside a listener turn: sessions leave their logged commands to `turn(false)`. */
  #inTurn = false;
  #turnsFailed = false;

  /**
   * @param ownsWal true when the WAL is the store's own (`openKvStore`): it
   * then recycles segments after snapshots and closes the log on `close`.
   * Pass false when the WAL belongs to the page store.
   */
  constructor(
    readonly engine: KvEngine,
    readonly participant: KvParticipant,
    readonly wal: WalWriter & { close?(): void; recycle?(lsn: number): number },
    readonly ownsWal = true,
  ) {}

  /** The live configuration (CONFIG SET changes it). */
  get config(): KvConfig {
    return this.engine.config;
  }

  /** Starts flush, expiry and snapshot timers. */
  startBackground(snapshotEveryBytes: number): void {
    this.#stopBackground = startBackgroundWork(this.participant, this.wal, {
      snapshotEveryBytes,
      afterSnapshot: (lsn) => {
        if (this.ownsWal) this.wal.recycle?.(lsn);
      },
    });
  }

  /**
   * Registers a client connection.
   * @returns the session, or null when maxclients is reached
   */
  openSession(
    reply: Reply,
    transport: ClientTransport,
    addr: string,
    laddr: string,
  ): KvSession | null {
    const x = this.engine;
    if (x.clients.size >= x.config.maxclients) {
      x.stats.rejectedConnections++;
      return null;
    }
    const client = new KvClient(
      x.nextClientId++,
      reply,
      transport,
      addr,
      laddr,
      x.clock(),
      !x.acl.defaultOpen,
    );
    x.clients.set(client.id, client);
    x.stats.connections++;
    return new KvSession(this, client);
  }

  /**
   * Brackets one synchronous turn of the listener's loop (it serves several
   * connections' reads): the commands every session runs in it go to the
   * WAL as one record when it ends, instead of one record per read. Not with
   * appendfsync=always, whose replies wait for their own record's fsync.
   * Nothing awaits inside a turn, so no snapshot or other task sees logged
   * changes that are not in the WAL yet.
   */
  turn(starting: boolean): void {
    this.#inTurn = starting;
    this.engine.clockTurn(starting);
    if (starting) return;
    try {
      this.engine.commitRecord();
    } catch (e) {
      // The log failed and stays failed: from now on every session commits
      // its own writes, meets the error and fails its connection.
      this.#turnsFailed = true;
      log.error("KV WAL append failed", { error: String(e) });
    }
  }

  /** True while `commit` leaves the pending record to the end of the turn. */
  get defersCommit(): boolean {
    return this.#inTurn && !this.#turnsFailed && this.engine.config.appendfsync !== "always";
  }

  /** Writes a snapshot now (SAVE). */
  save(): Promise<void> {
    return this.participant.checkpoint(this.wal.endLsn);
  }

  /**
   * Stops the timers and closes the log without flushing or a snapshot: what a
   * crash leaves behind (tests use it; buffered unflushed records are lost).
   */
  abandon(): void {
    this.#closed = true;
    this.#stopBackground?.();
    for (const c of [...this.engine.clients.values()]) this.engine.unblock(c);
    if (this.ownsWal) this.wal.close?.();
  }

  /**
   * Stops the timers, flushes the WAL, writes a final snapshot (unless
   * `snapshot` is false: SHUTDOWN NOSAVE, recovery then replays the WAL) and
   * closes the log.
   */
  async close(options: { readonly snapshot?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopBackground?.();
    for (const c of [...this.engine.clients.values()]) this.engine.unblock(c);
    await this.wal.flush(this.wal.endLsn);
    if (options.snapshot === false) {
      if (this.ownsWal) this.wal.close?.();
      return;
    }
    await this.save();
    if (this.ownsWal) {
      this.wal.recycle?.(this.participant.snapshotLsn);
      this.wal.close?.();
    }
  }
}

/** One client connection's handle on the store. */
export class KvSession {
  constructor(readonly store: KvStore, readonly client: KvClient) {}

  /**
   * Runs one command (argument views may point into a reused buffer; the
   * engine copies what it keeps). Returns a promise when the connection must
   * wait before running its next command (blocking pops, SAVE).
   */
  execute(argv: Uint8Array[]): Promise<void> | undefined {
    return executeCommand(this.store.engine, this.client, argv);
  }

  /**
   * Appends what the commands run since the last commit logged as one WAL
   * record. Call it after each batch of `execute`s, and before awaiting a
   * promise `execute` returned (other clients run meanwhile). Inside a
   * listener turn (`KvStore.turn`) the record is left to the turn's end.
   */
  commit(): void {
    const x = this.store.engine;
    if (this.store.defersCommit && x.pendingRecordBytes < turnRecordBytesMax) x.endBatch();
    else x.commitRecord();
  }

  /**
   * With appendfsync=always, a promise that resolves once every logged write
   * is durable (replies must wait for it); undefined otherwise.
   */
  durable(): Promise<void> | undefined {
    const wal = this.store.wal;
    if (this.store.config.appendfsync !== "always" || wal.flushedLsn >= wal.endLsn) {
      return undefined;
    }
    return wal.flush(wal.endLsn);
  }

  /** Unregisters the client: unblocks it, drops its subscriptions and WATCHes. */
  close(): void {
    const x = this.store.engine;
    if (this.client.closed) return;
    this.client.closed = true;
    resetClient(x, this.client);
    x.clients.delete(this.client.id);
    x.clientsMemory -= this.client.memory;
    this.client.memory = 0;
  }
}

/**
 * Builds an engine whose WAL is someone else's (the page store's). Wiring:
 * `participant.loadSnapshot()`, pass `participant` to the page store's
 * recovery (it feeds `redo` the records after `restoredLsn()`), then
 * `engine.wal = wal`, `new KvStore(engine, participant, wal, false)` and
 * `store.startBackground(bytes)`.
 */
export function createKvEngine(
  config: KvConfig,
  fs: FileSystem,
  dataDir: string,
): { engine: KvEngine; participant: KvParticipant } {
  const engine = new KvEngine(
    validateKvConfig({ ...config }),
    wallClock(),
    Math.random,
    monotonicTimer(),
    exactWallClock(),
  );
  attachDispatcher(engine);
  const participant = new KvParticipant(engine, fs, dataDir);
  engine.checkpoint = () => participant.checkpoint(engine.wal?.endLsn ?? 0);
  return { engine, participant };
}

/**
 * Opens the key-value store in `dataDir`: loads the snapshot, replays the
 * WAL after it (cutting a torn tail), and opens the WAL for appends.
 * @throws {CorruptError} XX001 when the snapshot or log is damaged
 * @throws {IoError} 58030 on I/O failure
 * @example
 * const store = await openKvStore({ dataDir: "./data", fs: openFileSystem({ preferDirect: false }), config: defaultKvConfig });
 */
export async function openKvStore(options: KvStoreOptions): Promise<KvStore> {
  const { fs, dataDir } = options;
  fs.mkdir(dataDir);
  const walDir = joinPath(dataDir, "kv_wal");
  fs.mkdir(walDir);
  const { engine, participant } = createKvEngine(options.config, fs, dataDir);
  engine.users = options.users ?? null;
  options.users?.watchDropped?.((user) => userDropped(engine, user));
  const fromLsn = participant.loadSnapshot();
  const started = Date.now();
  const scan = scanWal(fs, walDir, fromLsn, (record) => {
    participant.redo({ kind: record.kind, lsn: record.lsn, payload: record.payload });
  });
  if (scan.torn) truncateWal(fs, walDir, scan.endLsn);
  // An ACL file, when configured, is where the ACL users come from (as in Redis).
  if (engine.config.aclfile !== "") {
    const loaded = loadAclFile(engine);
    if (typeof loaded === "string") throw new ConfigError(loaded.replace(/^ERR /, ""));
  }
  const wal = Wal.open({ fs, dir: walDir, sync: "fsync" }, scan.endLsn);
  engine.wal = wal;
  setReloader(engine, new KvReloader(participant, wal, walDir));
  engine.now = engine.clock();
  log.info("KV store recovered", {
    records: scan.records,
    torn: scan.torn,
    ms: Date.now() - started,
  });
  const store = new KvStore(engine, participant, wal);
  store.startBackground(options.snapshotEveryBytes ?? 64 * 1024 * 1024);
  await Promise.resolve();
  return store;
}
