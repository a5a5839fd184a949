import assert from "node:assert/strict";
import { type } from "../../src/common/types.ts";
import { DbError } from "../../src/common/errors.ts";
import type { RelationDef, Txn } from "../../src/txn/mod.ts";
import { createTable, type Env, inTxn, openEnv } from "./_env.ts";

async function queue(env: Env): Promise<{ rel: RelationDef; rowIds: number[] }> {
  const rel = createTable(env, "jobs", [["id", type("int4")]], [{
    name: "jobs_pkey",
    columns: [0],
    unique: true,
  }]);
  const rowIds = await inTxn(env, async (t) => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await env.tables.insertRow(t, rel, [i]));
    return ids;
  });
  return { rel, rowIds };
}

function begin(env: Env): Txn {
  const t = env.txns.begin();
  env.txns.startStatement(t);
  return t;
}

Deno.test("Tables.lockRow() NOWAIT fails with 55P03 on a locked row", async () => {
  const env = await openEnv();
  const { rel, rowIds } = await queue(env);
  const a = begin(env);
  const b = begin(env);
  assert.equal((await env.tables.lockRow(a, rel, rowIds[0]!, { mode: "update" })).kind, "done");
  await assert.rejects(
    env.tables.lockRow(b, rel, rowIds[0]!, { mode: "share", policy: "nowait" }),
    (e: DbError) => {
      return e.sqlstate === "55P03" &&
        e.message === 'could not obtain lock on row in relation "jobs"';
    },
  );
  // An unlocked row is fine, and after a's commit the lock is free.
  assert.equal(
    (await env.tables.lockRow(b, rel, rowIds[1]!, { mode: "update", policy: "nowait" })).kind,
    "done",
  );
  await env.txns.commit(a);
  assert.equal(
    (await env.tables.lockRow(b, rel, rowIds[0]!, { mode: "update", policy: "nowait" })).kind,
    "done",
  );
  await env.txns.commit(b);
});

Deno.test("Tables.lockRow() SKIP LOCKED passes over locked rows (a job queue)", async () => {
  const env = await openEnv();
  const { rel, rowIds } = await queue(env);
  const workers = [begin(env), begin(env), begin(env)];
  const claimed: number[] = [];
  for (const w of workers) {
    for (const rowId of rowIds) {
      const out = await env.tables.lockRow(w, rel, rowId, { mode: "update", policy: "skipLocked" });
      if (out.kind === "done") {
        claimed.push(out.values[0] as number);
        break;
      }
    }
  }
  assert.deepStrictEqual(claimed, [0, 1, 2]);
  const late = begin(env);
  for (const rowId of rowIds) {
    assert.equal(
      (await env.tables.lockRow(late, rel, rowId, { mode: "update", policy: "skipLocked" })).kind,
      "skipped",
    );
  }
  for (const w of [...workers, late]) await env.txns.commit(w);
});

Deno.test("Tables.lockRow() FOR SHARE locks are shared and block FOR UPDATE until release", async () => {
  const env = await openEnv();
  const { rel, rowIds } = await queue(env);
  const a = begin(env);
  const b = begin(env);
  const c = begin(env);
  assert.equal((await env.tables.lockRow(a, rel, rowIds[0]!, { mode: "share" })).kind, "done");
  assert.equal(
    (await env.tables.lockRow(b, rel, rowIds[0]!, { mode: "share", policy: "nowait" })).kind,
    "done",
  );
  let granted = false;
  const pending = env.tables.lockRow(c, rel, rowIds[0]!, { mode: "update" }).then((
    o,
  ) => (granted = true, o));
  await env.txns.commit(a);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(granted, false);
  await env.txns.commit(b);
  assert.equal((await pending).kind, "done");
  await env.txns.commit(c);
});

Deno.test("Tables: a deadlock is reported as 40P01 within a second and the survivor proceeds", async () => {
  const env = await openEnv();
  const { rel, rowIds } = await queue(env);
  const a = begin(env);
  const b = begin(env);
  const started = performance.now();
  await env.tables.updateRow(a, rel, rowIds[0]!, (c) => c);
  await env.tables.updateRow(b, rel, rowIds[1]!, (c) => c);
  const aWaits = env.tables.updateRow(a, rel, rowIds[1]!, (c) => c);
  await assert.rejects(env.tables.updateRow(b, rel, rowIds[0]!, (c) => c), (e: DbError) => {
    return e.sqlstate === "40P01" && e.message === "deadlock detected";
  });
  assert.ok(performance.now() - started < 1000);
  env.txns.abort(b);
  assert.equal((await aWaits).kind, "done");
  await env.txns.commit(a);
});

