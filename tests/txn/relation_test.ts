import assert from "node:assert/strict";
import { type } from "../../src/common/types.ts";
import { DbError } from "../../src/common/errors.ts";
import { createIndexStorage, type RelationDef } from "../../src/txn/mod.ts";
import { heapStats } from "../../src/storage/heap/mod.ts";
import { createTable, type Env, inTxn, openEnv, visibleRows } from "./_env.ts";

function accounts(env: Env): RelationDef {
  return createTable(env, "accounts", [["id", type("int4")], ["owner", type("text")], [
    "balance",
    type("int8"),
  ]], [
    { name: "accounts_pkey", columns: [0], unique: true },
    { name: "accounts_owner_idx", columns: [1, 2] },
  ]);
}

Deno.test("Tables.insertRow() rejects a committed duplicate with 23505 and PostgreSQL's detail", async () => {
  const env = await openEnv();
  const rel = accounts(env);
  await inTxn(env, (t) => env.tables.insertRow(t, rel, [1, "ann", 10n]));
  const err = await inTxn(env, (t) => env.tables.insertRow(t, rel, [1, "bob", 5n])).catch((e) => e);
  assert.ok(err instanceof DbError);
  assert.equal(err.sqlstate, "23505");
  assert.equal(err.message, 'duplicate key value violates unique constraint "accounts_pkey"');
  assert.equal(err.detail, "Key (id)=(1) already exists.");
  // NULL keys never conflict.
  const nullable = createTable(env, "n", [["k", type("text")]], [{
    name: "n_k",
    columns: [0],
    unique: true,
  }]);
  await inTxn(env, async (t) => {
    await env.tables.insertRow(t, nullable, [null]);
    await env.tables.insertRow(t, nullable, [null]);
  });
});

