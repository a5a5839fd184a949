/**
 * Errors raised by the OS seam: every failed call becomes an `IoError` whose
 * message names the operation and the path, and a full disk gets its own
 * SQLSTATE (53100) so clients can tell it apart.
 * @module
 */

import { IoError, type SqlState } from "../../common/errors.ts";

/** The disk (or a quota) is full: SQLSTATE 53100. Still an `IoError`. */
export class DiskFullError extends IoError {
  override readonly sqlstate: SqlState = "53100";
}

/** Linux errno values the seam tells apart. */
export const Errno = { EINTR: 4, EIO: 5, EINVAL: 22, ENOSPC: 28, EDQUOT: 122 } as const;

/**
 * Builds the error for a failed system call.
 * @param operation what was attempted, e.g. "pwrite of 16384 bytes at 32768"
 * @param path the file it was attempted on
 * @param errno the errno value, or undefined when unknown
 * @returns a `DiskFullError` (53100) for ENOSPC/EDQUOT, else an `IoError` (58030)
 */
export function ioErrorFor(
  operation: string,
  path: string,
  errno?: number,
  cause?: unknown,
): IoError {
  const code = errno === undefined ? "" : ` (errno ${errno}${errnoName(errno)})`;
  const message = `Could not ${operation} on ${path}${code}`;
  if (errno === Errno.ENOSPC || errno === Errno.EDQUOT) return new DiskFullError(message, cause);
  return new IoError(message, cause);
}

/**
 * Converts an error thrown by a `Deno.*` file call into an `IoError`.
 * @returns a `DiskFullError` when the cause says the disk is full
 */
export function ioErrorFromDeno(operation: string, path: string, cause: unknown): IoError {
  if (cause instanceof IoError) return cause;
  const code = typeof cause === "object" && cause !== null && "code" in cause ? cause.code : "";
  const text = cause instanceof Error ? cause.message : String(cause);
  const full = code === "ENOSPC" || code === "EDQUOT" || /No space left/i.test(text);
  const message = `Could not ${operation} on ${path}: ${text}`;
  return full ? new DiskFullError(message, cause) : new IoError(message, cause);
}

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(Errno)) if (value === errno) return ` ${name}`;
  return "";
}
