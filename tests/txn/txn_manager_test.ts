import assert from "node:assert/strict";
import { type } from "../../src/common/types.ts";
import { DbError } from "../../src/common/errors.ts";
import { Tables, TxnManager, XidStatus } from "../../src/txn/mod.ts";
import { MemFileSystem } from "../../src/storage/os/mod.ts";
import { openPageStore } from "../../src/storage/page_store.ts";
import { createTable, type Env, inTxn, openEnv, visibleRows } from "./_env.ts";

function table(env: Env) {
  return createTable(env, "t", [["a", type("int4")], ["b", type("text")]], [
    { name: "t_pkey", columns: [0], unique: true },
  ]);
}

Deno.test("TxnManager.commit() resolves only after the WAL flush, then publishes", async () => {
  const env = await openEnv();
  const rel = table(env);
  const txn = env.txns.begin();
  env.txns.startStatement(txn);
  await env.tables.insertRow(txn, rel, [1, "x"]);
  const done = env.txns.commit(txn);
  const commitLsn = env.store.wal.endLsn;
  assert.equal(txn.state, "committing");
  assert.ok(env.store.wal.flushedLsn < commitLsn);
  const other = env.txns.begin();
  assert.deepStrictEqual(visibleRows(env, other, rel), []);
  await done;
  assert.equal(txn.state, "committed");
  assert.ok(env.store.wal.flushedLsn >= commitLsn);
  assert.equal(env.txns.clog.status(txn.xid), XidStatus.committed);
  assert.deepStrictEqual(visibleRows(env, other, rel), [[1, "x"]]);
  await env.txns.commit(other);
  assert.deepStrictEqual(env.txns.stats(), { commits: 2, aborts: 0, serializationFailures: 0 });
});

Deno.test("TxnManager: read-only transactions commit without an xid or a flush", async () => {
  const env = await openEnv();
  const txn = env.txns.begin({ readOnly: true });
  env.txns.startStatement(txn);
  const rel = table(env);
  await assert.rejects(
    () => env.tables.insertRow(txn, rel, [1, "x"]),
    (e: DbError) => e.sqlstate === "25006",
  );
  await env.txns.commit(txn);
  assert.equal(txn.xid, 0);
});

Deno.test("TxnManager: no dirty reads; READ COMMITTED sees commits at the next statement", async () => {
  const env = await openEnv();
  const rel = table(env);
  const writer = env.txns.begin();
  const reader = env.txns.begin();
  env.txns.startStatement(writer);
  await env.tables.insertRow(writer, rel, [1, "x"]);
  assert.deepStrictEqual(visibleRows(env, reader, rel), []);
  await env.txns.commit(writer);
  assert.deepStrictEqual(visibleRows(env, reader, rel), [[1, "x"]]);
  await env.txns.commit(reader);
});

Deno.test("TxnManager: READ COMMITTED allows non-repeatable reads, REPEATABLE READ does not", async () => {
  const env = await openEnv();
  const rel = table(env);
  await inTxn(env, (t) => env.tables.insertRow(t, rel, [1, "old"]));
  const rc = env.txns.begin({ isolation: "read committed" });
  const rr = env.txns.begin({ isolation: "repeatable read" });
  assert.deepStrictEqual(visibleRows(env, rc, rel), [[1, "old"]]);
  assert.deepStrictEqual(visibleRows(env, rr, rel), [[1, "old"]]);
  await inTxn(env, async (t) => {
    const row = env.tables.lookup(t, rel, 0, [1])!;
    await env.tables.updateRow(t, rel, row.rowId, () => [1, "new"]);
  });
  assert.deepStrictEqual(visibleRows(env, rc, rel), [[1, "new"]]);
  assert.deepStrictEqual(visibleRows(env, rr, rel), [[1, "old"]]);
  await env.txns.commit(rc);
  await env.txns.commit(rr);
});

Deno.test("TxnManager: a statement does not see its own writes until the next command", async () => {
  const env = await openEnv();
  const rel = table(env);
  await inTxn(env, async (t) => {
    for (let i = 0; i < 5; i++) await env.tables.insertRow(t, rel, [i, "r"]);
  });
  const txn = env.txns.begin();
  env.txns.startStatement(txn);
  // UPDATE t SET a = a + 100: the scan must not meet the versions it writes.
  const scan = env.tables.scan(txn, rel);
  let updated = 0;
  for (let b = scan.next(); b !== null; b = scan.next()) {
    for (const rowId of b.rowIds) {
      const out = await env.tables.updateRow(
        txn,
        rel,
        rowId,
        (cur) => [(cur[0] as number) + 100, cur[1]!],
      );
      if (out.kind === "done") updated++;
    }
  }
  assert.equal(updated, 5);
  assert.deepStrictEqual(visibleRows(env, txn, rel).map((r) => r[0]), [100, 101, 102, 103, 104]);
  await env.txns.commit(txn);
});

