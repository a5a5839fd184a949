/**
 * The OS seam: the only place ThunderDB touches files. Pick a `FileSystem`
 * with `openFileSystem`; everything above sees only the `FileSystem` and
 * `DiskFile` interfaces.
 * @module
 */

import type { DiskFile, FileSystem } from "./file_system.ts";
import { FsFileSystem } from "./fs_file.ts";
import { LibcFileSystem } from "./libc.ts";

export type { DiskFile, FileSystem, OpenOptions } from "./file_system.ts";
export { FsFileSystem } from "./fs_file.ts";
export { LibcFileSystem } from "./libc.ts";
export { MemFileSystem } from "./mem_file_system.ts";
export { DiskFullError, ioErrorFor } from "./io_errors.ts";

/** Options of `openFileSystem`. */
export interface FileSystemOptions {
  /** Use O_DIRECT for files opened with `direct: true` where the file system allows it. */
  preferDirect: boolean;
}

/**
 * Returns the libc file system when FFI is permitted, else the `Deno.FsFile`
 * fallback.
 * @example
 * const fs = openFileSystem({ preferDirect: true });
 */
export function openFileSystem(options: FileSystemOptions): FileSystem {
  if (ffiPermitted()) return new LibcFileSystem({ preferDirect: options.preferDirect });
  return new FsFileSystem();
}

function ffiPermitted(): boolean {
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return false;
  // Without --unstable-ffi the FFI namespace is absent even when permitted.
  return typeof Deno.dlopen === "function";
}

/** A file that can also fdatasync without yielding (all our implementations). */
export interface BlockingSyncFile extends DiskFile {
  /** fdatasync that blocks the thread; for paths that cannot await. */
  syncSync(): void;
}

/** A file system that can also fsync a directory without yielding. */
export interface BlockingSyncFileSystem extends FileSystem {
  /** Directory fsync that blocks the thread; for paths that cannot await. */
  syncDirSync(path: string): void;
}

/** True when `fs` offers a blocking `syncDirSync`. */
export function hasBlockingDirSync(fs: FileSystem): fs is BlockingSyncFileSystem {
  return typeof (fs as Partial<BlockingSyncFileSystem>).syncDirSync === "function";
}

/** True when `file` offers a blocking `syncSync`. */
export function hasBlockingSync(file: DiskFile): file is BlockingSyncFile {
  return typeof (file as Partial<BlockingSyncFile>).syncSync === "function";
}
