/**
 * Catalog state added by migration DDL survives a restart of an embedded
 * database: comments, generated columns, sequence ownership and options,
 * changed column types, materialized views, domains.
 */
import assert from "node:assert/strict";
import { DbError, open } from "../../../mod.ts";

Deno.test("migration DDL survives a restart of open({path})", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = await open({ path: dir });
    await db.query(
      "CREATE TABLE t (id serial PRIMARY KEY, qty int, label text, " +
        "doubled int GENERATED ALWAYS AS (qty * 2) STORED)",
    );
    await db.query("INSERT INTO t (qty, label) VALUES (1, 'a'), (2, 'b')");
    await db.query("COMMENT ON TABLE t IS 'the table'");
    await db.query("COMMENT ON COLUMN t.qty IS 'how many'");
    await db.query("BEGIN; COMMENT ON TABLE t IS 'rolled back'; ROLLBACK");
    await db.query("ALTER TABLE t ALTER COLUMN label TYPE varchar(10) USING upper(label)");
    await db.query("ALTER SEQUENCE t_id_seq INCREMENT BY 10");
    await db.query("CREATE MATERIALIZED VIEW mv AS SELECT count(*)::int AS n FROM t");
    await db.query("CREATE DOMAIN posint AS int CHECK (VALUE > 0)");
    await db.close();

    const again = await open({ path: dir });
    const d = await again.query(
      "SELECT obj_description('t'::regclass, 'pg_class') AS t, " +
        "col_description('t'::regclass, 2) AS c",
    );
    assert.deepEqual(d.rows, [{ t: "the table", c: "how many" }]);
    await again.query("INSERT INTO t (qty, label) VALUES (5, 'c')");
    const rows = await again.query("SELECT id, doubled, label FROM t ORDER BY id");
    assert.deepEqual(rows.rows, [
      { id: 1, doubled: 2, label: "A" },
      { id: 2, doubled: 4, label: "B" },
      { id: 12, doubled: 10, label: "c" },
    ]);
    await assert.rejects(
      again.query("INSERT INTO t (qty, label) VALUES (1, 'much too long')"),
      (e: unknown) => e instanceof DbError && e.sqlstate === "22001",
    );
    await again.query("REFRESH MATERIALIZED VIEW mv");
    const mv = await again.query(
      "SELECT n, (SELECT relkind FROM pg_class WHERE relname = 'mv') AS kind FROM mv",
    );
    assert.deepEqual(mv.rows, [{ n: 3, kind: "m" }]);
    await assert.rejects(
      again.query("INSERT INTO mv VALUES (1)"),
      (e: unknown) => e instanceof DbError && e.sqlstate === "42809",
    );
    await again.query("DROP MATERIALIZED VIEW mv");
    await again.query("CREATE TABLE d (v posint)");
    await assert.rejects(
      again.query("INSERT INTO d VALUES (0)"),
      (e: unknown) => e instanceof DbError && e.sqlstate === "23514",
    );
    await again.query("DROP TABLE t");
    const gone = await again.query(
      "SELECT count(*)::int AS n FROM pg_class WHERE relname = 't_id_seq'",
    );
    assert.deepEqual(gone.rows, [{ n: 0 }]);
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
