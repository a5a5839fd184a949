/**
 * A B+tree over byte-string keys and values, on pages reached through the
 * `Mtr`/`PageReader` contract. Keys compare as unsigned bytes (encode typed
 * keys with `key_codec.ts`). The root page id is stable for the life of the
 * tree. Values too large for a leaf live in overflow chains; keys are limited
 * to about a quarter page (`btreeKeyBytesMax`).
 * @module
 */

import { LimitError } from "../../common/errors.ts";
import type { Mtr, PageHandle, PageReader } from "../mtr.ts";
import { PageType } from "../page.ts";
import {
  cellHeaderBytes,
  cellOffset,
  checkNode,
  childAt,
  contiguousFree,
  count,
  initNode,
  insertCellPatched,
  isLeaf,
  nodeHeaderEnd,
  offFragmented,
  offNext,
  overflowFlag,
  removeCell,
  reserveCell,
  search,
  setU16,
  setU32,
  u16,
  u32,
} from "./node.ts";
import { freeOverflow, readOverflow, writeOverflow } from "./overflow.ts";
import { type Promotion, pullUpChild, pushDownRoot, splitNode } from "./split.ts";
import { rebalanceAfterDelete } from "./rebalance.ts";
import { descend, lastDescent, pathIndexes, pathPages } from "./path.ts";

/** Largest cell (slot included) a node accepts, so every node holds at least four. */
export function maxCellBytes(pageSize: number): number {
  return Math.floor((pageSize - nodeHeaderEnd) / 4);
}

/**
 * Longest key a tree on pages of `pageSize` bytes accepts.
 * @example btreeKeyBytesMax(8192) // 2010
 */
export function btreeKeyBytesMax(pageSize: number): number {
  return maxCellBytes(pageSize) - 2 - cellHeaderBytes - 4;
}

/**
 * Creates an empty tree.
 * @returns the root page id, stable for the life of the tree
 */
export function createBTree(m: Mtr): number {
  const root = m.allocate(PageType.btreeLeaf);
  initNode(root.data, m.pageSize);
  m.logRange(root, 34, 4);
  return root.id;
}

/** Returns the value of the leaf cell at `off` (a copy). */
export function leafValue(r: PageReader, d: Uint8Array, off: number): Uint8Array {
  const start = off + cellHeaderBytes + u16(d, off);
  const field = u32(d, off + 2);
  if (field >= overflowFlag) return readOverflow(r, u32(d, start), field - overflowFlag);
  return d.slice(start, start + field);
}

/**
 * Looks up `key`.
 * @returns a copy of the value, or undefined when absent
 * @throws {CorruptError} XX001 on malformed pages
 */
export function btreeGet(r: PageReader, root: number, key: Uint8Array): Uint8Array | undefined {
  descend(r, root, key);
  const d = lastDescent.leaf!.data;
  const i = search(d, key);
  return i < 0 ? undefined : leafValue(r, d, cellOffset(d, i));
}

/** Options of `btreeInsert`. */
export interface InsertOptions {
  /** When the key exists, keep the old value (the caller reports the unique violation). */
  readonly unique?: boolean;
}

let cellBuffer = new Uint8Array(0);

function cellScratch(size: number): Uint8Array {
  if (cellBuffer.length < size) cellBuffer = new Uint8Array(Math.max(size, 4096));
  return cellBuffer.subarray(0, size);
}

function checkKey(key: Uint8Array, pageSize: number): void {
  const max = btreeKeyBytesMax(pageSize);
  if (key.length > max) {
    throw new LimitError("54000", `Index key of ${key.length} bytes exceeds the maximum of ${max}`);
  }
}

/** Builds a leaf cell in the scratch buffer (spilling large values to overflow pages). */
function buildLeafCell(m: Mtr, key: Uint8Array, value: Uint8Array): Uint8Array {
  const inline = cellHeaderBytes + key.length + value.length + 2 <= maxCellBytes(m.pageSize);
  const cell = cellScratch(cellHeaderBytes + key.length + (inline ? value.length : 4));
  setU16(cell, 0, key.length);
  cell.set(key, cellHeaderBytes);
  if (inline) {
    setU32(cell, 2, value.length);
    cell.set(value, cellHeaderBytes + key.length);
  } else {
    setU32(cell, 2, overflowFlag + value.length);
    setU32(cell, cellHeaderBytes + key.length, writeOverflow(m, value));
  }
  return cell;
}

/** Frees the overflow chain of the leaf cell at `off`, if it has one. */
export function freeCellOverflow(m: Mtr, d: Uint8Array, off: number): void {
  if (u32(d, off + 2) >= overflowFlag) freeOverflow(m, u32(d, off + cellHeaderBytes + u16(d, off)));
}

/**
 * Inserts `key` with `value`, replacing the value when the key exists (unless
 * `unique`).
 * @returns true when the key already existed
 * @throws {LimitError} 54000 when the key exceeds `btreeKeyBytesMax`
 */
