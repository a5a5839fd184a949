/**
 * The one OS seam for file I/O. Everything above `storage/os` sees only these
 * interfaces; `libc.ts` implements them through FFI (O_DIRECT, pread, pwrite,
 * fdatasync), `fs_file.ts` on `Deno.FsFile`, and tests swap in a simulated disk.
 *
 * Reads and writes are synchronous (page logic stays free of awaits, so a page
 * operation is atomic with respect to other tasks); only `sync` is async, so
 * group commit can gather committers while one fdatasync runs.
 * @module
 */

/** An open file. Offsets and lengths are bytes. */
export interface DiskFile {
  /** The path it was opened with, for error messages. */
  readonly path: string;
  /** True when opened with O_DIRECT: buffers, offsets and lengths must be 4096-aligned. */
  readonly direct: boolean;
  /** Reads up to `buffer.length` bytes at `offset`; returns bytes read (0 at end of file). @throws {IoError} */
  readSync(buffer: Uint8Array, offset: number): number;
  /** Writes all of `buffer` at `offset`. @throws {IoError} (58030, or 53100 when the disk is full) */
  writeSync(buffer: Uint8Array, offset: number): void;
  /** Makes every completed write durable (fdatasync). @throws {IoError} */
  sync(): Promise<void>;
  /** Current size in bytes. */
  size(): number;
  /** Sets the size in bytes. */
  truncateSync(length: number): void;
  /** Closes the descriptor; further calls throw. */
  close(): void;
}

/** Options for `FileSystem.open`. */
export interface OpenOptions {
  /** Create the file when missing. */
  create?: boolean;
  /** Ask for O_DIRECT; implementations fall back to buffered I/O where refused. */
  direct?: boolean;
}

/** Directory-level operations plus `open`. */
export interface FileSystem {
  open(path: string, options?: OpenOptions): DiskFile;
  exists(path: string): boolean;
  remove(path: string): void;
  rename(from: string, to: string): void;
  /** Creates the directory and its parents. */
  mkdir(path: string): void;
  /** Names (not paths) of the entries of a directory, sorted. */
  list(path: string): string[];
  /** Makes a directory's entries (creates, renames, removes) durable. */
  syncDir(path: string): Promise<void>;
  /** Allocates `bytes` of zeroed memory aligned to 4096 (an mmap'd region under libc). */
  allocAligned(bytes: number): Uint8Array;
}
