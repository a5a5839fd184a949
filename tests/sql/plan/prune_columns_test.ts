/**
 * Projection pushdown: which columns each scan of a planned statement decodes
 * (the `needed` mask on scan nodes), and that queries reading few columns
 * still return the same rows as before.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../../src/engine/engine.ts";
import type { PlanNode } from "../../../src/exec/plan.ts";
import { parseSql } from "../../../src/sql/parser_port.ts";
import { planStatement } from "../../../src/sql/planner.ts";

type Scan = Extract<PlanNode, { kind: "seq_scan" | "index_scan" | "index_range" }>;

/** Every scan in a plan (subquery plans included), by alias. */
function scans(node: unknown, out = new Map<string, Scan>()): Map<string, Scan> {
  if (Array.isArray(node)) {
    for (const x of node) scans(x, out);
  } else if (node && typeof node === "object") {
    const n = node as { kind?: unknown; alias?: unknown };
    if (n.kind === "seq_scan" || n.kind === "index_scan" || n.kind === "index_range") {
      out.set(String(n.alias), node as Scan);
    }
    for (const v of Object.values(node)) scans(v, out);
  }
  return out;
}

async function setup() {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  await s.execute("CREATE TABLE r (rid int PRIMARY KEY, name text)");
  await s.execute("CREATE TABLE a (aid int PRIMARY KEY, rid int, balance int, filler text)");
  await s.execute("CREATE TABLE e (eid int PRIMARY KEY, aid int, amount int)");
  await s.execute("INSERT INTO r SELECT g, 'r' || g FROM generate_series(0, 3) g");
  await s.execute(
    "INSERT INTO a SELECT g, g % 4, g * 10, repeat('x', 50) FROM generate_series(1, 20) g",
  );
  await s.execute("INSERT INTO e SELECT g, 1 + g % 20, g % 7 FROM generate_series(1, 200) g");
  const decoded = (sql: string): Record<string, string> => {
    const plan = planStatement(engine.catalog, parseSql(sql)[0]!.ast, sql).plan;
    const out: Record<string, string> = {};
    for (const [alias, n] of scans(plan)) {
      out[alias] = n.needed ? n.needed.map((b) => (b ? "1" : "0")).join("") : "all";
    }
    return out;
  };
  return { engine, s, decoded };
}

Deno.test("scans decode only the columns the query reads", async () => {
  const { engine, decoded } = await setup();
  assert.deepEqual(decoded("SELECT balance FROM a WHERE rid = 2"), { a: "0110" });
  assert.deepEqual(decoded("SELECT count(*) FROM a"), { a: "0000" });
  assert.deepEqual(decoded("SELECT * FROM a"), { a: "all" });
  assert.deepEqual(decoded("SELECT balance FROM a WHERE aid = 5"), { a: "0010" });
  assert.deepEqual(decoded("SELECT aid FROM a WHERE aid > 15 ORDER BY balance"), { a: "1010" });
  assert.deepEqual(
    decoded(`SELECT r.name, count(*), sum(e.amount) FROM e JOIN a ON a.aid = e.aid
      JOIN r ON r.rid = a.rid GROUP BY r.name`),
    { e: "011", a: "1100", r: "all" },
  );
  assert.deepEqual(decoded("SELECT rid, sum(balance) OVER (ORDER BY aid) FROM a"), { a: "1110" });
  await engine.close();
});

Deno.test("whole-row readers keep every column", async () => {
  const { engine, decoded } = await setup();
  // DISTINCT compares whole rows of its input; set operations too.
  assert.deepEqual(decoded("SELECT DISTINCT rid FROM a"), { a: "0100" });
  assert.deepEqual(decoded("SELECT rid FROM a UNION SELECT rid FROM r"), {
    a: "0100",
    r: "1" + "0",
  });
  // A correlated subquery reads its outer row by position: the outer scan keeps all.
  assert.deepEqual(
    decoded("SELECT aid FROM a WHERE balance > (SELECT min(amount) FROM e WHERE e.aid = a.aid)"),
    { a: "all", e: "011" },
  );
  // UPDATE and DELETE need whole rows and row ids.
  assert.deepEqual(decoded("UPDATE a SET balance = 0 WHERE rid = 1"), { a: "all" });
  assert.deepEqual(decoded("DELETE FROM e WHERE amount = 3"), { e: "all" });
  await engine.close();
});

Deno.test("pruned scans return the same answers", async () => {
  const { engine, s } = await setup();
  const [j] = await s.execute(`SELECT r.name, count(*), sum(e.amount) FROM e JOIN a ON a.aid = e.aid
    JOIN r ON r.rid = a.rid GROUP BY r.name ORDER BY r.name`);
  // Sums over g % 7 for g in 1..200 grouped by ((1 + g % 20) % 4), worked out by hand.
  const want = [["r0", 50n, 150n], ["r1", 50n, 151n], ["r2", 50n, 148n], ["r3", 50n, 149n]];
  assert.deepEqual(j!.rows, want);
  const [p] = await s.execute("SELECT balance FROM a WHERE aid = 5");
  assert.deepEqual(p!.rows, [[50]]);
  const [rg] = await s.execute("SELECT aid FROM a WHERE aid BETWEEN 3 AND 5 ORDER BY aid");
  assert.deepEqual(rg!.rows, [[3], [4], [5]]);
  const [c] = await s.execute(
    "SELECT aid FROM a WHERE balance > (SELECT min(amount) FROM e WHERE e.aid = a.aid) AND aid < 4",
  );
  assert.deepEqual(c!.rows, [[1], [2], [3]]);
  await engine.close();
});
