import assert from "node:assert/strict";
import { IoError } from "../../../src/common/errors.ts";
import type { DiskFile, FileSystem, OpenOptions } from "../../../src/storage/os/file_system.ts";
import { LibcFileSystem } from "../../../src/storage/os/libc.ts";
import { MemFileSystem } from "../../../src/storage/os/mem_file_system.ts";
import {
  listSegments,
  scanWal,
  truncateWal,
  Wal,
  type WalRecord,
} from "../../../src/storage/wal/mod.ts";
import { SimFileSystem } from "../../sim/sim_disk.ts";

/** Delegates to a real file system and counts fdatasync calls on files. */
class CountingFileSystem implements FileSystem {
  syncs = 0;
  constructor(readonly inner: FileSystem) {}
  open(path: string, options?: OpenOptions): DiskFile {
    const file = this.inner.open(path, options);
    const sync = file.sync.bind(file);
    file.sync = () => {
      this.syncs++;
      return sync();
    };
    return file;
  }
  exists = (path: string) => this.inner.exists(path);
  remove = (path: string) => this.inner.remove(path);
  rename = (from: string, to: string) => this.inner.rename(from, to);
  mkdir = (path: string) => this.inner.mkdir(path);
  list = (path: string) => this.inner.list(path);
  syncDir = (path: string) => this.inner.syncDir(path);
  allocAligned = (bytes: number) => this.inner.allocAligned(bytes);
}

function payload(i: number, length = 10 + (i % 50)): Uint8Array {
  return Uint8Array.from({ length }, (_, k) => (i * 31 + k) & 0xff);
}

function readAll(
  fs: FileSystem,
  dir: string,
  from = 0,
): { records: WalRecord[]; torn: boolean; endLsn: number } {
  const records: WalRecord[] = [];
  const scan = scanWal(fs, dir, from, (r) => records.push({ ...r, payload: r.payload.slice() }));
  return { records, torn: scan.torn, endLsn: scan.endLsn };
}

Deno.test("Wal.append() and flush() write records that scanWal() reads back in order", async () => {
  const fs = new MemFileSystem();
  fs.mkdir("/wal");
  const wal = Wal.open({ fs, dir: "/wal" }, 0);
  const ends: number[] = [];
  for (let i = 0; i < 100; i++) ends.push(wal.append(16 + (i % 3), payload(i)));
  assert.equal(wal.flushedLsn, 0);
  await wal.flush(ends[49]!);
  assert.ok(wal.flushedLsn >= ends[49]!);
  await wal.flush(wal.endLsn);
  assert.equal(wal.flushedLsn, wal.endLsn);
  const { records, torn, endLsn } = readAll(fs, "/wal");
  assert.equal(torn, false);
  assert.equal(endLsn, wal.endLsn);
  assert.equal(records.length, 100);
  records.forEach((r, i) => {
    assert.equal(r.kind, 16 + (i % 3));
    assert.equal(r.lsn, ends[i]);
    assert.deepEqual(r.payload, payload(i));
  });
  assert.equal(readAll(fs, "/wal", ends[89]!).records.length, 10, "a scan can start mid-log");
  wal.close();
});

Deno.test("Wal.flush() group-commits: concurrent flushes share fdatasyncs on a real disk", async () => {
  const dir = await Deno.makeTempDir({ dir: ".", prefix: ".tmp_wal_" });
  try {
    const fs = new CountingFileSystem(new LibcFileSystem());
    const wal = Wal.open({ fs, dir }, 0);
    const committers = 64;
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < committers; i++) {
      // Each committer appends, then waits for durability, as a transaction commit does.
      flushes.push(Promise.resolve().then(() => wal.flush(wal.append(16, payload(i)))));
    }
    await Promise.all(flushes);
    assert.equal(wal.flushedLsn, wal.endLsn);
    assert.ok(fs.syncs >= 1, "at least one fdatasync ran");
    assert.ok(fs.syncs < committers / 4, `${committers} commits took ${fs.syncs} fdatasyncs`);
    assert.equal(readAll(fs, dir).records.length, committers);
    wal.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Wal with sync off writes without fdatasync", async () => {
  const fs = new CountingFileSystem(new MemFileSystem());
  fs.mkdir("/w");
  const wal = Wal.open({ fs, dir: "/w", sync: "off" }, 0);
  for (let i = 0; i < 10; i++) await wal.flush(wal.append(16, payload(i)));
  assert.equal(fs.syncs, 0);
  assert.equal(wal.stats.syncs, 0);
  assert.equal(readAll(fs, "/w").records.length, 10);
  wal.close();
});

