/**
 * DEBUG RELOAD and DEBUG LOADAOF: the keyspace is emptied and rebuilt from
 * storage the way a restart rebuilds it, so both exercise persistence for
 * real. RELOAD takes a snapshot (unless NOSAVE) and loads it back, then
 * replays whatever the WAL holds past it; LOADAOF makes the WAL durable and
 * runs recovery proper (the last snapshot, then the WAL after it). The
 * rebuild itself runs without an await, so no other client sees the
 * keyspace half loaded.
 * @module
 */
import type { FileSystem } from "../storage/os/file_system.ts";
import type { WalWriter } from "../storage/wal_port.ts";
import { scanWal } from "../storage/wal/mod.ts";
import { KvEngine } from "./engine.ts";
import type { KvParticipant } from "./durability.ts";
import { decodeSnapshot } from "./snapshot.ts";
import { functionStoreOf } from "./script_functions.ts";

/** DEBUG RELOAD's options. */
export interface ReloadOptions {
  /** Take a snapshot first (false: NOSAVE, load the snapshot already on disk). */
  readonly save: boolean;
  /** Empty the keyspace and functions first (false: NOFLUSH). */
  readonly flush: boolean;
  /** With NOFLUSH: loaded keys and libraries replace existing ones instead of failing. */
  readonly merge: boolean;
}

/** Error text of a reload that could not load the snapshot, as Redis words it. */
export const loadFailed = "ERR Error trying to load the RDB dump, check server logs.";

/** Rounds of "save, then find the WAL moved on meanwhile" before giving up. */
const saveRoundsMax = 16;

/** Rebuilds an engine's keyspace from its storage (see the module comment). */
export class KvReloader {
  constructor(
    readonly participant: KvParticipant,
    readonly wal: WalWriter,
    /** The WAL's segment directory when the store owns it; null: no LOADAOF. */
    readonly walDir: string | null,
  ) {}

  get #fs(): FileSystem {
    return this.participant.fs;
  }

  /**
   * DEBUG RELOAD.
   * @returns null when done, or the error reply text
   */
  async reload(options: ReloadOptions): Promise<string | null> {
    const x = this.participant.engine;
    x.commitRecord();
    if (options.save) {
      // Other clients run while the snapshot is written: save again until one covers the log.
      for (let round = 0; round < saveRoundsMax; round++) {
        const lsn = this.wal.endLsn;
        await this.participant.checkpoint(lsn);
        x.commitRecord();
        if (this.participant.snapshotLsn >= this.wal.endLsn) break;
      }
      if (this.participant.snapshotLsn < this.wal.endLsn) return loadFailed;
    } else {
      // A snapshot being written would land after this load and undo it: let it finish first.
      for (
        let round = 0;
        round < saveRoundsMax && this.participant.checkpointing !== null;
        round++
      ) {
        await this.participant.checkpointing;
      }
    }
    const bytes = this.participant.readSnapshotFile();
    if (bytes === null) return loadFailed;
    if (!options.flush && !options.merge && this.#clashes(bytes)) return loadFailed;
    if (options.flush) emptyData(x);
    this.participant.loadSnapshot();
    if (!options.save) {
      // What clients now see must be what a restart finds: persist it, covering the log so far.
      await this.participant.checkpoint(this.wal.endLsn);
    }
    return null;
  }

  /**
   * DEBUG LOADAOF: the WAL made durable, then recovery from the last
   * snapshot and the log after it.
   * @returns null when done, or the error reply text
   */
  async loadLog(): Promise<string | null> {
    if (this.walDir === null) return "ERR DEBUG LOADAOF needs the key-value store's own WAL";
    const x = this.participant.engine;
    for (let round = 0; round < saveRoundsMax; round++) {
      x.commitRecord();
      if (this.wal.flushedLsn >= this.wal.endLsn) break;
      await this.wal.flush(this.wal.endLsn);
    }
    x.commitRecord();
    if (this.wal.flushedLsn < this.wal.endLsn) return "ERR The WAL could not be flushed";
    emptyData(x);
    const fromLsn = this.participant.loadSnapshot();
    scanWal(this.#fs, this.walDir, fromLsn, (record) => {
      this.participant.redo({ kind: record.kind, lsn: record.lsn, payload: record.payload });
    });
    return null;
  }

  /** Whether the snapshot holds a key or function library the engine already has. */
  #clashes(bytes: Uint8Array): boolean {
    const x = this.participant.engine;
    const scratch = new KvEngine({ ...x.config }, x.clock, x.random, x.timer);
    try {
      decodeSnapshot(scratch, bytes);
      for (const db of scratch.dbs) {
        for (const k of db.map.keys()) if (x.dbs[db.index]!.map.has(k)) return true;
      }
      const libraries = functionStoreOf(x).libraries;
      for (const name of functionStoreOf(scratch).libraries.keys()) {
        if (libraries.has(name)) return true;
      }
      return false;
    } finally {
      functionStoreOf(scratch).flush();
    }
  }
}

/** Empties every database and the function libraries, as a restart starts. */
function emptyData(x: KvEngine): void {
  for (let i = 0; i < x.dbs.length; i++) {
    x.databaseChanged(i);
    x.dbs[i]!.clear();
  }
  x.tracking.flushed();
  functionStoreOf(x).flush();
}

const reloaders = new WeakMap<KvEngine, KvReloader>();

/** Gives engine `x` its reloader (the store does, when it has storage). */
export function setReloader(x: KvEngine, reloader: KvReloader): void {
  reloaders.set(x, reloader);
}

/** The reloader of engine `x`; undefined for an engine without storage. */
export function reloaderOf(x: KvEngine): KvReloader | undefined {
  return reloaders.get(x);
}
