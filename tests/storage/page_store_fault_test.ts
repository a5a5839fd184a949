import assert from "node:assert/strict";
import { CorruptError, IoError } from "../../src/common/errors.ts";
import { PageType } from "../../src/storage/page.ts";
import { openPageStore, type PageStore } from "../../src/storage/page_store.ts";
import type { RedoRecord, WalParticipant } from "../../src/storage/wal_port.ts";
import { SimFileSystem } from "../sim/sim_disk.ts";

const pageSize = 8192;

function options(fs: SimFileSystem, extra: { participants?: WalParticipant[] } = {}) {
  return {
    fs: fs.view(),
    dataDir: "/db",
    walDir: "/db/wal",
    pageSize,
    bufferPoolBytes: 16 * pageSize,
    ...extra,
  };
}

function write(store: PageStore, id: number, value: number): void {
  store.update((m) => {
    const page = m.write(id);
    page.data.fill(value, 64, pageSize);
    m.logRange(page, 64, pageSize - 64);
  });
}

function valueOf(store: PageStore, id: number): number {
  return store.view((r) => {
    const data = r.read(id).data;
    for (let i = 64; i < pageSize; i++) assert.equal(data[i], data[64], `page ${id} is uniform`);
    return data[64]!;
  });
}

async function storeWithPages(
  fs: SimFileSystem,
  count: number,
): Promise<{ store: PageStore; ids: number[] }> {
  const store = await openPageStore(options(fs));
  const ids: number[] = [];
  for (let i = 0; i < count; i++) store.update((m) => ids.push(m.allocate(PageType.heap).id));
  for (const id of ids) write(store, id, 1);
  await store.checkpoint();
  return { store, ids };
}

Deno.test("A corrupted data page fails its read with CorruptError naming file and page", async () => {
  const fs = new SimFileSystem({ seed: 3 });
  const { store, ids } = await storeWithPages(fs, 4);
  await store.close();
  const victim = ids[2]!;
  fs.flipBit("/db/thunder.db", victim * pageSize + 100, (victim + 1) * pageSize);
  const again = await openPageStore(options(fs));
  assert.equal(valueOf(again, ids[1]!), 1);
  assert.throws(
    () => valueOf(again, victim),
    (error: CorruptError) =>
      error instanceof CorruptError &&
      error.message.startsWith(`Page ${victim} of /db/thunder.db failed its checksum`),
  );
  await again.close();
});

Deno.test("Recovery repairs a torn data page from the full page image in the WAL", async () => {
  const fs = new SimFileSystem({ seed: 4 });
  const { store, ids } = await storeWithPages(fs, 3);
  // A one-byte change, but the first since the checkpoint, so it is logged as a full image.
  store.update((m) => {
    const page = m.write(ids[0]!);
    page.data[5000] = 9;
    m.logRange(page, 5000, 1);
  });
  const imageEnd = store.wal.endLsn;
  store.update((m) => {
    const page = m.write(ids[0]!);
    page.data[6000] = 8;
    m.logRange(page, 6000, 1);
  });
  await store.wal.flush(store.wal.endLsn);
  assert.ok(store.wal.endLsn - imageEnd < 100, "the second change is a small delta");
  // Tear the page on disk as a crash in the middle of its write would.
  fs.flipBit("/db/thunder.db", ids[0]! * pageSize + 4096, (ids[0]! + 1) * pageSize);
  fs.crash();
  const again = await openPageStore(options(fs));
  again.view((r) => {
    const data = r.read(ids[0]!).data;
    assert.equal(data[5000], 9);
    assert.equal(data[6000], 8);
    assert.equal(data[64], 1);
    assert.equal(data[pageSize - 1], 1);
  });
  assert.equal(valueOf(again, ids[1]!), 1);
  await again.close();
});

Deno.test("A full disk fails the commit with 53100 and committed data survives the reopen", async () => {
  const fs = new SimFileSystem({ seed: 5 });
  const { store, ids } = await storeWithPages(fs, 3);
  write(store, ids[0]!, 7);
  await store.wal.flush(store.wal.endLsn); // acknowledged
  fs.freeBytes = 1000;
  write(store, ids[1]!, 8);
  await assert.rejects(
    store.wal.flush(store.wal.endLsn),
    (e: IoError) => e instanceof IoError && e.sqlstate === "53100",
  );
  assert.throws(() => write(store, ids[2]!, 9), IoError, "the store refuses changes it cannot log");
  await assert.rejects(store.close(), IoError);
  fs.crash();
  const again = await openPageStore(options(fs));
  assert.equal(valueOf(again, ids[0]!), 7);
  assert.equal(valueOf(again, ids[2]!), 1);
  await again.close();
});

Deno.test("A failed data-file write during a checkpoint is reported and loses nothing", async () => {
  const fs = new SimFileSystem({ seed: 6 });
  const { store, ids } = await storeWithPages(fs, 3);
  for (const id of ids) write(store, id, 5);
  await store.wal.flush(store.wal.endLsn);
  fs.failWriteAfter = 1;
  await assert.rejects(store.checkpoint(), /injected EIO/);
  fs.crash();
  const again = await openPageStore(options(fs));
  for (const id of ids) assert.equal(valueOf(again, id), 5);
  await again.close();
});

Deno.test("Recovery routes other record kinds to their participant, after its restored LSN", async () => {
  const fs = new SimFileSystem({ seed: 7 });
  const seen: RedoRecord[] = [];
  let persisted = 0;
  const participant = (restored: number): WalParticipant => ({
    kinds: [32, 33],
    redo: (record) => void seen.push(record),
    restoredLsn: () => restored,
    checkpoint: (lsn) => {
      persisted = lsn;
      return Promise.resolve();
    },
  });
  const store = await openPageStore(options(fs, { participants: [participant(0)] }));
  const lsns: number[] = [];
  for (let i = 0; i < 5; i++) lsns.push(store.wal.append(32 + (i % 2), new Uint8Array([i, i])));
  store.wal.append(40, new Uint8Array([1])); // a kind nobody owns is skipped
  await store.wal.flush(store.wal.endLsn);
  fs.crash();
  const again = await openPageStore(options(fs, { participants: [participant(lsns[1]!)] }));
  assert.deepEqual(seen.map((r) => r.lsn), lsns.slice(2));
  assert.deepEqual(seen.map((r) => r.kind), [32, 33, 32]);
  assert.deepEqual([...seen[0]!.payload], [2, 2]);
  await again.checkpoint();
  assert.ok(persisted >= lsns[4]!, "a checkpoint asks participants to persist up to its redo LSN");
  await again.close();
});

Deno.test("Unacknowledged changes may be lost in a crash, acknowledged ones never", async () => {
  const fs = new SimFileSystem({ seed: 8, keepUnsyncedChance: 0 });
  const { store, ids } = await storeWithPages(fs, 2);
  write(store, ids[0]!, 4);
  await store.wal.flush(store.wal.endLsn);
  write(store, ids[1]!, 6);
  fs.crash();
  const again = await openPageStore(options(fs));
  assert.equal(valueOf(again, ids[0]!), 4);
  assert.equal(valueOf(again, ids[1]!), 1, "the unsynced change was dropped with its WAL record");
  await again.close();
});