Deno.test("Wal with sync discard numbers records without writing them", async () => {
  const fs = new CountingFileSystem(new MemFileSystem());
  fs.mkdir("/w");
  const wal = Wal.open({ fs, dir: "/w", sync: "discard", segmentBytes: 4096 }, 0);
  assert.equal(wal.discards, true);
  let last = 0;
  for (let i = 0; i < 200; i++) {
    const lsn = wal.append(16, payload(i));
    assert.ok(lsn > last, "LSNs rise");
    last = lsn;
    assert.equal(wal.flushedLsn, lsn, "a discarded record counts as durable at once");
  }
  await wal.flush(wal.endLsn);
  const skipped = wal.skip(100);
  assert.ok(skipped > last);
  assert.equal(wal.stats.records, 201);
  assert.equal(wal.stats.bytesWritten, 0);
  assert.equal(fs.syncs, 0);
  wal.close();
  assert.equal(readAll(fs, "/w").records.length, 0);
  assert.equal(listSegments(fs, "/w").length, 1, "no segment rolls");
});

Deno.test("Wal.skip() is refused by a log that keeps its records", () => {
  const fs = new MemFileSystem();
  fs.mkdir("/w");
  const wal = Wal.open({ fs, dir: "/w" }, 0);
  assert.throws(() => wal.skip(10), /skip\(\) on a log that keeps its records/);
  wal.close();
});

Deno.test("scanWal() stops at a torn tail and truncateWal() cuts it so appends continue", async () => {
  const fs = new MemFileSystem();
  fs.mkdir("/w");
  const wal = Wal.open({ fs, dir: "/w" }, 0);
  const ends: number[] = [];
  for (let i = 0; i < 20; i++) ends.push(wal.append(16, payload(i, 100)));
  await wal.flush(wal.endLsn);
  wal.close();
  const segment = listSegments(fs, "/w")[0]!;
  const file = fs.open(segment.path, {});
  file.truncateSync(ends[17]! - 30); // tear record 18 (index 17) in the middle
  file.close();
  const scan = readAll(fs, "/w");
  assert.equal(scan.torn, true);
  assert.equal(scan.records.length, 17);
  assert.equal(scan.endLsn, ends[16]);
  truncateWal(fs, "/w", scan.endLsn);
  const reopened = Wal.open({ fs, dir: "/w" }, scan.endLsn);
  const next = reopened.append(17, payload(99));
  await reopened.flush(next);
  const after = readAll(fs, "/w");
  assert.equal(after.torn, false);
  assert.equal(after.records.length, 18);
  assert.equal(after.records[17]!.kind, 17);
  reopened.close();
});

Deno.test("scanWal() rejects a record whose CRC fails", async () => {
  const fs = new SimFileSystem({ seed: 5 });
  fs.mkdir("/w");
  const wal = Wal.open({ fs, dir: "/w" }, 0);
  const ends: number[] = [];
  for (let i = 0; i < 10; i++) ends.push(wal.append(16, payload(i, 64)));
  await wal.flush(wal.endLsn);
  wal.close();
  const segment = listSegments(fs, "/w")[0]!;
  fs.flipBit(segment.path, ends[5]!, ends[6]!);
  const scan = readAll(fs, "/w");
  assert.equal(scan.records.length, 6);
  assert.equal(scan.endLsn, ends[5]);
});

Deno.test("Wal rolls to segments named by start LSN and recycle() deletes old ones", async () => {
  const fs = new MemFileSystem();
  fs.mkdir("/w");
  const wal = Wal.open({ fs, dir: "/w", segmentBytes: 1000 }, 0);
  const ends: number[] = [];
  for (let i = 0; i < 100; i++) {
    ends.push(wal.append(16, payload(i, 90)));
    if (i % 7 === 0) await wal.flush(wal.endLsn);
  }
  await wal.flush(wal.endLsn);
  const segments = listSegments(fs, "/w");
  assert.ok(segments.length >= 9, `${segments.length} segments`);
  assert.equal(segments[0]!.name, "0000000000000000.wal");
  for (const s of segments) {
    assert.equal(s.name, `${s.startLsn.toString(16).padStart(16, "0")}.wal`);
  }
  assert.equal(readAll(fs, "/w").records.length, 100);
  const removed = wal.recycle(ends[50]!);
  assert.ok(removed > 0);
  const left = listSegments(fs, "/w");
  assert.ok(left[0]!.startLsn <= ends[50]!);
  const fromMiddle = readAll(fs, "/w", ends[50]!);
  assert.equal(fromMiddle.records.length, 49);
  assert.throws(() => readAll(fs, "/w", 0), /starts at LSN/);
  wal.close();
});

