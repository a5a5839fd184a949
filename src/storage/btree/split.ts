/**
 * B+tree node rebuilds: splitting a full node in two, merging two siblings,
 * and moving the root's content into a new child (the root page id never
 * changes, so the catalog can keep it).
 * @module
 */

import type { Mtr, PageHandle } from "../mtr.ts";
import { pageHeader, pageHeaderBytes, PageType } from "../page.ts";
import {
  cellHeaderBytes,
  cellOffset,
  cellSize,
  count,
  initNode,
  isLeaf,
  keyLength,
  nodeHeaderEnd,
  offCellStart,
  offChild0,
  offCount,
  offNext,
  offPrev,
  scratchBuffer,
  setPageType,
  setU16,
  setU32,
  u32,
} from "./node.ts";

/** What a split hands to the parent: a separator key and the new right page. */
export interface Promotion {
  readonly key: Uint8Array;
  readonly right: number;
}

/** Declares a freshly built node: header, slots, and the cell area. */
export function logNodeContent(m: Mtr, page: PageHandle): void {
  const d = page.data;
  m.logRange(page, pageHeaderBytes, nodeHeaderEnd + 2 * count(d) - pageHeaderBytes);
  const start = u32(d, offCellStart);
  m.logRange(page, start, d.length - start);
}

/** Copies a node's header, slots and cell area (not the free gap between them). */
function copyNodeContent(src: Uint8Array, dst: Uint8Array): void {
  const slotsEnd = nodeHeaderEnd + 2 * count(src);
  dst.set(src.subarray(pageHeaderBytes, slotsEnd), pageHeaderBytes);
  const start = u32(src, offCellStart);
  dst.set(src.subarray(start), start);
}

/** Appends a cell to a node being rebuilt (cells fill downward, slots upward). */
function appendCell(d: Uint8Array, src: Uint8Array, off: number, len: number): void {
  const n = count(d);
  const start = u32(d, offCellStart) - len;
  d.set(src.subarray(off, off + len), start);
  setU16(d, nodeHeaderEnd + 2 * n, start);
  setU16(d, offCount, n + 1);
  setU32(d, offCellStart, start);
}

/** Cells of a node plus one new cell at `index`, addressed without copying. */
class CellList {
  buf: Uint8Array = new Uint8Array(0);
  off = 0;
  len = 0;
  constructor(
    readonly old: Uint8Array,
    readonly n: number,
    readonly index: number,
    readonly cell: Uint8Array,
    readonly leaf: boolean,
  ) {}
  get total(): number {
    return this.n + 1;
  }
  /** Points `buf/off/len` at cell `i`. */
  pick(i: number): void {
    if (i === this.index) {
      this.buf = this.cell;
      this.off = 0;
      this.len = this.cell.length;
      return;
    }
    const j = i < this.index ? i : i - 1;
    this.buf = this.old;
    this.off = cellOffset(this.old, j);
    this.len = cellSize(this.old, this.off, this.leaf);
  }
}

/**
 * Share of the bytes an append to the rightmost node keeps on the left
 * (PostgreSQL's B-tree fillfactors: 90 for leaves, 70 for internal nodes).
 * Keys loaded in order fill their pages this far, not fully, so later
 * inserts between them (a non-HOT update's new index entry) find room instead
 * of splitting nearly every full leaf they touch, each split logging two pages.
 */
const appendFillLeaf = 0.9;
const appendFillInternal = 0.7;

function chooseSplit(cells: CellList, appendOnly: boolean): number {
  const total = cells.total;
  const minK = 1;
  const maxK = cells.leaf ? total - 1 : total - 2;
  let bytes = 0;
  for (let i = 0; i < total; i++) {
    cells.pick(i);
    bytes += cells.len + 2;
  }
  // Appending: the left keeps old cells only (they fitted before), the right the rest.
  const fill = appendOnly && cells.index === cells.n
    ? (cells.leaf ? appendFillLeaf : appendFillInternal)
    : 0.5;
  const leftBytes = bytes * fill;
  let acc = 0;
  let k = 0;
  while (k < maxK) {
    cells.pick(k);
    if (k >= minK && acc + (cells.len + 2) / 2 > leftBytes) break;
    acc += cells.len + 2;
    k++;
  }
  return Math.max(minK, Math.min(maxK, k));
}

/**
 * Splits `page` while inserting `cell` at `index`. The left half stays in
 * `page`, the right half goes to a new page.
 * @param appendOnly the node is the rightmost on its level: an insert at its
 *   end leaves the left page filled to the append fillfactor, so sequential
 *   loads leave room for later inserts between their keys
 */
