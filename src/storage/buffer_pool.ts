/**
 * The buffer pool: a fixed number of page frames carved from one aligned
 * region, a page table, pin counts, dirty flags and clock eviction. It never
 * evicts a pinned frame; writing a dirty victim back is delegated to the page
 * store (which first makes the WAL durable up to the page's LSN).
 * @module
 */

import { DbError } from "../common/errors.ts";
import type { FileSystem } from "./os/file_system.ts";
import type { PageHandle } from "./mtr.ts";

/** Fewest frames a pool has, whatever the byte budget. */
export const bufferPoolFramesMin = 16;

/** The handle of one frame; reassigned when the frame holds another page. */
export class FrameHandle implements PageHandle {
  /** The page in the frame (-1 when empty). */
  id = -1;
  /**
   * @param frame the frame index
   * @param data the frame's bytes, a view into the pool's region
   */
  constructor(readonly frame: number, readonly data: Uint8Array) {}
}

/** What the pool needs from its owner. */
export interface FrameWriter {
  /** Writes frame `frame` (dirty) to disk, honouring the write-ahead rule. */
  writeBack(frame: number): void;
  /** True when writing the frame back needs no WAL sync (its LSN is already durable). */
  cheapToWrite(frame: number): boolean;
}

/** Counters for `stats()`. */
export interface BufferPoolStats {
  /** Pages dropped to make room. */
  evictions: number;
  /** Lookups that found the page cached. */
  hits: number;
  /** Lookups that did not. */
  misses: number;
}

/** Fixed-size page cache. */
export class BufferPool {
  /** Number of frames. */
  readonly frames: number;
  /** Page held by each frame, -1 when empty. */
  readonly pageIds: Int32Array;
  /** Pin count of each frame; pinned frames are never evicted. */
  readonly pins: Int32Array;
  /** 1 when the frame differs from the page on disk. */
  readonly dirty: Uint8Array;
  /** LSN of the last WAL record that changed the frame's page. */
  readonly lsn: Float64Array;
  /** The reusable handle of each frame. */
  readonly handles: FrameHandle[];
  /** Counters. */
  readonly stats: BufferPoolStats = { evictions: 0, hits: 0, misses: 0 };
  readonly #referenced: Uint8Array;
  readonly #table = new Map<number, number>();
  #hand = 0;
  #writer: FrameWriter | undefined;

  /**
   * @param bytes budget; frames = max(16, floor(bytes / pageSize))
   */
  constructor(fs: FileSystem, readonly pageSize: number, bytes: number) {
    this.frames = Math.max(bufferPoolFramesMin, Math.floor(bytes / pageSize));
    const memory = fs.allocAligned(this.frames * pageSize);
    this.pageIds = new Int32Array(this.frames).fill(-1);
    this.pins = new Int32Array(this.frames);
    this.dirty = new Uint8Array(this.frames);
    this.lsn = new Float64Array(this.frames);
    this.#referenced = new Uint8Array(this.frames);
    this.handles = [];
    for (let f = 0; f < this.frames; f++) {
      this.handles.push(new FrameHandle(f, memory.subarray(f * pageSize, (f + 1) * pageSize)));
    }
  }

  /** Sets who writes dirty victims back. */
  setWriter(writer: FrameWriter): void {
    this.#writer = writer;
  }

  /** Pages currently cached. */
  get cachedPages(): number {
    return this.#table.size;
  }

  /**
   * Finds a cached page and pins it.
   * @returns its frame, or -1 when not cached
   */
  pinCached(pageId: number): number {
    const frame = this.#table.get(pageId);
    if (frame === undefined) {
      this.stats.misses++;
      return -1;
    }
    this.pins[frame]!++;
    this.#referenced[frame] = 1;
    this.stats.hits++;
    return frame;
  }

  /** Releases one pin. */
  unpin(frame: number): void {
    this.pins[frame]!--;
  }

  /**
   * Takes a frame for `pageId` (which must not be cached), evicting a victim
   * if needed. The frame comes back pinned, clean, with stale contents.
   * @throws {DbError} 53200 when every frame is pinned
   */
  claim(pageId: number): number {
    const frame = this.#victim();
    const old = this.pageIds[frame]!;
    if (old >= 0) {
      if (this.dirty[frame]) {
        this.#writer!.writeBack(frame);
        this.dirty[frame] = 0;
      }
      this.#table.delete(old);
      this.stats.evictions++;
    }
    this.pageIds[frame] = pageId;
    this.handles[frame]!.id = pageId;
    this.pins[frame] = 1;
    this.#referenced[frame] = 1;
    this.dirty[frame] = 0;
    this.lsn[frame] = 0;
    this.#table.set(pageId, frame);
    return frame;
  }

  /** Forgets the page in `frame` (after a failed read); the frame must have one pin. */
  discard(frame: number): void {
    this.#table.delete(this.pageIds[frame]!);
    this.pageIds[frame] = -1;
    this.handles[frame]!.id = -1;
    this.pins[frame] = 0;
    this.dirty[frame] = 0;
  }

  /** Calls `visit` for every dirty frame. */
  forEachDirty(visit: (frame: number) => void): void {
    for (let f = 0; f < this.frames; f++) if (this.dirty[f] && this.pageIds[f]! >= 0) visit(f);
  }

  /** Clock sweep preferring frames that can be dropped without a WAL sync. */
  #victim(): number {
    const frames = this.frames;
    let costly = -1;
    for (let step = 0; step < 3 * frames; step++) {
      const f = this.#hand;
      this.#hand = f + 1 === frames ? 0 : f + 1;
      if (this.pins[f] !== 0) continue;
      if (this.pageIds[f]! < 0) return f;
      if (this.#referenced[f]) {
        this.#referenced[f] = 0;
        continue;
      }
      if (!this.dirty[f] || this.#writer!.cheapToWrite(f)) return f;
      if (costly < 0) costly = f;
      else if (step >= 2 * frames) return costly;
    }
    if (costly >= 0) return costly;
    throw new DbError(
      "53200",
      `All ${frames} buffer pool frames are pinned; raise buffer_pool_bytes or touch fewer pages per operation`,
    );
  }
}
