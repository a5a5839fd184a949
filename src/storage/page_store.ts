/**
 * The page store: pages of `<dataDir>/thunder.db` cached in a buffer pool,
 * changed only through logged mini-transactions, made durable by the WAL and
 * fuzzy checkpoints, and recovered by redo on open.
 *
 * @example
 * const store = await openPageStore({ fs, dataDir: "data", walDir: "data/wal" });
 * const lsn = store.update((m) => {
 *   const page = m.allocate(PageType.heap);
 *   page.data[40] = 7;
 *   m.logRange(page, 40, 1);
 *   m.setRoot(RootSlot.catalog, page.id);
 * });
 * await store.wal.flush(store.wal.endLsn);
 * await store.close();
 * @module
 */

import { AssertionError, CorruptError, IoError } from "../common/errors.ts";
import { log } from "../common/log.ts";
import { BufferPool } from "./buffer_pool.ts";
import { type FrameSource, MiniTransaction, PinningReader } from "./_mtr.ts";
import { meta, readU32, writeU64 } from "./_meta.ts";
import type { Mtr, PageReader } from "./mtr.ts";
import type { FileSystem } from "./os/file_system.ts";
import { Pager } from "./pager.ts";
import { recoverStore } from "./_recovery.ts";
import { freshFrame, loadFrame } from "./_frames.ts";
import { writeControl } from "./_control.ts";
import type { Wal } from "./wal/wal.ts";
import { WalKind } from "./wal/record.ts";
import type { WalParticipant, WalWriter } from "./wal_port.ts";

/** Options of `openPageStore`. */
export interface PageStoreOptions {
  /** The OS seam (libc, `Deno.FsFile`, in-memory or simulated). */
  readonly fs: FileSystem;
  /** Directory of `thunder.db` and `control`; created when missing. */
  readonly dataDir: string;
  /** Directory of the WAL segments; created when missing. */
  readonly walDir: string;
  /** Bytes per page for a new database (an existing one keeps its own). Default 16384. */
  readonly pageSize?: number;
  /** Buffer pool budget. Default 64 MiB. */
  readonly bufferPoolBytes?: number;
  /**
   * "off" skips fdatasync on commit (data may be lost on power failure);
   * "discard" keeps no log at all, for a private in-memory store that is never
   * reopened (see `WalOptions.sync`). Default "fsync".
   */
  readonly walSync?: "fsync" | "off" | "discard";
  /** Components with their own WAL records (see `WalParticipant`). */
  readonly participants?: readonly WalParticipant[];
  /** WAL segment size; tests lower it to exercise recycling. */
  readonly walSegmentBytes?: number;
  /**
   * Start a checkpoint in the background once this many WAL bytes were written
   * since the last one began (bounds recovery time and WAL disk use). 0 turns
   * it off. Default 1 GiB.
   */
  readonly checkpointWalBytes?: number;
}

/** Counters and gauges of a page store. */
export interface PageStoreStats {
  /** Pages read from the data file. */
  pagesRead: number;
  /** Pages written to the data file (evictions and checkpoints). */
  pagesWritten: number;
  /** WAL fdatasync rounds (each may cover many commits). */
  walSyncs: number;
  /** WAL bytes handed to the OS. */
  walBytes: number;
  /** WAL records appended. */
  walRecords: number;
  /** Pages dropped from the buffer pool to make room. */
  evictions: number;
  /** Page lookups served from the buffer pool. */
  cacheHits: number;
  /** Page lookups that had to read or claim a frame. */
  cacheMisses: number;
  /** Checkpoints completed since open. */
  checkpoints: number;
  /** Buffer pool frames. */
  frames: number;
  /** Frames holding a page. */
  cachedPages: number;
  /** Pages in the data file, the meta page and free pages included. */
  pageCount: number;
}

/** Pages, mini-transactions, WAL and checkpoints. */
export interface PageStore {
  /** Bytes per page. */
  readonly pageSize: number;
  /** Runs `fn` with read access; pages stay pinned until it returns. */
  view<T>(fn: (reader: PageReader) => T): T;
  /**
   * Runs `fn` as one mini-transaction: its declared changes are logged as one
   * WAL record when it returns, or undone if it throws.
   * @throws {IoError} 58030 when the WAL is unusable (nothing changed)
   */
  update<T>(fn: (mtr: Mtr) => T): T;
  /** The log: commit records go here; `flush` waits for durability (group commit). */
  readonly wal: WalWriter;
  /** Makes everything durable and lets old WAL segments go. */
  checkpoint(): Promise<void>;
  /** Checkpoints and closes the files. */
  close(): Promise<void>;
  /** Current counters. */
  stats(): PageStoreStats;
}

/** Dirty pages a checkpoint writes before it lets other tasks run. */
const checkpointRunPages = 32;

