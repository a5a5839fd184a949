/**
 * The libc implementation of the OS seam, through Deno FFI: `open` (with
 * O_DIRECT when asked), `pread`/`pwrite` into 4096-aligned buffers,
 * `fdatasync` run off the main thread (so group commit can gather committers
 * while one sync is in flight), `ftruncate`, `lseek` for the size, and
 * anonymous `mmap` for aligned memory. Every call checks its result and errno.
 * @module
 */

import { directIoAlignBytes } from "../../common/limits.ts";
import { log } from "../../common/log.ts";
import type { DiskFile, FileSystem, OpenOptions } from "./file_system.ts";
import { listDirectory, makeDirectory, pathExists, removePath, renamePath } from "./_dirs.ts";
import { Errno, ioErrorFor } from "./io_errors.ts";

const O_RDONLY = 0;
const O_RDWR = 2;
const O_CREAT = 0x40;
const O_DIRECT = 0x4000;
const O_DIRECTORY = 0x10000;
const O_CLOEXEC = 0x80000;
const SEEK_END = 2;
const PROT_READ_WRITE = 0x3;
const MAP_PRIVATE_ANONYMOUS = 0x22;

const symbols = {
  open: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  pread: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  pwrite: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  fdatasync: { parameters: ["i32"], result: "i32", nonblocking: true },
  fdatasync_blocking: { name: "fdatasync", parameters: ["i32"], result: "i32" },
  fsync: { parameters: ["i32"], result: "i32", nonblocking: true },
  fsync_blocking: { name: "fsync", parameters: ["i32"], result: "i32" },
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  close: { parameters: ["i32"], result: "i32" },
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
  munmap: { parameters: ["pointer", "usize"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

type Libc = Deno.DynamicLibrary<typeof symbols>["symbols"];

let library: Deno.DynamicLibrary<typeof symbols> | undefined;
let loggedDirectFallback = false;

/** True once this process has logged that a file system refused O_DIRECT (it logs once). */
export function directFallbackLogged(): boolean {
  return loggedDirectFallback;
}

function libc(): Libc {
  library ??= Deno.dlopen("libc.so.6", symbols);
  return library.symbols;
}

function errno(): number {
  const location = libc().__errno_location();
  return location === null ? -1 : new Deno.UnsafePointerView(location).getInt32();
}

const encoder = new TextEncoder();
function cString(path: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(path + "\0");
}

function isAligned(buffer: Uint8Array): boolean {
  if (buffer.length === 0) return true;
  const address = Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer));
  return Number(BigInt(address) % BigInt(directIoAlignBytes)) === 0;
}

/** Options of `LibcFileSystem`, mainly for tests. */
export interface LibcOptions {
  /** Use O_DIRECT when `open` asks for it. Default true. */
  preferDirect?: boolean;
  /** Test hook: pretend the file system refuses O_DIRECT (as older tmpfs does with EINVAL). */
  refuseDirect?: boolean;
}

/** A file opened through libc. */
class LibcFile implements DiskFile {
  #fd: number;
  #bounce: Uint8Array<ArrayBuffer> | undefined;

  constructor(readonly path: string, fd: number, readonly direct: boolean) {
    this.#fd = fd;
  }

  #descriptor(operation: string): number {
    if (this.#fd < 0) throw ioErrorFor(`${operation} (file is closed)`, this.path);
    return this.#fd;
  }

  #bounceBuffer(length: number): Uint8Array<ArrayBuffer> {
    if (this.#bounce === undefined || this.#bounce.length < length) {
      this.#bounce = mapAligned(length, this.path) as Uint8Array<ArrayBuffer>;
    }
    return this.#bounce.subarray(0, length);
  }

  readSync(buffer: Uint8Array, offset: number): number {
    const fd = this.#descriptor("read");
    const target = this.direct && !isAligned(buffer) ? this.#bounceBuffer(buffer.length) : buffer;
    let done = 0;
    while (done < target.length) {
      const chunk = done === 0 ? target : target.subarray(done);
      const n = Number(
        libc().pread(
          fd,
          chunk as Uint8Array<ArrayBuffer>,
          BigInt(chunk.length),
          BigInt(offset + done),
        ),
      );
      if (n < 0) {
        const code = errno();
        if (code === Errno.EINTR) continue;
        throw ioErrorFor(`pread ${target.length} bytes at ${offset}`, this.path, code);
      }
      if (n === 0) break;
      done += n;
    }
    if (target !== buffer) buffer.set(target.subarray(0, done));
    return done;
  }

  writeSync(buffer: Uint8Array, offset: number): void {
    const fd = this.#descriptor("write");
    let source = buffer;
    if (this.direct && !isAligned(buffer)) {
      source = this.#bounceBuffer(buffer.length);
      source.set(buffer);
    }
    let done = 0;
    while (done < source.length) {
      const chunk = done === 0 ? source : source.subarray(done);
      const n = Number(
        libc().pwrite(
          fd,
          chunk as Uint8Array<ArrayBuffer>,
          BigInt(chunk.length),
          BigInt(offset + done),
        ),
      );
      if (n < 0) {
        const code = errno();
        if (code === Errno.EINTR) continue;
        throw ioErrorFor(`pwrite ${source.length} bytes at ${offset}`, this.path, code);
      }
      done += n;
    }
  }

  async sync(): Promise<void> {
    const fd = this.#descriptor("fdatasync");
    // errno lives on the worker thread that ran the call, so only the result is known here.
    const result = await libc().fdatasync(fd);
    if (result !== 0) throw ioErrorFor("fdatasync", this.path);
  }

  /** Blocking fdatasync for paths that cannot await (buffer-pool eviction). */
  syncSync(): void {
    const fd = this.#descriptor("fdatasync");
    if (libc().fdatasync_blocking(fd) !== 0) throw ioErrorFor("fdatasync", this.path, errno());
  }

  size(): number {
    const fd = this.#descriptor("lseek");
    const end = Number(libc().lseek(fd, 0n, SEEK_END));
    if (end < 0) throw ioErrorFor("lseek to end", this.path, errno());
    return end;
  }

  truncateSync(length: number): void {
    const fd = this.#descriptor("ftruncate");
    if (libc().ftruncate(fd, BigInt(length)) !== 0) {
      throw ioErrorFor(`ftruncate to ${length} bytes`, this.path, errno());
    }
  }

  close(): void {
    const fd = this.#descriptor("close");
    this.#fd = -1;
    if (libc().close(fd) !== 0) throw ioErrorFor("close", this.path, errno());
  }
}

