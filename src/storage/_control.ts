/**
 * The control file `<dataDir>/control`: where recovery starts. It is replaced
 * atomically (write a temporary file, fsync, rename, fsync the directory), so
 * it always names a completed checkpoint. Folder-private.
 *
 * Layout: magic u32, version u32, page size u32, reserved u32, redo LSN u64,
 * checkpoint record LSN u64, then CRC32C of bytes [0, 32) at 32.
 * @module
 */

import { crc32c } from "../common/crc32c.ts";
import { CorruptError } from "../common/errors.ts";
import type { FileSystem } from "./os/file_system.ts";
import { formatVersion, metaMagic, readU32, readU64, writeU32, writeU64 } from "./_meta.ts";
import { joinPath } from "./wal/segments.ts";

/** What the control file says. */
export interface Control {
  readonly pageSize: number;
  /** Replay starts here. */
  readonly redoLsn: number;
  /** End LSN of the checkpoint record. */
  readonly checkpointLsn: number;
}

const controlBytes = 36;

/** Path of the control file. */
export function controlPath(dataDir: string): string {
  return joinPath(dataDir, "control");
}

/**
 * Reads the control file.
 * @returns undefined when it does not exist (a new database)
 * @throws {CorruptError} XX001 when it fails validation
 */
export function readControl(fs: FileSystem, dataDir: string): Control | undefined {
  const path = controlPath(dataDir);
  if (!fs.exists(path)) return undefined;
  const file = fs.open(path, {});
  const bytes = new Uint8Array(controlBytes);
  let n: number;
  try {
    n = file.readSync(bytes, 0);
  } finally {
    file.close();
  }
  if (n !== controlBytes || readU32(bytes, 0) !== metaMagic) {
    throw new CorruptError(`Control file ${path} is not a ThunderDB control file (${n} bytes)`);
  }
  if (readU32(bytes, 32) !== crc32c(bytes, 0, 32)) {
    throw new CorruptError(`Control file ${path} failed its checksum`);
  }
  if (readU32(bytes, 4) !== formatVersion) {
    throw new CorruptError(
      `Control file ${path} has format version ${readU32(bytes, 4)}, expected ${formatVersion}`,
    );
  }
  return {
    pageSize: readU32(bytes, 8),
    redoLsn: readU64(bytes, 16),
    checkpointLsn: readU64(bytes, 24),
  };
}

/**
 * Replaces the control file atomically and durably.
 * @throws {IoError} 58030
 */
export async function writeControl(
  fs: FileSystem,
  dataDir: string,
  control: Control,
): Promise<void> {
  const bytes = new Uint8Array(controlBytes);
  writeU32(bytes, 0, metaMagic);
  writeU32(bytes, 4, formatVersion);
  writeU32(bytes, 8, control.pageSize);
  writeU64(bytes, 16, control.redoLsn);
  writeU64(bytes, 24, control.checkpointLsn);
  writeU32(bytes, 32, crc32c(bytes, 0, 32));
  const path = controlPath(dataDir);
  const temporary = path + ".tmp";
  const file = fs.open(temporary, { create: true });
  try {
    file.truncateSync(0);
    file.writeSync(bytes, 0);
    await file.sync();
  } finally {
    file.close();
  }
  fs.rename(temporary, path);
  await fs.syncDir(dataDir);
}
