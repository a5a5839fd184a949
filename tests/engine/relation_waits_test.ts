/**
 * Waits for a table rewrite (`src/engine/relation_waits.ts`): while ALTER
 * COLUMN TYPE moves a table to fresh storage in an open transaction, other
 * sessions' reads and writes of it wait for that transaction (PostgreSQL's
 * ACCESS EXCLUSIVE lock), then go on against what it left: the new types
 * after COMMIT, the old ones after ROLLBACK, 42P01 / 42703 when it dropped
 * the table or column. lock_timeout bounds the wait; a cycle is 40P01.
 */
import assert from "node:assert/strict";
import { DbError } from "../../src/common/errors.ts";
import type { StatementResult } from "../../src/engine/session_api.ts";
import { withTwoSessions } from "./_two_sessions.ts";

const setup = "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 10), (2, 20)";
const rows = (r: StatementResult[]) => r[r.length - 1]!.rows;
const code = (sqlstate: string) => (e: unknown) => e instanceof DbError && e.sqlstate === sqlstate;

/** True when `p` is still pending after the event loop had a few turns. */
async function pending(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  p.then(() => settled = true, () => settled = true);
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 2));
  return !settled;
}

Deno.test("reads and writes wait for a rewrite that commits, then see the new type", async () => {
  await withTwoSessions(async (a, b) => {
    await a.execute(setup);
    await a.execute("BEGIN; ALTER TABLE t ALTER COLUMN v TYPE bigint");
    const read = b.execute("SELECT id, v FROM t ORDER BY id");
    const write = b.execute("INSERT INTO t VALUES (3, 30) RETURNING v");
    assert.ok(await pending(read), "the read waits for the rewriting transaction");
    await a.execute("COMMIT");
    assert.deepEqual(rows(await read), [[1, 10n], [2, 20n]]);
    assert.deepEqual(rows(await write), [[30n]]);
  });
});

Deno.test("a transaction block waits for a rewrite that rolls back, then sees the old type", async () => {
  await withTwoSessions(async (a, b) => {
    await a.execute(setup);
    await b.execute("BEGIN");
    await a.execute("BEGIN; ALTER TABLE t ALTER COLUMN v TYPE text USING v::text || '!'");
    const update = b.execute("UPDATE t SET v = v + 1 WHERE id = 1 RETURNING v");
    assert.ok(await pending(update));
    await a.execute("ROLLBACK");
    assert.deepEqual(rows(await update), [[11]]);
    await b.execute("COMMIT");
    assert.deepEqual(rows(await a.execute("SELECT v FROM t ORDER BY id")), [[11], [20]]);
  });
});

Deno.test("after waiting, a dropped table or column is reported", async () => {
  await withTwoSessions(async (a, b) => {
    await a.execute(setup);
    await a.execute("BEGIN; ALTER TABLE t ALTER COLUMN v TYPE bigint; ALTER TABLE t DROP COLUMN v");
    const column = b.execute("SELECT v FROM t");
    assert.ok(await pending(column));
    await a.execute("COMMIT");
    await assert.rejects(column, code("42703"));
    await a.execute("BEGIN; ALTER TABLE t ALTER COLUMN id TYPE bigint; DROP TABLE t");
    const table = b.execute("SELECT * FROM t");
    assert.ok(await pending(table));
    await a.execute("COMMIT");
    await assert.rejects(table, code("42P01"));
  });
});

Deno.test("lock_timeout ends the wait with 55P03", async () => {
  await withTwoSessions(async (a, b) => {
    await a.execute(setup);
    await a.execute("BEGIN; ALTER TABLE t ALTER COLUMN v TYPE bigint");
    await b.execute("SET lock_timeout = 20");
    await assert.rejects(
      b.execute("SELECT * FROM t"),
      (e) => code("55P03")(e) && /lock timeout/.test((e as Error).message),
    );
    await a.execute("COMMIT");
    assert.deepEqual(rows(await b.execute("SELECT v FROM t WHERE id = 2")), [[20n]]);
  });
});

Deno.test("waiting for a rewrite that waits for the waiter is a deadlock (40P01)", async () => {
  await withTwoSessions(async (a, b) => {
    await a.execute(setup);
    await a.execute("CREATE TABLE u (id int PRIMARY KEY, n int); INSERT INTO u VALUES (1, 0)");
    await a.execute("BEGIN; UPDATE u SET n = 1 WHERE id = 1");
    await b.execute("BEGIN; ALTER TABLE t ALTER COLUMN v TYPE bigint");
    const blocked = b.execute("UPDATE u SET n = 2 WHERE id = 1");
    assert.ok(await pending(blocked), "the rewriter waits for the row lock");
    await assert.rejects(a.execute("SELECT * FROM t"), code("40P01"));
    await a.execute("ROLLBACK");
    await blocked;
    await b.execute("COMMIT");
    assert.deepEqual(rows(await a.execute("SELECT n FROM u")), [[2]]);
    assert.deepEqual(rows(await a.execute("SELECT v FROM t WHERE id = 1")), [[10n]]);
  });
});
