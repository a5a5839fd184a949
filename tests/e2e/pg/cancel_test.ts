/**
 * psql's Ctrl-C against the real server: SIGINT makes psql send a
 * CancelRequest on a new connection, and the statement waiting for a row lock
 * ends with 57014; the lock holder's transaction is unaffected.
 */
import assert from "node:assert/strict";
import pg from "pg";
import { startThunder, thunderTarget } from "./_support.ts";

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

Deno.test("psql: Ctrl-C cancels a statement waiting for a lock (CancelRequest)", async () => {
  const server = await startThunder();
  const t = thunderTarget(server);
  const holder = new pg.Client({ ...t });
  await holder.connect();
  try {
    await holder.query("CREATE TABLE c (id int PRIMARY KEY, v int)");
    await holder.query("INSERT INTO c VALUES (1, 0)");
    await holder.query("BEGIN");
    await holder.query("UPDATE c SET v = 1 WHERE id = 1");
    const child = new Deno.Command("psql", {
      args: ["-X", "-h", t.host, "-p", String(t.port), "-U", t.user, "-d", t.database],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { PGCONNECT_TIMEOUT: "10" },
    }).spawn();
    const out = readAll(child.stdout);
    const err = readAll(child.stderr);
    const writer = child.stdin.getWriter();
    await writer.write(
      new TextEncoder().encode("UPDATE c SET v = 2 WHERE id = 1;\n"),
    );
    // Wait until the UPDATE is blocked on the row lock, then press Ctrl-C.
    const waiting = new pg.Client({ ...t });
    await waiting.connect();
    try {
      for (let i = 0; i < 100; i++) {
        const r = await waiting.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'UPDATE c SET v = 2%' AND state = 'active'",
        );
        if (r.rows[0].n === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await waiting.end();
    }
    child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writer.close();
    const status = await child.status;
    const text = (await out) + (await err);
    // psql reading a script from stdin stops after the cancel (exit 3).
    assert.equal(status.code, 3, text);
    assert.match(text, /Cancel request sent/);
    assert.match(text, /ERROR: {2}canceling statement due to user request/);
    await holder.query("COMMIT");
    const v = await holder.query("SELECT v FROM c WHERE id = 1");
    assert.deepEqual(v.rows, [{ v: 1 }]);
  } finally {
    await holder.end();
    assert.equal(await server.stop("SIGTERM"), 0);
  }
});
