/**
 * Overflow chains: a byte string too large for its page, stored across a
 * singly linked list of overflow pages. Shared by the B+tree (large values)
 * and the heap (large rows).
 *
 * Overflow page body: u32 next page (0 = last), u32 bytes used, data.
 * @module
 */

import { CorruptError } from "../../common/errors.ts";
import type { Mtr, PageReader } from "../mtr.ts";
import { pageHeader, pageHeaderBytes, PageType } from "../page.ts";
import { setU32, u32 } from "./node.ts";

const offNext = pageHeaderBytes;
const offUsed = pageHeaderBytes + 4;
const offData = pageHeaderBytes + 8;

/** Data bytes one overflow page holds. */
export function overflowCapacity(pageSize: number): number {
  return pageSize - offData;
}

/**
 * Writes `bytes` to a new chain.
 * @returns the first page id of the chain
 */
export function writeOverflow(m: Mtr, bytes: Uint8Array): number {
  const capacity = overflowCapacity(m.pageSize);
  let first = 0;
  let prev: ReturnType<Mtr["allocate"]> | undefined;
  for (let pos = 0; pos < bytes.length || first === 0; pos += capacity) {
    const page = m.allocate(PageType.overflow);
    const n = Math.min(capacity, bytes.length - pos);
    page.data.set(bytes.subarray(pos, pos + n), offData);
    setU32(page.data, offUsed, n);
    m.logRange(page, offNext, 8 + n);
    if (prev === undefined) first = page.id;
    else {
      setU32(prev.data, offNext, page.id);
      m.logRange(prev, offNext, 4);
    }
    prev = page;
  }
  return first;
}

/**
 * Reads a chain of `length` bytes starting at `first`.
 * @throws {CorruptError} XX001 when the chain is broken or its length differs
 */
export function readOverflow(r: PageReader, first: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const capacity = overflowCapacity(r.pageSize);
  let pos = 0;
  let id = first;
  while (id !== 0) {
    const d = r.read(id).data;
    if (d[pageHeader.type] !== PageType.overflow) {
      throw new CorruptError(`Overflow chain page ${id} has type ${d[pageHeader.type]}`);
    }
    const n = u32(d, offUsed);
    if (n > capacity || pos + n > length) {
      throw new CorruptError(`Overflow page ${id} holds ${n} bytes, beyond the value's ${length}`);
    }
    out.set(d.subarray(offData, offData + n), pos);
    pos += n;
    id = u32(d, offNext);
  }
  if (pos !== length) {
    throw new CorruptError(`Overflow chain at ${first} holds ${pos} bytes, expected ${length}`);
  }
  return out;
}

/** Frees every page of the chain starting at `first`. */
export function freeOverflow(m: Mtr, first: number): void {
  let id = first;
  while (id !== 0) {
    const d = m.read(id).data;
    if (d[pageHeader.type] !== PageType.overflow) {
      throw new CorruptError(`Overflow chain page ${id} has type ${d[pageHeader.type]}`);
    }
    const next = u32(d, offNext);
    m.free(id);
    id = next;
  }
}
