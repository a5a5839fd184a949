/**
 * Durability of the engine on the page store: committed work survives a
 * crash (no checkpoint) and uncommitted work does not; rolled-back or
 * crash-cut DDL leaves no trace after a restart; sequences survive restarts;
 * vacuum never removes versions an open snapshot still needs, and under a
 * bounded update loop dead versions are vacuumed and their space reused.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";
import { decodeDurable, encodeCatalog, encodeDurable } from "../../src/engine/page_catalog.ts";
import { Catalog } from "../../src/sql/catalog/catalog.ts";
import { SimFileSystem } from "../sim/sim_disk.ts";

Deno.test("committed transactions survive a crash without checkpoint; uncommitted ones do not", async () => {
  const fs = new SimFileSystem({ seed: 7 });
  {
    const engine = await openEngine({ path: "/db", fs: fs.view() });
    const s = engine.openSession();
    await s.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
    await s.execute("CREATE SEQUENCE q");
    await s.execute("SELECT nextval('q'), nextval('q')");
    await s.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    await s.execute("UPDATE t SET v = 'bb' WHERE id = 2");
    await s.execute("BEGIN; INSERT INTO t VALUES (3, 'uncommitted')");
    // Crash: drop everything without COMMIT, checkpoint or close.
    fs.crash();
  }
  const again = await openEngine({ path: "/db", fs: fs.view() });
  const s2 = again.openSession();
  const [r] = await s2.execute("SELECT id, v FROM t ORDER BY id");
  assert.deepEqual(r!.rows, [[1, "a"], [2, "bb"]]);
  const [q] = await s2.execute("SELECT nextval('q')");
  // Positions are logged ahead (as in PostgreSQL): after a crash the sequence
  // skips values but never hands out one it gave before.
  const next = q!.rows[0]![0] as bigint;
  assert.ok(next > 2n && next <= 40n, `nextval after the crash: ${next}`);
  await s2.execute("INSERT INTO t VALUES (3, 'c')");
  await again.close();

  const third = await openEngine({ path: "/db", fs: fs.view() });
  const s3 = third.openSession();
  const [r3] = await s3.execute("SELECT count(*) FROM t");
  assert.deepEqual(r3!.rows, [[3n]]);
  const [q3] = await s3.execute("SELECT nextval('q')");
  assert.deepEqual(q3!.rows, [[next + 1n]], "a clean close keeps the exact position");
  await third.close();
});

Deno.test("rolled-back CREATE TABLE and ALTER TABLE leave no trace after a restart", async () => {
  const fs = new SimFileSystem({ seed: 8 });
  {
    const engine = await openEngine({ path: "/db", fs: fs.view() });
    const s = engine.openSession();
    await s.execute("CREATE TABLE keep (id int PRIMARY KEY)");
    await s.execute("INSERT INTO keep VALUES (1)");
    await s.execute("BEGIN; CREATE TABLE gone (id int); INSERT INTO gone VALUES (1)");
    await s.execute("ALTER TABLE keep ADD COLUMN extra int DEFAULT 5");
    await s.execute("CREATE UNIQUE INDEX keep_extra ON keep (extra)");
    await s.execute("ROLLBACK");
    // Another committed transaction flushes the WAL past the rolled-back DDL.
    await s.execute("INSERT INTO keep VALUES (2)");
    await s.execute("BEGIN; CREATE TABLE cut (id int); INSERT INTO cut VALUES (1)");
    fs.crash();
  }
  const engine = await openEngine({ path: "/db", fs: fs.view() });
  const s = engine.openSession();
  for (const name of ["gone", "cut"]) {
    const err = await s.execute(`SELECT * FROM ${name}`).catch((e) => e);
    assert.equal(err?.sqlstate, "42P01", `${name} does not exist`);
  }
  const [r] = await s.execute("SELECT * FROM keep ORDER BY id");
  assert.deepEqual(r!.rows, [[1], [2]], "the ALTER was rolled back");
  await s.execute("INSERT INTO keep VALUES (3)");
  await s.execute("CREATE TABLE gone (id int, note text)");
  await s.execute("INSERT INTO gone VALUES (1, 'new')");
  const [g] = await s.execute("SELECT * FROM gone");
  assert.deepEqual(g!.rows, [[1, "new"]]);
  await engine.close();
});

Deno.test("a DDL commit cut before its commit record recovers the previous catalog", () => {
  const before = Catalog.initial();
  const ed = before.edit();
  ed.schemas.set("extra", ed.oid());
  const after = ed.done();
  const text = encodeDurable(
    { cur: encodeCatalog(after, new Map()), prev: encodeCatalog(before, new Map()), xid: 42 },
    new Map([[7, { value: 5n, called: true }]]),
  );
  const cut = decodeDurable(text, () => false);
  assert.equal(cut.catalog.schemas.has("extra"), false);
  assert.deepEqual(cut.sequences.get(7), { value: 5n, called: true });
  const committed = decodeDurable(text, (xid) => xid === 42);
  assert.equal(committed.catalog.schemas.has("extra"), true);
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
  await engine.close();
});

Deno.test("dead versions are vacuumed and their space reused under an update loop", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  await s.execute("CREATE TABLE u (id int PRIMARY KEY, pad text)");
  await s.execute("INSERT INTO u SELECT g, repeat('x', 200) FROM generate_series(1, 50) g");
  const pages = () => engine.rs.store.stats().pageCount;
  const round = async () => {
    for (let i = 0; i < 1_000; i++) {
      await s.execute(`UPDATE u SET pad = repeat('y', 200) WHERE id = ${1 + (i % 50)}`);
    }
    await s.execute("VACUUM u");
  };
  await round();
  const afterFirst = pages();
  for (let k = 0; k < 3; k++) await round();
  assert.ok(pages() <= afterFirst + 2, `pages stay bounded: ${afterFirst} -> ${pages()}`);
  assert.equal(engine.vacuum(engine.catalog.relation("u").oid), 0, "nothing left to vacuum");
  const [r] = await s.execute("SELECT count(*), min(pad) FROM u");
  assert.deepEqual(r!.rows, [[50n, "y".repeat(200)]]);
  await engine.close();
});
