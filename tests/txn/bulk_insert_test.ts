/**
 * `Tables.insertRows` (COPY FROM's bulk path) on the real page store over a
 * simulated disk: rows spanning many mini-transaction runs and pages are all
 * found through heap and index, duplicates (also between rows of one call)
 * fail with 23505 and leave nothing behind, a row waiting for an uncommitted
 * inserter of its key resumes the run, and a crash keeps exactly the
 * committed bulk loads.
 */
import assert from "node:assert/strict";
import { type, type Value } from "../../src/common/types.ts";
import { openPageStore, type PageStore } from "../../src/storage/page_store.ts";
import { createRelationStorage, type RelationDef, Tables, TxnManager } from "../../src/txn/mod.ts";
import { bulkRunRows } from "../../src/txn/relation_bulk.ts";
import { SimFileSystem } from "../sim/sim_disk.ts";

const pageSize = 4096;

function open(fs: SimFileSystem): Promise<PageStore> {
  return openPageStore({
    fs: fs.view(),
    dataDir: "/db",
    walDir: "/db/wal",
    pageSize,
    bufferPoolBytes: 96 * pageSize,
  });
}

function describe(heap: number, pkey: number, byV: number): RelationDef {
  return {
    id: 1,
    name: "kv",
    columnNames: ["k", "v"],
    types: [type("int4"), type("text")],
    heap,
    indexes: [
      {
        name: "kv_pkey",
        root: pkey,
        columns: [0],
        keyColumns: [{ type: type("int4") }],
        unique: true,
      },
      {
        name: "kv_v",
        root: byV,
        columns: [1],
        keyColumns: [{ type: type("text") }],
        unique: false,
      },
    ],
  };
}

async function create(fs: SimFileSystem): Promise<RelationDef> {
  const store = await open(fs);
  const s = store.update((m) => createRelationStorage(m, 2));
  TxnManager.open(store);
  await store.close();
  return describe(s.heap, s.indexRoots[0]!, s.indexRoots[1]!);
}

function rows(from: number, count: number, tag: string): Value[][] {
  return Array.from({ length: count }, (_, i) => [from + i, `${tag}-${from + i}`.padEnd(40, "x")]);
}

/** Every visible row by key, checked against both indexes. */
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
    assert.deepStrictEqual(tables.lookup(txn, rel, 1, [v])?.values, [k, v] as Value[]);
  }
  txns.abort(txn);
  return out;
}

function expected(...loads: Value[][][]): Map<number, string> {
  return new Map(loads.flat().map((r) => [r[0] as number, r[1] as string]));
}

function sqlstate(e: unknown): string | undefined {
  return (e as { sqlstate?: string }).sqlstate;
}

Deno.test("insertRows: runs, duplicates, waits for an uncommitted inserter", async () => {
  const fs = new SimFileSystem({ seed: 11 });
  const rel = await create(fs);
  const store = await open(fs);
  try {
    const txns = TxnManager.open(store);
    const tables = new Tables(store, txns);
    const big = rows(0, 3 * bulkRunRows + 7, "a");
    const t1 = txns.begin();
    txns.startStatement(t1);
    const ids = await tables.insertRows(t1, rel, big);
    assert.equal(new Set(ids).size, big.length);
    await txns.commit(t1);
    assert.deepStrictEqual(readAll(tables, txns, rel), expected(big));

    // A duplicate of a stored key, and one between rows of the same call, in a later run.
    for (
      const bad of [[...rows(5000, 700, "b"), [17, "dup"]], [...rows(6000, 600, "c"), [
        6001,
        "again",
      ]]]
    ) {
      const t = txns.begin();
      txns.startStatement(t);
      await assert.rejects(tables.insertRows(t, rel, bad), (e) => sqlstate(e) === "23505");
      txns.abort(t);
    }
    assert.deepStrictEqual(readAll(tables, txns, rel), expected(big));

    // Rows in key order above every stored key skip the unique probe; a duplicate of
    // the greatest key (stored, or inserted just before in the same run) is still found.
    const top = big.length - 1;
    for (
      const bad of [
        [[top, "top"]],
        [...rows(9000, 5, "e"), [9004, "dup"]],
        [...rows(9100, 5, "f").reverse(), [9100, "dup"]],
      ]
    ) {
      const t = txns.begin();
      txns.startStatement(t);
      await assert.rejects(tables.insertRows(t, rel, bad), (e) => sqlstate(e) === "23505");
      txns.abort(t);
    }
    assert.deepStrictEqual(readAll(tables, txns, rel), expected(big));

    // A row whose key an open transaction inserted waits; the run resumes once it aborts.
    const holder = txns.begin();
    txns.startStatement(holder);
    await tables.insertRow(holder, rel, [7000 + bulkRunRows + 3, "held"]);
    const loader = txns.begin();
    txns.startStatement(loader);
    const more = rows(7000, 2 * bulkRunRows, "d");
    let finished = false;
    const load = tables.insertRows(loader, rel, more).then((r) => (finished = true, r));
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 1));
    assert.equal(finished, false, "the bulk insert waits for the holder");
    txns.abort(holder);
    assert.equal((await load).length, more.length);
    await txns.commit(loader);
    assert.deepStrictEqual(readAll(tables, txns, rel), expected(big, more));
  } finally {
    await store.close();
  }
});

Deno.test("insertRows: a crash keeps committed bulk loads and drops the open one", async () => {
  const fs = new SimFileSystem({ seed: 5 });
  const rel = await create(fs);
  const committed = rows(0, 2500, "a");
  const cutOff = rows(10_000, 2500, "b");
  {
    const store = await open(fs);
    const txns = TxnManager.open(store);
    const tables = new Tables(store, txns);
    const t1 = txns.begin();
    txns.startStatement(t1);
    await tables.insertRows(t1, rel, committed);
    await txns.commit(t1);
    // Cut off by the crash: its runs reach the WAL (a later commit flushes them) but it never commits.
    const open1 = txns.begin();
    txns.startStatement(open1);
    await tables.insertRows(open1, rel, cutOff);
    const last = txns.begin();
    txns.startStatement(last);
    await tables.insertRows(last, rel, [[99_999, "last"]]);
    await txns.commit(last);
    fs.crash();
  }
  const store = await open(fs);
  try {
    const txns = TxnManager.open(store);
    const tables = new Tables(store, txns);
    const want = expected(committed, [[99_999, "last"]]);
    assert.deepStrictEqual(readAll(tables, txns, rel), want);
    // The lost rows' keys are free again.
    const t = txns.begin();
    txns.startStatement(t);
    await tables.insertRows(t, rel, cutOff);
    await txns.commit(t);
    assert.deepStrictEqual(
      readAll(tables, txns, rel),
      expected(committed, [[99_999, "last"]], cutOff),
    );
  } finally {
    await store.close();
  }
});
