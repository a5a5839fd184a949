/**
 * HOT updates: an update that changes no indexed value and fits on the old
 * version's page writes a heap-only version without index entries; readers
 * follow the chain, vacuum moves the entries to the chain's first surviving
 * version, index builds end the chains, and all of it survives a crash.
 * @module
 */
import assert from "node:assert/strict";
import { DbError } from "../../src/common/errors.ts";
import { type, type Value } from "../../src/common/types.ts";
import { btreeScan } from "../../src/storage/btree/mod.ts";
import { openPageStore } from "../../src/storage/page_store.ts";
import type { FileSystem } from "../../src/storage/os/file_system.ts";
import {
  createIndexStorage,
  type IndexDef,
  type RelationDef,
  Tables,
  TxnManager,
} from "../../src/txn/mod.ts";
import { rowIdOfKey } from "../../src/txn/relation.ts";
import { SimFileSystem } from "../sim/sim_disk.ts";
import { createTable, type Env, inTxn, openEnv } from "./_env.ts";

function accounts(env: Env): RelationDef {
  return createTable(env, "accounts", [
    ["id", type("int4")],
    ["owner", type("text")],
    ["balance", type("int8")],
  ], [
    { name: "accounts_pkey", columns: [0], unique: true },
    { name: "accounts_owner_idx", columns: [1] },
  ]);
}

/** Row ids of every entry of index `indexNo`. */
function entries(env: Env, rel: RelationDef, indexNo: number): number[] {
  const out: number[] = [];
  env.store.view((r) =>
    btreeScan(r, rel.indexes[indexNo]!.root, {}, (key) => {
      out.push(rowIdOfKey(key));
      return true;
    })
  );
  return out;
}

async function fill(env: Env, rel: RelationDef, n: number): Promise<number[]> {
  return await inTxn(env, async (t) => {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push(await env.tables.insertRow(t, rel, [i, `o${i}`, 0n]));
    return ids;
  });
}

/** Adds `delta` to the balance of row `id` (found by primary key) in its own transaction. */
async function add(env: Env, rel: RelationDef, id: number, delta: bigint): Promise<number> {
  return await inTxn(env, async (t) => {
    const found = env.tables.lookup(t, rel, 0, [id]);
    assert.ok(found, `row ${id}`);
    const out = await env.tables.updateRow(
      t,
      rel,
      found.rowId,
      (c) => [c[0]!, c[1]!, (c[2] as bigint) + delta],
    );
    assert.equal(out.kind, "done");
    return out.kind === "done" ? out.rowId : -1;
  });
}

async function balance(env: Env, rel: RelationDef, id: number, indexNo = 0): Promise<Value[]> {
  return await inTxn(
    env,
    (t) =>
      env.tables.lookupAll(t, rel, indexNo, indexNo === 0 ? [id] : [`o${id}`]).rows.map((r) =>
        r[2]!
      ),
  );
}

Deno.test("An update keeping every indexed value writes a heap-only version without index entries", async () => {
  const env = await openEnv();
  const rel = accounts(env);
  const ids = await fill(env, rel, 20);
  const before = entries(env, rel, 0).length;
  // A snapshot taken before the updates keeps seeing the old versions through the chain.
  const old = env.txns.begin({ isolation: "repeatable read" });
  env.txns.startStatement(old);
  for (let k = 1; k <= 5; k++) await add(env, rel, 3, 10n);
  assert.equal(entries(env, rel, 0).length, before, "no new primary-key entries");
  assert.equal(entries(env, rel, 1).length, before, "no new owner entries");
  assert.deepStrictEqual(await balance(env, rel, 3), [50n]);
  assert.deepStrictEqual(await balance(env, rel, 3, 1), [50n]);
  assert.deepStrictEqual(env.tables.lookupAll(old, rel, 0, [3]).rows.map((r) => r[2]), [0n]);
  assert.deepStrictEqual(
    env.tables.indexScan(old, rel, 0, { lower: [2], upper: [4] }).all().rows.map((r) => r[2]),
    [0n, 0n, 0n],
  );
  await env.txns.commit(old);
  await inTxn(env, (t) => {
    const range = env.tables.indexScan(t, rel, 0, { lower: [2], upper: [4] }).all();
    assert.deepStrictEqual(range.rows.map((r) => r[2]), [0n, 50n, 0n]);
    assert.notEqual(range.rowIds[1], ids[3], "the range names the newest version");
  });
  // The same key still conflicts: the live version sits inside a chain.
  await assert.rejects(
    inTxn(env, (t) => env.tables.insertRow(t, rel, [3, "dup", 0n])),
    (e: DbError) => e.sqlstate === "23505",
  );
  // Changing an indexed value is no HOT update: the new version gets entries.
  await inTxn(env, async (t) => {
    const found = env.tables.lookup(t, rel, 0, [4])!;
    await env.tables.updateRow(t, rel, found.rowId, (c) => [c[0]!, "renamed", c[2]!], "update");
  });
  assert.equal(entries(env, rel, 0).length, before + 1);
  assert.equal(entries(env, rel, 1).length, before + 1);
  assert.deepStrictEqual(
    await inTxn(env, (t) => env.tables.lookupAll(t, rel, 1, ["renamed"]).rows.length),
    1,
  );
});