export function btreeInsert(
  m: Mtr,
  root: number,
  key: Uint8Array,
  value: Uint8Array,
  options: InsertOptions = {},
): boolean {
  checkKey(key, m.pageSize);
  const depth = descend(m, root, key);
  let rightmost = lastDescent.rightmost;
  const leafId = pathPages[depth]!;
  const found = search(lastDescent.leaf!.data, key);
  if (found >= 0 && options.unique) return true;
  if (found < 0) {
    const cell = buildLeafCell(m, key, value);
    const read = lastDescent.leaf!;
    // The common case, a new key with room in its leaf: only the changed ranges are kept.
    if (contiguousFree(read.data) >= cell.length + 2) {
      insertCellPatched(m, read, -found - 1, cell);
      return false;
    }
    const leaf = m.write(leafId);
    if (rightmost && u32(leaf.data, offNext) !== 0) rightmost = false;
    insertUp(m, root, depth, leaf, -found - 1, cell, rightmost);
    return false;
  }
  const leaf = m.write(leafId);
  if (found >= 0) {
    if (replaceInPlace(m, leaf, cellOffset(leaf.data, found), value)) return true;
    const off = cellOffset(leaf.data, found);
    freeCellOverflow(m, leaf.data, off);
    removeCell(m, leaf, found, true);
  }
  const index = found >= 0 ? found : -found - 1;
  if (rightmost && u32(leaf.data, offNext) !== 0) rightmost = false;
  insertUp(m, root, depth, leaf, index, buildLeafCell(m, key, value), rightmost);
  return found >= 0;
}

/** Overwrites an inline value of the same length without moving the cell. */
function replaceInPlace(m: Mtr, leaf: PageHandle, off: number, value: Uint8Array): boolean {
  const d = leaf.data;
  if (u32(d, off + 2) !== value.length) return false;
  const start = off + cellHeaderBytes + u16(d, off);
  d.set(value, start);
  m.logRange(leaf, start, value.length);
  return true;
}

/**
 * Inserts `cell` at `index` of `page` (at path level `level`), splitting and
 * promoting separators up the path as needed.
 */
function insertUp(
  m: Mtr,
  root: number,
  level: number,
  page: PageHandle,
  index: number,
  cell: Uint8Array,
  rightmost: boolean,
): void {
  for (;;) {
    const d = page.data;
    const free = contiguousFree(d) + u32(d, offFragmented);
    if (free >= cell.length + 2) {
      const off = reserveCell(m, page, index, cell.length, isLeaf(d));
      d.set(cell, off);
      m.logRange(page, off, cell.length);
      return;
    }
    if (page.id === root) {
      const child = pushDownRoot(m, page);
      const promotion = splitNode(m, child, index, cell, rightmost);
      const rootCell = internalCell(promotion);
      const off = reserveCell(m, page, 0, rootCell.length, false);
      page.data.set(rootCell, off);
      m.logRange(page, off, rootCell.length);
      return;
    }
    const promotion = splitNode(m, page, index, cell, rightmost);
    level--;
    page = m.write(pathPages[level]!);
    index = pathIndexes[level]! + 1;
    cell = internalCell(promotion);
  }
}

function internalCell(p: Promotion): Uint8Array {
  const cell = cellScratch(cellHeaderBytes + p.key.length);
  setU16(cell, 0, p.key.length);
  setU32(cell, 2, p.right);
  cell.set(p.key, cellHeaderBytes);
  return cell;
}

/**
 * Deletes `key`. Underfull nodes merge with a sibling when the two fit in one
 * page; empty pages return to the free list.
 * @returns true when the key existed
 */
export function btreeDelete(m: Mtr, root: number, key: Uint8Array): boolean {
  const depth = descend(m, root, key);
  const found = search(lastDescent.leaf!.data, key);
  if (found < 0) return false;
  // Read, not written: removeCell patches the ranges it changes (rebalancing writes what it merges).
  const leaf = lastDescent.leaf!;
  freeCellOverflow(m, leaf.data, cellOffset(leaf.data, found));
  removeCell(m, leaf, found, true);
  rebalanceAfterDelete(m, root, depth);
  collapseRoot(m, root);
  return true;
}

/** While the root is an internal node with a single child, pulls that child up. */
export function collapseRoot(m: Mtr, root: number): void {
  for (;;) {
    const page = m.read(root);
    if (isLeaf(page.data) || count(page.data) > 0) return;
    const child = m.read(childAt(page.data, -1));
    pullUpChild(m, m.write(root), child);
  }
}

/** Frees every page of the tree, the root included. */
export function btreeDrop(m: Mtr, root: number): void {
  const page = m.read(root);
  checkNode(page, m.pageSize);
  const d = page.data;
  const n = count(d);
  if (isLeaf(d)) {
    for (let i = 0; i < n; i++) freeCellOverflow(m, d, cellOffset(d, i));
  } else {
    for (let i = -1; i < n; i++) btreeDrop(m, childAt(d, i));
  }
  m.free(root);
}
