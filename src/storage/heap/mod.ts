/**
 * The heap access method: rows as byte strings on slotted pages, named by
 * stable row ids (`pageId * 65536 + slot`), with a persistent free-space list
 * and overflow chains for large rows.
 * @module
 */

export {
  createHeap,
  heapDelete,
  heapDrop,
  heapGet,
  heapInlineBytesMax,
  heapInsert,
  heapInsertOn,
  heapPatchRow,
  heapRowPrefix,
  heapUpdate,
  heapView,
  rowIdPage,
} from "./heap.ts";
export {
  HeapCursor,
  heapScan,
  heapScanSpans,
  type HeapSpanVisitor,
  type HeapStats,
  heapStats,
  heapStatsStep,
  type HeapVisitor,
} from "./heap_scan.ts";
