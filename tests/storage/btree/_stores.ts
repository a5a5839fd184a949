/**
 * The page stores the access-method property tests run on, behind one small
 * interface: the in-memory contract implementation (which also verifies that
 * every changed byte was logged), and the real page store on an in-memory
 * file system, closed and reopened (checkpoint) or abandoned and reopened
 * (crash: recovery replays the WAL) between rounds.
 */
import type { Mtr, PageReader } from "../../../src/storage/mtr.ts";
import { MemFileSystem } from "../../../src/storage/os/mem_file_system.ts";
import { openPageStore, type PageStore } from "../../../src/storage/page_store.ts";
import { pageHeader, PageType } from "../../../src/storage/page.ts";
import { MemPageStore } from "../_mem_pages.ts";

/** What the property tests need from a store. */
export interface TestStore {
  readonly pageSize: number;
  view<T>(fn: (r: PageReader) => T): T;
  update<T>(fn: (m: Mtr) => T): T;
  /** Closes and opens the store again (a no-op in memory). */
  reopen(): Promise<TestStore>;
  /**
   * Makes the WAL durable and opens the files again without closing or
   * checkpointing, as after a crash, so recovery replays the logged changes.
   */
  crash(): Promise<TestStore>;
  /** Pages in use: neither the store's meta page nor free. */
  usedPages(): number;
  close(): Promise<void>;
  /** Buffer pool evictions since this store was opened (0 in memory). */
  evictions(): number;
}

/** Wraps the in-memory store. */
export function memStore(pageSize: number): TestStore {
  const store = new MemPageStore({ pageSize });
  const wrapped: TestStore = {
    pageSize: store.pageSize,
    view: (fn) => store.view(fn),
    update: (fn) => store.update(fn),
    reopen: () => Promise.resolve(wrapped),
    crash: () => Promise.resolve(wrapped),
    usedPages: () => store.pageCount - 1 - store.freeCount,
    close: () => Promise.resolve(),
    evictions: () => 0,
  };
  return wrapped;
}

/** Pages neither meta nor free, found by their type byte (public page header layout). */
function countUsed(store: PageStore): number {
  const pageCount = store.stats().pageCount;
  let free = 0;
  for (let first = 1; first < pageCount; first += 16) {
    // A few pages per view: every page read in a view stays pinned until it ends.
    store.view((r) => {
      for (let id = first; id < Math.min(first + 16, pageCount); id++) {
        if (r.read(id).data[pageHeader.type] === PageType.freeList) free++;
      }
    });
  }
  return pageCount - 1 - free;
}

/** Opens the real page store on an in-memory file system with a small buffer pool. */
export async function realStore(
  pageSize: number,
  bufferPoolBytes = 16 * 1024 * 1024,
): Promise<TestStore> {
  const fs = new MemFileSystem();
  fs.mkdir("/db/wal");
  const options = {
    fs,
    dataDir: "/db",
    walDir: "/db/wal",
    pageSize,
    bufferPoolBytes,
    walSync: "off" as const,
  };
  const wrap = (store: PageStore): TestStore => ({
    pageSize: store.pageSize,
    view: (fn) => store.view(fn),
    update: (fn) => store.update(fn),
    reopen: async () => {
      await store.close();
      return wrap(await openPageStore(options));
    },
    crash: async () => {
      await store.wal.flush(store.wal.endLsn);
      return wrap(await openPageStore(options));
    },
    usedPages: () => countUsed(store),
    close: () => store.close(),
    evictions: () => store.stats().evictions,
  });
  return wrap(await openPageStore(options));
}
