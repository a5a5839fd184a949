import assert from "node:assert/strict";
import {
  createHeap,
  HeapCursor,
  heapDelete,
  heapGet,
  heapInsert,
  heapStats,
  heapUpdate,
} from "../../../src/storage/heap/mod.ts";
import { equalBytes, Random } from "../btree/_random.ts";
import { memStore, realStore, type TestStore } from "../btree/_stores.ts";

interface HeapFuzzConfig {
  seed: number;
  ops: number;
  rowBytesMax: number;
  bigRowEvery: number;
  /** Operations between reopen/crash rounds. */
  reopenEvery?: number;
  /** Run heapStats, which pins every data page (needs a pool larger than the heap). */
  statsCheck?: boolean;
}

function randomRow(rng: Random, config: HeapFuzzConfig, pageSize: number): Uint8Array {
  if (rng.int(config.bigRowEvery) === 0) return rng.bytes(pageSize / 3 + rng.int(pageSize * 2));
  return rng.bytes(rng.int(config.rowBytesMax));
}

function pick<T>(rng: Random, items: T[]): T | undefined {
  return items.length === 0 ? undefined : items[rng.int(items.length)];
}

function checkScan(
  store: TestStore,
  heap: number,
  model: Map<number, Uint8Array>,
  config: HeapFuzzConfig,
): void {
  const cursor = new HeapCursor(heap);
  const seen = new Set<number>();
  while (!cursor.done) {
    store.view((r) =>
      cursor.next(r, 500, (rowId, row) => {
        assert.ok(!seen.has(rowId), `row ${rowId} seen twice`);
        seen.add(rowId);
        assert.ok(equalBytes(row, model.get(rowId)), `scanned row ${rowId}`);
        return true;
      })
    );
  }
  assert.equal(seen.size, model.size);
  if (config.statsCheck ?? true) {
    assert.equal(store.view((r) => heapStats(r, heap)).rows, model.size);
  }
}

async function runHeapFuzz(initial: TestStore, config: HeapFuzzConfig): Promise<TestStore> {
  let store = initial;
  const rng = new Random(config.seed);
  const model = new Map<number, Uint8Array>();
  const ids: number[] = [];
  const position = new Map<number, number>();
  const dead: number[] = []; // recently deleted ids, possibly reused since

  const heap = store.update((m) => createHeap(m));
  const removeId = (rowId: number) => {
    const i = position.get(rowId)!;
    const last = ids.pop()!;
    if (last !== rowId) {
      ids[i] = last;
      position.set(last, i);
    }
    position.delete(rowId);
    model.delete(rowId);
  };
  const addId = (rowId: number, row: Uint8Array) => {
    assert.ok(!model.has(rowId), `row id ${rowId} handed out twice`);
    model.set(rowId, row);
    position.set(rowId, ids.length);
    ids.push(rowId);
  };
  for (let op = 0; op < config.ops; op++) {
    const grow = Math.floor((op * 4) / config.ops) % 2 === 0;
    const p = rng.next();
    if (p < (grow ? 0.45 : 0.2) || ids.length === 0) {
      const row = randomRow(rng, config, store.pageSize);
      addId(store.update((m) => heapInsert(m, heap, row)), row);
    } else if (p < 0.5) {
      const rowId = pick(rng, ids)!;
      assert.equal(store.update((m) => heapDelete(m, heap, rowId)), true);
      removeId(rowId);
      dead[op % 64] = rowId;
    } else if (p < 0.7) {
      const rowId = pick(rng, ids)!;
      const row = randomRow(rng, config, store.pageSize);
      const next = store.update((m) => heapUpdate(m, heap, rowId, row));
      removeId(rowId);
      if (next !== rowId) dead[op % 64] = rowId;
      addId(next, row);
    } else if (p < 0.999) {
      const rowId = rng.int(3) === 0 ? pick(rng, dead) : pick(rng, ids);
      if (rowId === undefined) continue;
      const got = store.view((r) => heapGet(r, heap, rowId));
      assert.ok(equalBytes(got, model.get(rowId)), `get ${rowId} op ${op} seed ${config.seed}`);
    } else {
      checkScan(store, heap, model, config);
    }
    const every = config.reopenEvery ?? 10_000;
    if (op % every === every - 1) {
      store = op % (2 * every) === every - 1 ? await store.reopen() : await store.crash();
    }
  }
  checkScan(store, heap, model, config);
  return store;
}

Deno.test("Heap matches a Map model over 100k random operations (logging checked)", async () => {
  await runHeapFuzz(memStore(4096), { seed: 11, ops: 100_000, rowBytesMax: 200, bigRowEvery: 300 });
});

Deno.test("Heap matches a Map model with large and empty rows on 8 KiB pages", async () => {
  await runHeapFuzz(memStore(8192), { seed: 5, ops: 20_000, rowBytesMax: 2500, bigRowEvery: 20 });
});

Deno.test("Heap matches a Map model on the page store across close, crash and reopen", async () => {
  const store = await runHeapFuzz(await realStore(4096), {
    seed: 12,
    ops: 100_000,
    rowBytesMax: 300,
    bigRowEvery: 100,
  });
  await store.close();
});

Deno.test("Heap matches a Map model on the page store with a tiny buffer pool", async () => {
  const store = await runHeapFuzz(await realStore(4096, 64 * 4096), {
    seed: 13,
    ops: 30_000,
    rowBytesMax: 300,
    bigRowEvery: 500,
    reopenEvery: 5_000,
    statsCheck: false,
  });
  assert.ok(store.evictions() > 0, "pages were evicted and read back");
  await store.close();
});
