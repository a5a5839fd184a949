/**
 * The plan cache on the query path (`src/sql/plan_cache.ts` hooked into
 * `Session.execute`): a statement shape seen before runs its cached plan with
 * the new literals as parameters. Checked through the embedded API (mod.ts)
 * for results, and on engine sessions for hits, rejections and invalidation.
 */
import assert from "node:assert/strict";
import { open } from "../../mod.ts";
import { numericToString } from "../../src/common/numeric.ts";
import type { Numeric } from "../../src/common/types.ts";
import { openEngine } from "../../src/engine/engine.ts";
import type { SqlSession } from "../../src/engine/session.ts";
import { planFor } from "../../src/engine/statement_context.ts";
import { PlanCache, planCacheFor, type ShapeEnv } from "../../src/sql/plan_cache.ts";

async function withSession(fn: (s: SqlSession, cache: PlanCache) => Promise<void>) {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    await fn(s, planCacheFor(engine));
  } finally {
    await s.close();
    await engine.close();
  }
}

async function rows(s: SqlSession, sql: string): Promise<unknown[][]> {
  const r = await s.execute(sql);
  return r[r.length - 1]!.rows as unknown[][];
}

async function types(s: SqlSession, sql: string): Promise<string[]> {
  const r = await s.execute(sql);
  return (r[r.length - 1]!.fields ?? []).map((f) => `${f.name}:${f.type.id}`);
}

Deno.test("mod.ts: the same shape with new literals returns each statement's own rows", async () => {
  const db = await open({ memory: true });
  try {
    await db.query("CREATE TABLE acc (id int PRIMARY KEY, bal int8, note text, amt numeric(12,2))");
    for (let i = 1; i <= 30; i++) {
      await db.query(`INSERT INTO acc VALUES (${i}, ${i * 1000}, 'n${i}', ${i}.25)`);
    }
    for (let i = 1; i <= 30; i++) {
      const r = await db.query(`SELECT bal, note, amt FROM acc WHERE id = ${i}`);
      assert.equal(r.rows.length, 1);
      assert.equal(r.rows[0]!.bal, BigInt(i * 1000));
      assert.equal(r.rows[0]!.note, `n${i}`);
      assert.equal(numericToString(r.rows[0]!.amt as Numeric), `${i}.25`);
    }
    for (let i = 1; i <= 30; i++) {
      await db.query(`UPDATE acc SET bal = bal + -${i}, amt = amt + 0.5 WHERE id = ${i}`);
    }
    const sum = await db.query("SELECT sum(bal) AS s, sum(amt) AS a FROM acc");
    assert.equal(numericToString(sum.rows[0]!.s as Numeric), String(465 * 1000 - 465));
    assert.equal(numericToString(sum.rows[0]!.a as Numeric), "487.50");
    const str = await db.query("SELECT id FROM acc WHERE note = 'n7'");
    assert.deepEqual(str.rows, [{ id: 7 }]);
    const str2 = await db.query("SELECT id FROM acc WHERE note = 'n8'");
    assert.deepEqual(str2.rows, [{ id: 8 }]);
  } finally {
    await db.close();
  }
});

Deno.test("literal kinds key the shape: int4, int8, numeric and string literals keep their types", async () => {
  await withSession(async (s, cache) => {
    const kinds: [string, string, (v: unknown) => string][] = [
      ["1|2|3", "int4", String],
      ["5000000000|6000000000|-7000000000", "int8", String],
      ["1.5|2.25|-0.125", "numeric", (v) => numericToString(v as Numeric)],
      ["99999999999999999999|1e3|2.5e-1", "numeric", (v) => numericToString(v as Numeric)],
      ["'x'|'yz'|E'a\\tb'", "text", String],
    ];
    // Interleaved, so each kind's shape is looked up between the others'.
    for (let round = 0; round < 3; round++) {
      for (const [literals, type] of kinds) {
        const lit = literals.split("|")[round]!;
        assert.deepEqual(await types(s, `SELECT ${lit} AS v`), [`v:${type}`], lit);
      }
    }
    const value = async (lit: string) => (await rows(s, `SELECT ${lit} AS v`))[0]![0];
    for (const [literals, , show] of kinds) {
      const shown = [];
      for (const lit of literals.split("|")) shown.push(show(await value(lit)));
      assert.deepEqual(shown.length, 3);
      if (literals.startsWith("1|")) assert.deepEqual(shown, ["1", "2", "3"]);
      if (literals.startsWith("5000")) {
        assert.deepEqual(shown, ["5000000000", "6000000000", "-7000000000"]);
      }
      if (literals.startsWith("1.5")) assert.deepEqual(shown, ["1.5", "2.25", "-0.125"]);
      if (literals.startsWith("9999")) {
        assert.deepEqual(shown, ["99999999999999999999", "1000", "0.25"]);
      }
      if (literals.startsWith("'x'")) assert.deepEqual(shown, ["x", "yz", "a\tb"]);
    }
    assert.deepEqual(await rows(s, "SELECT 7 / 2"), [[3]]);
    assert.deepEqual(await rows(s, "SELECT 9 / 2"), [[4]]);
    assert.equal(
      numericToString((await rows(s, "SELECT 7.0 / 2"))[0]![0] as Numeric),
      "3.5000000000000000",
    );
    await assert.rejects(s.execute("SELECT 2147483647 + 1"), /integer out of range/);
    await assert.rejects(s.execute("SELECT 2147483646 + 2"), /integer out of range/);
    assert.deepEqual(await rows(s, "SELECT 2147483646 + 1"), [[2147483647]]);
    assert.ok(cache.stats.hits >= 20, JSON.stringify(cache.stats));
  });
});

