/**
 * The WAL record format, pure: no I/O.
 *
 * A record is `[u32 payload length][u32 crc][u8 kind][payload]`, little-endian.
 * The CRC32C covers the kind byte and the payload and is continued over the
 * record's start LSN, so a stale record left in a reused or torn region never
 * validates at another position. The LSN of a byte is its offset in the log
 * since the log began; a record is named by the LSN just past it (its "end LSN"),
 * which is what `WalWriter.append` returns and what pages store.
 * @module
 */

import { crc32cUpdate } from "../../common/crc32c.ts";
import { walRecordBytesMax } from "../../common/limits.ts";

/** Bytes before the payload. */
export const walRecordHeaderBytes = 9;

/** Record kinds owned by the page store (1..15). */
export const WalKind = {
  /** One mini-transaction's page changes: deltas and full page images. */
  pages: 1,
  /** A completed checkpoint; payload is its redo LSN. */
  checkpoint: 2,
} as const;

const lsnScratch = new Uint8Array(8);
const lsnView = new DataView(lsnScratch.buffer);

/**
 * The CRC of the record whose kind byte is at `kindOffset` and whose payload ends at `end`.
 * @param startLsn LSN of the record's first header byte
 */
export function walRecordCrc(
  bytes: Uint8Array,
  kindOffset: number,
  end: number,
  startLsn: number,
): number {
  lsnView.setUint32(0, startLsn >>> 0, true);
  lsnView.setUint32(4, Math.floor(startLsn / 0x1_0000_0000), true);
  return crc32cUpdate(crc32cUpdate(0, bytes, kindOffset, end), lsnScratch);
}

/**
 * Writes the header of a record whose payload already sits at `offset + walRecordHeaderBytes`.
 * @param startLsn LSN of the record's first byte
 */
export function sealWalRecord(
  bytes: Uint8Array,
  offset: number,
  kind: number,
  payloadBytes: number,
  startLsn: number,
): void {
  const end = offset + walRecordHeaderBytes + payloadBytes;
  bytes[offset] = payloadBytes & 0xff;
  bytes[offset + 1] = (payloadBytes >>> 8) & 0xff;
  bytes[offset + 2] = (payloadBytes >>> 16) & 0xff;
  bytes[offset + 3] = (payloadBytes >>> 24) & 0xff;
  bytes[offset + 8] = kind;
  const crc = walRecordCrc(bytes, offset + 8, end, startLsn);
  bytes[offset + 4] = crc & 0xff;
  bytes[offset + 5] = (crc >>> 8) & 0xff;
  bytes[offset + 6] = (crc >>> 16) & 0xff;
  bytes[offset + 7] = (crc >>> 24) & 0xff;
}

/** One decoded record; `payload` is a view into the scanned bytes. */
export interface WalRecord {
  readonly kind: number;
  /** LSN of the record's first byte. */
  readonly startLsn: number;
  /** LSN just past the record. */
  readonly lsn: number;
  readonly payload: Uint8Array;
}

/**
 * Decodes the record at `offset` of `bytes`, whose first byte has LSN `startLsn`.
 * @returns the record, or undefined when it is short, torn, or fails its CRC
 */
export function decodeWalRecord(
  bytes: Uint8Array,
  offset: number,
  startLsn: number,
): WalRecord | undefined {
  if (offset + walRecordHeaderBytes > bytes.length) return undefined;
  const length = (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) |
    (bytes[offset + 3]! << 24)) >>> 0;
  if (length > walRecordBytesMax) return undefined;
  const end = offset + walRecordHeaderBytes + length;
  if (end > bytes.length) return undefined;
  const kind = bytes[offset + 8]!;
  if (kind === 0) return undefined;
  const stored = (bytes[offset + 4]! | (bytes[offset + 5]! << 8) | (bytes[offset + 6]! << 16) |
    (bytes[offset + 7]! << 24)) >>> 0;
  if (walRecordCrc(bytes, offset + 8, end, startLsn) !== stored) return undefined;
  return {
    kind,
    startLsn,
    lsn: startLsn + walRecordHeaderBytes + length,
    payload: bytes.subarray(offset + walRecordHeaderBytes, end),
  };
}
