/**
 * Directory operations shared by the libc and `Deno.FsFile` file systems.
 * They are rare (segment rolls, checkpoints), so the portable Deno calls serve.
 * @module
 */

import { ioErrorFromDeno } from "./io_errors.ts";

/** True when `path` exists. */
export function pathExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (error) {
    // A missing path is the expected "no" answer; anything else is an I/O failure.
    if (error instanceof Deno.errors.NotFound) return false;
    throw ioErrorFromDeno("stat", path, error);
  }
}

/** Removes a file. */
export function removePath(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (error) {
    throw ioErrorFromDeno("remove", path, error);
  }
}

/** Renames a file, replacing the target. */
export function renamePath(from: string, to: string): void {
  try {
    Deno.renameSync(from, to);
  } catch (error) {
    throw ioErrorFromDeno(`rename to ${to}`, from, error);
  }
}

/** Creates a directory and its parents. */
export function makeDirectory(path: string): void {
  try {
    Deno.mkdirSync(path, { recursive: true });
  } catch (error) {
    throw ioErrorFromDeno("mkdir", path, error);
  }
}

/** Sorted entry names of a directory. */
export function listDirectory(path: string): string[] {
  try {
    const names: string[] = [];
    for (const entry of Deno.readDirSync(path)) names.push(entry.name);
    return names.sort();
  } catch (error) {
    throw ioErrorFromDeno("list", path, error);
  }
}

/** fsyncs a directory so its entries are durable, blocking the thread. */
export function syncDirectorySync(path: string): void {
  let dir: Deno.FsFile;
  try {
    dir = Deno.openSync(path, { read: true });
  } catch (error) {
    throw ioErrorFromDeno("open directory", path, error);
  }
  try {
    dir.syncSync();
  } catch (error) {
    throw ioErrorFromDeno("fsync directory", path, error);
  } finally {
    dir.close();
  }
}

/** fsyncs a directory so its entries are durable. */
export async function syncDirectory(path: string): Promise<void> {
  let dir: Deno.FsFile;
  try {
    dir = Deno.openSync(path, { read: true });
  } catch (error) {
    throw ioErrorFromDeno("open directory", path, error);
  }
  try {
    await dir.sync();
  } catch (error) {
    throw ioErrorFromDeno("fsync directory", path, error);
  } finally {
    dir.close();
  }
}
