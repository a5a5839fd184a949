/**
 * The WAL writer: records are appended to an in-memory buffer and written to
 * segment files on `flush`, which does group commit: one leader writes
 * everything buffered and runs one fdatasync; every caller whose LSN it covers
 * resolves; callers that arrive while it runs are batched into the next one.
 *
 * After a failed write or sync the log is unusable (the kernel may have
 * dropped the dirty pages, so retrying could report lost data as durable):
 * every later call throws until the store is reopened and recovers.
 * @module
 */

import { assert, AssertionError, IoError } from "../../common/errors.ts";
import { walRecordBytesMax, walSegmentBytes } from "../../common/limits.ts";
import type { DiskFile, FileSystem } from "../os/file_system.ts";
import { hasBlockingDirSync, hasBlockingSync } from "../os/mod.ts";
import type { WalWriter } from "../wal_port.ts";
import { sealWalRecord, walRecordHeaderBytes } from "./record.ts";
import { joinPath, listSegments, segmentName } from "./segments.ts";

/** Buffered bytes beyond which `reserve` writes the buffer out (without syncing). */
export const walWriteBehindBytes = 1024 * 1024;

/** Zeros written ahead of the log's end at a time (see `#zeroFillAhead`). */
export const walPreallocateBytes = 4 * 1024 * 1024;

let zeros: Uint8Array | undefined;
function zeroChunk(): Uint8Array {
  zeros ??= new Uint8Array(1024 * 1024);
  return zeros;
}

/** Options of `Wal.open`. */
export interface WalOptions {
  /** The OS seam. */
  readonly fs: FileSystem;
  /** Directory of the segment files. */
  readonly dir: string;
  /**
   * "off" writes without fdatasync; "discard" numbers records but never
   * writes them, for a private in-memory store that nothing can ever recover
   * (its pages live only in this process). Default "fsync".
   */
  readonly sync?: WalSync;
  /** Roll to a new segment once the current one holds this many bytes. */
  readonly segmentBytes?: number;
}

/** How the log reaches the disk (see `WalOptions.sync`). */
export type WalSync = "fsync" | "off" | "discard";

/** Counters for `stats()`. */
export interface WalStats {
  /** fdatasync rounds. */
  syncs: number;
  /** Record bytes handed to the OS. */
  bytesWritten: number;
  /** Records appended. */
  records: number;
}

/** The write-ahead log writer. Implements `WalWriter`. */
export class Wal implements WalWriter {
  readonly #fs: FileSystem;
  readonly #dir: string;
  readonly #syncOff: boolean;
  readonly #discard: boolean;
  readonly #segmentBytes: number;
  #buffer = new Uint8Array(1 << 20);
  #bufferBytes = 0;
  /** LSN of `#buffer[0]`, which equals `#writtenLsn`. */
  #writtenLsn: number;
  #flushedLsn: number;
  #endLsn: number;
  /** Start LSNs of segments that begin inside the buffer, ascending. */
  #pendingRolls: number[] = [];
  #segmentStart: number;
  /** Bytes of the current segment file that exist (written or zero-filled ahead). */
  #allocatedBytes: number;
  #lastRollLsn: number;
  #file: DiskFile;
  #unsynced: DiskFile[] = [];
  /** Earlier segments' files, closed once no sync can be using them. */
  #retired: DiskFile[] = [];
  #dirDirty = false;
  /** Files and directory state an in-flight sync round is syncing (written, not yet durable). */
  #inflight: DiskFile[] = [];
  #inflightDirDirty = false;
  #syncing: Promise<void> | undefined;
  #failure: IoError | undefined;
  #reservedOffset = -1;
  #reservedKind = 0;
  #reservedBytes = 0;
  /** Counters. */
  readonly stats: WalStats = { syncs: 0, bytesWritten: 0, records: 0 };

