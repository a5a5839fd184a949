import assert from "node:assert/strict";
import {
  createHeap,
  HeapCursor,
  heapDelete,
  heapDrop,
  heapGet,
  heapInlineBytesMax,
  heapInsert,
  heapInsertOn,
  heapScan,
  heapStats,
  heapUpdate,
  heapView,
} from "../../../src/storage/heap/mod.ts";
import { createBTree } from "../../../src/storage/btree/mod.ts";
import { CorruptError } from "../../../src/common/errors.ts";
import { MemPageStore } from "../_mem_pages.ts";

function setup(pageSize = 4096): { store: MemPageStore; heap: number } {
  const store = new MemPageStore({ pageSize });
  return { store, heap: store.update((m) => createHeap(m)) };
}

const row = (n: number, size = 50) => new Uint8Array(size).fill(n & 0xff);
const used = (store: MemPageStore) => store.pageCount - 1 - store.freeCount;

Deno.test("Heap insert returns pageId * 65536 + slot and get reads the row back", () => {
  const { store, heap } = setup();
  const a = store.update((m) => heapInsert(m, heap, row(1)));
  const b = store.update((m) => heapInsert(m, heap, row(2)));
  assert.equal(b, a + 1, "consecutive slots of one page");
  assert.equal(a % 65536, 0);
  assert.ok(Math.floor(a / 65536) > heap);
  assert.deepEqual(store.view((r) => heapGet(r, heap, a)), row(1));
  assert.deepEqual(store.view((r) => heapGet(r, heap, b)), row(2));
  assert.equal(store.view((r) => heapGet(r, heap, b + 1)), undefined);
  assert.equal(store.update((m) => heapDelete(m, heap, a)), true);
  assert.equal(store.update((m) => heapDelete(m, heap, a)), false);
  assert.equal(store.view((r) => heapGet(r, heap, a)), undefined);
});

Deno.test("Heap view reads inline rows in place and overflow rows as copies", () => {
  const { store, heap } = setup();
  const small = store.update((m) => heapInsert(m, heap, row(7)));
  const big = store.update((m) => heapInsert(m, heap, row(9, heapInlineBytesMax(4096) + 100)));
  store.view((r) => {
    const v = heapView(r, heap, small)!;
    assert.deepEqual(v.slice(), row(7));
    assert.equal(v.buffer, r.read(Math.floor(small / 65536)).data.buffer, "a view of the page");
    assert.deepEqual(heapView(r, heap, big), row(9, heapInlineBytesMax(4096) + 100));
    assert.equal(heapView(r, heap, Math.max(small, big) + 1), undefined);
  });
});

Deno.test("Heap reuses the space of deleted rows through its free-space list", () => {
  const { store, heap } = setup();
  const ids: number[] = [];
  for (let i = 0; i < 3000; i++) ids.push(store.update((m) => heapInsert(m, heap, row(i, 80))));
  const pages = store.view((r) => heapStats(r, heap)).dataPages;
  for (const id of ids) store.update((m) => heapDelete(m, heap, id));
  for (let i = 0; i < 3000; i++) store.update((m) => heapInsert(m, heap, row(i, 80)));
  const after = store.view((r) => heapStats(r, heap));
  assert.equal(after.rows, 3000);
  assert.ok(after.dataPages <= pages + 1, `${after.dataPages} pages, first ${pages}`);
});

Deno.test("Heap compacts a fragmented page to fit a larger row", () => {
  const { store, heap } = setup();
  const ids: number[] = [];
  for (let i = 0; i < 40; i++) ids.push(store.update((m) => heapInsert(m, heap, row(i, 90))));
  const page = Math.floor(ids[0]! / 65536);
  assert.ok(ids.every((id) => Math.floor(id / 65536) === page));
  for (let i = 0; i < 40; i += 2) store.update((m) => heapDelete(m, heap, ids[i]!));
  const big = store.update((m) => heapInsert(m, heap, row(7, 900)));
  assert.equal(Math.floor(big / 65536), page, "the row went into the compacted page");
  assert.deepEqual(store.view((r) => heapGet(r, heap, big)), row(7, 900));
  for (let i = 1; i < 40; i += 2) {
    assert.deepEqual(store.view((r) => heapGet(r, heap, ids[i]!)), row(i, 90));
  }
});

Deno.test("Heap update keeps the row id when the row fits and moves it otherwise", () => {
  const { store, heap } = setup();
  const ids: number[] = [];
  for (let i = 0; i < 45; i++) ids.push(store.update((m) => heapInsert(m, heap, row(i, 85))));
  const id = ids[3]!;
  assert.equal(store.update((m) => heapUpdate(m, heap, id, row(9, 85))), id);
  assert.equal(store.update((m) => heapUpdate(m, heap, id, row(9, 20))), id);
  assert.deepEqual(store.view((r) => heapGet(r, heap, id)), row(9, 20));
  const moved = store.update((m) => heapUpdate(m, heap, id, row(8, 900)));
  assert.notEqual(moved, id);
  assert.equal(store.view((r) => heapGet(r, heap, id)), undefined);
  assert.deepEqual(store.view((r) => heapGet(r, heap, moved)), row(8, 900));
});

