/**
 * The `PageReader` and `Mtr` implementations behind `PageStore.view` and
 * `PageStore.update`. One instance of each is reused for every call, so the
 * hot path allocates nothing but what the WAL record needs. Folder-private.
 * @module
 */

import { assert, AssertionError, CorruptError } from "../common/errors.ts";
import type { BufferPool, FrameHandle } from "./buffer_pool.ts";
import type { Mtr, PageHandle, PageReader } from "./mtr.ts";
import { freeNextOffset, meta, readU32, rootSlots, writeU32, writeU64 } from "./_meta.ts";
import { pageHeader, PageType } from "./page.ts";
import type { Wal } from "./wal/wal.ts";
import { WalKind } from "./wal/record.ts";
import { RangeUndo } from "./_undo.ts";

/** What readers and mini-transactions need from the store. */
export interface FrameSource {
  readonly pool: BufferPool;
  readonly pageSize: number;
  /** The meta page's frame (pinned for the store's life). */
  metaFrame: number;
  /** Pins page `pageId`, reading it if needed. @throws {CorruptError} */
  fetch(pageId: number): number;
  /** Pins a frame for a never-used page id and zeroes it. */
  fresh(pageId: number): number;
}

/** Pins pages for one `view` (or the read side of an `update`). */
export class PinningReader implements PageReader {
  readonly pageSize: number;
  /** Pinned frames, the first `pinnedCount` (by count: `length = 0` frees V8's backing store). */
  protected readonly pinned: number[] = [];
  protected pinnedCount = 0;

  constructor(protected readonly source: FrameSource) {
    this.pageSize = source.pageSize;
  }

  read(pageId: number): PageHandle {
    const frame = this.source.fetch(pageId);
    this.pinned[this.pinnedCount++] = frame;
    return this.source.pool.handles[frame]!;
  }

  root(slot: number): number {
    if (!(slot >= 0 && slot < rootSlots && Number.isInteger(slot))) {
      throw new AssertionError(`Root slot ${slot} is outside 0..15`);
    }
    return readU32(this.source.pool.handles[this.source.metaFrame]!.data, meta.roots + 4 * slot);
  }

  /** Drops every pin taken since the last release. */
  release(): void {
    const pool = this.source.pool;
    for (let i = 0; i < this.pinnedCount; i++) pool.unpin(this.pinned[i]!);
    this.pinnedCount = 0;
  }
}

/** Logging mode of a written page. */
const Logged = { none: 0, ranges: 1, image: 2 } as const;

/** One mini-transaction; reused across `update` calls. */
export class MiniTransaction extends PinningReader implements Mtr {
  /** Written frames in order of first write. */
  readonly #frames: number[] = [];
  /** Slots in use: the first `#slots` entries of `#frames` and its parallel arrays. */
  #slots = 0;

  get changedPages(): number {
    return this.#slots;
  }

  get poolFrames(): number {
    return this.source.pool.frames;
  }

  readonly #before: Uint8Array[] = [];
  /** 1 when the slot's whole before-image is saved in `#before`, 0 when only patched ranges are. */
  readonly #full: number[] = [];
  /** Bytes saved for each slot's patched ranges. */
  readonly #patchedBytes: number[] = [];
  /** Saved bytes of patched ranges. */
  readonly #undo = new RangeUndo();
  readonly #mode: number[] = [];
  /** Declared ranges as (slot, offset, length) triples. */
  readonly #ranges: number[] = [];
  /** Entries of `#ranges` in use. */
  #rangesLength = 0;
  readonly #rangeBytes: number[] = [];
  /** Slot of each frame in this mini-transaction, or -1. */
  readonly #slotOf: Int32Array;

  constructor(source: FrameSource) {
    super(source);
    this.#slotOf = new Int32Array(source.pool.frames).fill(-1);
  }

