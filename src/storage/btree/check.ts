/**
 * A full structural check of a B+tree: key order inside and across nodes,
 * equal leaf depth, consistent sibling links and readable overflow chains.
 * Used by tests and by offline verification.
 * @module
 */

import { CorruptError } from "../../common/errors.ts";
import type { PageReader } from "../mtr.ts";
import { compareBytes } from "../key_codec.ts";
import {
  cellHeaderBytes,
  cellOffset,
  checkNode,
  childAt,
  count,
  isLeaf,
  keyLength,
  offNext,
  offPrev,
  overflowFlag,
  u32,
} from "./node.ts";
import { overflowCapacity } from "./overflow.ts";
import { btreeDepthMax } from "./path.ts";

/** Shape of a tree, as counted by `btreeCheck`. */
export interface BTreeStats {
  /** Internal levels above the leaves (0 for a single leaf). */
  depth: number;
  /** Leaf nodes. */
  leafPages: number;
  /** Internal nodes, the root included when it is one. */
  internalPages: number;
  /** Pages of overflow chains holding large values. */
  overflowPages: number;
  /** Key/value entries. */
  entries: number;
}

/**
 * Walks the whole tree and verifies its invariants.
 * @returns counts of pages and entries
 * @throws {CorruptError} XX001 naming the first broken invariant
 */
export function btreeCheck(r: PageReader, root: number): BTreeStats {
  const stats: BTreeStats = {
    depth: -1,
    leafPages: 0,
    internalPages: 0,
    overflowPages: 0,
    entries: 0,
  };
  const leaves: number[] = [];
  walk(r, root, 0, undefined, undefined, stats, leaves);
  for (let i = 0; i < leaves.length; i++) {
    const d = r.read(leaves[i]!).data;
    const prev = i > 0 ? leaves[i - 1]! : 0;
    const next = i + 1 < leaves.length ? leaves[i + 1]! : 0;
    if (u32(d, offPrev) !== prev || u32(d, offNext) !== next) {
      throw new CorruptError(
        `B+tree leaf ${leaves[i]} links ${u32(d, offPrev)}/${
          u32(d, offNext)
        }, expected ${prev}/${next}`,
      );
    }
  }
  return stats;
}

function keyAt(d: Uint8Array, i: number): Uint8Array {
  const off = cellOffset(d, i);
  return d.subarray(off + cellHeaderBytes, off + cellHeaderBytes + keyLength(d, off));
}

function walk(
  r: PageReader,
  id: number,
  depth: number,
  low: Uint8Array | undefined,
  high: Uint8Array | undefined,
  stats: BTreeStats,
  leaves: number[],
): void {
  if (depth > btreeDepthMax) throw new CorruptError(`B+tree deeper than ${btreeDepthMax}`);
  const page = r.read(id);
  checkNode(page, r.pageSize);
  const d = page.data;
  const n = count(d);
  for (let i = 0; i < n; i++) {
    const key = keyAt(d, i);
    if (i > 0 && compareBytes(keyAt(d, i - 1), key) >= 0) {
      throw new CorruptError(`B+tree page ${id} keys out of order at ${i}`);
    }
    if (low !== undefined && compareBytes(key, low) < 0) {
      throw new CorruptError(`B+tree page ${id} key ${i} below its parent's bound`);
    }
    if (high !== undefined && compareBytes(key, high) >= 0) {
      throw new CorruptError(`B+tree page ${id} key ${i} at or above its parent's bound`);
    }
  }
  if (isLeaf(d)) {
    if (stats.depth === -1) stats.depth = depth;
    if (stats.depth !== depth) throw new CorruptError(`B+tree leaf ${id} at depth ${depth}`);
    stats.leafPages++;
    stats.entries += n;
    leaves.push(id);
    for (let i = 0; i < n; i++) {
      const off = cellOffset(d, i);
      const field = u32(d, off + 2);
      if (field >= overflowFlag) {
        stats.overflowPages += Math.max(
          1,
          Math.ceil((field - overflowFlag) / overflowCapacity(r.pageSize)),
        );
      }
    }
    return;
  }
  stats.internalPages++;
  for (let i = -1; i < n; i++) {
    const childLow = i < 0 ? low : keyAt(d, i).slice();
    const childHigh = i + 1 < n ? keyAt(d, i + 1).slice() : high;
    walk(r, childAt(d, i), depth + 1, childLow, childHigh, stats, leaves);
  }
}
