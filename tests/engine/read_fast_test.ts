/**
 * The autocommit SELECT fast path (`src/engine/read_fast.ts`): it ends its
 * transaction at once, keeps READ COMMITTED freshness, reports errors like the
 * general path, and still commits what a SELECT wrote (nextval).
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";
import { DbError } from "../../src/common/errors.ts";
import { withTwoSessions } from "./_two_sessions.ts";

async function rejects(p: Promise<unknown>, sqlstate: string): Promise<void> {
  await assert.rejects(p, (e) => e instanceof DbError && e.sqlstate === sqlstate);
}

Deno.test("autocommit SELECTs end their transaction and see each commit", () =>
  withTwoSessions(async (a, b, engine) => {
    await a.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
    await a.execute("INSERT INTO t VALUES (1, 10)");
    const p = await a.prepare("SELECT v FROM t WHERE id = $1");
    for (let i = 0; i < 5; i++) {
      await b.execute("UPDATE t SET v = v + 1 WHERE id = 1");
      const [r] = await a.execute("SELECT v FROM t WHERE id = $1", [1]);
      assert.deepEqual(r?.rows, [[11 + i]]);
      assert.deepEqual((await (await a.open(p, [1])).fetch(0)).rows, [[11 + i]]);
      assert.equal(a.txStatus, "I");
      assert.equal(engine.txns.activeCount, 0, "no transaction left open");
    }
    // Errors: the statement's transaction is rolled back and the session goes on.
    await rejects(a.execute("SELECT v / 0 FROM t WHERE id = $1", [1]), "22012");
    await rejects(a.execute("SELECT v FROM t WHERE id = $1", []), "08P01");
    await rejects(a.execute("SELECT nope FROM t"), "42703");
    assert.equal(engine.txns.activeCount, 0);
    assert.deepEqual((await a.execute("SELECT count(*) FROM t"))[0]?.rows, [[1n]]);
    // Inside a block the general path runs, with its failed state.
    await a.execute("BEGIN");
    await rejects(a.execute("SELECT 1 / 0"), "22012");
    await rejects(a.execute("SELECT v FROM t WHERE id = $1", [1]), "25P02");
    await a.execute("ROLLBACK");
    // A SERIALIZABLE default still reads and ends each statement's transaction.
    await a.execute("SET default_transaction_isolation = 'serializable'");
    assert.deepEqual((await a.execute("SELECT v FROM t WHERE id = $1", [1]))[0]?.rows, [[15]]);
    assert.equal(engine.txns.activeCount, 0);
  }));

Deno.test("a SELECT that advances a sequence commits it durably", async () => {
  const dir = await Deno.makeTempDir({ prefix: "thunder_read_fast_" });
  try {
    let engine = await openEngine({ path: dir });
    let s = engine.openSession();
    await s.execute("CREATE SEQUENCE q");
    assert.deepEqual((await s.execute("SELECT nextval('q')"))[0]?.rows, [[1n]]);
    assert.deepEqual((await s.execute("SELECT nextval('q')"))[0]?.rows, [[2n]]);
    assert.equal(engine.txns.activeCount, 0);
    await s.close();
    await engine.close();
    engine = await openEngine({ path: dir });
    s = engine.openSession();
    assert.deepEqual((await s.execute("SELECT nextval('q')"))[0]?.rows, [[3n]]);
    await s.close();
    await engine.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
