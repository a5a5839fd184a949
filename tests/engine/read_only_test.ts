/**
 * A read-only transaction writes nothing: point reads through the simple and
 * the extended path, and a read-only block, leave the WAL where it was (no
 * record, so nothing to flush or sync).
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";

Deno.test("read-only statements and blocks append nothing to the WAL", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    await s.execute("CREATE TABLE acc (aid int PRIMARY KEY, abalance int, filler char(20))");
    await s.execute("INSERT INTO acc SELECT g, g * 10, '' FROM generate_series(1, 200) g");
    const wal = engine.rs.store.wal;
    const end = wal.endLsn;
    for (let i = 1; i <= 30; i++) {
      const [r] = await s.execute(`SELECT abalance FROM acc WHERE aid = ${i}`);
      assert.deepEqual(r?.rows, [[i * 10]]);
    }
    const p = await s.prepare("SELECT abalance FROM acc WHERE aid = $1");
    for (let i = 1; i <= 30; i++) {
      const c = await s.open(p, [i]);
      assert.deepEqual((await c.fetch(0)).rows, [[i * 10]]);
    }
    await s.execute("BEGIN");
    await s.execute("SELECT count(*) FROM acc");
    await s.execute("COMMIT");
    assert.equal(wal.endLsn, end, "no WAL record for read-only work");
    // A write does append (the check above can fail).
    await s.execute("UPDATE acc SET abalance = 0 WHERE aid = 1");
    assert.ok(wal.endLsn > end);
  } finally {
    await s.close();
    await engine.close();
  }
});
