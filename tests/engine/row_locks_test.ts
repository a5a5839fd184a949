/**
 * SELECT ... FOR UPDATE / FOR SHARE through the engine's sessions: NOWAIT
 * fails with 55P03, SKIP LOCKED hands out different rows (a job queue), a
 * waiting locker sees the newest version after the holder commits, locks
 * block writers until the end of the transaction, and FOR SHARE lets other
 * sharers through.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";

function sqlstate(e: unknown): string | undefined {
  return (e as { sqlstate?: string }).sqlstate;
}

Deno.test("FOR UPDATE NOWAIT, SKIP LOCKED and waiting lockers", async () => {
  const engine = await openEngine({ memory: true });
  const a = engine.openSession();
  const b = engine.openSession();
  await a.execute("CREATE TABLE jobs (id int PRIMARY KEY, state text)");
  await a.execute("INSERT INTO jobs SELECT g, 'new' FROM generate_series(1, 5) g");

  await a.execute("BEGIN");
  const [first] = await a.execute(
    "SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
  );
  assert.deepEqual(first!.rows, [[1]]);
  await b.execute("BEGIN");
  const [second] = await b.execute(
    "SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED",
  );
  assert.deepEqual(second!.rows, [[2], [3]], "the locked row is skipped, the limit still filled");
  const err = await b.execute("SELECT * FROM jobs WHERE id = 1 FOR UPDATE NOWAIT").catch((e) => e);
  assert.equal(sqlstate(err), "55P03");
  await b.execute("ROLLBACK");

  // A waiting locker gets the row once the holder commits, in its newest version.
  await b.execute("BEGIN");
  const waiting = b.execute("SELECT state FROM jobs WHERE id = 1 FOR UPDATE");
  let settled = false;
  void waiting.then(() => (settled = true), () => (settled = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(settled, false, "FOR UPDATE waits for the holder");
  await a.execute("UPDATE jobs SET state = 'done' WHERE id = 1");
  await a.execute("COMMIT");
  const [got] = await waiting;
  assert.deepEqual(got!.rows, [["done"]]);
  // The lock is held until b ends: a writer waits.
  const write = a.execute("UPDATE jobs SET state = 'again' WHERE id = 1");
  let written = false;
  void write.then(() => (written = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(written, false);
  await b.execute("COMMIT");
  await write;
  const [final] = await a.execute("SELECT state FROM jobs WHERE id = 1");
  assert.deepEqual(final!.rows, [["again"]]);
  await engine.close();
});

Deno.test("FOR SHARE lets sharers through and blocks FOR UPDATE NOWAIT", async () => {
  const engine = await openEngine({ memory: true });
  const a = engine.openSession();
  const b = engine.openSession();
  await a.execute("CREATE TABLE p (id int PRIMARY KEY, v int)");
  await a.execute("CREATE TABLE c (id int PRIMARY KEY, p int REFERENCES p (id))");
  await a.execute("INSERT INTO p VALUES (1, 10), (2, 20)");
  await a.execute("INSERT INTO c VALUES (1, 1)");
  await a.execute("BEGIN");
  await a.execute("SELECT * FROM p FOR SHARE");
  await b.execute("BEGIN");
  const [shared] = await b.execute("SELECT v FROM p WHERE id = 2 FOR SHARE NOWAIT");
  assert.deepEqual(shared!.rows, [[20]]);
  const err = await b.execute("SELECT v FROM p WHERE id = 2 FOR UPDATE NOWAIT").catch((e) => e);
  assert.equal(sqlstate(err), "55P03");
  await b.execute("ROLLBACK");
  // A join locks the rows of its tables.
  const [joined] = await a.execute("SELECT c.id, p.v FROM c JOIN p ON p.id = c.p FOR UPDATE");
  assert.deepEqual(joined!.rows, [[1, 10]]);
  await b.execute("BEGIN");
  const e2 = await b.execute("SELECT * FROM c FOR UPDATE NOWAIT").catch((e) => e);
  assert.equal(sqlstate(e2), "55P03");
  await b.execute("ROLLBACK");
  await a.execute("COMMIT");
  await engine.close();
});
