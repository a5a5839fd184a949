/**
 * Automatic vacuum runs off the commit path: the commit that crosses a
 * relation's threshold only starts a run, the event loop's timer removes the
 * dead versions, and when the timer cannot keep up the commits step the run
 * themselves so space is still reused.
 * @module
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";

const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

Deno.test("Autovacuum: the commit past the threshold starts a run that the timer finishes", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  await s.execute("CREATE TABLE c (id int PRIMARY KEY, n int, note text)");
  await s.execute("INSERT INTO c SELECT g, 0, NULL FROM generate_series(1, 100) g");
  const oid = engine.catalog.relation("c").oid;
  // The threshold is 50 + 20% of 100 rows: the 70th dead version starts a run.
  // Each update changes the row's length: a new version, never one written in place.
  for (let i = 0; i < 70; i++) {
    await s.execute(`UPDATE c SET n = n + 1, note = 'seen' WHERE id = ${1 + i}`);
  }
  assert.equal(engine.autovacuum.pending, 1, "the commit only started the run");
  for (let i = 0; i < 100 && engine.autovacuum.pending > 0; i++) await turn();
  assert.equal(engine.autovacuum.pending, 0, "the timer finished the run");
  assert.equal(engine.vacuum(oid), 0, "nothing was left to vacuum");
  const [r] = await s.execute("SELECT sum(n), count(*) FROM c");
  assert.deepEqual(r!.rows, [[70n, 100n]]);
  await engine.close();
});

Deno.test("Autovacuum: dead versions stay bounded when updates never let the timer run", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  await s.execute("CREATE TABLE u (id int PRIMARY KEY, pad text)");
  await s.execute("INSERT INTO u SELECT g, repeat('x', 200) FROM generate_series(1, 50) g");
  const pages = () => engine.rs.store.stats().pageCount;
  const oid = engine.catalog.relation("u").oid;
  // Synchronous updates through the engine's fast path: no timer runs in between.
  // Every update of a row changes its length (200 or 201 bytes of pad): a new
  // version each time, none written in place.
  const round = (k: number) => {
    for (let i = 0; i < 1_000; i++) {
      const n = 200 + Math.floor(i / 50) % 2;
      const r = s.executeNow(`UPDATE u SET pad = repeat('${k}', ${n}) WHERE id = ${1 + (i % 50)}`);
      assert.ok(!(r instanceof Promise), "the update ran synchronously");
    }
  };
  round(0);
  const afterFirst = pages();
  for (let k = 1; k < 6; k++) round(k);
  assert.ok(pages() <= afterFirst + 2, `pages stay bounded: ${afterFirst} -> ${pages()}`);
  assert.ok(engine.vacuum(oid) <= 200, "the commits kept removing dead versions");
  const [r] = await s.execute("SELECT count(*), min(pad) FROM u");
  assert.deepEqual(r!.rows, [[50n, "5".repeat(201)]]);
  await engine.close();
});
