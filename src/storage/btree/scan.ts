/**
 * Range scans over a B+tree, forward or backward along the leaf sibling
 * links, and a cursor that resumes after the last key it returned, so a long
 * scan can span several `view` calls.
 * @module
 */

import { CorruptError } from "../../common/errors.ts";
import type { PageReader } from "../mtr.ts";
import {
  cellHeaderBytes,
  cellOffset,
  compareWithCell,
  count,
  isLeaf,
  offNext,
  offPrev,
  overflowFlag,
  search,
  u16,
  u32,
} from "./node.ts";
import { readOverflow } from "./overflow.ts";
import { descend, lastDescent } from "./path.ts";

/** Bounds and direction of a scan; absent bounds are open. */
export interface ScanRange {
  /** Smallest key to visit (see `lowerInclusive`). */
  readonly lower?: Uint8Array;
  /** Largest key to visit (see `upperInclusive`). */
  readonly upper?: Uint8Array;
  /** Default true. */
  readonly lowerInclusive?: boolean;
  /** Default true. */
  readonly upperInclusive?: boolean;
  /** Visit keys in descending order. */
  readonly reverse?: boolean;
}

/**
 * Called per entry. `key` and inline `value`s are views into the page, valid
 * only during the call: copy what you keep. Return false to stop. The visitor
 * must not change the tree being scanned.
 */
export type ScanVisitor = (key: Uint8Array, value: Uint8Array) => boolean;

function visitCell(r: PageReader, d: Uint8Array, off: number, visit: ScanVisitor): boolean {
  const keyLen = u16(d, off);
  const keyStart = off + cellHeaderBytes;
  const field = u32(d, off + 2);
  const valueStart = keyStart + keyLen;
  const value = field >= overflowFlag
    ? readOverflow(r, u32(d, valueStart), field - overflowFlag)
    : d.subarray(valueStart, valueStart + field);
  return visit(d.subarray(keyStart, valueStart), value);
}

function readLeaf(r: PageReader, id: number): Uint8Array {
  const d = r.read(id).data;
  if (!isLeaf(d)) throw new CorruptError(`B+tree leaf link points to non-leaf page ${id}`);
  return d;
}

/**
 * Visits the entries in `range` in key order (or reverse). The page store
 * keeps every page read in a `view` pinned until it returns, so scan long
 * ranges in batches with `BTreeCursor`.
 * @returns false when `visit` stopped the scan, true when the range was exhausted
 * @throws {CorruptError} XX001 on malformed pages
 */
export function btreeScan(
  r: PageReader,
  root: number,
  range: ScanRange,
  visit: ScanVisitor,
): boolean {
  return range.reverse ? scanBackward(r, root, range, visit) : scanForward(r, root, range, visit);
}

function scanForward(r: PageReader, root: number, range: ScanRange, visit: ScanVisitor): boolean {
  const { lower, upper } = range;
  const upperInclusive = range.upperInclusive ?? true;
  descend(r, root, lower);
  let d = lastDescent.leaf!.data;
  let i = 0;
  if (lower !== undefined) {
    const found = search(d, lower);
    i = found >= 0 ? (range.lowerInclusive ?? true) ? found : found + 1 : -found - 1;
  }
  for (;;) {
    const n = count(d);
    for (; i < n; i++) {
      const off = cellOffset(d, i);
      if (upper !== undefined) {
        const c = compareWithCell(d, off, upper);
        if (c < 0 || (c === 0 && !upperInclusive)) return true;
      }
      if (!visitCell(r, d, off, visit)) return false;
    }
    const next = u32(d, offNext);
    if (next === 0) return true;
    d = readLeaf(r, next);
    i = 0;
  }
}

