/**
 * Rebalancing after a B+tree delete: empty leaves are unlinked and freed
 * (with any ancestors left without children), and underfull nodes merge with
 * a sibling under the same parent when both fit in one page.
 * @module
 */

import type { Mtr, PageHandle } from "../mtr.ts";
import { PageType } from "../page.ts";
import {
  cellHeaderBytes,
  cellOffset,
  childAt,
  count,
  initNode,
  isLeaf,
  keyLength,
  nodeHeaderEnd,
  offChild0,
  offNext,
  offPrev,
  removeCell,
  setPageType,
  setU32,
  u32,
  usedBytes,
} from "./node.ts";
import { pathIndexes, pathPages } from "./path.ts";
import { mergeInto } from "./split.ts";

/**
 * Restores the tree's shape after a cell was removed from the leaf at path
 * level `depth` (the path was filled by the descent that found it).
 */
export function rebalanceAfterDelete(m: Mtr, root: number, depth: number): void {
  const capacity = m.pageSize - nodeHeaderEnd;
  let level = depth;
  while (level > 0) {
    // Read first: a node that stays well filled is not changed here.
    const page = m.read(pathPages[level]!);
    const d = page.data;
    if (isLeaf(d) && count(d) === 0) {
      m.write(page.id);
      unlinkLeaf(m, page);
      m.free(page.id);
      level = removeChild(m, root, level - 1);
      continue;
    }
    if (usedBytes(d, m.pageSize) >= capacity / 4) return;
    m.write(page.id);
    if (!mergeWithSibling(m, page, level, capacity)) return;
    level--;
  }
}

function unlinkLeaf(m: Mtr, page: PageHandle): void {
  const prev = u32(page.data, offPrev);
  const next = u32(page.data, offNext);
  if (prev !== 0) {
    const p = m.write(prev);
    setU32(p.data, offNext, next);
    m.logRange(p, offNext, 4);
  }
  if (next !== 0) {
    const n = m.write(next);
    setU32(n.data, offPrev, prev);
    m.logRange(n, offPrev, 4);
  }
}

/**
 * Removes the child pointer taken at path level `level`; a node left without
 * children is freed in turn (the root becomes an empty leaf instead).
 * @returns the level whose node lost a pointer and stays in the tree
 */
function removeChild(m: Mtr, root: number, level: number): number {
  for (;;) {
    const page = m.write(pathPages[level]!);
    const d = page.data;
    const ci = pathIndexes[level]!;
    if (ci >= 0) {
      removeCell(m, page, ci, false);
      return level;
    }
    if (count(d) > 0) {
      setU32(d, offChild0, childAt(d, 0));
      m.logRange(page, offChild0, 4);
      removeCell(m, page, 0, false);
      return level;
    }
    if (page.id === root) {
      initNode(d, m.pageSize);
      setPageType(m, page, PageType.btreeLeaf);
      m.logRange(page, 32, nodeHeaderEnd - 32);
      return 0;
    }
    m.free(page.id);
    level--;
  }
}

/** Merges the node at `level` with its left or right sibling when they fit together. */
function mergeWithSibling(m: Mtr, page: PageHandle, level: number, capacity: number): boolean {
  const parent = m.read(pathPages[level - 1]!);
  const ci = pathIndexes[level - 1]!;
  if (ci >= 0 && tryMerge(m, parent, m.read(childAt(parent.data, ci - 1)), page, ci, capacity)) {
    return true;
  }
  if (ci + 1 < count(parent.data)) {
    return tryMerge(m, parent, page, m.read(childAt(parent.data, ci + 1)), ci + 1, capacity);
  }
  return false;
}

function tryMerge(
  m: Mtr,
  parent: PageHandle,
  left: PageHandle,
  right: PageHandle,
  separatorIndex: number,
  capacity: number,
): boolean {
  let separatorCell: Uint8Array | undefined;
  let extra = 0;
  if (!isLeaf(left.data)) {
    const pd = parent.data;
    const off = cellOffset(pd, separatorIndex);
    const len = keyLength(pd, off);
    separatorCell = new Uint8Array(cellHeaderBytes + len);
    separatorCell.set(pd.subarray(off, off + cellHeaderBytes + len));
    setU32(separatorCell, 2, u32(right.data, offChild0));
    extra = separatorCell.length + 2;
  }
  const used = usedBytes(left.data, m.pageSize) + usedBytes(right.data, m.pageSize) + extra;
  if (used > capacity) return false;
  mergeInto(m, m.write(left.id), m.write(right.id), separatorCell);
  removeCell(m, m.write(parent.id), separatorIndex, false);
  return true;
}
