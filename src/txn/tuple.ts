/**
 * MVCC tuple header stored in front of each row version in a heap.
 *
 * Layout (little-endian, `tupleHeaderBytes` bytes), then the `row_codec` row:
 * | 0 | 1 | flags: 1 = HOT-updated (`next` is a heap-only version), 2 = heap-only (no index entries of its own), 4 = redirect |
 * | 1 | 1 | format version (1) |
 * | 2 | 6 | xmin: xid that created the version |
 * | 8 | 6 | xmax: xid that deleted or updated it (0 = none) |
 * | 14 | 4 | cmin: command id of the insert within xmin |
 * | 18 | 4 | cmax: command id of the delete within xmax |
 * | 22 | 6 | next: row id of the newer version written by xmax's update (0 = deleted) |
 * @module
 */

import { CorruptError } from "../common/errors.ts";

/** Bytes of the tuple header. */
export const tupleHeaderBytes = 28;
const formatVersion = 1;
const offVersion = 1;
const offXmin = 2;
const offXmax = 8;
const offCmin = 14;
const offCmax = 18;
const offNext = 22;

/**
 * Flag of a version whose update wrote the newer version (`next`) without
 * index entries, because no indexed value changed (like PostgreSQL's
 * heap-only tuples): index readers reach the newer version by following the
 * chain from the version the index entry names. The newer version is on the
 * same page, except after a chain's first version (see `placeNewVersion`).
 */
export const hotUpdatedFlag = 1;
/** Flag of a version that has no index entries of its own (reached through a HOT chain). */
export const heapOnlyFlag = 2;
/**
 * Flag of a redirect: what vacuum leaves of a dead version whose HOT chain
 * still has a live version. It keeps the indexed values (so its index entries
 * can be found and removed later) and links to the chain's first live
 * version; its xmax is that version's xmin, committed before every snapshot,
 * so no snapshot sees it.
 */
export const redirectFlag = 4;

/** The flags byte of a tuple (0 for a tuple too short to hold a header). */
export function tupleFlags(tuple: Uint8Array): number {
  return tuple.length >= tupleHeaderBytes ? tuple[0]! : 0;
}

/** Sets or clears `flag` in a tuple's flags byte. */
export function setTupleFlag(tuple: Uint8Array, flag: number, on: boolean): void {
  tuple[0] = on ? tuple[0]! | flag : tuple[0]! & ~flag;
}

/** The decoded header. Reused objects: copy fields you keep. */
export interface TupleHeader {
  xmin: number;
  xmax: number;
  cmin: number;
  cmax: number;
  next: number;
}

/** Creates an empty header object for `readHeader` to fill. */
export function newHeader(): TupleHeader {
  return { xmin: 0, xmax: 0, cmin: 0, cmax: 0, next: 0 };
}

function u48(d: Uint8Array, o: number): number {
  return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16)) +
    (d[o + 3]! | (d[o + 4]! << 8) | (d[o + 5]! << 16)) * 0x1000000;
}

function setU48(d: Uint8Array, o: number, v: number): void {
  const lo = v % 0x1000000;
  const hi = Math.floor(v / 0x1000000);
  d[o] = lo & 0xff;
  d[o + 1] = (lo >>> 8) & 0xff;
  d[o + 2] = lo >>> 16;
  d[o + 3] = hi & 0xff;
  d[o + 4] = (hi >>> 8) & 0xff;
  d[o + 5] = (hi >>> 16) & 0xff;
}

function u32(d: Uint8Array, o: number): number {
  return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0;
}

function setU32(d: Uint8Array, o: number, v: number): void {
  d[o] = v & 0xff;
  d[o + 1] = (v >>> 8) & 0xff;
  d[o + 2] = (v >>> 16) & 0xff;
  d[o + 3] = v >>> 24;
}

/**
 * Reads the header at the start of `tuple` into `out`.
 * @throws {CorruptError} XX001 when the tuple is too short or of an unknown format
 */
export function readHeader(tuple: Uint8Array, out: TupleHeader): TupleHeader {
  return readHeaderAt(tuple, 0, tuple.length, out);
}

/**
 * Reads the header of the tuple held in `bytes[start, end)` into `out`.
 * @throws {CorruptError} XX001 when the tuple is too short or of an unknown format
 */
export function readHeaderAt(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: TupleHeader,
): TupleHeader {
  if (end - start < tupleHeaderBytes || bytes[start + offVersion] !== formatVersion) {
    throw new CorruptError(`Heap tuple of ${end - start} bytes has no valid MVCC header`);
  }
  out.xmin = u48(bytes, start + offXmin);
  out.xmax = u48(bytes, start + offXmax);
  out.cmin = u32(bytes, start + offCmin);
  out.cmax = u32(bytes, start + offCmax);
  out.next = u48(bytes, start + offNext);
  return out;
}

/** Writes a fresh header (no xmax) into the first bytes of `tuple`. */
export function initHeader(tuple: Uint8Array, xmin: number, cmin: number): void {
  tuple[0] = 0;
  tuple[offVersion] = formatVersion;
  setU48(tuple, offXmin, xmin);
  setU48(tuple, offXmax, 0);
  setU32(tuple, offCmin, cmin);
  setU32(tuple, offCmax, 0);
  setU48(tuple, offNext, 0);
}

/**
 * Marks the version deleted (next = 0) or updated (next = the new version's
 * row id; `hot` when that version is heap-only).
 */
export function stampXmax(
  tuple: Uint8Array,
  xmax: number,
  cmax: number,
  next: number,
  hot = false,
): void {
  setTupleFlag(tuple, hotUpdatedFlag, hot);
  setU48(tuple, offXmax, xmax);
  setU32(tuple, offCmax, cmax);
  setU48(tuple, offNext, next);
}
