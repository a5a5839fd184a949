import assert from "node:assert/strict";
import {
  btreeCheck,
  BTreeCursor,
  btreeDelete,
  btreeDrop,
  btreeGet,
  btreeInsert,
  btreeKeyBytesMax,
  btreeScan,
  createBTree,
} from "../../../src/storage/btree/mod.ts";
import { CorruptError, LimitError } from "../../../src/common/errors.ts";
import { encodeKey, type KeyColumn } from "../../../src/storage/key_codec.ts";
import { createHeap } from "../../../src/storage/heap/mod.ts";
import { MemPageStore } from "../_mem_pages.ts";
import { Random } from "./_random.ts";

const int4: KeyColumn[] = [{ type: "int4" }];
const key = (n: number) => encodeKey([n], int4);
const text = new TextEncoder();
const value = (s: string) => text.encode(s);

function setup(pageSize = 4096): { store: MemPageStore; root: number } {
  const store = new MemPageStore({ pageSize });
  return { store, root: store.update((m) => createBTree(m)) };
}

function keysOf(store: MemPageStore, root: number, reverse = false): number[] {
  const out: number[] = [];
  store.view((r) =>
    btreeScan(r, root, { reverse }, (k) => {
      out.push(new DataView(k.buffer, k.byteOffset).getUint32(1) ^ 0x80000000);
      return true;
    })
  );
  return out.map((n) => n | 0);
}

Deno.test("BTree insert splits a full leaf and keeps the root page id", () => {
  const { store, root } = setup();
  let n = 0;
  while (store.view((r) => btreeCheck(r, root)).depth === 0) {
    store.update((m) => btreeInsert(m, root, key(n), new Uint8Array(100)));
    n++;
  }
  const stats = store.view((r) => btreeCheck(r, root));
  assert.equal(stats.leafPages, 2);
  assert.equal(stats.entries, n);
  assert.ok(n > 30, `a 4 KiB leaf held ${n - 1} entries of 100 bytes`);
  assert.deepEqual(keysOf(store, root), Array.from({ length: n }, (_, i) => i));
  assert.equal(store.view((r) => btreeGet(r, root, key(0)))?.length, 100);
});

Deno.test("BTree sequential inserts fill leaves to 90%, leaving room between their keys", () => {
  const { store, root } = setup();
  for (let i = 0; i < 20_000; i++) {
    store.update((m) => btreeInsert(m, root, key(2 * i), new Uint8Array(20)));
  }
  const loaded = store.view((r) => btreeCheck(r, root));
  const cell = 2 + 6 + 5 + 20;
  const perPage = Math.floor((4096 - 56) / cell);
  const atFill = Math.floor(perPage * 0.9);
  assert.ok(loaded.leafPages > Math.ceil(20_000 / perPage) + 1, `${loaded.leafPages} leaves`);
  assert.ok(loaded.leafPages <= Math.ceil(20_000 / atFill) + 1, `${loaded.leafPages} leaves`);
  assert.equal(loaded.depth, 1);
  // A few keys between the loaded ones per leaf (a non-HOT update's new entries) split nothing.
  for (let i = 0; i < 20_000; i += 20) {
    store.update((m) => btreeInsert(m, root, key(2 * i + 1), new Uint8Array(20)));
  }
  const after = store.view((r) => btreeCheck(r, root));
  assert.equal(after.leafPages, loaded.leafPages);
  assert.equal(after.entries, 21_000);
});

Deno.test("BTree delete merges nodes and returns every page to the free list", () => {
  const { store, root } = setup();
  const order = Array.from({ length: 6000 }, (_, i) => i);
  const rng = new Random(9);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const n of order) store.update((m) => btreeInsert(m, root, key(n), new Uint8Array(30)));
  const full = store.view((r) => btreeCheck(r, root));
  assert.ok(full.depth >= 1 && full.leafPages > 50);
  for (const n of order.slice(0, 5000)) {
    assert.equal(store.update((m) => btreeDelete(m, root, key(n))), true);
  }
  const partial = store.view((r) => btreeCheck(r, root));
  assert.equal(partial.entries, 1000);
  assert.ok(partial.leafPages < full.leafPages / 3, `${partial.leafPages} leaves after merges`);
  for (const n of order.slice(5000)) store.update((m) => btreeDelete(m, root, key(n)));
  assert.equal(store.pageCount - 1 - store.freeCount, 1, "only the root page is in use");
  assert.deepEqual(store.view((r) => btreeCheck(r, root)).depth, 0);
  assert.equal(store.update((m) => btreeDelete(m, root, key(1))), false);
});