Deno.test("Tables.insertRow() waits for an uncommitted inserter of the same key", async () => {
  const env = await openEnv();
  const rel = accounts(env);
  // The first inserter aborts: the waiter's insert succeeds.
  const first = env.txns.begin();
  env.txns.startStatement(first);
  await env.tables.insertRow(first, rel, [7, "a", 1n]);
  const second = env.txns.begin();
  env.txns.startStatement(second);
  let settled = false;
  const waiting = env.tables.insertRow(second, rel, [7, "b", 2n]).finally(() => (settled = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(settled, false);
  env.txns.abort(first);
  await waiting;
  await env.txns.commit(second);
  // The first inserter commits: the waiter gets 23505.
  const third = env.txns.begin();
  env.txns.startStatement(third);
  await env.tables.insertRow(third, rel, [8, "c", 1n]);
  const fourth = env.txns.begin();
  env.txns.startStatement(fourth);
  const conflict = env.tables.insertRow(fourth, rel, [8, "d", 1n]);
  await env.txns.commit(third);
  await assert.rejects(conflict, (e: DbError) => e.sqlstate === "23505");
  env.txns.abort(fourth);
  const reader = env.txns.begin();
  assert.deepStrictEqual(visibleRows(env, reader, rel), [[7, "b", 2n], [8, "c", 1n]]);
  await env.txns.commit(reader);
});

Deno.test("Tables.updateRow() and deleteRow() keep indexes consistent", async () => {
  const env = await openEnv();
  const rel = accounts(env);
  await inTxn(env, async (t) => {
    for (let i = 0; i < 50; i++) await env.tables.insertRow(t, rel, [i, `o${i % 5}`, BigInt(i)]);
  });
  await inTxn(env, async (t) => {
    const row = env.tables.lookup(t, rel, 0, [10])!;
    const out = await env.tables.updateRow(t, rel, row.rowId, (cur) => [cur[0]!, "moved", 999n]);
    assert.equal(out.kind, "done");
    const gone = env.tables.lookup(t, rel, 0, [11])!;
    assert.equal((await env.tables.deleteRow(t, rel, gone.rowId)).kind, "done");
  });
  await inTxn(env, (t) => {
    assert.deepStrictEqual(env.tables.lookup(t, rel, 0, [10])?.values, [10, "moved", 999n]);
    assert.equal(env.tables.lookup(t, rel, 0, [11]), null);
    const moved =
      env.tables.indexScan(t, rel, 1, { lower: ["moved"], upper: ["moved"] }).all().rows;
    assert.deepStrictEqual(moved, [[10, "moved", 999n]]);
    const o0 = env.tables.indexScan(t, rel, 1, { lower: ["o0"], upper: ["o0"] }).all().rows;
    assert.deepStrictEqual(o0.map((r) => r[0]), [0, 5, 15, 20, 25, 30, 35, 40, 45]);
  });
});

Deno.test("Tables.indexScan() serves prefix ranges, exclusive bounds and reverse order", async () => {
  const env = await openEnv();
  const rel = createTable(env, "p", [["a", type("int4")], ["b", type("int4")]], [
    { name: "p_ab", columns: [0, 1], unique: true },
  ]);
  await inTxn(env, async (t) => {
    for (let a = 0; a < 10; a++) {
      for (let b = 0; b < 10; b++) await env.tables.insertRow(t, rel, [a, b]);
    }
  });
  await inTxn(env, (t) => {
    const scan = (bounds: Parameters<typeof env.tables.indexScan>[3]) =>
      env.tables.indexScan(t, rel, 0, bounds).all().rows;
    assert.deepStrictEqual(scan({ lower: [3], upper: [3] }).map((r) => r[1]), [
      0,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
    ]);
    assert.deepStrictEqual(scan({ lower: [3, 4], upper: [3, 6], upperInclusive: false }), [[3, 4], [
      3,
      5,
    ]]);
    assert.deepStrictEqual(
      scan({ lower: [8], lowerInclusive: false }).map((r) => r[0]),
      Array(10).fill(9),
    );
    assert.deepStrictEqual(scan({ upper: [1], upperInclusive: false }).length, 10);
    assert.deepStrictEqual(scan({ lower: [5, 7], upper: [6, 1], reverse: true }), [
      [6, 1],
      [6, 0],
      [5, 9],
      [5, 8],
      [5, 7],
    ]);
    const small = env.tables.indexScan(t, rel, 0, {}, { batchRows: 7 });
    let batches = 0;
    let rows = 0;
    for (let b = small.next(); b !== null; b = small.next()) (batches++, rows += b.rows.length);
    assert.equal(rows, 100);
    assert.ok(batches >= 14);
  });
});

Deno.test("Tables: partial unique indexes only cover rows matching their predicate", async () => {
  const env = await openEnv();
  const rel = createTable(env, "jobs", [["name", type("text")], ["active", type("bool")]], [
    { name: "jobs_active_name", columns: [0], unique: true, predicate: (row) => row[1] === true },
  ]);
  await inTxn(env, async (t) => {
    await env.tables.insertRow(t, rel, ["a", true]);
    await env.tables.insertRow(t, rel, ["a", false]);
    await env.tables.insertRow(t, rel, ["a", false]);
  });
  await assert.rejects(
    inTxn(env, (t) => env.tables.insertRow(t, rel, ["a", true])),
    (e: DbError) => e.sqlstate === "23505" && e.detail === "Key (name)=(a) already exists.",
  );
  await inTxn(env, (t) => {
    assert.deepStrictEqual(env.tables.indexScan(t, rel, 0, {}).all().rows, [["a", true]]);
  });
});

Deno.test("Tables.buildIndex() indexes existing rows and finds duplicates", async () => {
  const env = await openEnv();
  const base = createTable(env, "b", [["k", type("int4")], ["v", type("text")]]);
  await inTxn(env, async (t) => {
    for (let i = 0; i < 30; i++) await env.tables.insertRow(t, base, [i % 20, `v${i}`]);
  });
  const root = env.store.update((m) => createIndexStorage(m));
  const rel: RelationDef = {
    ...base,
    indexes: [{
      name: "b_k",
      root,
      columns: [0],
      keyColumns: [{ type: type("int4") }],
      unique: false,
    }],
  };
  assert.equal(env.tables.buildIndex(rel, 0), 30);
  await inTxn(env, (t) => {
    assert.equal(env.tables.indexScan(t, rel, 0, { lower: [5], upper: [5] }).all().rows.length, 2);
  });
  const root2 = env.store.update((m) => createIndexStorage(m));
  const uniqueRel: RelationDef = {
    ...base,
    indexes: [{
      name: "b_k_key",
      root: root2,
      columns: [0],
      keyColumns: [{ type: type("int4") }],
      unique: true,
    }],
  };
  assert.throws(() => env.tables.buildIndex(uniqueRel, 0), (e: DbError) => e.sqlstate === "23505");
});

Deno.test("Tables.buildIndex() checks uniqueness for rows in key order and out of it", async () => {
  const env = await openEnv();
  const base = createTable(env, "u", [["k", type("int4")]]);
  const uniqueOn = (): RelationDef => ({
    ...base,
    indexes: [{
      name: "u_k_key",
      root: env.store.update((m) => createIndexStorage(m)),
      columns: [0],
      keyColumns: [{ type: type("int4") }],
      unique: true,
    }],
  });
  // Ascending distinct keys (a bulk load) build without a probe per row.
  await inTxn(env, async (t) => {
    for (let i = 0; i < 50; i++) await env.tables.insertRow(t, base, [i]);
  });
  const ok = uniqueOn();
  assert.equal(env.tables.buildIndex(ok, 0), 50);
  await inTxn(env, (t) => {
    assert.equal(env.tables.indexScan(t, ok, 0, { lower: [7], upper: [7] }).all().rows.length, 1);
  });
  // Out of order: a smaller key, then a key already indexed earlier in the build.
  await inTxn(env, async (t) => {
    await env.tables.insertRow(t, base, [-1]);
    await env.tables.insertRow(t, base, [25]);
  });
  assert.throws(() => env.tables.buildIndex(uniqueOn(), 0), (e: DbError) => e.sqlstate === "23505");
});

Deno.test("Tables.vacuum() removes dead versions and their space is reused", async () => {
  const env = await openEnv();
  const rel = accounts(env);
  const fill = (from: number) =>
    inTxn(env, async (t) => {
      for (let i = from; i < from + 400; i++) {
        await env.tables.insertRow(t, rel, [i, "x".repeat(60), 0n]);
      }
    });
  await fill(0);
  const heapPages = () => env.store.view((r) => heapStats(r, rel.heap)).dataPages;
  const pagesBefore = heapPages();
  assert.deepStrictEqual(env.tables.stats(rel), { rows: 400, pages: pagesBefore, deadRows: 0 });
  // A reader whose snapshot still sees the rows holds vacuum back.
  const old = env.txns.begin({ isolation: "repeatable read" });
  env.txns.startStatement(old);
  await inTxn(env, async (t) => {
    const scan = env.tables.scan(t, rel);
    for (let b = scan.next(); b !== null; b = scan.next()) {
      for (const rowId of b.rowIds) await env.tables.deleteRow(t, rel, rowId);
    }
  });
  assert.equal(env.tables.vacuum(rel).removed, 0);
  assert.equal(env.tables.scan(old, rel).all().rows.length, 400);
  await env.txns.commit(old);
  // An aborted insert is dead at once.
  const aborted = env.txns.begin();
  env.txns.startStatement(aborted);
  await env.tables.insertRow(aborted, rel, [5000, "gone", 0n]);
  env.txns.abort(aborted);
  const result = env.tables.vacuum(rel);
  assert.equal(result.removed, 401);
  assert.equal(result.kept, 0);
  assert.equal(env.tables.stats(rel).rows, 0);
  await fill(1000);
  assert.ok(
    heapPages() <= pagesBefore,
    `pages ${heapPages()} > ${pagesBefore}`,
  );
  await inTxn(env, (t) => {
    assert.equal(env.tables.scan(t, rel).all().rows.length, 400);
    assert.equal(env.tables.indexScan(t, rel, 0, { upper: [999] }).all().rows.length, 0);
    assert.equal(env.tables.indexScan(t, rel, 0, { lower: [1000] }).all().rows.length, 400);
  });
  // Updated rows leave one dead version each, which vacuum removes.
  await inTxn(env, async (t) => {
    const scan = env.tables.scan(t, rel);
    for (let b = scan.next(); b !== null; b = scan.next()) {
      for (const rowId of b.rowIds) {
        await env.tables.updateRow(t, rel, rowId, (c) => [c[0]!, c[1]!, 1n]);
      }
    }
  });
  assert.equal(env.tables.stats(rel).deadRows, 400);
  assert.deepStrictEqual(env.tables.vacuum(rel), { removed: 400, kept: 400 });
  assert.equal(env.tables.stats(rel).deadRows, 0);
});

Deno.test("Tables.insertOrConflict() reports the conflicting version for ON CONFLICT", async () => {
  const env = await openEnv();
  const rel = accounts(env);
  const first = await inTxn(env, (t) => env.tables.insertOrConflict(t, rel, [1, "ann", 10n]));
  assert.equal(first.kind, "inserted");
  await inTxn(env, async (t) => {
    const out = await env.tables.insertOrConflict(t, rel, [1, "bob", 5n]);
    assert.equal(out.kind, "conflict");
    if (out.kind !== "conflict" || first.kind !== "inserted") return;
    assert.equal(out.error.constraint, "accounts_pkey");
    assert.equal(out.error.conflictRowId, first.rowId);
    // ON CONFLICT DO UPDATE SET balance = balance + excluded.balance
    const upd = await env.tables.updateRow(
      t,
      rel,
      out.error.conflictRowId,
      (c) => [c[0]!, c[1]!, (c[2] as bigint) + 5n],
    );
    assert.equal(upd.kind, "done");
  });
  await inTxn(
    env,
    (t) => assert.deepStrictEqual(env.tables.lookup(t, rel, 0, [1])?.values, [1, "ann", 15n]),
  );
});

Deno.test("TxnManager.setCharacteristics() switches the isolation level before the first query", async () => {
  const env = await openEnv();
  const rel = accounts(env);
  const txn = env.txns.begin();
  env.txns.setCharacteristics(txn, { isolation: "repeatable read" });
  env.txns.startStatement(txn);
  assert.throws(
    () => env.txns.setCharacteristics(txn, { isolation: "serializable" }),
    (e: DbError) => e.sqlstate === "25001",
  );
  await inTxn(env, (t) => env.tables.insertRow(t, rel, [1, "x", 1n]));
  env.txns.startStatement(txn);
  assert.equal(env.tables.scan(txn, rel).all().rows.length, 0);
  await env.txns.commit(txn);
});

Deno.test("Tables: rows larger than a page are inserted, updated, deleted and vacuumed", async () => {
  const env = await openEnv();
  const rel = createTable(env, "docs", [["id", type("int4")], ["body", type("text")]], [
    { name: "docs_pkey", columns: [0], unique: true },
  ]);
  const big = (c: string) => c.repeat(10_000);
  await inTxn(env, async (t) => {
    for (let i = 0; i < 5; i++) await env.tables.insertRow(t, rel, [i, big(String(i))]);
  });
  await inTxn(env, async (t) => {
    const row = env.tables.lookup(t, rel, 0, [2])!;
    await env.tables.updateRow(t, rel, row.rowId, (c) => [c[0]!, big("u")]);
    const gone = env.tables.lookup(t, rel, 0, [3])!;
    await env.tables.deleteRow(t, rel, gone.rowId);
  });
  assert.deepStrictEqual(env.tables.vacuum(rel), { removed: 2, kept: 4 });
  await inTxn(env, (t) => {
    const rows = env.tables.scan(t, rel).all().rows.sort((a, b) =>
      (a[0] as number) - (b[0] as number)
    );
    assert.deepStrictEqual(rows, [[0, big("0")], [1, big("1")], [2, big("u")], [4, big("4")]]);
  });
});

Deno.test("Tables.stats() measures a heap larger than the buffer pool", async () => {
  const env = await openEnv(); // 4 KiB pages, 1,024 frames
  const rel = createTable(env, "wide", [["id", type("int4")], ["pad", type("text")]]);
  const rows = 7_000; // six rows per 4 KiB page: about 1,000 pages, all pinned at once before
  await inTxn(env, async (t) => {
    for (let i = 0; i < rows; i++) {
      // Random hex, so the padding does not compress.
      const pad = Array.from(
        crypto.getRandomValues(new Uint8Array(300)),
        (b) => b.toString(16).padStart(2, "0"),
      );
      await env.tables.insertRow(t, rel, [i, pad.join("")]);
    }
  });
  const stats = env.tables.stats(rel);
  assert.equal(stats.rows, rows);
  assert.ok(stats.pages > 900, `expected about 1,000 heap pages, got ${stats.pages}`);
});