  private constructor(
    options: WalOptions,
    endLsn: number,
    segmentStart: number,
    file: DiskFile,
    created: boolean,
  ) {
    this.#fs = options.fs;
    this.#dir = options.dir;
    this.#discard = options.sync === "discard";
    this.#syncOff = options.sync === "off" || this.#discard;
    this.#segmentBytes = options.segmentBytes ?? walSegmentBytes;
    this.#writtenLsn = endLsn;
    this.#flushedLsn = endLsn;
    this.#endLsn = endLsn;
    this.#segmentStart = segmentStart;
    this.#lastRollLsn = segmentStart;
    this.#file = file;
    this.#allocatedBytes = endLsn - segmentStart;
    this.#dirDirty = created;
  }

  /**
   * Opens the log for appending at `endLsn` (the end of the valid records, as
   * found by recovery). Bytes after `endLsn` in the last segment must be zeros
   * (recovery truncates anything else).
   * @throws {IoError} 58030
   */
  static open(options: WalOptions, endLsn: number): Wal {
    const segments = listSegments(options.fs, options.dir);
    const last = segments[segments.length - 1];
    if (last !== undefined && last.startLsn <= endLsn) {
      const file = options.fs.open(last.path, {});
      const size = file.size();
      if (!(last.startLsn + size >= endLsn)) {
        throw new AssertionError(
          `WAL segment ${last.path} ends at ${last.startLsn + size}, before ${endLsn}`,
        );
      }
      const wal = new Wal(options, endLsn, last.startLsn, file, false);
      wal.#allocatedBytes = size;
      return wal;
    }
    const file = options.fs.open(joinPath(options.dir, segmentName(endLsn)), { create: true });
    file.truncateSync(0);
    return new Wal(options, endLsn, endLsn, file, true);
  }

  /** True when records are numbered but never written (`sync: "discard"`). */
  get discards(): boolean {
    return this.#discard;
  }

  /** LSN up to which records are durable. */
  get flushedLsn(): number {
    return this.#flushedLsn;
  }

  /** LSN just past the last appended record. */
  get endLsn(): number {
    return this.#endLsn;
  }

  /** LSN up to which records have been handed to the OS (written, maybe not synced). */
  get writtenLsn(): number {
    return this.#writtenLsn;
  }

  /**
   * Buffers one record; does not wait for disk.
   * @returns the LSN just past it
   * @throws {IoError} when the log failed earlier
   */
  append(kind: number, payload: Uint8Array): number {
    const offset = this.reserve(kind, payload.length);
    this.#buffer.set(payload, offset);
    return this.seal();
  }