Deno.test("Vacuum removes dead chain versions and leaves redirects the index entries keep naming", async () => {
  const env = await openEnv();
  const rel = accounts(env);
  await fill(env, rel, 30);
  const named = entries(env, rel, 0).sort();
  for (let k = 0; k < 6; k++) for (const id of [1, 2, 7]) await add(env, rel, id, 1n);
  // An aborted HOT update leaves a version nothing leads to.
  const aborted = env.txns.begin();
  env.txns.startStatement(aborted);
  const found = env.tables.lookup(aborted, rel, 0, [2])!;
  await env.tables.updateRow(aborted, rel, found.rowId, (c) => [c[0]!, c[1]!, 999n]);
  env.txns.abort(aborted);
  await add(env, rel, 2, 1n);
  const result = env.tables.vacuum(rel);
  assert.equal(result.removed, 6 * 3 + 1 + 1);
  assert.equal(result.kept, 30);
  assert.equal(env.tables.stats(rel).deadRows, 0);
  assert.equal(env.tables.stats(rel).rows, 30, "redirects are not counted as rows");
  for (const indexNo of [0, 1]) {
    const live = entries(env, rel, indexNo);
    assert.equal(live.length, 30, `index ${indexNo} has one entry per row`);
    assert.equal(new Set(live).size, 30);
    assert.deepStrictEqual(live.sort(), named, "the entries still name the first versions");
  }
  assert.deepStrictEqual(await balance(env, rel, 1), [6n]);
  assert.deepStrictEqual(await balance(env, rel, 2), [7n]);
  assert.deepStrictEqual(await balance(env, rel, 7, 1), [6n]);
  // The freed space takes the next versions, and chains grow again from the survivors.
  for (let k = 0; k < 3; k++) await add(env, rel, 1, 1n);
  assert.deepStrictEqual(await balance(env, rel, 1), [9n]);
  await assert.rejects(
    inTxn(env, (t) => env.tables.insertRow(t, rel, [1, "dup", 0n])),
    (e: DbError) => e.sqlstate === "23505",
  );
  assert.equal(env.tables.vacuum(rel).removed, 3);
  assert.equal(entries(env, rel, 0).length, 30);
  await inTxn(env, (t) => {
    const all = env.tables.scan(t, rel).all().rows;
    assert.equal(all.length, 30);
    assert.equal(all.reduce((s, r) => s + (r[2] as bigint), 0n), 9n + 7n + 6n);
  });
  // Once the whole chain is dead the redirect goes too, with its entries.
  await inTxn(env, async (t) => {
    const row = env.tables.lookup(t, rel, 0, [1])!;
    assert.equal((await env.tables.deleteRow(t, rel, row.rowId)).kind, "done");
  });
  assert.equal(env.tables.vacuum(rel).removed, 1);
  assert.equal(entries(env, rel, 0).length, 29);
  assert.equal(entries(env, rel, 1).length, 29);
  await inTxn(env, (t) => env.tables.insertRow(t, rel, [1, "again", 0n]));
  assert.deepStrictEqual(await balance(env, rel, 1), [0n]);
});

Deno.test("buildIndex() ends HOT chains so each version is reached once through every index", async () => {
  const env = await openEnv();
  const rel = accounts(env);
  await fill(env, rel, 10);
  for (let k = 0; k < 4; k++) await add(env, rel, 5, 100n);
  const root = env.store.update((m) => createIndexStorage(m));
  const byBalance: IndexDef = {
    name: "accounts_balance_idx",
    root,
    columns: [2],
    keyColumns: [{ type: type("int8") }],
    unique: false,
  };
  const wider: RelationDef = { ...rel, indexes: [...rel.indexes, byBalance] };
  assert.equal(env.tables.buildIndex(wider, 2), 14);
  assert.deepStrictEqual(await balance(env, wider, 5), [400n]);
  assert.deepStrictEqual(await balance(env, wider, 5, 1), [400n]);
  await inTxn(env, (t) => {
    assert.equal(env.tables.lookupAll(t, wider, 2, [400n]).rows.length, 1);
    assert.equal(env.tables.lookupAll(t, wider, 2, [100n]).rows.length, 0);
    assert.equal(env.tables.lookupAll(t, wider, 2, [0n]).rows.length, 9);
  });
  assert.equal(entries(env, wider, 0).length, 14, "the chain's versions got entries of their own");
  assert.equal(env.tables.vacuum(wider).removed, 4);
  for (const indexNo of [0, 1, 2]) assert.equal(entries(env, wider, indexNo).length, 10);
});

