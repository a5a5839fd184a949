/**
 * The executor's row store over the page store: reads and writes through the
 * transaction layer, unkeyable index fallback, the durable catalog blob and
 * placements across close/reopen and a simulated crash, and long scans with a
 * small buffer pool.
 */
import assert from "node:assert/strict";
import { DbError } from "../../src/common/errors.ts";
import { type } from "../../src/common/types.ts";
import { RelationStore } from "../../src/exec/relation_store.ts";
import { keyableType, type StoredRelationSpec } from "../../src/exec/relation_spec.ts";
import { MemFileSystem } from "../../src/storage/os/mod.ts";
import type { Txn } from "../../src/txn/mod.ts";
import { SimFileSystem } from "../sim/sim_disk.ts";

const accounts: StoredRelationSpec = {
  oid: 16384,
  name: "accounts",
  columnNames: ["id", "owner", "tags"],
  types: [type("int4"), type("text"), type("jsonb")],
  indexes: [
    {
      oid: 16385,
      name: "accounts_pkey",
      columns: [0],
      unique: true,
      predicate: null,
      constraintName: "accounts_pkey",
    },
    {
      oid: 16386,
      name: "accounts_owner_idx",
      columns: [1],
      unique: false,
      predicate: null,
      constraintName: "accounts_owner_idx",
    },
    {
      oid: 16387,
      name: "accounts_tags_idx",
      columns: [2],
      unique: false,
      predicate: null,
      constraintName: "accounts_tags_idx",
    },
  ],
};

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

function readIds(rs: RelationStore, rel: number): number[] {
  const txn = rs.txns.begin();
  rs.txns.startStatement(txn);
  const ids = [...rs.scan(rel, txn)].map((r) => Number(r.values[0]));
  rs.txns.abort(txn);
  return ids.sort((a, b) => a - b);
}

Deno.test("keyableType() accepts codec types and rejects jsonb, interval and arrays", () => {
  assert.equal(keyableType(type("int8")), true);
  assert.equal(keyableType(type("text")), true);
  assert.equal(keyableType(type("jsonb")), false);
  assert.equal(keyableType(type("interval")), false);
  assert.equal(keyableType({ id: "array", elem: type("int4") }), false);
});

Deno.test("RelationStore reads, writes, enforces unique keys and skips unkeyable indexes", async () => {
  const rs = await RelationStore.open();
  rs.define(accounts);
  assert.equal(rs.hasIndex(accounts.oid, 16385), true);
  assert.equal(rs.hasIndex(accounts.oid, 16387), false);
  await inTxn(rs, async (t) => {
    for (let i = 1; i <= 20; i++) await rs.insert(t, accounts.oid, [i, `o${i % 3}`, null]);
  });
  const err = await inTxn(rs, (t) => rs.insert(t, accounts.oid, [5, "x", null])).catch((e) => e);
  assert.ok(err instanceof DbError);
  assert.equal(err.sqlstate, "23505");
  assert.equal(err.message, 'duplicate key value violates unique constraint "accounts_pkey"');
  await inTxn(rs, (t) => {
    assert.deepEqual(rs.lookup(accounts.oid, 16385, [7], t)?.map((r) => r.values[1]), ["o1"]);
    assert.equal(rs.lookup(accounts.oid, 16386, ["o0"], t)?.length, 6);
    assert.equal(rs.lookup(accounts.oid, 16387, [null], t), null);
    const range = rs.range(
      accounts.oid,
      16385,
      { value: 3, inclusive: false },
      { value: 6, inclusive: true },
      t,
      true,
    );
    assert.deepEqual([...range!].map((r) => r.values[0]), [6, 5, 4]);
  });
  // Update and delete through row ids from a scan.
  await inTxn(rs, async (t) => {
    for (const row of [...rs.scan(accounts.oid, t)]) {
      const id = Number(row.values[0]);
      if (id % 2 === 0) await rs.delete(t, accounts.oid, row.rowId);
      else if (id === 1) {
        await rs.update(t, accounts.oid, row.rowId, (cur) => [100, cur[1] ?? null, null], "update");
      }
    }
  });
  assert.deepEqual(readIds(rs, accounts.oid), [3, 5, 7, 9, 11, 13, 15, 17, 19, 100]);
  assert.ok(rs.vacuum(accounts.oid) >= 11);
  await rs.close();
});

