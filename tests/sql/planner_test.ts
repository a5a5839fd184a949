/**
 * The planner: index selection for equality and ranges, hash joins, predicate
 * pushdown, plan caching per statement text, and EXPLAIN ANALYZE actuals.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";
import { parseSql } from "../../src/sql/parser_port.ts";
import { planStatement } from "../../src/sql/planner.ts";

async function setup() {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  await s.execute("CREATE TABLE t (id int PRIMARY KEY, k int, v text)");
  await s.execute("CREATE INDEX t_k ON t (k)");
  await s.execute("CREATE TABLE u (id int PRIMARY KEY, t_id int)");
  await s.execute("INSERT INTO t SELECT g, g % 10, 'v' || g FROM generate_series(1, 100) g");
  await s.execute("INSERT INTO u SELECT g, g FROM generate_series(1, 50) g");
  return { engine, s };
}

async function explain(s: Awaited<ReturnType<typeof setup>>["s"], sql: string): Promise<string> {
  const [r] = await s.execute(`EXPLAIN ${sql}`);
  return r!.rows.map((row) => row[0]).join("\n");
}

Deno.test("planner uses the primary key index for equality and the secondary index for ranges", async () => {
  const { engine, s } = await setup();
  assert.match(await explain(s, "SELECT v FROM t WHERE id = 5"), /Index Scan using t_pkey on t/);
  assert.match(
    await explain(s, "SELECT v FROM t WHERE k = 3 AND id > 10"),
    /Index Scan using t_k on t/,
  );
  assert.match(
    await explain(s, "SELECT v FROM t WHERE id BETWEEN 10 AND 20"),
    /Index Scan using t_pkey on t\n\s+Index Cond: \(\(id >= 10\) AND \(id <= 20\)\)/,
  );
  assert.match(
    await explain(s, "SELECT v FROM t WHERE id = 5"),
    /Index Cond: \(id = 5\)/,
  );
  assert.match(
    await explain(s, "SELECT v FROM t WHERE v = 'x'"),
    /Seq Scan on t\n\s+Filter: \(v = 'x'\)/,
  );
  const [r] = await s.execute("SELECT count(*) FROM t WHERE id BETWEEN 10 AND 20 AND k <> 5");
  assert.deepEqual(r!.rows, [[10n]]);
  await engine.close();
});

Deno.test("planner turns equi-join terms into a hash join and pushes filters into scans", async () => {
  const { engine, s } = await setup();
  const plan = await explain(s, "SELECT t.v FROM t JOIN u ON u.t_id = t.id WHERE u.id < 5");
  // Column names are qualified by their table when the plan reads several.
  assert.match(plan, /Hash Cond: \((u\.t_id = t\.id|t\.id = u\.t_id)\)/);
  assert.match(plan, /Filter: \(u\.id < 5\)/);
  assert.match(plan, /Hash Join/);
  assert.match(plan, /Index Scan using u_pkey on u|Filter: \(u\.id < 5\)/);
  const [r] = await s.execute("SELECT count(*) FROM t JOIN u ON u.t_id = t.id WHERE u.id < 5");
  assert.deepEqual(r!.rows, [[4n]]);
  await engine.close();
});

Deno.test("plans are cached per statement text and invalidated by DDL", async () => {
  const { engine, s } = await setup();
  await s.execute("SELECT v FROM t WHERE id = $1", [1]);
  const cached = engine.planCache.size;
  await s.execute("SELECT v FROM t WHERE id = $1", [2]);
  assert.equal(engine.planCache.size, cached);
  await s.execute("ALTER TABLE t ADD COLUMN w int");
  assert.equal(engine.planCache.size, 0);
  const [r] = await s.execute("SELECT v, w FROM t WHERE id = $1", [3]);
  assert.deepEqual(r!.rows, [["v3", null]]);
  await engine.close();
});

Deno.test("EXPLAIN ANALYZE reports actual rows", async () => {
  const { engine, s } = await setup();
  const plan = await explain(s, "ANALYZE SELECT * FROM t WHERE k = 1");
  assert.match(plan, /actual time=[\d.]+ rows=10 loops=1/);
  assert.match(plan, /Execution Time/);
  await engine.close();
});

Deno.test("planStatement reports 42P01, 42703 and 42702 while binding", async () => {
  const { engine } = await setup();
  const plan = (sql: string) => planStatement(engine.catalog, parseSql(sql)[0]!.ast, sql);
  assert.throws(
    () => plan("SELECT * FROM nope"),
    (e: unknown) => (e as { sqlstate: string }).sqlstate === "42P01",
  );
  assert.throws(
    () => plan("SELECT nope FROM t"),
    (e: unknown) => (e as { sqlstate: string }).sqlstate === "42703",
  );
  assert.throws(
    () => plan("SELECT id FROM t, u"),
    (e: unknown) => (e as { sqlstate: string }).sqlstate === "42702",
  );
  const p = plan("SELECT id, v FROM t WHERE id = $1");
  assert.deepEqual(p.paramTypes.map((t) => t.id), ["int4"]);
  assert.deepEqual(p.columns!.map((c) => [c.name, c.type.id, c.attnum]), [["id", "int4", 1], [
    "v",
    "text",
    3,
  ]]);
  await engine.close();
});

Deno.test("ANALYZE statistics put the smaller input on the hash join's build side", async () => {
  const { engine, s } = await setup();
  await s.execute("CREATE TABLE tiny (id int, label text)");
  await s.execute("INSERT INTO tiny VALUES (1, 'one'), (2, 'two')");
  await s.execute("ANALYZE");
  assert.equal(engine.stats.get(engine.catalog.relation("t").oid), 100);
  const smallLeft = await explain(s, "SELECT * FROM tiny JOIN t ON t.k = tiny.id");
  assert.match(
    smallLeft,
    /Hash Join[\s\S]*-> {2}Seq Scan on t\n[\s\S]*-> {2}Hash\n\s+-> {2}Seq Scan on tiny/,
  );
  const smallRight = await explain(s, "SELECT * FROM t JOIN tiny ON t.k = tiny.id");
  assert.match(
    smallRight,
    /Hash Join[\s\S]*-> {2}Seq Scan on t\n[\s\S]*-> {2}Hash\n\s+-> {2}Seq Scan on tiny/,
  );
  const [a] = await s.execute(
    "SELECT tiny.label, count(*) FROM tiny JOIN t ON t.k = tiny.id GROUP BY tiny.label ORDER BY 1",
  );
  assert.deepEqual(a!.rows, [["one", 10n], ["two", 10n]]);
  await engine.close();
});
