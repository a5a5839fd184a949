/**
 * `SimFileSystem`: a `FileSystem` in memory that models what a crash does to a
 * real disk. Writes land in a volatile state; `sync` makes a file's writes
 * durable and `syncDir` its directory's entries. `crash()` rebuilds the disk
 * from the durable state plus a random subset of the unsynced writes (the OS
 * may have written some back), tearing the last surviving one at a sector
 * boundary, and a random prefix of the unsynced directory operations. Faults
 * can be injected: failed writes, a full disk, failed syncs, bit flips.
 * All randomness comes from one seed.
 * @module
 */

import { IoError } from "../../src/common/errors.ts";
import type { DiskFile, FileSystem, OpenOptions } from "../../src/storage/os/file_system.ts";
import { DiskFullError } from "../../src/storage/os/io_errors.ts";
import { splitPath } from "../../src/storage/os/mem_file_system.ts";
import { Prng } from "./prng.ts";

/** Options of `SimFileSystem`. */
export interface SimDiskOptions {
  readonly seed: number;
  /** Unit of a torn write. Default 4096. */
  readonly sectorBytes?: number;
  /** Chance that an unsynced write survives a crash. Default 0.5. */
  readonly keepUnsyncedChance?: number;
  /** Chance that the last surviving unsynced write of a file is torn. Default 0.5. */
  readonly tearChance?: number;
}

type Pending =
  | { readonly kind: "write"; readonly offset: number; readonly bytes: Uint8Array }
  | { readonly kind: "truncate"; readonly length: number };

class Inode {
  data = new Uint8Array(0);
  size = 0;
  durable = new Uint8Array(0);
  durableSize = 0;
  pending: Pending[] = [];
}

type DirOp =
  | { readonly kind: "link"; readonly path: string; readonly inode: Inode }
  | { readonly kind: "unlink"; readonly path: string };

function grow(bytes: Uint8Array, size: number): Uint8Array {
  if (size <= bytes.length) return bytes;
  const next = new Uint8Array(Math.max(size, bytes.length * 2, 4096));
  next.set(bytes);
  return next;
}

function applyWrite(
  inode: { data: Uint8Array; size: number },
  offset: number,
  bytes: Uint8Array,
): void {
  inode.data = grow(inode.data, offset + bytes.length);
  inode.data.set(bytes, offset);
  inode.size = Math.max(inode.size, offset + bytes.length);
}

function applyTruncate(inode: { data: Uint8Array; size: number }, length: number): void {
  inode.data = grow(inode.data, length);
  if (length < inode.size) inode.data.fill(0, length, inode.size);
  inode.size = length;
}

/** Counters of what the simulated disk did. */
export interface SimDiskStats {
  syncs: number;
  writes: number;
  crashes: number;
  tornWrites: number;
}

/** The simulated disk. */
export class SimFileSystem implements FileSystem {
  readonly prng: Prng;
  readonly stats: SimDiskStats = { syncs: 0, writes: 0, crashes: 0, tornWrites: 0 };
  readonly #sectorBytes: number;
  readonly #keepChance: number;
  readonly #tearChance: number;
  #entries = new Map<string, Inode>();
  #durableEntries = new Map<string, Inode>();
  #dirOps: DirOp[] = [];
  #dirs = new Set<string>(["/", "."]);
  /** Bumped by `crash`; handles from an earlier epoch are dead. */
  epoch = 0;
  /** Writes left before one fails with EIO (-1: never). */
  failWriteAfter = -1;
  /** Bytes that may still be written before the disk is full (-1: unlimited). */
  freeBytes = -1;
  /** Syncs left before one fails (-1: never). */
  failSyncAfter = -1;

  constructor(options: SimDiskOptions) {
    this.prng = new Prng(options.seed);
    this.#sectorBytes = options.sectorBytes ?? 4096;
    this.#keepChance = options.keepUnsyncedChance ?? 0.5;
    this.#tearChance = options.tearChance ?? 0.5;
  }

  open(path: string, options: OpenOptions = {}): DiskFile {
    let inode = this.#entries.get(path);
    if (inode === undefined) {
      if (!options.create) throw new IoError(`Could not open on ${path} (no such file)`);
      if (!this.#dirs.has(splitPath(path).parent)) {
        throw new IoError(`Could not open on ${path} (no such directory)`);
      }
      inode = new Inode();
      this.#link(path, inode);
    }
    return new SimFile(this, path, inode, this.epoch);
  }

  exists(path: string): boolean {
    return this.#entries.has(path) || this.#dirs.has(path);
  }

