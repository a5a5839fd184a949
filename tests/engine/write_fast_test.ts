/**
 * The autocommit UPDATE fast path (`src/engine/write_fast.ts`): results and
 * errors as on the general path, commits visible at once, a row lock held by
 * another transaction makes it wait (through the general path), and an
 * on-disk database still commits durably.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";
import { DbError } from "../../src/common/errors.ts";
import { withTwoSessions } from "./_two_sessions.ts";

async function rejects(p: Promise<unknown>, sqlstate: string, detail?: string): Promise<void> {
  await assert.rejects(p, (e) => {
    if (!(e instanceof DbError) || e.sqlstate !== sqlstate) return false;
    return detail === undefined || e.detail === detail;
  });
}

const update = "UPDATE t SET v = v + $1 WHERE id = $2";

Deno.test("autocommit UPDATEs commit at once and report errors like the general path", () =>
  withTwoSessions(async (a, b, engine) => {
    await a.execute(
      "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL CHECK (v < 100), u int UNIQUE)",
    );
    await a.execute("INSERT INTO t VALUES (1, 10, 1), (2, 20, 2)");
    for (let i = 1; i <= 3; i++) {
      const [r] = await a.execute(update, [1, 1]);
      assert.equal(r?.tag, "UPDATE 1");
      assert.equal(engine.txns.activeCount, 0, "no transaction left open");
      assert.deepEqual((await b.execute("SELECT v FROM t WHERE id = 1"))[0]?.rows, [[10 + i]]);
    }
    assert.equal((await a.execute(update, [1, 99]))[0]?.tag, "UPDATE 0");
    const [ret] = await a.execute("UPDATE t SET v = v + 1 WHERE id = $1 RETURNING id, v", [2]);
    assert.deepEqual(ret?.rows, [[2, 21]]);
    await rejects(a.execute(update, [100, 1]), "23514");
    await rejects(a.execute("UPDATE t SET v = NULL WHERE id = $1", [1]), "23502");
    await rejects(
      a.execute("UPDATE t SET u = $1 WHERE id = $2", [2, 1]),
      "23505",
      "Key (u)=(2) already exists.",
    );
    await rejects(a.execute(update, [1]), "08P01");
    assert.equal(engine.txns.activeCount, 0);
    assert.deepEqual((await a.execute("SELECT id, v, u FROM t ORDER BY id"))[0]?.rows, [
      [1, 13, 1],
      [2, 21, 2],
    ]);
  }));

Deno.test("an autocommit UPDATE of a locked row waits for the holder, then re-checks", () =>
  withTwoSessions(async (a, b, engine) => {
    await a.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
    await a.execute("INSERT INTO t VALUES (1, 10)");
    await a.execute("BEGIN");
    await a.execute(update, [5, 1]);
    let settled = false;
    const waiting = b.execute(update, [1, 1]).finally(() => settled = true);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(settled, false, "the UPDATE waits for the row lock");
    await a.execute("COMMIT");
    assert.equal((await waiting)[0]?.tag, "UPDATE 1");
    assert.deepEqual((await a.execute("SELECT v FROM t"))[0]?.rows, [[16]]);
    assert.equal(engine.txns.activeCount, 0);
  }));

Deno.test("autocommit UPDATEs on disk are durable across a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "thunder_write_fast_" });
  try {
    let engine = await openEngine({ path: dir });
    let s = engine.openSession();
    await s.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
    await s.execute("INSERT INTO t VALUES (1, 0)");
    for (let i = 0; i < 5; i++) await s.execute(update, [1, 1]);
    await s.close();
    await engine.close();
    engine = await openEngine({ path: dir });
    s = engine.openSession();
    assert.deepEqual((await s.execute("SELECT v FROM t"))[0]?.rows, [[5]]);
    await s.close();
    await engine.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
