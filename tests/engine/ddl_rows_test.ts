/**
 * Row rewrites of DDL (`src/engine/ddl_rows.ts`): ALTER COLUMN TYPE that
 * moves a table to fresh storage keeps its rows and indexes across a
 * restart, and the storage it leaves (or that a rollback abandons) is freed.
 */
import assert from "node:assert/strict";
import { DbError, open } from "../../mod.ts";
import { openEngine } from "../../src/engine/engine.ts";

Deno.test("a table rewritten by ALTER COLUMN TYPE keeps rows and indexes across a restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = await open({ path: dir });
    await db.query("CREATE TABLE t (id int PRIMARY KEY, code text UNIQUE, n int)");
    await db.query("CREATE INDEX t_n ON t (n) WHERE id > 10");
    await db.query("INSERT INTO t SELECT g, 'c' || g, g % 3 FROM generate_series(1, 200) g");
    await db.query("ALTER TABLE t ALTER COLUMN id TYPE bigint, ALTER COLUMN n TYPE text");
    await db.query("BEGIN; ALTER TABLE t ALTER COLUMN code TYPE varchar(1); ROLLBACK").catch(
      (e) => assert.ok(e instanceof DbError && e.sqlstate === "22001", String(e)),
    );
    await db.close();

    const again = await open({ path: dir });
    try {
      const r = await again.query(
        "SELECT count(*) AS n, sum(id)::text AS s, pg_typeof(min(id))::text AS t FROM t WHERE n = '2'",
      );
      assert.deepEqual(r.rows, [{ n: 67n, s: "6767", t: "bigint" }]);
      await assert.rejects(
        again.query("INSERT INTO t VALUES (5, 'new', '1')"),
        (e) => e instanceof DbError && e.sqlstate === "23505",
      );
      await assert.rejects(
        again.query("INSERT INTO t VALUES (500, 'c7', '1')"),
        (e) => e instanceof DbError && e.sqlstate === "23505",
      );
      const one = await again.query("SELECT id, code, n FROM t WHERE id = 200");
      assert.deepEqual(one.rows, [{ id: 200n, code: "c200", n: "2" }]);
    } finally {
      await again.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("storage a rewrite leaves or a rollback abandons is freed", async () => {
  const engine = await openEngine({ memory: true });
  try {
    const s = engine.openSession();
    await s.execute("CREATE TABLE t (a int, b text); CREATE INDEX t_a ON t (a)");
    await s.execute("INSERT INTO t SELECT g, g::text FROM generate_series(1, 50) g");
    const stored = () => engine.rs.storedRelations().length;
    const start = stored();
    await s.execute("BEGIN");
    await s.execute("ALTER TABLE t ALTER COLUMN a TYPE bigint");
    assert.equal(stored(), start + 1, "old and new storage while the transaction is open");
    await s.execute("ROLLBACK");
    assert.equal(stored(), start);
    await s.execute("ALTER TABLE t ALTER COLUMN a TYPE text");
    assert.equal(stored(), start);
    await s.execute("BEGIN");
    await s.execute("SAVEPOINT p");
    await s.execute("ALTER TABLE t ALTER COLUMN b TYPE int USING b::int");
    await s.execute("ROLLBACK TO SAVEPOINT p");
    await s.execute("ALTER TABLE t ALTER COLUMN b TYPE bigint USING b::bigint + 1");
    await s.execute("COMMIT");
    assert.equal(stored(), start);
    const r = await s.execute("SELECT count(*), max(b) FROM t WHERE a = '7'");
    assert.deepEqual(r[r.length - 1]!.rows, [[1n, 8n]]);
  } finally {
    await engine.close();
  }
});

Deno.test("a table with another transaction's uncommitted rows is not moved", async () => {
  const engine = await openEngine({ memory: true });
  try {
    const a = engine.openSession();
    const b = engine.openSession();
    await a.execute("CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 10)");
    const busy = (e: unknown) => e instanceof DbError && e.sqlstate === "55P03";
    // Uncommitted rows of another transaction would stay behind: the move is refused.
    await b.execute("BEGIN; INSERT INTO t VALUES (2, 20)");
    await assert.rejects(a.execute("ALTER TABLE t ALTER COLUMN v TYPE bigint"), busy);
    await b.execute("COMMIT");
    const r = await b.execute("SELECT id, v FROM t ORDER BY id");
    assert.deepEqual(r[r.length - 1]!.rows, [[1, 10], [2, 20]]);
    await a.execute("ALTER TABLE t ALTER COLUMN v TYPE bigint");
    const after = await b.execute("INSERT INTO t VALUES (3, 30) RETURNING v");
    assert.deepEqual(after[after.length - 1]!.rows, [[30n]]);
  } finally {
    await engine.close();
  }
});
