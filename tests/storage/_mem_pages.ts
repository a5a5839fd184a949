/**
 * An in-memory implementation of the page-access contract (`Mtr`,
 * `PageReader`) for access-method tests. With `checkLogging` on (the default)
 * every `update` compares each page it touched with its before-image and
 * fails on any changed byte that was not declared with `logRange`/`logPage`,
 * which catches missing WAL records. A failed update rolls back.
 * @module
 */

import { AssertionError, IoError } from "../../src/common/errors.ts";
import type { Mtr, PageHandle, PageReader } from "../../src/storage/mtr.ts";
import { pageHeader, pageHeaderBytes, PageType } from "../../src/storage/page.ts";

interface Touched {
  readonly before: Uint8Array;
  /** Bytes declared changed (allocated on the first declaration). */
  declared: Uint8Array | undefined;
  /** Obtained through write() or allocate(), not only read(). */
  writable: boolean;
}

/** Options of `MemPageStore`. */
export interface MemPageStoreOptions {
  readonly pageSize?: number;
  /** Verify that every changed byte was declared (slower). Default true. */
  readonly checkLogging?: boolean;
}

/** Pages in memory; page 0 is reserved as the store's meta page. */
export class MemPageStore {
  readonly pageSize: number;
  readonly checkLogging: boolean;
  #pages: Uint8Array[] = [];
  #free: number[] = [];
  #isFree: boolean[] = [];
  #roots = new Array<number>(16).fill(0);
  #inUpdate = false;
  /** Page ids whose free flag flipped during the current update (for rollback). */
  #freeJournal: number[] = [];
  /** When set, the allocation that brings this to 0 throws (fault injection). */
  allocationsUntilFailure: number | undefined;
  /** Bytes declared through logRange/logPage, summed over all updates. */
  loggedBytes = 0;

  constructor(options: MemPageStoreOptions = {}) {
    this.pageSize = options.pageSize ?? 4096;
    this.checkLogging = options.checkLogging ?? true;
    const meta = new Uint8Array(this.pageSize);
    meta[pageHeader.type] = PageType.meta;
    this.#pages.push(meta);
    this.#isFree.push(false);
  }

  /** Pages ever allocated (the file size in pages), meta page included. */
  get pageCount(): number {
    return this.#pages.length;
  }

  /** Pages currently on the free list. */
  get freeCount(): number {
    return this.#free.length;
  }