  write(pageId: number): PageHandle {
    assert(pageId !== 0, "Page 0 is the meta page; change it through setRoot/allocate/free");
    return this.source.pool.handles[this.#writeFrame(this.#pin(pageId), this.pageSize)]!;
  }

  allocate(type: number): PageHandle {
    if (!(type !== PageType.free && type !== PageType.meta)) {
      throw new AssertionError(`Cannot allocate a page of type ${type}`);
    }
    const metaData = this.#metaForWrite();
    const head = readU32(metaData, meta.freeHead);
    let frame: number;
    if (head !== 0) {
      frame = this.#writeFrame(this.#pin(head), this.pageSize);
      const data = this.source.pool.handles[frame]!.data;
      if (data[pageHeader.type] !== PageType.freeList) {
        throw new CorruptError(`Free-list page ${head} has type ${data[pageHeader.type]}`);
      }
      writeU32(metaData, meta.freeHead, readU32(data, freeNextOffset));
    } else {
      const id = readU32(metaData, meta.pageCount);
      if (!(id < 0x7fff_ffff)) throw new AssertionError(`The data file is full at ${id} pages`);
      frame = this.source.fresh(id);
      this.pinned[this.pinnedCount++] = frame;
      this.#writeFrame(frame, this.pageSize);
      writeU32(metaData, meta.pageCount, id + 1);
    }
    this.logRange(this.#metaHandle(), meta.pageCount, 8);
    const handle = this.source.pool.handles[frame]!;
    handle.data.fill(0, pageHeader.type);
    handle.data[pageHeader.type] = type;
    this.#mode[this.#slotOf[frame]!] = Logged.image;
    return handle;
  }

  free(pageId: number): void {
    const handle = this.write(pageId);
    const metaData = this.#metaForWrite();
    if (!(pageId < readU32(metaData, meta.pageCount))) {
      throw new AssertionError(`Freeing page ${pageId} beyond the end`);
    }
    if (!(handle.data[pageHeader.type] !== PageType.freeList)) {
      throw new AssertionError(`Page ${pageId} is freed twice`);
    }
    handle.data[pageHeader.type] = PageType.freeList;
    writeU32(handle.data, freeNextOffset, readU32(metaData, meta.freeHead));
    writeU32(metaData, meta.freeHead, pageId);
    this.logRange(handle, pageHeader.type, 1);
    this.logRange(handle, freeNextOffset, 4);
    this.logRange(this.#metaHandle(), meta.freeHead, 4);
  }

  logRange(page: PageHandle, offset: number, length: number): void {
    const slot = this.#slotOfHandle(page);
    if (!(offset >= pageHeader.type && length >= 0 && offset + length <= this.pageSize)) {
      throw new AssertionError(
        `logRange(${offset}, ${length}) is outside the page body of page ${page.id}`,
      );
    }
    if (this.#mode[slot] === Logged.image || length === 0) return;
    this.#mode[slot] = Logged.ranges;
    const at = this.#rangesLength;
    this.#ranges[at] = slot;
    this.#ranges[at + 1] = offset;
    this.#ranges[at + 2] = length;
    this.#rangesLength = at + 3;
    this.#rangeBytes[slot] = this.#rangeBytes[slot]! + length;
  }

  patch(page: PageHandle, offset: number, length: number): void {
    const frame = (page as FrameHandle).frame;
    assert(frame !== undefined, `Page ${page.id} is not a pinned page of this store`);
    if (!(offset >= pageHeader.type && length >= 0 && offset + length <= this.pageSize)) {
      throw new AssertionError(
        `patch(${offset}, ${length}) is outside the page body of page ${page.id}`,
      );
    }
    let slot = this.#slotOf[frame]!;
    if (slot < 0) slot = this.#register(frame, false);
    if (this.#full[slot] === 0 && length > 0) {
      // A page patched over and over (a vacuum batch) is cheaper kept whole, once.
      this.#patchedBytes[slot] = this.#patchedBytes[slot]! + length;
      if (this.#patchedBytes[slot]! * 4 > this.pageSize) this.#writeFrame(frame, this.pageSize);
      else this.#undo.save(slot, page.data, offset, length);
    }
    this.logRange(page, offset, length);
  }

  logPage(page: PageHandle): void {
    this.#mode[this.#slotOfHandle(page)] = Logged.image;
  }

  setRoot(slot: number, pageId: number): void {
    if (!(slot >= 0 && slot < rootSlots && Number.isInteger(slot))) {
      throw new AssertionError(`Root slot ${slot} is outside 0..15`);
    }
    if (!(pageId >= 0 && Number.isInteger(pageId))) {
      throw new AssertionError(`Root page id ${pageId} is invalid`);
    }
    writeU32(this.#metaForWrite(), meta.roots + 4 * slot, pageId);
    this.logRange(this.#metaHandle(), meta.roots + 4 * slot, 4);
  }

  /**
   * Appends one WAL record with every declared change, then stamps LSNs and
   * marks pages dirty.
   * @param imageBelowLsn pages whose LSN is at or below this get a full image
   * @returns the record's LSN, or 0 when nothing changed
   * @throws {IoError} when the WAL is unusable (the caller rolls back)
   */
  commit(wal: Wal, imageBelowLsn: number): number {
    const size = this.#recordBytes(imageBelowLsn);
    if (size === 0) return 0;
    const frames = this.#frames;
    const pool = this.source.pool;
    if (wal.discards) return this.#stamp(wal.skip(size));
    const start = wal.reserve(WalKind.pages, size);
    const out = wal.buffer;
    let at = start + 4;
    let pages = 0;
    for (let slot = 0; slot < this.#slots; slot++) {
      const mode = this.#mode[slot]!;
      if (mode === Logged.none) continue;
      const data = pool.handles[frames[slot]!]!.data;
      writeU32(out, at, pool.pageIds[frames[slot]!]!);
      out[at + 4] = mode;
      pages++;
      if (mode === Logged.image) {
        writeU32(out, at + 5, 0);
        out.set(data, at + 9);
        at += 9 + this.pageSize;
      } else {
        at = this.#writeRanges(out, at, slot, data);
      }
    }
    writeU32(out, start, pages);
    if (at - start !== size) {
      throw new AssertionError(`WAL record of ${at - start} bytes, expected ${size}`);
    }
    return this.#stamp(wal.seal());
  }

  /** Gives every logged page the record's LSN and marks it dirty. */
  #stamp(lsn: number): number {
    const frames = this.#frames;
    const pool = this.source.pool;
    for (let slot = 0; slot < this.#slots; slot++) {
      if (this.#mode[slot] === Logged.none) continue;
      const frame = frames[slot]!;
      pool.lsn[frame] = lsn;
      pool.dirty[frame] = 1;
      writeU64(pool.handles[frame]!.data, pageHeader.lsn, lsn);
    }
    return lsn;
  }

  /**
   * Picks each written page's logging (a full image for the first change since
   * the checkpoint, or when most of the page changed) and sizes the record.
   * @returns the payload size, or 0 when nothing was declared
   */
  #recordBytes(imageBelowLsn: number): number {
    const frames = this.#frames;
    const pool = this.source.pool;
    const pageSize = this.pageSize;
    let size = 4;
    let pages = 0;
    for (let slot = 0; slot < this.#slots; slot++) {
      let mode = this.#mode[slot]!;
      if (mode === Logged.none) continue;
      const firstSinceCheckpoint = pool.lsn[frames[slot]!]! <= imageBelowLsn;
      if (
        mode === Logged.ranges && (firstSinceCheckpoint || this.#rangeBytes[slot]! * 2 > pageSize)
      ) {
        mode = this.#mode[slot] = Logged.image;
      }
      size += 9 + (mode === Logged.image ? pageSize : 0);
      pages++;
    }
    if (pages === 0) return 0;
    const ranges = this.#ranges;
    for (let i = 0; i < this.#rangesLength; i += 3) {
      if (this.#mode[ranges[i]!] === Logged.ranges) size += 8 + ranges[i + 2]!;
    }
    return size;
  }

  /** Writes the page entry's range count and ranges at `at`; returns the offset after them. */
  #writeRanges(out: Uint8Array, at: number, slot: number, data: Uint8Array): number {
    const ranges = this.#ranges;
    const countAt = at + 5;
    let count = 0;
    at += 9;
    for (let i = 0; i < this.#rangesLength; i += 3) {
      if (ranges[i] !== slot) continue;
      const offset = ranges[i + 1]!;
      const length = ranges[i + 2]!;
      writeU32(out, at, offset);
      writeU32(out, at + 4, length);
      if (length <= 32) {
        // A loop beats allocating a subarray for the small ranges B+tree code declares.
        for (let b = 0; b < length; b++) out[at + 8 + b] = data[offset + b]!;
      } else {
        out.set(data.subarray(offset, offset + length), at + 8);
      }
      at += 8 + length;
      count++;
    }
    writeU32(out, countAt, count);
    return at;
  }

  /** Restores every written page to its before-image. */
  rollback(): void {
    const pool = this.source.pool;
    for (let slot = 0; slot < this.#slots; slot++) {
      if (this.#full[slot] === 0) continue;
      const frame = this.#frames[slot]!;
      const before = this.#before[slot]!;
      const length = frame === this.source.metaFrame ? meta.end : this.pageSize;
      pool.handles[frame]!.data.set(before.subarray(0, length));
    }
    // Patched pages get their saved ranges back.
    this.#undo.restore((slot) =>
      this.#full[slot] !== 0 ? undefined : pool.handles[this.#frames[slot]!]!.data
    );
  }

  /** Forgets this mini-transaction's state and drops its pins. */
  override release(): void {
    for (let slot = 0; slot < this.#slots; slot++) this.#slotOf[this.#frames[slot]!] = -1;
    this.#slots = 0;
    this.#undo.clear();
    this.#rangesLength = 0;
    super.release();
  }

  #pin(pageId: number): number {
    const frame = this.source.fetch(pageId);
    this.pinned[this.pinnedCount++] = frame;
    return frame;
  }

  /**
   * Registers `frame` as written, saving its whole before-image on first
   * write. A page only patched so far gets its before-image now: the page as
   * it is, with the patched ranges' saved bytes put back.
   */
  #writeFrame(frame: number, beforeBytes: number): number {
    let slot = this.#slotOf[frame]!;
    if (slot >= 0 && this.#full[slot] !== 0) return frame;
    const patched = slot >= 0;
    if (slot < 0) slot = this.#register(frame, true);
    else this.#full[slot] = 1;
    let before = this.#before[slot];
    if (before === undefined) {
      before = new Uint8Array(this.pageSize);
      this.#before[slot] = before;
    }
    const data = this.source.pool.handles[frame]!.data;
    before.set(beforeBytes === this.pageSize ? data : data.subarray(0, beforeBytes));
    if (patched) {
      const full = before;
      this.#undo.restore((s) => s === slot ? full : undefined);
    }
    return frame;
  }

  /** Adds `frame` to the written frames; returns its slot. */
  #register(frame: number, full: boolean): number {
    const slot = this.#slots++;
    this.#slotOf[frame] = slot;
    this.#frames[slot] = frame;
    this.#full[slot] = full ? 1 : 0;
    this.#patchedBytes[slot] = 0;
    this.#mode[slot] = Logged.none;
    this.#rangeBytes[slot] = 0;
    return slot;
  }

  #metaForWrite(): Uint8Array {
    const frame = this.source.metaFrame;
    this.#writeFrame(frame, meta.end);
    return this.source.pool.handles[frame]!.data;
  }

  #metaHandle(): FrameHandle {
    return this.source.pool.handles[this.source.metaFrame]!;
  }

  #slotOfHandle(page: PageHandle): number {
    const frame = (page as FrameHandle).frame;
    const slot = frame === undefined ? -1 : this.#slotOf[frame]!;
    if (!(slot >= 0)) {
      throw new AssertionError(`Page ${page.id} was changed without write() in this update`);
    }
    return slot;
  }
}
