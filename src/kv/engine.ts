/**
 * The key-value engine's state: databases, clients, pub/sub registry, WATCH
 * and blocking bookkeeping, memory accounting and the WAL hook. Command
 * handlers (`cmd_*.ts`) act on it; `dispatch.ts` runs them.
 * @module
 */
import type { WalWriter } from "../storage/wal_port.ts";
import type { KvClient } from "./client.ts";
import type { KvConfig } from "./config.ts";
import { Entry, Keyspace, type KvValue, type ValueType } from "./keyspace.ts";
import { kvRecordKind, RecordEncoder, type RecordMark } from "./record.ts";
import { estimateBytes } from "./entry_bytes.ts";
import { type KvStats, resettableStats } from "./kv_stats.ts";
import {
  blockClient,
  blockedKeyHolds,
  qualify,
  serveReadyKeys,
  unblockClient,
} from "./blocking.ts";
import { fromLatin1 } from "./bytes.ts";
import { updateEncoding } from "./encoding.ts";
import { notifyFlags, publishKeyspaceEvent } from "./notify.ts";
import type { SlowlogEntry } from "./slowlog.ts";
import type { LatencyEvent } from "./latency.ts";
import type { Pause } from "./pause.ts";
import { lfuInitialCounter, lfuPack, lfuTouch } from "./lfu.ts";
import type { KvUserDirectory } from "./auth.ts";
import { AclRegistry } from "./acl.ts";
import { Tracking } from "./tracking.ts";
import { CommandClock } from "./clocks.ts";

export type { KvStats } from "./kv_stats.ts";

/** Retries a blocked client's command; returns false when it must keep waiting. */
export type BlockedRunner = (client: KvClient, argv: Uint8Array[]) => boolean;

/**
 * A script that ran past busy-reply-threshold: the listener serves other
 * clients from inside it (see busy.ts), answering BUSY to all but a few
 * commands, and SCRIPT KILL or FUNCTION KILL may stop it.
 */
export interface BusyScript {
  /** EVAL/EVALSHA (true) or FCALL (false): which KILL applies. */
  readonly evalMode: boolean;
  /** The function's name, or the script's SHA-1. */
  readonly name: string;
  /** The caller's command line (FUNCTION STATS `command`). */
  readonly argv: readonly Uint8Array[];
  /** Monotonic start (ms). */
  readonly startMs: number;
  /** It has called a write command: KILL refuses (UNKILLABLE). */
  wrote: boolean;
  /** KILL asked it to stop: the Lua hook raises the kill error. */
  killed: boolean;
  /** Where the WAL record stood when it started (SHUTDOWN NOSAVE drops its part). */
  readonly recordMark: RecordMark;
  /** SHUTDOWN NOSAVE stops the server: it ends unlogged and unanswered. */
  stopping?: boolean;
}

/** The default monotonic timer (ms, sub-millisecond precision). */
function monotonicMs(): number {
  return performance.now();
}