Deno.test("TxnManager: ROLLBACK TO SAVEPOINT hides the writes since the savepoint", async () => {
  const env = await openEnv();
  const rel = table(env);
  const txn = env.txns.begin();
  env.txns.startStatement(txn);
  await env.tables.insertRow(txn, rel, [1, "kept"]);
  env.txns.savepoint(txn, "a");
  env.txns.startStatement(txn);
  await env.tables.insertRow(txn, rel, [2, "undone"]);
  env.txns.savepoint(txn, "b");
  env.txns.startStatement(txn);
  await env.tables.insertRow(txn, rel, [3, "undone too"]);
  env.txns.release(txn, "b");
  env.txns.markFailed(txn);
  assert.throws(() => env.txns.startStatement(txn), (e: DbError) => e.sqlstate === "25P02");
  env.txns.rollbackTo(txn, "a");
  assert.deepStrictEqual(visibleRows(env, txn, rel), [[1, "kept"]]);
  // The key of an undone row is free again.
  await env.tables.insertRow(txn, rel, [2, "again"]);
  env.txns.savepoint(txn, "c");
  env.txns.startStatement(txn);
  await env.tables.insertRow(txn, rel, [4, "released"]);
  env.txns.release(txn, "c");
  assert.throws(() => env.txns.rollbackTo(txn, "c"), (e: DbError) => e.sqlstate === "3B001");
  await env.txns.commit(txn);
  const reader = env.txns.begin();
  assert.deepStrictEqual(visibleRows(env, reader, rel), [[1, "kept"], [2, "again"], [
    4,
    "released",
  ]]);
  await env.txns.commit(reader);
});

Deno.test("TxnManager.open() after a restart: xids never repeat and cut-off transactions read as aborted", async () => {
  const env = await openEnv();
  const rel = table(env);
  await inTxn(env, (t) => env.tables.insertRow(t, rel, [1, "committed"]));
  const cut = env.txns.begin();
  env.txns.startStatement(cut);
  await env.tables.insertRow(cut, rel, [2, "in flight"]);
  const used = env.txns.clog.nextXid;
  // A new manager over the same pages is what recovery sees after a crash.
  const txns = TxnManager.open(env.store);
  const after: Env = { ...env, txns, tables: new Tables(env.store, txns) };
  assert.ok(txns.clog.nextXid >= used);
  assert.equal(txns.clog.status(cut.xid), XidStatus.aborted);
  const reader = txns.begin();
  assert.deepStrictEqual(visibleRows(after, reader, rel), [[1, "committed"]]);
  const writer = txns.begin();
  txns.startStatement(writer);
  await after.tables.insertRow(writer, rel, [2, "retry"]);
  assert.ok(writer.xid >= used);
  await txns.commit(writer);
  await txns.commit(reader);
});

Deno.test("TxnManager: many transactions spread over several clog pages keep their status", async () => {
  const env = await openEnv();
  const rel = table(env);
  const outcomes: [number, boolean][] = [];
  for (let i = 0; i < 20_000; i++) {
    const t = env.txns.begin();
    env.txns.writeXid(t);
    if (i % 3 === 0) env.txns.abort(t);
    else await env.txns.commit(t);
    outcomes.push([t.xid, i % 3 !== 0]);
  }
  const reopened = TxnManager.open(env.store);
  for (const [xid, committed] of outcomes) {
    assert.equal(reopened.clog.status(xid), committed ? XidStatus.committed : XidStatus.aborted);
  }
  assert.ok(rel.heap > 0);
});

Deno.test("TxnManager: a delete undone by ROLLBACK TO SAVEPOINT leaves the row live and updatable", async () => {
  const env = await openEnv();
  const rel = table(env);
  await inTxn(env, (t) => env.tables.insertRow(t, rel, [1, "row"]));
  const txn = env.txns.begin({ isolation: "repeatable read" });
  env.txns.startStatement(txn);
  const row = env.tables.lookup(txn, rel, 0, [1])!;
  env.txns.savepoint(txn, "s");
  env.txns.startStatement(txn);
  assert.equal((await env.tables.deleteRow(txn, rel, row.rowId)).kind, "done");
  assert.deepStrictEqual(visibleRows(env, txn, rel), []);
  env.txns.rollbackTo(txn, "s");
  assert.deepStrictEqual(visibleRows(env, txn, rel), [[1, "row"]]);
  env.txns.startStatement(txn);
  const out = await env.tables.updateRow(txn, rel, row.rowId, () => [1, "updated"]);
  assert.equal(out.kind, "done");
  await env.txns.commit(txn);
  const reader = env.txns.begin();
  assert.deepStrictEqual(visibleRows(env, reader, rel), [[1, "updated"]]);
  await env.txns.commit(reader);
});

Deno.test("A store that discards its WAL commits without writing clog pages", async () => {
  const store = await openPageStore({
    fs: new MemFileSystem(),
    dataDir: "/db",
    walDir: "/db/wal",
    pageSize: 4096,
    bufferPoolBytes: 1024 * 1024,
    walSync: "discard",
  });
  const txns = TxnManager.open(store);
  const committed = txns.begin();
  const xid = txns.writeXid(committed);
  const aborted = txns.begin();
  const abortedXid = txns.writeXid(aborted);
  const before = store.wal.endLsn;
  await txns.commit(committed);
  txns.abort(aborted);
  assert.equal(store.wal.endLsn, before, "no page operation for the statuses");
  assert.equal(txns.clog.status(xid), XidStatus.committed);
  assert.equal(txns.clog.status(abortedXid), XidStatus.aborted);
  // A logged store records the statuses in its pages.
  const env = await openEnv();
  const txn = env.txns.begin();
  env.txns.writeXid(txn);
  const logged = env.store.wal.endLsn;
  await env.txns.commit(txn);
  assert.ok(env.store.wal.endLsn > logged);
  await store.close();
  await env.store.close();
});
