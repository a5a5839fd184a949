import assert from "node:assert/strict";
import { ConfigError, CorruptError, IoError } from "../../src/common/errors.ts";
import type { FileSystem } from "../../src/storage/os/file_system.ts";
import { FsFileSystem } from "../../src/storage/os/fs_file.ts";
import { LibcFileSystem } from "../../src/storage/os/libc.ts";
import { MemFileSystem } from "../../src/storage/os/mem_file_system.ts";
import { PageType } from "../../src/storage/page.ts";
import { openPageStore, type PageStore } from "../../src/storage/page_store.ts";
import { listSegments } from "../../src/storage/wal/mod.ts";

const pageSize = 4096;

function options(fs: FileSystem, dir: string) {
  return { fs, dataDir: dir, walDir: `${dir}/wal`, pageSize, bufferPoolBytes: 16 * pageSize };
}

/** Allocates `count` heap pages, each holding its index at byte 100, in one update each. */
function fill(store: PageStore, count: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    store.update((m) => {
      const page = m.allocate(PageType.heap);
      page.data[100] = i & 0xff;
      page.data[101] = i >> 8;
      m.logRange(page, 100, 2);
      ids.push(page.id);
    });
  }
  return ids;
}

function check(store: PageStore, ids: number[]): void {
  ids.forEach((id, i) =>
    store.view((r) => {
      const data = r.read(id).data;
      assert.equal(data[100]! | (data[101]! << 8), i, `page ${id}`);
      assert.equal(data[16], PageType.heap);
    })
  );
}