  remove(path: string): void {
    if (!this.#entries.has(path)) throw new IoError(`Could not remove on ${path} (no such file)`);
    this.#entries.delete(path);
    this.#dirOps.push({ kind: "unlink", path });
  }

  rename(from: string, to: string): void {
    const inode = this.#entries.get(from);
    if (inode === undefined) {
      throw new IoError(`Could not rename to ${to} on ${from} (no such file)`);
    }
    this.#entries.delete(from);
    this.#entries.set(to, inode);
    // One journal transaction: a crash keeps both halves or neither.
    this.#dirOps.push({ kind: "link", path: to, inode }, { kind: "unlink", path: from });
  }

  mkdir(path: string): void {
    let current = path;
    while (!this.#dirs.has(current)) {
      this.#dirs.add(current);
      current = splitPath(current).parent;
    }
  }

  list(path: string): string[] {
    if (!this.#dirs.has(path)) throw new IoError(`Could not list on ${path} (no such directory)`);
    const names: string[] = [];
    for (const key of this.#entries.keys()) {
      const { parent, name } = splitPath(key);
      if (parent === path) names.push(name);
    }
    return names.sort();
  }

  /** A view for one simulated process; it dies at the next `crash`. */
  view(): FileSystem {
    return new SimFileSystemView(this, this.epoch);
  }

  async syncDir(path: string): Promise<void> {
    const epoch = this.epoch;
    await Promise.resolve();
    if (epoch !== this.epoch) {
      throw new IoError(`Could not fsync directory on ${path} (simulated crash)`);
    }
    // Directory operations are journaled in order: syncing one directory commits all before it.
    for (const op of this.#dirOps) this.#applyDirOp(this.#durableEntries, op);
    this.#dirOps = [];
  }

  /** Blocking directory sync. */
  syncDirSync(_path: string): void {
    for (const op of this.#dirOps) this.#applyDirOp(this.#durableEntries, op);
    this.#dirOps = [];
  }

  allocAligned(bytes: number): Uint8Array {
    return new Uint8Array(bytes);
  }

  /**
   * Loses power: keeps durable state, a random subset of unsynced writes (the
   * last one possibly torn), and a random prefix of unsynced directory operations.
   */
  crash(): void {
    this.epoch++;
    this.stats.crashes++;
    const keepOps = this.prng.int(this.#dirOps.length + 1);
    const entries = new Map(this.#durableEntries);
    for (let i = 0; i < keepOps; i++) this.#applyDirOp(entries, this.#dirOps[i]!);
    const inodes = new Set([...this.#entries.values(), ...this.#durableEntries.values()]);
    for (const inode of inodes) this.#crashInode(inode);
    this.#entries = entries;
    this.#durableEntries = new Map(entries);
    this.#dirOps = [];
    this.failWriteAfter = -1;
    this.failSyncAfter = -1;
    this.freeBytes = -1;
  }

  /** Flips one random bit of a file's durable (and current) bytes within [start, end). */
  flipBit(path: string, start = 0, end?: number): number {
    const inode = this.#entries.get(path);
    if (inode === undefined) throw new IoError(`Could not flip a bit on ${path} (no such file)`);
    const limit = Math.min(end ?? inode.size, inode.size);
    const offset = start + this.prng.int(limit - start);
    const mask = 1 << this.prng.int(8);
    inode.data[offset]! ^= mask;
    if (offset < inode.durableSize) inode.durable[offset]! ^= mask;
    return offset;
  }

  /** The current bytes of a file (a copy). */
  readFile(path: string): Uint8Array {
    const inode = this.#entries.get(path);
    if (inode === undefined) throw new IoError(`Could not read on ${path} (no such file)`);
    return inode.data.slice(0, inode.size);
  }

  #crashInode(inode: Inode): void {
    const state = { data: inode.durable.slice(), size: inode.durableSize };
    const kept = inode.pending.filter(() => this.prng.chance(this.#keepChance));
    for (let i = 0; i < kept.length; i++) {
      const op = kept[i]!;
      if (op.kind === "truncate") {
        applyTruncate(state, op.length);
        continue;
      }
      let bytes = op.bytes;
      if (i === kept.length - 1 && this.prng.chance(this.#tearChance)) {
        const sector = this.#sectorBytes;
        const end = op.offset + bytes.length;
        const boundaries: number[] = [];
        for (let b = (Math.floor(op.offset / sector) + 1) * sector; b < end; b += sector) {
          boundaries.push(b - op.offset);
        }
        const cut = boundaries[this.prng.int(boundaries.length + 1)];
        if (cut !== undefined) {
          bytes = bytes.subarray(0, cut);
          this.stats.tornWrites++;
        }
      }
      applyWrite(state, op.offset, bytes);
    }
    inode.data = state.data;
    inode.size = state.size;
    inode.durable = state.data.slice();
    inode.durableSize = state.size;
    inode.pending = [];
  }

  #link(path: string, inode: Inode): void {
    this.#entries.set(path, inode);
    this.#dirOps.push({ kind: "link", path, inode });
  }

  #applyDirOp(entries: Map<string, Inode>, op: DirOp): void {
    if (op.kind === "link") entries.set(op.path, op.inode);
    else entries.delete(op.path);
  }

  /** Called by files: may throw an injected fault for a write of `bytes`. */
  beforeWrite(path: string, bytes: number): void {
    if (this.failWriteAfter >= 0 && this.failWriteAfter-- === 0) {
      throw new IoError(`Could not pwrite ${bytes} bytes on ${path} (injected EIO)`);
    }
    if (this.freeBytes >= 0) {
      if (bytes > this.freeBytes) {
        throw new DiskFullError(`Could not pwrite ${bytes} bytes on ${path} (errno 28 ENOSPC)`);
      }
      this.freeBytes -= bytes;
    }
    this.stats.writes++;
  }

  /** Called by files: may throw an injected sync fault. */
  beforeSync(path: string): void {
    if (this.failSyncAfter >= 0 && this.failSyncAfter-- === 0) {
      throw new IoError(`Could not fdatasync on ${path} (injected EIO)`);
    }
    this.stats.syncs++;
  }
}

/**
 * A process's view of a `SimFileSystem`: after a crash, every call through a
 * view taken before it fails, as nothing of a dead process runs on.
 */
class SimFileSystemView implements FileSystem {
  constructor(readonly disk: SimFileSystem, readonly epoch: number) {}

  #live(operation: string, path: string): SimFileSystem {
    if (this.disk.epoch !== this.epoch) {
      throw new IoError(`Could not ${operation} on ${path} (simulated crash)`);
    }
    return this.disk;
  }

  open(path: string, options?: OpenOptions): DiskFile {
    return this.#live("open", path).open(path, options);
  }

  exists(path: string): boolean {
    return this.#live("stat", path).exists(path);
  }

  remove(path: string): void {
    this.#live("remove", path).remove(path);
  }

  rename(from: string, to: string): void {
    this.#live("rename", from).rename(from, to);
  }

  mkdir(path: string): void {
    this.#live("mkdir", path).mkdir(path);
  }

  list(path: string): string[] {
    return this.#live("list", path).list(path);
  }

  async syncDir(path: string): Promise<void> {
    await this.#live("fsync directory", path).syncDir(path);
    this.#live("fsync directory", path);
  }

  syncDirSync(path: string): void {
    this.#live("fsync directory", path).syncDirSync(path);
  }

  allocAligned(bytes: number): Uint8Array {
    return this.disk.allocAligned(bytes);
  }
}

class SimFile implements DiskFile {
  readonly direct = false;
  #closed = false;

  constructor(
    readonly fs: SimFileSystem,
    readonly path: string,
    readonly inode: Inode,
    readonly epoch: number,
  ) {}

  #check(operation: string): Inode {
    if (this.#closed) throw new IoError(`Could not ${operation} on ${this.path} (file is closed)`);
    if (this.epoch !== this.fs.epoch) {
      throw new IoError(`Could not ${operation} on ${this.path} (simulated crash)`);
    }
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
    this.fs.beforeWrite(this.path, buffer.length);
    applyWrite(inode, offset, buffer);
    inode.pending.push({ kind: "write", offset, bytes: buffer.slice() });
  }

  async sync(): Promise<void> {
    this.#check("fdatasync");
    await Promise.resolve();
    const inode = this.#check("fdatasync");
    this.fs.beforeSync(this.path);
    this.#commit(inode);
  }

  /** Blocking sync. */
  syncSync(): void {
    const inode = this.#check("fdatasync");
    this.fs.beforeSync(this.path);
    this.#commit(inode);
  }

  #commit(inode: Inode): void {
    const state = { data: inode.durable, size: inode.durableSize };
    for (const op of inode.pending) {
      if (op.kind === "write") applyWrite(state, op.offset, op.bytes);
      else applyTruncate(state, op.length);
    }
    inode.durable = state.data;
    inode.durableSize = state.size;
    inode.pending = [];
  }

  size(): number {
    return this.#check("stat").size;
  }

  truncateSync(length: number): void {
    const inode = this.#check("truncate");
    applyTruncate(inode, length);
    inode.pending.push({ kind: "truncate", length });
  }

  close(): void {
    if (this.#closed) throw new IoError(`Could not close on ${this.path} (file is closed)`);
    this.#closed = true;
  }
}
