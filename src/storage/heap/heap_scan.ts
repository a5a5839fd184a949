/**
 * Sequential scans of a heap in page-chain and slot order, resumable after
 * any row id, plus space statistics.
 * @module
 */

import type { PageReader } from "../mtr.ts";
import { u16, u32 } from "../btree/node.ts";
import { readOverflow } from "../btree/overflow.ts";
import { firstDataPage, rowIdPage } from "./heap.ts";
import {
  checkDataPage,
  offLive,
  offNextPage,
  offSlotCount,
  overflowSlotFlag,
  slotPos,
  totalFree,
} from "./heap_page.ts";

/**
 * Called per live row. Inline rows are views into the page, valid only during
 * the call: copy what you keep. Return false to stop.
 */
export type HeapVisitor = (rowId: number, row: Uint8Array) => boolean;

/**
 * Called per live row with the bytes `[start, end)` of `bytes` holding it:
 * the page itself for inline rows (valid only during the call), a copy for
 * overflow rows. Saves a view object per row over `HeapVisitor`. Return
 * false to stop.
 */
export type HeapSpanVisitor = (
  rowId: number,
  bytes: Uint8Array,
  start: number,
  end: number,
) => boolean;

/**
 * Visits the heap's rows in storage order, starting after row `after` when
 * given (a row id returned by an earlier scan of this heap). Pages read in a
 * `view` stay pinned until it returns: scan large heaps with `HeapCursor`.
 * @returns false when `visit` stopped the scan, true at the end of the heap
 * @throws {CorruptError} XX001 on pages that do not belong to the heap
 */
export function heapScan(
  r: PageReader,
  heap: number,
  visit: HeapVisitor,
  after?: number,
): boolean {
  return heapScanSpans(r, heap, (id, b, s, e) => visit(id, b.subarray(s, e)), after);
}

/** `heapScan` handing each row as a byte span (see `HeapSpanVisitor`). */
export function heapScanSpans(
  r: PageReader,
  heap: number,
  visit: HeapSpanVisitor,
  after?: number,
): boolean {
  let id = after === undefined ? firstDataPage(r, heap) : rowIdPage(after);
  let s = after === undefined ? 0 : (after % 65536) + 1;
  while (id !== 0) {
    const page = r.read(id);
    checkDataPage(page, heap);
    const d = page.data;
    const n = u16(d, offSlotCount);
    for (; s < n; s++) {
      const off = u16(d, slotPos(s));
      if (off === 0) continue;
      const field = u16(d, slotPos(s) + 2);
      if (field & overflowSlotFlag) {
        const row = readOverflow(r, u32(d, off + 4), u32(d, off));
        if (!visit(id * 65536 + s, row, 0, row.length)) return false;
      } else if (!visit(id * 65536 + s, d, off, off + field)) return false;
    }
    id = u32(d, offNextPage);
    s = 0;
  }
  return true;
}

/**
 * A scan that can stop and resume across separate `view` calls; rows
 * inserted behind the cursor meanwhile are not seen, rows ahead may be.
 */
export class HeapCursor {
  #after: number | undefined;
  #done = false;

  /** A cursor over the heap named by header page `heap`. */
  constructor(readonly heap: number) {}

  /** True once the heap's end was reached. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Visits up to `maxRows` further rows; `visit` returning false also ends
   * the batch (the scan resumes after that row).
   * @returns the number of rows visited
   */
  next(r: PageReader, maxRows: number, visit: HeapVisitor): number {
    return this.nextSpans(r, maxRows, (id, b, s, e) => visit(id, b.subarray(s, e)));
  }

  /** `next` handing each row as a byte span (see `HeapSpanVisitor`). */
  nextSpans(r: PageReader, maxRows: number, visit: HeapSpanVisitor): number {
    if (this.#done) return 0;
    let visited = 0;
    const finished = heapScanSpans(r, this.heap, (rowId, bytes, start, end) => {
      visited++;
      this.#after = rowId;
      return visit(rowId, bytes, start, end) && visited < maxRows;
    }, this.#after);
    if (finished) this.#done = true;
    return visited;
  }
}

/** Space use of a heap. */
export interface HeapStats {
  /** Data pages in the heap's chain (header and overflow pages not counted). */
  dataPages: number;
  /** Live rows. */
  rows: number;
  /** Free bytes in data pages, fragmented space included. */
  freeBytes: number;
}

/**
 * Counts the heap's data pages, live rows and reusable free bytes. Every page
 * read stays pinned until the caller's `view` ends: for large heaps use
 * `heapStatsStep` over several views.
 */
export function heapStats(r: PageReader, heap: number): HeapStats {
  const stats: HeapStats = { dataPages: 0, rows: 0, freeBytes: 0 };
  heapStatsStep(r, heap, stats, 0, Infinity);
  return stats;
}

/**
 * Adds up to `maxPages` data pages of the heap to `stats`, starting at page
 * `from` (0: the heap's first data page).
 * @returns the page to continue from in a later call, 0 at the heap's end
 */
export function heapStatsStep(
  r: PageReader,
  heap: number,
  stats: HeapStats,
  from: number,
  maxPages: number,
): number {
  let id = from === 0 ? firstDataPage(r, heap) : from;
  for (let n = 0; id !== 0 && n < maxPages; n++) {
    const page = r.read(id);
    checkDataPage(page, heap);
    stats.dataPages++;
    stats.rows += u16(page.data, offLive);
    stats.freeBytes += totalFree(page.data);
    id = u32(page.data, offNextPage);
  }
  return id;
}
