/**
 * The root-to-leaf descent shared by B+tree lookups, inserts, deletes and
 * scans. The path is kept in module-level arrays (operations are synchronous
 * and never nested), so a descent allocates nothing.
 * @module
 */

import { CorruptError } from "../../common/errors.ts";
import type { PageHandle, PageReader } from "../mtr.ts";
import { checkNode, childAt, count, isLeaf, routeIndex } from "./node.ts";

/** Deepest tree accepted; a deeper descent means a cycle in corrupt pages. */
export const btreeDepthMax = 32;

/** Page ids along the last descent, root first. */
export const pathPages: number[] = new Array<number>(btreeDepthMax).fill(0);
/** Child index (-1 = leftmost) taken at each internal level of the last descent. */
export const pathIndexes: number[] = new Array<number>(btreeDepthMax).fill(0);

/** Facts about the last descent that callers read right after it. */
export const lastDescent: { leaf: PageHandle | undefined; rightmost: boolean } = {
  leaf: undefined,
  rightmost: true,
};

/**
 * Descends from `root` to the leaf that holds (or would hold) `key`, filling
 * `pathPages`/`pathIndexes` and `lastDescent` (the leaf's handle, and whether
 * the path took the last child at every level). Without a key it goes to the
 * first leaf, or the last one when `last` is set.
 * @returns the leaf's depth; its id is `pathPages[depth]`
 * @throws {CorruptError} XX001 on malformed pages or a cycle
 */
export function descend(
  r: PageReader,
  root: number,
  key: Uint8Array | undefined,
  last = false,
): number {
  let id = root;
  let rightmost = true;
  for (let depth = 0; depth < btreeDepthMax; depth++) {
    const page = r.read(id);
    checkNode(page, r.pageSize);
    pathPages[depth] = id;
    const d = page.data;
    if (isLeaf(d)) {
      lastDescent.leaf = page;
      lastDescent.rightmost = rightmost;
      return depth;
    }
    const n = count(d);
    const ci = key !== undefined ? routeIndex(d, key) : last ? n - 1 : -1;
    if (ci !== n - 1) rightmost = false;
    pathIndexes[depth] = ci;
    id = childAt(d, ci);
    if (id === 0) throw new CorruptError(`B+tree page ${page.id} has a zero child pointer`);
  }
  throw new CorruptError(`B+tree at root ${root} is deeper than ${btreeDepthMax} levels`);
}
