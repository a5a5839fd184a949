/**
 * Replays page records during recovery. A page whose LSN is at or past the
 * record is left alone; a full page image is applied even when the page on
 * disk fails its checksum (that is how torn data-page writes are repaired).
 * Folder-private.
 * @module
 */

import { CorruptError } from "../common/errors.ts";
import type { BufferPool } from "./buffer_pool.ts";
import { readU32, writeU32, writeU64 } from "./_meta.ts";
import { pageHeader } from "./page.ts";

/** What redo needs from the store. */
export interface RedoTarget {
  readonly pool: BufferPool;
  readonly pageSize: number;
  /** Pins the page, reading it; throws CorruptError when it is unreadable. */
  fetchAny(pageId: number): number;
  /** Pins a frame for the page without reading it, zeroed. */
  fresh(pageId: number): number;
}

const imageMode = 2;
const rangesMode = 1;

/**
 * Applies one `WalKind.pages` record.
 * @param lsn the record's end LSN
 * @throws {CorruptError} XX001 when the payload is malformed or a page needing a delta is unreadable
 */
export function redoPages(
  target: RedoTarget,
  payload: Uint8Array,
  lsn: number,
  where: string,
): void {
  const pool = target.pool;
  const pageSize = target.pageSize;
  const bad = (why: string) =>
    new CorruptError(`WAL record ending at ${lsn} in ${where} is malformed: ${why}`);
  if (payload.length < 4) throw bad("no page count");
  const pages = readU32(payload, 0);
  let at = 4;
  for (let p = 0; p < pages; p++) {
    if (at + 9 > payload.length) throw bad(`entry ${p} is cut short`);
    const pageId = readU32(payload, at);
    const mode = payload[at + 4]!;
    const count = readU32(payload, at + 5);
    at += 9;
    if (mode === imageMode) {
      if (at + pageSize > payload.length) throw bad(`image of page ${pageId} is cut short`);
      let frame: number;
      try {
        frame = target.fetchAny(pageId);
      } catch (error) {
        // A torn or never-written page is exactly what the image repairs.
        if (!(error instanceof CorruptError)) throw error;
        frame = target.fresh(pageId);
      }
      if (pool.lsn[frame]! < lsn) {
        const data = pool.handles[frame]!.data;
        data.set(payload.subarray(at, at + pageSize));
        writeU32(data, pageHeader.pageId, pageId);
        stamp(pool, frame, lsn);
      }
      pool.unpin(frame);
      at += pageSize;
      continue;
    }
    if (mode !== rangesMode) throw bad(`page ${pageId} has mode ${mode}`);
    const frame = target.fetchAny(pageId);
    const apply = pool.lsn[frame]! < lsn;
    const data = pool.handles[frame]!.data;
    for (let r = 0; r < count; r++) {
      if (at + 8 > payload.length) throw bad(`range ${r} of page ${pageId} is cut short`);
      const offset = readU32(payload, at);
      const length = readU32(payload, at + 4);
      if (offset + length > pageSize || at + 8 + length > payload.length) {
        throw bad(`range ${offset}+${length} of page ${pageId} is out of bounds`);
      }
      if (apply) data.set(payload.subarray(at + 8, at + 8 + length), offset);
      at += 8 + length;
    }
    if (apply) stamp(pool, frame, lsn);
    pool.unpin(frame);
  }
  if (at !== payload.length) throw bad(`${payload.length - at} trailing bytes`);
}

function stamp(pool: BufferPool, frame: number, lsn: number): void {
  pool.lsn[frame] = lsn;
  pool.dirty[frame] = 1;
  writeU64(pool.handles[frame]!.data, pageHeader.lsn, lsn);
}