/**
 * Default WAL volume between automatic checkpoints: PostgreSQL's max_wal_size.
 * A checkpoint writes every dirty page and makes the next change of each page
 * log a full image, so checkpoints much closer together than that (a bulk
 * load's WAL alone used to trigger one minutes into the following workload)
 * multiply the WAL an OLTP workload writes.
 */
export const checkpointWalBytesDefault = 1024 * 1024 * 1024;
export { bufferPoolBytesDefault, pageSizeDefault } from "./_recovery.ts";

/**
 * Opens (creating or recovering) the page store in `dataDir`/`walDir`.
 * @throws {CorruptError} XX001 when the files fail validation beyond what redo repairs
 * @throws {IoError} 58030
 */
export async function openPageStore(options: PageStoreOptions): Promise<PageStore> {
  const recovered = await recoverStore(options);
  return new PageStoreImpl(
    options,
    recovered.pager,
    recovered.pool,
    recovered.wal,
    recovered.redoLsn,
  );
}

/** The internal state handed from recovery to the store. */
export interface RecoveredState {
  /** The open data file. */
  readonly pager: Pager;
  /** The buffer pool, holding the pages redo touched. */
  readonly pool: BufferPool;
  /** The log, open for appends after the last good record. */
  readonly wal: Wal;
  /** Redo LSN of the checkpoint recovery started from. */
  readonly redoLsn: number;
}

class PageStoreImpl implements PageStore {
  readonly pageSize: number;
  readonly #fs: FileSystem;
  readonly #dataDir: string;
  readonly #pager: Pager;
  readonly #pool: BufferPool;
  readonly #wal: Wal;
  readonly #participants: readonly WalParticipant[];
  readonly #readers: PinningReader[] = [];
  readonly #source: FrameSource;
  readonly #mtr: MiniTransaction;
  readonly #metaFrame: number;
  #readerDepth = 0;
  #inUpdate = false;
  /** Pages whose LSN is at or below this get a full image on their next change. */
  #imageBelowLsn: number;
  #checkpointChain: Promise<void> = Promise.resolve();
  #checkpoints = 0;
  readonly #checkpointWalBytes: number;
  #backgroundCheckpoint = false;
  #closed = false;

  constructor(
    options: PageStoreOptions,
    pager: Pager,
    pool: BufferPool,
    wal: Wal,
    redoLsn: number,
  ) {
    this.pageSize = pager.pageSize;
    this.#fs = options.fs;
    this.#dataDir = options.dataDir;
    this.#pager = pager;
    this.#pool = pool;
    this.#wal = wal;
    this.#participants = options.participants ?? [];
    this.#imageBelowLsn = redoLsn;
    const every = options.checkpointWalBytes ?? checkpointWalBytesDefault;
    this.#checkpointWalBytes = every > 0 ? every : Infinity;
    const source: FrameSource = {
      pool,
      pageSize: this.pageSize,
      metaFrame: 0,
      fetch: (pageId: number) => this.#fetch(pageId),
      fresh: (pageId: number) => freshFrame(pool, pageId),
    };
    this.#metaFrame = this.#fetch(0);
    source.metaFrame = this.#metaFrame;
    this.#source = source;
    this.#mtr = new MiniTransaction(source);
    this.#readers.push(new PinningReader(source));
    pool.setWriter({
      writeBack: (frame) => this.#writeBack(frame),
      cheapToWrite: (frame) => pool.lsn[frame]! <= wal.flushedLsn,
    });
  }

  get wal(): WalWriter {
    return this.#wal;
  }

