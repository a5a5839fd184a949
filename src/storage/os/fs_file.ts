/**
 * The portable implementation of the OS seam on `Deno.FsFile`, used when FFI
 * is not permitted. It never uses O_DIRECT (`direct` is always false), so the
 * OS page cache sits under the buffer pool.
 * @module
 */

import type { DiskFile, FileSystem, OpenOptions } from "./file_system.ts";
import {
  listDirectory,
  makeDirectory,
  pathExists,
  removePath,
  renamePath,
  syncDirectory,
  syncDirectorySync,
} from "./_dirs.ts";
import { ioErrorFor, ioErrorFromDeno } from "./io_errors.ts";

/** A file opened with `Deno.openSync`. */
class FsFile implements DiskFile {
  readonly direct = false;
  #file: Deno.FsFile | undefined;

  constructor(readonly path: string, file: Deno.FsFile) {
    this.#file = file;
  }

  #handle(operation: string): Deno.FsFile {
    if (this.#file === undefined) throw ioErrorFor(`${operation} (file is closed)`, this.path);
    return this.#file;
  }

  readSync(buffer: Uint8Array, offset: number): number {
    const file = this.#handle("read");
    try {
      file.seekSync(offset, Deno.SeekMode.Start);
      let done = 0;
      while (done < buffer.length) {
        const n = file.readSync(done === 0 ? buffer : buffer.subarray(done));
        if (n === null || n === 0) break;
        done += n;
      }
      return done;
    } catch (error) {
      throw ioErrorFromDeno(`read ${buffer.length} bytes at ${offset}`, this.path, error);
    }
  }

  writeSync(buffer: Uint8Array, offset: number): void {
    const file = this.#handle("write");
    try {
      file.seekSync(offset, Deno.SeekMode.Start);
      let done = 0;
      while (done < buffer.length) done += file.writeSync(buffer.subarray(done));
    } catch (error) {
      throw ioErrorFromDeno(`write ${buffer.length} bytes at ${offset}`, this.path, error);
    }
  }

  async sync(): Promise<void> {
    const file = this.#handle("fdatasync");
    try {
      await file.syncData();
    } catch (error) {
      throw ioErrorFromDeno("fdatasync", this.path, error);
    }
  }

  /** Blocking fdatasync for paths that cannot await (buffer-pool eviction). */
  syncSync(): void {
    const file = this.#handle("fdatasync");
    try {
      file.syncDataSync();
    } catch (error) {
      throw ioErrorFromDeno("fdatasync", this.path, error);
    }
  }

  size(): number {
    const file = this.#handle("stat");
    try {
      return file.statSync().size;
    } catch (error) {
      throw ioErrorFromDeno("stat", this.path, error);
    }
  }

  truncateSync(length: number): void {
    const file = this.#handle("truncate");
    try {
      file.truncateSync(length);
    } catch (error) {
      throw ioErrorFromDeno(`truncate to ${length} bytes`, this.path, error);
    }
  }

  close(): void {
    const file = this.#handle("close");
    this.#file = undefined;
    file.close();
  }
}

/** `FileSystem` over `Deno.FsFile`; needs only read/write permissions. */
export class FsFileSystem implements FileSystem {
  open(path: string, options: OpenOptions = {}): DiskFile {
    try {
      const file = Deno.openSync(path, {
        read: true,
        write: true,
        create: options.create ?? false,
      });
      return new FsFile(path, file);
    } catch (error) {
      throw ioErrorFromDeno("open", path, error);
    }
  }

  exists(path: string): boolean {
    return pathExists(path);
  }

  remove(path: string): void {
    removePath(path);
  }

  rename(from: string, to: string): void {
    renamePath(from, to);
  }

  mkdir(path: string): void {
    makeDirectory(path);
  }

  list(path: string): string[] {
    return listDirectory(path);
  }

  syncDir(path: string): Promise<void> {
    return syncDirectory(path);
  }

  /** Blocking directory fsync, for paths that cannot await. */
  syncDirSync(path: string): void {
    syncDirectorySync(path);
  }

  allocAligned(bytes: number): Uint8Array {
    return new Uint8Array(bytes);
  }
}
