/**
 * Crash atomicity of transactions on the real page store over a simulated
 * disk that loses unsynced writes: committed-and-acknowledged transactions
 * survive, transactions cut off by the crash are invisible, and the relation
 * keeps working afterwards (unique keys of lost rows are free again).
 */
import assert from "node:assert/strict";
import { type, type Value } from "../../src/common/types.ts";
import { openPageStore, type PageStore } from "../../src/storage/page_store.ts";
import {
  createRelationStorage,
  type RelationDef,
  Tables,
  type Txn,
  TxnManager,
} from "../../src/txn/mod.ts";
import { Prng } from "../sim/prng.ts";
import { SimFileSystem } from "../sim/sim_disk.ts";

const pageSize = 4096;

function open(fs: SimFileSystem): Promise<PageStore> {
  return openPageStore({
    fs: fs.view(),
    dataDir: "/db",
    walDir: "/db/wal",
    pageSize,
    bufferPoolBytes: 24 * pageSize,
  });
}

function describe(heap: number, root: number): RelationDef {
  return {
    id: 1,
    name: "kv",
    columnNames: ["k", "v"],
    types: [type("int4"), type("text")],
    heap,
    indexes: [{
      name: "kv_pkey",
      root,
      columns: [0],
      keyColumns: [{ type: type("int4") }],
      unique: true,
    }],
  };
}

/** Applies random inserts, updates and deletes to `model` through `txn`. */
async function mutate(
  tables: Tables,
  txns: TxnManager,
  txn: Txn,
  rel: RelationDef,
  prng: Prng,
  model: Map<number, string>,
) {
  for (let i = 0, n = 1 + prng.int(6); i < n; i++) {
    txns.startStatement(txn);
    const k = prng.int(60);
    const found = tables.lookup(txn, rel, 0, [k]);
    const v = `v${prng.int(1_000_000)}`.repeat(1 + prng.int(8));
    if (found === null) {
      await tables.insertRow(txn, rel, [k, v]);
      model.set(k, v);
    } else if (prng.chance(0.3)) {
      await tables.deleteRow(txn, rel, found.rowId);
      model.delete(k);
    } else {
      await tables.updateRow(txn, rel, found.rowId, (cur) => [cur[0]!, v]);
      model.set(k, v);
    }
  }
}

function readAll(tables: Tables, txns: TxnManager, rel: RelationDef): Map<number, string> {
  const txn = txns.begin();
  txns.startStatement(txn);
  const out = new Map<number, string>();
  for (const row of tables.scan(txn, rel).all().rows) {
    assert.ok(!out.has(row[0] as number), `Two visible versions of key ${row[0]}`);
    out.set(row[0] as number, row[1] as string);
  }
  for (const [k, v] of out) {
    assert.deepStrictEqual(tables.lookup(txn, rel, 0, [k])?.values, [k, v] as Value[]);
  }
  txns.abort(txn);
  return out;
}

for (const seed of [1, 2, 3]) {
  Deno.test(`Transactions survive crashes exactly when acknowledged (seed ${seed})`, async () => {
    const fs = new SimFileSystem({ seed });
    const prng = new Prng(seed * 7919);
    let rel: RelationDef;
    {
      const store = await open(fs);
      const s = store.update((m) => createRelationStorage(m, 1));
      rel = describe(s.heap, s.indexRoots[0]!);
      TxnManager.open(store);
      await store.close();
    }
    let durable = new Map<number, string>();
    for (let cycle = 0; cycle < 6; cycle++) {
      const where = `seed ${seed} cycle ${cycle}`;
      const store = await open(fs);
      const txns = TxnManager.open(store);
      const tables = new Tables(store, txns);
      assert.deepStrictEqual(
        readAll(tables, txns, rel),
        durable,
        `Recovered state differs at ${where}`,
      );
      if (cycle % 2 === 1) tables.vacuum(rel);
      const model = new Map(durable);
      for (let t = 0, n = 3 + prng.int(8); t < n; t++) {
        const txn = txns.begin({
          isolation: prng.chance(0.5) ? "read committed" : "repeatable read",
        });
        const scratch = new Map(model);
        await mutate(tables, txns, txn, rel, prng, scratch);
        if (prng.chance(0.2)) {
          txns.abort(txn);
          continue;
        }
        await txns.commit(txn);
        for (const k of [...model.keys()]) if (!scratch.has(k)) model.delete(k);
        for (const [k, v] of scratch) model.set(k, v);
        durable = new Map(model);
        if (prng.chance(0.2)) await store.checkpoint();
      }
      // Cut off by the crash: never committed, so never visible.
      const open1 = txns.begin();
      await mutate(tables, txns, open1, rel, prng, new Map(model));
      // A later transaction's commit flushes the WAL past the open one's records.
      const last = txns.begin();
      txns.startStatement(last);
      const k = 1000 + cycle;
      await tables.insertRow(last, rel, [k, "last"]);
      await txns.commit(last);
      durable.set(k, "last");
      fs.crash();
    }
    {
      const store = await open(fs);
      const txns = TxnManager.open(store);
      const tables = new Tables(store, txns);
      assert.deepStrictEqual(readAll(tables, txns, rel), durable);
      await store.close();
    }
  });
}
