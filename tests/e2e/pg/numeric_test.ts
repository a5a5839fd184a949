/**
 * numeric parameters keep every digit: a bound `$1` into numeric(20,6) keeps
 * its 4 decimals, and values beyond a double's 15-17 significant digits
 * round-trip exactly through the node `pg` driver, as in PostgreSQL.
 */
import assert from "node:assert/strict";
import pg from "pg";
import { startThunder, thunderTarget } from "./_support.ts";

Deno.test("node pg: numeric keeps all 20 significant digits", async () => {
  const server = await startThunder();
  const t = thunderTarget(server);
  const client = new pg.Client({ host: t.host, port: t.port, user: t.user, database: t.database });
  try {
    await client.connect();
    await client.query("CREATE TABLE num (n numeric(20,6), m numeric, s numeric(20,6))");
    await client.query("INSERT INTO num VALUES ($1, $2, $3)", [
      "12345678901234.123456",
      "123456789012345678901234567890.000000000001",
      "-1234.5678",
    ]);
    const got = await client.query("SELECT n, m, s, n + 1 AS p FROM num");
    assert.deepEqual(got.rows, [{
      n: "12345678901234.123456",
      m: "123456789012345678901234567890.000000000001",
      s: "-1234.567800",
      p: "12345678901235.123456",
    }]);
  } finally {
    await client.end();
    assert.equal(await server.stop("SIGTERM"), 0);
  }
});