  /**
   * Reserves room for a record of `payloadBytes`; fill `buffer` at the returned
   * offset, then call `seal`. Nothing else may touch the log in between.
   * @returns the offset in `buffer` where the payload goes
   * @throws {IoError} when the log failed earlier
   */
  reserve(kind: number, payloadBytes: number): number {
    this.#throwIfFailed();
    assert(this.#reservedOffset < 0, "WAL reserve() called twice without seal()");
    // Hand large backlogs to the OS early so the buffer stays small and cache-warm.
    if (this.#bufferBytes >= walWriteBehindBytes && !this.#discard) this.#writeBuffered();
    if (!(kind > 0 && kind < 256)) {
      throw new AssertionError(`WAL record kind ${kind} is outside 1..255`);
    }
    if (!(payloadBytes <= walRecordBytesMax)) {
      throw new AssertionError(`WAL record of ${payloadBytes} bytes exceeds ${walRecordBytesMax}`);
    }
    const need = this.#bufferBytes + walRecordHeaderBytes + payloadBytes;
    if (need > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(need, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, this.#bufferBytes));
      this.#buffer = grown;
    }
    if (this.#endLsn - this.#lastRollLsn >= this.#segmentBytes && !this.#discard) {
      this.#pendingRolls.push(this.#endLsn);
      this.#lastRollLsn = this.#endLsn;
    }
    this.#reservedOffset = this.#bufferBytes;
    this.#reservedKind = kind;
    this.#reservedBytes = payloadBytes;
    return this.#bufferBytes + walRecordHeaderBytes;
  }

  /** The buffer `reserve` pointed into. */
  get buffer(): Uint8Array {
    return this.#buffer;
  }

  /**
   * Completes the reserved record.
   * @returns the LSN just past it
   */
  seal(): number {
    const offset = this.#reservedOffset;
    assert(offset >= 0, "WAL seal() without reserve()");
    if (this.#discard) return this.skip(this.#reservedBytes);
    sealWalRecord(this.#buffer, offset, this.#reservedKind, this.#reservedBytes, this.#endLsn);
    this.#reservedOffset = -1;
    const size = walRecordHeaderBytes + this.#reservedBytes;
    this.#bufferBytes += size;
    this.#endLsn += size;
    this.stats.records++;
    return this.#endLsn;
  }

  /**
   * With `sync: "discard"`: numbers a record of `payloadBytes` without building
   * or writing it (pages still get a rising LSN), dropping any reservation.
   * @returns the LSN just past it
   */
  skip(payloadBytes: number): number {
    assert(this.#discard, "WAL skip() on a log that keeps its records");
    this.#throwIfFailed();
    this.#reservedOffset = -1;
    this.#endLsn += walRecordHeaderBytes + payloadBytes;
    this.#writtenLsn = this.#flushedLsn = this.#endLsn;
    this.stats.records++;
    return this.#endLsn;
  }

  /** Drops a reservation (the caller failed while filling it). */
  cancelReservation(): void {
    this.#reservedOffset = -1;
  }

  /**
   * Resolves once every record up to `lsn` is durable; concurrent callers
   * share one fdatasync (group commit).
   * @throws {IoError} 58030 (53100 when the disk is full)
   */
  async flush(lsn: number): Promise<void> {
    if (!(lsn <= this.#endLsn)) {
      throw new AssertionError(`WAL flush to ${lsn} beyond the end ${this.#endLsn}`);
    }
    while (this.#flushedLsn < lsn) {
      this.#throwIfFailed();
      if (this.#syncing !== undefined) {
        await this.#syncing;
        continue;
      }
      const round = this.#syncRound();
      this.#syncing = round;
      try {
        await round;
      } finally {
        if (this.#syncing === round) this.#syncing = undefined;
      }
    }
  }

  /**
   * Makes the log durable up to `lsn` without yielding (a blocking fdatasync):
   * for buffer-pool eviction, which runs inside synchronous page code.
   * @throws {IoError} 58030
   */
  flushSync(lsn: number): void {
    if (this.#flushedLsn >= lsn) return;
    this.#throwIfFailed();
    const target = this.#writeBuffered();
    if (!this.#syncOff) {
      try {
        // Bytes an in-flight async round wrote are not durable yet either: sync them too.
        for (const file of this.#inflight) if (hasBlockingSync(file)) file.syncSync();
        for (const file of this.#unsynced) if (hasBlockingSync(file)) file.syncSync();
        if ((this.#dirDirty || this.#inflightDirDirty) && hasBlockingDirSync(this.#fs)) {
          this.#fs.syncDirSync(this.#dir);
          this.#dirDirty = false;
        }
      } catch (error) {
        throw this.#fail(error);
      }
      this.stats.syncs++;
      this.#unsynced = [];
    }
    this.#flushedLsn = Math.max(this.#flushedLsn, target);
  }

  async #syncRound(): Promise<void> {
    const target = this.#writeBuffered();
    const files = this.#unsynced;
    this.#unsynced = [];
    const dirDirty = this.#dirDirty;
    this.#dirDirty = false;
    if (!this.#syncOff) {
      this.#inflight = files;
      this.#inflightDirDirty = dirDirty;
      try {
        for (const file of files) await file.sync();
        if (dirDirty) await this.#fs.syncDir(this.#dir);
      } catch (error) {
        throw this.#fail(error);
      } finally {
        this.#inflight = [];
        this.#inflightDirDirty = false;
      }
      this.stats.syncs++;
    }
    this.#flushedLsn = Math.max(this.#flushedLsn, target);
    this.#closeRetired();
  }

  /** Closes retired segment files that no pending sync needs; only one round runs at a time. */
  #closeRetired(): void {
    if (this.#retired.length === 0) return;
    const keep: DiskFile[] = [];
    for (const file of this.#retired) {
      if (this.#unsynced.includes(file)) keep.push(file);
      else file.close();
    }
    this.#retired = keep;
  }

  /** Writes the buffer to the segment files. @returns the LSN written up to */
  #writeBuffered(): number {
    let at = 0;
    try {
      while (at < this.#bufferBytes) {
        const lsn = this.#writtenLsn;
        const nextRoll = this.#pendingRolls[0];
        if (nextRoll === lsn) {
          this.#pendingRolls.shift();
          this.#roll(lsn);
          continue;
        }
        const stop = nextRoll === undefined ? this.#bufferBytes : at + (nextRoll - lsn);
        const offset = lsn - this.#segmentStart;
        this.#file.writeSync(this.#buffer.subarray(at, stop), offset);
        if (offset + stop - at > this.#allocatedBytes) this.#zeroFillAhead(offset + stop - at);
        if (!this.#unsynced.includes(this.#file)) this.#unsynced.push(this.#file);
        this.stats.bytesWritten += stop - at;
        this.#writtenLsn += stop - at;
        at = stop;
      }
    } catch (error) {
      throw this.#fail(error);
    }
    this.#buffer.copyWithin(0, at, this.#bufferBytes);
    this.#bufferBytes -= at;
    return this.#writtenLsn;
  }

  /**
   * Extends the segment with zeros past `end`, so that later commits overwrite
   * existing blocks and fdatasync need not journal a new file size each time.
   * Zeros never decode as a record, so the reader stops there.
   */
  #zeroFillAhead(end: number): void {
    const target = end + Math.min(this.#segmentBytes, walPreallocateBytes);
    const zeros = zeroChunk();
    for (let at = end; at < target; at += zeros.length) {
      this.#file.writeSync(zeros.subarray(0, Math.min(zeros.length, target - at)), at);
    }
    this.#allocatedBytes = target;
  }

  #roll(startLsn: number): void {
    const file = this.#fs.open(joinPath(this.#dir, segmentName(startLsn)), { create: true });
    file.truncateSync(0);
    this.#retired.push(this.#file);
    this.#file = file;
    this.#segmentStart = startLsn;
    this.#allocatedBytes = 0;
    this.#dirDirty = true;
  }

  /**
   * Deletes segments that hold only records before `lsn` (the redo LSN of a
   * completed checkpoint). The current segment is never deleted.
   * @returns the number of segments deleted
   */
  recycle(lsn: number): number {
    const segments = listSegments(this.#fs, this.#dir);
    let removed = 0;
    for (let i = 0; i + 1 < segments.length; i++) {
      const next = segments[i + 1]!;
      if (next.startLsn > lsn || segments[i]!.startLsn >= this.#segmentStart) break;
      this.#fs.remove(segments[i]!.path);
      removed++;
    }
    if (removed > 0) this.#dirDirty = true;
    return removed;
  }

  /** Resolves once no sync round is running (whatever its outcome). */
  async settle(): Promise<void> {
    while (this.#syncing !== undefined) {
      // The round's failure belongs to its flushers; here we only wait for it to end.
      await this.#syncing.catch(() => {});
    }
  }

  /** Closes the current segment (after a final flush by the caller), trimming the zeros ahead. */
  close(): void {
    if (this.#failure === undefined && this.#bufferBytes === 0 && !this.#discard) {
      try {
        this.#file.truncateSync(this.#writtenLsn - this.#segmentStart);
      } catch (error) {
        // The zeros are harmless (recovery trims them); closing must still release the files.
        this.#fail(error);
      }
    }
    for (const file of this.#retired) file.close();
    this.#retired = [];
    this.#unsynced = [];
    this.#file.close();
    this.#failure ??= new IoError(`The WAL in ${this.#dir} is closed`);
  }

  #fail(error: unknown): IoError {
    const failure = error instanceof IoError
      ? error
      : new IoError(`WAL write to ${this.#dir} failed: ${String(error)}`, error);
    this.#failure ??= failure;
    return failure;
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) {
      throw new IoError(
        `The WAL in ${this.#dir} is unusable after an earlier failure; reopen to recover: ${this.#failure.message}`,
        this.#failure,
      );
    }
  }
}
