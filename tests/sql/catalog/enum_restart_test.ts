/**
 * Enum types survive a restart of an embedded database: the type, its
 * labels (including ones added BEFORE/AFTER and renamed), columns using it
 * and the stored values; a rolled-back CREATE TYPE leaves nothing.
 */
import assert from "node:assert/strict";
import { DbError, open } from "../../../mod.ts";

Deno.test("enum types survive a restart of open({path})", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = await open({ path: dir });
    await db.query("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
    await db.query("CREATE TABLE t (id int PRIMARY KEY, m mood, past mood[])");
    await db.query("INSERT INTO t VALUES (1, 'happy', '{sad}'), (2, 'sad', NULL), (3, 'ok', NULL)");
    await db.query("ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'");
    await db.query("ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'");
    await db.query("INSERT INTO t VALUES (4, 'meh', NULL)");
    await db.query("BEGIN; CREATE TYPE colour AS ENUM ('red'); ROLLBACK");
    await db.close();

    const again = await open({ path: dir });
    try {
      const rows = await again.query("SELECT id, m::text AS label, past FROM t ORDER BY t.m, id");
      assert.deepEqual(rows.rows, [
        { id: 2, label: "blue", past: null },
        { id: 4, label: "meh", past: null },
        { id: 3, label: "ok", past: null },
        { id: 1, label: "happy", past: ["blue"] },
      ]);
      const range = await again.query("SELECT enum_range(NULL::mood)::text AS r");
      assert.deepEqual(range.rows, [{ r: "{blue,meh,ok,happy}" }]);
      await assert.rejects(
        again.query("INSERT INTO t VALUES (5, 'sad', NULL)"),
        (e: unknown) => e instanceof DbError && e.sqlstate === "22P02",
      );
      await assert.rejects(
        again.query("SELECT 'red'::colour"),
        (e: unknown) => e instanceof DbError && e.sqlstate === "42704",
      );
      await assert.rejects(
        again.query("DROP TYPE mood"),
        (e: unknown) => e instanceof DbError && e.sqlstate === "2BP01",
      );
      await again.query("DROP TABLE t");
      await again.query("DROP TYPE mood");
    } finally {
      await again.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