Deno.test("Wal fails every later call after a failed fdatasync", async () => {
  const fs = new SimFileSystem({ seed: 1 });
  fs.mkdir("/w");
  const wal = Wal.open({ fs, dir: "/w" }, 0);
  await wal.flush(wal.append(16, payload(1)));
  fs.failSyncAfter = 0;
  const lsn = wal.append(16, payload(2));
  await assert.rejects(wal.flush(lsn), IoError);
  assert.ok(wal.flushedLsn < lsn, "a failed flush does not advance the durable LSN");
  assert.throws(() => wal.append(16, payload(3)), /unusable/);
  await assert.rejects(wal.flush(lsn), /unusable/);
});

Deno.test("Wal reports a full disk as SQLSTATE 53100 to the flusher", async () => {
  const fs = new SimFileSystem({ seed: 2 });
  fs.mkdir("/w");
  const wal = Wal.open({ fs, dir: "/w" }, 0);
  fs.freeBytes = 100;
  const lsn = wal.append(16, payload(1, 500));
  await assert.rejects(wal.flush(lsn), (error: IoError) => error.sqlstate === "53100");
});

Deno.test("Wal zero-fills ahead of its end; the zeros read as a clean end and appends continue", async () => {
  const fs = new MemFileSystem();
  fs.mkdir("/w");
  const wal = Wal.open({ fs, dir: "/w" }, 0);
  for (let i = 0; i < 10; i++) wal.append(16, payload(i));
  await wal.flush(wal.endLsn);
  const segment = listSegments(fs, "/w")[0]!;
  const file = fs.open(segment.path, {});
  assert.ok(file.size() > wal.endLsn, "zeros were written ahead of the end");
  file.close();
  const scan = readAll(fs, "/w");
  assert.equal(scan.torn, false);
  assert.equal(scan.endLsn, wal.endLsn);
  // Reopen at the end without truncating (as after a crash) and keep appending.
  const again = Wal.open({ fs, dir: "/w" }, scan.endLsn);
  await again.flush(again.append(18, payload(77)));
  const after = readAll(fs, "/w");
  assert.equal(after.records.length, 11);
  assert.equal(after.records[10]!.kind, 18);
  again.close();
  // The first writer is abandoned, as a crashed process's would be (in-memory files hold no descriptors).
});

Deno.test("Wal writes a large backlog out before it is flushed, without syncing", () => {
  const fs = new CountingFileSystem(new MemFileSystem());
  fs.mkdir("/w");
  const wal = Wal.open({ fs, dir: "/w" }, 0);
  for (let i = 0; i < 400; i++) wal.append(16, payload(i, 8000));
  assert.ok(wal.writtenLsn > 0, "the backlog reached the file");
  assert.ok(wal.endLsn - wal.writtenLsn < 2 * 1024 * 1024, "the buffer stays bounded");
  assert.equal(wal.flushedLsn, 0);
  assert.equal(fs.syncs, 0);
  wal.close();
});

Deno.test("Wal.flushSync() during an in-flight flush makes that flush's bytes durable too", async () => {
  const fs = new SimFileSystem({ seed: 11, keepUnsyncedChance: 0 });
  fs.mkdir("/w");
  const view = fs.view();
  const wal = Wal.open({ fs: view, dir: "/w" }, 0);
  await wal.flush(wal.append(16, payload(0)));
  const lsn = wal.append(16, payload(1));
  const pending = wal.flush(lsn); // its leader has written the record and awaits the sync
  wal.flushSync(lsn); // e.g. a page eviction: must not trust the unfinished sync
  assert.ok(wal.flushedLsn >= lsn);
  fs.crash();
  await assert.rejects(pending, IoError);
  const scan = readAll(fs, "/w");
  assert.equal(scan.records.length, 2, "the record flushSync reported durable survived the crash");
});
