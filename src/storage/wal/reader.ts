/**
 * Reads the log from an LSN and finds where the valid records end (a torn or
 * never-written tail), then cuts the log there so appends continue after the
 * last good record.
 * @module
 */

import { CorruptError } from "../../common/errors.ts";
import type { FileSystem } from "../os/file_system.ts";
import { decodeWalRecord, type WalRecord } from "./record.ts";
import { listSegments, type SegmentInfo } from "./segments.ts";

/** Where a scan stopped. */
export interface WalScan {
  /** LSN just past the last valid record (where appends continue). */
  readonly endLsn: number;
  /** Records visited. */
  readonly records: number;
  /** True when non-zero bytes follow `endLsn` (a torn or partly written tail). */
  readonly torn: boolean;
}

function readWhole(fs: FileSystem, segment: SegmentInfo): Uint8Array {
  const file = fs.open(segment.path, {});
  try {
    const size = file.size();
    const bytes = new Uint8Array(size);
    const n = file.readSync(bytes, 0);
    return n === size ? bytes : bytes.subarray(0, n);
  } finally {
    file.close();
  }
}

/**
 * Visits every valid record whose start LSN is at or after `fromLsn`, in order,
 * stopping at the first short or bad-CRC record.
 * @param visit called per record; `payload` is only valid during the call
 * @throws {CorruptError} XX001 when the segment holding `fromLsn` is missing
 */
export function scanWal(
  fs: FileSystem,
  dir: string,
  fromLsn: number,
  visit: (record: WalRecord) => void,
): WalScan {
  const segments = listSegments(fs, dir);
  let index = -1;
  for (let i = 0; i < segments.length; i++) if (segments[i]!.startLsn <= fromLsn) index = i;
  if (index < 0) {
    if (segments.length > 0) {
      throw new CorruptError(
        `WAL in ${dir} starts at LSN ${segments[0]!.startLsn}, after the redo point ${fromLsn}`,
      );
    }
    return { endLsn: fromLsn, records: 0, torn: false };
  }
  let lsn = fromLsn;
  let records = 0;
  for (let i = index; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.startLsn !== lsn && i > index) return { endLsn: lsn, records, torn: true };
    const bytes = readWhole(fs, segment);
    let offset = lsn - segment.startLsn;
    if (offset > bytes.length) {
      throw new CorruptError(`WAL segment ${segment.path} ends before the redo point ${fromLsn}`);
    }
    while (offset < bytes.length) {
      const record = decodeWalRecord(bytes, offset, lsn);
      if (record === undefined) {
        // Zeros written ahead of a segment's end are a clean end, not a torn one.
        if (!isZero(bytes, offset)) return { endLsn: lsn, records, torn: true };
        break;
      }
      visit(record);
      records++;
      offset += record.lsn - lsn;
      lsn = record.lsn;
    }
  }
  return { endLsn: lsn, records, torn: false };
}

function isZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Cuts the log at `endLsn`: truncates the segment holding it and deletes later
 * segments, so nothing after the last valid record can be read again.
 * @returns the number of bytes dropped
 */
export function truncateWal(fs: FileSystem, dir: string, endLsn: number): number {
  let dropped = 0;
  const segments = listSegments(fs, dir);
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i]!;
    const file = fs.open(segment.path, {});
    const size = file.size();
    if (segment.startLsn > endLsn || (segment.startLsn === endLsn && i > 0)) {
      file.close();
      fs.remove(segment.path);
      dropped += size;
      continue;
    }
    const keep = endLsn - segment.startLsn;
    if (size > keep) {
      file.truncateSync(keep);
      dropped += size - keep;
    }
    file.close();
    break;
  }
  return dropped;
}
