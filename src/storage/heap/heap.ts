/**
 * The heap: unordered row storage on slotted pages, addressed by stable row
 * ids `rowId = pageId * 65536 + slot`.
 *
 * A heap is named by its header page (stable for its life), which holds the
 * chain of data pages (scan order) and the head of a free-space list threaded
 * through the data pages. Inserts take the list's head page when the row fits
 * there and drop pages that turn out too full; a delete that leaves a page at
 * least a quarter empty puts it back on the list, so freed space is reused
 * and the list survives restarts with the pages.
 *
 * `heapUpdate` keeps the row id when the new row fits in the same page
 * (compacting it if needed) and otherwise moves the row and returns its new
 * id: there are no forwarding pointers. A dead slot may be reused by a later
 * insert, so a row id names a row only while that row lives.
 *
 * Rows larger than `heapInlineBytesMax` go to overflow chains.
 * @module
 */

import { assert, CorruptError } from "../../common/errors.ts";
import type { Mtr, PageHandle, PageReader } from "../mtr.ts";
import { pageHeader, PageType } from "../page.ts";
import { setU16, setU32, u16, u32 } from "../btree/node.ts";
import { freeOverflow, readOverflow, writeOverflow } from "../btree/overflow.ts";
import {
  checkDataPage,
  findFreeSlot,
  initDataPage,
  killSlot,
  offFlags,
  offFragmented,
  offNextFree,
  offNextPage,
  offSlotCount,
  overflowCellBytes,
  overflowSlotFlag,
  placeCell,
  releaseCell,
  slotBytes,
  slotPos,
  totalFree,
  trimSlots,
} from "./heap_page.ts";

const heapMagic = 0x50414548; // "HEAP"
const offMagic = 32;
const offFirst = 36;
const offLast = 40;
const offFreeHead = 44;
const offPageCount = 48;
const headerEnd = 52;
/** Full pages tried from the free-space list before a new page is added. */
const freeListTries = 4;

/** Rows longer than this many bytes are stored in overflow chains. */
export function heapInlineBytesMax(pageSize: number): number {
  return Math.floor((pageSize - 64) / 4);
}

/** Splits a row id into page id and slot. */
export function rowIdPage(rowId: number): number {
  return Math.floor(rowId / 65536);
}

/**
 * Creates an empty heap.
 * @returns the header page id that names the heap
 */
export function createHeap(m: Mtr): number {
  const page = m.allocate(PageType.fsm);
  setU32(page.data, offMagic, heapMagic);
  m.logRange(page, offMagic, headerEnd - offMagic);
  return page.id;
}

/**
 * Reads and validates the heap's header page.
 * @throws {CorruptError} XX001 when `heap` is not a heap header
 */
export function readHeader(r: PageReader, heap: number): PageHandle {
  const page = r.read(heap);
  const d = page.data;
  if (d[pageHeader.type] !== PageType.fsm || u32(d, offMagic) !== heapMagic) {
    throw new CorruptError(`Page ${heap} is not a heap header (type ${d[pageHeader.type]})`);
  }
  return page;
}

/** First data page in scan order (0 when the heap has none). */
export function firstDataPage(r: PageReader, heap: number): number {
  return u32(readHeader(r, heap).data, offFirst);
}

/** Pops the head of the free-space list (the page must be that head). */
function popFree(m: Mtr, headerId: number, pageId: number): void {
  const header = m.read(headerId);
  const page = m.read(pageId);
  m.patch(header, offFreeHead, 4);
  setU32(header.data, offFreeHead, u32(page.data, offNextFree));
  m.patch(page, offNextFree, 6);
  setU32(page.data, offNextFree, 0);
  setU16(page.data, offFlags, 0);
}

/** Pushes `page` onto the free-space list. */
function pushFree(m: Mtr, headerId: number, page: PageHandle): void {
  const header = m.read(headerId);
  m.patch(page, offNextFree, 6);
  setU32(page.data, offNextFree, u32(header.data, offFreeHead));
  setU16(page.data, offFlags, 1);
  m.patch(header, offFreeHead, 4);
  setU32(header.data, offFreeHead, page.id);
}

function addDataPage(m: Mtr, headerId: number): PageHandle {
  const header = m.write(headerId);
  const page = m.allocate(PageType.heap);
  initDataPage(m, page, header.id);
  const h = header.data;
  const last = u32(h, offLast);
  if (last === 0) setU32(h, offFirst, page.id);
  else {
    const lastPage = m.write(last);
    setU32(lastPage.data, offNextPage, page.id);
    m.logRange(lastPage, offNextPage, 4);
  }
  setU32(h, offLast, page.id);
  setU32(h, offPageCount, u32(h, offPageCount) + 1);
  m.logRange(header, offFirst, headerEnd - offFirst);
  pushFree(m, header.id, page);
  return page;
}

/** Space a cell of `length` needs on `d`, counting a new slot when no dead one exists. */
function spaceNeeded(d: Uint8Array, length: number): number {
  return length + (findFreeSlot(d) === u16(d, offSlotCount) ? slotBytes : 0);
}

