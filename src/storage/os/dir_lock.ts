/**
 * An exclusive lock on a data directory, so a second server cannot open the
 * same files and corrupt them. The kernel releases the lock when the process
 * dies (even by SIGKILL), so a crash never leaves a stale lock behind.
 * @module
 */
import { DbError, IoError } from "../../common/errors.ts";

/** A held directory lock. */
export interface DirLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes the lock file `<dir>/thunderdb.lock`, writing our pid into it.
 * @throws {DbError} 55006 when another process holds it, naming its pid
 * @throws {IoError} 58030 when the file cannot be created
 */
export function lockDataDir(dir: string): DirLock {
  const path = `${dir.replace(/\/+$/, "")}/thunderdb.lock`;
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true, write: true, create: true });
  } catch (error) {
    throw new IoError(`Cannot create lock file ${path}: ${String(error)}`, error);
  }
  if (!file.tryLockSync(true)) {
    const holder = readPid(file);
    file.close();
    throw new DbError(
      "55006",
      `Data directory ${dir} is in use by another ThunderDB server${
        holder ? ` (pid ${holder})` : ""
      }; stop that server or choose another --data-dir`,
    );
  }
  const text = new TextEncoder().encode(`${Deno.pid}\n`);
  file.truncateSync(0);
  file.writeSync(text);
  return {
    path,
    release() {
      try {
        file.truncateSync(0);
        file.unlockSync();
      } finally {
        file.close();
      }
    },
  };
}

function readPid(file: Deno.FsFile): string | undefined {
  const buffer = new Uint8Array(32);
  const n = file.readSync(buffer) ?? 0;
  const text = new TextDecoder().decode(buffer.subarray(0, n)).trim();
  return /^\d+$/.test(text) ? text : undefined;
}
