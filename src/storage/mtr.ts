/**
 * Mini-transactions: the unit in which access methods read and change pages.
 *
 * A page operation (a B+tree insert with its splits, a heap insert) runs inside
 * `PageStore.update(fn)`. The callback is synchronous: it must not await, so the
 * operation is atomic with respect to every other task. Each byte range the
 * callback changes is declared with `logRange` (or the whole page with
 * `logPage`); when the callback returns, the store appends one WAL record group
 * for the declared changes, stamps page LSNs and checksums lazily, and marks the
 * pages dirty. If the callback throws, every page it wrote is restored to its
 * before-image and nothing is logged.
 *
 * Pages returned by `read`/`write`/`allocate` stay pinned until the callback
 * returns; do not keep `PageHandle`s after that.
 * @module
 */

/** A pinned page. `data` is the whole page, header included. */
export interface PageHandle {
  readonly id: number;
  readonly data: Uint8Array;
}

/** Read access to pages. */
export interface PageReader {
  /** The page size of this store in bytes. */
  readonly pageSize: number;
  /**
   * Returns the page, reading it from disk if needed.
   * @throws {CorruptError} XX001 when its checksum fails (the message names file and page)
   */
  read(pageId: number): PageHandle;
  /** The page id stored in root slot `slot` (0 when unset). Slots 0..15 exist. */
  root(slot: number): number;
}

/** Write access to pages within one atomic, logged operation. */
export interface Mtr extends PageReader {
  /** Returns the page for modification. Changes must be declared with `logRange`/`logPage`. */
  write(pageId: number): PageHandle;
  /** Allocates a page (reusing a freed one when possible), zeroes its body, sets its type; fully logged. */
  allocate(type: number): PageHandle;
  /** Returns a page to the free list. */
  free(pageId: number): void;
  /** Declares that bytes [offset, offset+length) of `page` changed. */
  logRange(page: PageHandle, offset: number, length: number): void;
  /**
   * Declares that bytes [offset, offset+length) of `page` (from `read` or
   * `write`) are about to change, before changing them: only those bytes are
   * kept for rollback (no copy of the whole page, as `write` makes), and they
   * are logged as `logRange` logs. A page changed only through `patch` needs
   * no `write`; a later `write` of it is fine.
   */
  patch(page: PageHandle, offset: number, length: number): void;
  /** Declares that the whole page body changed. */
  logPage(page: PageHandle): void;
  /** Sets root slot `slot` (0..15) to `pageId`. */
  setRoot(slot: number, pageId: number): void;
  /** Distinct pages changed so far; each stays pinned until the operation returns. */
  readonly changedPages: number;
  /** Frames of the buffer pool: more pages than this cannot be pinned at once. */
  readonly poolFrames: number;
}

/** Well-known root slots. */
export const RootSlot = {
  catalog: 0,
  clog: 1,
  sequences: 2,
} as const;
