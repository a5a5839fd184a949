/**
 * Durability through the real server process: rows committed through psql
 * are there after a clean restart (SIGTERM) and after a crash (SIGKILL).
 */
import assert from "node:assert/strict";
import { psql, psqlValue, startThunder, thunderTarget } from "./_support.ts";

function insertScript(from: number, to: number): string {
  const rows: string[] = [];
  for (let i = from; i <= to; i++) rows.push(`(${i}, 'row ${i}')`);
  return `BEGIN;\nINSERT INTO kept VALUES ${rows.join(", ")};\nCOMMIT;\n`;
}

Deno.test("psql: committed rows survive SIGTERM and SIGKILL restarts", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "thunder_pg_restart_" });
  try {
    let server = await startThunder({ dataDir });
    let target = thunderTarget(server);
    const created = await psql(
      target,
      "CREATE TABLE kept (id integer PRIMARY KEY, v text);\n" + insertScript(1, 100),
    );
    assert.doesNotMatch(created.stdout, /ERROR/, created.stdout);
    assert.equal(await server.stop("SIGTERM"), 0);

    server = await startThunder({ dataDir });
    target = thunderTarget(server);
    assert.equal(await psqlValue(target, "SELECT count(*) FROM kept"), "100");
    const more = await psql(
      target,
      insertScript(101, 150) + "UPDATE kept SET v = 'x' WHERE id = 7;\n",
    );
    assert.doesNotMatch(more.stdout, /ERROR/, more.stdout);
    await server.stop("SIGKILL");

    server = await startThunder({ dataDir });
    target = thunderTarget(server);
    assert.equal(await psqlValue(target, "SELECT count(*) FROM kept"), "150");
    assert.equal(await psqlValue(target, "SELECT v FROM kept WHERE id = 7"), "x");
    assert.equal(await psqlValue(target, "SELECT v FROM kept WHERE id = 150"), "row 150");
    assert.equal(await psqlValue(target, "SELECT sum(id) FROM kept"), String((150 * 151) / 2));
    assert.equal(await server.stop("SIGTERM"), 0);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
