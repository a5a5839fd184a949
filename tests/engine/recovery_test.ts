/**
 * Durability of the engine's commit log and safety of automatic vacuum:
 * committed work survives a crash (no checkpoint), a torn last record is
 * ignored, and vacuum never removes versions an open snapshot still needs.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";

Deno.test("committed transactions survive a crash without checkpoint; a torn record is ignored", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const engine = await openEngine({ path: dir });
    const s = engine.openSession();
    await s.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
    await s.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    await s.execute("UPDATE t SET v = 'bb' WHERE id = 2");
    await s.execute("BEGIN; INSERT INTO t VALUES (3, 'uncommitted')");
    // Crash: drop everything without COMMIT, checkpoint or close.
    engine.log!.close();
    await Deno.writeTextFile(`${dir}/commit.log`, '{"$o":{"ops":[{"$o":{"op":"ins"', {
      append: true,
    });

    const again = await openEngine({ path: dir });
    const s2 = again.openSession();
    const [r] = await s2.execute("SELECT id, v FROM t ORDER BY id");
    assert.deepEqual(r!.rows, [[1, "a"], [2, "bb"]]);
    await s2.execute("INSERT INTO t VALUES (3, 'c')");
    await again.close();

    const third = await openEngine({ path: dir });
    const [r3] = await third.openSession().execute("SELECT count(*) FROM t");
    assert.deepEqual(r3!.rows, [[3n]]);
    await third.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("automatic vacuum keeps versions that an open repeatable-read snapshot can see", async () => {
  const engine = await openEngine({ memory: true });
  const writer = engine.openSession();
  await writer.execute("CREATE TABLE c (id int PRIMARY KEY, n int)");
  await writer.execute("INSERT INTO c SELECT g, 0 FROM generate_series(1, 10) g");
  const reader = engine.openSession();
  await reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ");
  const [before] = await reader.execute("SELECT sum(n) FROM c");
  for (let i = 0; i < 2_500; i++) {
    await writer.execute(`UPDATE c SET n = n + 1 WHERE id = ${1 + (i % 10)}`);
  }
  const [during] = await reader.execute("SELECT sum(n) FROM c");
  assert.deepEqual(during!.rows, before!.rows);
  await reader.execute("COMMIT");
  const [after] = await reader.execute("SELECT sum(n), count(*) FROM c");
  assert.deepEqual(after!.rows, [[2500n, 10n]]);
  // With the snapshot gone, the next round of changes lets vacuum reclaim old versions.
  for (let i = 0; i < 2_000; i++) {
    await writer.execute(`UPDATE c SET n = n + 1 WHERE id = ${1 + (i % 10)}`);
  }
  assert.ok(
    engine.store.versionCount(engine.catalog.relation("c").oid) < 2_500,
    "vacuum removed dead versions",
  );
  await engine.close();
});
