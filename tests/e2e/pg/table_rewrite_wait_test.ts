/**
 * Over the wire, against ThunderDB and a real PostgreSQL 15: while one
 * client's open transaction rewrites a table (ALTER COLUMN TYPE), another
 * client's read waits for it and then sees the new column type; with
 * lock_timeout set the wait ends in 55P03. Both servers must agree.
 */
import assert from "node:assert/strict";
import pg from "pg";
import { preparePostgres } from "./_psql_compare.ts";
import { startThunder, type Target, thunderTarget } from "./_support.ts";

type Outcome = string;

/** True when `p` has not settled after `ms`. */
async function pendingAfter(p: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  p.then(() => settled = true, () => settled = true);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return !settled;
}

async function outcome(p: Promise<pg.QueryResult>): Promise<Outcome> {
  try {
    const r = await p;
    return JSON.stringify([r.fields.map((f) => f.dataTypeID), r.rows]);
  } catch (e) {
    return `error ${(e as { code?: string }).code}`;
  }
}

async function scenario(target: Target): Promise<Outcome[]> {
  const rewriter = new pg.Client({ ...target });
  const reader = new pg.Client({ ...target });
  await rewriter.connect();
  await reader.connect();
  try {
    await rewriter.query("CREATE TABLE rw (id int PRIMARY KEY, v int)");
    await rewriter.query("INSERT INTO rw VALUES (1, 10), (2, 20)");
    await rewriter.query("BEGIN");
    await rewriter.query("ALTER TABLE rw ALTER COLUMN v TYPE bigint");
    const read = reader.query({ text: "SELECT id, v FROM rw ORDER BY id", rowMode: "array" });
    const waited = await pendingAfter(read, 100);
    await rewriter.query("COMMIT");
    const out = [`waited ${waited}`, await outcome(read)];
    await rewriter.query("BEGIN");
    await rewriter.query("ALTER TABLE rw ALTER COLUMN v TYPE text USING v::text");
    await reader.query("SET lock_timeout = 50");
    out.push(await outcome(reader.query("SELECT v FROM rw")));
    await rewriter.query("ROLLBACK");
    out.push(
      await outcome(reader.query({ text: "SELECT v FROM rw WHERE id = 2", rowMode: "array" })),
    );
    return out;
  } finally {
    await rewriter.end();
    await reader.end();
  }
}

Deno.test("a read waits for another client's table rewrite, as in PostgreSQL", async () => {
  const postgres = await preparePostgres();
  const thunder = await startThunder();
  try {
    const expected = await scenario(postgres.target);
    assert.deepEqual(expected, [
      "waited true",
      JSON.stringify([[23, 20], [[1, "10"], [2, "20"]]]),
      "error 55P03",
      JSON.stringify([[20], [["20"]]]),
    ]);
    assert.deepEqual(await scenario(thunderTarget(thunder)), expected);
  } finally {
    assert.equal(await thunder.stop("SIGTERM"), 0);
    await postgres.stop();
  }
});
