/**
 * The SQL catalog on the page store: tables and indexes created with SQL are
 * mapped to stored relations, rows copied into them, and the catalog (with
 * sequence positions), placements and rows come back after close/reopen;
 * unique and partial unique indexes keep being enforced, and indexes the key
 * codec cannot encode fall back to none.
 */
import assert from "node:assert/strict";
import { DbError } from "../../src/common/errors.ts";
import type { Value } from "../../src/common/types.ts";
import { openEngine } from "../../src/engine/engine.ts";
import {
  decodeCatalog,
  encodeCatalog,
  storedRelationSpecs,
  syncRelationStore,
} from "../../src/engine/page_catalog.ts";
import { RelationStore } from "../../src/exec/relation_store.ts";
import { MemFileSystem } from "../../src/storage/os/mod.ts";
import type { Txn } from "../../src/txn/mod.ts";

async function inTxn<T>(rs: RelationStore, fn: (txn: Txn) => Promise<T> | T): Promise<T> {
  const txn = rs.txns.begin();
  rs.txns.startStatement(txn);
  try {
    const out = await fn(txn);
    await rs.txns.commit(txn);
    return out;
  } catch (e) {
    rs.txns.abort(txn);
    throw e;
  }
}

Deno.test("SQL tables, indexes, sequences and rows survive a reopen of the page store", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  await s.execute(`CREATE TABLE items (
    id serial PRIMARY KEY, sku text NOT NULL, active bool, doc jsonb)`);
  await s.execute("CREATE UNIQUE INDEX items_active_sku ON items (sku) WHERE active");
  await s.execute("CREATE INDEX items_doc ON items (doc)");
  await s.execute("CREATE VIEW live_items AS SELECT * FROM items WHERE active");
  await s.execute(`INSERT INTO items (sku, active, doc) VALUES
    ('a', true, '{"n":1}'), ('a', false, null), ('b', true, '[1,2]')`);
  const catalog = engine.catalog;
  const specOf = engine.indexSpec.bind(engine);
  const specs = storedRelationSpecs(catalog, specOf);
  assert.deepEqual(specs.map((r) => r.name), ["items"]);
  const items = specs[0]!;

  // Copy the committed rows into a page store and save the catalog with them.
  const snapTxn = engine.txns.begin({ isolation: "repeatable read", readOnly: true });
  engine.txns.startStatement(snapTxn);
  const rows = [...engine.rs.scan(items.oid, snapTxn)].map((t) => t.values);
  engine.txns.abort(snapTxn);
  const positions = new Map([...engine.sequences].map(([oid, p]) => [oid, { ...p }]));
  assert.equal(positions.size, 1);
  await engine.close();

  const fs = new MemFileSystem();
  {
    const rs = await RelationStore.open({ fs, dataDir: "/db", pageSize: 4096 });
    syncRelationStore(rs, catalog, specOf);
    rs.saveCatalog(encodeCatalog(catalog, positions));
    await inTxn(rs, async (t) => {
      for (const r of rows) await rs.insert(t, items.oid, r);
    });
    await rs.close();
  }

  const rs = await RelationStore.open({ fs, dataDir: "/db", pageSize: 4096 });
  const saved = decodeCatalog(rs.engineCatalog!);
  assert.deepEqual(saved.sequences, positions);
  assert.deepEqual(saved.catalog.toData(), catalog.toData());
  const fresh = await openEngine({ memory: true });
  syncRelationStore(rs, saved.catalog, fresh.indexSpec.bind(fresh));
  const pkey = saved.catalog.relation("items").constraints.find((c) => c.kind === "primary_key");
  assert.ok(pkey && pkey.kind === "primary_key");
  const docIdx = [...saved.catalog.indexes.values()].find((i) => i.name === "items_doc")!;
  assert.equal(rs.hasIndex(items.oid, pkey.indexOid), true);
  assert.equal(rs.hasIndex(items.oid, docIdx.oid), false, "jsonb keys fall back to no index");
  await inTxn(rs, (t) => {
    const got = [...rs.scan(items.oid, t)].map((r) => r.values);
    assert.deepEqual(sortRows(got), sortRows(rows));
    assert.deepEqual(rs.lookup(items.oid, pkey.indexOid, [3], t)?.map((r) => r.values[1]), ["b"]);
  });
  // The partial unique index only covers active rows.
  await inTxn(rs, (t) => rs.insert(t, items.oid, [4, "b", false, null]));
  const err = await inTxn(rs, (t) => rs.insert(t, items.oid, [5, "a", true, null])).catch((e) => e);
  assert.ok(err instanceof DbError && err.sqlstate === "23505", String(err));
  assert.match(err.message, /items_active_sku/);
  await fresh.close();
  await rs.close();
});

function sortRows(rows: Value[][]): string[] {
  return rows.map((r) => JSON.stringify(r.slice(0, 3))).sort();
}

Deno.test("tables of a catalog saved before row types get one on open", async () => {
  const fs = new MemFileSystem();
  const first = await openEngine({ fs, path: "/db" });
  const s = first.openSession();
  await s.execute("CREATE TABLE pt (a int, b text); INSERT INTO pt VALUES (1, 'x')");
  await s.execute("CREATE TABLE pu (c int)");
  await first.close();

  // Rewrite the saved catalog as an older version wrote it: no row types.
  {
    const rs = await RelationStore.open({ fs, dataDir: "/db" });
    const text = rs.engineCatalog!;
    const old = text.replace(/,\\*"rowTypeOid\\*":\d+/g, "");
    assert.notEqual(old, text);
    rs.saveCatalog(old);
    await rs.close();
  }

  const opened: number[][] = [];
  for (let round = 0; round < 2; round++) {
    const engine = await openEngine({ fs, path: "/db" });
    const rels = ["pt", "pu"].map((n) => engine.catalog.relation(n));
    const oids = rels.map((r) => r.rowTypeOid);
    assert.ok(oids.every((o) => o !== undefined && o < engine.catalog.nextOid));
    assert.equal(new Set(oids).size, 2);
    opened.push(oids as number[]);
    const r = await engine.openSession().execute("SELECT pt FROM pt");
    const last = r[r.length - 1]!;
    assert.deepEqual(last.fields?.map((f) => f.type.composite?.oid), [oids[0]]);
    await engine.close();
  }
  // Without DDL in between the catalog is not saved again, and the OIDs stay.
  assert.deepEqual(opened[0], opened[1]);
});