async function openOn(fs: FileSystem) {
  const store = await openPageStore({
    fs,
    dataDir: "/db",
    walDir: "/db/wal",
    pageSize: 4096,
    bufferPoolBytes: 1024 * 1024,
  });
  const txns = TxnManager.open(store);
  return { fs, store, txns, tables: new Tables(store, txns) } as unknown as Env;
}

Deno.test("HOT chains and their vacuum survive a crash", async () => {
  const fs = new SimFileSystem({ seed: 11 });
  fs.mkdir("/db");
  let env = await openOn(fs);
  const rel = accounts(env);
  await fill(env, rel, 40);
  for (let k = 0; k < 5; k++) for (const id of [0, 13, 39]) await add(env, rel, id, 2n);
  fs.crash();
  env = await openOn(fs);
  assert.deepStrictEqual(await balance(env, rel, 13), [10n]);
  assert.deepStrictEqual(await balance(env, rel, 39, 1), [10n]);
  assert.equal(env.tables.vacuum(rel).removed, 15);
  await add(env, rel, 0, 1n);
  fs.crash();
  env = await openOn(fs);
  assert.deepStrictEqual(await balance(env, rel, 0), [11n]);
  assert.deepStrictEqual(await balance(env, rel, 0, 1), [11n]);
  assert.equal(entries(env, rel, 0).length, 40);
  assert.equal(env.tables.vacuum(rel).removed, 1);
  await env.store.close();
});

Deno.test("An update on a full page goes to another page without index entries, once per chain", async () => {
  const env = await openEnv();
  const rel = accounts(env);
  const ids = await fill(env, rel, 400);
  const page = (rowId: number) => Math.floor(rowId / 65536);
  assert.equal(page(ids[0]!), page(ids[1]!), "the first rows share a page");
  const old = env.txns.begin({ isolation: "repeatable read" });
  env.txns.startStatement(old);
  // An aborted update leaves the row as it was.
  const aborted = env.txns.begin();
  env.txns.startStatement(aborted);
  const first = env.tables.lookup(aborted, rel, 0, [0])!;
  await env.tables.updateRow(aborted, rel, first.rowId, (c) => [c[0]!, c[1]!, 999n]);
  env.txns.abort(aborted);
  const moved = await add(env, rel, 0, 5n);
  assert.notEqual(page(moved), page(ids[0]!), "the full page sent the version elsewhere");
  assert.equal(entries(env, rel, 0).length, 400, "no new primary-key entry");
  assert.equal(entries(env, rel, 1).length, 400, "no new owner entry");
  assert.deepStrictEqual(await balance(env, rel, 0), [5n]);
  assert.deepStrictEqual(await balance(env, rel, 0, 1), [5n]);
  assert.deepStrictEqual(env.tables.lookupAll(old, rel, 0, [0]).rows.map((r) => r[2]), [0n]);
  await assert.rejects(
    inTxn(env, (t) => env.tables.insertRow(t, rel, [0, "dup", 0n])),
    (e: DbError) => e.sqlstate === "23505",
  );
  // Later versions stay on the chain's page while it has room; past that a
  // version gets entries of its own instead of a second hop to another page.
  for (let k = 0; k < 300; k++) await add(env, rel, 0, 1n);
  const grown = entries(env, rel, 0).length;
  assert.ok(grown > 400 && grown < 410, `a few new entries, not one per update: ${grown}`);
  assert.deepStrictEqual(await balance(env, rel, 0), [305n]);
  assert.deepStrictEqual(await balance(env, rel, 0, 1), [305n]);
  assert.deepStrictEqual(env.tables.lookupAll(old, rel, 0, [0]).rows.map((r) => r[2]), [0n]);
  await env.txns.commit(old);
  env.tables.vacuum(rel);
  for (const indexNo of [0, 1]) assert.equal(entries(env, rel, indexNo).length, 400);
  assert.deepStrictEqual(await balance(env, rel, 0), [305n]);
  await inTxn(env, (t) => {
    const all = env.tables.scan(t, rel).all().rows;
    assert.equal(all.length, 400);
    assert.equal(all.reduce((s, r) => s + (r[2] as bigint), 0n), 305n);
  });
});
