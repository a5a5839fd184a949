/**
 * The commit log ("clog"): two status bits per transaction id, kept in pages
 * reached from root slot `RootSlot.clog`, plus the persisted xid high-water
 * mark. Every change goes through `store.update`, so it is WAL-logged and
 * recovered by the page store's redo. An in-memory mirror answers status
 * lookups without touching pages.
 *
 * Directory pages (type `clog`, the first one in the root slot), body layout:
 * | 32 | 4 | magic "CLOG" (first page only) |
 * | 36 | 4 | next directory page (0 = none) |
 * | 40 | 4 | entries in this page |
 * | 44 | 8 | xid high-water mark (first page only; float64) |
 * | 52 | 4 each | status page ids, in xid order |
 *
 * Status pages hold `(pageSize - 32) * 4` xids each, 2 bits per xid.
 *
 * Xids are allocated from a range reserved in the directory (`xidBatch` at a
 * time), so an xid never repeats after a crash: the reservation record
 * precedes in the WAL every record that uses its xids. An xid below the
 * high-water mark found at startup whose status is still "in progress"
 * belonged to a transaction cut off by the crash and counts as aborted.
 * @module
 */

import { CorruptError } from "../common/errors.ts";
import type { Mtr, PageHandle, PageReader } from "../storage/mtr.ts";
import { RootSlot } from "../storage/mtr.ts";
import { pageHeaderBytes, PageType } from "../storage/page.ts";

/** Status of a transaction id as stored in the clog. */
export const XidStatus = { inProgress: 0, committed: 1, aborted: 2 } as const;
/** Status of a transaction id as stored in the clog. */
export type XidStatus = typeof XidStatus[keyof typeof XidStatus];

/** The first xid handed to a transaction; 1 is the always-committed bootstrap xid. */
export const firstNormalXid = 2;
/** Xid that is always committed (rows created by bootstrap, frozen rows). */
export const bootstrapXid = 1;
/** Xids reserved per high-water-mark update. */
const xidBatch = 4096;
const magic = 0x474f4c43;
const offMagic = pageHeaderBytes;
const offNext = pageHeaderBytes + 4;
const offCount = pageHeaderBytes + 8;
const offHighWater = pageHeaderBytes + 12;
const offEntries = pageHeaderBytes + 20;

/** Minimal store surface the clog needs (satisfied by the page store). */
export interface ClogStore {
  /** Runs a read-only page operation. */
  view<T>(fn: (r: PageReader) => T): T;
  /** Runs a logged, atomic page operation. */
  update<T>(fn: (m: Mtr) => T): T;
}

/** Options of `Clog.open`. */
export interface ClogOptions {
  /** Bytes per page of the store. */
  readonly pageSize: number;
  /**
   * True for a private in-memory store that is never reopened (its WAL is
   * discarded): final statuses are then kept in the mirror only, so a commit
   * writes no page. Xid reservations are still stored. Default false.
   */
  readonly volatile?: boolean;
}

/** Persistent transaction status with an in-memory mirror. */
export class Clog {
  /** 2 bits per xid, same packing as the pages. */
  #status = new Uint8Array(1 << 16);
  /** Status page ids in xid order. */
  #pages: number[] = [];
  /** Directory page ids in chain order. */
  #dirs: number[] = [];
  #highWater = firstNormalXid;
  #next = firstNormalXid;
  /** Xids below this were assigned before the last restart. */
  readonly recoveredBelow: number;
  readonly #xidsPerPage: number;

  /** True when final statuses live only in the mirror (see `ClogOptions.volatile`). */
  readonly #volatile: boolean;

