/**
 * Concurrency through the engine's sessions: bank transfers keep the total,
 * concurrent increments lose no update, write skew fails under SERIALIZABLE,
 * deadlocks are detected, and repeatable read reports concurrent updates.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";
import type { SqlSession } from "../../src/engine/session.ts";

function sqlstate(e: unknown): string | undefined {
  return (e as { sqlstate?: string }).sqlstate;
}

async function retrying(s: SqlSession, statements: string[]): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      for (const sql of statements) await s.execute(sql);
      return attempt;
    } catch (e) {
      if (s.txStatus !== "I") await s.execute("ROLLBACK");
      if (sqlstate(e) !== "40001" && sqlstate(e) !== "40P01") throw e;
    }
  }
  throw new Error("Too many retries");
}

/** Small seeded PRNG so a failure reproduces. */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

Deno.test("bank transfers between accounts keep the total constant", async () => {
  const engine = await openEngine({ memory: true });
  const setup = engine.openSession();
  await setup.execute("CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL CHECK (bal >= 0))");
  await setup.execute("INSERT INTO acct SELECT g, 1000 FROM generate_series(1, 10) g");
  const rand = prng(7);
  const workers = Array.from({ length: 8 }, async (_, w) => {
    const s = engine.openSession();
    for (let i = 0; i < 25; i++) {
      const from = 1 + Math.floor(rand() * 10);
      const to = 1 + ((from + Math.floor(rand() * 9)) % 10);
      const amount = 1 + Math.floor(rand() * 50);
      try {
        await retrying(s, [
          "BEGIN",
          `UPDATE acct SET bal = bal - ${amount} WHERE id = ${from}`,
          `UPDATE acct SET bal = bal + ${amount} WHERE id = ${to}`,
          "COMMIT",
        ]);
      } catch (e) {
        // An overdraft violates the CHECK; the transfer is simply refused.
        if (sqlstate(e) !== "23514") throw e;
        if (s.txStatus !== "I") await s.execute("ROLLBACK");
      }
    }
    await s.close();
    return w;
  });
  await Promise.all(workers);
  const [r] = await setup.execute("SELECT sum(bal), count(*) FROM acct");
  assert.deepEqual(r!.rows, [[10000n, 10n]]);
  await engine.close();
});

Deno.test("concurrent increments lose no update under read committed", async () => {
  const engine = await openEngine({ memory: true });
  const setup = engine.openSession();
  await setup.execute("CREATE TABLE counter (id int PRIMARY KEY, n int)");
  await setup.execute("INSERT INTO counter VALUES (1, 0)");
  await Promise.all(Array.from({ length: 10 }, async () => {
    const s = engine.openSession();
    for (let i = 0; i < 20; i++) {
      await s.execute("BEGIN");
      await s.execute("UPDATE counter SET n = n + 1 WHERE id = 1");
      await new Promise((resolve) => setTimeout(resolve, 0));
      await s.execute("COMMIT");
    }
    await s.close();
  }));
  const [r] = await setup.execute("SELECT n FROM counter");
  assert.deepEqual(r!.rows, [[200]]);
  await engine.close();
});

Deno.test("write skew is rejected under SERIALIZABLE", async () => {
  const engine = await openEngine({ memory: true });
  const setup = engine.openSession();
  await setup.execute("CREATE TABLE doctors (name text PRIMARY KEY, on_call bool)");
  await setup.execute("INSERT INTO doctors VALUES ('alice', true), ('bob', true)");
  const a = engine.openSession();
  const b = engine.openSession();
  await a.execute("BEGIN ISOLATION LEVEL SERIALIZABLE");
  await b.execute("BEGIN ISOLATION LEVEL SERIALIZABLE");
  const [ca] = await a.execute("SELECT count(*) FROM doctors WHERE on_call");
  const [cb] = await b.execute("SELECT count(*) FROM doctors WHERE on_call");
  assert.deepEqual(ca!.rows, [[2n]]);
  assert.deepEqual(cb!.rows, [[2n]]);
  await a.execute("UPDATE doctors SET on_call = false WHERE name = 'alice'");
  await b.execute("UPDATE doctors SET on_call = false WHERE name = 'bob'");
  await a.execute("COMMIT");
  await assert.rejects(b.execute("COMMIT"), (e: unknown) => sqlstate(e) === "40001");
  const [r] = await setup.execute("SELECT count(*) FROM doctors WHERE on_call");
  assert.deepEqual(r!.rows, [[1n]]);
  await engine.close();
});

