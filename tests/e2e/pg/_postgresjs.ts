/**
 * Scenarios for postgres.js (which pipelines queries on one connection)
 * against the real server: parameterized queries with every common type and
 * NULLs, pipelined queries, transactions including 25P02 after an error in a
 * block, errors with SQLSTATE, and COPY FROM STDIN / TO STDOUT in text and CSV
 * with HEADER.
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { finished } from "node:stream/promises";
import postgres from "postgres";
import { Checks, startThunder, thunderTarget } from "./_support.ts";
import { typedColumns, typedInsertSql, typedTableSql } from "./_types.ts";

/** A postgres.js client. */
export type Sql = ReturnType<typeof postgres>;

async function sqlstate(promise: Promise<unknown>): Promise<string> {
  return await promise.then(
    () => "success",
    (e: unknown) => `${(e as { code?: string }).code}: ${(e as Error).message}`,
  );
}

/** Every common type as parameters and results, and NULLs. */
export async function types(sql: Sql, checks: Checks): Promise<void> {
  await sql.unsafe(typedTableSql);
  const tstz = new Date(Date.UTC(2030, 11, 31, 23, 59, 59, 999));
  const bytes = Buffer.from([255, 0, 10, 13, 92]);
  const uuid = "00000000-0000-4000-8000-0000000000ff";
  const values = [
    1,
    false,
    32767,
    -2147483648,
    "-9223372036854775808",
    -0.5,
    1e300,
    "0.25",
    bytes,
    "1999-12-31",
    "2000-01-01 00:00:00.5",
    tstz,
    uuid,
    "emoji 🚀 and tab\t",
    { list: [{ k: "v" }, 3.5, true] },
    [7, 8, -9],
    ["x,y", "", 'q"uote', "back\\slash"],
  ];
  await sql.unsafe(typedInsertSql, values);
  await sql.unsafe(typedInsertSql, [2, ...typedColumns.map(() => null)]);
  const rows = await sql`SELECT * FROM typed ORDER BY id`;
  const r = rows[0]!;
  checks.equal(r.b, false, "bool");
  checks.equal(r.i2, 32767, "int2");
  checks.equal(r.i4, -2147483648, "int4");
  checks.equal(r.i8, "-9223372036854775808", "int8");
  checks.equal(r.f4, -0.5, "float4");
  checks.equal(r.f8, 1e300, "float8");
  checks.equal(r.n, "0.250000", "numeric(20,6)");
  checks.equal(Buffer.isBuffer(r.by) ? [...r.by] : r.by, [255, 0, 10, 13, 92], "bytea");
  checks.equal(r.d?.getTime?.(), new Date(1999, 11, 31).getTime(), `date ${r.d}`);
  checks.equal(r.ts?.getTime?.(), new Date(2000, 0, 1, 0, 0, 0, 500).getTime(), `ts ${r.ts}`);
  checks.equal(r.tstz?.getTime?.(), tstz.getTime(), `timestamptz ${r.tstz}`);
  checks.equal(r.u, uuid, "uuid");
  checks.equal(r.t, "emoji 🚀 and tab\t", "text");
  checks.equal(r.j, { list: [{ k: "v" }, 3.5, true] }, "jsonb");
  checks.equal(r.ai, [7, 8, -9], "int4[]");
  checks.equal(r.at, ["x,y", "", 'q"uote', "back\\slash"], "text[]");
  for (const c of typedColumns) checks.equal(rows[1]?.[c], null, `NULL ${c}`);
  const byParam = await sql`SELECT id FROM typed WHERE u = ${uuid} AND by = ${bytes}`;
  checks.equal(byParam.map((x) => x.id), [1], "WHERE with tagged-template parameters");
}

/** Many queries in flight on one connection, one of them failing. */
export async function pipelined(sql: Sql, checks: Checks): Promise<void> {
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => sql`SELECT ${i}::int * 2 AS v, ${"s" + i}::text AS s`),
  );
  checks.equal(
    results.map((r) => [r[0]?.v, r[0]?.s]),
    Array.from({ length: 50 }, (_, i) => [i * 2, "s" + i]),
    "50 pipelined queries answer in order",
  );
  const mixed = await Promise.all([
    sql`SELECT 1 AS v`,
    sqlstate(sql`SELECT 1/0`),
    sql`SELECT 3 AS v`,
  ]);
  checks.equal(mixed[0][0]?.v, 1, "pipelined before error");
  checks.equal(mixed[1].startsWith("22012"), true, `pipelined error: ${mixed[1]}`);
  checks.equal(mixed[2][0]?.v, 3, "pipelined after error");
}

