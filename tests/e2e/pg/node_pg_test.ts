/**
 * The node `pg` driver against the real server: parameterized queries with
 * every common type and NULLs, transactions (commit, rollback, an error inside
 * a block giving 25P02 until ROLLBACK), and errors whose SQLSTATE and message
 * reach the client while the connection stays usable.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import pg from "pg";
import { Checks, startThunder, thunderTarget } from "./_support.ts";
import { typedColumns, typedInsertSql, typedTableSql } from "./_types.ts";

async function expectError(
  checks: Checks,
  label: string,
  promise: Promise<unknown>,
  code: string,
  message: RegExp,
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string },
  );
  if (error === undefined) {
    checks.problems.push(`${label}: expected SQLSTATE ${code}, got success`);
    return;
  }
  checks.equal(error.code, code, `${label} SQLSTATE (${error.message})`);
  checks.equal(message.test(error.message), true, `${label} message ${error.message}`);
}

async function types(client: pg.Client, checks: Checks): Promise<void> {
  await client.query(typedTableSql);
  const tstz = new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 250));
  const bytes = Buffer.from([0, 1, 2, 254, 255]);
  const uuid = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
  const text = "héllo 'quoted' \\ world";
  await client.query(typedInsertSql, [
    1,
    true,
    -32768,
    2147483647,
    "9007199254740993",
    1.5,
    -2.25e-10,
    "-1234.25",
    bytes,
    "2024-02-29",
    "2024-02-29 13:14:15.123",
    tstz,
    uuid,
    text,
    JSON.stringify({ a: [1, 2, { b: null }], s: "x" }),
    [1, null, -3],
    ["a", "b c", null, '"q"'],
  ]);
  await client.query(typedInsertSql, [2, ...typedColumns.map(() => null)]);
  const got = await client.query("SELECT * FROM typed ORDER BY id");
  checks.equal(got.rowCount, 2, "row count");
  const r = got.rows[0];
  checks.equal(r.b, true, "bool");
  checks.equal(r.i2, -32768, "int2");
  checks.equal(r.i4, 2147483647, "int4");
  checks.equal(r.i8, "9007199254740993", "int8");
  checks.equal(r.f4, 1.5, "float4");
  checks.equal(r.f8, -2.25e-10, "float8");
  checks.equal(r.n, "-1234.250000", "numeric(20,6)");
  checks.equal(Buffer.isBuffer(r.by) ? [...r.by] : r.by, [0, 1, 2, 254, 255], "bytea");
  checks.equal(r.d?.getTime?.(), new Date(2024, 1, 29).getTime(), `date ${r.d}`);
  checks.equal(
    r.ts?.getTime?.(),
    new Date(2024, 1, 29, 13, 14, 15, 123).getTime(),
    `timestamp ${r.ts}`,
  );
  checks.equal(r.tstz?.getTime?.(), tstz.getTime(), `timestamptz ${r.tstz}`);
  checks.equal(r.u, uuid, "uuid");
  checks.equal(r.t, text, "text");
  checks.equal(r.j, { a: [1, 2, { b: null }], s: "x" }, "jsonb");
  checks.equal(r.ai, [1, null, -3], "int4[]");
  checks.equal(r.at, ["a", "b c", null, '"q"'], "text[]");
  for (const c of typedColumns) checks.equal(got.rows[1]?.[c], null, `NULL ${c}`);
  const where = await client.query(
    "SELECT id FROM typed WHERE i8 = $1 AND u = $2 AND by = $3 AND t = $4 AND b = $5",
    ["9007199254740993", uuid, bytes, text, true],
  );
  checks.equal(where.rows, [{ id: 1 }], "WHERE with parameters");
  const isNull = await client.query("SELECT count(*)::int AS n FROM typed WHERE b IS NULL");
  checks.equal(isNull.rows, [{ n: 1 }], "IS NULL count");
}

async function transactions(client: pg.Client, checks: Checks): Promise<void> {
  await client.query("CREATE TABLE tx (id integer PRIMARY KEY)");
  await client.query("BEGIN");
  await client.query("INSERT INTO tx VALUES (1)");
  await client.query("ROLLBACK");
  await client.query("BEGIN");
  await client.query("INSERT INTO tx VALUES (2)");
  await client.query("COMMIT");
  checks.equal((await client.query("SELECT id FROM tx")).rows, [{ id: 2 }], "commit/rollback");
  await client.query("BEGIN");
  await client.query("INSERT INTO tx VALUES (3)");
  await expectError(
    checks,
    "1/0 in block",
    client.query("SELECT 1/0"),
    "22012",
    /division by zero/,
  );
  await expectError(
    checks,
    "statement after error",
    client.query("SELECT 1"),
    "25P02",
    /current transaction is aborted, commands ignored until end of transaction block/,
  );
  await expectError(
    checks,
    "extended statement after error",
    client.query("INSERT INTO tx VALUES ($1)", [4]),
    "25P02",
    /current transaction is aborted/,
  );
  await client.query("ROLLBACK");
  const after = await client.query("SELECT id FROM tx ORDER BY id");
  checks.equal(after.rows, [{ id: 2 }], "rows after failed block + ROLLBACK");
}

async function errors(client: pg.Client, checks: Checks): Promise<void> {
  await expectError(
    checks,
    "duplicate key",
    client.query("INSERT INTO tx VALUES (2)"),
    "23505",
    /duplicate key value violates unique constraint/,
  );
  await expectError(
    checks,
    "missing table",
    client.query("SELECT * FROM no_such_table"),
    "42P01",
    /relation "no_such_table" does not exist/,
  );
  await expectError(checks, "syntax", client.query("SELEC 1"), "42601", /syntax error/);
  await expectError(
    checks,
    "bad int parameter",
    client.query("SELECT $1::int", ["abc"]),
    "22P02",
    /invalid input syntax for type integer/,
  );
  const ok = await client.query("SELECT 41 + $1::int AS v", [1]);
  checks.equal(ok.rows, [{ v: 42 }], "connection usable after errors");
}

Deno.test("node pg: types, NULLs, transactions and errors", async () => {
  const server = await startThunder();
  const t = thunderTarget(server);
  const client = new pg.Client({ host: t.host, port: t.port, user: t.user, database: t.database });
  const checks = new Checks();
  try {
    await client.connect();
    await checks.step("types", () => types(client, checks));
    await checks.step("transactions", () => transactions(client, checks));
    await checks.step("errors", () => errors(client, checks));
  } finally {
    await client.end();
    assert.equal(await server.stop("SIGTERM"), 0);
  }
  checks.done();
});
