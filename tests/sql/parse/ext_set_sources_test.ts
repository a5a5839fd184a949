/**
 * INSERT and CREATE VIEW over queries with INTERSECT / EXCEPT
 * (`src/sql/parse/ext_set_sources.ts`): the parsed shapes, and views that
 * survive a restart of an embedded database.
 */
import assert from "node:assert/strict";
import { parseSql } from "../../../src/sql/parse/parse_sql.ts";
import { open } from "../../../mod.ts";

const ast = (sql: string) => parseSql(sql)[0]!.ast as unknown as Record<string, unknown>;

Deno.test("INSERT ... SELECT ... EXCEPT keeps the target, ON CONFLICT and RETURNING", () => {
  const s = ast(
    "INSERT INTO t (a) (SELECT a FROM u EXCEPT SELECT a FROM v) ON CONFLICT DO NOTHING RETURNING a",
  );
  assert.equal(s.type, "insert");
  assert.deepEqual(s.columns, [{ name: "a" }]);
  const src = s.insert as { kind: string; op: string; all: boolean };
  assert.equal(src.kind, "ext.set_operation");
  assert.equal(src.op, "except");
  assert.ok(s.onConflict);
  assert.ok(Array.isArray(s.returning));
});

Deno.test("INSERT without INTERSECT / EXCEPT stays the grammar's", () => {
  const s = ast("INSERT INTO t SELECT a FROM u UNION SELECT 1");
  assert.equal((s.insert as { type: string }).type, "union");
});

Deno.test("CREATE VIEW over INTERSECT locates its query and keeps its check option", () => {
  const sql = "CREATE OR REPLACE VIEW v (x) AS (SELECT 1 INTERSECT SELECT 1) WITH CHECK OPTION";
  const s = ast(sql);
  assert.equal(s.type, "create view");
  assert.equal(s.orReplace, true);
  assert.equal(s.checkOption, "cascaded");
  const q = s.query as { kind: string; _location: { start: number; end: number } };
  assert.equal(q.kind, "ext.set_operation");
  assert.equal(sql.slice(q._location.start, q._location.end), "SELECT 1 INTERSECT SELECT 1");
});

Deno.test("views over INTERSECT / EXCEPT and tables made from them survive a restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = await open({ path: dir });
    await db.query("CREATE TABLE a (x int); CREATE TABLE b (x int)");
    await db.query("INSERT INTO a VALUES (1), (2), (3); INSERT INTO b VALUES (2)");
    await db.query("CREATE VIEW only_a AS SELECT x FROM a EXCEPT SELECT x FROM b");
    await db.query("CREATE VIEW both_ab AS (SELECT x FROM a) INTERSECT ALL (SELECT x FROM b)");
    await db.query("CREATE TABLE diff AS SELECT x FROM a EXCEPT SELECT x FROM b");
    await db.close();

    const again = await open({ path: dir });
    try {
      const onlyA = await again.query("SELECT x FROM only_a ORDER BY x");
      assert.deepEqual(onlyA.rows, [{ x: 1 }, { x: 3 }]);
      const both = await again.query("SELECT x FROM both_ab");
      assert.deepEqual(both.rows, [{ x: 2 }]);
      const diff = await again.query("SELECT x FROM diff ORDER BY x");
      assert.deepEqual(diff.rows, [{ x: 1 }, { x: 3 }]);
      await again.query("INSERT INTO b VALUES (3)");
      const after = await again.query("SELECT x FROM only_a");
      assert.deepEqual(after.rows, [{ x: 1 }]);
    } finally {
      await again.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
