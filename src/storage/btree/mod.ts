/**
 * The B+tree access method: ordered byte keys to byte values on pages, used
 * for every index (and the catalog). Typed keys are encoded with
 * `../key_codec.ts`; all page changes go through an `Mtr`.
 * @module
 */

export {
  btreeDelete,
  btreeDrop,
  btreeGet,
  btreeInsert,
  btreeKeyBytesMax,
  createBTree,
  type InsertOptions,
} from "./btree.ts";
export {
  BTreeCursor,
  btreePrefixKeys,
  btreeScan,
  type KeyVisitor,
  type ScanRange,
  type ScanVisitor,
} from "./scan.ts";
export { btreeCheck, type BTreeStats } from "./check.ts";