Deno.test("RelationStore keeps the catalog, placements and rows across close and reopen", async () => {
  const fs = new MemFileSystem();
  {
    const rs = await RelationStore.open({ fs, dataDir: "/db", pageSize: 4096 });
    assert.equal(rs.engineCatalog, null);
    rs.define(accounts);
    rs.saveCatalog('{"tables":["accounts"]}');
    await inTxn(rs, async (t) => {
      for (let i = 1; i <= 5; i++) await rs.insert(t, accounts.oid, [i, "a", null]);
    });
    await rs.close();
  }
  {
    const rs = await RelationStore.open({ fs, dataDir: "/db", pageSize: 4096 });
    assert.equal(rs.engineCatalog, '{"tables":["accounts"]}');
    assert.deepEqual(rs.storedRelations(), [accounts.oid]);
    rs.define(accounts);
    assert.deepEqual(readIds(rs, accounts.oid), [1, 2, 3, 4, 5]);
    // A new index on existing rows is built at once; the catalog is rewritten in place.
    const withIdx: StoredRelationSpec = {
      ...accounts,
      indexes: [...accounts.indexes, {
        oid: 16390,
        name: "accounts_id_owner",
        columns: [0, 1],
        unique: true,
        predicate: (row) => Number(row[0]) > 2,
        constraintName: "accounts_id_owner",
      }],
    };
    rs.define(withIdx);
    rs.saveCatalog('{"tables":["accounts"],"v":2}');
    await inTxn(rs, (t) => {
      assert.equal(rs.lookup(accounts.oid, 16390, [4, "a"], t)?.length, 1);
      assert.equal(rs.lookup(accounts.oid, 16390, [1, "a"], t)?.length, 0);
    });
    await rs.close();
  }
  {
    const rs = await RelationStore.open({ fs, dataDir: "/db", pageSize: 4096 });
    assert.equal(rs.engineCatalog, '{"tables":["accounts"],"v":2}');
    // Dropping the index frees its tree; lookups through it report "no index".
    rs.define(accounts);
    assert.equal(rs.hasIndex(accounts.oid, 16390), false);
    await inTxn(rs, (t) => assert.equal(rs.lookup(accounts.oid, 16390, [4, "a"], t), null));
    rs.dropRelation(accounts.oid);
    rs.saveCatalog("{}");
    // A catalog larger than a page goes to an overflow chain and is rewritten in place.
    rs.saveCatalog(JSON.stringify({ big: "c".repeat(20_000) }));
    await rs.close();
  }
  {
    const rs = await RelationStore.open({ fs, dataDir: "/db", pageSize: 4096 });
    assert.deepEqual(rs.storedRelations(), []);
    assert.equal(rs.engineCatalog, JSON.stringify({ big: "c".repeat(20_000) }));
    rs.saveCatalog("small");
    await rs.close();
  }
  {
    const rs = await RelationStore.open({ fs, dataDir: "/db", pageSize: 4096 });
    assert.equal(rs.engineCatalog, "small");
    await rs.close();
  }
});

Deno.test("RelationStore recovers the catalog and committed rows after a crash", async () => {
  const fs = new SimFileSystem({ seed: 11 });
  {
    const rs = await RelationStore.open({ fs: fs.view(), dataDir: "/db", pageSize: 4096 });
    rs.define(accounts);
    rs.saveCatalog("cat-1");
    // The commit flushes the WAL, catalog records included.
    await inTxn(rs, async (t) => {
      for (let i = 1; i <= 50; i++) await rs.insert(t, accounts.oid, [i, "c", null]);
    });
    // Cut off by the crash: never committed.
    const open = rs.txns.begin();
    rs.txns.startStatement(open);
    await rs.insert(open, accounts.oid, [999, "lost", null]);
    fs.crash();
  }
  const rs = await RelationStore.open({ fs: fs.view(), dataDir: "/db", pageSize: 4096 });
  assert.equal(rs.engineCatalog, "cat-1");
  rs.define(accounts);
  assert.deepEqual(readIds(rs, accounts.oid), Array.from({ length: 50 }, (_, i) => i + 1));
  await inTxn(rs, (t) => rs.insert(t, accounts.oid, [999, "again", null]));
  await rs.close();
});

Deno.test("RelationStore scans a table far larger than the buffer pool", async () => {
  const pageSize = 4096;
  const rs = await RelationStore.open({ pageSize, bufferPoolBytes: 32 * pageSize });
  const wide: StoredRelationSpec = {
    oid: 20000,
    name: "wide",
    columnNames: ["id", "pad"],
    types: [type("int4"), type("text")],
    indexes: [],
  };
  rs.define(wide);
  const rows = 4000;
  const pad = "x".repeat(200);
  await inTxn(rs, async (t) => {
    for (let i = 0; i < rows; i++) await rs.insert(t, wide.oid, [i, pad]);
  });
  assert.ok(rs.store.stats().pageCount > 150, "the heap spans many more pages than frames");
  await inTxn(rs, (t) => {
    let n = 0;
    for (const row of rs.scan(wide.oid, t)) {
      assert.equal(row.values[1], pad);
      n++;
    }
    assert.equal(n, rows);
  });
  assert.ok(rs.store.stats().evictions > 0);
  await rs.close();
});
