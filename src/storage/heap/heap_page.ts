/**
 * Heap data page layout and its in-place primitives. Rows sit in a cell area
 * growing down from the page end; a slot array growing up from the header
 * maps slot numbers (part of the row id) to cells, so cells can move during
 * compaction while row ids stay put.
 *
 * Body layout (little-endian), after the 32-byte page header:
 * | offset | size | field |
 * | 32 | 2 | slot count (dead slots included) |
 * | 34 | 4 | cell area start |
 * | 38 | 4 | fragmented bytes inside the cell area |
 * | 42 | 4 | next data page of the heap (scan order; 0 = last) |
 * | 46 | 4 | next page on the heap's free-space list |
 * | 50 | 2 | flags (bit 0: on the free-space list) |
 * | 52 | 4 | owning heap's header page |
 * | 56 | 2 | lowest slot that may be dead (reuse hint) |
 * | 58 | 2 | live rows |
 * | 60 | 4*n | slots: u16 cell offset (0 = dead), u16 cell length |
 *
 * A slot length with bit 15 set marks an overflow row: the cell holds u32
 * total length and u32 first overflow page.
 * @module
 */

import { CorruptError } from "../../common/errors.ts";
import type { Mtr, PageHandle } from "../mtr.ts";
import { pageHeader, PageType } from "../page.ts";
import { scratchBuffer, setU16, setU32, u16, u32 } from "../btree/node.ts";

export const offSlotCount = 32;
export const offCellStart = 34;
export const offFragmented = 38;
export const offNextPage = 42;
export const offNextFree = 46;
export const offFlags = 50;
export const offOwner = 52;
export const offSlotHint = 56;
export const offLive = 58;
export const heapPageHeaderEnd = 60;
export const slotBytes = 4;
export const overflowSlotFlag = 0x8000;
/** Bytes of an overflow row's cell: u32 length, u32 first page. */
export const overflowCellBytes = 8;

/** Offset of slot `s`'s entry. */
export function slotPos(s: number): number {
  return heapPageHeaderEnd + slotBytes * s;
}

/** Free bytes between the slot array and the cell area. */
export function contiguousFree(d: Uint8Array): number {
  return u32(d, offCellStart) - slotPos(u16(d, offSlotCount));
}

/** Free bytes a compaction would make contiguous. */
export function totalFree(d: Uint8Array): number {
  return contiguousFree(d) + u32(d, offFragmented);
}

/** Declares the page's header fields as changed. */
export function logHeader(m: Mtr, page: PageHandle): void {
  m.logRange(page, offSlotCount, heapPageHeaderEnd - offSlotCount);
}

/** Initialises a fresh data page owned by heap `owner`. */
export function initDataPage(m: Mtr, page: PageHandle, owner: number): void {
  const d = page.data;
  d.fill(0, offSlotCount, heapPageHeaderEnd);
  setU32(d, offCellStart, d.length);
  setU32(d, offOwner, owner);
  logHeader(m, page);
}

/**
 * Validates that `page` is a data page of heap `owner`.
 * @throws {CorruptError} XX001 otherwise
 */
export function checkDataPage(page: PageHandle, owner: number): void {
  const d = page.data;
  if (d[pageHeader.type] !== PageType.heap || u32(d, offOwner) !== owner) {
    throw new CorruptError(
      `Page ${page.id} is not a data page of heap ${owner} (type ${d[pageHeader.type]})`,
    );
  }
  const start = u32(d, offCellStart);
  if (start > d.length || start < slotPos(u16(d, offSlotCount))) {
    throw new CorruptError(`Heap page ${page.id} has a bad cell area start ${start}`);
  }
}

/** The first dead slot at or after the hint, or the slot count when none. */
export function findFreeSlot(d: Uint8Array): number {
  const n = u16(d, offSlotCount);
  for (let s = u16(d, offSlotHint); s < n; s++) {
    if (u16(d, slotPos(s)) === 0) return s;
  }
  return n;
}

/** Cell bytes of slot `s` (0 when dead). */
export function cellLength(d: Uint8Array, s: number): number {
  const len = u16(d, slotPos(s) + 2);
  // An empty row still takes one byte, so its cell offset stays below the page end.
  return len & overflowSlotFlag ? overflowCellBytes : len === 0 ? 1 : len;
}