Deno.test("BTree keeps large values in overflow chains and frees them on replace and delete", () => {
  const { store, root } = setup();
  const big = new Uint8Array(20_000).map((_, i) => i * 7);
  store.update((m) => btreeInsert(m, root, key(1), big));
  assert.equal(store.view((r) => btreeCheck(r, root)).overflowPages, 5);
  assert.deepEqual(store.view((r) => btreeGet(r, root, key(1))), big);
  const seen: number[] = [];
  store.view((r) => btreeScan(r, root, {}, (_k, v) => (seen.push(v.length), true)));
  assert.deepEqual(seen, [20_000]);
  assert.equal(store.update((m) => btreeInsert(m, root, key(1), value("small"))), true);
  assert.equal(store.pageCount - 1 - store.freeCount, 1);
  store.update((m) => btreeInsert(m, root, key(2), big));
  store.update((m) => btreeDelete(m, root, key(2)));
  assert.equal(store.pageCount - 1 - store.freeCount, 1);
  assert.deepEqual(store.view((r) => btreeGet(r, root, key(1))), value("small"));
});

Deno.test("BTree rejects a key over the size limit with LimitError 54000", () => {
  const { store, root } = setup();
  const max = btreeKeyBytesMax(4096);
  store.update((m) => btreeInsert(m, root, new Uint8Array(max).fill(1), value("ok")));
  const error = assert.throws(
    () => store.update((m) => btreeInsert(m, root, new Uint8Array(max + 1), value("x"))),
    (e: unknown) => e instanceof LimitError && e.sqlstate === "54000",
  );
  assert.equal(error, undefined);
  assert.equal(store.view((r) => btreeCheck(r, root)).entries, 1);
});

Deno.test("BTree unique insert keeps the existing value and reports it", () => {
  const { store, root } = setup();
  assert.equal(
    store.update((m) => btreeInsert(m, root, key(5), value("a"), { unique: true })),
    false,
  );
  assert.equal(
    store.update((m) => btreeInsert(m, root, key(5), value("b"), { unique: true })),
    true,
  );
  assert.deepEqual(store.view((r) => btreeGet(r, root, key(5))), value("a"));
  assert.equal(store.update((m) => btreeInsert(m, root, key(5), value("c"))), true);
  assert.deepEqual(store.view((r) => btreeGet(r, root, key(5))), value("c"));
});

Deno.test("BTree scans honour bounds and inclusivity in both directions", () => {
  const { store, root } = setup();
  for (let i = 0; i < 3000; i += 2) {
    store.update((m) => btreeInsert(m, root, key(i), value(`${i}`)));
  }
  const scan = (range: Parameters<typeof btreeScan>[2]) => {
    const out: number[] = [];
    store.view((r) =>
      btreeScan(r, root, range, (_k, v) => (out.push(Number(new TextDecoder().decode(v))), true))
    );
    return out;
  };
  assert.deepEqual(scan({ lower: key(100), upper: key(106) }), [100, 102, 104, 106]);
  assert.deepEqual(
    scan({ lower: key(100), upper: key(106), lowerInclusive: false, upperInclusive: false }),
    [102, 104],
  );
  assert.deepEqual(scan({ lower: key(101), upper: key(105), reverse: true }), [104, 102]);
  assert.deepEqual(scan({ upper: key(4), reverse: true }), [4, 2, 0]);
  assert.deepEqual(scan({ lower: key(2995) }), [2996, 2998]);
  assert.deepEqual(scan({ lower: key(5000) }), []);
  assert.equal(keysOf(store, root, true).length, 1500);
  assert.deepEqual(keysOf(store, root, true), keysOf(store, root).reverse());
});

