/**
 * Updates in place (src/txn/in_place.ts): an autocommit UPDATE on an
 * in-memory database that runs alone overwrites the row in its slot (its
 * row id stays) and leaves no dead version; a rollback writes the old values
 * back; an open snapshot, a transaction block, a subquery or a data
 * directory keep the usual new version.
 */
import assert from "node:assert/strict";
import { type Engine, openEngine } from "../../src/engine/engine.ts";
import type { SqlSession } from "../../src/engine/session.ts";
import { SimFileSystem } from "../sim/sim_disk.ts";

async function withEngine(body: (s: SqlSession, engine: Engine) => Promise<void>): Promise<void> {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    await s.execute("CREATE TABLE t (id int PRIMARY KEY, v int, note text)");
    await s.execute("INSERT INTO t SELECT g, g, 'n' || g FROM generate_series(1, 5) g");
    await body(s, engine);
  } finally {
    await s.close();
    await engine.close();
  }
}

async function rows(s: SqlSession, sql: string): Promise<readonly (readonly unknown[])[]> {
  const [r] = await s.execute(sql);
  return r!.rows;
}

/** The row id (the stored version's slot) of each row of `table`, by its first column. */
function slots(engine: Engine, table = "t"): [unknown, number][] {
  const def = engine.rs.relationDef(engine.catalog.relation(table).oid);
  const txn = engine.txns.begin({ readOnly: true });
  try {
    engine.txns.startStatement(txn);
    const b = engine.rs.tables.scan(txn, def).all();
    return b.rows.map((r, i): [unknown, number] => [r[0], b.rowIds[i]!])
      .sort((x, y) => Number(x[0]) - Number(y[0]));
  } finally {
    engine.txns.abort(txn);
  }
}
const values = (s: SqlSession) => rows(s, "SELECT id, v, note FROM t ORDER BY id");
const deadRows = (engine: Engine) =>
  engine.rs.tables.stats(engine.rs.relationDef(engine.catalog.relation("t").oid)).deadRows;

Deno.test("in place: an autocommit UPDATE alone keeps the row's slot and leaves no dead version", async () => {
  await withEngine(async (s, engine) => {
    const before = slots(engine);
    await s.execute("UPDATE t SET v = v + 10 WHERE id = 2");
    await s.execute("UPDATE t SET v = v * 2, note = 'x3' WHERE id = 3");
    await s.execute("UPDATE t SET v = v + 1");
    assert.deepEqual(slots(engine), before, "every row was overwritten in its slot");
    assert.equal(deadRows(engine), 0);
    assert.deepEqual(await values(s), [
      [1, 2, "n1"],
      [2, 13, "n2"],
      [3, 7, "x3"],
      [4, 5, "n4"],
      [5, 6, "n5"],
    ]);
    // A value of another length needs a new version.
    await s.execute("UPDATE t SET note = 'longer' WHERE id = 4");
    assert.notDeepEqual(slots(engine)[3], before[3]);
    assert.equal(deadRows(engine), 1);
  });
});

Deno.test("in place: an error after rows were overwritten puts every old value back", async () => {
  await withEngine(async (s) => {
    const before = await values(s);
    // Rows 1..4 are written before row 5 divides by zero.
    await assert.rejects(
      s.execute("UPDATE t SET v = v + 100 / (5 - id)"),
      (e: { sqlstate?: string }) => e.sqlstate === "22012",
    );
    assert.deepEqual(await values(s), before);
    // CHECK violation on the last row, same story; then the table still updates.
    await s.execute("ALTER TABLE t ADD CONSTRAINT small CHECK (v < 10)");
    await assert.rejects(
      s.execute("UPDATE t SET v = v * 2"),
      (e: { sqlstate?: string }) => e.sqlstate === "23514",
    );
    assert.deepEqual(await values(s), before);
    await s.execute("UPDATE t SET v = v + 1 WHERE id = 1");
    assert.deepEqual((await values(s))[0], [1, 2, "n1"]);
  });
});

Deno.test("in place: an UPDATE in a transaction block writes a new version; ROLLBACK undoes it", async () => {
  await withEngine(async (s, engine) => {
    const before = slots(engine);
    await s.execute("BEGIN");
    await s.execute("UPDATE t SET v = 99 WHERE id = 1");
    await s.execute("COMMIT");
    assert.notDeepEqual(slots(engine)[0], before[0], "a new version from the block");
    await s.execute("BEGIN");
    await s.execute("UPDATE t SET v = 100 WHERE id = 1");
    await s.execute("ROLLBACK");
    assert.deepEqual((await values(s))[0], [1, 99, "n1"]);
  });
});

Deno.test("in place: a REPEATABLE READ snapshot opened before the UPDATE still sees the old value", async () => {
  await withEngine(async (s, engine) => {
    const reader = engine.openSession();
    try {
      await reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ");
      assert.deepEqual(await rows(reader, "SELECT v FROM t WHERE id = 1"), [[1]]);
      const before = slots(engine);
      await s.execute("UPDATE t SET v = 50 WHERE id = 1");
      assert.notDeepEqual(slots(engine)[0], before[0], "not in place while a reader is open");
      assert.deepEqual(await rows(reader, "SELECT v FROM t WHERE id = 1"), [[1]]);
      assert.deepEqual(await rows(reader, "SELECT sum(v) FROM t"), [[15n]]);
      await reader.execute("COMMIT");
      assert.deepEqual(await rows(reader, "SELECT v FROM t WHERE id = 1"), [[50]]);
      // Alone again: the next update is in place, through the HOT chain the last one made.
      const after = slots(engine);
      await s.execute("UPDATE t SET v = 51 WHERE id = 1");
      assert.deepEqual(slots(engine), after);
      assert.deepEqual(await rows(s, "SELECT v FROM t WHERE id = 1"), [[51]]);
    } finally {
      await reader.close();
    }
  });
});

Deno.test("in place: a subquery reading the table sees the values before the statement", async () => {
  await withEngine(async (s) => {
    await s.execute("UPDATE t SET v = (SELECT sum(v) FROM t) + id");
    assert.deepEqual(await rows(s, "SELECT v FROM t ORDER BY id"), [[16], [17], [18], [19], [20]]);
    await s.execute("UPDATE t SET v = v + 1 WHERE id = 1 RETURNING (SELECT max(v) FROM t)");
    const [r] = await s.execute(
      "UPDATE t SET v = v + 1 WHERE id = 2 RETURNING v, (SELECT v FROM t WHERE id = 2)",
    );
    assert.deepEqual(r!.rows, [[18, 17]]);
  });
});

Deno.test("in place: a database with a data directory writes new versions and recovers them", async () => {
  const fs = new SimFileSystem({ seed: 11 });
  {
    const engine = await openEngine({ path: "/db", fs: fs.view() });
    const s = engine.openSession();
    await s.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
    await s.execute("INSERT INTO t SELECT g, 0 FROM generate_series(1, 20) g");
    const before = slots(engine);
    for (let i = 0; i < 5; i++) await s.execute("UPDATE t SET v = v + 1 WHERE id = 7");
    assert.notDeepEqual(slots(engine)[6], before[6], "a new version, not an overwrite");
    // Crash: no checkpoint, no close.
    fs.crash();
  }
  const again = await openEngine({ path: "/db", fs: fs.view() });
  const s2 = again.openSession();
  assert.deepEqual(await rows(s2, "SELECT v FROM t WHERE id = 7"), [[5]]);
  assert.deepEqual(await rows(s2, "SELECT sum(v), count(*) FROM t"), [[5n, 20n]]);
  await s2.close();
  await again.close();
});
