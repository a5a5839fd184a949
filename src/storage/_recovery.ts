/**
 * Opening a page store: create a new database, or recover an existing one by
 * replaying the WAL from the last checkpoint's redo LSN. Page records go to
 * the pages; other kinds go to the participant owning them. A torn tail is cut
 * off so appends continue after the last good record. Folder-private.
 * @module
 */

import { ConfigError, CorruptError } from "../common/errors.ts";
import { pageBytesMax, pageBytesMin } from "../common/limits.ts";
import { BufferPool } from "./buffer_pool.ts";
import { type Control, readControl, writeControl } from "./_control.ts";
import { freshFrame, readFrame } from "./_frames.ts";
import { formatVersion, meta, metaMagic, readU32, writeU32 } from "./_meta.ts";
import { redoPages } from "./_redo.ts";
import { pageHeader, PageType } from "./page.ts";
import { Pager } from "./pager.ts";
import type { FileSystem } from "./os/file_system.ts";
import type { PageStoreOptions, RecoveredState } from "./page_store.ts";
import { scanWal, truncateWal, type WalScan } from "./wal/reader.ts";
import { WalKind } from "./wal/record.ts";
import { joinPath, listSegments } from "./wal/segments.ts";
import { Wal } from "./wal/wal.ts";
import type { WalParticipant } from "./wal_port.ts";

/** Default page size in bytes. */
export const pageSizeDefault = 16384;
/** Default buffer pool budget in bytes. */
export const bufferPoolBytesDefault = 64 * 1024 * 1024;

/** Name of the data file inside the data directory. */
export const dataFileName = "thunder.db";

/**
 * Creates or recovers the store's files.
 * @throws {ConfigError} F0000 when `pageSize` disagrees with the database's
 * @throws {CorruptError} XX001
 */
export async function recoverStore(options: PageStoreOptions): Promise<RecoveredState> {
  const { fs, dataDir, walDir } = options;
  fs.mkdir(dataDir);
  fs.mkdir(walDir);
  const dataPath = joinPath(dataDir, dataFileName);
  let control = readControl(fs, dataDir);
  if (control === undefined) control = await bootstrap(options, dataPath);
  if (options.pageSize !== undefined && options.pageSize !== control.pageSize) {
    throw new ConfigError(
      `The database in ${dataDir} uses ${control.pageSize}-byte pages, not the configured ${options.pageSize}`,
    );
  }
  const pager = Pager.open(fs, dataPath, control.pageSize, false);
  const pool = new BufferPool(
    fs,
    control.pageSize,
    options.bufferPoolBytes ?? bufferPoolBytesDefault,
  );
  pool.setWriter({
    // Replayed records were read back from disk and synced below, so pages may be written freely.
    writeBack: (frame) => pager.writePage(pool.pageIds[frame]!, pool.handles[frame]!.data),
    cheapToWrite: () => true,
  });
  pager.durablePageCount = durablePageCount(pager);
  for (const segment of listSegments(fs, walDir)) {
    const file = fs.open(segment.path, {});
    try {
      await file.sync();
    } finally {
      file.close();
    }
  }
  const scan = replay(options, pager, pool, control);
  const endLsn = scan.endLsn;
  if (scan.torn) await cutTornTail(options, endLsn);
  const wal = Wal.open({
    fs,
    dir: walDir,
    sync: options.walSync ?? "fsync",
    ...(options.walSegmentBytes === undefined ? {} : { segmentBytes: options.walSegmentBytes }),
  }, endLsn);
  checkMeta(pool, pager);
  return { pager, pool, wal, redoLsn: control.redoLsn };
}

function replay(
  options: PageStoreOptions,
  pager: Pager,
  pool: BufferPool,
  control: Control,
): WalScan {
  const owners = new Map<number, { participant: WalParticipant; restoredLsn: number }>();
  for (const participant of options.participants ?? []) {
    const entry = { participant, restoredLsn: participant.restoredLsn() };
    for (const kind of participant.kinds) owners.set(kind, entry);
  }
  const target = {
    pool,
    pageSize: pager.pageSize,
    fetchAny: (pageId: number) => readFrame(pool, pager, pageId),
    fresh: (pageId: number) => freshFrame(pool, pageId),
  };
  const scan = scanWal(options.fs, options.walDir, control.redoLsn, (record) => {
    if (record.kind === WalKind.pages) {
      redoPages(target, record.payload, record.lsn, options.walDir);
      return;
    }
    const owner = owners.get(record.kind);
    if (owner === undefined || record.lsn <= owner.restoredLsn) return;
    owner.participant.redo({ kind: record.kind, lsn: record.lsn, payload: record.payload.slice() });
  });
  return scan;
}