/** Writes the row (or its overflow reference) into slot `s` of `page`. */
function writeRow(
  m: Mtr,
  page: PageHandle,
  s: number,
  row: Uint8Array,
  chain: number,
  afterFreeSlotSearch: boolean,
): void {
  const length = chain === 0 ? Math.max(1, row.length) : overflowCellBytes;
  const field = chain === 0 ? row.length : overflowSlotFlag;
  const off = placeCell(m, page, s, length, field, afterFreeSlotSearch);
  if (chain === 0) page.data.set(row, off);
  else {
    setU32(page.data, off, row.length);
    setU32(page.data, off + 4, chain);
  }
}

/**
 * Stores a row.
 * @returns its row id
 */
export function heapInsert(m: Mtr, heap: number, row: Uint8Array): number {
  const header = readHeader(m, heap);
  const chain = row.length > heapInlineBytesMax(m.pageSize) ? writeOverflow(m, row) : 0;
  const length = chain === 0 ? Math.max(1, row.length) : overflowCellBytes;
  let page: PageHandle | undefined;
  for (let tries = 0; tries < freeListTries; tries++) {
    const id = u32(header.data, offFreeHead);
    if (id === 0) break;
    const candidate = m.read(id);
    checkDataPage(candidate, heap);
    if (totalFree(candidate.data) >= spaceNeeded(candidate.data, length)) {
      // Read, not written: `placeCell` declares (and keeps for rollback) only what changes.
      page = candidate;
      break;
    }
    popFree(m, heap, id);
  }
  page ??= addDataPage(m, heap);
  const s = findFreeSlot(page.data);
  writeRow(m, page, s, row, chain, true);
  return page.id * 65536 + s;
}

/**
 * Stores an inline row on page `pageId` of the heap when it fits there (for
 * updates that keep a row's versions together).
 * @returns its row id, or -1 when the row is too large or the page too full
 * @throws {CorruptError} XX001 when the page is not a data page of this heap
 */
export function heapInsertOn(m: Mtr, heap: number, pageId: number, row: Uint8Array): number {
  if (row.length === 0 || row.length > heapInlineBytesMax(m.pageSize)) return -1;
  const candidate = m.read(pageId);
  checkDataPage(candidate, heap);
  if (totalFree(candidate.data) < spaceNeeded(candidate.data, row.length)) return -1;
  const s = findFreeSlot(candidate.data);
  writeRow(m, candidate, s, row, 0, true);
  return pageId * 65536 + s;
}

/** Validates a row id and returns its page, or undefined for an unused slot. */
function rowPage(r: PageReader, heap: number, rowId: number): PageHandle | undefined {
  if (!Number.isSafeInteger(rowId) || rowId < 65536) return undefined;
  const page = r.read(rowIdPage(rowId));
  checkDataPage(page, heap);
  const s = rowId % 65536;
  if (s >= u16(page.data, offSlotCount) || u16(page.data, slotPos(s)) === 0) return undefined;
  return page;
}

/** Reads the row in slot `s` of a page: a view for inline rows, a copy for overflow rows. */
export function rowAt(r: PageReader, d: Uint8Array, s: number): Uint8Array {
  const off = u16(d, slotPos(s));
  const field = u16(d, slotPos(s) + 2);
  if (field & overflowSlotFlag) return readOverflow(r, u32(d, off + 4), u32(d, off));
  return d.subarray(off, off + field);
}

/**
 * Reads a row.
 * @returns a copy of the row, or undefined when the slot holds none
 * @throws {CorruptError} XX001 when the row id's page is not part of this heap
 */
export function heapGet(r: PageReader, heap: number, rowId: number): Uint8Array | undefined {
  const page = rowPage(r, heap, rowId);
  if (page === undefined) return undefined;
  const row = rowAt(r, page.data, rowId % 65536);
  return row.buffer === page.data.buffer ? row.slice() : row;
}

/**
 * Reads a row without copying an inline one: the result is a view of the
 * page, valid only while the reader's `view` lasts (overflow rows are copies).
 * @returns the row, or undefined when the slot holds none
 * @throws {CorruptError} XX001 when the row id's page is not part of this heap
 */
export function heapView(r: PageReader, heap: number, rowId: number): Uint8Array | undefined {
  const page = rowPage(r, heap, rowId);
  return page === undefined ? undefined : rowAt(r, page.data, rowId % 65536);
}

/**
 * The first `length` bytes of an inline row as a writable view into its page,
 * declared as changed in `m` (`Mtr.patch`): for patching a fixed-size prefix
 * (a tuple header) without copying and rewriting the row. Write it at once,
 * before any other change in `m`.
 * @returns the view, or undefined when the slot holds no row, the row is in
 * an overflow chain or is shorter than `length`
 */