Deno.test("BTree cursor resumes after its last key across views while the tree changes", () => {
  const { store, root } = setup();
  for (let i = 0; i < 1000; i++) store.update((m) => btreeInsert(m, root, key(i), value("v")));
  const cursor = new BTreeCursor(root, { lower: key(100), reverse: false });
  const seen: number[] = [];
  const take = () =>
    store.view((r) =>
      cursor.next(
        r,
        64,
        (k) => (seen.push(new DataView(k.buffer, k.byteOffset).getInt32(1) ^ -0x80000000), true),
      )
    );
  take();
  assert.equal(seen.length, 64);
  for (let i = 150; i < 400; i++) store.update((m) => btreeDelete(m, root, key(i)));
  store.update((m) => btreeInsert(m, root, key(5000), value("late")));
  while (!cursor.done) take();
  const expected = [
    ...Array.from({ length: 64 }, (_, i) => 100 + i),
    ...Array.from({ length: 600 }, (_, i) => 400 + i),
    5000,
  ];
  assert.deepEqual(seen, expected);
});

Deno.test("BTree orders composite keys with NULLs first or last as encoded", () => {
  const { store, root } = setup();
  const cols: KeyColumn[] = [
    { type: "text", nullsFirst: true },
    { type: "int8", descending: true, nullsFirst: false },
  ];
  const tuples: [string | null, bigint | null][] = [
    ["b", 1n],
    [null, 3n],
    ["a", null],
    ["a", 10n],
    ["a", -2n],
    ["ab", 0n],
    [null, null],
  ];
  for (const [i, t] of tuples.entries()) {
    store.update((m) => btreeInsert(m, root, encodeKey(t, cols), Uint8Array.of(i)));
  }
  const order: number[] = [];
  store.view((r) => btreeScan(r, root, {}, (_k, v) => (order.push(v[0]!), true)));
  assert.deepEqual(order.map((i) => tuples[i]), [
    [null, 3n],
    [null, null],
    ["a", 10n],
    ["a", -2n],
    ["a", null],
    ["ab", 0n],
    ["b", 1n],
  ]);
});

Deno.test("BTree logs byte ranges, not whole pages, for a small insert", () => {
  const { store, root } = setup(16384);
  for (let i = 0; i < 100; i++) store.update((m) => btreeInsert(m, root, key(i * 2), value("x")));
  const before = store.loggedBytes;
  store.update((m) => btreeInsert(m, root, key(51), value("hello")));
  const logged = store.loggedBytes - before;
  assert.ok(logged < 300, `${logged} bytes logged for one small insert`);
});

Deno.test("BTree drop frees every page of the tree", () => {
  const { store, root } = setup();
  for (let i = 0; i < 3000; i++) {
    store.update((m) => btreeInsert(m, root, key(i), new Uint8Array(i % 500 === 0 ? 9000 : 40)));
  }
  store.update((m) => btreeDrop(m, root));
  assert.equal(store.pageCount - 1 - store.freeCount, 0);
});

Deno.test("BTree reports a page that is not a node as CorruptError", () => {
  const store = new MemPageStore({ pageSize: 4096 });
  const heap = store.update((m) => createHeap(m));
  assert.throws(
    () => store.view((r) => btreeGet(r, heap, key(1))),
    (e: unknown) => e instanceof CorruptError && /not a B\+tree node/.test(e.message),
  );
});

Deno.test("BTree stays intact when an allocation fails in the middle of a split", () => {
  const { store, root } = setup();
  const rng = new Random(21);
  const model = new Map<number, number>();
  let failures = 0;
  for (let i = 0; i < 4000; i++) {
    const n = rng.int(100_000);
    store.allocationsUntilFailure = rng.int(4) === 0 ? 1 + rng.int(3) : undefined;
    const size = rng.int(20) === 0 ? 5000 : 40;
    try {
      store.update((m) => btreeInsert(m, root, key(n), new Uint8Array(size).fill(n & 0xff)));
      model.set(n, size);
    } catch (e) {
      assert.ok(e instanceof Error && /Injected allocation failure/.test(e.message));
      failures++;
    }
  }
  store.allocationsUntilFailure = undefined;
  assert.ok(failures > 10, `${failures} injected failures`);
  const stats = store.view((r) => btreeCheck(r, root));
  assert.equal(stats.entries, model.size);
  for (const [n, size] of model) {
    const got = store.view((r) => btreeGet(r, root, key(n)));
    assert.deepEqual(got, new Uint8Array(size).fill(n & 0xff));
  }
});
