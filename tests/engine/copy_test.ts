/**
 * COPY at the engine level with an in-process CopyPort: COPY FROM fills
 * defaults and serials and checks constraints like INSERT, joins an open
 * transaction, COPY TO runs tables and queries, and server files and the
 * embedded API (no port) are refused.
 */
import assert from "node:assert/strict";
import type { Value } from "../../src/common/types.ts";
import { openEngine } from "../../src/engine/engine.ts";
import type { CopyPort, CopySpec } from "../../src/engine/session_api.ts";

/** A port that feeds fixed batches and records what the engine asked for. */
class TestPort implements CopyPort {
  specs: CopySpec[] = [];
  sent: Value[][] = [];
  constructor(private readonly batches: Value[][][]) {}
  async *copyIn(spec: CopySpec): AsyncIterable<Value[][]> {
    this.specs.push(spec);
    for (const b of this.batches) {
      await Promise.resolve();
      yield b;
    }
  }
  async copyOut(spec: CopySpec, rows: AsyncIterable<readonly (readonly Value[])[]>) {
    this.specs.push(spec);
    let n = 0;
    for await (const batch of rows) {
      for (const r of batch) this.sent.push([...r]);
      n += batch.length;
    }
    return n;
  }
}

function sqlstate(e: unknown): string | undefined {
  return (e as { sqlstate?: string }).sqlstate;
}

Deno.test("COPY FROM: defaults, serials, constraints, transactions", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    await s.execute(
      "CREATE TABLE t (id serial PRIMARY KEY, name text NOT NULL, n int DEFAULT 5, f float8)",
    );
    s.copyPort = new TestPort([[["a", 1], ["b", null]], [["c", 3]]]);
    const [r] = await s.execute("COPY t (name, n) FROM STDIN WITH (FORMAT csv, HEADER)");
    assert.equal(r!.tag, "COPY 3");
    const spec = (s.copyPort as TestPort).specs[0]!;
    assert.equal(spec.format, "csv");
    assert.equal(spec.header, true);
    assert.deepEqual(spec.types.map((t) => t.id), ["text", "int4"]);
    const [rows] = await s.execute("SELECT id, name, n, f FROM t ORDER BY id");
    assert.deepEqual(rows!.rows, [[1, "a", 1, null], [2, "b", null, null], [3, "c", 3, null]]);

    s.copyPort = new TestPort([[[10, "x", 1, 1.5]]]);
    const [old] = await s.execute("COPY t FROM stdin WITH DELIMITER ','");
    assert.equal(old!.tag, "COPY 1");
    assert.equal((s.copyPort as TestPort).specs[0]!.delimiter, ",");

    s.copyPort = new TestPort([[[20, "ok", 1, null], [10, "dup", 1, null]]]);
    await assert.rejects(s.execute("COPY t FROM STDIN"), (e) => sqlstate(e) === "23505");
    s.copyPort = new TestPort([[[30, null, 1, null]]]);
    await assert.rejects(s.execute("COPY t FROM STDIN"), (e) => sqlstate(e) === "23502");
    const [count] = await s.execute("SELECT count(*) FROM t");
    assert.equal(count!.rows[0]![0], 4n);

    await s.execute("BEGIN");
    s.copyPort = new TestPort([[[40, "in-tx", 1, null]]]);
    await s.execute("COPY t FROM STDIN");
    await s.execute("ROLLBACK");
    const [after] = await s.execute("SELECT count(*) FROM t WHERE id = 40");
    assert.equal(after!.rows[0]![0], 0n);
  } finally {
    await s.close();
    await engine.close();
  }
});

Deno.test("COPY TO, server files and the embedded API", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    await s.execute("CREATE TABLE t (a int, b text)");
    await s.execute("INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, NULL)");
    await assert.rejects(s.execute("COPY t FROM STDIN"), (e) => sqlstate(e) === "0A000");
    const port = new TestPort([]);
    s.copyPort = port;
    const [r] = await s.execute("COPY t (b, a) TO STDOUT WITH (FORMAT csv, HEADER)");
    assert.equal(r!.tag, "COPY 3");
    assert.deepEqual(port.specs[0]!.headerNames, ["b", "a"]);
    assert.deepEqual(port.sent.sort(), [["one", 1], ["two", 2], [null, 3]].sort());
    port.sent = [];
    const [q] = await s.execute("COPY (SELECT a * 2 AS d FROM t WHERE a > 1 ORDER BY a) TO STDOUT");
    assert.equal(q!.tag, "COPY 2");
    assert.deepEqual(port.sent, [[4], [6]]);
    await assert.rejects(s.execute("COPY t FROM '/tmp/x'"), (e) => sqlstate(e) === "42501");
    const [v] = await s.execute("VACUUM ANALYZE t");
    assert.equal(v!.tag, "VACUUM");
  } finally {
    await s.close();
    await engine.close();
  }
});

Deno.test("COPY FROM: row errors carry PostgreSQL's CONTEXT with the line", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    await s.execute("CREATE TABLE c (id int PRIMARY KEY, n int NOT NULL CHECK (n >= 0))");
    const rows = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => [from + i, i] as Value[]);
    const failing = async (batches: Value[][][], options = "") => {
      s.copyPort = new TestPort(batches);
      try {
        await s.execute(`COPY c FROM STDIN${options}`);
      } catch (e) {
        return e as { sqlstate?: string; context?: string };
      }
      assert.fail("COPY should fail");
    };
    // Lines count from 1, a CSV header included; rows come in several batches.
    const nn = await failing([rows(1, 700), [...rows(701, 800), [1501, null]]]);
    assert.deepEqual([nn.sqlstate, nn.context], ["23502", "COPY c, line 1501"]);
    const dup = await failing([rows(1, 1200), [[1201, 1], [5, 1]]], " (FORMAT csv, HEADER)");
    assert.deepEqual([dup.sqlstate, dup.context], ["23505", "COPY c, line 1203"]);
    const check = await failing([[[1, 1], [2, -1]]]);
    assert.deepEqual([check.sqlstate, check.context], ["23514", "COPY c, line 2"]);
    const [count] = await s.execute("SELECT count(*) FROM c");
    assert.deepEqual(count!.rows, [[0n]]);
  } finally {
    await engine.close();
  }
});
