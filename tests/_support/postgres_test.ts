import assert from "node:assert/strict";
import pg from "pg";
import { startPostgres } from "./postgres.ts";

Deno.test("support: a real PostgreSQL starts on a free port and answers", async () => {
  const server = await startPostgres();
  try {
    const client = new pg.Client({
      host: server.host,
      port: server.port,
      user: server.user,
      database: server.database,
    });
    await client.connect();
    const result = await client.query("SELECT current_setting('server_version_num')::int AS v");
    assert.ok(result.rows[0].v >= 150000);
    await client.end();
  } finally {
    await server.stop();
  }
});