/** Engine state shared by all clients. */
export class KvEngine {
  readonly dbs: Keyspace[] = [];
  readonly clients = new Map<number, KvClient>();
  readonly channels = new Map<string, Set<KvClient>>();
  readonly patterns = new Map<string, Set<KvClient>>();
  /** Shard channels (SSUBSCRIBE) -> subscribers. */
  readonly shardChannels = new Map<string, Set<KvClient>>();
  /** Clients in MONITOR mode. */
  readonly monitors = new Set<KvClient>();
  /** db-qualified key -> clients WATCHing it. */
  readonly watchers = new Map<string, Set<KvClient>>();
  /** db-qualified key -> clients blocked on it, oldest first. */
  readonly blockedOn = new Map<string, KvClient[]>();
  readonly readyKeys = new Set<string>();
  readonly stats: KvStats;
  /** True while replaying the WAL: no logging, no lazy expiry. */
  loading = false;
  /** True inside EXEC and replay: blocking commands answer at once. */
  noBlock = false;
  /** Time of the running command (ms); refreshed per command like Redis's cached clock. */
  now = 0;
  nextClientId = 1;
  wal: WalWriter | null = null;
  runBlocked: BlockedRunner = () => true;
  /** Counts a blocked command that ended in an error as failed; set by the dispatcher. */
  blockedCommandFailed: (argv: Uint8Array[]) => void = () => {};
  /** Zeroes the per-command counters (CONFIG RESETSTAT); set by the dispatcher. */
  resetCommandStats: () => void = () => {};
  /** ThunderDB's users for AUTH (injected by the server); null: only `default`. */
  users: KvUserDirectory | null = null;
  /** Redis ACL users and log (see acl.ts for how they relate to ThunderDB's users). */
  readonly acl: AclRegistry;
  /** CLIENT TRACKING: who read which keys, BCAST prefixes. */
  readonly tracking: Tracking;
  /** Set once memory holds writes the WAL must not see (SHUTDOWN NOSAVE in a script): no more snapshots. */
  snapshotsBarred = false;
  /** Persists a snapshot (SAVE/BGSAVE); null when the engine has no storage. */
  checkpoint: (() => Promise<void>) | null = null;
  /** Bumped by every write; a handler that wrote leaves it larger. */
  dirtyCounter = 0;
  /** Set by a handler that logged its own rewritten form. */
  explicitPropagation = false;
  /** Set by a handler whose error reply is already in errorstats (a script's failed redis.call). */
  errorCounted = false;
  readonly #record = new RecordEncoder();
  readonly startedMs: number;
  bytesBaseline = 1024 * 1024;
  /** Bytes of every client's buffers (the sum of `KvClient.memory`; INFO mem_clients_normal). */
  clientsMemory = 0;
  /** Enabled keyspace notification classes (`notify-keyspace-events`, see notify.ts). */
  notifyFlags = 0;
  /** The script running past busy-reply-threshold; null when none. */
  busyScript: BusyScript | null = null;
  /**
   * Serves other clients now, from inside a long script (set by a listener
   * that can poll synchronously: the native RESP one). Null: nobody is
   * served during a script, which is killed after `scriptRunMsMax`.
   */
  onBusy: (() => void) | null = null;
  /** Listening port and process id, for INFO. */
  port = 0;
  processId = 0;
  /** The slow log, oldest first (SLOWLOG GET lists it newest first). */
  readonly slowlog: SlowlogEntry[] = [];
  slowlogNextId = 0;
  /** Error replies by code word ("ERR", "WRONGTYPE"), for INFO errorstats. */
  readonly errorCodes = new Map<string, number>();
  /**
   * Whether an LFU policy is in force: entries' `lru` then holds their access
   * frequency (see lfu.ts). Changed by `setMaxmemoryPolicy`.
   */
  lfu = false;
  /** The CLIENT PAUSE in force, null when none. */
  pause: Pause | null = null;
  /** Latency monitor events by name ("command"). */
  readonly latencyEvents = new Map<string, LatencyEvent>();
  /**
   * Monotonic time (ms) the last command of the running batch ended, 0 at a
   * batch's start: the next command's duration is measured from it, so a
   * pipelined command costs one clock read (see dispatch.ts).
   */
  timedFromMs = 0;
  readonly #commandClock: CommandClock;
  /** CPU time of the process in microseconds, for INFO cpu (set by the listener). */
  cpuUsage: () => { readonly user: number; readonly system: number } = () => ({
    user: 0,
    system: 0,
  });

