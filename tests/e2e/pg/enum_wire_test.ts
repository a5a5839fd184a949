/**
 * Enum values over the PostgreSQL wire protocol, compared with a real
 * PostgreSQL 15 through node `pg`: RowDescription carries the enum's own
 * type OID (and its array type's), text results are the labels, binary
 * results are the label bytes, and a bad label fails with 22P02; psql's
 * `\dT` and `\dT+` list enums as they do with PostgreSQL.
 */
import assert from "node:assert/strict";
import pg from "pg";
import { binaryQuery } from "./_binary_compare.ts";
import { comparePsqlCases, preparePostgres } from "./_psql_compare.ts";
import { startThunder, type Target, thunderTarget } from "./_support.ts";

interface Seen {
  readonly oidsMatch: boolean;
  readonly rows: unknown[];
  readonly binaryRows: string[] | string;
  readonly binaryTypeIsEnum: boolean;
  readonly badLabel: string;
}

async function observe(target: Target): Promise<Seen> {
  const c = new pg.Client({ ...target });
  await c.connect();
  try {
    await c.query("CREATE TYPE wire_mood AS ENUM ('sad', 'ok', 'happy')");
    await c.query("CREATE TABLE wire_t (id int, m wire_mood)");
    await c.query("INSERT INTO wire_t VALUES (1, 'happy'), (2, 'sad'), (3, NULL)");
    const oids = await c.query(
      "SELECT t.oid::int AS oid, t.typarray::int AS arr FROM pg_type t WHERE typname = 'wire_mood'",
    );
    const { oid, arr } = oids.rows[0] as { oid: number; arr: number };
    const r = await c.query("SELECT m, ARRAY[m] AS ms FROM wire_t ORDER BY m");
    const oidsMatch = r.fields[0]?.dataTypeID === oid && r.fields[1]?.dataTypeID === arr;
    const bin = await binaryQuery(target, "SELECT m FROM wire_t WHERE id = 1", []);
    let badLabel = "none";
    try {
      await c.query("INSERT INTO wire_t VALUES (4, $1)", ["angry"]);
    } catch (e) {
      badLabel = `${(e as { code?: string }).code} ${(e as Error).message}`;
    }
    return {
      oidsMatch,
      rows: r.rows,
      binaryRows: "error" in bin ? bin.error : bin.rows,
      binaryTypeIsEnum: !("error" in bin) && bin.types[0] === oid,
      badLabel,
    };
  } finally {
    await c.end();
  }
}

Deno.test("enum values over the wire match PostgreSQL 15", async () => {
  const postgres = await preparePostgres();
  const thunder = await startThunder();
  try {
    const actual = await observe(thunderTarget(thunder));
    const expected = await observe(postgres.target);
    assert.equal(expected.oidsMatch, true);
    assert.equal(expected.binaryTypeIsEnum, true);
    assert.deepStrictEqual(actual, expected);
  } finally {
    assert.equal(await thunder.stop("SIGTERM"), 0);
    await postgres.stop();
  }
});

Deno.test("psql \\dT and \\dT+ list enum types as with PostgreSQL 15", async () => {
  await comparePsqlCases([{
    name: "dT",
    script: () =>
      "CREATE TYPE shade AS ENUM ('light', 'dark');\n" +
      "ALTER TYPE shade ADD VALUE 'dim' BEFORE 'dark';\n" +
      "\\dT\n\\dT+\n\\dT shade\n",
  }]);
});