Deno.test("literals that must stay literal: ORDER BY ordinals, typmods, typed literals", async () => {
  await withSession(async (s) => {
    await s.execute("CREATE TABLE t (a int, b text)");
    await s.execute("INSERT INTO t VALUES (1, 'z'), (2, 'y'), (3, 'x')");
    assert.deepEqual(await rows(s, "SELECT a, b FROM t ORDER BY 1"), [[1, "z"], [2, "y"], [
      3,
      "x",
    ]]);
    assert.deepEqual(await rows(s, "SELECT a, b FROM t ORDER BY 2"), [[3, "x"], [2, "y"], [
      1,
      "z",
    ]]);
    assert.deepEqual(await rows(s, "SELECT a FROM t ORDER BY a LIMIT 1"), [[1]]);
    assert.deepEqual(await rows(s, "SELECT a FROM t ORDER BY a LIMIT 2"), [[1], [2]]);
    assert.deepEqual(await rows(s, "SELECT 'abcdef'::varchar(2)"), [["ab"]]);
    assert.deepEqual(await rows(s, "SELECT 'abcdef'::varchar(4)"), [["abcd"]]);
    const day = await rows(s, "SELECT interval '1 day'");
    const days = await rows(s, "SELECT interval '2 days'");
    assert.deepEqual([day[0]![0], days[0]![0]].map((v) => (v as { days: number }).days), [1, 2]);
    await assert.rejects(s.execute("SELECT -2147483649::int4"), /integer out of range/);
    assert.deepEqual(await rows(s, "SELECT a + 1 FROM t GROUP BY a + 1 ORDER BY 1"), [[2], [3], [
      4,
    ]]);
    assert.deepEqual(await rows(s, "SELECT a + 5 FROM t GROUP BY a + 5 ORDER BY 1"), [[6], [7], [
      8,
    ]]);
  });
});

Deno.test("string literals take their type from context, as unknown constants do", async () => {
  await withSession(async (s) => {
    await s.execute("CREATE TABLE d (id int, day date)");
    await s.execute("INSERT INTO d VALUES (1, '2020-01-01'), (2, '2021-06-30')");
    const inList = "SELECT id FROM d WHERE day IN ('2020-01-01', '2022-01-01') ORDER BY id";
    assert.deepEqual(await rows(s, inList), [[1]]);
    assert.deepEqual(await rows(s, inList.replace("2022-01-01", "2021-06-30")), [[1], [2]]);
    assert.deepEqual(await rows(s, "SELECT id FROM d WHERE day > '2020-06-01'"), [[2]]);
    assert.deepEqual(await rows(s, "SELECT id FROM d WHERE day > '2019-06-01' ORDER BY id"), [
      [1],
      [2],
    ]);
    await assert.rejects(s.execute("SELECT id FROM d WHERE id = 'abc'"), /invalid input syntax/);
    await assert.rejects(s.execute("SELECT id FROM d WHERE id = 'abd'"), /invalid input syntax/);
    assert.deepEqual(await rows(s, "SELECT id FROM d WHERE id = '2'"), [[2]]);
  });
});

Deno.test("DDL invalidates cached shapes; utility statements are never cached", async () => {
  await withSession(async (s, cache) => {
    await s.execute("CREATE TABLE t (a int, b int)");
    await s.execute("INSERT INTO t VALUES (1, 10)");
    assert.deepEqual(await types(s, "SELECT * FROM t WHERE a = 1"), ["a:int4", "b:int4"]);
    await s.execute("ALTER TABLE t ADD COLUMN c text");
    assert.deepEqual(await types(s, "SELECT * FROM t WHERE a = 2"), ["a:int4", "b:int4", "c:text"]);
    await s.execute("DROP TABLE t");
    await assert.rejects(s.execute("SELECT * FROM t WHERE a = 3"), /does not exist/);
    await s.execute("CREATE TABLE t (a text)");
    await s.execute("INSERT INTO t VALUES ('1')");
    assert.deepEqual(await rows(s, "SELECT * FROM t WHERE a = '1'"), [["1"]]);
    const before = cache.size;
    await s.execute("SET statement_timeout = 1000");
    await s.execute("SET statement_timeout = 2000");
    assert.equal(s.getSetting("statement_timeout"), "2000");
    assert.equal(cache.size, before);
  });
});