  view<T>(fn: (reader: PageReader) => T): T {
    this.#checkOpen();
    const depth = this.#readerDepth++;
    let reader = this.#readers[depth];
    if (reader === undefined) {
      reader = new PinningReader(this.#source);
      this.#readers.push(reader);
    }
    try {
      return fn(reader);
    } finally {
      reader.release();
      this.#readerDepth--;
    }
  }

  update<T>(fn: (mtr: Mtr) => T): T {
    this.#checkOpen();
    if (this.#inUpdate) throw new AssertionError("PageStore.update() called inside another update");
    this.#inUpdate = true;
    const mtr = this.#mtr;
    try {
      let result: T;
      try {
        result = fn(mtr);
        if (result instanceof Promise) {
          throw new AssertionError("PageStore.update() callbacks must be synchronous");
        }
        const lsn = mtr.commit(this.#wal, this.#imageBelowLsn);
        if (lsn - this.#imageBelowLsn > this.#checkpointWalBytes) this.#checkpointInBackground();
      } catch (error) {
        this.#wal.cancelReservation();
        mtr.rollback();
        throw error;
      }
      return result;
    } finally {
      mtr.release();
      this.#inUpdate = false;
    }
  }

  checkpoint(): Promise<void> {
    return this.#checkpoint(false);
  }

  /** @param yielding let other tasks run while pages are written (background checkpoints) */
  #checkpoint(yielding: boolean): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new IoError(`The page store in ${this.#dataDir} is closed`));
    }
    const run = this.#checkpointChain.then(() => this.#checkpointNow(yielding));
    this.#checkpointChain = run.catch(() => {});
    return run;
  }

  /** Starts one checkpoint that nobody awaits; `close` waits for it through the chain. */
  #checkpointInBackground(): void {
    if (this.#backgroundCheckpoint) return;
    this.#backgroundCheckpoint = true;
    this.#checkpoint(true).then(
      () => {
        this.#backgroundCheckpoint = false;
      },
      (error: unknown) => {
        this.#backgroundCheckpoint = false;
        // Nobody awaits this checkpoint; the next one (or close) retries and reports.
        log.error("Background checkpoint failed", { dataDir: this.#dataDir, error: String(error) });
      },
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.checkpoint();
    } finally {
      this.#closed = true;
      // A flush started by another task may still be syncing on the segment's descriptor.
      await this.#wal.settle();
      this.#wal.close();
      this.#pager.close();
    }
  }

  stats(): PageStoreStats {
    const pool = this.#pool;
    return {
      pagesRead: this.#pager.stats.pagesRead,
      pagesWritten: this.#pager.stats.pagesWritten,
      walSyncs: this.#wal.stats.syncs,
      walBytes: this.#wal.stats.bytesWritten,
      walRecords: this.#wal.stats.records,
      evictions: pool.stats.evictions,
      cacheHits: pool.stats.hits,
      cacheMisses: pool.stats.misses,
      checkpoints: this.#checkpoints,
      frames: pool.frames,
      cachedPages: pool.cachedPages,
      pageCount: readU32(pool.handles[this.#metaFrame]!.data, meta.pageCount),
    };
  }

  async #checkpointNow(yielding: boolean): Promise<void> {
    const wal = this.#wal;
    const redoLsn = wal.endLsn;
    this.#imageBelowLsn = Math.max(this.#imageBelowLsn, redoLsn);
    // Participants persist state covering records up to the redo LSN: those records must be durable first.
    await wal.flush(redoLsn);
    for (const participant of this.#participants) await participant.checkpoint(redoLsn);
    await wal.flush(wal.endLsn);
    // Other tasks may have appended records while the flush ran, so each page is
    // written under the write-ahead rule (#writeBack flushes further if needed).
    writeU64(this.#pool.handles[this.#metaFrame]!.data, meta.checkpointLsn, redoLsn);
    await this.#writeDirtyPages(yielding);
    await this.#pager.sync();
    const checkpointLsn = this.#appendCheckpointRecord(redoLsn);
    await wal.flush(checkpointLsn);
    await writeControl(this.#fs, this.#dataDir, {
      pageSize: this.pageSize,
      redoLsn,
      checkpointLsn,
    });
    wal.recycle(redoLsn);
    this.#checkpoints++;
  }

  /**
   * Writes every dirty page. A background checkpoint writes a bounded run of
   * pages at a time and lets other tasks run between runs, so it does not
   * stall every client (an explicit one, as at close, writes at once). Pages
   * changed meanwhile carry LSNs past the redo point (replayed by recovery) and
   * are written under the write-ahead rule; pages evicted meanwhile were
   * written by the eviction; the data-file sync after this covers both.
   */
  async #writeDirtyPages(yielding: boolean): Promise<void> {
    const pool = this.#pool;
    let written = 0;
    for (let f = 0; f < pool.frames; f++) {
      if (!pool.dirty[f] || pool.pageIds[f]! < 0) continue;
      this.#writeBack(f);
      pool.dirty[f] = 0;
      if (yielding && ++written % checkpointRunPages === 0) {
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        this.#checkOpen();
      }
    }
  }

  #appendCheckpointRecord(redoLsn: number): number {
    const payload = new Uint8Array(8);
    writeU64(payload, 0, redoLsn);
    return this.#wal.append(WalKind.checkpoint, payload);
  }

  /** Pins `pageId`, reading it on a miss. */
  #fetch(pageId: number): number {
    const pool = this.#pool;
    const cached = pool.pinCached(pageId);
    if (cached >= 0) return cached;
    if (pageId !== 0) {
      const count = readU32(pool.handles[this.#metaFrame]!.data, meta.pageCount);
      if (!(pageId >= 0 && pageId < count && Number.isInteger(pageId))) {
        throw new CorruptError(
          `Page ${pageId} of ${this.#pager.path} is beyond the end (${count} pages)`,
        );
      }
    }
    return loadFrame(pool, this.#pager, pageId);
  }

  /** Writes a dirty victim, first making the WAL durable up to its LSN. */
  #writeBack(frame: number): void {
    const pool = this.#pool;
    if (pool.lsn[frame]! > this.#wal.flushedLsn) this.#wal.flushSync(pool.lsn[frame]!);
    this.#pager.writePage(pool.pageIds[frame]!, pool.handles[frame]!.data);
  }

  #checkOpen(): void {
    if (this.#closed) throw new IoError(`The page store in ${this.#dataDir} is closed`);
  }
}