export function heapRowPrefix(
  m: Mtr,
  heap: number,
  rowId: number,
  length: number,
): Uint8Array | undefined {
  const found = rowPage(m, heap, rowId);
  if (found === undefined) return undefined;
  const s = rowId % 65536;
  const field = u16(found.data, slotPos(s) + 2);
  if (field & overflowSlotFlag || field < length) return undefined;
  // Only these bytes change: they are kept for rollback instead of the whole page.
  const off = u16(found.data, slotPos(s));
  m.patch(found, off, length);
  return found.data.subarray(off, off + length);
}

/**
 * Declares bytes [from, from + length) of inline row `rowId` as about to
 * change (`Mtr.patch`: kept for rollback, logged), for a caller that then
 * overwrites them in the view `heapView` gave it in the same operation. The
 * row keeps its slot and length.
 * @returns false, declaring nothing, when the slot holds no row of exactly
 * `rowLength` bytes stored inline (an overflow row, or a row of another
 * length), or the range does not lie inside it
 */
export function heapPatchRow(
  m: Mtr,
  heap: number,
  rowId: number,
  rowLength: number,
  from: number,
  length: number,
): boolean {
  const found = rowPage(m, heap, rowId);
  if (found === undefined) return false;
  const s = rowId % 65536;
  const field = u16(found.data, slotPos(s) + 2);
  if (field & overflowSlotFlag || field !== rowLength) return false;
  if (from < 0 || length < 0 || from + length > rowLength) return false;
  m.patch(found, u16(found.data, slotPos(s)) + from, length);
  return true;
}

/** Frees the slot's overflow chain, if any. */
function freeRowChain(m: Mtr, d: Uint8Array, s: number): void {
  if (u16(d, slotPos(s) + 2) & overflowSlotFlag) freeOverflow(m, u32(d, u16(d, slotPos(s)) + 4));
}

/** Puts a page with enough free space back on the free-space list. */
function maybeRelist(m: Mtr, heap: number, page: PageHandle): void {
  const d = page.data;
  if (u16(d, offFlags) & 1) return;
  if (totalFree(d) < (d.length - 64) / 4) return;
  pushFree(m, heap, page);
}

/**
 * Deletes a row.
 * @returns true when the row existed
 */
export function heapDelete(m: Mtr, heap: number, rowId: number): boolean {
  const found = rowPage(m, heap, rowId);
  if (found === undefined) return false;
  // Read, not written: the slot and header changes are patched (kept for rollback alone).
  const s = rowId % 65536;
  freeRowChain(m, found.data, s);
  killSlot(m, found, s);
  maybeRelist(m, heap, found);
  return true;
}

/**
 * Replaces a row. It stays in place (same id) when the new row fits in its
 * page; otherwise it moves.
 * @returns the row's id after the update
 * @throws {AssertionError} XX000 when `rowId` names no live row of this heap (a caller bug)
 */
export function heapUpdate(m: Mtr, heap: number, rowId: number, row: Uint8Array): number {
  const found = rowPage(m, heap, rowId);
  assert(found !== undefined, `Heap ${heap} has no live row ${rowId} to update`);
  const d = found.data;
  const s = rowId % 65536;
  const inline = row.length <= heapInlineBytesMax(m.pageSize);
  const oldField = u16(d, slotPos(s) + 2);
  if (inline && !(oldField & overflowSlotFlag) && oldField >= row.length && row.length > 0) {
    // Same size or smaller: rewrite the cell in place (patched ranges, no
    // page copy); a shrunk cell's tail becomes fragmented space (no compaction now).
    const off = u16(d, slotPos(s));
    m.patch(found, off, row.length);
    d.set(row, off);
    if (oldField > row.length) {
      m.patch(found, slotPos(s) + 2, 2);
      setU16(d, slotPos(s) + 2, row.length);
      m.patch(found, offFragmented, 4);
      setU32(d, offFragmented, u32(d, offFragmented) + oldField - row.length);
      maybeRelist(m, heap, found);
    }
    return rowId;
  }
  const page = m.write(found.id);
  const length = inline ? Math.max(1, row.length) : overflowCellBytes;
  freeRowChain(m, d, s);
  releaseCell(m, page, s);
  if (totalFree(d) >= length) {
    writeRow(m, page, s, row, inline ? 0 : writeOverflow(m, row), false);
    return rowId;
  }
  trimSlots(m, page);
  maybeRelist(m, heap, page);
  return heapInsert(m, heap, row);
}

/** Frees every page of the heap, its header included. */
export function heapDrop(m: Mtr, heap: number): void {
  let id = u32(readHeader(m, heap).data, offFirst);
  while (id !== 0) {
    const page = m.read(id);
    checkDataPage(page, heap);
    const d = page.data;
    const n = u16(d, offSlotCount);
    for (let s = 0; s < n; s++) {
      if (u16(d, slotPos(s)) !== 0) freeRowChain(m, d, s);
    }
    const next = u32(d, offNextPage);
    m.free(id);
    id = next;
  }
  m.free(heap);
}