const unmapper = new FinalizationRegistry<{ address: bigint; bytes: number }>((held) => {
  const pointer = Deno.UnsafePointer.create(held.address);
  if (pointer !== null) libc().munmap(pointer, BigInt(held.bytes));
});

function mapAligned(bytes: number, what: string): Uint8Array {
  const length = Math.max(
    directIoAlignBytes,
    Math.ceil(bytes / directIoAlignBytes) * directIoAlignBytes,
  );
  const pointer = libc().mmap(null, BigInt(length), PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0n);
  const address = pointer === null ? -1n : BigInt(Deno.UnsafePointer.value(pointer));
  if (pointer === null || address === 0xffffffffffffffffn || address === -1n) {
    throw ioErrorFor(`mmap ${length} bytes`, what, errno());
  }
  const memory = Deno.UnsafePointerView.getArrayBuffer(pointer, length);
  unmapper.register(memory, { address, bytes: length });
  return new Uint8Array(memory, 0, bytes);
}

/** `FileSystem` over libc. Requires `--allow-ffi` (and `--unstable-ffi`). */
export class LibcFileSystem implements FileSystem {
  readonly #preferDirect: boolean;
  readonly #refuseDirect: boolean;

  constructor(options: LibcOptions = {}) {
    this.#preferDirect = options.preferDirect ?? true;
    this.#refuseDirect = options.refuseDirect ?? false;
    libc();
  }

  open(path: string, options: OpenOptions = {}): DiskFile {
    const flags = O_RDWR | O_CLOEXEC | (options.create ? O_CREAT : 0);
    const name = cString(path);
    if (options.direct && this.#preferDirect) {
      const fd = this.#refuseDirect ? -1 : libc().open(name, flags | O_DIRECT, 0o644);
      if (fd >= 0) return new LibcFile(path, fd, true);
      const code = this.#refuseDirect ? Errno.EINVAL : errno();
      if (code !== Errno.EINVAL) throw ioErrorFor("open (O_DIRECT)", path, code);
      if (!loggedDirectFallback) {
        loggedDirectFallback = true;
        log.info("O_DIRECT refused by the file system; using buffered I/O", { path });
      }
    }
    const fd = libc().open(name, flags, 0o644);
    if (fd < 0) throw ioErrorFor("open", path, errno());
    return new LibcFile(path, fd, false);
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

  async syncDir(path: string): Promise<void> {
    const fd = libc().open(cString(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0) throw ioErrorFor("open directory", path, errno());
    try {
      if ((await libc().fsync(fd)) !== 0) throw ioErrorFor("fsync directory", path);
    } finally {
      libc().close(fd);
    }
  }

  /** Blocking directory fsync, for paths that cannot await. */
  syncDirSync(path: string): void {
    const fd = libc().open(cString(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0) throw ioErrorFor("open directory", path, errno());
    try {
      if (libc().fsync_blocking(fd) !== 0) throw ioErrorFor("fsync directory", path, errno());
    } finally {
      libc().close(fd);
    }
  }

  allocAligned(bytes: number): Uint8Array {
    return mapAligned(bytes, "anonymous memory");
  }
}