/** sql.begin commit and rollback. */
export async function transactions(sql: Sql, checks: Checks): Promise<void> {
  await sql`CREATE TABLE acct (id integer PRIMARY KEY, bal bigint NOT NULL)`;
  await sql.begin(async (tx) => {
    await tx`INSERT INTO acct VALUES (1, 100), (2, 0)`;
  });
  const failed = await sqlstate(sql.begin(async (tx) => {
    await tx`UPDATE acct SET bal = bal - 10 WHERE id = 1`;
    await tx`INSERT INTO acct VALUES (1, 5)`;
  }));
  checks.equal(failed.startsWith("23505"), true, `duplicate inside sql.begin: ${failed}`);
  const bal = await sql`SELECT id, bal::int AS bal FROM acct ORDER BY id`;
  checks.equal(bal.map((r) => [r.id, r.bal]), [[1, 100], [2, 0]], "rolled back");
}

/** An error inside an explicit block on one connection, then 25P02 until ROLLBACK. */
export async function abortedBlock(sql: Sql, checks: Checks): Promise<void> {
  const reserved = await sql.reserve();
  try {
    await reserved`BEGIN`;
    await reserved`UPDATE acct SET bal = 1 WHERE id = 2`;
    const first = await sqlstate(reserved`SELECT * FROM missing_table`);
    checks.equal(first.startsWith("42P01"), true, `error in block: ${first}`);
    const next = await sqlstate(reserved`SELECT 1`);
    checks.equal(
      next,
      "25P02: current transaction is aborted, commands ignored until end of transaction block",
      "statement after error in block",
    );
    await reserved`ROLLBACK`;
    const after = await reserved`SELECT bal::int AS bal FROM acct WHERE id = 2`;
    checks.equal(after[0]?.bal, 0, "ROLLBACK after 25P02");
  } finally {
    reserved.release();
  }
}

/** COPY FROM STDIN and TO STDOUT, text and CSV with HEADER. */
export async function copy(sql: Sql, checks: Checks): Promise<void> {
  await sql`CREATE TABLE notes (id bigint, body text)`;
  const csv = await sql`COPY notes FROM STDIN WITH (FORMAT csv, HEADER)`.writable();
  csv.write('id,body\n1,"a, b"\n2,\n');
  csv.end('3,"line\nbreak"\n');
  await finished(csv);
  const text = await sql`COPY notes FROM STDIN`.writable();
  text.end("4\ttab\\there\n5\t\\N\n");
  await finished(text);
  const rows = await sql`SELECT id::int AS id, body FROM notes ORDER BY id`;
  checks.equal(
    rows.map((r) => [r.id, r.body]),
    [[1, "a, b"], [2, null], [3, "line\nbreak"], [4, "tab\there"], [5, null]],
    "rows after COPY FROM STDIN",
  );
  const read = async (query: string) => {
    let out = "";
    for await (const chunk of await sql.unsafe(query).readable()) out += String(chunk);
    return out;
  };
  checks.equal(
    await read("COPY (SELECT id, body FROM notes ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)"),
    'id,body\n1,"a, b"\n2,\n3,"line\nbreak"\n4,tab\there\n5,\n',
    "COPY TO STDOUT csv header",
  );
  checks.equal(
    await read("COPY notes TO STDOUT"),
    "1\ta, b\n2\t\\N\n3\tline\\nbreak\n4\ttab\\there\n5\t\\N\n",
    "COPY TO STDOUT text",
  );
}

/** Runs `steps` with one postgres.js connection against a fresh server. */
export async function withPostgresJs(
  steps: Readonly<Record<string, (sql: Sql, checks: Checks) => Promise<void>>>,
): Promise<void> {
  const server = await startThunder();
  const t = thunderTarget(server);
  const sql = postgres({
    host: t.host,
    port: t.port,
    user: t.user,
    database: t.database,
    max: 1,
    onnotice: () => {},
  });
  const checks = new Checks();
  try {
    for (const [name, step] of Object.entries(steps)) {
      await checks.step(name, () => step(sql, checks));
    }
    const ok = await sql`SELECT 'still usable' AS s`;
    checks.equal(ok[0]?.s, "still usable", "connection usable at the end");
  } finally {
    await sql.end({ timeout: 5 });
    assert.equal(await server.stop("SIGTERM"), 0);
  }
  checks.done();
}