Deno.test("Heap update shrinks a row in place and its freed bytes serve later rows on the page", () => {
  const { store, heap } = setup();
  const ids: number[] = [];
  for (let i = 0; i < 45; i++) ids.push(store.update((m) => heapInsert(m, heap, row(i, 85))));
  const page = Math.floor(ids[0]! / 65536);
  const samePage = ids.filter((id) => Math.floor(id / 65536) === page);
  for (const id of samePage) {
    assert.equal(store.update((m) => heapUpdate(m, heap, id, row(id % 200, 10))), id);
  }
  for (const id of samePage) {
    assert.deepEqual(store.view((r) => heapGet(r, heap, id)), row(id % 200, 10));
  }
  // The page was full; the shrunk rows left room that compaction hands to new rows.
  const added = store.update((m) => heapInsertOn(m, heap, page, row(1, 600)));
  assert.equal(Math.floor(added / 65536), page);
  assert.deepEqual(store.view((r) => heapGet(r, heap, added)), row(1, 600));
  for (const id of samePage) {
    assert.deepEqual(store.view((r) => heapGet(r, heap, id)), row(id % 200, 10));
  }
  assert.equal(store.update((m) => heapInsertOn(m, heap, page, row(2, 3000))), -1);
});

Deno.test("Heap stores rows larger than a page in overflow chains", () => {
  const { store, heap } = setup();
  const before = used(store);
  const big = new Uint8Array(50_000).map((_, i) => i % 251);
  const id = store.update((m) => heapInsert(m, heap, big));
  assert.ok(big.length > heapInlineBytesMax(4096));
  assert.deepEqual(store.view((r) => heapGet(r, heap, id)), big);
  const scanned: number[] = [];
  store.view((r) => heapScan(r, heap, (_id, bytes) => (scanned.push(bytes.length), true)));
  assert.deepEqual(scanned, [50_000]);
  assert.equal(store.update((m) => heapUpdate(m, heap, id, row(1, 10))), id);
  assert.equal(used(store), before + 1, "the chain was freed; one data page remains");
  const id2 = store.update((m) => heapInsert(m, heap, big));
  store.update((m) => heapDelete(m, heap, id2));
  assert.equal(used(store), before + 1);
});

Deno.test("Heap cursor resumes across views and sees rows added ahead of it", () => {
  const { store, heap } = setup();
  const ids: number[] = [];
  for (let i = 0; i < 500; i++) ids.push(store.update((m) => heapInsert(m, heap, row(i, 100))));
  const cursor = new HeapCursor(heap);
  const seen: number[] = [];
  store.view((r) => cursor.next(r, 100, (id) => (seen.push(id), true)));
  assert.deepEqual(seen, ids.slice(0, 100));
  store.update((m) => heapDelete(m, heap, ids[200]!));
  const late = store.update((m) => heapInsert(m, heap, row(1, 4000 - 200)));
  while (!cursor.done) store.view((r) => cursor.next(r, 100, (id) => (seen.push(id), true)));
  const expected = [...ids.filter((_, i) => i !== 200), late];
  assert.deepEqual(seen.sort((a, b) => a - b), expected.sort((a, b) => a - b));
});

Deno.test("Heap drop frees its header, data and overflow pages", () => {
  const { store, heap } = setup();
  for (let i = 0; i < 300; i++) {
    store.update((m) => heapInsert(m, heap, row(i, i % 50 === 0 ? 10_000 : 120)));
  }
  store.update((m) => heapDrop(m, heap));
  assert.equal(used(store), 0);
});

Deno.test("Heap rejects a row id whose page belongs to something else with CorruptError", () => {
  const { store, heap } = setup();
  const tree = store.update((m) => createBTree(m));
  assert.throws(
    () => store.view((r) => heapGet(r, heap, tree * 65536)),
    (e: unknown) => e instanceof CorruptError && /not a data page of heap/.test(e.message),
  );
});

Deno.test("Heap works on 64 KiB pages, whose cell offsets reach the u16 limit", () => {
  const { store, heap } = setup(65536);
  const ids = [store.update((m) => heapInsert(m, heap, new Uint8Array(0)))];
  for (let i = 0; i < 2000; i++) ids.push(store.update((m) => heapInsert(m, heap, row(i, 70))));
  assert.deepEqual(store.view((r) => heapGet(r, heap, ids[0]!)), new Uint8Array(0));
  for (let i = 1; i < ids.length; i += 3) {
    assert.deepEqual(store.view((r) => heapGet(r, heap, ids[i]!)), row(i - 1, 70));
  }
  assert.equal(store.view((r) => heapStats(r, heap)).rows, 2001);
});
