import assert from "node:assert/strict";
import {
  btreeCheck,
  BTreeCursor,
  btreeDelete,
  btreeGet,
  btreeInsert,
  btreeScan,
  createBTree,
} from "../../../src/storage/btree/mod.ts";
import { equalBytes, hex, Random } from "./_random.ts";
import { memStore, realStore, type TestStore } from "./_stores.ts";

/** The model: a Map plus the keys in sorted order (hex order equals byte order). */
class Model {
  map = new Map<string, Uint8Array>();
  sorted: string[] = [];
  #find(k: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  set(k: string, v: Uint8Array): boolean {
    const existed = this.map.has(k);
    if (!existed) this.sorted.splice(this.#find(k), 0, k);
    this.map.set(k, v);
    return existed;
  }
  delete(k: string): boolean {
    if (!this.map.delete(k)) return false;
    this.sorted.splice(this.#find(k), 1);
    return true;
  }
  /** Keys in [lo, hi] with inclusivity flags, ascending. */
  range(lo: string | undefined, hi: string | undefined, loInc: boolean, hiInc: boolean): string[] {
    let i = lo === undefined ? 0 : this.#find(lo);
    if (lo !== undefined && !loInc && this.sorted[i] === lo) i++;
    const out: string[] = [];
    for (; i < this.sorted.length; i++) {
      const k = this.sorted[i]!;
      if (hi !== undefined && (k > hi || (k === hi && !hiInc))) break;
      out.push(k);
    }
    return out;
  }
}

interface FuzzConfig {
  seed: number;
  ops: number;
  keyLengthMax: number;
  alphabet: number;
  bigValueEvery: number;
  /** Operations between reopen/crash rounds. */
  reopenEvery?: number;
  /** Run btreeCheck, which pins the whole tree (needs a pool larger than the tree). */
  structureCheck?: boolean;
}

function randomValue(rng: Random, config: FuzzConfig, pageSize: number): Uint8Array {
  if (rng.int(config.bigValueEvery) === 0) return rng.bytes(pageSize / 2 + rng.int(pageSize * 2));
  return rng.bytes(rng.int(60));
}

function randomKey(rng: Random, config: FuzzConfig): Uint8Array {
  return rng.bytes(1 + rng.int(config.keyLengthMax), config.alphabet);
}

function checkScan(
  store: TestStore,
  root: number,
  model: Model,
  rng: Random,
  config: FuzzConfig,
): void {
  const lower = rng.int(4) === 0 ? undefined : randomKey(rng, config);
  let upper = rng.int(4) === 0 ? undefined : randomKey(rng, config);
  if (lower && upper && hex(upper) < hex(lower)) upper = undefined;
  const lowerInclusive = rng.int(2) === 0;
  const upperInclusive = rng.int(2) === 0;
  const reverse = rng.int(2) === 0;
  const limit = 1 + rng.int(80);
  let expected = model.range(
    lower && hex(lower),
    upper && hex(upper),
    lowerInclusive,
    upperInclusive,
  );
  if (reverse) expected = expected.reverse();
  expected = expected.slice(0, limit);
  const got: string[] = [];
  store.view((r) =>
    btreeScan(r, root, {
      ...(lower ? { lower } : {}),
      ...(upper ? { upper } : {}),
      lowerInclusive,
      upperInclusive,
      reverse,
    }, (k, v) => {
      const key = hex(k);
      assert.ok(equalBytes(v, model.map.get(key)), `value of ${key}`);
      got.push(key);
      return got.length < limit;
    })
  );
  assert.deepEqual(got, expected, `scan seed ${config.seed}`);
}

function checkAll(store: TestStore, root: number, model: Model, config: FuzzConfig): void {
  if (config.structureCheck ?? true) {
    const stats = store.view((r) => btreeCheck(r, root));
    assert.deepEqual(stats.entries, model.map.size);
  }
  for (const reverse of [false, true]) {
    const cursor = new BTreeCursor(root, { reverse });
    const got: string[] = [];
    while (!cursor.done) {
      store.view((r) => cursor.next(r, 777, (k) => (got.push(hex(k)), true)));
    }
    assert.deepEqual(got, reverse ? model.sorted.slice().reverse() : model.sorted);
  }
}

async function runFuzz(initial: TestStore, config: FuzzConfig): Promise<TestStore> {
  let store = initial;
  const rng = new Random(config.seed);
  const model = new Model();
  const root = store.update((m) => createBTree(m));
  for (let op = 0; op < config.ops; op++) {
    const phase = Math.floor((op * 4) / config.ops); // grow, shrink, grow, drain
    const insertBias = phase % 2 === 0 ? 0.6 : 0.25;
    const p = rng.next();
    const key = randomKey(rng, config);
    const k = hex(key);
    if (p < insertBias) {
      const value = randomValue(rng, config, store.pageSize);
      const unique = rng.int(10) === 0;
      const existed = store.update((m) => btreeInsert(m, root, key, value, { unique }));
      assert.deepEqual(existed, model.map.has(k), `insert existed ${k} op ${op}`);
      if (!(unique && existed)) model.set(k, value);
    } else if (p < insertBias + 0.3) {
      const target = model.sorted.length > 0 && rng.int(2) === 0
        ? model.sorted[rng.int(model.sorted.length)]!
        : k;
      const targetKey = Uint8Array.from(target.match(/../g)!.map((h) => parseInt(h, 16)));
      const existed = store.update((m) => btreeDelete(m, root, targetKey));
      assert.deepEqual(existed, model.delete(target), `delete ${target} op ${op}`);
    } else if (p < 0.97) {
      const got = store.view((r) => btreeGet(r, root, key));
      assert.ok(equalBytes(got, model.map.get(k)), `get ${k} op ${op}`);
    } else {
      checkScan(store, root, model, rng, config);
    }
    const every = config.reopenEvery ?? 10_000;
    if (op % every === every - 1) {
      checkAll(store, root, model, config);
      store = op % (2 * every) === every - 1 ? await store.reopen() : await store.crash();
    }
  }
  checkAll(store, root, model, config);
  for (const k of model.sorted) {
    const key = Uint8Array.from(k.match(/../g)!.map((h) => parseInt(h, 16)));
    assert.equal(store.update((m) => btreeDelete(m, root, key)), true);
  }
  model.map.clear();
  model.sorted = [];
  checkAll(store, root, model, config);
  return store;
}

const mainConfig: FuzzConfig = {
  seed: 1,
  ops: 100_000,
  keyLengthMax: 24,
  alphabet: 6,
  bigValueEvery: 200,
};
const longKeyConfig: FuzzConfig = {
  seed: 7,
  ops: 8_000,
  keyLengthMax: 900,
  alphabet: 3,
  bigValueEvery: 10,
};

Deno.test("BTree matches a Map model over 100k random operations (logging checked)", async () => {
  const after = await runFuzz(memStore(4096), mainConfig);
  assert.equal(after.usedPages(), 1, "only the root remains after deleting everything");
});

Deno.test("BTree matches a Map model with long keys and many overflow values", async () => {
  const after = await runFuzz(memStore(4096), longKeyConfig);
  assert.equal(after.usedPages(), 1, "only the root remains after deleting everything");
});

Deno.test("BTree matches a Map model on the page store across close, crash and reopen", async () => {
  const after = await runFuzz(await realStore(4096), { ...mainConfig, seed: 2 });
  assert.equal(after.usedPages(), 1, "only the root remains after deleting everything");
  await after.close();
});

Deno.test("BTree with long keys matches a Map model on the page store", async () => {
  const after = await runFuzz(await realStore(4096), {
    ...longKeyConfig,
    seed: 8,
    ops: 8_000,
    reopenEvery: 4_000,
  });
  assert.equal(after.usedPages(), 1, "only the root remains after deleting everything");
  await after.close();
});

Deno.test("BTree matches a Map model on 64 KiB pages, whose offsets reach the u16 limit", async () => {
  const after = await runFuzz(memStore(65536), {
    ...mainConfig,
    seed: 3,
    ops: 12_000,
    bigValueEvery: 500,
  });
  assert.equal(after.usedPages(), 1, "only the root remains after deleting everything");
});

Deno.test("BTree matches a Map model on the page store with a tiny buffer pool", async () => {
  const store = await realStore(4096, 64 * 4096);
  const after = await runFuzz(store, {
    ...mainConfig,
    seed: 4,
    ops: 30_000,
    bigValueEvery: 1_000,
    reopenEvery: 5_000,
    structureCheck: false,
  });
  assert.ok(after.evictions() > 0, "pages were evicted and read back");
  assert.equal(after.usedPages(), 1, "only the root remains after deleting everything");
  await after.close();
});