Deno.test("Tables: a three-way deadlock through a unique-key wait is detected", async () => {
  const env = await openEnv();
  const { rel, rowIds } = await queue(env);
  const [a, b, c] = [begin(env), begin(env), begin(env)];
  await env.tables.insertRow(a, rel, [100]);
  await env.tables.lockRow(b, rel, rowIds[0]!, { mode: "update" });
  await env.tables.lockRow(c, rel, rowIds[1]!, { mode: "update" });
  const bWaits = env.tables.insertRow(b, rel, [100]); // b waits for a (same key)
  const aWaits = env.tables.lockRow(a, rel, rowIds[1]!, { mode: "share" }); // a waits for c
  await assert.rejects(
    env.tables.lockRow(c, rel, rowIds[0]!, { mode: "keyShare" }),
    (e: DbError) => e.sqlstate === "40P01",
  );
  env.txns.abort(c);
  assert.equal((await aWaits).kind, "done");
  await env.txns.commit(a);
  await assert.rejects(bWaits, (e: DbError) => e.sqlstate === "23505");
  env.txns.abort(b);
  assert.equal(env.txns.locks.lockedRowCount, 0);
});

Deno.test("TxnManager.cancelWait() interrupts a lock wait; abort ends the waiter's wait too", async () => {
  const env = await openEnv();
  const { rel, rowIds } = await queue(env);
  const a = begin(env);
  const b = begin(env);
  await env.tables.lockRow(a, rel, rowIds[0]!, { mode: "update" });
  const waiting = env.tables.lockRow(b, rel, rowIds[0]!, { mode: "update" });
  await Promise.resolve();
  const timeout = new DbError("55P03", "canceling statement due to lock timeout");
  assert.equal(env.txns.cancelWait(b, timeout), true);
  await assert.rejects(waiting, (e) => e === timeout);
  const again = env.tables.lockRow(b, rel, rowIds[0]!, { mode: "update" });
  await Promise.resolve();
  env.txns.abort(b);
  await assert.rejects(again, (e: DbError) => e.sqlstate === "25P02");
  await env.txns.commit(a);
  assert.equal(env.txns.locks.lockedRowCount, 0);
});

Deno.test("Tables.lockRow() follows a concurrent update under READ COMMITTED and fails under REPEATABLE READ", async () => {
  const env = await openEnv();
  const { rel, rowIds } = await queue(env);
  for (const isolation of ["read committed", "repeatable read"] as const) {
    const writer = begin(env);
    const locker = env.txns.begin({ isolation });
    env.txns.startStatement(locker);
    const current = env.tables.lookup(writer, rel, 0, [2])!;
    const updated = await env.tables.updateRow(
      writer,
      rel,
      current.rowId,
      (c) => [(c[0] as number) + 10],
    );
    assert.equal(updated.kind, "done");
    const pending = env.tables.lockRow(locker, rel, current.rowId, { mode: "update" });
    await env.txns.commit(writer);
    if (isolation === "read committed") {
      const out = await pending;
      assert.equal(out.kind, "done");
      if (out.kind === "done" && updated.kind === "done") {
        assert.equal(out.rowId, updated.rowId);
        assert.deepStrictEqual(out.values, [12]);
      }
      await env.txns.commit(locker);
    } else {
      await assert.rejects(pending, (e: DbError) => e.sqlstate === "40001");
      env.txns.abort(locker);
    }
    // Put the key back for the next round.
    await inTxn(env, async (t) => {
      const row = env.tables.lookup(t, rel, 0, [12])!;
      await env.tables.updateRow(t, rel, row.rowId, () => [2]);
    });
  }
  assert.ok(rowIds.length === 3);
});

Deno.test("Tables: two FOR SHARE holders upgrading to FOR UPDATE deadlock; one gets 40P01", async () => {
  const env = await openEnv();
  const { rel, rowIds } = await queue(env);
  const a = begin(env);
  const b = begin(env);
  await env.tables.lockRow(a, rel, rowIds[0]!, { mode: "share" });
  await env.tables.lockRow(b, rel, rowIds[0]!, { mode: "share" });
  const aUpgrades = env.tables.lockRow(a, rel, rowIds[0]!, { mode: "update" });
  await assert.rejects(
    env.tables.lockRow(b, rel, rowIds[0]!, { mode: "update" }),
    (e: DbError) => e.sqlstate === "40P01",
  );
  env.txns.abort(b);
  assert.equal((await aUpgrades).kind, "done");
  await env.txns.commit(a);
});
