/**
 * WAL segment files: `<16 hex digits of the start LSN>.wal` in the WAL
 * directory. Segments are contiguous: each starts where the previous ended.
 * @module
 */

import type { FileSystem } from "../os/file_system.ts";

/** A segment file found on disk. */
export interface SegmentInfo {
  readonly startLsn: number;
  readonly name: string;
  readonly path: string;
}

const segmentPattern = /^([0-9a-f]{16})\.wal$/;

/** The file name of the segment starting at `startLsn`. */
export function segmentName(startLsn: number): string {
  return `${startLsn.toString(16).padStart(16, "0")}.wal`;
}

/** Joins a directory and a name. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** Segments of `dir`, ordered by start LSN. Other files are ignored. */
export function listSegments(fs: FileSystem, dir: string): SegmentInfo[] {
  const segments: SegmentInfo[] = [];
  for (const name of fs.list(dir)) {
    const match = segmentPattern.exec(name);
    if (match === null) continue;
    segments.push({ startLsn: parseInt(match[1]!, 16), name, path: joinPath(dir, name) });
  }
  return segments.sort((a, b) => a.startLsn - b.startLsn);
}