  private constructor(readonly store: ClogStore, pageSize: number, volatile: boolean) {
    this.#xidsPerPage = (pageSize - pageHeaderBytes) * 4;
    this.#volatile = volatile;
    this.recoveredBelow = store.view((r) => this.#load(r));
    this.#next = this.#highWater;
  }

  /**
   * Opens the clog of a store, creating it on first use.
   * @throws {CorruptError} XX001 when the directory is malformed
   */
  static open(store: ClogStore, options: ClogOptions): Clog {
    const pageSize = options.pageSize;
    const exists = store.view((r) => r.root(RootSlot.clog) !== 0);
    if (!exists) {
      store.update((m) => {
        const page = m.allocate(PageType.clog);
        setU32(page.data, offMagic, magic);
        new DataView(page.data.buffer, page.data.byteOffset).setFloat64(
          offHighWater,
          firstNormalXid,
          true,
        );
        m.logRange(page, offMagic, offEntries - offMagic);
        m.setRoot(RootSlot.clog, page.id);
      });
    }
    return new Clog(store, pageSize, options.volatile ?? false);
  }

  /** The next xid to be handed out (xids at or above it do not exist yet). */
  get nextXid(): number {
    return this.#next;
  }

  /**
   * Hands out a new xid, reserving a further range in the pages when needed.
   * @returns the xid
   */
  allocate(): number {
    if (this.#next >= this.#highWater) this.#reserve();
    return this.#next++;
  }

  /**
   * The stored status; "in progress" xids from before the last restart read as aborted.
   * Allocation-free: used on every visibility check.
   */
  status(xid: number): XidStatus {
    if (xid === bootstrapXid) return XidStatus.committed;
    const s = ((this.#status[xid >> 2] ?? 0) >> ((xid & 3) << 1)) & 3;
    if (s === 0 && xid < this.recoveredBelow) return XidStatus.aborted;
    return s as XidStatus;
  }

  /**
   * Records the final status of several xids in one atomic, logged page operation.
   * The in-memory mirror is updated separately with `publish`, so the caller
   * decides when others may observe the outcome (after the commit is durable).
   * A volatile clog (see `ClogOptions`) writes nothing here.
   */
  record(xids: readonly number[], status: XidStatus): void {
    // Nothing will ever read the pages back: statuses are read from the mirror.
    if (this.#volatile) return;
    this.store.update((m) => {
      for (const xid of xids) this.#writeStatus(m, xid, status);
    });
  }

  /** Makes the status of `xids` visible to `status()` lookups. */
  publish(xids: readonly number[], status: XidStatus): void {
    for (const xid of xids) {
      const i = xid >> 2;
      if (i >= this.#status.length) this.#grow(i);
      const shift = (xid & 3) << 1;
      this.#status[i] = (this.#status[i]! & ~(3 << shift)) | (status << shift);
    }
  }

  #grow(index: number): void {
    let size = this.#status.length * 2;
    while (size <= index) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#status);
    this.#status = next;
  }

  #writeStatus(m: Mtr, xid: number, status: XidStatus): void {
    const pageNo = Math.floor(xid / this.#xidsPerPage);
    const pageId = this.#pages[pageNo];
    if (pageId === undefined) throw new CorruptError(`Clog has no page for xid ${xid}`);
    const within = xid - pageNo * this.#xidsPerPage;
    const off = pageHeaderBytes + (within >> 2);
    // One byte changes: `patch` keeps it for rollback instead of the whole page.
    const page = m.read(pageId);
    m.patch(page, off, 1);
    const shift = (within & 3) << 1;
    page.data[off] = (page.data[off]! & ~(3 << shift)) | (status << shift);
  }

  #reserve(): void {
    const high = this.#highWater + xidBatch;
    const neededPages = Math.ceil(high / this.#xidsPerPage);
    const pages = this.#pages.slice();
    const dirs = this.#dirs.slice();
    this.store.update((m) => {
      while (pages.length < neededPages) this.#addStatusPage(m, pages, dirs);
      const first = m.write(dirs[0]!);
      new DataView(first.data.buffer, first.data.byteOffset).setFloat64(offHighWater, high, true);
      m.logRange(first, offHighWater, 8);
    });
    this.#pages = pages;
    this.#dirs = dirs;
    this.#highWater = high;
  }

  #addStatusPage(m: Mtr, pages: number[], dirs: number[]): void {
    const perDir = (m.pageSize - offEntries) >> 2;
    const status = m.allocate(PageType.clog);
    if (pages.length >= dirs.length * perDir) {
      const dir = m.allocate(PageType.clog);
      const last = m.write(dirs[dirs.length - 1]!);
      setU32(last.data, offNext, dir.id);
      m.logRange(last, offNext, 4);
      dirs.push(dir.id);
    }
    const dir = m.write(dirs[dirs.length - 1]!);
    const n = pages.length - (dirs.length - 1) * perDir;
    setU32(dir.data, offEntries + n * 4, status.id);
    setU32(dir.data, offCount, n + 1);
    m.logRange(dir, offCount, 4);
    m.logRange(dir, offEntries + n * 4, 4);
    pages.push(status.id);
  }

  #load(r: PageReader): number {
    const root = r.root(RootSlot.clog);
    const first = r.read(root);
    if (u32(first, offMagic) !== magic) {
      throw new CorruptError(`Clog directory page ${root} has a bad magic number`);
    }
    const high = new DataView(first.data.buffer, first.data.byteOffset).getFloat64(
      offHighWater,
      true,
    );
    if (!Number.isSafeInteger(high) || high < firstNormalXid) {
      throw new CorruptError(`Clog high-water mark ${high} is invalid`);
    }
    this.#highWater = high;
    const perDir = (r.pageSize - offEntries) >> 2;
    for (let id = root; id !== 0;) {
      if (this.#dirs.length > 1 << 20) {
        throw new CorruptError(`Clog directory chain loops at page ${id}`);
      }
      const dir = r.read(id);
      const n = u32(dir, offCount);
      if (n > perDir) throw new CorruptError(`Clog directory page ${id} claims ${n} entries`);
      this.#dirs.push(id);
      for (let i = 0; i < n; i++) this.#pages.push(u32(dir, offEntries + i * 4));
      id = u32(dir, offNext);
    }
    const bytesPerPage = r.pageSize - pageHeaderBytes;
    this.#grow(this.#pages.length * bytesPerPage);
    for (let p = 0; p < this.#pages.length; p++) {
      const data = r.read(this.#pages[p]!).data;
      this.#status.set(data.subarray(pageHeaderBytes), p * bytesPerPage);
    }
    return high;
  }
}

function u32(page: PageHandle, off: number): number {
  const d = page.data;
  return (d[off]! | (d[off + 1]! << 8) | (d[off + 2]! << 16) | (d[off + 3]! << 24)) >>> 0;
}

function setU32(d: Uint8Array, off: number, v: number): void {
  d[off] = v & 0xff;
  d[off + 1] = (v >>> 8) & 0xff;
  d[off + 2] = (v >>> 16) & 0xff;
  d[off + 3] = v >>> 24;
}
