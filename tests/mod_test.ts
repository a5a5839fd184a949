/**
 * The embedded API (`mod.ts`): open in memory and on disk, query with
 * parameters, row modes, multi-statement strings, transactions, errors and
 * restart durability.
 */
import assert from "node:assert/strict";
import { DbError, open } from "../mod.ts";

Deno.test("open({memory}) runs a parameterized query with typed fields", async () => {
  const db = await open({ memory: true });
  try {
    const r = await db.query("SELECT $1::int + 1 AS x", [41]);
    assert.deepEqual(r.rows, [{ x: 42 }]);
    assert.deepEqual(r.fields, [{ name: "x", type: "int4" }]);
    assert.equal(r.rowCount, 1);
    assert.equal(r.command, "SELECT");
    // The same statement again (cached plan): equal columns, in an array of its own.
    r.fields.push({ name: "extra", type: "text" });
    const again = await db.query("SELECT $1::int + 1 AS x", [1]);
    assert.deepEqual(again.rows, [{ x: 2 }]);
    assert.deepEqual(again.fields, [{ name: "x", type: "int4" }]);
  } finally {
    await db.close();
  }
});

Deno.test("query() rowMode array keeps duplicate column names", async () => {
  const db = await open({ memory: true });
  try {
    const a = await db.query("SELECT 1 AS n, 2 AS n", [], { rowMode: "array" });
    assert.deepEqual(a.rows, [[1, 2]]);
    assert.deepEqual(a.fields.map((f) => f.name), ["n", "n"]);
  } finally {
    await db.close();
  }
});

Deno.test("query() runs several statements and returns the last result", async () => {
  const db = await open({ memory: true });
  try {
    const r = await db.query(
      "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'), (2, 'b'); SELECT v FROM t ORDER BY id DESC",
    );
    assert.deepEqual(r.rows, [{ v: "b" }, { v: "a" }]);
    const ins = await db.query("INSERT INTO t VALUES (3, 'c')");
    assert.equal(ins.command, "INSERT");
    assert.equal(ins.rowCount, 1);
    const big = await db.query("SELECT count(*) AS n, sum(id) AS s FROM t");
    assert.deepEqual(big.rows, [{ n: 3n, s: 6n }]);
    assert.deepEqual(big.fields.map((f) => f.type), ["int8", "int8"]);
  } finally {
    await db.close();
  }
});

Deno.test("query() raises DbError with SQLSTATE and position", async () => {
  const db = await open({ memory: true });
  try {
    await assert.rejects(
      db.query("SELECT * FROM nope"),
      (e: unknown) => e instanceof DbError && e.sqlstate === "42P01",
    );
    await assert.rejects(
      db.query("SELECT 1 / 0"),
      (e: unknown) => e instanceof DbError && e.sqlstate === "22012",
    );
    await assert.rejects(
      db.query("SELECT 1 FROM"),
      (e: unknown) =>
        e instanceof DbError && e.sqlstate === "42601" && typeof e.position === "number",
    );
  } finally {
    await db.close();
  }
});

Deno.test("transaction() commits on success and rolls back on error", async () => {
  const db = await open({ memory: true });
  try {
    await db.query("CREATE TABLE acct (id int PRIMARY KEY, bal int)");
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO acct VALUES (1, 100)");
      await tx.query("INSERT INTO acct VALUES (2, 50)");
    });
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query("UPDATE acct SET bal = 0");
        await tx.query("INSERT INTO acct VALUES (1, 1)");
      }),
      (e: unknown) => e instanceof DbError && e.sqlstate === "23505",
    );
    const r = await db.query("SELECT sum(bal) AS total FROM acct");
    assert.deepEqual(r.rows, [{ total: 150n }]);
  } finally {
    await db.close();
  }
});

Deno.test("transaction() isolates uncommitted writes from other sessions", async () => {
  const db = await open({ memory: true });
  try {
    await db.query("CREATE TABLE t (x int)");
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO t VALUES (1)");
      const outside = await db.query("SELECT count(*) AS n FROM t");
      assert.deepEqual(outside.rows, [{ n: 0n }]);
      const inside = await tx.query("SELECT count(*) AS n FROM t");
      assert.deepEqual(inside.rows, [{ n: 1n }]);
    });
    assert.deepEqual((await db.query("SELECT count(*) AS n FROM t")).rows, [{ n: 1n }]);
  } finally {
    await db.close();
  }
});

Deno.test("open({path}) keeps committed data, schema and sequences across a restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = await open({ path: dir });
    await db.query(
      "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, price numeric(8,2))",
    );
    await db.query("INSERT INTO items (name, price) VALUES ('a', 1.50), ('b', 2.25)");
    await db.query("UPDATE items SET price = 9.99 WHERE name = 'b'");
    await db.query("DELETE FROM items WHERE name = 'a'");
    await db.query("CREATE INDEX items_name ON items (name)");
    await db.query("BEGIN; INSERT INTO items (name) VALUES ('rolled back'); ROLLBACK");
    await db.close();

    const again = await open({ path: dir });
    const r = await again.query("SELECT id, name, price::text AS price FROM items ORDER BY id");
    assert.deepEqual(r.rows, [{ id: 2, name: "b", price: "9.99" }]);
    const next = await again.query("INSERT INTO items (name) VALUES ('c') RETURNING id");
    assert.deepEqual(next.rows, [{ id: 4 }]);
    await assert.rejects(
      again.query("INSERT INTO items (id, name) VALUES (2, 'dup')"),
      (e: unknown) => e instanceof DbError && e.sqlstate === "23505",
    );
    await again.close();

    // Reopen without a clean close of the last writes: the commit log alone restores them.
    const third = await open({ path: dir });
    await third.query("INSERT INTO items (name) VALUES ('d')");
    const names = await third.query("SELECT name FROM items ORDER BY id");
    assert.deepEqual(names.rows.map((row) => row.name), ["b", "c", "d"]);
    await third.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("query() binds a JavaScript array to = ANY($1)", async () => {
  const db = await open({ memory: true });
  try {
    await db.query(
      "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')",
    );
    const r = await db.query("SELECT v FROM t WHERE id = ANY($1) ORDER BY id", [[1, 3]]);
    assert.deepEqual(r.rows, [{ v: "a" }, { v: "c" }]);
  } finally {
    await db.close();
  }
});

Deno.test("parameters read as timestamptz use the session TimeZone, in and out of blocks", async () => {
  const db = await open({ memory: true });
  try {
    await db.query("SET timezone = 'America/New_York'");
    const sql = "SELECT $1::timestamptz = '2024-01-01 05:00:00+00'::timestamptz AS eq";
    const auto = await db.query(sql, ["2024-01-01 00:00:00"]);
    assert.deepStrictEqual(auto.rows, [{ eq: true }]);
    // A transaction runs on a session of its own: it sets its zone itself.
    const inBlock = await db.transaction(async (tx) => {
      await tx.query("SET LOCAL timezone = 'America/New_York'");
      return tx.query(sql, ["2024-01-01 00:00:00"]);
    });
    assert.deepStrictEqual(inBlock.rows, [{ eq: true }]);
  } finally {
    await db.close();
  }
});
