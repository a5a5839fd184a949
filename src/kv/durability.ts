/**
 * Durability of the key-value engine: a `WalParticipant` (snapshots at
 * checkpoints, replay of its WAL records after the snapshot's LSN) and the
 * background work that goes with it (appendfsync=everysec flushes, active
 * expiry, periodic snapshots).
 * @module
 */
import type { FileSystem } from "../storage/os/file_system.ts";
import type { RedoRecord, WalParticipant, WalWriter } from "../storage/wal_port.ts";
import { log } from "../common/log.ts";
import type { KvEngine } from "./engine.ts";
import { decodeSnapshot, encodeSnapshot } from "./snapshot.ts";
import { replayRecord } from "./dispatch.ts";
import { kvRecordKind } from "./record.ts";
import { activeExpireCycle } from "./expiry.ts";
import { clientsCron } from "./client_cron.ts";
import { debugSettingsOf } from "./debug_settings.ts";

/** Snapshot file name inside the data directory. */
export const snapshotFileName = "kv.snapshot";

/** Joins a directory and a name with one slash. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** The key-value engine's side of WAL recovery and checkpoints. */
export class KvParticipant implements WalParticipant {
  readonly kinds = [kvRecordKind] as const;
  #restoredLsn = 0;
  #checkpointing: Promise<void> | null = null;
  /** LSN of the last snapshot written or loaded. */
  snapshotLsn = 0;

  constructor(
    readonly engine: KvEngine,
    readonly fs: FileSystem,
    readonly dataDir: string,
  ) {}

  /**
   * Loads the snapshot file, if any, into the (empty) engine.
   * @throws {CorruptError} XX001 when the snapshot is damaged
   */
  loadSnapshot(): number {
    const bytes = this.readSnapshotFile();
    if (bytes === null) return 0;
    this.#restoredLsn = decodeSnapshot(this.engine, bytes);
    this.snapshotLsn = this.#restoredLsn;
    log.info("KV snapshot loaded", {
      keys: this.engine.dbs.reduce((n, d) => n + d.size, 0),
      lsn: this.#restoredLsn,
    });
    return this.#restoredLsn;
  }

  /** The snapshot file's bytes, or null when there is none. */
  readSnapshotFile(): Uint8Array | null {
    const path = joinPath(this.dataDir, snapshotFileName);
    if (!this.fs.exists(path)) return null;
    const file = this.fs.open(path, {});
    try {
      const bytes = new Uint8Array(file.size());
      let read = 0;
      while (read < bytes.length) {
        const n = file.readSync(bytes.subarray(read), read);
        if (n === 0) break;
        read += n;
      }
      return bytes.subarray(0, read);
    } finally {
      file.close();
    }
  }

  redo(record: RedoRecord): void {
    if (record.kind !== kvRecordKind || record.lsn <= this.#restoredLsn) return;
    replayRecord(this.engine, record.payload);
  }

  restoredLsn(): number {
    return this.#restoredLsn;
  }

  /** The snapshot being written, null when none is. */
  get checkpointing(): Promise<void> | null {
    return this.#checkpointing;
  }

  /**
   * Writes a snapshot of the current state. Everything appended to the WAL so
   * far is in it; it becomes visible (renamed into place) only once the WAL
   * is durable up to the LSN it claims, so recovery never looks past the log.
   */
  checkpoint(_lsn: number): Promise<void> {
    // The server is stopping without its busy script's writes, which memory still holds.
    if (this.engine.snapshotsBarred) return Promise.resolve();
    if (this.#checkpointing !== null) return this.#checkpointing;
    this.#checkpointing = this.#write().finally(() => (this.#checkpointing = null));
    return this.#checkpointing;
  }

  async #write(): Promise<void> {
    const x = this.engine;
    const wal = x.wal;
    // Commands already run but not yet logged (earlier in this pipeline or
    // listener turn) are in the snapshot, so their record must be below its LSN.
    x.commitRecord();
    const lsn = wal === null ? 0 : wal.endLsn;
    const tmp = joinPath(this.dataDir, snapshotFileName + ".tmp");
    const file = this.fs.open(tmp, { create: true });
    try {
      file.truncateSync(0);
      let offset = 0;
      encodeSnapshot(x, lsn, (chunk) => {
        file.writeSync(chunk, offset);
        offset += chunk.length;
      });
      x.stats.dirty = 0;
      await file.sync();
      if (wal !== null) await wal.flush(lsn);
    } catch (e) {
      x.stats.lastSaveOk = false;
      throw e;
    } finally {
      file.close();
    }
    this.fs.rename(tmp, joinPath(this.dataDir, snapshotFileName));
    await this.fs.syncDir(this.dataDir);
    this.snapshotLsn = lsn;
    x.stats.lastSaveMs = x.clock();
    x.stats.lastSaveOk = true;
  }
}

/** Options of `startBackgroundWork`. */
export interface BackgroundOptions {
  /** Take a snapshot once the WAL has grown this much since the last one. */
  readonly snapshotEveryBytes: number;
  /** Called after a snapshot, to drop WAL segments it covers. */
  readonly afterSnapshot?: (lsn: number) => void;
}

/**
 * Starts the timers: everysec flushes, active expiry (10 times a second) and
 * periodic snapshots. Returns a stop function.
 */
export function startBackgroundWork(
  participant: KvParticipant,
  wal: WalWriter,
  options: BackgroundOptions,
): () => void {
  const x = participant.engine;
  const expiry = setInterval(() => {
    try {
      activeExpireCycle(x);
    } catch (e) {
      log.error("KV active expiry failed", { error: String(e) });
    }
    try {
      clientsCron(x);
    } catch (e) {
      log.error("KV client cron failed", { error: String(e) });
    }
  }, 100);
  const second = setInterval(() => {
    if (x.config.appendfsync === "everysec" && wal.endLsn > wal.flushedLsn) {
      wal.flush(wal.endLsn).catch((e) => log.error("KV WAL flush failed", { error: String(e) }));
    }
    if (
      wal.endLsn - participant.snapshotLsn > options.snapshotEveryBytes &&
      !debugSettingsOf(x).cronPaused
    ) {
      participant.checkpoint(wal.endLsn).then(
        () => options.afterSnapshot?.(participant.snapshotLsn),
        (e) => log.error("KV snapshot failed", { error: String(e) }),
      );
    }
  }, 1000);
  return () => {
    clearInterval(expiry);
    clearInterval(second);
  };
}