  /** Runs a read-only callback. */
  view<T>(fn: (r: PageReader) => T): T {
    return fn(this.#reader());
  }

  /** Runs a synchronous, atomic page operation. */
  update<T>(fn: (m: Mtr) => T): T {
    if (this.#inUpdate) throw new AssertionError("Nested update");
    this.#inUpdate = true;
    const touched = new Map<number, Touched>();
    const pageCount = this.#pages.length;
    const free = this.#free.slice();
    const freedOrReused: number[] = [];
    this.#freeJournal = freedOrReused;
    const roots = this.#roots.slice();
    const logged = this.loggedBytes;
    try {
      const result = fn(this.#mtr(touched));
      if (this.checkLogging) this.#verify(touched);
      return result;
    } catch (e) {
      for (const [id, t] of touched) this.#pages[id]?.set(t.before);
      this.#pages.length = pageCount;
      this.#free = free;
      this.#isFree.length = pageCount;
      for (const id of freedOrReused) if (id < pageCount) this.#isFree[id] = !this.#isFree[id];
      this.#roots = roots;
      this.loggedBytes = logged;
      throw e;
    } finally {
      this.#inUpdate = false;
    }
  }

  #page(id: number): Uint8Array {
    const data = this.#pages[id];
    if (data === undefined || id === 0) throw new AssertionError(`Read of missing page ${id}`);
    if (this.#isFree[id]) throw new AssertionError(`Read of free page ${id}`);
    return data;
  }

  #reader(): PageReader {
    return {
      pageSize: this.pageSize,
      read: (id) => ({ id, data: this.#page(id) }),
      root: (slot) => this.#roots[slot] ?? 0,
    };
  }

  #touch(
    touched: Map<number, Touched>,
    id: number,
    data: Uint8Array,
    writable: boolean,
  ): Touched | undefined {
    if (!this.checkLogging) return undefined;
    let t = touched.get(id);
    if (t === undefined) {
      t = { before: data.slice(), declared: undefined, writable };
      touched.set(id, t);
    }
    if (writable) t.writable = true;
    return t;
  }

  #mtr(touched: Map<number, Touched>): Mtr {
    const handle = (id: number, writable: boolean): PageHandle => {
      const data = this.#page(id);
      this.#touch(touched, id, data, writable);
      return { id, data };
    };
    const mtr: Mtr = {
      pageSize: this.pageSize,
      root: (slot) => this.#roots[slot] ?? 0,
      read: (id) => handle(id, false),
      write: (id) => handle(id, true),
      allocate: (type) => this.#allocate(touched, type),
      free: (id) => {
        this.#page(id);
        this.#isFree[id] = true;
        this.#freeJournal.push(id);
        this.#free.push(id);
      },
      // A patched page counts as written; its range is declared like logRange's.
      patch: (page, offset, length) => {
        this.#touch(touched, page.id, this.#page(page.id), true);
        mtr.logRange(page, offset, length);
      },
      logRange: (page, offset, length) => {
        if (offset < pageHeader.type || length < 0 || offset + length > this.pageSize) {
          throw new AssertionError(`logRange(${offset}, ${length}) outside page ${page.id}`);
        }
        const t = touched.get(page.id);
        if (t !== undefined && !t.writable) {
          throw new AssertionError(`logRange on page ${page.id} not obtained with write()`);
        }
        this.loggedBytes += length;
        if (t !== undefined) declaredOf(t, this.pageSize).fill(1, offset, offset + length);
      },
      logPage: (page) => {
        this.loggedBytes += this.pageSize - pageHeaderBytes;
        const t = touched.get(page.id);
        if (t !== undefined) declaredOf(t, this.pageSize).fill(1, pageHeaderBytes);
      },
      setRoot: (slot, pageId) => {
        this.#roots[slot] = pageId;
      },
      // Memory pages are never evicted, so nothing limits how many one operation holds.
      changedPages: 0,
      poolFrames: 1 << 30,
    };
    return mtr;
  }

  #allocate(touched: Map<number, Touched>, type: number): PageHandle {
    if (this.allocationsUntilFailure !== undefined && --this.allocationsUntilFailure <= 0) {
      this.allocationsUntilFailure = undefined;
      throw new IoError("Injected allocation failure");
    }
    let id = this.#free.pop();
    let data: Uint8Array;
    if (id === undefined) {
      id = this.#pages.length;
      data = new Uint8Array(this.pageSize);
      this.#pages.push(data);
      this.#isFree.push(false);
    } else {
      data = this.#pages[id]!;
      this.#isFree[id] = false;
      this.#freeJournal.push(id);
    }
    const t = this.#touch(touched, id, data, true);
    data.fill(0);
    new DataView(data.buffer, data.byteOffset).setUint32(pageHeader.pageId, id, true);
    data[pageHeader.type] = type;
    if (t !== undefined) declaredOf(t, this.pageSize).fill(1);
    this.loggedBytes += this.pageSize - pageHeaderBytes;
    return { id, data };
  }

  #verify(touched: Map<number, Touched>): void {
    for (const [id, t] of touched) {
      if (this.#isFree[id]) continue;
      const data = this.#pages[id]!;
      if (sameWords(data, t.before)) continue;
      for (let i = 0; i < this.pageSize; i++) {
        if (data[i] === t.before[i]) continue;
        if (!t.writable) throw new AssertionError(`Page ${id} changed without write()`);
        if (t.declared === undefined || t.declared[i] === 0) {
          throw new AssertionError(`Page ${id} byte ${i} changed without being logged`);
        }
      }
    }
  }
}

/** Fast equality of two page buffers (each its own ArrayBuffer, page sizes are multiples of 4). */
function sameWords(a: Uint8Array, b: Uint8Array): boolean {
  const x = new Int32Array(a.buffer, a.byteOffset, a.length >>> 2);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length >>> 2);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function declaredOf(t: Touched, pageSize: number): Uint8Array {
  t.declared ??= new Uint8Array(pageSize);
  return t.declared;
}
