/**
 * DML on views through the embedded API (mod.ts): PostgreSQL's messages,
 * details and hints for views that are not automatically updatable.
 */
import assert from "node:assert/strict";
import { open } from "../../../mod.ts";

type Failure = Error & { sqlstate?: string; detail?: string; hint?: string };

async function failure(run: () => Promise<unknown>): Promise<Failure> {
  try {
    await run();
  } catch (e) {
    return e as Failure;
  }
  throw new Error("expected an error");
}

Deno.test("DML on a view that is not automatically updatable fails as in PostgreSQL", async () => {
  const db = await open({ memory: true });
  try {
    await db.query("CREATE TABLE t (id int PRIMARY KEY, n int)");
    await db.query("CREATE VIEW totals AS SELECT count(*) FROM t");
    const e = await failure(() => db.query("DELETE FROM totals"));
    assert.equal(e.sqlstate, "55000");
    assert.equal(e.message, 'cannot delete from view "totals"');
    assert.equal(
      e.detail,
      "Views that return aggregate functions are not automatically updatable.",
    );
    assert.equal(
      e.hint,
      "To enable deleting from the view, provide an INSTEAD OF DELETE trigger or an unconditional ON DELETE DO INSTEAD rule.",
    );
    const i = await failure(() => db.query("INSERT INTO totals VALUES (1)"));
    assert.equal(i.message, 'cannot insert into view "totals"');
    assert.equal(
      i.hint,
      "To enable inserting into the view, provide an INSTEAD OF INSERT trigger or an unconditional ON INSERT DO INSTEAD rule.",
    );
    await db.query("CREATE VIEW doubled AS SELECT id, n * 2 AS twice FROM t");
    const c = await failure(() => db.query("UPDATE doubled SET twice = 1"));
    assert.equal(c.sqlstate, "0A000");
    assert.equal(c.message, 'cannot update column "twice" of view "doubled"');
    assert.equal(
      c.detail,
      "View columns that are not columns of their base relation are not updatable.",
    );
  } finally {
    await db.close();
  }
});

Deno.test("a prepared UPDATE through a view sees only the view's rows", async () => {
  const db = await open({ memory: true });
  try {
    await db.query("CREATE TABLE t (id int PRIMARY KEY, n int)");
    await db.query("INSERT INTO t VALUES (1, 1), (2, 10)");
    await db.query("CREATE VIEW big AS SELECT id, n FROM t WHERE n > 5");
    const r = await db.query("UPDATE big SET n = $1 WHERE id >= $2 RETURNING id", [99, 1]);
    assert.deepEqual(r.rows, [{ id: 2 }]);
    const all = await db.query("SELECT id, n FROM t ORDER BY id");
    assert.deepEqual(all.rows, [{ id: 1, n: 1 }, { id: 2, n: 99 }]);
  } finally {
    await db.close();
  }
});

Deno.test("WITH CHECK OPTION names the innermost failing view, as PostgreSQL does", async () => {
  const db = await open({ memory: true });
  try {
    await db.query("CREATE TABLE ct (id int, n int, s text)");
    await db.query("CREATE VIEW cv AS SELECT id, n FROM ct WHERE n > 5 WITH CHECK OPTION");
    await db.query(
      "CREATE VIEW cv2 AS SELECT id, n FROM cv WHERE id < 10 WITH LOCAL CHECK OPTION",
    );
    const e = await failure(() => db.query("INSERT INTO cv2 (id) VALUES (20)"));
    assert.equal(e.sqlstate, "44000");
    assert.equal(e.message, 'new row violates check option for view "cv"');
    assert.equal(e.detail, "Failing row contains (20, null, null).");
    await db.query("CREATE VIEW cv3 AS SELECT * FROM cv2 WHERE id > 0");
    const u = await failure(() => db.query("INSERT INTO cv3 VALUES (30, 7)"));
    assert.equal(u.message, 'new row violates check option for view "cv2"');
    await db.query("INSERT INTO cv3 VALUES (3, 7)");
    const r = await db.query("SELECT id, n FROM ct");
    assert.deepEqual(r.rows, [{ id: 3, n: 7 }]);
  } finally {
    await db.close();
  }
});

Deno.test("INSERT ... ON CONFLICT on a view upserts its base table, with parameters", async () => {
  const db = await open({ memory: true });
  try {
    await db.query("CREATE TABLE kv (k text PRIMARY KEY, v int NOT NULL)");
    await db.query("CREATE VIEW counters AS SELECT k AS name, v AS total FROM kv");
    const upsert = "INSERT INTO counters VALUES ($1, $2) ON CONFLICT (name) " +
      "DO UPDATE SET total = counters.total + excluded.total RETURNING name, total";
    for (const [name, n] of [["a", 1], ["b", 2], ["a", 3]] as const) {
      await db.query(upsert, [name, n]);
    }
    const last = await db.query(upsert, ["a", 10]);
    assert.deepEqual(last.rows, [{ name: "a", total: 14 }]);
    const all = await db.query("SELECT k, v FROM kv ORDER BY k");
    assert.deepEqual(all.rows, [{ k: "a", v: 14 }, { k: "b", v: 2 }]);
    const e = await failure(() =>
      db.query("INSERT INTO counters VALUES ('c', 1) ON CONFLICT ON CONSTRAINT kv_pkey DO NOTHING")
    );
    assert.equal(e.sqlstate, "42704");
    assert.equal(e.message, 'constraint "kv_pkey" for table "counters" does not exist');
  } finally {
    await db.close();
  }
});
