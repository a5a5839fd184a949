/**
 * B+tree node layout and the in-place primitives on it (search, insert and
 * remove a cell, compact). Pure page logic: everything works on a page's
 * `Uint8Array` through offsets, without copying keys.
 *
 * Body layout (little-endian), after the 32-byte page header:
 * | offset | size | field |
 * | 32 | 2 | cell count |
 * | 34 | 4 | cell area start (cells grow down from the page end) |
 * | 38 | 4 | fragmented bytes inside the cell area (freed cells) |
 * | 42 | 4 | previous leaf (0 = none; leaves only) |
 * | 46 | 4 | next leaf (0 = none; leaves only) |
 * | 50 | 4 | leftmost child (internal nodes only) |
 * | 56 | 2*n | slot array: u16 offset of each cell, in key order |
 *
 * Leaf cell: u16 key length, u32 value field, key, value. When bit 31 of the
 * value field is set the value lives in an overflow chain: the low 31 bits are
 * its length and the inline part is the u32 first overflow page.
 * Internal cell: u16 key length, u32 child, key. Child i holds keys >= key i
 * (and < key i+1); the leftmost child holds keys < key 0.
 * @module
 */

import { CorruptError } from "../../common/errors.ts";
import type { Mtr, PageHandle } from "../mtr.ts";
import { pageHeader, PageType } from "../page.ts";

export const offCount = 32;
export const offCellStart = 34;
export const offFragmented = 38;
export const offPrev = 42;
export const offNext = 46;
export const offChild0 = 50;
export const nodeHeaderEnd = 56;
export const cellHeaderBytes = 6;
/** Marks a leaf value field whose value is in an overflow chain. */
export const overflowFlag = 0x80000000;

/** Reads a little-endian u16. */
export function u16(d: Uint8Array, o: number): number {
  return d[o]! | (d[o + 1]! << 8);
}

/** Reads a little-endian u32. */
export function u32(d: Uint8Array, o: number): number {
  return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16)) + d[o + 3]! * 16777216;
}

/** Writes a little-endian u16. */
export function setU16(d: Uint8Array, o: number, v: number): void {
  d[o] = v;
  d[o + 1] = v >>> 8;
}

/** Writes a little-endian u32. */
export function setU32(d: Uint8Array, o: number, v: number): void {
  d[o] = v;
  d[o + 1] = v >>> 8;
  d[o + 2] = v >>> 16;
  d[o + 3] = v >>> 24;
}

/** True when the page is a leaf. */
export function isLeaf(d: Uint8Array): boolean {
  return d[pageHeader.type] === PageType.btreeLeaf;
}

/** Number of cells. */
export function count(d: Uint8Array): number {
  return u16(d, offCount);
}

/** Offset of cell `i`. */
export function cellOffset(d: Uint8Array, i: number): number {
  return u16(d, nodeHeaderEnd + 2 * i);
}

/** Key length of the cell at `off`. */
export function keyLength(d: Uint8Array, off: number): number {
  return u16(d, off);
}

/** The child page id of an internal cell at `off`. */
export function cellChild(d: Uint8Array, off: number): number {
  return u32(d, off + 2);
}

/** Total bytes of the cell at `off` (without its slot). */
export function cellSize(d: Uint8Array, off: number, leaf: boolean): number {
  const keyLen = u16(d, off);
  if (!leaf) return cellHeaderBytes + keyLen;
  const field = u32(d, off + 2);
  return cellHeaderBytes + keyLen + (field >= overflowFlag ? 4 : field);
}

/** Child id for child index `ci` (-1 = leftmost). */
export function childAt(d: Uint8Array, ci: number): number {
  return ci < 0 ? u32(d, offChild0) : cellChild(d, cellOffset(d, ci));
}

/** Bytes in use by cells and slots. */
export function usedBytes(d: Uint8Array, pageSize: number): number {
  const n = count(d);
  return 2 * n + pageSize - u32(d, offCellStart) - u32(d, offFragmented);
}

/** Contiguous free bytes between the slot array and the cell area. */
export function contiguousFree(d: Uint8Array): number {
  return u32(d, offCellStart) - nodeHeaderEnd - 2 * count(d);
}

/**
 * Compares `key` with the key of the cell at `off`, in place.
 * @returns negative when `key` sorts first, 0 when equal, positive otherwise
 */
export function compareWithCell(d: Uint8Array, off: number, key: Uint8Array): number {
  const len = u16(d, off);
  const start = off + cellHeaderBytes;
  const n = key.length < len ? key.length : len;
  for (let i = 0; i < n; i++) {
    const diff = key[i]! - d[start + i]!;
    if (diff !== 0) return diff;
  }
  return key.length - len;
}

/**
 * Binary search for `key` among the node's cells.
 * @returns the index when found, otherwise `-(insertion index) - 1`
 */
