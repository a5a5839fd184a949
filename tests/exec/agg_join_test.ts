/**
 * The fused aggregate over hash joins: which plans take it (EXPLAIN names
 * it), that its rows equal the row operators' for the same query, and that
 * its int sums stay exact past the double range.
 */
import assert from "node:assert/strict";
import { open, type Value } from "../../mod.ts";
import { Groups, Partials } from "../../src/exec/agg_join_groups.ts";
import type { FusedShape } from "../../src/exec/agg_join_shape.ts";
import type { AggSpec } from "../../src/exec/plan.ts";

async function withDb(fn: (q: (sql: string) => Promise<Value[][]>) => Promise<void>) {
  const db = await open({ memory: true });
  try {
    await fn(async (sql) => (await db.query(sql, [], { rowMode: "array" })).rows);
  } finally {
    await db.close();
  }
}

const setup = [
  "CREATE TABLE dim (id int PRIMARY KEY, grp text, w int)",
  "CREATE TABLE fact (fid int PRIMARY KEY, did int, amt int, big bigint)",
  "CREATE TABLE top (grp text, name text)",
  "INSERT INTO dim SELECT g, 'g' || (g % 3), g FROM generate_series(1, 20) g",
  "INSERT INTO dim VALUES (21, NULL, NULL)",
  "INSERT INTO fact SELECT g, CASE WHEN g % 11 = 0 THEN NULL ELSE g % 25 END, " +
  "CASE WHEN g % 7 = 0 THEN NULL ELSE g END, g * 1000000000000 FROM generate_series(1, 2000) g",
  "INSERT INTO top VALUES ('g0', 'zero'), ('g1', 'one'), ('g1', 'uno'), ('g2', 'two'), (NULL, 'x')",
  "ANALYZE",
];

/** Each query, and whether the aggregation runs below the joins. */
const cases: [string, boolean][] = [
  [
    "SELECT d.grp, count(*), count(f.amt), sum(f.amt) FROM fact f JOIN dim d ON d.id = f.did GROUP BY d.grp",
    true,
  ],
  [
    "SELECT t.name, count(*), sum(f.amt) FROM fact f JOIN dim d ON d.id = f.did " +
    "JOIN top t ON t.grp = d.grp GROUP BY t.name",
    true,
  ],
  [
    "SELECT d.grp, sum(f.big), min(f.amt), max(f.amt), avg(f.amt) FROM fact f " +
    "JOIN dim d ON d.id = f.did GROUP BY d.grp",
    false,
  ],
  ["SELECT f.did, count(*), sum(d.w) FROM fact f JOIN dim d ON d.id = f.did GROUP BY f.did", false],
  ["SELECT count(*), sum(f.amt) FROM fact f JOIN dim d ON d.id = f.did WHERE f.fid > 1500", true],
];

/** The same query with a join key the fused path does not take (an expression). */
function unfused(sql: string): string {
  return sql.replace("d.id = f.did", "d.id + 0 = f.did");
}

Deno.test("aggregates over hash joins run fused, with the row operators' results", async () => {
  await withDb(async (q) => {
    for (const sql of setup) await q(sql);
    for (const [sql, pushdown] of cases) {
      const plan = (await q(`EXPLAIN ${sql}`)).map((r) => String(r[0])).join("\n");
      assert.match(plan, /Fused: the hash joins feed the aggregate directly/, sql);
      assert.equal(/Partial Aggregate: by f\.did, below the joins/.test(plan), pushdown, plan);
      const other = (await q(`EXPLAIN ${unfused(sql)}`)).map((r) => String(r[0])).join("\n");
      assert.doesNotMatch(other, /Fused/, other);
      const key = (r: Value[]) => JSON.stringify(r, (_k, v) => typeof v === "bigint" ? `${v}` : v);
      const got = (await q(sql)).map(key).sort();
      const want = (await q(unfused(sql))).map(key).sort();
      assert.deepEqual(got, want, sql);
      assert.ok(got.length > 0, sql);
    }
    // EXPLAIN ANALYZE runs the row operators, and says nothing of fusion.
    const analyzed = (await q(`EXPLAIN ANALYZE ${cases[0]![0]}`)).map((r) => String(r[0]));
    assert.ok(analyzed.every((l) => !l.includes("Fused")), analyzed.join("\n"));
    assert.ok(analyzed.some((l) => l.includes("Hash Join (actual")), analyzed.join("\n"));
  });
});

