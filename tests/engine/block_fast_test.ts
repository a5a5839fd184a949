/**
 * The fast path inside transaction blocks (`src/engine/block_fast.ts`):
 * BEGIN, SELECT, UPDATE, INSERT and COMMIT run without suspending when no row
 * needs a wait; a statement that meets a row lock or an uncommitted duplicate
 * key waits and goes on from that row; errors fail the block as on the
 * general path.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";
import { DbError } from "../../src/common/errors.ts";
import type { SqlSession } from "../../src/engine/session.ts";
import type { StatementResult } from "../../src/engine/session_api.ts";
import { withTwoSessions } from "./_two_sessions.ts";

async function rejects(p: Promise<unknown>, sqlstate: string): Promise<void> {
  await assert.rejects(p, (e) => e instanceof DbError && e.sqlstate === sqlstate);
}

/** Runs `sql` and asserts that it finished without suspending. */
function now(s: SqlSession, sql: string, params: unknown[] = []): StatementResult {
  const r = s.executeNow(sql, params as never[]);
  assert.ok(!(r instanceof Promise), `${sql} ran without suspending`);
  return r[0]!;
}

const tick = () => new Promise((r) => setTimeout(r, 20));

Deno.test("a TPC-B-like block runs without suspending and commits its rows", async () => {
  const engine = await openEngine({ memory: true });
  const a = engine.openSession();
  try {
    await a.execute("CREATE TABLE acc (id int PRIMARY KEY, bal int NOT NULL)");
    await a.execute("CREATE TABLE hist (id int, delta int, at timestamp)");
    await a.execute("INSERT INTO acc VALUES (1, 0), (2, 0)");
    for (let i = 1; i <= 3; i++) {
      assert.equal(now(a, "BEGIN").tag, "BEGIN");
      assert.equal(a.txStatus, "T");
      assert.equal(now(a, "UPDATE acc SET bal = bal + $1 WHERE id = $2", [i, 1]).tag, "UPDATE 1");
      assert.deepEqual(now(a, "SELECT bal FROM acc WHERE id = $1", [1]).rows, [[i * (i + 1) / 2]]);
      const ins = now(a, "INSERT INTO hist VALUES ($1, $2, CURRENT_TIMESTAMP)", [1, i]);
      assert.equal(ins.tag, "INSERT 0 1");
      // The in-memory WAL needs no flush, so even COMMIT finishes at once.
      assert.equal(now(a, "COMMIT").tag, "COMMIT");
      assert.equal(a.txStatus, "I");
    }
    assert.equal(engine.txns.activeCount, 0);
    const [h] = await a.execute("SELECT count(*), sum(delta) FROM hist WHERE at IS NOT NULL");
    assert.deepEqual(h?.rows, [[3n, 6n]]);
    now(a, "BEGIN");
    const multi = now(a, "INSERT INTO hist (id, delta) VALUES (2, 1), (2, 2) RETURNING delta");
    assert.deepEqual(multi.rows, [[1], [2]]);
    now(a, "COMMIT");
  } finally {
    await a.close();
    await engine.close();
  }
});

Deno.test("an error on the fast path fails the block; ROLLBACK undoes its rows", async () => {
  const engine = await openEngine({ memory: true });
  const a = engine.openSession();
  try {
    await a.execute("CREATE TABLE t (id int PRIMARY KEY, v int CHECK (v < 100))");
    await a.execute("INSERT INTO t VALUES (1, 1)");
    now(a, "BEGIN");
    now(a, "UPDATE t SET v = 50 WHERE id = $1", [1]);
    await rejects(a.execute("INSERT INTO t VALUES ($1, $2)", [1, 1]), "23505");
    assert.equal(a.txStatus, "E");
    await rejects(a.execute("SELECT v FROM t WHERE id = $1", [1]), "25P02");
    await rejects(a.execute("UPDATE t SET v = 2 WHERE id = $1", [1]), "25P02");
    assert.equal((await a.execute("COMMIT"))[0]?.tag, "ROLLBACK");
    now(a, "BEGIN");
    await rejects(a.execute("UPDATE t SET v = 200 WHERE id = $1", [1]), "23514");
    await a.execute("ROLLBACK");
    now(a, "BEGIN READ ONLY");
    await rejects(a.execute("INSERT INTO t VALUES ($1, $2)", [5, 5]), "25006");
    await a.execute("ROLLBACK");
    assert.deepEqual((await a.execute("SELECT id, v FROM t"))[0]?.rows, [[1, 1]]);
    assert.equal(engine.txns.activeCount, 0);
  } finally {
    await a.close();
    await engine.close();
  }
});

Deno.test("an UPDATE in a block waits at a locked row, keeping the rows before it", () =>
  withTwoSessions(async (a, b, engine) => {
    await a.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
    await a.execute("INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)");
    await a.execute("BEGIN");
    await a.execute("UPDATE t SET v = v + 1 WHERE id = $1", [2]);
    now(b, "BEGIN");
    let settled = false;
    const waiting = b.execute("UPDATE t SET v = v * 2 WHERE id <= 3").finally(() => settled = true);
    await tick();
    assert.equal(settled, false, "the UPDATE waits for the row lock");
    await a.execute("COMMIT");
    assert.equal((await waiting)[0]?.tag, "UPDATE 3");
    assert.equal(b.txStatus, "T");
    await b.execute("COMMIT");
    const [r] = await a.execute("SELECT id, v FROM t ORDER BY id");
    assert.deepEqual(r?.rows, [[1, 20], [2, 42], [3, 60]]);
    assert.equal(engine.txns.activeCount, 0);
  }));

Deno.test("an INSERT in a block waits for an uncommitted duplicate, then reports or inserts", () =>
  withTwoSessions(async (a, b, engine) => {
    await a.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
    for (const [end, outcome] of [["COMMIT", "23505"], ["ROLLBACK", "INSERT 0 1"]] as const) {
      await a.execute("DELETE FROM t");
      await a.execute("BEGIN");
      await a.execute("INSERT INTO t VALUES ($1, $2)", [1, 1]);
      now(b, "BEGIN");
      let settled = false;
      const waiting = b.execute("INSERT INTO t VALUES ($1, $2)", [1, 2]);
      void waiting.then(() => settled = true, () => settled = true);
      await tick();
      assert.equal(settled, false, "the INSERT waits for the other inserter");
      await a.execute(end);
      if (outcome === "23505") {
        await rejects(waiting, "23505");
        assert.equal(b.txStatus, "E");
        await b.execute("ROLLBACK");
      } else {
        assert.equal((await waiting)[0]?.tag, outcome);
        await b.execute("COMMIT");
        assert.deepEqual((await a.execute("SELECT id, v FROM t"))[0]?.rows, [[1, 2]]);
      }
    }
    assert.equal(engine.txns.activeCount, 0);
  }));

Deno.test("statement_timeout still ends a lock wait inside a block", () =>
  withTwoSessions(async (a, b) => {
    await a.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
    await a.execute("INSERT INTO t VALUES (1, 10)");
    await a.execute("BEGIN");
    await a.execute("UPDATE t SET v = 11 WHERE id = $1", [1]);
    await b.execute("SET statement_timeout = 50");
    await b.execute("BEGIN");
    await rejects(b.execute("UPDATE t SET v = 12 WHERE id = $1", [1]), "57014");
    assert.equal(b.txStatus, "E");
    await b.execute("ROLLBACK");
    await a.execute("COMMIT");
    assert.deepEqual((await a.execute("SELECT v FROM t"))[0]?.rows, [[11]]);
  }));
