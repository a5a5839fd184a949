/**
 * An in-memory `FileSystem` for `open({ memory: true })`: nothing survives the
 * process, syncs are no-ops, and files grow by doubling.
 * @module
 */

import type { DiskFile, FileSystem, OpenOptions } from "./file_system.ts";
import { ioErrorFor } from "./io_errors.ts";

/** The bytes of one in-memory file. */
interface Inode {
  data: Uint8Array;
  size: number;
}

/** Splits a path into parent directory and name. */
export function splitPath(path: string): { parent: string; name: string } {
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return { parent: ".", name: trimmed };
  return { parent: slash === 0 ? "/" : trimmed.slice(0, slash), name: trimmed.slice(slash + 1) };
}

class MemFile implements DiskFile {
  readonly direct = false;
  #open = true;

  constructor(readonly path: string, readonly inode: Inode) {}

  #check(operation: string): Inode {
    if (!this.#open) throw ioErrorFor(`${operation} (file is closed)`, this.path);
    return this.inode;
  }

  readSync(buffer: Uint8Array, offset: number): number {
    const inode = this.#check("read");
    const n = Math.max(0, Math.min(buffer.length, inode.size - offset));
    buffer.set(inode.data.subarray(offset, offset + n));
    return n;
  }

  writeSync(buffer: Uint8Array, offset: number): void {
    const inode = this.#check("write");
    const end = offset + buffer.length;
    if (end > inode.data.length) {
      const grown = new Uint8Array(Math.max(end, inode.data.length * 2, 4096));
      grown.set(inode.data.subarray(0, inode.size));
      inode.data = grown;
    }
    inode.data.set(buffer, offset);
    inode.size = Math.max(inode.size, end);
  }

  sync(): Promise<void> {
    this.#check("fdatasync");
    return Promise.resolve();
  }

  /** Blocking sync: a no-op in memory. */
  syncSync(): void {
    this.#check("fdatasync");
  }

  size(): number {
    return this.#check("stat").size;
  }

  truncateSync(length: number): void {
    const inode = this.#check("truncate");
    if (length > inode.data.length) {
      const grown = new Uint8Array(length);
      grown.set(inode.data.subarray(0, inode.size));
      inode.data = grown;
    } else if (length < inode.size) {
      inode.data.fill(0, length, inode.size);
    }
    inode.size = length;
  }

  close(): void {
    this.#check("close");
    this.#open = false;
  }
}

/** A `FileSystem` held in memory. */
export class MemFileSystem implements FileSystem {
  readonly #files = new Map<string, Inode>();
  readonly #dirs = new Set<string>(["/", "."]);

  open(path: string, options: OpenOptions = {}): DiskFile {
    let inode = this.#files.get(path);
    if (inode === undefined) {
      if (!options.create) throw ioErrorFor("open (no such file)", path);
      if (!this.#dirs.has(splitPath(path).parent)) {
        throw ioErrorFor("open (no such directory)", path);
      }
      inode = { data: new Uint8Array(0), size: 0 };
      this.#files.set(path, inode);
    }
    return new MemFile(path, inode);
  }

  exists(path: string): boolean {
    return this.#files.has(path) || this.#dirs.has(path);
  }

  remove(path: string): void {
    if (!this.#files.delete(path)) throw ioErrorFor("remove (no such file)", path);
  }

  rename(from: string, to: string): void {
    const inode = this.#files.get(from);
    if (inode === undefined) throw ioErrorFor(`rename to ${to} (no such file)`, from);
    this.#files.delete(from);
    this.#files.set(to, inode);
  }

  mkdir(path: string): void {
    let current = path;
    while (!this.#dirs.has(current)) {
      this.#dirs.add(current);
      current = splitPath(current).parent;
    }
  }

  list(path: string): string[] {
    if (!this.#dirs.has(path)) throw ioErrorFor("list (no such directory)", path);
    const names: string[] = [];
    for (const key of [...this.#files.keys(), ...this.#dirs]) {
      const { parent, name } = splitPath(key);
      if (parent === path && key !== path) names.push(name);
    }
    return names.sort();
  }

  syncDir(_path: string): Promise<void> {
    return Promise.resolve();
  }

  /** Blocking directory sync: a no-op in memory. */
  syncDirSync(_path: string): void {}

  allocAligned(bytes: number): Uint8Array {
    return new Uint8Array(bytes);
  }
}