Deno.test("a failed transaction block still rejects cached shapes with 25P02", async () => {
  await withSession(async (s) => {
    await s.execute("CREATE TABLE t (a int)");
    await s.execute("SELECT a FROM t WHERE a = 1");
    await s.execute("BEGIN");
    await assert.rejects(s.execute("SELECT 1/0"), /division by zero/);
    await assert.rejects(
      s.execute("SELECT a FROM t WHERE a = 2"),
      /current transaction is aborted/,
    );
    await s.execute("ROLLBACK");
    assert.deepEqual(await rows(s, "SELECT a FROM t WHERE a = 3"), []);
  });
});

Deno.test("PlanCache: hits skip parsing, rejections and settings changes are remembered, LRU bound", async () => {
  await withSession(async (s) => {
    await s.execute("CREATE TABLE t (a int)");
    const cache = new PlanCache(2);
    let parses = 0;
    let settingsKey = "public";
    const env: ShapeEnv = {
      get catalogVersion() {
        return s.catalog.version;
      },
      get settingsKey() {
        return settingsKey;
      },
      plan: (st, declared) => planFor(s, st, declared),
      parse: (text) => {
        parses++;
        return s.engine.parse(text);
      },
    };
    assert.equal(
      cache.lookup("SELECT a FROM t WHERE a = 1", env),
      null,
      "first sight: literal path",
    );
    assert.equal(parses, 0);
    const admitted = cache.lookup("SELECT a FROM t WHERE a = 2", env);
    assert.equal(admitted?.hit, false);
    assert.deepEqual(admitted?.params, [2]);
    const again = cache.lookup("select a  from t where a = 42", env);
    assert.equal(again?.hit, true);
    assert.deepEqual(again?.params, [42]);
    assert.equal(parses, 1, "a hit does not parse");
    settingsKey = "other";
    assert.equal(cache.lookup("SELECT a FROM t WHERE a = 3", env)?.hit, false, "re-checked");
    assert.equal(cache.lookup("SELECT a + 1 FROM t GROUP BY a + 1", env), null);
    assert.equal(cache.lookup("SELECT a + 1 FROM t GROUP BY a + 1", env), null);
    assert.equal(cache.stats.rejected, 1);
    assert.equal(cache.lookup("SELECT a + 2 FROM t GROUP BY a + 2", env), null);
    assert.equal(cache.stats.rejected, 1, "a rejected shape is not planned again");
    assert.equal(cache.size, 2);
    assert.equal(cache.lookup("SELECT 1; SELECT 2", env), null);
    assert.equal(cache.lookup("SELECT a FROM t", env), null);
    assert.equal(cache.lookup("SELECT $1 + 1", env), null);
    assert.equal(cache.size, 2, "statements without literals or with their own $n are not held");
    assert.equal(cache.lookup("SELECT a FROM t WHERE a > 7", env), null);
    assert.equal(cache.size, 2);
    assert.equal(cache.lookup("SELECT a FROM t WHERE a = 5", env), null, "evicted: seen anew");
    assert.equal(cache.lookup("SELECT FROM WHERE 1", env), null);
    assert.throws(() => cache.lookup("SELECT FROM WHERE 2", env), /syntax error/);
  });
});

Deno.test("unnamed extended-protocol statements re-sent with Parse reuse the parse and the plan", async () => {
  await withSession(async (s) => {
    await s.execute("CREATE TABLE t (a int PRIMARY KEY, b text)");
    await s.execute("INSERT INTO t VALUES (1, 'one'), (2, 'two')");
    const sql = "SELECT b FROM t WHERE a = $1";
    const seen = new Set<unknown>();
    const plans: number[] = [];
    for (const a of [1, 2, 1]) {
      const p = await s.prepare(sql);
      seen.add((p as unknown as { parsed: unknown }).parsed);
      const c = await s.open(p, [a]);
      const r = await c.fetch(0);
      c.close();
      assert.deepEqual(r.rows, [[a === 1 ? "one" : "two"]]);
      plans.push(s.engine.planCache.size);
    }
    assert.equal(seen.size, 1, "one parse for the re-sent text");
    assert.deepEqual(plans.slice(1), [plans[0], plans[0]], "no new plan for the re-sent text");
  });
});
