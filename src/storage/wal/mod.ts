/**
 * The write-ahead log: record format, segment files, the group-committing
 * writer and the recovery scanner.
 * @module
 */

export { Wal, type WalOptions, type WalStats } from "./wal.ts";
export { scanWal, truncateWal, type WalScan } from "./reader.ts";
export { decodeWalRecord, WalKind, type WalRecord, walRecordHeaderBytes } from "./record.ts";
export { listSegments, segmentName } from "./segments.ts";