export function search(d: Uint8Array, key: Uint8Array): number {
  let lo = 0;
  let hi = count(d) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareWithCell(d, u16(d, nodeHeaderEnd + 2 * mid), key);
    if (c > 0) lo = mid + 1;
    else if (c < 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** Child index (-1 = leftmost) an internal node routes `key` to. */
export function routeIndex(d: Uint8Array, key: Uint8Array): number {
  const r = search(d, key);
  return r >= 0 ? r : -r - 2;
}

/** Initialises an empty node body (the page type is set separately). */
export function initNode(d: Uint8Array, pageSize: number): void {
  d.fill(0, offCount, nodeHeaderEnd);
  setU32(d, offCellStart, pageSize);
}

/** Sets the page type byte and declares it. */
export function setPageType(m: Mtr, page: PageHandle, type: number): void {
  if (page.data[pageHeader.type] === type) return;
  page.data[pageHeader.type] = type;
  m.logRange(page, pageHeader.type, 1);
}

/**
 * Makes room for a cell of `size` bytes at slot `index` and returns the
 * offset where the caller writes it. The caller must have checked that total
 * free space suffices; compacts when it is fragmented. Declares the slot and
 * header changes; the caller declares the cell bytes.
 */
export function reserveCell(
  m: Mtr,
  page: PageHandle,
  index: number,
  size: number,
  leaf: boolean,
): number {
  const d = page.data;
  if (contiguousFree(d) < size + 2) compact(m, page, leaf);
  const n = count(d);
  const off = u32(d, offCellStart) - size;
  const slot = nodeHeaderEnd + 2 * index;
  if (index < n) d.copyWithin(slot + 2, slot, nodeHeaderEnd + 2 * n);
  setU16(d, slot, off);
  setU16(d, offCount, n + 1);
  setU32(d, offCellStart, off);
  m.logRange(page, offCount, 6);
  m.logRange(page, slot, nodeHeaderEnd + 2 * (n + 1) - slot);
  return off;
}

/**
 * Inserts `cell` at slot `index` of a page with at least `cell.length + 2`
 * contiguous free bytes (no compaction). The header and the shifted slots are
 * declared with `Mtr.patch` before they change and the cell, free space until
 * now, with `logRange`, so `page` may come from `read` and only the header and
 * slots are kept for rollback.
 */
export function insertCellPatched(
  m: Mtr,
  page: PageHandle,
  index: number,
  cell: Uint8Array,
): void {
  const d = page.data;
  const n = count(d);
  const off = u32(d, offCellStart) - cell.length;
  const slot = nodeHeaderEnd + 2 * index;
  m.patch(page, offCount, 6);
  m.patch(page, slot, nodeHeaderEnd + 2 * (n + 1) - slot);
  // Free space until now: logged, not kept for rollback (see `placeCell` of heap pages).
  m.logRange(page, off, cell.length);
  if (index < n) d.copyWithin(slot + 2, slot, nodeHeaderEnd + 2 * n);
  setU16(d, slot, off);
  setU16(d, offCount, n + 1);
  setU32(d, offCellStart, off);
  d.set(cell, off);
}

/**
 * Removes cell `index`; its bytes become fragmented space. Declares the
 * changes with `Mtr.patch` before making them, so `page` may come from `read`.
 */
export function removeCell(m: Mtr, page: PageHandle, index: number, leaf: boolean): void {
  const d = page.data;
  const n = count(d);
  const off = cellOffset(d, index);
  const size = cellSize(d, off, leaf);
  const start = u32(d, offCellStart);
  const slot = nodeHeaderEnd + 2 * index;
  m.patch(page, offCount, 10);
  if (index < n - 1) m.patch(page, slot, nodeHeaderEnd + 2 * (n - 1) - slot);
  if (off === start) setU32(d, offCellStart, start + size);
  else setU32(d, offFragmented, u32(d, offFragmented) + size);
  d.copyWithin(slot, slot + 2, nodeHeaderEnd + 2 * n);
  setU16(d, offCount, n - 1);
}

let scratch = new Uint8Array(0);

/** A module-level buffer of at least `size` bytes, reused by page rebuilds. */
export function scratchBuffer(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(size);
  return scratch;
}

/** Moves all cells to the end of the page, removing fragmentation. */
export function compact(m: Mtr, page: PageHandle, leaf: boolean): void {
  const d = page.data;
  const size = d.length;
  const copy = scratchBuffer(size);
  copy.set(d);
  const n = count(d);
  let end = size;
  for (let i = 0; i < n; i++) {
    const off = cellOffset(copy, i);
    const len = cellSize(copy, off, leaf);
    end -= len;
    d.set(copy.subarray(off, off + len), end);
    setU16(d, nodeHeaderEnd + 2 * i, end);
  }
  setU32(d, offCellStart, end);
  setU32(d, offFragmented, 0);
  m.logRange(page, offCount, nodeHeaderEnd + 2 * n - offCount);
  m.logRange(page, end, size - end);
}

/** Validates the node header read from disk. */
export function checkNode(page: PageHandle, pageSize: number): void {
  const d = page.data;
  const type = d[pageHeader.type];
  if (type !== PageType.btreeLeaf && type !== PageType.btreeInternal) {
    throw new CorruptError(`Page ${page.id} is not a B+tree node (type ${type})`);
  }
  const start = u32(d, offCellStart);
  if (start > pageSize || start < nodeHeaderEnd + 2 * count(d)) {
    throw new CorruptError(`B+tree page ${page.id} has a bad cell area start ${start}`);
  }
}