/** Cuts the log after the last good record, durably, so the torn bytes can never reappear. */
async function cutTornTail(options: PageStoreOptions, endLsn: number): Promise<void> {
  const { fs, walDir } = options;
  truncateWal(fs, walDir, endLsn);
  const last = listSegments(fs, walDir).at(-1);
  if (last !== undefined) {
    const file = fs.open(last.path, {});
    try {
      await file.sync();
    } finally {
      file.close();
    }
  }
  await fs.syncDir(walDir);
}

/** The page count in the meta page on disk, or the file's page count when the meta page is unreadable. */
function durablePageCount(pager: Pager): number {
  const buffer = new Uint8Array(pager.pageSize);
  pager.durablePageCount = 1;
  try {
    pager.readPage(0, buffer);
    return readU32(buffer, meta.pageCount);
  } catch (error) {
    // A torn meta page is repaired by redo from its full image in the log.
    if (!(error instanceof CorruptError)) throw error;
    return Math.floor(pager.file.size() / pager.pageSize);
  }
}

function checkMeta(pool: BufferPool, pager: Pager): void {
  const frame = readFrame(pool, pager, 0);
  const data = pool.handles[frame]!.data;
  pool.unpin(frame);
  const problem = readU32(data, meta.magic) !== metaMagic
    ? "has no ThunderDB magic"
    : readU32(data, meta.version) !== formatVersion
    ? `has format version ${readU32(data, meta.version)}`
    : readU32(data, meta.pageSize) !== pager.pageSize
    ? `says ${readU32(data, meta.pageSize)}-byte pages`
    : "";
  if (problem !== "") throw new CorruptError(`Meta page 0 of ${pager.path} ${problem}`);
}

/**
 * A missing control file means a new database, or a first open that crashed
 * before writing it (which leaves at most the meta page and no WAL). Anything
 * more is a database whose control file was lost: refuse to wipe it.
 */
function refuseToOverwrite(fs: FileSystem, dataPath: string, walDir: string): void {
  const segments = listSegments(fs, walDir);
  let dataBytes = 0;
  if (fs.exists(dataPath)) {
    const file = fs.open(dataPath, {});
    try {
      dataBytes = file.size();
    } finally {
      file.close();
    }
  }
  if (segments.length > 0 || dataBytes > pageBytesMax) {
    throw new CorruptError(
      `${dataPath} holds ${dataBytes} bytes and ${walDir} ${segments.length} WAL segments, ` +
        `but the control file is missing; restore it or move the files away`,
    );
  }
}

async function bootstrap(options: PageStoreOptions, dataPath: string): Promise<Control> {
  const { fs, dataDir, walDir } = options;
  const pageSize = options.pageSize ?? pageSizeDefault;
  if (pageSize < pageBytesMin || pageSize > pageBytesMax || (pageSize & (pageSize - 1)) !== 0) {
    throw new ConfigError(
      `Page size ${pageSize} must be a power of two between ${pageBytesMin} and ${pageBytesMax}`,
    );
  }
  refuseToOverwrite(fs, dataPath, walDir);
  for (const segment of listSegments(fs, walDir)) fs.remove(segment.path);
  const pager = Pager.open(fs, dataPath, pageSize, true);
  try {
    pager.file.truncateSync(0);
    const page = fs.allocAligned(pageSize);
    page[pageHeader.type] = PageType.meta;
    writeU32(page, meta.magic, metaMagic);
    writeU32(page, meta.version, formatVersion);
    writeU32(page, meta.pageSize, pageSize);
    writeU32(page, meta.pageCount, 1);
    pager.writePage(0, page);
    await pager.sync();
  } finally {
    pager.close();
  }
  await fs.syncDir(walDir);
  const control = { pageSize, redoLsn: 0, checkpointLsn: 0 };
  await writeControl(fs, dataDir, control);
  return control;
}
