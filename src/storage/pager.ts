/**
 * The pager: reads and writes fixed-size pages of the data file
 * `<dataDir>/thunder.db`, stamping a CRC32C on every write and verifying it on
 * every read. It knows which pages were never written (at or beyond the
 * durable page count, as recorded in the meta page last written), and only
 * those may come back as all zeros.
 * @module
 */

import { crc32c } from "../common/crc32c.ts";
import { CorruptError } from "../common/errors.ts";
import type { DiskFile, FileSystem } from "./os/file_system.ts";
import { meta, readU32, writeU32 } from "./_meta.ts";
import { pageHeader } from "./page.ts";

/** Counters for `stats()`. */
export interface PagerStats {
  /** Pages read. */
  pagesRead: number;
  /** Pages written. */
  pagesWritten: number;
}

/** What `readPage` found. */
export type PageRead = "page" | "fresh";

function hex(value: number): string {
  return "0x" + value.toString(16).padStart(8, "0");
}

/** Fixed-size page I/O on one data file. */
export class Pager {
  /** Counters. */
  readonly stats: PagerStats = { pagesRead: 0, pagesWritten: 0 };
  /** Pages below this id have been written (per the meta page on disk); others may be unwritten. */
  durablePageCount = 0;

  /**
   * @param file the open data file
   * @param pageSize bytes per page
   */
  constructor(readonly file: DiskFile, readonly pageSize: number) {}

  /**
   * Opens (creating if asked) the data file, with O_DIRECT where available.
   * @throws {IoError} 58030
   */
  static open(fs: FileSystem, path: string, pageSize: number, create: boolean): Pager {
    return new Pager(fs.open(path, { create, direct: true }), pageSize);
  }

  /** The data file's path. */
  get path(): string {
    return this.file.path;
  }

  /**
   * Reads page `pageId` into `buffer` and verifies it.
   * @returns "fresh" (buffer zeroed) for a page never written, else "page"
   * @throws {CorruptError} XX001 on a checksum mismatch, a wrong page id, or a short read
   * @throws {IoError} 58030
   */
  readPage(pageId: number, buffer: Uint8Array): PageRead {
    const n = this.file.readSync(buffer, pageId * this.pageSize);
    this.stats.pagesRead++;
    const mayBeUnwritten = pageId >= this.durablePageCount;
    if (n === 0 && mayBeUnwritten) {
      buffer.fill(0);
      return "fresh";
    }
    if (n < this.pageSize) {
      throw new CorruptError(
        `Page ${pageId} of ${this.path} is short: read ${n} of ${this.pageSize} bytes`,
      );
    }
    const stored = readU32(buffer, pageHeader.checksum);
    const computed = crc32c(buffer, 4, this.pageSize);
    if (stored !== computed) {
      if (mayBeUnwritten && stored === 0 && isZero(buffer)) return "fresh";
      throw new CorruptError(
        `Page ${pageId} of ${this.path} failed its checksum (stored ${hex(stored)}, computed ${
          hex(computed)
        })`,
      );
    }
    const id = readU32(buffer, pageHeader.pageId);
    if (id !== pageId) {
      throw new CorruptError(`Page ${pageId} of ${this.path} holds page id ${id}`);
    }
    return "page";
  }

  /**
   * Stamps the page id and checksum into `buffer` and writes it.
   * @throws {IoError} 58030, or 53100 when the disk is full
   */
  writePage(pageId: number, buffer: Uint8Array): void {
    writeU32(buffer, pageHeader.pageId, pageId);
    writeU32(buffer, pageHeader.checksum, crc32c(buffer, 4, this.pageSize));
    this.file.writeSync(buffer, pageId * this.pageSize);
    this.stats.pagesWritten++;
    if (pageId === 0) {
      this.durablePageCount = Math.max(this.durablePageCount, readU32(buffer, meta.pageCount));
    }
  }

  /** Makes written pages durable. */
  sync(): Promise<void> {
    return this.file.sync();
  }

  /** Closes the file. */
  close(): void {
    this.file.close();
  }
}

function isZero(buffer: Uint8Array): boolean {
  for (let i = 0; i < buffer.length; i++) if (buffer[i] !== 0) return false;
  return true;
}