Deno.test("a deadlock is detected and one transaction fails with 40P01", async () => {
  const engine = await openEngine({ memory: true });
  const setup = engine.openSession();
  await setup.execute("CREATE TABLE r (id int PRIMARY KEY, v int)");
  await setup.execute("INSERT INTO r VALUES (1, 0), (2, 0)");
  const a = engine.openSession();
  const b = engine.openSession();
  await a.execute("BEGIN");
  await b.execute("BEGIN");
  await a.execute("UPDATE r SET v = 1 WHERE id = 1");
  await b.execute("UPDATE r SET v = 2 WHERE id = 2");
  const aWaits = a.execute("UPDATE r SET v = 1 WHERE id = 2");
  await assert.rejects(
    b.execute("UPDATE r SET v = 2 WHERE id = 1"),
    (e: unknown) => sqlstate(e) === "40P01",
  );
  assert.equal(b.txStatus, "E");
  await b.execute("ROLLBACK");
  await aWaits;
  await a.execute("COMMIT");
  const [rows] = await setup.execute("SELECT id, v FROM r ORDER BY id");
  assert.deepEqual(rows!.rows, [[1, 1], [2, 1]]);
  await engine.close();
});

Deno.test("repeatable read reports a concurrent update with 40001", async () => {
  const engine = await openEngine({ memory: true });
  const setup = engine.openSession();
  await setup.execute("CREATE TABLE r (id int PRIMARY KEY, v int)");
  await setup.execute("INSERT INTO r VALUES (1, 0)");
  const a = engine.openSession();
  await a.execute("BEGIN ISOLATION LEVEL REPEATABLE READ");
  const [before] = await a.execute("SELECT v FROM r");
  await setup.execute("UPDATE r SET v = 5 WHERE id = 1");
  const [still] = await a.execute("SELECT v FROM r");
  assert.deepEqual(still!.rows, before!.rows);
  await assert.rejects(
    a.execute("UPDATE r SET v = v + 1 WHERE id = 1"),
    (e: unknown) => sqlstate(e) === "40001",
  );
  await a.execute("ROLLBACK");
  await engine.close();
});

Deno.test("LISTEN/NOTIFY delivers on commit only", async () => {
  const engine = await openEngine({ memory: true });
  const listener = engine.openSession();
  const got: string[] = [];
  listener.onNotification = (n) => got.push(`${n.channel}:${n.payload}`);
  await listener.execute("LISTEN jobs");
  const sender = engine.openSession();
  await sender.execute("BEGIN");
  await sender.execute("NOTIFY jobs, 'one'");
  assert.deepEqual(got, []);
  await sender.execute("COMMIT");
  await sender.execute("NOTIFY jobs, 'two'");
  await sender.execute("BEGIN; NOTIFY jobs, 'never'; ROLLBACK");
  assert.deepEqual(got, ["jobs:one", "jobs:two"]);
  await engine.close();
});

Deno.test("prepared statements and cursors fetch in row limits", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  await s.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
  await s.execute("INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 5) g");
  const p = await s.prepare("SELECT id, v FROM t WHERE id > $1 ORDER BY id");
  assert.deepEqual(p.paramTypes.map((t) => t.id), ["int4"]);
  assert.deepEqual(p.fields!.map((f) => [f.name, f.type.id, f.columnNumber]), [["id", "int4", 1], [
    "v",
    "text",
    2,
  ]]);
  const c = await s.open(p, [2]);
  const first = await c.fetch(2);
  assert.deepEqual(first.rows, [[3, "v3"], [4, "v4"]]);
  assert.equal(first.done, false);
  const rest = await c.fetch(0);
  assert.deepEqual(rest.rows, [[5, "v5"]]);
  assert.equal(rest.done, true);
  assert.equal(rest.result!.tag, "SELECT 3");
  c.close();
  const ins = await s.prepare("INSERT INTO t VALUES ($1, $2)");
  const ic = await s.open(ins, [9, "nine"]);
  const done = await ic.fetch(0);
  assert.equal(done.result!.tag, "INSERT 0 1");
  await engine.close();
});

Deno.test("cancel() and statement_timeout interrupt a statement waiting for a row lock with 57014", async () => {
  const engine = await openEngine({ memory: true });
  const setup = engine.openSession();
  await setup.execute("CREATE TABLE r (id int PRIMARY KEY, v int)");
  await setup.execute("INSERT INTO r VALUES (1, 0)");
  const holder = engine.openSession();
  await holder.execute("BEGIN");
  await holder.execute("UPDATE r SET v = 1 WHERE id = 1");
  const waiter = engine.openSession();
  const waiting = waiter.execute("UPDATE r SET v = 2 WHERE id = 1");
  await new Promise((resolve) => setTimeout(resolve, 5));
  waiter.cancel();
  await assert.rejects(waiting, (e: unknown) => sqlstate(e) === "57014");
  await waiter.execute("SET statement_timeout = 20");
  await assert.rejects(
    waiter.execute("UPDATE r SET v = 3 WHERE id = 1"),
    (e: unknown) => sqlstate(e) === "57014" && /timeout/.test((e as Error).message),
  );
  await holder.execute("COMMIT");
  const [r] = await setup.execute("SELECT v FROM r");
  assert.deepEqual(r!.rows, [[1]]);
  await engine.close();
});
