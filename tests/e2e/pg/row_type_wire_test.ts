/**
 * A table's row type over the PostgreSQL wire protocol, compared with a real
 * PostgreSQL 15 through node `pg`: `SELECT t FROM t` reports the table's own
 * composite type (pg_class.reltype, a pg_type row of typtype 'c') rather
 * than `record` (2249), and pg_typeof names the table.
 */
import assert from "node:assert/strict";
import pg from "pg";
import { preparePostgres } from "./_psql_compare.ts";
import { startThunder, type Target, thunderTarget } from "./_support.ts";

async function observe(target: Target) {
  const c = new pg.Client({ ...target });
  await c.connect();
  try {
    await c.query("CREATE TABLE wire_row (id int, label text)");
    await c.query("INSERT INTO wire_row VALUES (1, 'a b'), (2, NULL)");
    const cls = await c.query(
      "SELECT c.reltype::int AS reltype, t.typtype, t.typrelid = c.oid AS own " +
        "FROM pg_class c JOIN pg_type t ON t.oid = c.reltype WHERE c.relname = 'wire_row'",
    );
    const { reltype, typtype, own } = cls.rows[0] as {
      reltype: number;
      typtype: string;
      own: boolean;
    };
    const r = await c.query(
      "SELECT wire_row, pg_typeof(wire_row)::text AS t FROM wire_row ORDER BY id",
    );
    const aliased = await c.query("SELECT x FROM wire_row AS x WHERE id = 1");
    const anonymous = await c.query("SELECT ROW(1, 'a') AS r");
    return {
      ownType: reltype !== 2249 && typtype === "c" && own,
      rowOid: r.fields[0]?.dataTypeID === reltype,
      aliasedOid: aliased.fields[0]?.dataTypeID === reltype,
      anonymousOid: anonymous.fields[0]?.dataTypeID,
      rows: r.rows,
    };
  } finally {
    await c.end();
  }
}

Deno.test("a table's row type has its own OID on the wire as in PostgreSQL 15", async () => {
  const postgres = await preparePostgres();
  const thunder = await startThunder();
  try {
    const actual = await observe(thunderTarget(thunder));
    const expected = await observe(postgres.target);
    assert.equal(expected.ownType, true);
    assert.equal(expected.rowOid, true);
    assert.deepStrictEqual(actual, expected);
  } finally {
    assert.equal(await thunder.stop("SIGTERM"), 0);
    await postgres.stop();
  }
});