Deno.test("fused aggregate over an empty probe or build side", async () => {
  await withDb(async (q) => {
    for (const sql of setup) await q(sql);
    await q("CREATE TABLE none (id int, tag text)");
    assert.deepEqual(
      await q("SELECT count(*), sum(f.amt) FROM fact f JOIN none n ON n.id = f.did"),
      [[0n, null]],
    );
    assert.deepEqual(
      await q("SELECT n.tag, count(*) FROM fact f JOIN none n ON n.id = f.did GROUP BY n.tag"),
      [],
    );
    assert.deepEqual(
      await q("SELECT count(*), sum(f.amt) FROM fact f JOIN dim d ON d.id = f.did WHERE f.fid < 0"),
      [[0n, null]],
    );
  });
});

Deno.test("fused column scan: added columns, deleted rows, overflow rows, NULLs", async () => {
  await withDb(async (q) => {
    await q("CREATE TABLE p (id int, k int, pad text)");
    await q(
      "INSERT INTO p SELECT g, CASE WHEN g % 13 = 0 THEN NULL ELSE g % 5 END, " +
        "repeat('x', CASE WHEN g % 10 = 0 THEN 9000 ELSE 3 END) FROM generate_series(1, 400) g",
    );
    await q("CREATE TABLE q (k int PRIMARY KEY, name text)");
    await q("INSERT INTO q VALUES (0, 'zero'), (1, 'one'), (2, 'two'), (3, 'three')");
    await q("ALTER TABLE p ADD COLUMN extra int DEFAULT 7");
    await q("INSERT INTO p VALUES (401, 1, 'y', NULL), (402, 2, 'z', 3)");
    await q("DELETE FROM p WHERE id % 3 = 0");
    await q("UPDATE p SET extra = 100 WHERE id % 7 = 0");
    await q("ANALYZE");
    const sql = "SELECT q.name, count(*), sum(p.extra), count(p.extra), sum(p.id) " +
      "FROM p JOIN q ON q.k = p.k GROUP BY q.name";
    const plan = (await q(`EXPLAIN ${sql}`)).map((r) => String(r[0])).join("\n");
    assert.match(plan, /Partial Aggregate: by p\.k/, plan);
    const got = await q(sql);
    const want = await q(sql.replace("q.k = p.k", "q.k + 0 = p.k"));
    const key = (r: Value[]) => r.map(String).join("|");
    assert.deepEqual(got.map(key).sort(), want.map(key).sort());
    const one = got.find((r) => r[0] === "one")!;
    // ids 1..400 with k = 1 (g % 5 = 1, not % 13 = 0), minus deleted, plus 401.
    let n = 0;
    for (let g = 1; g <= 400; g++) if (g % 5 === 1 && g % 13 !== 0 && g % 3 !== 0) n++;
    assert.equal(one[1], BigInt(n + 1));
    assert.equal(one[3], BigInt(n));
  });
});

Deno.test("fused int sums are exact beyond 2^53", () => {
  const spec = (fn: string, star: boolean): AggSpec => ({
    fn,
    args: [],
    distinct: false,
    filter: null,
    orderBy: [],
    type: { id: "int8" },
    star,
  });
  const shape: FusedShape = {
    probe: { kind: "values", rows: [], width: 1 },
    joins: [],
    groups: [{ src: 1, col: 0 }],
    primitiveGroup: true,
    aggs: [
      { kind: "sum_int", spec: spec("sum", false), arg: { src: 0, col: 0 } },
      { kind: "count_star", spec: spec("count", true), arg: { src: 0, col: 0 } },
    ],
    pushdown: true,
  };
  const parts = new Partials(shape, 8);
  const n = 2 ** 22 + 3;
  const max = 2 ** 31 - 1;
  const row: Value[] = [max];
  for (let i = 0; i < n; i++) parts.step(parts.id(i % 2), row);
  parts.step(parts.id(-7), [null]);
  const groups = new Groups(shape);
  const g = groups.id([[], ["all"]]);
  for (let p = 0; p < parts.keys.length; p++) groups.merge(g, parts, p);
  groups.merge(g, parts, 0);
  const half = BigInt(Math.ceil(n / 2));
  assert.deepEqual(groups.rows(), [[
    "all",
    BigInt(max) * (BigInt(n) + half),
    BigInt(n) + 1n + half,
    0,
  ]]);
});