/** Moves every live cell to the end of the page, removing fragmentation. */
export function compactPage(m: Mtr, page: PageHandle): void {
  const d = page.data;
  const copy = scratchBuffer(d.length);
  copy.set(d);
  const n = u16(d, offSlotCount);
  let end = d.length;
  for (let s = 0; s < n; s++) {
    const off = u16(copy, slotPos(s));
    if (off === 0) continue;
    const len = cellLength(copy, s);
    end -= len;
    d.set(copy.subarray(off, off + len), end);
    setU16(d, slotPos(s), end);
  }
  setU32(d, offCellStart, end);
  setU32(d, offFragmented, 0);
  m.logRange(page, offSlotCount, slotPos(n) - offSlotCount);
  m.logRange(page, end, d.length - end);
}

/**
 * Places a cell of `length` bytes (plus `lengthField`, the slot's length
 * word) in slot `s` (dead, or the next new slot), compacting when fragmented.
 * `afterFreeSlotSearch` says `s` came from `findFreeSlot`. The caller checked
 * the space and writes the cell bytes at the returned offset, which are
 * declared here. `page` may come from `read`: without a compaction only the
 * header and the slot are kept for rollback.
 */
export function placeCell(
  m: Mtr,
  page: PageHandle,
  s: number,
  length: number,
  lengthField: number,
  afterFreeSlotSearch: boolean,
): number {
  const d = page.data;
  const n = u16(d, offSlotCount);
  const newSlot = s === n;
  if (contiguousFree(d) < length + (newSlot ? slotBytes : 0)) {
    // Compaction moves every cell: the whole page is kept for rollback.
    m.write(page.id);
    compactPage(m, page);
  }
  const off = u32(d, offCellStart) - length;
  m.patch(page, offSlotCount, heapPageHeaderEnd - offSlotCount);
  m.patch(page, slotPos(s), slotBytes);
  // The cell goes into free space, whose bytes mean nothing: logged, not kept for rollback
  // (the header and slot put back make it free space again).
  m.logRange(page, off, length);
  setU32(d, offCellStart, off);
  if (newSlot) setU16(d, offSlotCount, n + 1);
  setU16(d, slotPos(s), off);
  setU16(d, slotPos(s) + 2, lengthField);
  // Slots below the hint are live; a slot found by findFreeSlot had only live slots before it.
  if (afterFreeSlotSearch || u16(d, offSlotHint) === s) setU16(d, offSlotHint, s + 1);
  setU16(d, offLive, u16(d, offLive) + 1);
  return off;
}

/**
 * Marks slot `s` dead and turns its cell into fragmented space, keeping the
 * slot entry (so an update can refill the same slot). `page` may come from
 * `read`: the header and the slot are declared with `Mtr.patch`.
 */
export function releaseCell(m: Mtr, page: PageHandle, s: number): void {
  const d = page.data;
  const off = u16(d, slotPos(s));
  const len = cellLength(d, s);
  const start = u32(d, offCellStart);
  m.patch(page, offSlotCount, heapPageHeaderEnd - offSlotCount);
  m.patch(page, slotPos(s), slotBytes);
  if (off === start) setU32(d, offCellStart, start + len);
  else setU32(d, offFragmented, u32(d, offFragmented) + len);
  setU32(d, slotPos(s), 0);
  setU16(d, offSlotHint, Math.min(u16(d, offSlotHint), s));
  setU16(d, offLive, u16(d, offLive) - 1);
}

/** Drops dead slots from the end of the slot array (`page` may come from `read`). */
export function trimSlots(m: Mtr, page: PageHandle): void {
  const d = page.data;
  let n = u16(d, offSlotCount);
  const before = n;
  while (n > 0 && u16(d, slotPos(n - 1)) === 0) n--;
  if (n === before) return;
  m.patch(page, offSlotCount, 2);
  setU16(d, offSlotCount, n);
}

/** Marks slot `s` dead and trims trailing dead slots. */
export function killSlot(m: Mtr, page: PageHandle, s: number): void {
  releaseCell(m, page, s);
  trimSlots(m, page);
}
