/**
 * Layouts owned by the page store: the meta page (page 0) body and the
 * control file, plus little-endian helpers. Folder-private.
 *
 * Meta page body (after the common header):
 * | offset | size | field |
 * | 32 | 4 | magic "THDB" |
 * | 36 | 4 | format version |
 * | 40 | 4 | page size |
 * | 44 | 4 | page count (pages ever allocated, the meta page included) |
 * | 48 | 4 | free-list head (0 = empty) |
 * | 52 | 64 | 16 root slots, u32 each |
 * | 116 | 8 | redo LSN of the checkpoint that last wrote this page (informational) |
 * @module
 */

/** "THDB" little-endian. */
export const metaMagic = 0x42444854;
/** Bumped on incompatible layout changes. */
export const formatVersion = 1;
/** Root slots in the meta page. */
export const rootSlots = 16;

/** Offsets of the meta page fields. */
export const meta = {
  magic: 32,
  version: 36,
  pageSize: 40,
  pageCount: 44,
  freeHead: 48,
  roots: 52,
  checkpointLsn: 116,
  /** Bytes of the meta page that carry state: the prefix saved for rollback. */
  end: 124,
} as const;

/** Offset in a free-list page of the next free page id. */
export const freeNextOffset = 32;

/** Reads a little-endian u32. */
export function readU32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) |
    (bytes[offset + 3]! << 24)) >>> 0;
}

/** Writes a little-endian u32. */
export function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

/** Reads a u64 kept below 2^53. */
export function readU64(bytes: Uint8Array, offset: number): number {
  return readU32(bytes, offset) + readU32(bytes, offset + 4) * 0x1_0000_0000;
}

/** Writes a u64 kept below 2^53. */
export function writeU64(bytes: Uint8Array, offset: number, value: number): void {
  writeU32(bytes, offset, value >>> 0);
  writeU32(bytes, offset + 4, Math.floor(value / 0x1_0000_0000));
}
