/**
 * Loading pages into buffer-pool frames, shared by the store and recovery.
 * Folder-private.
 * @module
 */

import type { BufferPool } from "./buffer_pool.ts";
import { readU64, writeU32 } from "./_meta.ts";
import { pageHeader } from "./page.ts";
import type { Pager } from "./pager.ts";

/**
 * Pins `pageId`, reading and verifying it on a miss.
 * @throws {CorruptError} XX001
 */
export function readFrame(pool: BufferPool, pager: Pager, pageId: number): number {
  const cached = pool.pinCached(pageId);
  return cached >= 0 ? cached : loadFrame(pool, pager, pageId);
}

/**
 * Reads `pageId` (not cached) into a newly claimed, pinned frame.
 * @throws {CorruptError} XX001
 */
export function loadFrame(pool: BufferPool, pager: Pager, pageId: number): number {
  const frame = pool.claim(pageId);
  const data = pool.handles[frame]!.data;
  try {
    pager.readPage(pageId, data);
  } catch (error) {
    pool.discard(frame);
    throw error;
  }
  pool.lsn[frame] = readU64(data, pageHeader.lsn);
  return frame;
}

/** Pins a zeroed frame for `pageId` without reading it (a page never used, or about to be overwritten). */
export function freshFrame(pool: BufferPool, pageId: number): number {
  let frame = pool.pinCached(pageId);
  if (frame < 0) frame = pool.claim(pageId);
  const data = pool.handles[frame]!.data;
  data.fill(0);
  writeU32(data, pageHeader.pageId, pageId);
  pool.lsn[frame] = 0;
  return frame;
}
