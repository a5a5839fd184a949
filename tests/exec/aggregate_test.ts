/**
 * Hash aggregation through the embedded API: grouping on one number, bigint,
 * string or numeric key (primitive and generic grouping paths), NULL groups,
 * and the one-pass count/sum/avg/min/max path next to FILTER and DISTINCT.
 */
import assert from "node:assert/strict";
import { Numeric, open, type Value } from "../../mod.ts";

async function withDb(fn: (q: (sql: string) => Promise<Value[][]>) => Promise<void>) {
  const db = await open({ memory: true });
  try {
    await fn(async (sql) => (await db.query(sql, [], { rowMode: "array" })).rows);
  } finally {
    await db.close();
  }
}

Deno.test("group by one key of each kind, with a NULL group", async () => {
  await withDb(async (q) => {
    await q("CREATE TABLE t (i int4, b int8, s text, n numeric, v int4)");
    await q(
      "INSERT INTO t VALUES (1, 1, 'a', 1.0, 10), (1, 1, 'a', 1.00, -3), (2, 2, 'b', 2, NULL), " +
        "(NULL, NULL, NULL, NULL, 7), (NULL, NULL, NULL, NULL, 2147483647), (2, 2, 'b', 2, 2147483647)",
    );
    const expected = [
      [2n, 7n, 10, -3],
      [2n, 2147483647n, 2147483647, 2147483647],
      [2n, 2147483654n, 2147483647, 7],
    ];
    for (const col of ["i", "b", "s", "n"]) {
      const rows = await q(
        `SELECT count(*), sum(v), max(v), min(v) FROM t GROUP BY ${col} ORDER BY 2`,
      );
      assert.deepEqual(rows, expected, `GROUP BY ${col}`);
    }
    const keys = await q("SELECT b, n FROM t GROUP BY b, n ORDER BY 1");
    assert.deepEqual(keys.map((r) => r[0]), [1n, 2n, null]);
    assert.ok(keys[0]![1] instanceof Numeric);
  });
});

Deno.test("simple aggregates agree with FILTER and DISTINCT forms", async () => {
  await withDb(async (q) => {
    await q("CREATE TABLE t (g int4, v int4)");
    await q(
      "INSERT INTO t SELECT x % 3, CASE WHEN x % 5 = 0 THEN NULL ELSE x - 50 END " +
        "FROM generate_series(1, 100) x",
    );
    const rows = await q(
      "SELECT g, count(v), sum(v), avg(v)::text, count(v) FILTER (WHERE true), " +
        "sum(DISTINCT v) = sum(v) FROM t GROUP BY g ORDER BY g",
    );
    assert.deepEqual(rows, [
      [0, 27n, 18n, "0.66666666666666666667", 27n, true],
      [1, 27n, -18n, "-0.66666666666666666667", 27n, true],
      [2, 26n, 0n, "0.00000000000000000000", 26n, true],
    ]);
    assert.deepEqual(await q("SELECT count(v), sum(v), max(v) FROM t WHERE v > 1000"), [[
      0n,
      null,
      null,
    ]]);
  });
});
