/**
 * Waits for a table rewrite (`src/engine/relation_waits.ts`): while ALTER
 * COLUMN TYPE moves a table to fresh storage in an open transaction, other
 * sessions' reads and writes of it wait for that transaction (PostgreSQL's
 * ACCESS EXCLUSIVE lock), then go on against what it left: the new types
 * after COMMIT, the old ones after ROLLBACK, 42P01 / 42703 when it dropped
 * the table or column. lock_timeout bounds the wait; a cycle is 40P01.
 * COPY, EXPLAIN, CREATE TABLE AS, ANALYZE / VACUUM and DDL on the table wait
 * the same way.
 */
import assert from "node:assert/strict";
import { DbError } from "../../src/common/errors.ts";
import type { Value } from "../../src/common/types.ts";
import type { CopyPort, CopySpec, StatementResult } from "../../src/engine/session_api.ts";
import type { SqlSession } from "../../src/engine/session.ts";
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

/**
 * Runs `sql` in `b` while `a` rewrites t (v to `type`), asserts that it
 * waited, ends `a`'s transaction with `end` and returns what `sql` gave.
 */
async function whileRewriting(
  a: SqlSession,
  b: SqlSession,
  sql: string,
  type: string,
  end = "COMMIT",
): Promise<StatementResult[]> {
  await a.execute(`BEGIN; ALTER TABLE t ALTER COLUMN v TYPE ${type}`);
  const r = b.execute(sql);
  assert.ok(await pending(r), `${sql} waits for the rewriting transaction`);
  await a.execute(end);
  return await r;
}

Deno.test("EXPLAIN, ANALYZE and VACUUM wait for a rewrite; CREATE TABLE AS then takes the new type", async () => {
  await withTwoSessions(async (a, b, engine) => {
    await a.execute(setup);
    const others = [engine.openSession(), engine.openSession()];
    try {
      await a.execute("BEGIN; ALTER TABLE t ALTER COLUMN v TYPE bigint");
      const waits = [
        b.execute("EXPLAIN ANALYZE SELECT * FROM t"),
        others[0]!.execute("ANALYZE t"),
        others[1]!.execute("VACUUM t"),
      ];
      for (const w of waits) assert.ok(await pending(w));
      await a.execute("COMMIT");
      assert.deepEqual((await Promise.all(waits)).map((r) => r[0]!.tag), [
        "EXPLAIN",
        "ANALYZE",
        "VACUUM",
      ]);
    } finally {
      for (const o of others) await o.close();
    }
    const ctas = await whileRewriting(a, b, "CREATE TABLE c AS SELECT id, v FROM t", "int");
    assert.equal(ctas[0]!.tag, "SELECT 2");
    assert.deepEqual(rows(await b.execute("SELECT id, v FROM c ORDER BY id")), [[1, 10], [2, 20]]);
  });
});

Deno.test("DDL on a table being rewritten waits, and the rewrite still commits", async () => {
  await withTwoSessions(async (a, b) => {
    await a.execute(setup);
    // Before, DDL on the table committed first and the rewrite's COMMIT failed with 40001.
    const ddl: [string, string][] = [
      ["CREATE INDEX t_v ON t (v)", "bigint"],
      ["ALTER TABLE t ADD COLUMN w int DEFAULT 7", "int"],
      ["COMMENT ON TABLE t IS 'rewritten'", "bigint"],
      ["CREATE TABLE child (id int REFERENCES t (id))", "int"],
    ];
    for (const [sql, type] of ddl) await whileRewriting(a, b, sql, type);
    assert.deepEqual(rows(await b.execute("SELECT id, v, w FROM t ORDER BY id")), [
      [1, 10, 7],
      [2, 20, 7],
    ]);
    // Dropping a table with a foreign key to t locks t too.
    await whileRewriting(a, b, "DROP TABLE child", "text", "ROLLBACK");
    await whileRewriting(a, b, "TRUNCATE t", "bigint", "ROLLBACK");
    assert.deepEqual(rows(await a.execute("SELECT count(*) FROM t")), [[0n]]);
    await whileRewriting(a, b, "CREATE VIEW tv AS SELECT v FROM t", "bigint");
    assert.deepEqual(rows(await a.execute("SELECT pg_typeof(v)::text FROM tv")), []);
    assert.deepEqual(await a.execute("INSERT INTO t VALUES (1, 5); SELECT v FROM tv").then(rows), [[
      5n,
    ]]);
  });
});

Deno.test("a DDL wait ends with lock_timeout; DDL on another table does not wait", async () => {
  await withTwoSessions(async (a, b) => {
    await a.execute(setup);
    await a.execute("BEGIN; ALTER TABLE t ALTER COLUMN v TYPE bigint");
    await b.execute("SET lock_timeout = 20");
    await assert.rejects(b.execute("CREATE INDEX ON t (v)"), code("55P03"));
    await assert.rejects(b.execute("ALTER TABLE t ADD COLUMN w int"), code("55P03"));
    const other = b.execute("CREATE TABLE other (x int)");
    assert.ok(!(await pending(other)), "an unrelated table is not waited for");
    await other;
    await a.execute("ROLLBACK");
    assert.deepEqual(rows(await b.execute("SELECT v FROM t WHERE id = 1")), [[10]]);
  });
});

/** An in-process COPY port: feeds fixed rows in, keeps the rows sent out. */
class RowsPort implements CopyPort {
  readonly sent: Value[][] = [];
  constructor(private readonly rowsIn: Value[][]) {}
  async *copyIn(_spec: CopySpec): AsyncIterable<Value[][]> {
    await Promise.resolve();
    yield this.rowsIn;
  }
  async copyOut(_spec: CopySpec, batches: AsyncIterable<readonly (readonly Value[])[]>) {
    for await (const batch of batches) for (const r of batch) this.sent.push([...r]);
    return this.sent.length;
  }
}

Deno.test("COPY FROM and COPY TO wait for a rewrite, then use the new type", async () => {
  await withTwoSessions(async (a, b) => {
    await a.execute(setup);
    const port = new RowsPort([[3, "v30"]]);
    b.copyPort = port;
    const copyIn = await whileRewriting(a, b, "COPY t FROM STDIN", "text USING 'v' || v");
    assert.equal(copyIn[0]!.tag, "COPY 1");
    const copyOut = await whileRewriting(a, b, "COPY t (v) TO STDOUT", "int USING length(v)");
    assert.equal(copyOut[0]!.tag, "COPY 3");
    assert.deepEqual(port.sent, [[3], [3], [3]]);
  });
});

Deno.test("a statement that waited reads the rows the rewrite wrote (a snapshot after the wait)", async () => {
  await withTwoSessions(async (a, b) => {
    await a.execute(setup);
    await a.execute("ALTER TABLE t ALTER COLUMN v TYPE bigint");
    await whileRewriting(a, b, "ALTER TABLE t ADD COLUMN w int DEFAULT 7", "int");
    assert.deepEqual(rows(await b.execute("SELECT id, v, w FROM t ORDER BY id")), [
      [1, 10, 7],
      [2, 20, 7],
    ]);
    await whileRewriting(a, b, "UPDATE t SET w = NULL WHERE id = 2", "bigint");
    // The next rewrite keeps the NULL (it is a value, not a missing column).
    await whileRewriting(a, b, "UPDATE t SET w = w + 1", "int");
    assert.deepEqual(rows(await b.execute("SELECT id, v, w FROM t ORDER BY id")), [
      [1, 10, 8],
      [2, 20, null],
    ]);
  });
});
