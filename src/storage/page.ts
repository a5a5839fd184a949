/**
 * The page header shared by every page in a data file. The store owns the
 * header (checksum, id, LSN, type); access methods (B+tree, heap, ...) own the
 * body, which starts at `pageHeaderBytes`.
 *
 * Layout (little-endian):
 * | offset | size | field |
 * | 0 | 4 | CRC32C of bytes [4, pageSize) |
 * | 4 | 4 | page id |
 * | 8 | 8 | LSN of the last WAL record that changed the page (u64, kept below 2^53) |
 * | 16 | 1 | page type (`PageType`) |
 * | 17 | 15 | reserved for the store |
 * @module
 */

/** Bytes taken by the header; the body begins here. */
export const pageHeaderBytes = 32;

/** Offsets of header fields. */
export const pageHeader = {
  checksum: 0,
  pageId: 4,
  lsn: 8,
  type: 16,
} as const;

/** What a page holds. Access methods may keep sub-kinds in their body. */
export const PageType = {
  free: 0,
  meta: 1,
  btreeLeaf: 2,
  btreeInternal: 3,
  overflow: 4,
  heap: 5,
  freeList: 6,
  clog: 7,
  fsm: 8,
} as const;
export type PageType = typeof PageType[keyof typeof PageType];