export function splitNode(
  m: Mtr,
  page: PageHandle,
  index: number,
  cell: Uint8Array,
  appendOnly: boolean,
): Promotion {
  const d = page.data;
  const leaf = isLeaf(d);
  const old = scratchBuffer(d.length);
  old.set(d);
  const cells = new CellList(old, count(old), index, cell, leaf);
  const k = chooseSplit(cells, appendOnly);
  const right = m.allocate(leaf ? PageType.btreeLeaf : PageType.btreeInternal);
  const rd = right.data;
  initNode(rd, d.length);
  initNode(d, d.length);
  d.set(old.subarray(offPrev, offChild0 + 4), offPrev);
  for (let i = 0; i < k; i++) {
    cells.pick(i);
    appendCell(d, cells.buf, cells.off, cells.len);
  }
  let key: Uint8Array;
  const firstRight = leaf ? k : k + 1;
  if (leaf) {
    cells.pick(k - 1);
    const lastLeft = cells.buf.subarray(cells.off, cells.off + cells.len);
    cells.pick(k);
    key = separator(lastLeft, cells.buf.subarray(cells.off, cells.off + cells.len));
  } else {
    cells.pick(k);
    const len = keyLength(cells.buf, cells.off);
    const start = cells.off + cellHeaderBytes;
    key = cells.buf.slice(start, start + len);
    setU32(rd, offChild0, u32(cells.buf, cells.off + 2));
  }
  for (let i = firstRight; i < cells.total; i++) {
    cells.pick(i);
    appendCell(rd, cells.buf, cells.off, cells.len);
  }
  if (leaf) linkRight(m, page, right);
  logNodeContent(m, page);
  logNodeContent(m, right);
  return { key, right: right.id };
}

/** Links a new leaf `right` after `left` in the leaf chain. */
function linkRight(m: Mtr, left: PageHandle, right: PageHandle): void {
  const next = u32(left.data, offNext);
  setU32(right.data, offPrev, left.id);
  setU32(right.data, offNext, next);
  setU32(left.data, offNext, right.id);
  if (next !== 0) {
    const nextPage = m.write(next);
    setU32(nextPage.data, offPrev, right.id);
    m.logRange(nextPage, offPrev, 4);
  }
}

/**
 * The shortest key s with lastLeft < s <= firstRight (suffix truncation), so
 * internal nodes hold short separators. Both arguments are whole leaf cells.
 */
function separator(lastLeftCell: Uint8Array, firstRightCell: Uint8Array): Uint8Array {
  const aLen = keyLength(lastLeftCell, 0);
  const bLen = keyLength(firstRightCell, 0);
  let i = 0;
  while (
    i < aLen && i < bLen &&
    lastLeftCell[cellHeaderBytes + i] === firstRightCell[cellHeaderBytes + i]
  ) i++;
  const len = Math.min(i + 1, bLen);
  return firstRightCell.slice(cellHeaderBytes, cellHeaderBytes + len);
}

/**
 * Moves the root's content into a new page and turns the root into an
 * internal node whose only child is that page.
 * @returns the new child
 */
export function pushDownRoot(m: Mtr, root: PageHandle): PageHandle {
  const d = root.data;
  const child = m.allocate(d[pageHeader.type]!);
  copyNodeContent(d, child.data);
  logNodeContent(m, child);
  initNode(d, d.length);
  setU32(d, offChild0, child.id);
  setPageType(m, root, PageType.btreeInternal);
  m.logRange(root, pageHeaderBytes, nodeHeaderEnd - pageHeaderBytes);
  return child;
}

/** Replaces the root's content with its only child's and frees the child. */
export function pullUpChild(m: Mtr, root: PageHandle, child: PageHandle): void {
  copyNodeContent(child.data, root.data);
  setPageType(m, root, child.data[pageHeader.type]!);
  logNodeContent(m, root);
  m.free(child.id);
}

/**
 * Appends the cells of `right` (and, for internal nodes, the separator
 * `cell` first) to `left`, fixes leaf links and frees `right`. The caller
 * removes the separator from the parent and has checked that it all fits.
 */
export function mergeInto(
  m: Mtr,
  left: PageHandle,
  right: PageHandle,
  separatorCell: Uint8Array | undefined,
): void {
  const d = left.data;
  const leaf = isLeaf(d);
  const old = scratchBuffer(d.length);
  old.set(d);
  const n = count(old);
  initNode(d, d.length);
  d.set(old.subarray(offPrev, offChild0 + 4), offPrev);
  for (let i = 0; i < n; i++) {
    const off = cellOffset(old, i);
    appendCell(d, old, off, cellSize(old, off, leaf));
  }
  if (separatorCell !== undefined) {
    appendCell(d, separatorCell, 0, separatorCell.length);
  }
  const rd = right.data;
  const rn = count(rd);
  for (let i = 0; i < rn; i++) {
    const off = cellOffset(rd, i);
    appendCell(d, rd, off, cellSize(rd, off, leaf));
  }
  if (leaf) {
    const next = u32(rd, offNext);
    setU32(d, offNext, next);
    if (next !== 0) {
      const nextPage = m.write(next);
      setU32(nextPage.data, offPrev, left.id);
      m.logRange(nextPage, offPrev, 4);
    }
  }
  logNodeContent(m, left);
  m.free(right.id);
}