  constructor(
    public config: KvConfig,
    readonly clock: () => number = Date.now,
    readonly random: () => number = Math.random,
    /** Monotonic clock in ms with sub-millisecond precision, for command durations. */
    readonly timer: () => number = monotonicMs,
    /** The wall clock with sub-millisecond precision, or null (see `CommandClock`). */
    readonly exactClock: (() => number) | null = null,
  ) {
    this.#commandClock = new CommandClock(clock, timer, exactClock);
    for (let i = 0; i < config.databases; i++) {
      this.dbs.push(new Keyspace(i, (db, key) => this.#onExpired(db, key)));
    }
    this.now = clock();
    this.startedMs = this.now;
    this.lfu = config.maxmemoryPolicy.endsWith("-lfu");
    this.acl = new AclRegistry(config.requirepass);
    this.tracking = new Tracking(this.clients, () => this.config.trackingTableMaxKeys);
    this.stats = {
      ...resettableStats(),
      dirty: 0,
      lastSaveMs: this.now,
      lastSaveOk: true,
    };
  }

  /**
   * Switches the eviction policy. Moving between LRU and LFU tracking
   * restarts every key's access data (a fresh counter, or "used now").
   */
  setMaxmemoryPolicy(policy: KvConfig["maxmemoryPolicy"]): void {
    this.config.maxmemoryPolicy = policy;
    const lfu = policy.endsWith("-lfu");
    if (lfu === this.lfu) return;
    this.lfu = lfu;
    const fresh = lfu ? lfuPack(lfuInitialCounter, this.now) : this.now;
    for (const db of this.dbs) for (const e of db.map.values()) e.lru = fresh;
  }

  /** Records an access to an entry for LRU or LFU eviction. */
  touch(e: Entry): void {
    if (this.lfu) lfuTouch(e, this.now, this.random);
    else e.lru = this.now;
  }

  /** CONFIG RESETSTAT: zeroes the counters INFO stats and commandstats report. */
  resetStats(): void {
    Object.assign(this.stats, resettableStats());
    this.errorCodes.clear();
    this.resetCommandStats();
  }

  #onExpired(db: Keyspace, key: string): void {
    this.stats.expired++;
    this.logDeletion(db.index, key);
    this.keyChanged(db.index, key);
    this.notify(notifyFlags.expired, "expired", db.index, key);
  }

  /** Announces a keyspace event of class `type` when notifications of it are enabled. */
  notify(type: number, event: string, db: number, key: string): void {
    if ((this.notifyFlags & type) === 0 || this.loading) return;
    publishKeyspaceEvent(this, event, db, key);
  }

  /** Logs the removal of a key by expiry or eviction as a DEL. */
  logDeletion(db: number, key: string): void {
    if (this.loading) return;
    this.#record.add(db, [fromLatin1("DEL"), fromLatin1(key)]);
  }

  /** Appends a command to the record of the running top-level command. */
  propagate(db: number, argv: readonly Uint8Array[]): void {
    this.explicitPropagation = true;
    if (this.loading) return;
    this.#record.add(db, argv);
  }

  /**
   * Starts a command's clocks: its monotonic start (the end of the previous
   * command of the batch, or one timer read at a batch's start, see
   * `timedFromMs`) and `now`, the wall time expiry is judged by (see
   * `CommandClock`: inside a listener turn, derived from the timer reading).
   */
  startCommand(): void {
    const fresh = this.timedFromMs === 0;
    const t = this.timedFromMs = fresh ? this.timer() : this.timedFromMs;
    this.now = this.#commandClock.wallAt(t, fresh);
  }

  /** Brackets a turn of the listener's loop (see `KvStore.turn` and `CommandClock`). */
  clockTurn(starting: boolean): void {
    if (starting) this.#commandClock.beginTurn();
    else this.#commandClock.endTurn();
  }

  /** Ends a batch of commands: the next command's duration starts with a clock read. */
  endBatch(): void {
    this.timedFromMs = 0;
  }

  /** Bytes of the record not yet written to the WAL. */
  get pendingRecordBytes(): number {
    return this.#record.count === 0 ? 0 : this.#record.bytes;
  }

  /** Where the pending record ends now. */
  recordMark(): RecordMark {
    return this.#record.mark();
  }

  /** Drops what was logged since `mark` and is not in the WAL yet. */
  discardRecordSince(mark: RecordMark): void {
    this.#record.truncate(mark);
  }

  /** Writes the pending record to the WAL; returns its end LSN or 0 when none. */
  commitRecord(): number {
    this.timedFromMs = 0;
    // Clients served during a long script do not log its unfinished effects.
    if (this.#record.count === 0 || this.busyScript !== null) return 0;
    const payload = this.#record.take();
    if (this.wal === null) return 0;
    return this.wal.append(kvRecordKind, payload);
  }

  /** Counts an error reply by its code word, as INFO errorstats shows it. */
  countError(message: string): void {
    this.stats.errorReplies++;
    const space = message.indexOf(" ");
    const code = space < 0 ? message : message.slice(0, space);
    const n = this.errorCodes.get(code);
    // Like Redis, at most 128 distinct codes are tracked.
    if (n !== undefined) this.errorCodes.set(code, n + 1);
    else if (this.errorCodes.size < 128) this.errorCodes.set(code, 1);
  }

  /** Database-qualified key for the WATCH and blocking maps. */
  static qualify(db: number, key: string): string {
    return qualify(db, key);
  }

  /**
   * A live entry for reading (counts hits and misses, touches LRU unless
   * `touch` is false, as TTL, TYPE and EXISTS read in Redis).
   */
  lookupRead(db: number, key: string, touch = true): Entry | undefined {
    const e = this.dbs[db]!.lookup(key, this.now, this.loading);
    if (e === undefined) this.stats.misses++;
    else {
      this.stats.hits++;
      if (touch) this.touch(e);
    }
    return e;
  }

  /** A live entry for writing. */
  lookupWrite(db: number, key: string): Entry | undefined {
    const e = this.dbs[db]!.lookup(key, this.now, this.loading);
    if (e !== undefined) this.touch(e);
    return e;
  }

  /** Stores a value under a key (the old value and its TTL are replaced). */
  setValue(db: number, key: string, type: ValueType, value: KvValue, expireAt = 0): Entry {
    const e = new Entry(type, value);
    e.expireAt = expireAt;
    e.lru = this.lfu ? lfuPack(lfuInitialCounter, this.now) : this.now;
    e.bytes = estimateBytes(key, e);
    updateEncoding(e, this.config);
    const ks = this.dbs[db]!;
    const created = (this.notifyFlags & notifyFlags.newKey) !== 0 && !ks.map.has(key);
    ks.set(key, e);
    this.keyChanged(db, key);
    if (created) this.notify(notifyFlags.newKey, "new", db, key);
    return e;
  }

  /**
   * Plain SET: stores a string with no TTL. A persistent, compact string
   * entry is overwritten in place (one map lookup instead of two and no new
   * entry); anything else goes through `setValue`.
   */
  setString(db: number, key: string, value: string): void {
    const ks = this.dbs[db]!;
    const e = ks.map.get(key);
    if (e === undefined || e.type !== "string" || e.expireAt !== 0 || e.big) {
      this.setValue(db, key, "string", value);
      return;
    }
    e.value = value;
    this.touch(e);
    ks.resize(e, estimateBytes(key, e));
    this.keyChanged(db, key);
  }

  /** Deletes a key; returns true when it existed. */
  deleteKey(db: number, key: string): boolean {
    const e = this.dbs[db]!.delete(key);
    if (e === undefined) return false;
    this.keyChanged(db, key);
    return true;
  }

  /** Records that an existing entry changed in place (re-estimates its memory). */
  entryChanged(db: number, key: string, e: Entry): void {
    this.dbs[db]!.resize(e, estimateBytes(key, e));
    updateEncoding(e, this.config);
    this.keyChanged(db, key);
  }

  /** Marks WATCHers dirty, wakes blocked clients, counts the change. */
  keyChanged(db: number, key: string): void {
    this.dirtyCounter++;
    this.stats.dirty++;
    if (this.tracking.active) this.tracking.keyModified(key);
    if (this.watchers.size !== 0) {
      const set = this.watchers.get(KvEngine.qualify(db, key));
      if (set !== undefined) { for (const c of set) c.dirtyCas = true; }
    }
    if (this.blockedOn.size !== 0) {
      const q = KvEngine.qualify(db, key);
      if (this.blockedOn.has(q)) this.readyKeys.add(q);
    }
  }

  /**
   * Before a database is emptied or swapped: marks WATCHers of keys that exist
   * in it (or in `other`, the database taking its place) dirty, as Redis does,
   * and wakes clients blocked on its keys.
   */
  databaseChanged(db: number, other?: number): void {
    this.dirtyCounter++;
    const prefix = db + "\u0000";
    const here = this.dbs[db]!.map;
    const there = other === undefined ? undefined : this.dbs[other]!.map;
    for (const [k, set] of this.watchers) {
      if (!k.startsWith(prefix)) continue;
      const name = k.slice(prefix.length);
      if (here.has(name) || (there !== undefined && there.has(name))) {
        for (const c of set) c.dirtyCas = true;
      }
    }
    for (const k of this.blockedOn.keys()) if (k.startsWith(prefix)) this.readyKeys.add(k);
  }

  /** Estimated memory in use, as INFO's used_memory. */
  usedMemory(): number {
    let n = this.bytesBaseline + this.clientsMemory;
    for (const db of this.dbs) n += db.bytes;
    return n;
  }

  /** Blocks `client` on keys until one is ready or the deadline passes. */
  block(
    client: KvClient,
    keys: readonly string[],
    argv: Uint8Array[],
    timeoutMs: number,
    timeoutReply: "nil" | "nullArray" | "zero",
  ): void {
    blockClient(this, client, keys, argv, timeoutMs, timeoutReply);
  }

  /** Removes a client from every blocking queue and releases its wait. */
  unblock(client: KvClient): void {
    unblockClient(this, client);
  }

  /** Whether a key `client` is blocked on now holds a `type` value (see blocking.ts). */
  blockedKeyHolds(client: KvClient, type: ValueType): boolean {
    return blockedKeyHolds(this, client, type);
  }

  /** Serves clients blocked on keys that became ready, oldest first. */
  serveReadyKeys(): void {
    serveReadyKeys(this);
  }
}
