/**
 * Over the wire, against ThunderDB and a real PostgreSQL 15: while one
 * client's open transaction rewrites a table (ALTER COLUMN TYPE), another
 * client's read waits for it and then sees the new column type; with
 * lock_timeout set the wait ends in 55P03. COPY (psql), EXPLAIN, CREATE
 * TABLE AS and DDL on the table wait the same way, and the rewrite still
 * commits. Both servers must agree.
 */
import assert from "node:assert/strict";
import pg from "pg";
import { preparePostgres } from "./_psql_compare.ts";
import { psqlConnArgs, runProgram, startThunder, type Target, thunderTarget } from "./_support.ts";

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

/**
 * Waits until a backend of PostgreSQL waits for a lock (pg_locks), so a
 * statement started by a program that is slow to connect under load is
 * known to be blocked before the rewrite commits. ThunderDB has no pg_locks:
 * there the caller's fixed delay serves (its results do not depend on when
 * the statement began).
 */
async function lockWaitSeen(target: Target, isPostgres: boolean): Promise<void> {
  if (!isPostgres) return;
  const probe = new pg.Client({ ...target });
  await probe.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const r = await probe.query("SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted");
      if ((r.rows[0] as { n: number }).n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("no statement waited for the rewrite's lock within 10 s");
  } finally {
    await probe.end();
  }
}

/** What a statement gave, without its rows: its command tag or its SQLSTATE. */
async function status(p: Promise<pg.QueryResult>): Promise<Outcome> {
  try {
    return (await p).command;
  } catch (e) {
    return `error ${(e as { code?: string }).code}`;
  }
}

/** Runs one statement with psql (`-c`), stdin feeding COPY FROM STDIN; exit code and stdout. */
async function psqlCommand(target: Target, sql: string, stdin?: string): Promise<Outcome> {
  const r = await runProgram(
    "psql",
    ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...psqlConnArgs(target), "-c", sql],
    stdin === undefined ? {} : { stdin },
  );
  return `${r.code} ${r.stdout}`;
}

/** COPY, EXPLAIN, CREATE TABLE AS and DDL each wait for one rewrite (alternating v's type). */
async function otherStatements(target: Target, isPostgres: boolean): Promise<Outcome[]> {
  const rewriter = new pg.Client({ ...target });
  const reader = new pg.Client({ ...target });
  await rewriter.connect();
  await reader.connect();
  const out: Outcome[] = [];
  const round = async (type: string, statement: () => Promise<Outcome>) => {
    await rewriter.query("BEGIN");
    await rewriter.query(`ALTER TABLE rw2 ALTER COLUMN v TYPE ${type}`);
    const done = statement();
    await lockWaitSeen(target, isPostgres);
    const waited = await pendingAfter(done, 300);
    out.push(`waited ${waited}`, await status(rewriter.query("COMMIT")), await done);
  };
  try {
    await rewriter.query("CREATE TABLE rw2 (id int PRIMARY KEY, v int)");
    await rewriter.query("INSERT INTO rw2 VALUES (1, 10), (2, 20)");
    await round("bigint", () => psqlCommand(target, "COPY (SELECT * FROM rw2) TO STDOUT"));
    await round("int", () => psqlCommand(target, "COPY rw2 FROM STDIN", "3\t30\n\\.\n"));
    await round("bigint", () => status(reader.query("CREATE TABLE rw3 AS SELECT id, v FROM rw2")));
    await round("int", () => status(reader.query("EXPLAIN SELECT * FROM rw2")));
    await round("bigint", () => status(reader.query("CREATE INDEX rw2_v ON rw2 (v)")));
    await round("int", () => status(reader.query("ALTER TABLE rw2 ADD COLUMN w int DEFAULT 7")));
    for (const table of ["rw2", "rw3"]) {
      const text = `SELECT * FROM ${table} ORDER BY id`;
      out.push(await outcome(reader.query({ text, rowMode: "array" })));
    }
    await reader.query("SET lock_timeout = 50");
    await rewriter.query("BEGIN");
    await rewriter.query("ALTER TABLE rw2 ALTER COLUMN v TYPE text");
    out.push(await status(reader.query("CREATE INDEX ON rw2 (w)")));
    await rewriter.query("ROLLBACK");
    return out;
  } finally {
    await rewriter.end();
    await reader.end();
  }
}

Deno.test("reads, COPY, EXPLAIN, CREATE TABLE AS and DDL wait for another client's table rewrite, as in PostgreSQL", async () => {
  const postgres = await preparePostgres();
  const thunder = await startThunder();
  try {
    const reads = await scenario(postgres.target);
    assert.deepEqual(reads, [
      "waited true",
      JSON.stringify([[23, 20], [[1, "10"], [2, "20"]]]),
      "error 55P03",
      JSON.stringify([[20], [["20"]]]),
    ]);
    assert.deepEqual(await scenario(thunderTarget(thunder)), reads);
    // PostgreSQL's COPY takes its snapshot before it waits for the table lock,
    // so it sees none of the rows the rewrite wrote (its documented "not
    // MVCC-safe" caveat of table rewrites); ThunderDB's COPY reads them, as its
    // queries and PostgreSQL's own queries do. Everything else is the same.
    const expected = (copied: string) => {
      const round = (result: string) => ["waited true", "COMMIT", result];
      return [
        ...round(`0 ${copied}`),
        ...round("0 "),
        ...round("SELECT"),
        ...round("EXPLAIN"),
        ...round("CREATE"),
        ...round("ALTER"),
        JSON.stringify([[23, 23, 23], [[1, 10, 7], [2, 20, 7], [3, 30, 7]]]),
        JSON.stringify([[23, 20], [[1, "10"], [2, "20"], [3, "30"]]]),
        "error 55P03",
      ];
    };
    assert.deepEqual(await otherStatements(postgres.target, true), expected(""));
    assert.deepEqual(
      await otherStatements(thunderTarget(thunder), false),
      expected("1\t10\n2\t20\n"),
    );
  } finally {
    assert.equal(await thunder.stop("SIGTERM"), 0);
    await postgres.stop();
  }
});