for (
  const [name, make] of [
    ["libc", () => new LibcFileSystem()],
    ["Deno.FsFile", () => new FsFileSystem()],
  ] as const
) {
  Deno.test(`openPageStore() on ${name}: data survives close, and a reopen without close`, async () => {
    const dir = await Deno.makeTempDir({ dir: ".", prefix: ".tmp_store_" });
    try {
      const fs = make();
      const store = await openPageStore(options(fs, dir));
      const ids = fill(store, 60);
      store.update((m) => m.setRoot(0, ids[7]!));
      await store.close();
      const again = await openPageStore(options(fs, dir));
      check(again, ids);
      assert.equal(again.view((r) => r.root(0)), ids[7]);
      const more = fill(again, 30);
      await again.wal.flush(again.wal.endLsn);
      // Not closed: the next open recovers from the WAL.
      const recovered = await openPageStore(options(fs, dir));
      check(recovered, ids);
      check(recovered, more);
      await recovered.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("PageStore.update() restores before-images and logs nothing when the callback throws", async () => {
  const store = await openPageStore(options(new MemFileSystem(), "/db"));
  const [id] = fill(store, 1);
  const before = store.stats();
  assert.throws(() =>
    store.update((m) => {
      const page = m.write(id!);
      page.data.fill(0xaa, 100, 200);
      m.logRange(page, 100, 100);
      m.allocate(PageType.heap);
      m.setRoot(3, 77);
      m.free(id!);
      throw new Error("boom");
    }), /boom/);
  const after = store.stats();
  assert.equal(after.walRecords, before.walRecords);
  assert.equal(after.pageCount, before.pageCount);
  store.view((r) => {
    assert.equal(r.read(id!).data[100], 0);
    assert.equal(r.read(id!).data[16], PageType.heap);
    assert.equal(r.root(3), 0);
  });
  await store.close();
});

Deno.test("PageStore.update() rolls patched ranges back, also after a later write() of the page", async () => {
  const store = await openPageStore(options(new MemFileSystem(), "/db"));
  const [a, b] = fill(store, 2);
  const bytes = (id: number) => store.view((r) => Array.from(r.read(id).data.subarray(96, 112)));
  const original = [bytes(a!), bytes(b!)];
  assert.throws(() =>
    store.update((m) => {
      // Page a: two overlapping patches, then a write() that must rebuild its before-image.
      const pa = m.read(a!);
      m.patch(pa, 98, 4);
      pa.data.fill(0x11, 98, 102);
      m.patch(pa, 100, 6);
      pa.data.fill(0x22, 100, 106);
      m.write(a!).data.fill(0x33, 96, 112);
      m.logRange(pa, 96, 16);
      // Page b: patched only.
      const pb = m.read(b!);
      m.patch(pb, 100, 2);
      pb.data.fill(0x44, 100, 102);
      throw new Error("boom");
    }), /boom/);
  assert.deepEqual([bytes(a!), bytes(b!)], original);
  // A committed patch is kept.
  store.update((m) => {
    const pb = m.read(b!);
    m.patch(pb, 104, 1);
    pb.data[104] = 7;
  });
  assert.equal(bytes(b!)[8], 7);
  await store.close();
});

Deno.test("PageStore with walSync discard keeps pages, LSNs and rollback without a log", async () => {
  const fs = new MemFileSystem();
  const store = await openPageStore({ ...options(fs, "/d"), walSync: "discard" });
  const ids = fill(store, 40);
  check(store, ids);
  const lsn = store.wal.endLsn;
  assert.ok(lsn > 0);
  assert.throws(() =>
    store.update((m) => {
      const page = m.write(ids[3]!);
      page.data[100] = 99;
      m.logRange(page, 100, 1);
      throw new Error("boom");
    }), /boom/);
  check(store, ids);
  assert.equal(store.wal.endLsn, lsn, "a rolled-back update numbers no record");
  assert.equal(store.wal.flushedLsn, store.wal.endLsn);
  await store.checkpoint();
  check(store, ids);
  await store.close();
});

Deno.test("PageStore reuses freed pages through the free list", async () => {
  const store = await openPageStore(options(new MemFileSystem(), "/db"));
  const ids = fill(store, 5);
  store.update((m) => {
    m.free(ids[1]!);
    m.free(ids[3]!);
  });
  const count = store.stats().pageCount;
  const reused = fill(store, 3);
  assert.deepEqual(reused.slice(0, 2), [ids[3], ids[1]]);
  assert.equal(store.stats().pageCount, count + 1);
  assert.throws(() => store.update((m) => m.free(reused[0]!) ?? m.free(reused[0]!)), /freed twice/);
  await store.close();
});

Deno.test("PageStore rejects misuse: nested update, async callback, undeclared page, bad root slot", async () => {
  const store = await openPageStore(options(new MemFileSystem(), "/db"));
  const [id] = fill(store, 1);
  assert.throws(() => store.update(() => store.update(() => 1)), /inside another update/);
  assert.throws(() => store.update(async () => {}), /synchronous/);
  assert.throws(() => store.update((m) => m.logRange(m.read(id!), 100, 1)), /without write\(\)/);
  assert.throws(() => store.view((r) => r.root(16)), /outside 0\.\.15/);
  assert.throws(() => store.view((r) => r.read(10_000)), CorruptError);
  assert.equal(store.update((m) => m.write(id!).id), id, "update returns the callback's value");
  await store.close();
});

Deno.test("openPageStore() refuses a page size that differs from the database's", async () => {
  const fs = new MemFileSystem();
  await (await openPageStore(options(fs, "/db"))).close();
  await assert.rejects(openPageStore({ ...options(fs, "/db"), pageSize: 8192 }), ConfigError);
  const store = await openPageStore({ fs, dataDir: "/db", walDir: "/db/wal" });
  assert.equal(store.pageSize, pageSize, "an unspecified page size takes the database's");
  await store.close();
});

Deno.test("PageStore.checkpoint() lets old WAL segments go and the store keeps working", async () => {
  const fs = new MemFileSystem();
  const store = await openPageStore({ ...options(fs, "/db"), walSegmentBytes: 16 * 1024 });
  const ids = fill(store, 100);
  await store.wal.flush(store.wal.endLsn);
  const before = listSegments(fs, "/db/wal").length;
  assert.ok(before > 3, `${before} segments`);
  await store.checkpoint();
  const after = listSegments(fs, "/db/wal").length;
  assert.ok(after < before, `${before} -> ${after} segments`);
  assert.equal(store.stats().checkpoints, 1);
  await store.close();
  const again = await openPageStore(options(fs, "/db"));
  check(again, ids);
  await again.close();
  await assert.rejects(again.checkpoint(), IoError);
});

Deno.test("PageStore.stats() counts reads, writes, syncs and evictions", async () => {
  const store = await openPageStore(options(new MemFileSystem(), "/db"));
  fill(store, 40);
  await store.wal.flush(store.wal.endLsn);
  const stats = store.stats();
  assert.equal(stats.frames, 16);
  assert.ok(stats.cachedPages <= 16);
  assert.ok(stats.evictions >= 24);
  assert.ok(stats.pagesWritten >= 24);
  assert.ok(stats.walSyncs >= 1);
  assert.ok(stats.walBytes > 40 * pageSize, "each new page is logged as a full image");
  assert.equal(stats.walRecords, 40);
  assert.equal(stats.pageCount, 41);
  await store.close();
});

Deno.test("PageStore checkpoints in the background once enough WAL accumulates", async () => {
  const fs = new MemFileSystem();
  const store = await openPageStore({ ...options(fs, "/db"), checkpointWalBytes: 64 * 1024 });
  const ids = fill(store, 40); // 40 full-page images: about 160 KiB of WAL
  await store.wal.flush(store.wal.endLsn);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.ok(store.stats().checkpoints >= 1, "a checkpoint ran without being asked");
  check(store, ids);
  await store.close();
});

Deno.test("A background checkpoint lets updates run between page writes and recovery keeps both", async () => {
  const fs = new MemFileSystem();
  const opts = { ...options(fs, "/db"), bufferPoolBytes: 256 * pageSize };
  const store = await openPageStore({ ...opts, checkpointWalBytes: 100 * pageSize });
  const ids = fill(store, 120); // past 100 page images: a checkpoint starts with ~120 dirty pages
  const more: number[] = [];
  // Updates made while the checkpoint yields between runs of page writes.
  for (let i = 0; i < 20 && store.stats().checkpoints === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    more.push(...fill(store, 1));
  }
  assert.ok(more.length > 1, "the checkpoint let other work run before it finished");
  for (let i = 0; i < 50 && store.stats().checkpoints === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.ok(store.stats().checkpoints >= 1);
  await store.wal.flush(store.wal.endLsn);
  // Not closed: the next open recovers from the checkpoint and the WAL after it.
  const recovered = await openPageStore(opts);
  check(recovered, ids);
  more.forEach((id) => recovered.view((r) => assert.equal(r.read(id).data[16], PageType.heap)));
  await recovered.close();
  await store.close();
});

Deno.test("openPageStore() refuses to wipe a database whose control file is missing", async () => {
  const fs = new MemFileSystem();
  const store = await openPageStore(options(fs, "/db"));
  fill(store, 3);
  await store.close();
  fs.remove("/db/control");
  await assert.rejects(openPageStore(options(fs, "/db")), /control file is missing/);
});
