/**
 * Hash joins through the embedded API: the primitive-key path (one number or
 * string key per side) and the generic path (mixed kinds, numerics, several
 * keys) give the same rows, with PostgreSQL's NULL and outer-join semantics.
 */
import assert from "node:assert/strict";
import { open, type Value } from "../../mod.ts";

async function withDb(fn: (q: (sql: string) => Promise<Value[][]>) => Promise<void>) {
  const db = await open({ memory: true });
  try {
    await fn(async (sql) => (await db.query(sql, [], { rowMode: "array" })).rows);
  } finally {
    await db.close();
  }
}

const setup = [
  "CREATE TABLE l (id int4, k8 int8, name text, n numeric)",
  "CREATE TABLE r (id int4, k8 int8, name text, n numeric, tag text)",
  "INSERT INTO l VALUES (1, 1, 'a', 1.0), (2, 2, 'b', 2), (2, 2, 'b', 2), (3, NULL, NULL, 3), (NULL, 4, 'd', NULL)",
  "INSERT INTO r VALUES (2, 2, 'b', 2.00, 'x'), (2, 2, 'b', 2, 'y'), (3, 3, 'c', 3, 'z'), (5, 5, 'e', 5, 'w'), (NULL, NULL, NULL, NULL, 'n')",
];

Deno.test("hash join on one int key: inner, left, right and full", async () => {
  await withDb(async (q) => {
    for (const sql of setup) await q(sql);
    assert.deepEqual(
      await q("SELECT l.id, r.tag FROM l JOIN r ON l.id = r.id ORDER BY 1, 2"),
      [[2, "x"], [2, "x"], [2, "y"], [2, "y"], [3, "z"]],
    );
    assert.deepEqual(
      await q("SELECT l.id, r.tag FROM l LEFT JOIN r ON l.id = r.id ORDER BY 1, 2"),
      [[1, null], [2, "x"], [2, "x"], [2, "y"], [2, "y"], [3, "z"], [null, null]],
    );
    assert.deepEqual(
      await q("SELECT l.id, r.tag FROM l RIGHT JOIN r ON l.id = r.id ORDER BY 2, 1"),
      [[null, "n"], [null, "w"], [2, "x"], [2, "x"], [2, "y"], [2, "y"], [3, "z"]],
    );
    assert.deepEqual(
      (await q("SELECT l.id, r.tag FROM l FULL JOIN r ON l.id = r.id")).length,
      9,
    );
  });
});

Deno.test("hash join keys of other kinds and residual conditions", async () => {
  await withDb(async (q) => {
    for (const sql of setup) await q(sql);
    // int4 against int8 (numbers against bigints) match by value.
    assert.deepEqual(
      await q("SELECT l.id, r.tag FROM l JOIN r ON l.id = r.k8 ORDER BY 1, 2"),
      [[2, "x"], [2, "x"], [2, "y"], [2, "y"], [3, "z"]],
    );
    // text keys; NULL never matches.
    assert.deepEqual(
      await q("SELECT l.name, r.tag FROM l JOIN r ON l.name = r.name ORDER BY 1, 2"),
      [["b", "x"], ["b", "x"], ["b", "y"], ["b", "y"]],
    );
    // numerics: 2 = 2.00 (generic path).
    assert.deepEqual(
      await q("SELECT l.id, r.tag FROM l JOIN r ON l.n = r.n AND r.tag <> 'y' ORDER BY 1, 2"),
      [[2, "x"], [2, "x"], [3, "z"]],
    );
    // A residual condition on a left join keeps unmatched rows padded.
    assert.deepEqual(
      await q("SELECT l.id, r.tag FROM l LEFT JOIN r ON l.id = r.id AND r.tag = 'y' ORDER BY 1, 2"),
      [[1, null], [2, "y"], [2, "y"], [3, null], [null, null]],
    );
    // Two keys (generic path).
    assert.deepEqual(
      await q("SELECT count(*) FROM l JOIN r ON l.id = r.id AND l.name = r.name"),
      [[4n]],
    );
  });
});