function scanBackward(r: PageReader, root: number, range: ScanRange, visit: ScanVisitor): boolean {
  const { lower, upper } = range;
  const lowerInclusive = range.lowerInclusive ?? true;
  descend(r, root, upper, true);
  let d = lastDescent.leaf!.data;
  let i = count(d) - 1;
  if (upper !== undefined) {
    const found = search(d, upper);
    i = found >= 0 ? (range.upperInclusive ?? true) ? found : found - 1 : -found - 2;
  }
  for (;;) {
    for (; i >= 0; i--) {
      const off = cellOffset(d, i);
      if (lower !== undefined) {
        const c = compareWithCell(d, off, lower);
        if (c > 0 || (c === 0 && !lowerInclusive)) return true;
      }
      if (!visitCell(r, d, off, visit)) return false;
    }
    const prev = u32(d, offPrev);
    if (prev === 0) return true;
    d = readLeaf(r, prev);
    i = count(d) - 1;
  }
}

/** True when the key of the cell at `off` starts with `prefix` (compared in place). */
function cellHasPrefix(d: Uint8Array, off: number, prefix: Uint8Array): boolean {
  if (u16(d, off) < prefix.length) return false;
  const start = off + cellHeaderBytes;
  for (let i = 0; i < prefix.length; i++) if (d[start + i] !== prefix[i]) return false;
  return true;
}

/**
 * Called per key by `btreePrefixKeys`: the key is `d[start, start + length)`,
 * bytes of a page valid only during the call.
 */
export type KeyVisitor = (d: Uint8Array, start: number, length: number) => void;

/**
 * Visits the keys that start with `prefix` in key order, reading them in
 * place (no copies, values not read): the allocation-free core of point
 * lookups. Visits at most `max` keys, since a `view` keeps every page it read
 * pinned; use `BTreeCursor` for longer runs.
 * @returns true when every key with the prefix was visited, false when `max` cut the run short
 * @throws {CorruptError} XX001 on malformed pages
 */
export function btreePrefixKeys(
  r: PageReader,
  root: number,
  prefix: Uint8Array,
  max: number,
  visit: KeyVisitor,
): boolean {
  descend(r, root, prefix);
  let d = lastDescent.leaf!.data;
  const found = search(d, prefix);
  let i = found >= 0 ? found : -found - 1;
  let seen = 0;
  for (;;) {
    const n = count(d);
    for (; i < n; i++) {
      const off = cellOffset(d, i);
      if (!cellHasPrefix(d, off, prefix)) return true;
      if (seen++ >= max) return false;
      visit(d, off + cellHeaderBytes, u16(d, off));
    }
    const next = u32(d, offNext);
    if (next === 0) return true;
    d = readLeaf(r, next);
    i = 0;
  }
}

/**
 * A resumable scan: each `next` call re-seeks from the root just past the
 * last key returned, so the tree may change between calls (separate `view`s).
 * @example
 * const cursor = new BTreeCursor(root, { lower });
 * while (!cursor.done) store.view((r) => cursor.next(r, 1000, (k, v) => rows.push(...)));
 */
export class BTreeCursor {
  #last: Uint8Array | undefined;
  #done = false;

  /** A cursor over `range` of the tree at `root`; nothing is read until `next`. */
  constructor(readonly root: number, readonly range: ScanRange = {}) {}

  /** True once the range is exhausted. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Visits up to `maxEntries` further entries; `visit` returning false also
   * ends the batch (the scan resumes after that entry).
   * @returns the number of entries visited
   */
  next(r: PageReader, maxEntries: number, visit: ScanVisitor): number {
    if (this.#done) return 0;
    let range = this.range;
    if (this.#last !== undefined) {
      range = range.reverse
        ? { ...range, upper: this.#last, upperInclusive: false }
        : { ...range, lower: this.#last, lowerInclusive: false };
    }
    let visited = 0;
    const finished = btreeScan(r, this.root, range, (key, value) => {
      visited++;
      const more = visit(key, value);
      if (!more || visited >= maxEntries) {
        this.#last = key.slice();
        return false;
      }
      return true;
    });
    if (finished) this.#done = true;
    return visited;
  }
}
