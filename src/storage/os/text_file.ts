/**
 * Small text files read and written whole (the Redis ACL file): a write
 * goes to a temporary file beside the target and is renamed over it, so a
 * reader sees the old or the new text, never part of one.
 * @module
 */

/** Reads a text file (UTF-8). Throws the OS error. */
export function readTextFileWhole(path: string): string {
  return Deno.readTextFileSync(path);
}

/** Replaces a text file atomically (temporary file, fsync, rename). Throws the OS error. */
export function writeTextFileAtomic(path: string, text: string): void {
  const temp = `${path}.tmp-${Deno.pid}`;
  const file = Deno.openSync(temp, { write: true, create: true, truncate: true });
  try {
    const bytes = new TextEncoder().encode(text);
    let at = 0;
    while (at < bytes.length) at += file.writeSync(bytes.subarray(at));
    file.syncSync();
  } finally {
    file.close();
  }
  Deno.renameSync(temp, path);
}
